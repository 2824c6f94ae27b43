//! Passwords are hashed and verified on a few threads of their own, never on the async
//! executor, and never many at once: argon2id takes ~19 MiB and a core for ~16 ms per password,
//! so 200 at once took 3 GiB. Places in line are bounded; a sign-in or registration that finds
//! none is told the server is busy instead of waiting without end.

use std::sync::{Arc, Mutex, mpsc};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::Secret;
use super::password::{self, Workspace};

/// Work for a password thread, with the thread's argon2 memory.
type Job = Box<dyn FnOnce(&mut Workspace) + Send>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HashingError {
    #[error("every password thread is busy and the line is full")]
    Busy,
    #[error("the password threads are gone")]
    Gone,
}

/// How a caller is admitted when the line is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Anyone on the internet (hosted sign-in and sign-up): refused with [`HashingError::Busy`].
    RefuseWhenFull,
    /// A caller already held to another limit (the Management API's bearer):
    /// waits, without a thread, for a place in line.
    Wait,
}

/// The shared handle on the password threads.
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: mpsc::Sender<Job>,
    /// One per running or waiting job: `threads + queue` in all.
    places: Arc<Semaphore>,
}

impl PasswordHasher {
    /// `threads` hash at once (at least one); `queue` more wait for them.
    pub fn new(threads: usize, queue: usize) -> Self {
        let threads = threads.max(1);
        let (jobs, line) = mpsc::channel::<Job>();
        let line = Arc::new(Mutex::new(line));
        for i in 0..threads {
            let line = line.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("sesame-password-{i}"))
                .spawn(move || {
                    // 19 MiB per thread, allocated at the first password and kept.
                    let mut workspace = Workspace::default();
                    // Ends when the last handle is dropped.
                    loop {
                        let next = match line.lock() {
                            Ok(line) => line.recv(),
                            Err(_) => return,
                        };
                        match next {
                            Ok(job) => job(&mut workspace),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password thread");
            }
        }
        Self {
            jobs,
            places: Arc::new(Semaphore::new(threads + queue)),
        }
    }

    async fn run<T, F>(&self, admission: Admission, work: F) -> Result<T, HashingError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Workspace) -> T + Send + 'static,
    {
        let place: OwnedSemaphorePermit = match admission {
            Admission::RefuseWhenFull => self
                .places
                .clone()
                .try_acquire_owned()
                .map_err(|_| HashingError::Busy)?,
            Admission::Wait => self
                .places
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| HashingError::Gone)?,
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        let span = tracing::Span::current();
        let job: Job = Box::new(move |workspace| {
            let _entered = span.enter();
            let _ = tx.send(work(workspace));
            drop(place);
        });
        self.jobs.send(job).map_err(|_| HashingError::Gone)?;
        rx.await.map_err(|_| HashingError::Gone)
    }

    /// The argon2id hash of `password` (`None` if hashing itself failed).
    pub async fn hash(
        &self,
        password: Secret,
        admission: Admission,
    ) -> Result<Option<String>, HashingError> {
        self.run(admission, move |ws| {
            password::hash_password_in(ws, &password).ok()
        })
        .await
    }

    /// Whether `password` matches `hash`; without a hash (no such account, or no password),
    /// a dummy verification takes as long, so the answer's timing tells nothing.
    pub async fn verify(
        &self,
        password: Secret,
        hash: Option<String>,
        admission: Admission,
    ) -> Result<bool, HashingError> {
        self.run(admission, move |ws| match hash {
            Some(hash) => password::verify_password_in(ws, &password, &hash),
            None => {
                password::verify_dummy_in(ws, &password);
                false
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_rt::test]
    async fn a_full_line_refuses_or_waits() {
        let hasher = PasswordHasher::new(1, 1);
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Mutex::new(hold);
        // One running (held until released), one waiting: the line is full.
        let running = {
            let hasher = hasher.clone();
            actix_rt::spawn(async move {
                hasher
                    .run(Admission::RefuseWhenFull, move |_| {
                        let _ = hold.lock().map(|h| h.recv());
                    })
                    .await
            })
        };
        actix_rt::task::yield_now().await;
        let waiting = hasher.clone();
        let waiting =
            actix_rt::spawn(async move { waiting.run(Admission::RefuseWhenFull, |_| 2).await });
        actix_rt::task::yield_now().await;
        assert_eq!(
            hasher.run(Admission::RefuseWhenFull, |_| 3).await,
            Err(HashingError::Busy)
        );
        let patient = hasher.clone();
        let patient = actix_rt::spawn(async move { patient.run(Admission::Wait, |_| 4).await });
        let _ = release.send(());
        assert_eq!(running.await.ok(), Some(Ok(())));
        assert_eq!(waiting.await.ok(), Some(Ok(2)));
        assert_eq!(patient.await.ok(), Some(Ok(4)));
        assert_eq!(hasher.run(Admission::RefuseWhenFull, |_| 5).await, Ok(5));
    }
}
