//! `GET /metrics`: a real magic-link flow over HTTP, then a scrape, as Prometheus would. The
//! recorder is one per process, shared by every server this binary starts, so in-process tests
//! compare a scrape before with one after (other tests only ever add to a counter); the test
//! on a `sesame serve` process of its own checks exact counts.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::common::api::{self, Reply};
use crate::common::process::{PUBLIC_URL, create_m2m, start};
use crate::common::rp::{self, CALLBACK};
use crate::common::{
    Backend, TestApp, TestDatabase, browser, create_one_time_token, location, management_token,
    management_token_for, page_error_code,
};

/// One sample line: the metric's name, its labels, its value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A scrape, parsed.
struct Scrape {
    text: String,
    samples: Vec<Sample>,
}

/// The labels of `name{a="x",b="y"}` (quoted values may hold `,`, `{` or `}`).
fn parse_labels(mut rest: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    while let Some(eq) = rest.find("=\"") {
        let key = rest[..eq].trim_start_matches(',').to_owned();
        let value_start = eq + 2;
        let mut value = String::new();
        let mut chars = rest[value_start..].char_indices();
        let mut end = rest.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(if escaped == 'n' { '\n' } else { escaped });
                    }
                }
                '"' => {
                    end = value_start + i + 1;
                    break;
                }
                c => value.push(c),
            }
        }
        labels.insert(key, value);
        rest = &rest[end..];
    }
    labels
}

impl Scrape {
    fn parse(text: String) -> Self {
        let samples = text
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .map(|line| {
                let (series, value) = line.rsplit_once(' ').expect("`series value`");
                let (name, labels) = match series.split_once('{') {
                    Some((name, labels)) => (name, parse_labels(labels.trim_end_matches('}'))),
                    None => (series, BTreeMap::new()),
                };
                Sample {
                    name: name.to_owned(),
                    labels,
                    value: value.parse().expect("a number"),
                }
            })
            .collect();
        Scrape { text, samples }
    }

    /// The sum of `name`'s samples whose labels include `labels` (0 when there is none).
    fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels).map(|s| s.value).sum()
    }

    fn matching<'a>(
        &'a self,
        name: &'a str,
        labels: &'a [(&str, &str)],
    ) -> impl Iterator<Item = &'a Sample> + 'a {
        self.samples.iter().filter(move |s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
    }

    fn has(&self, name: &str) -> bool {
        self.samples.iter().any(|s| s.name == name)
    }
}

/// `GET <base>/metrics`: must be 200 in the Prometheus text format.
async fn scrape_at(base: &str) -> Scrape {
    let reply = api::send(reqwest::Client::new().get(format!("{base}/metrics"))).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let content_type = reply.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    Scrape::parse(reply.text)
}

/// How much each counter went up between two scrapes.
struct Delta<'a> {
    before: &'a Scrape,
    after: &'a Scrape,
}

impl Delta<'_> {
    fn of(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.after.sum(name, labels) - self.before.sum(name, labels)
    }

    /// Asserts `name{labels}` went up by at least `at_least`.
    #[track_caller]
    fn rose(&self, name: &str, labels: &[(&str, &str)], at_least: f64) {
        let by = self.of(name, labels);
        assert!(
            by >= at_least,
            "{name}{labels:?} rose by {by}, expected at least {at_least}:\n{}",
            self.after.text
        );
    }
}

fn requests(
    method: &'static str,
    route: &'static str,
    status: &'static str,
) -> [(&'static str, &'static str); 3] {
    [("method", method), ("route", route), ("status", status)]
}

