//! Clean-up: 10,000 expired or finished rows of each kind go, the live ones stay, whether the
//! pass runs from `sesame cleanup`, from the server's schedule as its clock moves, or one
//! instance at a time; and a rotated-out refresh token still reveals a stolen family after it.

use std::time::Duration;

use diesel::prelude::*;
use serde_json::{Value, json};
use sesame::crypto::{SigningAlg, sha256_b64url};
use sesame::identity::applications::AppType;
use sesame::storage::DbConnection;
use sesame::storage::audit::AuditRecord;
use sesame::storage::cleanup::{CLEANUP_LOCK, Removed};
use sesame::storage::email_codes::EmailCodeRecord;
use sesame::storage::grants::{AccessTokenRecord, CodeRecord, RefreshTokenRecord};
use sesame::storage::hosted_links::HostedLinkRecord;
use sesame::storage::interactions::InteractionRecord;
use sesame::storage::one_time_tokens::OneTimeTokenRecord;
use sesame::storage::outbox::{MailKind, OutboxRecord};
use sesame::storage::schema;
use sesame::storage::sessions::SessionRecord;

use crate::common::api::{Reply, token_request};
use crate::common::{
    Backend, TestApp, browser, code_request, now_ms, query_param, run_sesame, sign_in,
};

const EXPIRED: usize = 10_000;
const DAY: i64 = 24 * 3600 * 1000;
const CALLBACK: &str = "http://127.0.0.1:9999/callback";
const EMAIL: &str = "ada@example.com";

/// Runs `$body` with `$conn` the backend's own diesel connection: bulk inserts of many rows
/// are written once per backend, as `MultiConnection` does not batch them.
macro_rules! on_conn {
    ($app:expr, |$conn:ident| $body:expr) => {
        $app.storage
            .run_blocking(|c| match c {
                DbConnection::Postgres($conn) => $body,
                DbConnection::Sqlite($conn) => $body,
            })
            .expect("bulk insert")
    };
}

/// Inserts `rows` into `$table`, 1,000 per statement.
macro_rules! insert_all {
    ($app:expr, $table:path, $rows:expr) => {{
        let rows = $rows;
        on_conn!($app, |conn| {
            for chunk in rows.chunks(1000) {
                diesel::insert_into($table).values(chunk).execute(conn)?;
            }
            Ok::<_, diesel::result::Error>(())
        })
    }};
}

/// How many rows each table holds now.
fn counts(app: &TestApp) -> Value {
    use schema::*;
    app.storage
        .run_blocking(|c| {
            Ok::<_, diesel::result::Error>(json!({
                "interactions": interactions::table.count().get_result::<i64>(c)?,
                "sessions": sessions::table.count().get_result::<i64>(c)?,
                "authorization_codes": authorization_codes::table.count().get_result::<i64>(c)?,
                "access_tokens": access_tokens::table.count().get_result::<i64>(c)?,
                "refresh_tokens": refresh_tokens::table.count().get_result::<i64>(c)?,
                "grants": grants::table.count().get_result::<i64>(c)?,
                "one_time_tokens": one_time_tokens::table.count().get_result::<i64>(c)?,
                "rate_limits": rate_limits::table.count().get_result::<i64>(c)?,
                "audit_log": audit_log::table.count().get_result::<i64>(c)?,
                "outbox": outbox::table.count().get_result::<i64>(c)?,
                "hosted_links": hosted_links::table.count().get_result::<i64>(c)?,
                "email_codes": email_codes::table.count().get_result::<i64>(c)?,
            }))
        })
        .expect("counts")
}

fn each(n: usize) -> Value {
    json!({
        "interactions": n, "sessions": n, "authorization_codes": n, "access_tokens": n,
        "refresh_tokens": n, "grants": n, "one_time_tokens": n, "rate_limits": n, "audit_log": n,
        "outbox": n, "hosted_links": n, "email_codes": n,
    })
}

/// What stays of [`fill`]: its live rows, and the consumed code and rotated-out refresh
/// tokens of its live grant.
fn live() -> Value {
    json!({
        "interactions": 5, "sessions": 5, "authorization_codes": 10, "access_tokens": 5,
        "refresh_tokens": 6, "grants": 1, "one_time_tokens": 10, "rate_limits": 5, "audit_log": 5,
        "outbox": 5, "hosted_links": 5, "email_codes": 5,
    })
}

