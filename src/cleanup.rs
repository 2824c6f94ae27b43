//! The clean-up schedule: every `cleanup_interval_secs` of the state's clock, rows that can no
//! longer be used are deleted (the statements are in `storage::cleanup`). What is deleted as of
//! "now" is [`cutoffs`], a pure function of the settings.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;

use crate::clock::Clock;
use crate::config::Settings;
use crate::storage::cleanup::{self as queries, Cutoffs, Removed, Statement};
use crate::storage::{Storage, StorageError};

/// Rows stay this long past their expiry, so requests already under way finish on what they
/// read and instances whose clocks differ a little agree.
pub const EXPIRY_MARGIN: TimeDelta = TimeDelta::minutes(5);

/// Rate-limit counters are kept at least this long after their window opened, whatever the
/// limit: longer than every fixed window (sign-in failures per setting, one-time token creation
/// per hour, second-factor attempts per five minutes).
pub const RATE_LIMIT_RETENTION: TimeDelta = TimeDelta::days(1);

/// How long a pass is waited for. A pass may take far longer than a request may wait for the
/// database (up to `MAX_BATCHES` batches of each kind, behind the requests' own work), and it
/// carries on whoever waits: waiting only as long as a request reported passes that went on to
/// finish as failed, and lost their counts.
const PASS_WAIT: Duration = Duration::from_secs(600);

/// After each batch a pass waits this many times as long as the batch took, so its deletions
/// take at most a quarter of a core of the database however many rows are due: the soak saw
/// every request kind's p99 rise when passes ran their batches back to back.
const PACE: u32 = 3;

/// The longest wait between two batches (a batch slowed by a busy database must not stretch a
/// pass past its interval).
const MAX_PAUSE: Duration = Duration::from_secs(1);

/// How long the schedule waits after a batch that took `took`.
pub fn pause_after(took: Duration) -> Duration {
    took.saturating_mul(PACE).min(MAX_PAUSE)
}

/// How often the schedule looks at the clock. A look is one comparison; the pass itself runs
/// only when due, so tests that move the clock see it run within this much real time.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// What a pass deletes at `now` (epoch ms).
pub fn cutoffs(settings: &Settings, now: i64) -> Cutoffs {
    let before = |age: TimeDelta| now.saturating_sub(age.num_milliseconds());
    Cutoffs {
        expired_before: before(EXPIRY_MARGIN),
        one_time_tokens_before: settings.one_time_token_retention().map(before),
        rate_limit_windows_before: before(
            settings
                .sign_in_failure_window()
                .max(RATE_LIMIT_RETENTION)
                .checked_add(&EXPIRY_MARGIN)
                .unwrap_or(RATE_LIMIT_RETENTION),
        ),
        audit_before: settings.audit_retention().map(before),
        mails_before: settings.mail_retention().map(before),
    }
}

/// When the pass after one at `now` is due; `None` when clean-up is off.
pub fn next_pass(settings: &Settings, now: i64) -> Option<i64> {
    let interval = settings.cleanup_interval();
    (interval > TimeDelta::zero()).then(|| now.saturating_add(interval.num_milliseconds()))
}

/// One pass at `now`, on the database threads. `None`: another instance holds the clean-up
/// lock (PostgreSQL), and this pass is skipped.
pub async fn run_once(
    storage: &Storage,
    settings: &Settings,
    now: i64,
) -> Result<Option<Removed>, StorageError> {
    let cutoffs = cutoffs(settings, now);
    if !storage.backend().is_sqlite() {
        // One connection holds the lock for the pass, and its thread waits between batches;
        // the other connections keep serving requests.
        return storage
            .run_within(PASS_WAIT, move |c| {
                queries::run_pass(c, &cutoffs, |took| std::thread::sleep(pause_after(took)))
            })
            .await;
    }
    // SQLite has one connection for everything: each batch is its own job, so requests queue
    // behind one short batch at most, never behind the whole pass.
    let mut removed = Removed::default();
    for statement in Statement::ALL {
        let (mut from, mut batches) = (0, 0);
        loop {
            let (batch, took) = storage
                .run_within(PASS_WAIT, move |c| {
                    let started = std::time::Instant::now();
                    let batch = queries::delete_batch(c, statement, &cutoffs, from)?;
                    Ok((batch, started.elapsed()))
                })
                .await?;
            // The one database thread is free for requests meanwhile.
            actix_web::rt::time::sleep(pause_after(took)).await;
            batches += 1;
            removed.add(statement, batch.deleted);
            match queries::another_batch(batch, batches) {
                Some(next) => from = next,
                None => break,
            }
        }
    }
    Ok(Some(removed))
}