async fn a_magic_link_flow_is_counted(backend: Backend) {
    let w = rp::World::spawn_with(backend, |s| s.one_time_tokens_per_email_per_hour = 1).await;
    let app = &w.app;
    let before = scrape_at(&app.base).await;
    let user = app.create_user("ada@example.com");

    // Created, then refused by the per-email limit.
    let body = serde_json::json!({ "email": "ada@example.com" });
    let (status, created) = create_one_time_token(&app.base, &w.bearer, body.clone()).await;
    assert_eq!(status, 201, "{created}");
    let token = created["token"].as_str().expect("token").to_owned();
    let token_id = created["id"].as_str().expect("id").to_owned();
    let (status, _) = create_one_time_token(&app.base, &w.bearer, body).await;
    assert_eq!(status, 429);

    // The link signs Ada in, straight back to the application.
    let pending = w.link_request(&token, "ada@example.com", &["email"], &[]);
    let r = browser().get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    assert!(location(&r).starts_with(CALLBACK));
    // The same link again: already used.
    let again = w.link_request(&token, "ada@example.com", &["email"], &[]);
    let r = browser().get(&again.url).send().await.expect("authorize");
    assert_eq!(r.status(), 410);
    let html = r.text().await.expect("html");
    assert_eq!(page_error_code(&html).as_deref(), Some("token_consumed"));
    // A new address registers.
    let (status, fresh) = create_one_time_token(
        &app.base,
        &w.bearer,
        serde_json::json!({ "email": "new@example.com" }),
    )
    .await;
    assert_eq!(status, 201);
    let fresh = fresh["token"].as_str().expect("token");
    let pending = w.link_request(fresh, "new@example.com", &["email"], &[]);
    let r = browser().get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);

    // A route with a parameter, and a path no route matches.
    let reply = api::send(
        reqwest::Client::new()
            .get(app.url(&format!("/api/one-time-tokens/{token_id}")))
            .bearer_auth(&w.bearer),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let stray = format!("/no-such-page-{}", uuid::Uuid::new_v4().simple());
    let reply = api::send(reqwest::Client::new().get(app.url(&stray))).await;
    assert_eq!(reply.status, 404);

    let after = scrape_at(&app.base).await;
    let d = Delta {
        before: &before,
        after: &after,
    };
    // Requests by matched route and status, each with its latency.
    d.rose(
        "sesame_http_requests_total",
        &requests("GET", "/oidc/auth", "303"),
        2.0,
    );
    d.rose(
        "sesame_http_requests_total",
        &requests("GET", "/oidc/auth", "410"),
        1.0,
    );
    d.rose(
        "sesame_http_requests_total",
        &requests("POST", "/api/one-time-tokens", "201"),
        2.0,
    );
    d.rose(
        "sesame_http_requests_total",
        &requests("POST", "/api/one-time-tokens", "429"),
        1.0,
    );
    d.rose(
        "sesame_http_requests_total",
        &requests("GET", "/api/one-time-tokens/{id}", "200"),
        1.0,
    );
    d.rose(
        "sesame_http_requests_total",
        &requests("GET", "unmatched", "404"),
        1.0,
    );
    d.rose(
        "sesame_http_request_duration_seconds_count",
        &requests("GET", "/oidc/auth", "303"),
        2.0,
    );
    let auth_303 = requests("GET", "/oidc/auth", "303");
    let buckets: Vec<_> = after
        .matching("sesame_http_request_duration_seconds_bucket", &auth_303)
        .collect();
    assert!(
        buckets
            .iter()
            .any(|b| b.labels.get("le").map(String::as_str) == Some("+Inf")),
        "a histogram with buckets: {buckets:?}"
    );
    // Never a raw path: the id and the stray path are nowhere.
    assert!(!after.text.contains(&token_id), "{}", after.text);
    assert!(!after.text.contains(&stray), "{}", after.text);
    // Link outcomes, tokens, sign-ins.
    d.rose(
        "sesame_magic_link_outcomes_total",
        &[("result", "signed_in")],
        1.0,
    );
    d.rose(
        "sesame_magic_link_outcomes_total",
        &[("result", "registered")],
        1.0,
    );
    d.rose(
        "sesame_magic_link_outcomes_total",
        &[("result", "token_consumed")],
        1.0,
    );
    d.rose("sesame_one_time_tokens_created_total", &[], 2.0);
    d.rose("sesame_one_time_tokens_rate_limited_total", &[], 1.0);
    d.rose(
        "sesame_sign_ins_total",
        &[("method", "email"), ("mfa", "false")],
        2.0,
    );
    // The database: the queue's wait and depth, the pool.
    d.rose("sesame_db_queue_wait_seconds_count", &[], 1.0);
    assert!(after.has("sesame_db_queue_jobs"), "{}", after.text);
    assert!(
        after.has("sesame_db_pool_idle_connections"),
        "{}",
        after.text
    );
    assert!(
        after.sum("sesame_db_pool_connections", &[]) >= 1.0,
        "{}",
        after.text
    );
    // Nothing secret or personal.
    for secret in [
        token.as_str(),
        fresh,
        w.bearer.as_str(),
        &user.email,
        &user.id,
    ] {
        assert!(!after.text.contains(secret), "{secret} in {}", after.text);
    }
}

