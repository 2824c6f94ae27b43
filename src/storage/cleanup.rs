//! Clean-up: rows that can no longer be used (expired, finished, past their retention) are
//! deleted in small batches, each one short statement found through an index, so no lock is
//! held for long. What counts as "no longer used" is decided by [`Cutoffs`], computed from the
//! settings and "now" in `crate::cleanup`.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde::Serialize;

use super::DbConnection;

/// Rows deleted by one statement.
pub const BATCH_ROWS: usize = 1000;
/// Statements per kind of row in one pass: a pass removes at most this many batches of each,
/// and the next pass carries on.
pub const MAX_BATCHES: usize = 100;

/// Instants (epoch ms) before which rows go; `None` keeps them forever.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cutoffs {
    /// Interactions, sessions, codes and tokens that expired before this. Consumed codes and
    /// refresh tokens stay while a token of their grant is live (reuse detection needs them).
    pub expired_before: i64,
    /// One-time tokens that expired, or were consumed or revoked and created, before this.
    pub one_time_tokens_before: Option<i64>,
    /// Rate-limit windows opened before this (closed for every limit).
    pub rate_limit_windows_before: i64,
    /// Audit entries written before this.
    pub audit_before: Option<i64>,
}

/// One delete statement of the clean-up; each names the table its rows are counted under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statement {
    Interactions,
    Sessions,
    AuthorizationCodes,
    AccessTokens,
    RefreshTokens,
    Grants,
    ExpiredOneTimeTokens,
    FinishedOneTimeTokens,
    RateLimits,
    AuditLog,
}

/// "No token of the grant of row `x` is live at `$1`": the grant can no longer be used, so
/// its consumed code and rotated-out refresh tokens are no longer needed to detect a replay.
/// Both lookups go through the `*_grant` indexes.
macro_rules! grant_is_over {
    () => {
        "NOT EXISTS (SELECT 1 FROM refresh_tokens l WHERE l.grant_id = x.grant_id \
           AND l.expires_at >= $1 AND l.revoked_at IS NULL) \
         AND NOT EXISTS (SELECT 1 FROM access_tokens l WHERE l.grant_id = x.grant_id \
           AND l.expires_at >= $1 AND l.revoked_at IS NULL)"
    };
}

/// `DELETE` of at most [`BATCH_ROWS`] rows of `$table` (key `$key`) that match `$filter` on
/// `x`, with `$1` the cutoff. Written once for both backends (SQLite reads `$1` as a named
/// parameter); `IN (SELECT .. LIMIT)` because PostgreSQL has no `DELETE .. LIMIT`.
macro_rules! batch {
    ($table:literal, $key:literal, $filter:expr) => {
        concat!(
            "DELETE FROM ",
            $table,
            " WHERE ",
            $key,
            " IN (SELECT x.",
            $key,
            " FROM ",
            $table,
            " x WHERE ",
            $filter,
            " LIMIT 1000)"
        )
    };
}

impl Statement {
    pub const ALL: [Statement; 10] = [
        Self::Interactions,
        Self::Sessions,
        Self::AccessTokens,
        Self::AuthorizationCodes,
        Self::RefreshTokens,
        Self::Grants,
        Self::ExpiredOneTimeTokens,
        Self::FinishedOneTimeTokens,
        Self::RateLimits,
        Self::AuditLog,
    ];

