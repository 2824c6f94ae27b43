//! Authorization codes, opaque access tokens and refresh tokens. Each belongs to a grant
//! (`grant_id`, the family born from one code) so that a replay can revoke the whole family.
//! Every single-use artifact is consumed by one conditional UPDATE: of racing callers,
//! exactly one sees a row come back.
//!
//! A redemption and the tokens it issues are written in one transaction, so a replay (which
//! waits for the winner's row lock, or comes later) always finds the successors to revoke.
//! Revoking a grant and issuing into it (a refresh) both begin with the grant's row in
//! `grants`: they take turns, so neither a successor of another token of the family nor one
//! issued during the revocation survives it, and nothing is issued into a revoked grant.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::{access_tokens, authorization_codes, grants, refresh_tokens};
use super::statement::{Prepare, together};

#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = authorization_codes)]
pub struct CodeRecord {
    pub code_hash: String,
    pub grant_id: String,
    pub application_id: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub auth_time: i64,
    pub amr: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub consumed_at: Option<i64>,
}

#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = access_tokens)]
pub struct AccessTokenRecord {
    pub token_hash: String,
    pub grant_id: String,
    pub application_id: String,
    pub user_id: String,
    pub scope: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRecord {
    pub token_hash: String,
    pub grant_id: String,
    pub application_id: String,
    pub user_id: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub auth_time: i64,
    pub amr: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub consumed_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl RefreshTokenRecord {
    /// Neither used, revoked nor expired.
    pub fn is_live(&self, now: i64) -> bool {
        self.consumed_at.is_none() && self.revoked_at.is_none() && self.expires_at > now
    }
}

/// What redeeming a single-use artifact found.
#[derive(Debug)]
pub enum Redeemed<T> {
    /// This caller won: the record as it was before consumption.
    Fresh(T),
    /// The artifact exists but was already used: a replay.
    Replayed(T),
    /// Unknown, expired or revoked.
    Invalid,
}

pub fn insert_code(conn: &mut DbConnection, code: &CodeRecord) -> QueryResult<()> {
    diesel::insert_into(authorization_codes::table)
        .values(code)
        .returning(authorization_codes::code_hash)
        .prepared()
        .get_result::<String>(conn)
        .map(drop)
}

/// Consumes a code. Returns `Replayed` when it had been redeemed before (RFC 6749 4.1.2:
/// the caller should then revoke what the code granted).
pub fn consume_code(
    conn: &mut DbConnection,
    code_hash: &str,
    now: i64,
) -> QueryResult<Redeemed<CodeRecord>> {
    let won: Option<CodeRecord> = diesel::update(
        authorization_codes::table.filter(
            authorization_codes::code_hash
                .eq(code_hash)
                .and(authorization_codes::consumed_at.is_null())
                .and(authorization_codes::expires_at.gt(now)),
        ),
    )
    .set(authorization_codes::consumed_at.eq(now))
    .returning(authorization_codes::all_columns)
    .prepared()
    .get_result(conn)
    .optional()?;
    if let Some(code) = won {
        return Ok(Redeemed::Fresh(code));
    }
    let existing: Option<CodeRecord> = authorization_codes::table
        .find(code_hash)
        .get_result(conn)
        .optional()?;
    Ok(match existing {
        Some(code) if code.consumed_at.is_some() => Redeemed::Replayed(code),
        _ => Redeemed::Invalid,
    })
}

/// Records the grant a code starts, in the transaction that redeems the code.
pub fn start_grant(conn: &mut DbConnection, grant_id: &str) -> QueryResult<()> {
    diesel::insert_into(grants::table)
        .values(grants::id.eq(grant_id))
        .returning(grants::id)
        .prepared()
        .get_result::<String>(conn)
        .map(drop)
}

/// Takes the grant's turn for the rest of the transaction (on PostgreSQL its row lock, which
/// [`revoke_grant`] takes first too); whether it may still be issued into (known, not revoked).
pub fn lock_live_grant(conn: &mut DbConnection, grant_id: &str) -> QueryResult<bool> {
    let query = grants::table.find(grant_id).select(grants::revoked_at);
    let found: Option<Option<i64>> = match conn {
        DbConnection::Postgres(pg) => query.for_no_key_update().get_result(pg).optional()?,
        // One transaction at a time per process; another process writing between this read and
        // the transaction's first write makes that write fail, never act on a stale read.
        DbConnection::Sqlite(_) => query.get_result(conn).optional()?,
    };
    Ok(matches!(found, Some(None)))
}

pub fn insert_access_token(conn: &mut DbConnection, token: &AccessTokenRecord) -> QueryResult<()> {
    diesel::insert_into(access_tokens::table)
        .values(token)
        .returning(access_tokens::token_hash)
        .prepared()
        .get_result::<String>(conn)
        .map(drop)
}

pub fn find_live_access_token(
    conn: &mut DbConnection,
    token_hash: &str,
    now: i64,
) -> QueryResult<Option<AccessTokenRecord>> {
    access_tokens::table
        .filter(
            access_tokens::token_hash
                .eq(token_hash)
                .and(access_tokens::expires_at.gt(now))
                .and(access_tokens::revoked_at.is_null()),
        )
        .get_result(conn)
        .optional()
}

pub fn insert_refresh_token(
    conn: &mut DbConnection,
    token: &RefreshTokenRecord,
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(token)
        .returning(refresh_tokens::token_hash)
        .prepared()
        .get_result::<String>(conn)
        .map(drop)
}

pub fn find_live_refresh_token(
    conn: &mut DbConnection,
    token_hash: &str,
    now: i64,
) -> QueryResult<Option<RefreshTokenRecord>> {
    refresh_tokens::table
        .filter(
            refresh_tokens::token_hash
                .eq(token_hash)
                .and(refresh_tokens::expires_at.gt(now))
                .and(refresh_tokens::consumed_at.is_null())
                .and(refresh_tokens::revoked_at.is_null()),
        )
        .get_result(conn)
        .optional()
}

/// The refresh token of `application_id` with this hash, in whatever state.
pub fn find_refresh_token(
    conn: &mut DbConnection,
    token_hash: &str,
    application_id: &str,
) -> QueryResult<Option<RefreshTokenRecord>> {
    refresh_tokens::table
        .filter(
            refresh_tokens::token_hash
                .eq(token_hash)
                .and(refresh_tokens::application_id.eq(application_id)),
        )
        .get_result(conn)
        .optional()
}

/// Marks a refresh token of `application_id` used (rotation). `Replayed` means it had already
/// been rotated away. Another client's token is `Invalid` and left untouched.
pub fn consume_refresh_token(
    conn: &mut DbConnection,
    token_hash: &str,
    application_id: &str,
    now: i64,
) -> QueryResult<Redeemed<RefreshTokenRecord>> {
    let won: Option<RefreshTokenRecord> = diesel::update(
        refresh_tokens::table.filter(
            refresh_tokens::token_hash
                .eq(token_hash)
                .and(refresh_tokens::application_id.eq(application_id))
                .and(refresh_tokens::consumed_at.is_null())
                .and(refresh_tokens::revoked_at.is_null())
                .and(refresh_tokens::expires_at.gt(now)),
        ),
    )
    .set(refresh_tokens::consumed_at.eq(now))
    .returning(refresh_tokens::all_columns)
    .prepared()
    .get_result(conn)
    .optional()?;
    if let Some(token) = won {
        return Ok(Redeemed::Fresh(token));
    }
    let existing: Option<RefreshTokenRecord> = refresh_tokens::table
        .filter(
            refresh_tokens::token_hash
                .eq(token_hash)
                .and(refresh_tokens::application_id.eq(application_id)),
        )
        .get_result(conn)
        .optional()?;
    Ok(match existing {
        Some(token) if token.consumed_at.is_some() => Redeemed::Replayed(token),
        _ => Redeemed::Invalid,
    })
}

/// Revokes a grant and every access and refresh token of it (a replayed code or refresh
/// token, or an explicit revocation of a refresh token). The grant's row is written first: a
/// refresh of the family issuing at this moment finishes before (its tokens are revoked here)
/// or starts after (and finds the grant revoked).
pub fn revoke_grant(conn: &mut DbConnection, grant_id: &str, now: i64) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::update(
            grants::table.filter(grants::id.eq(grant_id).and(grants::revoked_at.is_null())),
        )
        .set(grants::revoked_at.eq(now))
        .execute(conn)?;
        diesel::update(
            access_tokens::table.filter(
                access_tokens::grant_id
                    .eq(grant_id)
                    .and(access_tokens::revoked_at.is_null()),
            ),
        )
        .set(access_tokens::revoked_at.eq(now))
        .execute(conn)?;
        diesel::update(
            refresh_tokens::table.filter(
                refresh_tokens::grant_id
                    .eq(grant_id)
                    .and(refresh_tokens::revoked_at.is_null()),
            ),
        )
        .set(refresh_tokens::revoked_at.eq(now))
        .execute(conn)?;
        Ok(())
    })
}