async fn the_metrics_bind_serves_metrics_and_nothing_else(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.metrics_bind = "127.0.0.1:0".into()).await;
    let port = app.metrics_port.expect("a metrics listener");
    assert_ne!(port, app.port);
    let http = reqwest::Client::new();
    // The main address: everything but metrics.
    let reply = api::send(http.get(app.url("/metrics"))).await;
    assert_eq!(reply.status, 404, "{}", reply.text);
    assert!(!reply.text.contains("sesame_"), "{}", reply.text);
    let reply = api::send(http.get(app.url("/health"))).await;
    assert_eq!(reply.status, 200);
    // The metrics address: metrics only.
    let metrics_base = format!("http://127.0.0.1:{port}");
    let scrape = scrape_at(&metrics_base).await;
    assert!(scrape.has("sesame_db_pool_connections"), "{}", scrape.text);
    assert!(
        scrape.sum(
            "sesame_http_requests_total",
            &requests("GET", "/health", "200")
        ) >= 1.0,
        "requests on the main address are counted: {}",
        scrape.text
    );
    for path in [
        "/health",
        "/oidc/.well-known/openid-configuration",
        "/api/users",
    ] {
        let reply = api::send(http.get(format!("{metrics_base}{path}"))).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
    }
    let reply = api::send(http.post(format!("{metrics_base}/metrics"))).await;
    assert_eq!(reply.status, 404);
}

async fn clean_up_counts_the_rows_it_deletes(backend: Backend) {
    let w = rp::World::spawn_with(backend, |s| s.one_time_token_retention_days = 1).await;
    let app = &w.app;
    let (status, created) = create_one_time_token(
        &app.base,
        &w.bearer,
        serde_json::json!({ "email": "ada@example.com", "expiresIn": 60 }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    let before = scrape_at(&app.base).await;
    let deleted = |s: &Scrape| {
        s.sum(
            "sesame_cleanup_rows_deleted_total",
            &[("table", "one_time_tokens")],
        )
    };
    // Past its retention and the clean-up interval: the next pass deletes it.
    app.clock.advance(Duration::from_secs(
        24 * 3600 + 60 + app.settings.cleanup_interval_secs as u64 + 1,
    ));
    // The first token has expired by now.
    let bearer = management_token(app).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let gone = api::send(
            reqwest::Client::new()
                .get(app.url(&format!("/api/one-time-tokens/{id}")))
                .bearer_auth(&bearer),
        )
        .await
        .status
            == 404;
        let after = scrape_at(&app.base).await;
        if gone && deleted(&after) > deleted(&before) {
            assert!(after.has("sesame_cleanup_rows_deleted_total"));
            // Every table is counted from the first pass on, zeros too.
            for table in ["sessions", "audit_log", "rate_limits"] {
                assert!(
                    after
                        .matching("sesame_cleanup_rows_deleted_total", &[("table", table)])
                        .next()
                        .is_some(),
                    "{table}: {}",
                    after.text
                );
            }
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no clean-up pass counted: {}",
            after.text
        );
        actix_rt::time::sleep(Duration::from_millis(200)).await;
    }
}

on_both_backends!(
    a_magic_link_flow_is_counted,
    the_metrics_bind_serves_metrics_and_nothing_else,
    clean_up_counts_the_rows_it_deletes,
);

/// A free port on 127.0.0.1 (bound, read, released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A `sesame serve` of its own (so its counts are its own), told the metrics address by
/// `SESAME_METRICS_BIND`.
#[actix_rt::test]
async fn a_process_serves_metrics_where_the_environment_says() {
    let db = TestDatabase::new(Backend::Sqlite);
    let port = free_port();
    let address = format!("127.0.0.1:{port}");
    let sesame = start(&db.url, &[("SESAME_METRICS_BIND", address.as_str())]);
    let m2m = create_m2m(&db.url);
    let bearer = management_token_for(
        &sesame.base,
        PUBLIC_URL,
        m2m["id"].as_str().expect("id"),
        m2m["secret"].as_str().expect("secret"),
    )
    .await;
    let (status, _) = create_one_time_token(
        &sesame.base,
        &bearer,
        serde_json::json!({ "email": "ada@example.com" }),
    )
    .await;
    assert_eq!(status, 201);
    let main: Reply =
        api::send(reqwest::Client::new().get(format!("{}/metrics", sesame.base))).await;
    assert_eq!(main.status, 404);
    let scrape = scrape_at(&format!("http://{address}")).await;
    assert_eq!(
        scrape.sum("sesame_one_time_tokens_created_total", &[]),
        1.0,
        "{}",
        scrape.text
    );
    assert_eq!(
        scrape.sum(
            "sesame_http_requests_total",
            &requests("POST", "/api/one-time-tokens", "201")
        ),
        1.0
    );
    assert_eq!(
        scrape.sum(
            "sesame_http_requests_total",
            &requests("GET", "unmatched", "404")
        ),
        1.0,
        "the main address's /metrics is no route: {}",
        scrape.text
    );
    assert!(
        !scrape.text.contains("sesame_magic_link_outcomes_total{"),
        "no link opened yet"
    );
}