/// Counts what a pass removed, per table, in the metrics (zeros too: every table's series
/// exists from the first pass on).
pub fn count_removed(removed: &Removed) {
    for (table, rows) in removed.by_table() {
        crate::telemetry::metrics::rows_deleted(table, rows);
    }
}

/// Logs what a pass removed, and how long it took: at info when it removed anything.
pub fn log_removed(removed: &Removed, took: Duration) {
    let Removed {
        interactions,
        sessions,
        authorization_codes,
        access_tokens,
        refresh_tokens,
        grants,
        one_time_tokens,
        rate_limits,
        audit_log,
        outbox,
        hosted_links,
        email_codes,
    } = *removed;
    if removed.total() == 0 {
        tracing::debug!("clean-up: nothing to remove");
        return;
    }
    tracing::info!(
        interactions,
        sessions,
        authorization_codes,
        access_tokens,
        refresh_tokens,
        grants,
        one_time_tokens,
        rate_limits,
        audit_log,
        outbox,
        hosted_links,
        email_codes,
        took_ms = took.as_millis() as u64,
        "clean-up removed expired and finished rows"
    );
}

/// Starts the schedule on the current runtime: the first pass one interval after start.
pub fn spawn(storage: Storage, settings: Settings, clock: Arc<Clock>) {
    let Some(mut due) = next_pass(&settings, clock.now_ms()) else {
        tracing::info!("clean-up is off (cleanup_interval_secs = 0)");
        return;
    };
    actix_web::rt::spawn(async move {
        let mut look = actix_web::rt::time::interval(LOOK_EVERY);
        loop {
            look.tick().await;
            let now = clock.now_ms();
            if now < due {
                continue;
            }
            let started = std::time::Instant::now();
            match run_once(&storage, &settings, now).await {
                Ok(Some(removed)) => {
                    count_removed(&removed);
                    log_removed(&removed, started.elapsed());
                }
                Ok(None) => tracing::debug!("clean-up skipped: another instance is running it"),
                Err(e) => tracing::warn!(error = %e, "clean-up failed; retrying next interval"),
            }
            due = next_pass(&settings, clock.now_ms()).unwrap_or(i64::MAX);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;
    const DAY: i64 = 24 * 3600 * 1000;
    const MINUTE: i64 = 60 * 1000;

    #[test]
    fn cutoffs_follow_the_settings() {
        let settings = Settings::default();
        assert_eq!(
            cutoffs(&settings, NOW),
            Cutoffs {
                expired_before: NOW - 5 * MINUTE,
                one_time_tokens_before: Some(NOW - 30 * DAY),
                rate_limit_windows_before: NOW - DAY - 5 * MINUTE,
                audit_before: Some(NOW - 90 * DAY),
                mails_before: Some(NOW - 7 * DAY),
            }
        );
    }

    #[test]
    fn zero_retention_keeps_forever() {
        let settings = Settings {
            one_time_token_retention_days: 0,
            audit_retention_days: 0,
            mail_retention_days: 0,
            ..Settings::default()
        };
        let c = cutoffs(&settings, NOW);
        assert_eq!(c.one_time_tokens_before, None);
        assert_eq!(c.audit_before, None);
        assert_eq!(c.mails_before, None);
    }

    #[test]
    fn a_long_failure_window_keeps_its_counters() {
        let settings = Settings {
            sign_in_failure_window_secs: 3 * 24 * 3600,
            ..Settings::default()
        };
        assert_eq!(
            cutoffs(&settings, NOW).rate_limit_windows_before,
            NOW - 3 * DAY - 5 * MINUTE
        );
    }

    #[test]
    fn cutoffs_never_overflow() {
        let c = cutoffs(&Settings::default(), i64::MIN + 1);
        assert_eq!(c.expired_before, i64::MIN);
    }

    #[test]
    fn a_pass_waits_three_times_each_batch_at_most_a_second() {
        let ms = Duration::from_millis;
        assert_eq!(pause_after(ms(0)), ms(0));
        assert_eq!(pause_after(ms(40)), ms(120));
        assert_eq!(pause_after(ms(400)), ms(1000));
        assert_eq!(pause_after(Duration::MAX), ms(1000));
    }

    #[test]
    fn the_schedule_runs_every_interval_unless_off() {
        assert_eq!(next_pass(&Settings::default(), NOW), Some(NOW + 5 * MINUTE));
        let off = Settings {
            cleanup_interval_secs: 0,
            ..Settings::default()
        };
        assert_eq!(next_pass(&off, NOW), None);
    }
}
