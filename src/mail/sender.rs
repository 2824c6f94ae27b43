//! The sender: a task of `sesame serve` that claims due mails from the outbox, sends a bounded
//! number at a time, and settles each (sent, retry later, given up). It wakes at once when this
//! instance queued a mail and looks every `mail_poll_interval_ms` otherwise (mails queued by
//! other instances, retries that came due, claims that ran out).

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use serde_json::{Map, Value};
use tokio::sync::{Notify, watch};

use super::backoff::{Attempt, RetryPolicy, Settle, settle};
use super::templates::Templates;
use super::transport::{SMTP_TIMEOUT, Transport, compose};
use crate::clock::Clock;
use crate::config::Settings;
use crate::storage::outbox::{self as queries, MailKind, OutboxRecord};
use crate::storage::{Storage, StorageError};
use crate::telemetry::metrics;

/// How long a claim holds: well beyond one SMTP conversation, so a live sender always settles
/// its mails before another may take them over; a dead sender's mails wait this long.
pub const CLAIM_LEASE: Duration = Duration::from_secs(300);

/// How many times a settled attempt is written before the mail is left to its lease (the
/// database is down): a sent mail whose mark is lost is sent again when the lease runs out.
const SETTLE_TRIES: u32 = 10;
const SETTLE_RETRY_EVERY: Duration = Duration::from_secs(1);

/// Everything a round of sending needs.
struct Sender {
    storage: Storage,
    clock: Arc<Clock>,
    transport: Transport,
    templates: Templates,
    from: Mailbox,
    policy: RetryPolicy,
    concurrency: usize,
    /// This process, as the claims name it.
    instance: String,
}

/// The running sender: stop it before the database closes (dropped, it runs on).
pub struct Running {
    stop: watch::Sender<bool>,
    done: tokio::sync::oneshot::Receiver<()>,
}

impl Running {
    /// Lets the mails being sent finish (at most one SMTP conversation), claims no more.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let wait = SMTP_TIMEOUT + Duration::from_secs(5);
        if tokio::time::timeout(wait, self.done).await.is_err() {
            tracing::warn!("the mail sender did not stop in time; its claims run out");
        }
    }
}

/// Starts the sender on the current runtime (the SMTP pool lives there too).
pub fn spawn(
    storage: Storage,
    settings: &Settings,
    clock: Arc<Clock>,
    templates: Templates,
    wake: Arc<Notify>,
) -> Result<Running, super::MailError> {
    let concurrency = settings.mail_concurrency.max(1);
    let transport = Transport::from_settings(settings, concurrency)?;
    tracing::info!(to = %transport.describe(settings), "mails are sent");
    let sender = Arc::new(Sender {
        storage,
        clock,
        transport,
        templates,
        from: super::transport::sender_mailbox(settings)?,
        policy: RetryPolicy::from_settings(settings),
        concurrency,
        instance: uuid::Uuid::new_v4().simple().to_string(),
    });
    let poll = settings.mail_poll_interval();
    let (stop, mut stopped) = watch::channel(false);
    let (finished, done) = tokio::sync::oneshot::channel();
    actix_web::rt::spawn(async move {
        // A dropped handle is no stop: the sender then runs as long as the runtime.
        let mut stoppable = true;
        loop {
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                changed = stopped.changed(), if stoppable => stoppable = changed.is_ok(),
            }
            if *stopped.borrow() {
                break;
            }
            sender.drain(&stopped).await;
        }
        drop(sender);
        let _ = finished.send(());
    });
    Ok(Running { stop, done })
}

impl Sender {
    /// Claims and sends batches until none is due (or the sender is stopping).
    async fn drain(self: &Arc<Self>, stopped: &watch::Receiver<bool>) {
        while !*stopped.borrow() {
            match self.claim().await {
                Ok(batch) if batch.is_empty() => return,
                Ok(batch) => {
                    let mut sending = tokio::task::JoinSet::new();
                    for mail in batch {
                        let sender = self.clone();
                        sending.spawn_local(async move { sender.deliver(mail).await });
                    }
                    while sending.join_next().await.is_some() {}
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot look for mails to send; retrying later");
                    return;
                }
            }
        }
    }

    async fn claim(&self) -> Result<Vec<OutboxRecord>, StorageError> {
        let now = self.clock.now_ms();
        let until = now.saturating_add(CLAIM_LEASE.as_millis() as i64);
        let (by, limit) = (self.instance.clone(), self.concurrency as i64);
        self.storage
            .run(move |c| queries::claim(c, &by, until, now, limit))
            .await
    }

    /// One attempt at one claimed mail, and its settlement.
    async fn deliver(&self, mail: OutboxRecord) {
        let kind = MailKind::parse(&mail.kind);
        let attempt = match kind {
            Some(kind) => self.attempt(kind, &mail).await,
            None => Attempt::Refused(format!("unknown kind of mail {:?}", mail.kind)),
        };
        let kind_label = kind.map_or("unknown", MailKind::as_str);
        let decided = settle(attempt, mail.attempts, &self.policy, self.clock.now_ms());
        match &decided {
            Settle::Sent => {
                metrics::mail_sent(kind_label);
                tracing::info!(mail = %mail.id, kind = kind_label, attempts = mail.attempts, "mail sent");
            }
            Settle::RetryAt { error, .. } => {
                metrics::mail_retried(kind_label);
                tracing::warn!(mail = %mail.id, kind = kind_label, attempts = mail.attempts, error = %error, "mail not sent; retrying later");
            }
            Settle::GiveUp { error } => {
                metrics::mail_failed(kind_label);
                tracing::error!(mail = %mail.id, kind = kind_label, attempts = mail.attempts, error = %error, "mail given up on");
            }
        }
        self.record(&mail.id, decided).await;
    }

    async fn attempt(&self, kind: MailKind, mail: &OutboxRecord) -> Attempt {
        let values: Map<String, Value> = match serde_json::from_str(&mail.payload) {
            Ok(values) => values,
            Err(_) => return Attempt::Refused("the mail's values cannot be read".into()),
        };
        let rendered = match self.templates.render(kind, &mail.locale, &values) {
            Ok(rendered) => rendered,
            Err(e) => return Attempt::Refused(e.to_string()),
        };
        match compose(&self.from, &mail.recipient, &mail.id, rendered) {
            Ok(message) => self.transport.send(message).await,
            Err(e) => Attempt::Refused(e),
        }
    }

    /// Writes the settlement at once (a sent mail's mark first of all: until it is written,
    /// the mail could be sent again once its lease runs out), trying again while the database
    /// is away.
    async fn record(&self, id: &str, decided: Settle) {
        for _ in 0..SETTLE_TRIES {
            let (row, by, now) = (id.to_owned(), self.instance.clone(), self.clock.now_ms());
            let decided = decided.clone();
            let written = self
                .storage
                .run(move |c| match decided {
                    Settle::Sent => queries::mark_sent(c, &row, &by, now),
                    Settle::RetryAt { at, error } => queries::mark_retry(c, &row, &by, &error, at),
                    Settle::GiveUp { error } => queries::mark_failed(c, &row, &by, &error, now),
                })
                .await;
            match written {
                Ok(true) => return,
                Ok(false) => {
                    tracing::warn!(mail = %id, "the mail's claim was lost before it was settled");
                    return;
                }
                Err(e) => {
                    tracing::warn!(mail = %id, error = %e, "cannot settle the mail; trying again");
                    tokio::time::sleep(SETTLE_RETRY_EVERY).await;
                }
            }
        }
    }
}