/// 10,000 rows of each kind that a clean-up at `now` removes, and rows it must keep.
fn fill(app: &TestApp, now: i64) {
    let user = app.create_user(EMAIL).id;
    let (client, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::RS256);
    let (past, future) = (now - DAY, now + DAY);
    let n = |i: usize, kind: &str| format!("{kind}-{i}");

    let interaction = |i: usize, expires_at| InteractionRecord {
        id_hash: n(i, "interaction"),
        request: "{}".into(),
        csrf: "csrf".into(),
        state: "{}".into(),
        created_at: expires_at - 3_600_000,
        expires_at,
        secret_hash: None,
    };
    let rows: Vec<_> = (0..EXPIRED + 5)
        .map(|i| interaction(i, if i < EXPIRED { past } else { future }))
        .collect();
    insert_all!(app, schema::interactions::table, rows);

    let session = |i: usize, expires_at| SessionRecord {
        id: n(i, "session"),
        token_hash: n(i, "session-hash"),
        user_id: user.clone(),
        auth_time: expires_at - DAY,
        amr: "pwd".into(),
        created_at: expires_at - DAY,
        expires_at,
    };
    let rows: Vec<_> = (0..EXPIRED + 5)
        .map(|i| session(i, if i < EXPIRED { past } else { future }))
        .collect();
    insert_all!(app, schema::sessions::table, rows);

    // Expired grants "dead-i", and one live grant whose history must stay.
    let access = |i: usize, grant: String, expires_at| AccessTokenRecord {
        token_hash: n(i, "access"),
        grant_id: grant,
        application_id: client.clone(),
        user_id: user.clone(),
        scope: "openid".into(),
        created_at: expires_at - 3_600_000,
        expires_at,
        revoked_at: None,
    };
    let rows: Vec<_> = (0..EXPIRED + 5)
        .map(|i| match i < EXPIRED {
            true => access(i, n(i, "dead"), past),
            false => access(i, "live".into(), future),
        })
        .collect();
    insert_all!(app, schema::access_tokens::table, rows);

    let code = |i: usize, grant: String, expires_at, consumed: bool| CodeRecord {
        code_hash: n(i, "code"),
        grant_id: grant,
        application_id: client.clone(),
        user_id: user.clone(),
        redirect_uri: CALLBACK.into(),
        scope: "openid".into(),
        nonce: None,
        code_challenge: None,
        auth_time: expires_at - 60_000,
        amr: "pwd".into(),
        created_at: expires_at - 60_000,
        expires_at,
        consumed_at: consumed.then_some(expires_at - 30_000),
    };
    let rows: Vec<_> = (0..EXPIRED + 10)
        .map(|i| match i {
            // Never redeemed, or redeemed for a grant that is over.
            i if i < EXPIRED => code(i, n(i, "dead"), past, i % 2 == 0),
            // Redeemed for the live grant: a replay must still revoke it.
            i if i < EXPIRED + 5 => code(i, "live".into(), past, true),
            i => code(i, n(i, "fresh"), future, false),
        })
        .collect();
    insert_all!(app, schema::authorization_codes::table, rows);

    let refresh = |i: usize, grant: String, expires_at, consumed: bool| RefreshTokenRecord {
        token_hash: n(i, "refresh"),
        grant_id: grant,
        application_id: client.clone(),
        user_id: user.clone(),
        scope: "openid offline_access".into(),
        nonce: None,
        auth_time: expires_at - 14 * DAY,
        amr: "pwd".into(),
        created_at: expires_at - 14 * DAY,
        expires_at,
        consumed_at: consumed.then_some(expires_at - DAY),
        revoked_at: None,
    };
    let rows: Vec<_> = (0..EXPIRED + 6)
        .map(|i| match i {
            i if i < EXPIRED => refresh(i, n(i, "dead"), past, i % 2 == 0),
            // Rotated out, expired, of the live grant: kept for reuse detection.
            i if i < EXPIRED + 5 => refresh(i, "live".into(), past, true),
            i => refresh(i, "live".into(), future, false),
        })
        .collect();
    insert_all!(app, schema::refresh_tokens::table, rows);
    let rows: Vec<_> = (0..EXPIRED + 1)
        .map(|i| match i < EXPIRED {
            true => schema::grants::id.eq(n(i, "dead")),
            false => schema::grants::id.eq("live".to_owned()),
        })
        .collect();
    insert_all!(app, schema::grants::table, rows);

    let retention = 30 * DAY;
    let ott = |i: usize, status: &str, created_at: i64, expires_at: i64| OneTimeTokenRecord {
        id: n(i, "ott"),
        token_hash: n(i, "ott-hash"),
        email: EMAIL.into(),
        email_lower: EMAIL.into(),
        context: "{}".into(),
        status: status.into(),
        application_id: None,
        created_at,
        expires_at,
        consumed_at: (status == "consumed").then_some(created_at + 1000),
    };
    let old = now - retention - DAY;
    let rows: Vec<_> = (0..EXPIRED + 10)
        .map(|i| match i {
            // Expired longer ago than the retention.
            i if i < EXPIRED / 2 => ott(i, "active", old - DAY, old),
            // Consumed or revoked, created longer ago than the retention.
            i if i < EXPIRED => ott(i, ["consumed", "revoked"][i % 2], old, future),
            // Still usable, however old.
            i if i < EXPIRED + 5 => ott(i, "active", old, future),
            // Finished within the retention.
            i => ott(i, "consumed", past, future),
        })
        .collect();
    insert_all!(app, schema::one_time_tokens::table, rows);

    use schema::rate_limits::dsl as rl;
    let rows: Vec<_> = (0..EXPIRED + 5)
        .map(|i| {
            let start = if i < EXPIRED { now - 2 * DAY } else { now };
            (
                rl::key.eq(n(i, "limit")),
                rl::count.eq(1),
                rl::window_start.eq(start),
            )
        })
        .collect();
    insert_all!(app, rl::rate_limits, rows);

    let audit = |i: usize, created_at| AuditRecord {
        id: n(i, "audit"),
        event: "created".into(),
        token_id: Some(n(i, "ott")),
        application_id: None,
        client_ip: None,
        detail: None,
        created_at,
    };
    let rows: Vec<_> = (0..EXPIRED + 5)
        .map(|i| {
            audit(
                i,
                if i < EXPIRED {
                    now - 91 * DAY
                } else {
                    now - DAY
                },
            )
        })
        .collect();
    insert_all!(app, schema::audit_log::table, rows);

    // Mails sent or given up on 8 days ago go (retention 7 days); pending ones, and ones
    // settled yesterday, stay.
    let mail = |i: usize, status: &str, finished_at: Option<i64>| OutboxRecord {
        id: n(i, "mail"),
        status: status.into(),
        finished_at,
        ..OutboxRecord::pending(
            MailKind::SignInLink,
            EMAIL,
            "en",
            String::new(),
            None,
            now - 9 * DAY,
        )
    };
    let rows: Vec<_> = (0..EXPIRED + 5)
        .map(|i| match i {
            i if i < EXPIRED / 2 => mail(i, "sent", Some(now - 8 * DAY)),
            i if i < EXPIRED => mail(i, "failed", Some(now - 8 * DAY)),
            i if i < EXPIRED + 3 => mail(i, "pending", None),
            i => mail(i, "sent", Some(now - DAY)),
        })
        .collect();
    insert_all!(app, schema::outbox::table, rows);

    // Hosted sign-in requests go once expired (sending again renews the expiry).
    let hosted = |i: usize, expires_at: i64| HostedLinkRecord {
        id: n(i, "hosted"),
        interaction_hash: n(i, "hosted-interaction"),
        sealed_uid: String::new(),
        email: EMAIL.into(),
        token_hash: n(i, "hosted-token"),
        code_hash: String::new(),
        attempts: 0,
        created_at: expires_at - 15 * 60_000,
        expires_at,
        consumed_at: i.is_multiple_of(2).then_some(expires_at - 1000),
        last_sent_at: expires_at - 15 * 60_000,
    };
    let rows: Vec<_> = (0..EXPIRED + 5)
        .map(|i| hosted(i, if i < EXPIRED { past } else { future }))
        .collect();
    insert_all!(app, schema::hosted_links::table, rows);
    // Mailed codes go once expired, spent or not; live ones stay.
    let code = |i: usize, expires_at: i64, consumed_at: Option<i64>| EmailCodeRecord {
        id: n(i, "code"),
        purpose: "sign_up".into(),
        interaction_hash: n(i, "interaction"),
        email: EMAIL.into(),
        user_id: None,
        code_hash: n(i, "hash"),
        link_hash: None,
        name: None,
        password_hash: None,
        attempts: 0,
        verified_at: None,
        sent_at: expires_at - 900_000,
        created_at: expires_at - 900_000,
        expires_at,
        consumed_at,
    };
    let rows: Vec<_> = (0..EXPIRED + 5)
        .map(|i| match i {
            i if i < EXPIRED / 2 => code(i, past, None),
            i if i < EXPIRED => code(i, past, Some(past - 1000)),
            i => code(i, future, None),
        })
        .collect();
    insert_all!(app, schema::email_codes::table, rows);

    assert_eq!(
        counts(app),
        json!({
            "interactions": EXPIRED + 5, "sessions": EXPIRED + 5,
            "authorization_codes": EXPIRED + 10, "access_tokens": EXPIRED + 5,
            "refresh_tokens": EXPIRED + 6, "grants": EXPIRED + 1,
            "one_time_tokens": EXPIRED + 10,
            "rate_limits": EXPIRED + 5, "audit_log": EXPIRED + 5, "outbox": EXPIRED + 5,
            "hosted_links": EXPIRED + 5,
            "email_codes": EXPIRED + 5,
        })
    );
}

