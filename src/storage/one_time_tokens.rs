//! One-time tokens (magic links). A token is found by the SHA-256 of its plaintext and
//! consumed by one conditional UPDATE, so of racing redemptions exactly one wins.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use diesel::sql_types::{BigInt, Nullable, Text};

use super::DbConnection;
use super::audit::{self, AuditRecord};
use super::outbox::{self, OutboxRecord};
use super::pool::MultiBackend;
use super::rate_limits::{self, Verdict};
use super::schema::{audit_log, one_time_tokens as ott};
use super::statement::{Prepare, together};

/// A token's life: active until consumed, revoked or expired; never back to active. Stored as
/// its lowercase name ("expired" is also what an active token past `expires_at` reads as).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    Active,
    Consumed,
    Revoked,
    Expired,
}

impl TokenStatus {
    pub const ALL: [TokenStatus; 4] = [
        TokenStatus::Active,
        TokenStatus::Consumed,
        TokenStatus::Revoked,
        TokenStatus::Expired,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Consumed => "consumed",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    /// One of the four names exactly; anything else is not a status.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

impl std::fmt::Display for TokenStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

const ACTIVE: &str = TokenStatus::Active.as_str();
const CONSUMED: &str = TokenStatus::Consumed.as_str();
const EXPIRED: &str = TokenStatus::Expired.as_str();

#[derive(Clone, Debug, Queryable, QueryableByName, Insertable)]
#[diesel(table_name = ott)]
pub struct OneTimeTokenRecord {
    pub id: String,
    pub token_hash: String,
    pub email: String,
    pub email_lower: String,
    pub context: String,
    /// A [`TokenStatus`] name; read it through [`OneTimeTokenRecord::stored_status`].
    pub status: String,
    pub application_id: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub consumed_at: Option<i64>,
}

impl OneTimeTokenRecord {
    /// The stored status. Only [`TokenStatus`] names are ever written; a row holding anything
    /// else (written by hand) reads as revoked: unusable, and never reactivated.
    pub fn stored_status(&self) -> TokenStatus {
        TokenStatus::parse(&self.status).unwrap_or(TokenStatus::Revoked)
    }

    /// The status as everyone sees it: an active token past its expiry is expired.
    pub fn effective_status(&self, now: i64) -> TokenStatus {
        match self.stored_status() {
            TokenStatus::Active if self.expires_at <= now => TokenStatus::Expired,
            status => status,
        }
    }
}

/// Stores a new token and its `created` audit entry together.
pub fn insert(
    conn: &mut DbConnection,
    token: &OneTimeTokenRecord,
    event: &AuditRecord,
) -> QueryResult<()> {
    let token_row = diesel::insert_into(ott::table).values(token);
    if let DbConnection::Postgres(pg) = conn {
        let audit_row = diesel::insert_into(audit_log::table)
            .values(event)
            .returning(audit_log::id);
        return together(token_row, audit_row)
            .get_result::<String>(pg)
            .map(drop);
    }
    conn.transaction(|conn| {
        token_row
            .returning(ott::id)
            .prepared()
            .get_result::<String>(conn)?;
        audit::record(conn, event)
    })
}

/// Stores a new token, its `created` audit entry and the mail that announces it, in one
/// transaction: the mail is queued if and only if the token exists.
pub fn insert_with_mail(
    conn: &mut DbConnection,
    token: &OneTimeTokenRecord,
    event: &AuditRecord,
    mail: &OutboxRecord,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        insert(conn, token, event)?;
        outbox::enqueue(conn, mail)
    })
}

/// Counts the creation against `counted` (see [`rate_limits::hit_all`]) and, unless a limit is
/// reached, stores the token as [`insert`] does (with `mail`, as [`insert_with_mail`] does).
/// On PostgreSQL the counters commit first, on their own, so an application's hot counter row
/// is never held while the token is written; SQLite has a single writer anyway, so there both
/// are one transaction, one commit.
pub fn insert_counted(
    conn: &mut DbConnection,
    counted: &[(String, i32)],
    window_ms: i64,
    token: &OneTimeTokenRecord,
    event: &AuditRecord,
    mail: Option<&OutboxRecord>,
) -> QueryResult<Verdict> {
    let count_then_insert = |conn: &mut DbConnection| {
        let verdict = rate_limits::hit_all(conn, counted, window_ms, token.created_at)?;
        if verdict == Verdict::Allowed {
            match mail {
                None => insert(conn, token, event)?,
                Some(mail) => insert_with_mail(conn, token, event, mail)?,
            }
        }
        Ok(verdict)
    };
    match conn {
        DbConnection::Postgres(_) => count_then_insert(conn),
        DbConnection::Sqlite(_) => conn.transaction(count_then_insert),
    }
}

pub fn find_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<OneTimeTokenRecord>> {
    ott::table.find(id).get_result(conn).optional()
}

pub fn find_by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<OneTimeTokenRecord>> {
    ott::table
        .filter(ott::token_hash.eq(token_hash))
        .get_result(conn)
        .optional()
}

