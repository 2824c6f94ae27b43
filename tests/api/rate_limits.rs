//! The database-backed rate-limit counters, straight through `storage::rate_limits` on both
//! backends (PostgreSQL counts every key in one upsert; SQLite key by key).

use crate::common::{Backend, TestApp};
use sesame::storage::rate_limits::{self, Verdict};

const WINDOW_MS: i64 = 60_000;
const T0: i64 = 1_800_000_000_000;

fn counted(limits: &[(&str, i32)]) -> Vec<(String, i32)> {
    limits.iter().map(|(k, l)| (k.to_string(), *l)).collect()
}

async fn hit_all(app: &TestApp, limits: &[(&str, i32)], now: i64) -> Verdict {
    let counted = counted(limits);
    app.storage
        .run(move |c| rate_limits::hit_all(c, &counted, WINDOW_MS, now))
        .await
        .expect("counted")
}

/// Whether `key` has reached `limit` in the window open at `now`, without counting.
async fn reached(app: &TestApp, key: &str, limit: i32, now: i64) -> bool {
    let key = key.to_owned();
    let verdict = app
        .storage
        .run(move |c| rate_limits::check(c, &key, limit, WINDOW_MS, now))
        .await
        .expect("checked");
    verdict != Verdict::Allowed
}

async fn counts_per_key_and_names_the_first_limit_reached(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let both = [("email:a", 2), ("app:1", 3)];
    assert_eq!(hit_all(&app, &both, T0).await, Verdict::Allowed);
    assert_eq!(hit_all(&app, &both, T0 + 1_000).await, Verdict::Allowed);
    // Third event: over the email's limit; retry when its window (opened at T0) closes.
    assert_eq!(
        hit_all(&app, &both, T0 + 10_000).await,
        Verdict::Limited {
            retry_after_ms: WINDOW_MS - 10_000
        }
    );
    // Every key counted the refused event too: the application has now had three.
    assert!(reached(&app, "app:1", 3, T0 + 10_000).await);
    assert!(!reached(&app, "app:1", 4, T0 + 10_000).await);
    // Another address under the same application: the application's limit answers.
    assert_eq!(
        hit_all(&app, &[("email:b", 2), ("app:1", 3)], T0 + 20_000).await,
        Verdict::Limited {
            retry_after_ms: WINDOW_MS - 20_000
        }
    );
    // Both limits reached: the first listed one is named. The application's window opened at
    // T0, a new address's (limit 0) opens now, so their retry times tell them apart.
    assert_eq!(
        hit_all(&app, &[("app:1", 3), ("email:c", 0)], T0 + 30_000).await,
        Verdict::Limited {
            retry_after_ms: WINDOW_MS - 30_000
        }
    );
    assert_eq!(
        hit_all(&app, &[("email:d", 0), ("app:1", 3)], T0 + 40_000).await,
        Verdict::Limited {
            retry_after_ms: WINDOW_MS
        }
    );
}

async fn a_closed_window_starts_over(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let one = [("email:a", 1)];
    assert_eq!(hit_all(&app, &one, T0).await, Verdict::Allowed);
    assert!(matches!(
        hit_all(&app, &one, T0 + WINDOW_MS - 1).await,
        Verdict::Limited { retry_after_ms: 1 }
    ));
    // The window opened at T0 is over: this event opens a new one and is allowed.
    assert_eq!(hit_all(&app, &one, T0 + WINDOW_MS).await, Verdict::Allowed);
    assert_eq!(
        hit_all(&app, &one, T0 + WINDOW_MS + 5).await,
        Verdict::Limited {
            retry_after_ms: WINDOW_MS - 5
        }
    );
    // A single key through `hit` shares the same counters.
    let verdict = app
        .storage
        .run(|c| rate_limits::hit(c, "email:a", 5, WINDOW_MS, T0 + WINDOW_MS + 6))
        .await
        .expect("counted");
    assert_eq!(
        verdict,
        Verdict::Allowed,
        "third event of the window, limit 5"
    );
    assert!(reached(&app, "email:a", 3, T0 + WINDOW_MS + 6).await);
}

async fn concurrent_events_are_all_counted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let handles: Vec<_> = (0..40)
        .map(|i| {
            let storage = app.storage.clone();
            let counted = counted(&[(&format!("email:{}", i % 4), 100), ("app:hot", 25)]);
            actix_rt::spawn(async move {
                storage
                    .run(move |c| rate_limits::hit_all(c, &counted, WINDOW_MS, T0 + i))
                    .await
                    .expect("counted")
            })
        })
        .collect();
    let mut verdicts = Vec::new();
    for h in handles {
        verdicts.push(h.await.expect("task"));
    }
    let allowed = verdicts.iter().filter(|v| **v == Verdict::Allowed).count();
    assert_eq!(allowed, 25, "exactly the limit, of 40 racing events");
    assert!(reached(&app, "app:hot", 40, T0 + 100).await, "none lost");
    assert!(
        !reached(&app, "app:hot", 41, T0 + 100).await,
        "none doubled"
    );
}

on_both_backends!(
    counts_per_key_and_names_the_first_limit_reached,
    a_closed_window_starts_over,
    concurrent_events_are_all_counted,
);