    fn sql(self) -> &'static str {
        match self {
            Self::Interactions => batch!("interactions", "id_hash", "x.expires_at < $1"),
            Self::Sessions => batch!("sessions", "id", "x.expires_at < $1"),
            Self::AccessTokens => batch!("access_tokens", "token_hash", "x.expires_at < $1"),
            Self::AuthorizationCodes => batch!(
                "authorization_codes",
                "code_hash",
                concat!(
                    "x.expires_at < $1 AND (x.consumed_at IS NULL OR ",
                    grant_is_over!(),
                    ")"
                )
            ),
            Self::RefreshTokens => batch!(
                "refresh_tokens",
                "token_hash",
                concat!("x.expires_at < $1 AND ", grant_is_over!())
            ),
            // A grant with no token left cannot be used or replayed into: a replayed code finds
            // no row to revoke and no token either. No cutoff: its tokens' expiry decided.
            Self::Grants => batch!(
                "grants",
                "id",
                "NOT EXISTS (SELECT 1 FROM refresh_tokens l WHERE l.grant_id = x.id) \
                 AND NOT EXISTS (SELECT 1 FROM access_tokens l WHERE l.grant_id = x.id)"
            ),
            Self::ExpiredOneTimeTokens => batch!("one_time_tokens", "id", "x.expires_at < $1"),
            Self::FinishedOneTimeTokens => batch!(
                "one_time_tokens",
                "id",
                "x.created_at < $1 AND x.status <> 'active'"
            ),
            Self::RateLimits => batch!("rate_limits", "key", "x.window_start < $1"),
            Self::AuditLog => batch!("audit_log", "id", "x.created_at < $1"),
        }
    }

    fn binding(self, cutoffs: &Cutoffs) -> Binding {
        let cutoff = match self {
            Self::Grants => return Binding::None,
            Self::Interactions
            | Self::Sessions
            | Self::AccessTokens
            | Self::AuthorizationCodes
            | Self::RefreshTokens => Some(cutoffs.expired_before),
            Self::ExpiredOneTimeTokens | Self::FinishedOneTimeTokens => {
                cutoffs.one_time_tokens_before
            }
            Self::RateLimits => Some(cutoffs.rate_limit_windows_before),
            Self::AuditLog => cutoffs.audit_before,
        };
        cutoff.map_or(Binding::Skipped, Binding::Cutoff)
    }
}

/// What a statement runs with in a pass.
#[derive(Debug, PartialEq, Eq)]
enum Binding {
    /// `$1`, the instant before which its rows go.
    Cutoff(i64),
    /// Nothing: its condition needs no instant.
    None,
    /// Not run: its rows are kept forever (a retention of `None`).
    Skipped,
}

/// Rows deleted per table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Removed {
    pub interactions: usize,
    pub sessions: usize,
    pub authorization_codes: usize,
    pub access_tokens: usize,
    pub refresh_tokens: usize,
    pub grants: usize,
    pub one_time_tokens: usize,
    pub rate_limits: usize,
    pub audit_log: usize,
}

impl Removed {
    pub fn add(&mut self, statement: Statement, rows: usize) {
        let count = match statement {
            Statement::Interactions => &mut self.interactions,
            Statement::Sessions => &mut self.sessions,
            Statement::AuthorizationCodes => &mut self.authorization_codes,
            Statement::AccessTokens => &mut self.access_tokens,
            Statement::RefreshTokens => &mut self.refresh_tokens,
            Statement::Grants => &mut self.grants,
            Statement::ExpiredOneTimeTokens | Statement::FinishedOneTimeTokens => {
                &mut self.one_time_tokens
            }
            Statement::RateLimits => &mut self.rate_limits,
            Statement::AuditLog => &mut self.audit_log,
        };
        *count += rows;
    }

    /// Each table's count, under the table's name.
    pub fn by_table(&self) -> [(&'static str, usize); 9] {
        [
            ("interactions", self.interactions),
            ("sessions", self.sessions),
            ("authorization_codes", self.authorization_codes),
            ("access_tokens", self.access_tokens),
            ("refresh_tokens", self.refresh_tokens),
            ("grants", self.grants),
            ("one_time_tokens", self.one_time_tokens),
            ("rate_limits", self.rate_limits),
            ("audit_log", self.audit_log),
        ]
    }

    pub fn total(&self) -> usize {
        self.interactions
            + self.sessions
            + self.authorization_codes
            + self.access_tokens
            + self.refresh_tokens
            + self.grants
            + self.one_time_tokens
            + self.rate_limits
            + self.audit_log
    }
}

/// Whether another batch of the same statement should run: the last one was full (more rows
/// may match) and the pass has batches left for it.
pub fn another_batch(last_deleted: usize, batches_run: usize) -> bool {
    last_deleted >= BATCH_ROWS && batches_run < MAX_BATCHES
}

/// Deletes one batch of `statement`'s rows; returns how many went.
pub fn delete_batch(
    conn: &mut DbConnection,
    statement: Statement,
    cutoffs: &Cutoffs,
) -> QueryResult<usize> {
    match statement.binding(cutoffs) {
        Binding::Cutoff(cutoff) => diesel::sql_query(statement.sql())
            .bind::<BigInt, _>(cutoff)
            .execute(conn),
        Binding::None => diesel::sql_query(statement.sql()).execute(conn),
        Binding::Skipped => Ok(0),
    }
}

/// Every statement, batch after batch, on one connection (the command line; PostgreSQL
/// instances, whose other connections keep serving meanwhile).
pub fn delete_all(conn: &mut DbConnection, cutoffs: &Cutoffs) -> QueryResult<Removed> {
    let mut removed = Removed::default();
    for statement in Statement::ALL {
        let mut batches = 0;
        loop {
            let deleted = delete_batch(conn, statement, cutoffs)?;
            batches += 1;
            removed.add(statement, deleted);
            if !another_batch(deleted, batches) {
                break;
            }
        }
    }
    Ok(removed)
}

/// The PostgreSQL advisory lock that lets one instance at a time clean up.
pub const CLEANUP_LOCK: i64 = 0x5E5A_3E00_C1EA;

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

/// Runs `f` while holding the clean-up lock of this connection's session, or returns `None`
/// when another session holds it (another instance is cleaning up). SQLite is one process
/// writing at a time anyway: there `f` always runs.
pub fn with_cleanup_lock<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> QueryResult<T>,
) -> QueryResult<Option<T>> {
    if !matches!(conn, DbConnection::Postgres(_)) {
        return f(conn).map(Some);
    }
    let locked = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
        .bind::<BigInt, _>(CLEANUP_LOCK)
        .get_result::<Locked>(conn)?
        .locked;
    if !locked {
        return Ok(None);
    }
    let result = f(conn);
    // Released on every outcome; a connection that dies releases it too.
    let unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1) AS locked")
        .bind::<BigInt, _>(CLEANUP_LOCK)
        .get_result::<Locked>(conn);
    let value = result?;
    unlocked?;
    Ok(Some(value))
}