/// Consumes the token if it is active, unexpired and issued for `email_lower`, and records
/// `event` (with the token's id) when it does; atomically either way.
pub fn consume(
    conn: &mut DbConnection,
    token_hash: &str,
    email_lower: &str,
    now: i64,
    event: &AuditRecord,
) -> QueryResult<Option<OneTimeTokenRecord>> {
    if let DbConnection::Postgres(pg) = conn {
        // One statement instead of a transaction of two: one round trip, one commit.
        return diesel::sql_query(
            "WITH won AS ( \
               UPDATE one_time_tokens SET status = $1, consumed_at = $2 \
               WHERE token_hash = $3 AND email_lower = $4 AND status = $5 AND expires_at > $2 \
               RETURNING *), \
             logged AS ( \
               INSERT INTO audit_log \
                 (id, event, token_id, application_id, client_ip, detail, created_at) \
               SELECT $6, $7, won.id, $8, $9, $10, $11 FROM won) \
             SELECT * FROM won",
        )
        .bind::<Text, _>(CONSUMED)
        .bind::<BigInt, _>(now)
        .bind::<Text, _>(token_hash)
        .bind::<Text, _>(email_lower)
        .bind::<Text, _>(ACTIVE)
        .bind::<Text, _>(&event.id)
        .bind::<Text, _>(&event.event)
        .bind::<Nullable<Text>, _>(&event.application_id)
        .bind::<Nullable<Text>, _>(&event.client_ip)
        .bind::<Nullable<Text>, _>(&event.detail)
        .bind::<BigInt, _>(event.created_at)
        .prepared()
        .get_result(pg)
        .optional();
    }
    conn.transaction(|conn| {
        let won = consume_only(conn, token_hash, email_lower, now)?;
        if let Some(won) = &won {
            audit::record(
                conn,
                &AuditRecord {
                    token_id: Some(won.id.clone()),
                    ..event.clone()
                },
            )?;
        }
        Ok(won)
    })
}

fn consume_only(
    conn: &mut DbConnection,
    token_hash: &str,
    email_lower: &str,
    now: i64,
) -> QueryResult<Option<OneTimeTokenRecord>> {
    diesel::update(
        ott::table.filter(
            ott::token_hash
                .eq(token_hash)
                .and(ott::email_lower.eq(email_lower))
                .and(ott::status.eq(ACTIVE))
                .and(ott::expires_at.gt(now)),
        ),
    )
    .set((ott::status.eq(CONSUMED), ott::consumed_at.eq(now)))
    .returning(ott::all_columns)
    .prepared()
    .get_result(conn)
    .optional()
}

/// Sets the stored status; the audit entry is written only when the token exists.
pub fn set_status(
    conn: &mut DbConnection,
    id: &str,
    status: TokenStatus,
    event: &AuditRecord,
) -> QueryResult<Option<OneTimeTokenRecord>> {
    conn.transaction(|conn| {
        let updated: Option<OneTimeTokenRecord> = diesel::update(ott::table.find(id))
            .set(ott::status.eq(status.as_str()))
            .returning(ott::all_columns)
            .get_result(conn)
            .optional()?;
        if updated.is_some() {
            audit::record(conn, event)?;
        }
        Ok(updated)
    })
}

pub fn delete(conn: &mut DbConnection, id: &str, event: &AuditRecord) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let deleted = diesel::delete(ott::table.find(id)).execute(conn)? == 1;
        if deleted {
            audit::record(conn, event)?;
        }
        Ok(deleted)
    })
}

#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub email_lower: Option<String>,
    /// With expiry taken into account.
    pub status: Option<TokenStatus>,
}

fn filtered(filter: &ListFilter, now: i64) -> ott::BoxedQuery<'static, MultiBackend> {
    let mut query = ott::table.into_boxed();
    if let Some(email) = &filter.email_lower {
        query = query.filter(ott::email_lower.eq(email.clone()));
    }
    match filter.status {
        Some(TokenStatus::Active) => {
            query = query.filter(ott::status.eq(ACTIVE).and(ott::expires_at.gt(now)))
        }
        Some(TokenStatus::Expired) => {
            query = query.filter(
                ott::status
                    .eq(EXPIRED)
                    .or(ott::status.eq(ACTIVE).and(ott::expires_at.le(now))),
            )
        }
        Some(other @ (TokenStatus::Consumed | TokenStatus::Revoked)) => {
            query = query.filter(ott::status.eq(other.as_str()))
        }
        None => {}
    }
    query
}

/// A page of tokens matching `filter`, newest first, and how many match in all.
pub fn list(
    conn: &mut DbConnection,
    filter: &ListFilter,
    offset: i64,
    limit: i64,
    now: i64,
) -> QueryResult<(Vec<OneTimeTokenRecord>, i64)> {
    let total = filtered(filter, now).count().get_result(conn)?;
    let rows = filtered(filter, now)
        .order((ott::created_at.desc(), ott::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}
