//! Attack: unbounded input at the authorization endpoint. Every authorization parameter has a
//! length cap, refused with a 400 page naming it before anything is stored; a query string over
//! 8 KiB is refused before any work, and so is a form body over 8 KiB.

use diesel::prelude::*;
use sesame::crypto::{SigningAlg, random_token, sha256_b64url};
use sesame::identity::applications::AppType;
use sesame::storage::schema::interactions;

use crate::common::{Backend, TestApp, assert_error_page, browser};

const CALLBACK: &str = "http://127.0.0.1:9999/callback";

fn count_interactions(app: &TestApp) -> i64 {
    app.storage
        .run_blocking(|c| interactions::table.count().get_result::<i64>(c))
        .expect("count interactions")
}

/// A valid request's parameters (it would start an interaction).
fn valid_request(client_id: &str) -> Vec<(String, String)> {
    let challenge = sha256_b64url(&random_token(32));
    [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", CALLBACK),
        ("scope", "openid email"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("state", "s"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

fn with(mut params: Vec<(String, String)>, name: &str, value: String) -> Vec<(String, String)> {
    params.retain(|(k, _)| k != name);
    params.push((name.to_owned(), value));
    params
}

fn url_of(app: &TestApp, params: &[(String, String)]) -> String {
    let mut url = url::Url::parse(&app.url("/oidc/auth")).expect("url");
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

/// The refusal names the parameter, sets no cookie and stores nothing.
async fn assert_refused(app: &TestApp, r: reqwest::Response, name: &str) {
    assert!(
        r.headers().get("set-cookie").is_none(),
        "{name}: no interaction cookie for a refused request"
    );
    let html = assert_error_page(r, 400, "invalid_request").await;
    assert!(
        html.contains(&format!("The {name} parameter is too long")),
        "{name}: the page names the parameter: {html}"
    );
    assert_eq!(count_interactions(app), 0, "{name}: nothing stored");
}

async fn an_oversized_state_is_refused_not_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (client_id, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::RS256);

    // The control: the same request with a sensible state starts an interaction.
    let r = browser()
        .get(url_of(&app, &valid_request(&client_id)))
        .send()
        .await
        .expect("authorize");
    assert_eq!(r.status(), 303, "a valid request starts an interaction");
    assert_eq!(count_interactions(&app), 1);
    app.storage
        .run_blocking(|c| diesel::delete(interactions::table).execute(c))
        .expect("clear interactions");

    // 4 KiB of state in a form body (under the body limit, over the parameter's cap).
    let params = with(valid_request(&client_id), "state", "s".repeat(4 * 1024));
    let r = browser()
        .post(app.url("/oidc/auth"))
        .form(&params)
        .send()
        .await
        .expect("authorize");
    assert_refused(&app, r, "state").await;

    // Each parameter over its cap in turn, in a query under 8 KiB.
    let oversized: [(&str, String); 11] = [
        ("state", "s".repeat(1025)),
        ("nonce", "n".repeat(513)),
        ("login_hint", format!("{}@example.com", "a".repeat(320))),
        ("one_time_token", "t".repeat(257)),
        ("scope", format!("openid {}", "email ".repeat(200))),
        ("redirect_uri", format!("{CALLBACK}?{}", "x".repeat(2048))),
        ("code_challenge", "c".repeat(129)),
        ("ui_locales", "en ".repeat(100)),
        ("max_age", "9".repeat(11)),
        ("prompt", "login ".repeat(20)),
        ("client_id", "x".repeat(129)),
    ];
    for (name, value) in oversized {
        let params = with(valid_request(&client_id), name, value);
        let url = url_of(&app, &params);
        assert!(url.len() < 8 * 1024, "{name}: under the query limit");
        let r = browser().get(url).send().await.expect("authorize");
        assert_refused(&app, r, name).await;
    }
}

async fn a_query_over_8_kib_is_refused_before_any_work(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (client_id, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::RS256);
    // Many small parameters: each under its cap, the whole over 8 KiB.
    let mut params = valid_request(&client_id);
    for i in 0..100 {
        params.push((format!("extra{i}"), "v".repeat(80)));
    }
    let url = url_of(&app, &params);
    assert!(url.len() > 8 * 1024);
    let r = browser().get(url).send().await.expect("authorize");
    assert!(
        r.status() == 414 || r.status() == 400,
        "refused, got {}",
        r.status()
    );
    assert!(r.headers().get("set-cookie").is_none());
    assert_eq!(count_interactions(&app), 0, "nothing stored");

    // Anywhere, not only at the authorization endpoint.
    let r = reqwest::get(format!(
        "{}/oidc/jwks?pad={}",
        app.base,
        "p".repeat(9 * 1024)
    ))
    .await
    .expect("jwks");
    assert!(r.status() == 414 || r.status() == 400, "{}", r.status());
}

/// A 413 page: nothing parsed, no cookie, nothing stored.
async fn assert_too_large(app: &TestApp, r: reqwest::Response, what: &str) {
    assert!(r.headers().get("set-cookie").is_none(), "{what}: no cookie");
    assert_error_page(r, 413, "invalid_request").await;
    assert_eq!(count_interactions(app), 0, "{what}: nothing stored");
}

async fn a_form_body_over_8_kib_is_refused_before_parsing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (client_id, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::RS256);
    app.create_user("ada@example.com");
    // The authorization endpoint: 200 KB of state (under the 256 KiB a body could have) is
    // refused for its size, before any parameter is read.
    for size in [9 * 1024, 200 * 1024, 300 * 1024] {
        let params = with(valid_request(&client_id), "state", "s".repeat(size));
        let r = browser()
            .post(app.url("/oidc/auth"))
            .form(&params)
            .send()
            .await
            .expect("authorize");
        assert_too_large(&app, r, &format!("/oidc/auth, {size} bytes of state")).await;
    }
    // A request just under the bound is read as usual.
    let mut params = valid_request(&client_id);
    for i in 0..7 {
        params.push((format!("extra{i}"), "v".repeat(1000)));
    }
    let body = serde_urlencoded::to_string(&params).expect("form");
    assert!(body.len() < 8 * 1024, "{}", body.len());
    let b = browser();
    let r = b
        .post(app.url("/oidc/auth"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("authorize");
    assert_eq!(r.status(), 303, "a body under 8 KiB is read");
    let page = app.url(&crate::common::location(&r));

    // The hosted forms: a 20 KB (or 100 KB) password never reaches the form parser or argon2.
    let (_, csrf) = crate::common::open_page(&b, &page).await;
    for size in [20 * 1024, 100 * 1024] {
        let password = "p".repeat(size);
        let r = crate::common::post_sign_in(&b, &page, &csrf, "ada@example.com", &password).await;
        assert!(r.headers().get("set-cookie").is_none());
        assert_error_page(r, 413, "invalid_request").await;
    }
    // The form is still there for a sensible one.
    let r =
        crate::common::post_sign_in(&b, &page, &csrf, "ada@example.com", crate::common::PASSWORD)
            .await;
    assert_eq!(r.status(), 303);
    assert!(crate::common::location(&r).starts_with(CALLBACK));
}

on_both_backends!(
    a_query_over_8_kib_is_refused_before_any_work,
    an_oversized_state_is_refused_not_stored,
    a_form_body_over_8_kib_is_refused_before_parsing,
);
