//! Fixed-window counters in the database, so every instance sharing it sees the same counts.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::rate_limits;

/// The outcome of counting one more event against a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Over the limit; the window reopens after this many milliseconds.
    Limited {
        retry_after_ms: i64,
    },
}

/// Counts one event for `key` and says whether it is within `limit` per `window_ms`.
/// The increment is one conditional UPDATE, so concurrent callers never lose a count.
pub fn hit(
    conn: &mut DbConnection,
    key: &str,
    limit: i32,
    window_ms: i64,
    now: i64,
) -> QueryResult<Verdict> {
    let window_open_after = now - window_ms;
    for _ in 0..3 {
        let counted: Option<(i32, i64)> = diesel::update(
            rate_limits::table.filter(
                rate_limits::key
                    .eq(key)
                    .and(rate_limits::window_start.gt(window_open_after)),
            ),
        )
        .set(rate_limits::count.eq(rate_limits::count + 1))
        .returning((rate_limits::count, rate_limits::window_start))
        .get_result(conn)
        .optional()?;
        if let Some((count, window_start)) = counted {
            return Ok(if count <= limit {
                Verdict::Allowed
            } else {
                Verdict::Limited {
                    retry_after_ms: (window_start + window_ms - now).max(1),
                }
            });
        }
        // No open window: replace a stale one (if any) by a fresh window counting this event.
        diesel::delete(
            rate_limits::table.filter(
                rate_limits::key
                    .eq(key)
                    .and(rate_limits::window_start.le(window_open_after)),
            ),
        )
        .execute(conn)?;
        // Inside a savepoint, so that losing the race does not abort an enclosing transaction.
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(rate_limits::table)
                .values((
                    rate_limits::key.eq(key),
                    rate_limits::count.eq(1),
                    rate_limits::window_start.eq(now),
                ))
                .execute(conn)
        });
        match inserted {
            Ok(_) => {
                return Ok(if limit >= 1 {
                    Verdict::Allowed
                } else {
                    Verdict::Limited {
                        retry_after_ms: window_ms,
                    }
                });
            }
            // Another instance opened the window first: count against it.
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(diesel::result::Error::RollbackTransaction)
}

/// Counts one event against each `(key, limit)` in turn, stopping at the first limit reached,
/// in one transaction. On PostgreSQL the commit does not wait for the WAL flush
/// (`synchronous_commit` off for this transaction only): a counter lost in a crash costs
/// nothing, and the hot counter row is released at once.
pub fn hit_all(
    conn: &mut DbConnection,
    counted: &[(String, i32)],
    window_ms: i64,
    now: i64,
) -> QueryResult<Verdict> {
    conn.transaction(|conn| {
        if let DbConnection::Postgres(pg) = conn {
            diesel::connection::SimpleConnection::batch_execute(
                pg,
                "SET LOCAL synchronous_commit TO OFF",
            )?;
        }
        for (key, limit) in counted {
            let verdict = hit(conn, key, *limit, window_ms, now)?;
            if verdict != Verdict::Allowed {
                return Ok(verdict);
            }
        }
        Ok(Verdict::Allowed)
    })
}

/// Whether `key` is already over `limit` in its current window, without counting.
pub fn check(
    conn: &mut DbConnection,
    key: &str,
    limit: i32,
    window_ms: i64,
    now: i64,
) -> QueryResult<Verdict> {
    let current: Option<(i32, i64)> = rate_limits::table
        .filter(
            rate_limits::key
                .eq(key)
                .and(rate_limits::window_start.gt(now - window_ms)),
        )
        .select((rate_limits::count, rate_limits::window_start))
        .first(conn)
        .optional()?;
    Ok(match current {
        Some((count, start)) if count >= limit => Verdict::Limited {
            retry_after_ms: (start + window_ms - now).max(1),
        },
        _ => Verdict::Allowed,
    })
}

pub fn reset(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(rate_limits::table.find(key))
        .execute(conn)
        .map(drop)
}
