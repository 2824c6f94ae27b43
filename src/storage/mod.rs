//! Storage: the pool, the schema and the queries, named by intent. Every query runs on a
//! database thread through [`Storage::run`], never on the async executor.

pub mod applications;
pub mod audit;
pub mod cleanup;
pub mod email_codes;
pub mod grants;
pub mod hosted_links;
pub mod interactions;
pub mod keys;
pub mod memberships;
pub mod mfa;
pub mod one_time_tokens;
pub mod organizations;
pub mod outage;
pub mod outbox;
pub mod pool;
pub mod rate_limits;
pub mod schema;
pub mod sessions;
pub mod sign_in_experience;
pub mod statement;
pub mod users;

pub use pool::{DatabaseUrl, DbConnection, Pool};

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;

use outage::{Failure, Health};
use pool::Pooled;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database cannot serve now (unreachable, restarting, locked, no answer in time):
    /// answered 503 with `Retry-After`.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The queue of database work is full: answered 503 with `Retry-After` at once.
    #[error("the database work queue is full")]
    Overloaded,
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

impl From<r2d2::Error> for StorageError {
    fn from(e: r2d2::Error) -> Self {
        Self::Unavailable(e.to_string())
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

    /// Whether trying again later may work: an outage or overload, not a fault of the request
    /// or of the code.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::Overloaded)
    }
}

/// How the database is used: connections (= database threads), how long a request waits for
/// it, and how much work may wait in the queue.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub pool_size: u32,
    pub timeout: Duration,
    pub queue: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            pool_size: 16,
            timeout: Duration::from_secs(2),
            queue: 1024,
        }
    }
}

type Job = Box<dyn FnOnce(&Worker) + Send>;

enum Message {
    Run(Job),
    Stop,
}

/// The shared handle to the database. Queries run on a fixed set of database threads (one per
/// connection), never on the async executor: a bounded number of threads, no per-query thread
/// hand-off through a general blocking pool, and on SQLite a single writer in-process instead of
/// writers sleeping on each other's locks. The threads take jobs from one bounded queue, so
/// under load a thread that has just finished picks up the next job without going to sleep,
/// and beyond the bound a request is refused at once instead of waiting.
#[derive(Clone)]
pub struct Storage {
    inner: Arc<Inner>,
}

struct Inner {
    worker: Worker,
    backend: DatabaseUrl,
    limits: Limits,
    jobs: mpsc::SyncSender<Message>,
    /// One message per database thread as it ends (see `close`).
    ended: Mutex<mpsc::Receiver<()>>,
    threads: u32,
    closing: AtomicBool,
}

/// What a database thread works with: the pool and what is known about the database.
#[derive(Clone)]
struct Worker {
    pool: Pool,
    health: Arc<Health>,
    sqlite: bool,
    /// Jobs sent to the queue and not yet taken by a database thread (for the metrics).
    queued: Arc<AtomicUsize>,
}

/// How loaded the database is right now (`GET /metrics`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Load {
    /// Jobs waiting for a database thread.
    pub queued: usize,
    /// Connections open, and of them idle.
    pub connections: u32,
    pub idle: u32,
}

