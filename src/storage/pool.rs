//! Connections: one enum over SQLite and PostgreSQL, pooled by r2d2, migrated at start.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::sync::Arc;
use std::time::Duration;

use super::outage::Health;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection type for both backends, so every query is written once.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type Pooled = r2d2::PooledConnection<ConnectionManager>;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

/// Which backend a database URL names: `postgres://` / `postgresql://` or else a SQLite file
/// (`sqlite://path`, `sqlite:path` or a bare path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Self::Postgres(url.to_owned());
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        Self::Sqlite(path.to_owned())
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Self::Sqlite(_))
    }
}

/// A pooled connection and what the pool knows about it.
pub struct Held {
    pub conn: DbConnection,
    /// Lost (see `outage`): r2d2 discards it when it comes back instead of handing it out.
    pub broken: bool,
    /// The outage epoch in which it last worked.
    pub checked: u64,
}

/// Picks the backend itself rather than through `MultiConnection::establish`, which hides
/// libpq's real error message behind "invalid connection url".
#[derive(Clone, Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    /// How long a connection attempt (PostgreSQL) or a lock (SQLite) may take.
    timeout: Duration,
    health: Arc<Health>,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl, timeout: Duration, health: Arc<Health>) -> Self {
        Self {
            url,
            timeout,
            health,
        }
    }

    fn establish(&self) -> Result<DbConnection, ConnectError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => Ok(DbConnection::Postgres(PgConnection::establish(
                &with_connect_timeout(url, self.timeout),
            )?)),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // WAL lets readers run beside the single writer. busy_timeout: a file locked by
                // another process is waited for as long as a request waits for the database,
                // then the request is answered 503 (see `outage`).
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                    self.timeout.as_millis()
                ))?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// libpq's `connect_timeout` (whole seconds, at least 2), unless the URL sets its own: an
/// unreachable host must not hold a connection attempt for the TCP timeout (minutes).
fn with_connect_timeout(url: &str, timeout: Duration) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let secs = timeout.as_millis().div_ceil(1000).max(2);
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={secs}")
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Held;
    type Error = ConnectError;

    fn connect(&self) -> Result<Held, ConnectError> {
        match self.establish() {
            Ok(conn) => {
                self.health.up();
                Ok(Held {
                    conn,
                    broken: false,
                    checked: self.health.epoch(),
                })
            }
            Err(e) => {
                // r2d2 retries every 0.2 s to `timeout / 2`: one warning per outage.
                if self.health.is_down() {
                    tracing::debug!(error = %e, "cannot connect to the database");
                } else {
                    tracing::warn!(error = %e, "cannot connect to the database");
                }
                self.health.unreachable();
                Err(e)
            }
        }
    }

    fn is_valid(&self, held: &mut Held) -> Result<(), ConnectError> {
        Ok(held.conn.batch_execute("SELECT 1")?)
    }

    fn has_broken(&self, held: &mut Held) -> bool {
        // A job that panicked may have left it mid-transaction.
        held.broken || std::thread::panicking()
    }
}

pub fn build_pool(
    url: &DatabaseUrl,
    max_size: u32,
    timeout: Duration,
    health: Arc<Health>,
) -> Result<Pool, r2d2::Error> {
    r2d2::Pool::builder()
        .max_size(max_size)
        // No `SELECT 1` round trip on every checkout: a lost connection shows as a query error,
        // is discarded and makes the others suspect (see `outage`).
        .test_on_check_out(false)
        // Also the retry interval of reconnection: at most half of it.
        .connection_timeout(timeout)
        // Logged in `connect`, once per outage rather than once per retry.
        .error_handler(Box::new(r2d2::NopErrorHandler))
        .build(ConnectionManager::new(url.clone(), timeout, health))
}

pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies the embedded migrations of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, MigrationError> {
    let applied = match conn {
        DbConnection::Postgres(pg) => pg.run_pending_migrations(POSTGRES_MIGRATIONS)?.len(),
        DbConnection::Sqlite(lite) => lite.run_pending_migrations(SQLITE_MIGRATIONS)?.len(),
    };
    Ok(applied)
}
