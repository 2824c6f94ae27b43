//! Storage: the pool, the schema and the queries, named by intent. Every query runs on a
//! database thread through [`Storage::run`], never on the async executor.

pub mod applications;
pub mod audit;
pub mod cleanup;
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
pub mod statement;
pub mod users;

pub use pool::{DatabaseUrl, DbConnection, Pool};

use std::sync::{Arc, Mutex, mpsc};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("blocking pool is gone")]
    Canceled,
}

/// Stored data that cannot be read (a truncated row, a value written by another version): an
/// error, never a default in its place. `cause` says what is wrong, never what is stored.
#[derive(Debug, thiserror::Error)]
#[error("the stored {what} cannot be read: {cause}")]
pub struct Unreadable {
    pub what: &'static str,
    pub cause: String,
}

impl From<Unreadable> for diesel::result::Error {
    fn from(e: Unreadable) -> Self {
        Self::DeserializationError(Box::new(e))
    }
}

impl StorageError {
    /// Whether stored data could not be read ([`Unreadable`], or a column diesel could not
    /// decode): the request must stop, not go on with a default.
    pub fn is_unreadable(&self) -> bool {
        matches!(
            self,
            Self::Query(diesel::result::Error::DeserializationError(_))
        )
    }

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

type Job = Box<dyn FnOnce(&Pool) + Send>;

/// The shared handle to the database. Queries run on a fixed set of database threads (one per
/// connection), never on the async executor: a bounded number of threads, no per-query thread
/// hand-off through a general blocking pool, and on SQLite a single writer in-process instead of
/// writers sleeping on each other's locks. The threads take jobs from one queue, so under load
/// a thread that has just finished picks up the next job without going to sleep.
#[derive(Clone)]
pub struct Storage {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    backend: DatabaseUrl,
    jobs: mpsc::Sender<Job>,
}

impl Storage {
    /// Opens the database with `max_size` connections (SQLite: one, see above).
    pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<Self, r2d2::Error> {
        let size = if url.is_sqlite() { 1 } else { max_size.max(1) };
        let pool = pool::build_pool(url, size)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..size {
            let (pool, queue) = (pool.clone(), queue.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("sesame-db-{i}"))
                .spawn(move || {
                    // Ends when the last `Storage` handle is dropped. Only idle threads wait
                    // on the lock; a job is taken and the lock released before it runs.
                    loop {
                        let next = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match next {
                            Ok(job) => job(&pool),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a database thread");
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                backend: url.clone(),
                jobs,
            }),
        })
    }

    pub fn backend(&self) -> &DatabaseUrl {
        &self.inner.backend
    }

    /// Runs `f` with a connection on a database thread, keeping the caller's span.
    pub async fn run<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, diesel::result::Error> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let span = tracing::Span::current();
        let job: Job = Box::new(move |pool: &Pool| {
            let _entered = span.enter();
            let result = pool
                .get()
                .map_err(StorageError::from)
                .and_then(|mut conn| f(&mut conn).map_err(StorageError::from));
            let _ = tx.send(result);
        });
        self.inner
            .jobs
            .send(job)
            .map_err(|_| StorageError::Canceled)?;
        rx.await.map_err(|_| StorageError::Canceled)?
    }

    /// Runs `f` in one database transaction (one commit: all or nothing).
    pub async fn run_in_transaction<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, diesel::result::Error> + Send + 'static,
    {
        use diesel::Connection;
        self.run(move |conn| conn.transaction(f)).await
    }

    /// The same, for callers outside a request (command line, start-up).
    pub fn run_blocking<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, diesel::result::Error>,
    ) -> Result<T, StorageError> {
        let mut conn = self.inner.pool.get()?;
        Ok(f(&mut conn)?)
    }

    pub fn migrate(&self) -> Result<usize, pool::MigrationError> {
        let mut conn = self.inner.pool.get()?;
        pool::run_migrations(&mut conn)
    }
}
