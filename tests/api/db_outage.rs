//! Database outages, as an operator causes them: PostgreSQL stopped and started under load, a
//! database locked by someone else, more work than the queue holds. Requests are answered 503
//! with `Retry-After` within `db_timeout_ms`, never 500, and the same process serves again as
//! soon as the database does, without a restart; nothing acknowledged is lost.
//!
//! The outage test runs its own PostgreSQL (initdb into a temporary directory, on a free port):
//! the machine's shared server on 5432, which every other test uses, is never stopped.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::json;

use sesame::crypto::SigningAlg;
use sesame::identity::applications::AppType;

use crate::common::api::{Reply, send, token_request};
use crate::common::load::{Outcome, acknowledged, create_tokens, missing_tokens};
use crate::common::{
    Backend, TestApp, TestDatabase, assert_error_page, browser, code_request, management_token,
};

const CALLBACK: &str = "http://127.0.0.1:9999/callback";

/// A PostgreSQL server of the test's own, stopped and removed when dropped (also when the test
/// fails). As root, its commands run as the `postgres` user (PostgreSQL refuses root).
struct OwnPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl OwnPostgres {
    fn start() -> Self {
        let bin = postgres_bin();
        let dir = tempfile::Builder::new()
            .prefix("sesame_outage_")
            .tempdir()
            .expect("temp dir");
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(status.success(), "chown the data directory to postgres");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let server = Self { dir, bin, port };
        server.pg(
            "initdb",
            &[
                "-D",
                &server.data(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        server.up();
        server
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs a PostgreSQL program to its end; panics with its output when it fails.
    fn pg(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let out = cmd
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("run a PostgreSQL program");
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn up(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        self.pg(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
    }

    /// A fast shutdown, as `systemctl stop postgresql` does: sessions are ended.
    fn down(&self) {
        self.pg("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let path = self.bin.join("pg_ctl");
        let data = self.data();
        let args = ["-D", data.as_str(), "-m", "immediate", "-w", "stop"];
        let _ = if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&path)
                .args(args)
                .output()
        } else {
            Command::new(&path).args(args).output()
        };
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The directory of `initdb` and `pg_ctl`: on PATH, or the newest /usr/lib/postgresql/*/bin.
fn postgres_bin() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path().join("bin")))
                .collect()
        })
        .unwrap_or_default();
    versions.retain(|p| p.join("initdb").exists());
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions
        .pop()
        .expect("PostgreSQL server binaries (initdb, pg_ctl), e.g. apt-get install postgresql")
}

async fn health(app: &TestApp) -> Reply {
    send(reqwest::Client::new().get(app.url("/health"))).await
}

#[actix_rt::test]
async fn postgres_stopped_and_started_under_load_is_503_then_served_again() {
    let pg = OwnPostgres::start();
    let db = Arc::new(TestDatabase::existing(pg.url()));
    let app = TestApp::spawn_on(db, Backend::Postgres, |s| {
        s.one_time_tokens_per_application_per_hour = 1_000_000;
    })
    .await;
    let bearer = management_token(&app).await;
    let (spa, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::RS256);
    assert_eq!(health(&app).await.status, 200);

    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..4)
        .map(|w| {
            let (base, bearer, stop) = (app.base.clone(), bearer.clone(), stop.clone());
            actix_rt::spawn(create_tokens(base, bearer, w, start, stop, false))
        })
        .collect();

    actix_rt::time::sleep(Duration::from_secs(1)).await;
    let stopping = start.elapsed();
    pg.down();
    actix_rt::time::sleep(Duration::from_secs(1)).await;
    let during = health(&app).await;
    assert_eq!(during.status, 503, "{}", during.text);
    assert_eq!(
        during.json,
        json!({"status": "unavailable", "database": "unavailable"})
    );
    assert!(during.header("retry-after").is_some());
    // A hosted page says so in words, the token endpoint in OAuth's terms.
    let (authorize, _) = code_request(&app, &spa, CALLBACK, "openid", "s");
    let page = browser().get(&authorize).send().await.expect("authorize");
    assert_eq!(
        page.headers().get("retry-after").map(|v| v.as_bytes()),
        Some(&b"2"[..])
    );
    assert_error_page(page, 503, "temporarily_unavailable").await;
    let token = token_request(
        &app,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &spa),
            ("code", "x"),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &"v".repeat(43)),
        ],
    )
    .await;
    token.assert_oauth_error(503, "temporarily_unavailable");
    assert_eq!(token.header("retry-after"), Some("2"));
    actix_rt::time::sleep(Duration::from_secs(2)).await;
    pg.up();
    let back = start.elapsed();
    actix_rt::time::sleep(Duration::from_secs(7)).await;
    stop.store(true, Ordering::Relaxed);
    let mut outcomes = Vec::new();
    for worker in load {
        outcomes.extend(worker.await.expect("load worker"));
    }
    assert_eq!(health(&app).await.status, 200, "health is back");

    let status = |o: &Outcome| o.status;
    let incomplete: Vec<_> = outcomes.iter().filter(|o| o.status.is_none()).collect();
    assert!(incomplete.is_empty(), "no answer: {incomplete:?}");
    let unexpected: Vec<_> = outcomes
        .iter()
        .filter(|o| !matches!(o.status, Some(201 | 503)))
        .collect();
    assert!(unexpected.is_empty(), "only 201 or 503: {unexpected:?}");
    for o in outcomes.iter().filter(|o| status(o) == Some(503)) {
        assert!(o.retry_after, "503 without Retry-After: {o:?}");
        assert_eq!(o.body["code"], "temporarily_unavailable", "{o:?}");
    }
    let slow: Vec<_> = outcomes
        .iter()
        .filter(|o| o.took > Duration::from_secs(3))
        .collect();
    assert!(slow.is_empty(), "answered within 3 s: {slow:?}");
    let longest = outcomes.iter().map(|o| o.took).max().unwrap_or_default();
    eprintln!(
        "outage: {} requests, {} answered 503, longest {longest:?}",
        outcomes.len(),
        outcomes.iter().filter(|o| status(o) == Some(503)).count()
    );
    let refused = outcomes
        .iter()
        .filter(|o| status(o) == Some(503) && o.sent >= stopping)
        .count();
    assert!(refused > 0, "the outage was seen");
    // Served again within 5 s of the database, without a restart, and from then on.
    let first_again = outcomes
        .iter()
        .filter(|o| o.sent >= back && status(o) == Some(201))
        .map(|o| o.sent)
        .min()
        .expect("served again");
    assert!(
        first_again - back < Duration::from_secs(5),
        "served again {:?} after the database",
        first_again - back
    );
    eprintln!(
        "outage: served again {:?} after the database",
        first_again - back
    );
    let late_failures: Vec<_> = outcomes
        .iter()
        .filter(|o| o.sent >= back + Duration::from_secs(5) && status(o) != Some(201))
        .collect();
    assert!(late_failures.is_empty(), "{late_failures:?}");

    // Every token acknowledged with 201 is in the database.
    let acknowledged = acknowledged(&outcomes);
    assert!(acknowledged.len() > 10, "{} created", acknowledged.len());
    let missing = missing_tokens(&pg.url(), &acknowledged);
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
}

/// Takes the database's write lock from another connection, as another process (a backup, a
/// migration, an operator's session) would, until dropped.
enum Lock {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Lock {
    fn take(app: &TestApp) -> Self {
        match app.backend {
            Backend::Sqlite => {
                let path = app.db.url.trim_start_matches("sqlite://");
                let mut conn = SqliteConnection::establish(path).expect("open");
                conn.batch_execute("PRAGMA busy_timeout = 5000; BEGIN EXCLUSIVE")
                    .expect("lock");
                Self::Sqlite(conn)
            }
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&app.db.url).expect("connect");
                conn.batch_execute("BEGIN; LOCK TABLE one_time_tokens IN ACCESS EXCLUSIVE MODE")
                    .expect("lock");
                Self::Postgres(conn)
            }
        }
    }

    fn release(self) {
        let _ = match self {
            Self::Sqlite(mut c) => c.batch_execute("ROLLBACK"),
            Self::Postgres(mut c) => c.batch_execute("ROLLBACK"),
        };
    }
}

async fn create_token(app: &TestApp, bearer: &str, email: &str) -> (Reply, Duration) {
    let started = Instant::now();
    let reply = send(
        reqwest::Client::new()
            .post(app.url("/api/one-time-tokens"))
            .bearer_auth(bearer)
            .json(&json!({ "email": email })),
    )
    .await;
    (reply, started.elapsed())
}

fn assert_unavailable(reply: &Reply) {
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert_eq!(
        reply.json["code"], "temporarily_unavailable",
        "{}",
        reply.text
    );
    assert_eq!(reply.header("retry-after"), Some("2"));
}

async fn a_locked_database_is_503_then_served_again(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.db_timeout_ms = 1000).await;
    let bearer = management_token(&app).await;
    create_token(&app, &bearer, "before@example.com")
        .await
        .0
        .ok(201);

    let lock = Lock::take(&app);
    let (reply, took) = create_token(&app, &bearer, "locked@example.com").await;
    assert_unavailable(&reply);
    assert!(took < Duration::from_millis(2500), "answered in {took:?}");
    lock.release();

    // Served again as soon as the lock is gone (a PostgreSQL thread finishes its wait first).
    let again = Instant::now();
    loop {
        let (reply, _) = create_token(&app, &bearer, "after@example.com").await;
        if reply.status == 201 {
            break;
        }
        assert_unavailable(&reply);
        assert!(again.elapsed() < Duration::from_secs(5), "not served again");
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(health(&app).await.status, 200);
}

async fn a_full_queue_is_refused_at_once(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.db_pool_size = 1;
        s.db_queue_size = 1;
        s.db_timeout_ms = 4000;
    })
    .await;
    let bearer = management_token(&app).await;
    let lock = Lock::take(&app);
    // One request holds the only database thread (waiting for the lock), one waits in the queue.
    let first = {
        let (app, bearer) = (app.clone(), bearer.clone());
        actix_rt::spawn(async move { create_token(&app, &bearer, "first@example.com").await })
    };
    actix_rt::time::sleep(Duration::from_millis(300)).await;
    let second = {
        let (app, bearer) = (app.clone(), bearer.clone());
        actix_rt::spawn(async move { create_token(&app, &bearer, "second@example.com").await })
    };
    actix_rt::time::sleep(Duration::from_millis(300)).await;
    let (third, took) = create_token(&app, &bearer, "third@example.com").await;
    assert_unavailable(&third);
    assert!(
        took < Duration::from_millis(500),
        "refused at once, not after {took:?}"
    );
    let busy = health(&app).await;
    assert_eq!(busy.status, 503);
    assert_eq!(busy.json["database"], "overloaded");

    lock.release();
    for waiting in [first, second] {
        let (reply, _) = waiting.await.expect("request");
        reply.ok(201);
    }
}

on_both_backends!(
    a_locked_database_is_503_then_served_again,
    a_full_queue_is_refused_at_once,
);