async fn sesame_cleanup_removes_expired_rows_and_keeps_live_ones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    fill(&app, now_ms());
    let out = run_sesame(&["--database-url", &app.db.url, "cleanup"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let removed: Value = serde_json::from_slice(&out.stdout).expect("JSON counts per table");
    assert_eq!(removed, each(EXPIRED));
    assert_eq!(counts(&app), live());
    // Nothing is left to remove.
    let again = run_sesame(&["--database-url", &app.db.url, "cleanup"]);
    assert_eq!(
        serde_json::from_slice::<Value>(&again.stdout).expect("JSON"),
        each(0)
    );
}

async fn the_schedule_cleans_up_when_the_clock_reaches_the_interval(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    fill(&app, now_ms());
    // Not yet due: the first pass comes one interval after start.
    assert_eq!(counts(&app)["sessions"], EXPIRED + 5);
    app.clock.advance(Duration::from_secs(
        app.settings.cleanup_interval_secs as u64 + 1,
    ));
    // The schedule looks at the clock every second of real time; wait for its pass to end.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while counts(&app) != live() {
        assert!(
            std::time::Instant::now() < deadline,
            "no clean-up pass: {}",
            counts(&app)
        );
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn one_instance_cleans_up_at_a_time(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.cleanup_interval_secs = 0).await;
    fill(&app, now_ms());
    let pass = || sesame::cleanup::run_once(&app.storage, &app.settings, app.clock.now_ms());
    if backend == Backend::Postgres {
        // Another instance holds the lock: this pass is skipped and deletes nothing.
        let url = app.db.url.clone();
        let mut other = PgConnection::establish(&url).expect("connect");
        diesel::sql_query(format!("SELECT pg_advisory_lock({CLEANUP_LOCK})"))
            .execute(&mut other)
            .expect("lock");
        assert_eq!(pass().await.expect("pass"), None);
        assert_eq!(counts(&app)["sessions"], EXPIRED + 5);
        let out = run_sesame(&["--database-url", &app.db.url, "cleanup"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "the command line waits its turn too"
        );
        diesel::sql_query(format!("SELECT pg_advisory_unlock({CLEANUP_LOCK})"))
            .execute(&mut other)
            .expect("unlock");
    }
    let removed = pass().await.expect("pass").expect("the lock is free");
    assert_eq!(serde_json::to_value(removed).expect("json"), each(EXPIRED));
    assert_eq!(counts(&app), live());
    assert_eq!(pass().await.expect("pass"), Some(Removed::default()));
}

/// A pass that takes longer than a request may wait for the database (100 ms here, the least
/// allowed, against 10,000 rows of each kind) is waited for: it is neither reported as failed
/// while it carries on, nor are its counts lost.
async fn a_pass_longer_than_a_request_may_wait_is_waited_for(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.cleanup_interval_secs = 0;
        s.db_timeout_ms = 100;
    })
    .await;
    fill(&app, now_ms());
    let started = std::time::Instant::now();
    let removed = sesame::cleanup::run_once(&app.storage, &app.settings, app.clock.now_ms())
        .await
        .expect("a long pass is no failure")
        .expect("the lock is free");
    let took = started.elapsed();
    assert_eq!(serde_json::to_value(removed).expect("json"), each(EXPIRED));
    assert_eq!(counts(&app), live());
    if backend == Backend::Postgres {
        // Else the test proves nothing: the pass is one job, which must outlast the wait.
        assert!(took > Duration::from_millis(100), "the pass took {took:?}");
    }
}

