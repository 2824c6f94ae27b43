//! Clean-up: rows that can no longer be used (expired, finished, past their retention) are
//! deleted in small batches, each one short statement (PostgreSQL: found through an expiry
//! index; SQLite: within a window of rowids, see [`Statement::window_sql`]), so no lock is
//! held for long. What counts as "no longer used" is decided by [`Cutoffs`], computed from the
//! settings and "now" in `crate::cleanup`.

use std::time::{Duration, Instant};

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
    /// Outbox rows sent or given up on (settled) before this.
    pub mails_before: Option<i64>,
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
    SettledMails,
    HostedLinks,
    EmailCodes,
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

impl Statement {
    pub const ALL: [Statement; 13] = [
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
        Self::SettledMails,
        Self::HostedLinks,
        Self::EmailCodes,
    ];

    /// The table, its key, and the condition on its row `x` (with `$1` the cutoff).
    fn parts(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Interactions => ("interactions", "id_hash", "x.expires_at < $1"),
            Self::Sessions => ("sessions", "id", "x.expires_at < $1"),
            Self::AccessTokens => ("access_tokens", "token_hash", "x.expires_at < $1"),
            Self::AuthorizationCodes => (
                "authorization_codes",
                "code_hash",
                concat!(
                    "x.expires_at < $1 AND (x.consumed_at IS NULL OR ",
                    grant_is_over!(),
                    ")"
                ),
            ),
            Self::RefreshTokens => (
                "refresh_tokens",
                "token_hash",
                concat!("x.expires_at < $1 AND ", grant_is_over!()),
            ),
            // A grant with no token left cannot be used or replayed into: a replayed code finds
            // no row to revoke and no token either. No cutoff: its tokens' expiry decided.
            Self::Grants => (
                "grants",
                "id",
                "NOT EXISTS (SELECT 1 FROM refresh_tokens l WHERE l.grant_id = x.id) \
                 AND NOT EXISTS (SELECT 1 FROM access_tokens l WHERE l.grant_id = x.id)",
            ),
            Self::ExpiredOneTimeTokens => ("one_time_tokens", "id", "x.expires_at < $1"),
            Self::FinishedOneTimeTokens => (
                "one_time_tokens",
                "id",
                "x.created_at < $1 AND x.status <> 'active'",
            ),
            Self::RateLimits => ("rate_limits", "key", "x.window_start < $1"),
            Self::AuditLog => ("audit_log", "id", "x.created_at < $1"),
            // Pending and claimed mails have no `finished_at`: they stay until settled (at
            // most `mail_max_attempts` attempts).
            Self::SettledMails => ("outbox", "id", "x.finished_at < $1"),
            // Sending again renews `expires_at`; a spent request is dead once it expires too.
            Self::HostedLinks => ("hosted_links", "id", "x.expires_at < $1"),
            // Spent or not, a mailed code is of no use after its expiry.
            Self::EmailCodes => ("email_codes", "id", "x.expires_at < $1"),
        }
    }

    /// PostgreSQL: `DELETE` of at most [`BATCH_ROWS`] matching rows, found through the
    /// expiry indexes (`IN (SELECT .. LIMIT)`: PostgreSQL has no `DELETE .. LIMIT`).
    fn sql(self) -> String {
        let (table, key, filter) = self.parts();
        format!(
            "DELETE FROM {table} WHERE {key} IN (SELECT x.{key} FROM {table} x WHERE {filter} \
             LIMIT {BATCH_ROWS})"
        )
    }

    /// SQLite: `DELETE` of the matching rows among those with a rowid in `($1, $2]`, `$3` the
    /// cutoff. SQLite keeps no expiry indexes (each cost one more page written per insert to
    /// its single writer); rows are swept in rowid order, which is the order they were
    /// written in, so the oldest (the first to expire) come first.
    fn window_sql(self) -> String {
        let (table, _, filter) = self.parts();
        format!(
            "DELETE FROM {table} WHERE rowid IN (SELECT x.rowid FROM {table} x \
             WHERE x.rowid > $1 AND x.rowid <= $2 AND {})",
            filter.replace("$1", "$3")
        )
    }

    fn binding(self, cutoffs: &Cutoffs) -> Binding {
        let cutoff = match self {
            Self::Grants => return Binding::None,
            Self::Interactions
            | Self::Sessions
            | Self::AccessTokens
            | Self::AuthorizationCodes
            | Self::RefreshTokens
            | Self::HostedLinks
            | Self::EmailCodes => Some(cutoffs.expired_before),
            Self::ExpiredOneTimeTokens | Self::FinishedOneTimeTokens => {
                cutoffs.one_time_tokens_before
            }
            Self::RateLimits => Some(cutoffs.rate_limit_windows_before),
            Self::AuditLog => cutoffs.audit_before,
            Self::SettledMails => cutoffs.mails_before,
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
    pub outbox: usize,
    pub hosted_links: usize,
    pub email_codes: usize,
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
            Statement::SettledMails => &mut self.outbox,
            Statement::HostedLinks => &mut self.hosted_links,
            Statement::EmailCodes => &mut self.email_codes,
        };
        *count += rows;
    }

    /// Each table's count, under the table's name.
    pub fn by_table(&self) -> [(&'static str, usize); 12] {
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
            ("outbox", self.outbox),
            ("hosted_links", self.hosted_links),
            ("email_codes", self.email_codes),
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
            + self.outbox
            + self.hosted_links
            + self.email_codes
    }
}

