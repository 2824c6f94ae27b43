//! Graceful shutdown: `sesame serve` under load gets SIGTERM, as a supervisor or an orchestrator
//! sends it. It stops accepting, answers every request it accepted in full, keeps every write it
//! acknowledged, closes the database (SQLite: the write-ahead log folded into the file) and
//! exits 0 within `shutdown_timeout_secs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::common::load::{acknowledged, check_tokens, create_tokens};
use crate::common::process::start_with;
use crate::common::{Backend, TestDatabase, management_token_for, run_sesame};

const SHUTDOWN_TIMEOUT_SECS: u64 = 10;

async fn sigterm_under_load_finishes_what_it_accepted(backend: Backend) {
    let db = TestDatabase::new(backend);
    let created = run_sesame(&[
        "--database-url",
        &db.url,
        "app",
        "create",
        "--name",
        "Back office",
        "--type",
        "m2m",
        "--management-api",
    ]);
    assert!(created.status.success(), "{created:?}");
    let app: serde_json::Value = serde_json::from_slice(&created.stdout).expect("json");
    let (id, secret) = (
        app["id"].as_str().expect("id"),
        app["secret"].as_str().expect("secret"),
    );
    let timeout = SHUTDOWN_TIMEOUT_SECS.to_string();
    let env = [
        ("SESAME_SHUTDOWN_TIMEOUT_SECS", timeout.as_str()),
        ("SESAME_ONE_TIME_TOKENS_PER_APPLICATION_PER_HOUR", "1000000"),
        ("SESAME_WORKERS", "2"),
    ];
    let mut server = start_with(&db.url, &[], "info", &env);
    let bearer = management_token_for(&server.base, &server.base, id, secret).await;

    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..6)
        .map(|w| {
            let (base, bearer, stop) = (server.base.clone(), bearer.clone(), stop.clone());
            actix_rt::spawn(create_tokens(base, bearer, w, start, stop, true))
        })
        .collect();
    actix_rt::time::sleep(Duration::from_secs(1)).await;
    server.terminate();
    let terminated = Instant::now();

    // The process ends, cleanly and in time.
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            terminated.elapsed() < Duration::from_secs(SHUTDOWN_TIMEOUT_SECS + 5),
            "still running after SIGTERM: {}",
            server.log()
        );
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    };
    let stopped_in = terminated.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut outcomes = Vec::new();
    for worker in load {
        outcomes.extend(worker.await.expect("load worker"));
    }
    let log = server.log();
    assert!(status.success(), "exit status {status:?}: {log}");
    assert!(log.contains("sesame stopped"), "{log}");
    eprintln!(
        "shutdown: {} requests, stopped {stopped_in:?} after SIGTERM",
        outcomes.len()
    );

    // Every request was answered in full, or was never accepted: refused, or cut before the
    // server read it (an idle keep-alive connection closed as the request was sent, which
    // HTTP/1.1 cannot rule out): such a request left no trace, so sending it again is safe.
    let cut: Vec<String> = outcomes
        .iter()
        .filter(|o| o.status.is_none() && !o.refused)
        .map(|o| o.email.clone())
        .collect();
    let unexpected: Vec<_> = outcomes
        .iter()
        .filter(|o| o.status.is_some_and(|s| s != 201))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");

    // Every acknowledged write is in the database, and SQLite's log is folded into the file.
    if backend == Backend::Sqlite {
        let wal = format!("{}-wal", db.url.trim_start_matches("sqlite://"));
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(size, 0, "the write-ahead log is checkpointed");
    }
    let acknowledged = acknowledged(&outcomes);
    assert!(acknowledged.len() > 10, "{} created", acknowledged.len());
    let (missing, cut_but_done) = check_tokens(&db.url, &acknowledged, &cut);
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    assert!(
        cut_but_done.is_empty(),
        "accepted, carried out, but not answered: {cut_but_done:?}"
    );
    eprintln!(
        "shutdown: {} acknowledged, {} cut before being read",
        acknowledged.len(),
        cut.len()
    );
}

on_both_backends!(sigterm_under_load_finishes_what_it_accepted);