/// A whole pass on one connection, one instance at a time (see [`with_cleanup_lock`]).
pub fn run_pass(conn: &mut DbConnection, cutoffs: &Cutoffs) -> QueryResult<Option<Removed>> {
    with_cleanup_lock(conn, |conn| delete_all(conn, cutoffs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_continue_only_while_full_and_within_the_bound() {
        assert!(another_batch(BATCH_ROWS, 1));
        assert!(
            !another_batch(BATCH_ROWS - 1, 1),
            "a short batch was the last"
        );
        assert!(!another_batch(0, 1));
        assert!(!another_batch(BATCH_ROWS, MAX_BATCHES), "bounded per pass");
    }

    #[test]
    fn every_statement_deletes_a_bounded_batch_through_its_key() {
        for statement in Statement::ALL {
            let sql = statement.sql();
            assert!(sql.starts_with("DELETE FROM "), "{sql}");
            assert!(sql.ends_with(&format!("LIMIT {BATCH_ROWS})")), "{sql}");
        }
        assert_eq!(
            Statement::Sessions.sql(),
            "DELETE FROM sessions WHERE id IN (SELECT x.id FROM sessions x \
             WHERE x.expires_at < $1 LIMIT 1000)"
        );
    }

    #[test]
    fn counts_add_up_per_table() {
        let mut removed = Removed::default();
        removed.add(Statement::ExpiredOneTimeTokens, 3);
        removed.add(Statement::FinishedOneTimeTokens, 2);
        removed.add(Statement::AuditLog, 1);
        assert_eq!(removed.one_time_tokens, 5);
        assert_eq!(removed.total(), 6);
        // The metrics' table names are the ones `sesame cleanup` prints.
        let printed = serde_json::to_value(removed).expect("json");
        let printed = printed.as_object().expect("object");
        let mut named: Vec<_> = removed.by_table().iter().map(|(t, _)| *t).collect();
        named.sort_unstable();
        let mut keys: Vec<_> = printed.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(named, keys);
        for (table, rows) in removed.by_table() {
            assert_eq!(printed[table], rows, "{table}");
        }
    }

    #[test]
    fn a_kept_forever_kind_runs_no_statement() {
        let cutoffs = Cutoffs {
            expired_before: 10,
            one_time_tokens_before: None,
            rate_limit_windows_before: 5,
            audit_before: Some(1),
        };
        let bound = |s: Statement| s.binding(&cutoffs);
        assert_eq!(bound(Statement::FinishedOneTimeTokens), Binding::Skipped);
        assert_eq!(bound(Statement::RefreshTokens), Binding::Cutoff(10));
        assert_eq!(bound(Statement::RateLimits), Binding::Cutoff(5));
        assert_eq!(bound(Statement::AuditLog), Binding::Cutoff(1));
        assert_eq!(bound(Statement::Grants), Binding::None);
        assert!(!Statement::Grants.sql().contains("$1"), "binds nothing");
    }
}
