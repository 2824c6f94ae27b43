//! Database outages: which failures mean "the database cannot serve now" rather than "this
//! query is wrong", and the little state the pool keeps about them.
//!
//! Connections are not pinged on every checkout (that is a round trip per request). Instead a
//! failure is classified once: a lost connection is discarded and bumps the outage epoch, and
//! every other connection is checked (`SELECT 1`) once before its next use after that, so a
//! restart of the database costs one check per connection, not one per request.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use diesel::result::{DatabaseErrorKind, Error};

/// What a failed query says about the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The query's own error (a constraint, no row, bad data): the connection is fine.
    Query,
    /// The connection is gone (server stopped or restarted, network cut, file unreadable):
    /// discard it; the database is unavailable until a new connection works.
    ConnectionLost,
    /// The database is there but cannot serve this now (SQLite locked by another process,
    /// PostgreSQL read-only after a fail-over, a serialization conflict): try again later.
    Busy,
    /// Nothing in the error says which: a `SELECT 1` on the connection decides.
    Unknown,
}

/// Classifies a failed query by its error alone (see [`Failure`]).
pub fn classify(error: &Error, sqlite: bool) -> Failure {
    let Error::DatabaseError(kind, info) = error else {
        return match error {
            Error::BrokenTransactionManager => Failure::ConnectionLost,
            _ => Failure::Query,
        };
    };
    match kind {
        DatabaseErrorKind::ClosedConnection => Failure::ConnectionLost,
        DatabaseErrorKind::UnableToSendCommand if !sqlite => Failure::ConnectionLost,
        DatabaseErrorKind::ReadOnlyTransaction | DatabaseErrorKind::SerializationFailure => {
            Failure::Busy
        }
        DatabaseErrorKind::Unknown if sqlite => sqlite_failure(info.message()),
        DatabaseErrorKind::Unknown => Failure::Unknown,
        _ => Failure::Query,
    }
}

/// SQLite names its result codes only in the message (`sqlite3_errmsg`).
fn sqlite_failure(message: &str) -> Failure {
    const BUSY: [&str; 2] = ["database is locked", "database table is locked"];
    const LOST: [&str; 5] = [
        "unable to open database file",
        "disk I/O error",
        "file is not a database",
        "database disk image is malformed",
        "attempt to write a readonly database",
    ];
    if BUSY.iter().any(|m| message.starts_with(m)) {
        Failure::Busy
    } else if LOST.iter().any(|m| message.starts_with(m)) {
        Failure::ConnectionLost
    } else {
        Failure::Query
    }
}

/// What the pool knows about the database, shared by its connections and database threads.
#[derive(Debug, Default)]
pub struct Health {
    /// Bumped each time a lost connection is seen; a connection last checked in an earlier
    /// epoch is checked again before use.
    epoch: AtomicU64,
    /// The last connection attempt failed or a connection was lost, and nothing has worked
    /// since: do not wait for the pool, answer "unavailable" at once.
    down: AtomicBool,
}

impl Health {
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    /// A connection was lost: every other one is suspect.
    pub fn lost(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.down.store(true, Ordering::Relaxed);
    }

    /// A connection could not be made.
    pub fn unreachable(&self) {
        self.down.store(true, Ordering::Relaxed);
    }

    /// Something worked (a read first: this runs on every query).
    pub fn up(&self) {
        if self.is_down() {
            self.down.store(false, Ordering::Relaxed);
            tracing::info!("the database answers again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Message(&'static str);

    impl diesel::result::DatabaseErrorInformation for Message {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn db(kind: DatabaseErrorKind, message: &'static str) -> Error {
        Error::DatabaseError(kind, Box::new(Message(message)))
    }

    #[test]
    fn failures_are_classified_by_backend() {
        use DatabaseErrorKind as K;
        let rows = [
            (Error::NotFound, false, Failure::Query),
            (Error::NotFound, true, Failure::Query),
            (Error::RollbackTransaction, false, Failure::Query),
            (
                Error::BrokenTransactionManager,
                false,
                Failure::ConnectionLost,
            ),
            (db(K::UniqueViolation, "dup"), false, Failure::Query),
            (db(K::UniqueViolation, "dup"), true, Failure::Query),
            (db(K::ForeignKeyViolation, "fk"), false, Failure::Query),
            (
                db(K::ClosedConnection, "server closed the connection"),
                false,
                Failure::ConnectionLost,
            ),
            (
                db(K::UnableToSendCommand, "no connection to the server"),
                false,
                Failure::ConnectionLost,
            ),
            (
                db(K::ReadOnlyTransaction, "read-only"),
                false,
                Failure::Busy,
            ),
            (
                db(K::SerializationFailure, "conflict"),
                false,
                Failure::Busy,
            ),
            (
                db(K::Unknown, "terminating connection"),
                false,
                Failure::Unknown,
            ),
            (db(K::Unknown, "database is locked"), true, Failure::Busy),
            (
                db(K::Unknown, "unable to open database file"),
                true,
                Failure::ConnectionLost,
            ),
            (
                db(K::Unknown, "disk I/O error"),
                true,
                Failure::ConnectionLost,
            ),
            (db(K::Unknown, "no such table: users"), true, Failure::Query),
            (db(K::UnableToSendCommand, "function"), true, Failure::Query),
        ];
        for (error, sqlite, expected) in rows {
            assert_eq!(
                classify(&error, sqlite),
                expected,
                "{error:?} sqlite={sqlite}"
            );
        }
    }

    #[test]
    fn a_lost_connection_opens_a_new_epoch_until_something_works() {
        let health = Health::default();
        assert!(!health.is_down());
        let before = health.epoch();
        health.lost();
        assert!(health.is_down());
        assert_eq!(health.epoch(), before + 1);
        health.up();
        assert!(!health.is_down());
        health.unreachable();
        assert!(health.is_down());
        assert_eq!(
            health.epoch(),
            before + 1,
            "a failed connect is not a lost one"
        );
    }
}