/// Signs in for `openid offline_access` and redeems the code.
async fn first_tokens(app: &TestApp, client: &str) -> Reply {
    let (url, verifier) = code_request(app, client, CALLBACK, "openid offline_access", "s");
    let callback = sign_in(app, &browser(), &url, EMAIL).await;
    let code = query_param(&callback, "code").expect("code");
    let reply = token_request(
        app,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
            ("client_id", client),
        ],
    )
    .await;
    reply.ok(200);
    reply
}

async fn refresh(app: &TestApp, client: &str, token: &str) -> Reply {
    token_request(
        app,
        None,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("client_id", client),
        ],
    )
    .await
}

fn refresh_rows(app: &TestApp, token: &str) -> i64 {
    let hash = sha256_b64url(token);
    app.storage
        .run_blocking(|c| {
            use schema::refresh_tokens::dsl::*;
            refresh_tokens
                .filter(token_hash.eq(&hash))
                .count()
                .get_result::<i64>(c)
        })
        .expect("count")
}

async fn a_replayed_refresh_token_still_revokes_its_family_after_clean_up(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.refresh_token_ttl_secs = 3600;
        s.cleanup_interval_secs = 0;
    })
    .await;
    app.create_user(EMAIL);
    let (client, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::RS256);
    let pass = || sesame::cleanup::run_once(&app.storage, &app.settings, app.clock.now_ms());

    let first = first_tokens(&app, &client).await;
    let stolen = first.str("refresh_token");
    // The thief rotates the stolen token shortly before it expires ...
    app.clock.advance(Duration::from_secs(50 * 60));
    let rotated = refresh(&app, &client, &stolen).await;
    rotated.ok(200);
    let thiefs = rotated.str("refresh_token");
    // ... and a clean-up runs after the stolen token's own expiry, the family still live.
    app.clock.advance(Duration::from_secs(30 * 60));
    let removed = pass().await.expect("pass").expect("ran");
    assert_eq!(removed.refresh_tokens, 0, "the family is live: {removed:?}");
    assert_eq!(removed.authorization_codes, 0);
    assert_eq!(removed.access_tokens, 1, "the first access token expired");
    assert_eq!(refresh_rows(&app, &stolen), 1);

    // The owner presents the token the thief rotated: a replay, and the family is revoked.
    refresh(&app, &client, &stolen)
        .await
        .assert_oauth_error(400, "invalid_grant");
    refresh(&app, &client, &thiefs)
        .await
        .assert_oauth_error(400, "invalid_grant");

    // Once no token of the family can be used any more, all of it goes.
    app.clock.advance(Duration::from_secs(2 * 3600));
    let removed = pass().await.expect("pass").expect("ran");
    assert_eq!(removed.refresh_tokens, 2, "{removed:?}");
    assert_eq!(removed.authorization_codes, 1);
    assert_eq!(refresh_rows(&app, &stolen) + refresh_rows(&app, &thiefs), 0);
}

on_both_backends!(
    sesame_cleanup_removes_expired_rows_and_keeps_live_ones,
    the_schedule_cleans_up_when_the_clock_reaches_the_interval,
    one_instance_cleans_up_at_a_time,
    a_pass_longer_than_a_request_may_wait_is_waited_for,
    a_replayed_refresh_token_still_revokes_its_family_after_clean_up,
);
