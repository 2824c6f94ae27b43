//! Storage: the pool, the schema and the queries, named by intent. Every query runs on a
//! blocking-pool thread through [`Storage::run`], never on the async executor.

pub mod applications;
pub mod audit;
pub mod grants;
pub mod interactions;
pub mod keys;
pub mod memberships;
pub mod mfa;
pub mod one_time_tokens;
pub mod organizations;
pub mod pool;
pub mod rate_limits;
pub mod schema;
pub mod sessions;
pub mod sign_in_experience;
pub mod users;

pub use pool::{DatabaseUrl, DbConnection, Pool};

use actix_web::web;
use tracing::Instrument;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("blocking pool is gone")]
    Canceled,
}

impl StorageError {
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            Self::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}

/// The shared handle to the database.
#[derive(Clone)]
pub struct Storage {
    pool: Pool,
    backend: DatabaseUrl,
}

impl Storage {
    pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<Self, r2d2::Error> {
        Ok(Self {
            pool: pool::build_pool(url, max_size)?,
            backend: url.clone(),
        })
    }

    pub fn backend(&self) -> &DatabaseUrl {
        &self.backend
    }

    /// Runs `f` with a pooled connection on the blocking thread pool, keeping the caller's span.
    pub async fn run<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, diesel::result::Error> + Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        web::block(move || {
            let _entered = span.enter();
            let mut conn = pool.get()?;
            f(&mut conn).map_err(StorageError::from)
        })
        .instrument(tracing::Span::current())
        .await
        .map_err(|_| StorageError::Canceled)?
    }

    /// The same, for callers outside a request (command line, start-up).
    pub fn run_blocking<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, diesel::result::Error>,
    ) -> Result<T, StorageError> {
        let mut conn = self.pool.get()?;
        Ok(f(&mut conn)?)
    }

    pub fn migrate(&self) -> Result<usize, pool::MigrationError> {
        let mut conn = self.pool.get()?;
        pool::run_migrations(&mut conn)
    }
}