/// Which kind of token a hash belongs to, for revocation.
#[derive(Debug, Clone)]
pub enum TokenOwner {
    Access {
        application_id: String,
    },
    Refresh {
        application_id: String,
        grant_id: String,
    },
}

pub fn token_owner(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<TokenOwner>> {
    let access: Option<String> = access_tokens::table
        .find(token_hash)
        .select(access_tokens::application_id)
        .get_result(conn)
        .optional()?;
    if let Some(application_id) = access {
        return Ok(Some(TokenOwner::Access { application_id }));
    }
    let refresh: Option<(String, String)> = refresh_tokens::table
        .find(token_hash)
        .select((refresh_tokens::application_id, refresh_tokens::grant_id))
        .get_result(conn)
        .optional()?;
    Ok(
        refresh.map(|(application_id, grant_id)| TokenOwner::Refresh {
            application_id,
            grant_id,
        }),
    )
}

pub fn revoke_access_token(
    conn: &mut DbConnection,
    token_hash: &str,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(
        access_tokens::table.filter(
            access_tokens::token_hash
                .eq(token_hash)
                .and(access_tokens::revoked_at.is_null()),
        ),
    )
    .set(access_tokens::revoked_at.eq(now))
    .execute(conn)
}

/// Stores the tokens of one token response: one statement on PostgreSQL; on SQLite two, in
/// the caller's transaction (the redemption's).
pub fn insert_tokens(
    conn: &mut DbConnection,
    access: &AccessTokenRecord,
    refresh: Option<&RefreshTokenRecord>,
) -> QueryResult<()> {
    match (conn, refresh) {
        (conn, None) => insert_access_token(conn, access),
        (DbConnection::Postgres(pg), Some(refresh)) => {
            let access_row = diesel::insert_into(access_tokens::table).values(access);
            let refresh_row = diesel::insert_into(refresh_tokens::table)
                .values(refresh)
                .returning(refresh_tokens::token_hash);
            together(access_row, refresh_row)
                .get_result::<String>(pg)
                .map(drop)
        }
        (conn, Some(refresh)) => {
            insert_access_token(conn, access)?;
            insert_refresh_token(conn, refresh)
        }
    }
}
