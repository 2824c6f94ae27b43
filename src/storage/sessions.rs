use diesel::prelude::*;

use super::DbConnection;
use super::grants::{self, CodeRecord};
use super::schema::sessions;
use super::statement::Prepare;
use super::users;
use diesel::sql_types::{BigInt, Nullable, Text};

/// A signed-in browser: found by the hash of its cookie.
#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRecord {
    pub id: String,
    pub token_hash: String,
    pub user_id: String,
    pub auth_time: i64,
    pub amr: String,
    pub created_at: i64,
    pub expires_at: i64,
}

fn insert_session(conn: &mut DbConnection, session: &SessionRecord) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(session)
        .returning(sessions::id)
        .prepared()
        .get_result::<String>(conn)
        .map(drop)
}

/// Starts a session (replacing the browser's `previous` one) and stores the authorization code
/// it completes with: both or neither, and neither when the sign-in may no longer finish
/// ([`users::may_finish_sign_in`]: suspended, or credentials ended by a takeover after the
/// first factor was proven); then `false`. The common case, no previous session, is one
/// statement on PostgreSQL.
pub fn start_with_code(
    conn: &mut DbConnection,
    previous: Option<&str>,
    session: &SessionRecord,
    code: &CodeRecord,
) -> QueryResult<bool> {
    if let (DbConnection::Postgres(pg), None) = (&mut *conn, previous) {
        return guarded_start_on_postgres(pg, session, code);
    }
    let outcome = conn.transaction(|conn| {
        if let Some(previous) = previous {
            delete_session(conn, previous)?;
        }
        insert_session(conn, session)?;
        grants::insert_code(conn, code)?;
        // After the writes: on SQLite this transaction now holds the write lock, so the
        // check reads the latest state and no takeover can commit before this does.
        if users::may_finish_sign_in(conn, &session.user_id, session.auth_time)? {
            Ok(())
        } else {
            Err(diesel::result::Error::RollbackTransaction)
        }
    });
    match outcome {
        Ok(()) => Ok(true),
        Err(diesel::result::Error::RollbackTransaction) => Ok(false),
        Err(e) => Err(e),
    }
}

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = Text)]
    #[allow(dead_code)]
    code_hash: String,
}

/// [`start_with_code`] as one statement: the session and the code are inserted only from
/// the row of a user who may still finish the sign-in, locked for share (see
/// [`users::may_finish_sign_in`]).
fn guarded_start_on_postgres(
    pg: &mut diesel::PgConnection,
    session: &SessionRecord,
    code: &CodeRecord,
) -> QueryResult<bool> {
    let rows: Vec<Stored> = diesel::sql_query(
        "WITH allowed AS (SELECT 1 FROM users WHERE id = $1 AND NOT suspended \
         AND (credentials_changed_at IS NULL OR credentials_changed_at <= $2) FOR SHARE), \
         session AS (INSERT INTO sessions \
         (id, token_hash, user_id, auth_time, amr, created_at, expires_at) \
         SELECT $3, $4, $5, $6, $7, $8, $9 FROM allowed RETURNING id) \
         INSERT INTO authorization_codes (code_hash, grant_id, application_id, user_id, \
         redirect_uri, scope, nonce, code_challenge, auth_time, amr, created_at, expires_at, \
         consumed_at) \
         SELECT $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22 FROM session \
         RETURNING code_hash",
    )
    .bind::<Text, _>(&session.user_id)
    .bind::<BigInt, _>(session.auth_time)
    .bind::<Text, _>(&session.id)
    .bind::<Text, _>(&session.token_hash)
    .bind::<Text, _>(&session.user_id)
    .bind::<BigInt, _>(session.auth_time)
    .bind::<Text, _>(&session.amr)
    .bind::<BigInt, _>(session.created_at)
    .bind::<BigInt, _>(session.expires_at)
    .bind::<Text, _>(&code.code_hash)
    .bind::<Text, _>(&code.grant_id)
    .bind::<Text, _>(&code.application_id)
    .bind::<Text, _>(&code.user_id)
    .bind::<Text, _>(&code.redirect_uri)
    .bind::<Text, _>(&code.scope)
    .bind::<Nullable<Text>, _>(&code.nonce)
    .bind::<Nullable<Text>, _>(&code.code_challenge)
    .bind::<BigInt, _>(code.auth_time)
    .bind::<Text, _>(&code.amr)
    .bind::<BigInt, _>(code.created_at)
    .bind::<BigInt, _>(code.expires_at)
    .bind::<Nullable<BigInt>, _>(code.consumed_at)
    .prepared()
    .load(pg)?;
    Ok(!rows.is_empty())
}

pub fn find_live_session(
    conn: &mut DbConnection,
    token_hash: &str,
    now: i64,
) -> QueryResult<Option<SessionRecord>> {
    sessions::table
        .filter(
            sessions::token_hash
                .eq(token_hash)
                .and(sessions::expires_at.gt(now)),
        )
        .get_result(conn)
        .optional()
}

pub fn delete_session(conn: &mut DbConnection, token_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash))).execute(conn)
}