impl Storage {
    /// Opens the database with `limits.pool_size` connections (SQLite: one, see above).
    pub fn connect(url: &DatabaseUrl, limits: Limits) -> Result<Self, r2d2::Error> {
        let size = if url.is_sqlite() {
            1
        } else {
            limits.pool_size.max(1)
        };
        let health = Arc::new(Health::default());
        let pool = pool::build_pool(url, size, limits.timeout, health.clone())?;
        let worker = Worker {
            pool,
            health,
            sqlite: url.is_sqlite(),
            queued: Arc::new(AtomicUsize::new(0)),
        };
        let (jobs, queue) = mpsc::sync_channel::<Message>(limits.queue.max(1));
        let queue = Arc::new(Mutex::new(queue));
        let (end, ended) = mpsc::channel();
        for i in 0..size {
            let (worker, queue, end) = (worker.clone(), queue.clone(), end.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("sesame-db-{i}"))
                .spawn(move || {
                    work(&worker, &queue);
                    drop(worker);
                    let _ = end.send(());
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a database thread");
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                worker,
                backend: url.clone(),
                limits,
                jobs,
                ended: Mutex::new(ended),
                threads: size,
                closing: AtomicBool::new(false),
            }),
        })
    }

    pub fn backend(&self) -> &DatabaseUrl {
        &self.inner.backend
    }

    /// The queue and the pool as they are now.
    pub fn load(&self) -> Load {
        let pool = self.inner.worker.pool.state();
        Load {
            queued: self.inner.worker.queued.load(Ordering::Relaxed),
            connections: pool.connections,
            idle: pool.idle_connections,
        }
    }

    /// Runs `f` with a connection on a database thread, keeping the caller's span. Waits at
    /// most `limits.timeout` (then `Unavailable`); a full queue is `Overloaded` at once.
    pub async fn run<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, diesel::result::Error> + Send + 'static,
    {
        self.run_within(self.inner.limits.timeout, f).await
    }

    /// [`Storage::run`], waiting at most `wait` instead: for work no request waits on (the
    /// clean-up), which may take longer than a request may wait. A job still runs to its end
    /// once started, whoever waits; waiting less only loses its answer.
    pub async fn run_within<T, F>(&self, wait: Duration, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, diesel::result::Error> + Send + 'static,
    {
        if self.inner.closing.load(Ordering::Relaxed) {
            return Err(StorageError::Unavailable("shutting down".into()));
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let span = tracing::Span::current();
        let enqueued = Instant::now();
        let job: Job = Box::new(move |worker: &Worker| {
            worker.queued.fetch_sub(1, Ordering::Relaxed);
            crate::telemetry::metrics::db_job_started(enqueued.elapsed());
            // The caller has given up (timed out, or the client left): do not start its work.
            if tx.is_closed() {
                return;
            }
            let _entered = span.enter();
            let _ = tx.send(worker.run(f));
        });
        let queued = &self.inner.worker.queued;
        queued.fetch_add(1, Ordering::Relaxed);
        if let Err(refused) = self.inner.jobs.try_send(Message::Run(job)) {
            queued.fetch_sub(1, Ordering::Relaxed);
            return Err(match refused {
                mpsc::TrySendError::Full(_) => StorageError::Overloaded,
                mpsc::TrySendError::Disconnected(_) => StorageError::Canceled,
            });
        }
        match tokio::time::timeout(wait, rx).await {
            Ok(answer) => answer.map_err(|_| StorageError::Canceled)?,
            Err(_) => Err(StorageError::Unavailable(format!(
                "no answer within {} ms",
                wait.as_millis()
            ))),
        }
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
        self.inner.worker.run(f)
    }

    pub fn migrate(&self) -> Result<usize, pool::MigrationError> {
        let mut held = self.inner.worker.pool.get()?;
        pool::run_migrations(&mut held.conn)
    }

    /// Stops taking work, lets the database threads finish what is queued (waiting at most
    /// `limits.timeout` per thread), and on SQLite folds the write-ahead log into the database
    /// file. Connections close when the last handle is dropped.
    pub fn close(&self) {
        self.inner.closing.store(true, Ordering::Relaxed);
        for _ in 0..self.inner.threads {
            if self.inner.jobs.send(Message::Stop).is_err() {
                break;
            }
        }
        if let Ok(ended) = self.inner.ended.lock() {
            let deadline = Instant::now() + self.inner.limits.timeout;
            for _ in 0..self.inner.threads {
                let left = deadline.saturating_duration_since(Instant::now());
                if ended.recv_timeout(left).is_err() {
                    tracing::warn!("a database thread did not finish in time");
                    break;
                }
            }
        }
        if self.inner.worker.sqlite {
            match self.run_blocking(|c| c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")) {
                Ok(()) => tracing::info!("database checkpointed"),
                Err(e) => tracing::warn!(error = %e, "database checkpoint failed"),
            }
        }
    }
}

/// A database thread: takes jobs until told to stop or the last `Storage` handle is dropped.
/// Only idle threads wait on the lock; a job is taken and the lock released before it runs.
fn work(worker: &Worker, queue: &Mutex<mpsc::Receiver<Message>>) {
    loop {
        let next = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match next {
            // A panicking job loses its answer (the caller sees `Canceled`), not the thread.
            Ok(Message::Run(job)) => {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(worker)));
            }
            Ok(Message::Stop) | Err(_) => return,
        }
    }
}

impl Worker {
    /// Runs `f` on a working connection and tells an outage from a failed query.
    fn run<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, diesel::result::Error>,
    ) -> Result<T, StorageError> {
        let mut held = self.checkout()?;
        match f(&mut held.conn) {
            Ok(value) => {
                self.health.up();
                Ok(value)
            }
            Err(e) => Err(self.failed(&mut held, e)),
        }
    }

    /// A connection from the pool. While the database is known to be down, none is waited for;
    /// a connection from before the last lost one is checked before use.
    fn checkout(&self) -> Result<Pooled, StorageError> {
        // Each round discards one connection; the pool replaces it with a checked one.
        for _ in 0..=self.pool.max_size() {
            let mut held = if self.health.is_down() {
                self.pool.try_get().ok_or_else(|| {
                    StorageError::Unavailable("the database is unreachable".into())
                })?
            } else {
                self.pool.get()?
            };
            let epoch = self.health.epoch();
            if held.checked == epoch {
                return Ok(held);
            }
            if held.conn.batch_execute("SELECT 1").is_ok() {
                held.checked = epoch;
                return Ok(held);
            }
            held.broken = true;
        }
        Err(StorageError::Unavailable(
            "no connection to the database works".into(),
        ))
    }

    fn failed(&self, held: &mut Pooled, e: diesel::result::Error) -> StorageError {
        let failure = match outage::classify(&e, self.sqlite) {
            Failure::Unknown if held.conn.batch_execute("SELECT 1").is_err() => {
                Failure::ConnectionLost
            }
            Failure::Unknown => Failure::Query,
            known => known,
        };
        match failure {
            Failure::Query | Failure::Unknown => StorageError::Query(e),
            Failure::Busy => StorageError::Unavailable(e.to_string()),
            Failure::ConnectionLost => {
                if !self.health.is_down() {
                    tracing::warn!(error = %e, "lost the connection to the database");
                }
                held.broken = true;
                self.health.lost();
                StorageError::Unavailable(e.to_string())
            }
        }
    }
}
