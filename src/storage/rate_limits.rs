//! Fixed-window counters in the database, so every instance sharing it sees the same counts.

use std::net::IpAddr;

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Text};

use super::DbConnection;
use super::schema::rate_limits;
use super::statement::Prepare;

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
/// The increment is one atomic statement, so concurrent callers never lose a count.
pub fn hit(
    conn: &mut DbConnection,
    key: &str,
    limit: i32,
    window_ms: i64,
    now: i64,
) -> QueryResult<Verdict> {
    if let DbConnection::Postgres(pg) = conn {
        let counted = [(key.to_owned(), limit)];
        let rows = upsert_pg(pg, &counted, window_ms, now, Commit::Durable)?;
        return Ok(verdict(&counted, &rows, window_ms, now));
    }
    let row: Counter = diesel::sql_query(
        "INSERT INTO rate_limits (key, count, window_start) VALUES (?1, 1, ?2) \
         ON CONFLICT (key) DO UPDATE SET \
           count = CASE WHEN rate_limits.window_start > ?3 \
             THEN rate_limits.count + 1 ELSE 1 END, \
           window_start = CASE WHEN rate_limits.window_start > ?3 \
             THEN rate_limits.window_start ELSE ?2 END \
         RETURNING key, count, window_start",
    )
    .bind::<Text, _>(key)
    .bind::<BigInt, _>(now)
    .bind::<BigInt, _>(now - window_ms)
    .prepared()
    .get_result(conn)?;
    let counted = [(key.to_owned(), limit)];
    Ok(verdict(&counted, &[row], window_ms, now))
}

/// Counts one event against each `(key, limit)` and returns the first limit reached, all or
/// nothing. On PostgreSQL that is one statement for all the keys, whose commit does not wait
/// for the WAL flush: a counter lost in a crash costs nothing, and the hot counter row of an
/// application is released at once instead of after a disk write.
pub fn hit_all(
    conn: &mut DbConnection,
    counted: &[(String, i32)],
    window_ms: i64,
    now: i64,
) -> QueryResult<Verdict> {
    if let DbConnection::Postgres(pg) = conn {
        let rows = upsert_pg(pg, counted, window_ms, now, Commit::NoFlushWait)?;
        return Ok(verdict(counted, &rows, window_ms, now));
    }
    conn.transaction(|conn| {
        let mut first_limit = Verdict::Allowed;
        for (key, limit) in counted {
            let verdict = hit(conn, key, *limit, window_ms, now)?;
            if first_limit == Verdict::Allowed {
                first_limit = verdict;
            }
        }
        Ok(first_limit)
    })
}

#[derive(QueryableByName)]
struct Counter {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Integer)]
    count: i32,
    #[diesel(sql_type = BigInt)]
    window_start: i64,
}

enum Commit {
    /// As every other write.
    Durable,
    /// `synchronous_commit` off for this statement's own transaction (`set_config(.., true)`
    /// is `SET LOCAL`), so only for a statement that runs alone, outside any transaction.
    NoFlushWait,
}

/// Counts one event for every key in one statement, `$1` the keys, `$2` now, `$3` the instant
/// a window must have opened after to still count; a closed window is replaced by a fresh one.
macro_rules! upsert_sql {
    ($with:literal, $from:literal) => {
        concat!(
            $with,
            "INSERT INTO rate_limits (key, count, window_start) \
             SELECT k, 1, $2 FROM unnest($1::text[]) AS k",
            $from,
            " ORDER BY k \
             ON CONFLICT (key) DO UPDATE SET \
               count = CASE WHEN rate_limits.window_start > $3 \
                 THEN rate_limits.count + 1 ELSE 1 END, \
               window_start = CASE WHEN rate_limits.window_start > $3 \
                 THEN rate_limits.window_start ELSE $2 END \
             RETURNING key, count, window_start"
        )
    };
}

/// PostgreSQL: one round trip for all the keys. Rows are locked in key order, so two callers
/// counting overlapping keys never deadlock.
fn upsert_pg(
    pg: &mut PgConnection,
    counted: &[(String, i32)],
    window_ms: i64,
    now: i64,
    commit: Commit,
) -> QueryResult<Vec<Counter>> {
    let mut keys: Vec<&str> = counted.iter().map(|(key, _)| key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    let sql = match commit {
        Commit::Durable => upsert_sql!("", ""),
        Commit::NoFlushWait => upsert_sql!(
            "WITH no_flush_wait AS (SELECT set_config('synchronous_commit', 'off', true)) ",
            ", no_flush_wait"
        ),
    };
    diesel::sql_query(sql)
        .bind::<Array<Text>, _>(keys)
        .bind::<BigInt, _>(now)
        .bind::<BigInt, _>(now - window_ms)
        .prepared()
        .load(pg)
}

/// The first of `counted` (in order) whose counter went over its limit.
fn verdict(counted: &[(String, i32)], rows: &[Counter], window_ms: i64, now: i64) -> Verdict {
    counted
        .iter()
        .find_map(|(key, limit)| {
            let row = rows.iter().find(|row| &row.key == key)?;
            (row.count > *limit).then(|| Verdict::Limited {
                retry_after_ms: (row.window_start + window_ms - now).max(1),
            })
        })
        .unwrap_or(Verdict::Allowed)
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
        .get_result(conn)
        .optional()?;
    Ok(match current {
        Some((count, start)) if count >= limit => Verdict::Limited {
            retry_after_ms: (start + window_ms - now).max(1),
        },
        _ => Verdict::Allowed,
    })
}

/// Takes one event back from each of `keys` (never below zero), for an attempt counted up front
/// that turned out not to be what the limit is about: a sign-in that succeeded, or work the
/// server was too busy to do.
pub fn refund(conn: &mut DbConnection, keys: &[String]) -> QueryResult<()> {
    diesel::update(
        rate_limits::table.filter(rate_limits::key.eq_any(keys).and(rate_limits::count.gt(0))),
    )
    .set(rate_limits::count.eq(rate_limits::count - 1))
    .execute(conn)
    .map(drop)
}

/// The part of a key that names a client address: an IPv4 address whole, an IPv6 address by
/// its /64 (what one subscriber is given, so a fresh address costs nothing), `unknown` when the
/// request came with none.
pub fn address(ip: Option<IpAddr>) -> String {
    match ip {
        Some(IpAddr::V6(v6)) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
        Some(v4) => v4.to_string(),
        None => "unknown".into(),
    }
}

pub fn reset(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(rate_limits::table.find(key))
        .execute(conn)
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_keys_by_what_one_client_holds() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().expect("ip"));
        assert_eq!(address(ip("203.0.113.7")), "203.0.113.7");
        assert_eq!(address(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            address(ip("2001:db8:1:2:bbbb:cccc:dddd:eeee")),
            address(ip("2001:db8:1:2::9")),
            "one /64, one counter"
        );
        assert_eq!(address(None), "unknown");
    }
}