/// What one batch did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Batch {
    pub deleted: usize,
    /// Where the next batch of the statement starts (SQLite: the last rowid looked at), or
    /// `None` when nothing is left to look at.
    pub next: Option<i64>,
}

/// Where the next batch of the same statement starts, if one should run: rows are left to look
/// at and the pass has batches left for it.
pub fn another_batch(batch: Batch, batches_run: usize) -> Option<i64> {
    batch.next.filter(|_| batches_run < MAX_BATCHES)
}

#[derive(QueryableByName)]
struct Last {
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    last: Option<i64>,
}

/// Deletes one batch of `statement`'s rows, from `from` on (SQLite; see [`Batch::next`]).
pub fn delete_batch(
    conn: &mut DbConnection,
    statement: Statement,
    cutoffs: &Cutoffs,
    from: i64,
) -> QueryResult<Batch> {
    let binding = statement.binding(cutoffs);
    if binding == Binding::Skipped {
        return Ok(Batch {
            deleted: 0,
            next: None,
        });
    }
    if let DbConnection::Postgres(_) = conn {
        let query = diesel::sql_query(statement.sql());
        let deleted = match binding {
            Binding::Cutoff(cutoff) => query.bind::<BigInt, _>(cutoff).execute(conn)?,
            _ => query.execute(conn)?,
        };
        // A short batch was the last.
        let next = (deleted >= BATCH_ROWS).then_some(0);
        return Ok(Batch { deleted, next });
    }
    let (table, _, _) = statement.parts();
    let window = format!(
        "SELECT max(rowid) AS last FROM \
         (SELECT rowid FROM {table} WHERE rowid > $1 ORDER BY rowid LIMIT {BATCH_ROWS})"
    );
    let Some(last) = diesel::sql_query(window)
        .bind::<BigInt, _>(from)
        .get_result::<Last>(conn)?
        .last
    else {
        return Ok(Batch {
            deleted: 0,
            next: None,
        });
    };
    let query = diesel::sql_query(statement.window_sql())
        .bind::<BigInt, _>(from)
        .bind::<BigInt, _>(last);
    let deleted = match binding {
        Binding::Cutoff(cutoff) => query.bind::<BigInt, _>(cutoff).execute(conn)?,
        _ => query.execute(conn)?,
    };
    Ok(Batch {
        deleted,
        next: Some(last),
    })
}

/// Every statement, batch after batch, on one connection (the command line; PostgreSQL
/// instances, whose other connections keep serving meanwhile). `pause` is called after each
/// batch with the time it took: the schedule waits there to spread a pass out.
pub fn delete_all(
    conn: &mut DbConnection,
    cutoffs: &Cutoffs,
    pause: &mut dyn FnMut(Duration),
) -> QueryResult<Removed> {
    let mut removed = Removed::default();
    for statement in Statement::ALL {
        let (mut from, mut batches) = (0, 0);
        loop {
            let started = Instant::now();
            let batch = delete_batch(conn, statement, cutoffs, from)?;
            pause(started.elapsed());
            batches += 1;
            removed.add(statement, batch.deleted);
            match another_batch(batch, batches) {
                Some(next) => from = next,
                None => break,
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

/// A whole pass on one connection, one instance at a time (see [`with_cleanup_lock`]), with
/// `pause` after each batch (see [`delete_all`]).
pub fn run_pass(
    conn: &mut DbConnection,
    cutoffs: &Cutoffs,
    mut pause: impl FnMut(Duration),
) -> QueryResult<Option<Removed>> {
    with_cleanup_lock(conn, |conn| delete_all(conn, cutoffs, &mut pause))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_continue_while_rows_are_left_and_within_the_bound() {
        let left = |next| Batch { deleted: 0, next };
        assert_eq!(another_batch(left(Some(7)), 1), Some(7));
        assert_eq!(
            another_batch(left(None), 1),
            None,
            "nothing left to look at"
        );
        assert_eq!(
            another_batch(left(Some(7)), MAX_BATCHES),
            None,
            "bounded per pass"
        );
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
        assert_eq!(
            Statement::Sessions.window_sql(),
            "DELETE FROM sessions WHERE rowid IN (SELECT x.rowid FROM sessions x \
             WHERE x.rowid > $1 AND x.rowid <= $2 AND x.expires_at < $3)"
        );
        assert!(!Statement::Grants.window_sql().contains("$3"), "no cutoff");
    }

    #[test]
    fn counts_add_up_per_table() {
        let mut removed = Removed::default();
        removed.add(Statement::ExpiredOneTimeTokens, 3);
        removed.add(Statement::FinishedOneTimeTokens, 2);
        removed.add(Statement::AuditLog, 1);
        removed.add(Statement::SettledMails, 4);
        assert_eq!(removed.one_time_tokens, 5);
        assert_eq!(removed.outbox, 4);
        assert_eq!(removed.total(), 10);
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
            mails_before: None,
        };
        let bound = |s: Statement| s.binding(&cutoffs);
        assert_eq!(bound(Statement::FinishedOneTimeTokens), Binding::Skipped);
        assert_eq!(bound(Statement::RefreshTokens), Binding::Cutoff(10));
        assert_eq!(bound(Statement::RateLimits), Binding::Cutoff(5));
        assert_eq!(bound(Statement::AuditLog), Binding::Cutoff(1));
        assert_eq!(bound(Statement::SettledMails), Binding::Skipped);
        assert_eq!(bound(Statement::Grants), Binding::None);
        assert!(!Statement::Grants.sql().contains("$1"), "binds nothing");
    }
}
