//! What happens to a mail after an attempt to send it: a pure function of the attempt's
//! outcome, the attempts made, the retry policy and "now".

use chrono::TimeDelta;

use crate::config::Settings;

/// How often and how long a mail is tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: i32,
    /// The wait after the first failed attempt; doubled after each further one...
    pub first_wait: TimeDelta,
    /// ...up to this.
    pub longest_wait: TimeDelta,
}

impl RetryPolicy {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            max_attempts: settings.mail_max_attempts.max(1),
            first_wait: settings.mail_retry_min(),
            longest_wait: settings.mail_retry_max().max(settings.mail_retry_min()),
        }
    }
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    /// The server or the network may do better later (connection refused, timeout, 4xx).
    Failed(String),
    /// It never will (a 5xx answer, an address or template that cannot be used).
    Refused(String),
}

/// What to do with the mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settle {
    Sent,
    RetryAt { at: i64, error: String },
    GiveUp { error: String },
}

/// The wait after the `attempts`-th failed attempt (from 1): `first_wait * 2^(attempts-1)`,
/// at most `longest_wait`.
pub fn wait_after(policy: &RetryPolicy, attempts: i32) -> TimeDelta {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    let first = policy.first_wait.num_milliseconds().max(0);
    let longest = policy.longest_wait.num_milliseconds().max(0);
    TimeDelta::milliseconds(first.saturating_mul(1_i64 << doublings).min(longest))
}

/// The mail's fate after `attempt`, its `attempts`-th.
pub fn settle(attempt: Attempt, attempts: i32, policy: &RetryPolicy, now: i64) -> Settle {
    match attempt {
        Attempt::Sent => Settle::Sent,
        Attempt::Refused(error) => Settle::GiveUp { error },
        Attempt::Failed(error) if attempts >= policy.max_attempts => Settle::GiveUp { error },
        Attempt::Failed(error) => Settle::RetryAt {
            at: now.saturating_add(wait_after(policy, attempts).num_milliseconds()),
            error,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        max_attempts: 4,
        first_wait: TimeDelta::seconds(30),
        longest_wait: TimeDelta::seconds(100),
    };

    #[test]
    fn waits_double_up_to_the_cap() {
        let waits: Vec<i64> = (1..=5)
            .map(|n| wait_after(&POLICY, n).num_seconds())
            .collect();
        assert_eq!(waits, [30, 60, 100, 100, 100]);
        assert_eq!(wait_after(&POLICY, 0).num_seconds(), 30);
        assert_eq!(
            wait_after(&POLICY, i32::MAX).num_seconds(),
            100,
            "no overflow"
        );
    }

    #[test]
    fn a_failure_is_retried_until_the_last_attempt_and_a_refusal_never() {
        let failed = || Attempt::Failed("connection refused".into());
        assert_eq!(settle(Attempt::Sent, 1, &POLICY, 0), Settle::Sent);
        assert_eq!(
            settle(failed(), 1, &POLICY, 1_000),
            Settle::RetryAt {
                at: 31_000,
                error: "connection refused".into()
            }
        );
        assert_eq!(
            settle(failed(), 3, &POLICY, 0),
            Settle::RetryAt {
                at: 100_000,
                error: "connection refused".into()
            }
        );
        assert_eq!(
            settle(failed(), 4, &POLICY, 0),
            Settle::GiveUp {
                error: "connection refused".into()
            }
        );
        assert_eq!(
            settle(Attempt::Refused("550 no such user".into()), 1, &POLICY, 0),
            Settle::GiveUp {
                error: "550 no such user".into()
            }
        );
    }

    #[test]
    fn the_policy_follows_the_settings() {
        let policy = RetryPolicy::from_settings(&Settings::default());
        assert_eq!(policy.max_attempts, 10);
        assert_eq!(policy.first_wait, TimeDelta::seconds(30));
        assert_eq!(policy.longest_wait, TimeDelta::hours(1));
    }
}
