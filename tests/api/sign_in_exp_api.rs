//! The Management API for the sign-in experience, over HTTP against a real Sesame on both
//! backends: bearer authentication, the configured defaults, partial changes merged and kept,
//! validation that changes nothing, and changes that the hosted pages obey at once, on every
//! instance.

use crate::common::api::{self, Reply, assert_invalid};
use crate::common::{
    Backend, TestApp, browser, input_value, management_token, page_error_code, start_interaction,
};
use serde_json::{Value, json};
use sesame::crypto::SigningAlg;
use sesame::identity::applications::AppType;

const CALLBACK: &str = "http://127.0.0.1:9999/callback";

async fn call(app: &TestApp, bearer: Option<&str>, method: &str, body: Option<&str>) -> Reply {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = reqwest::Client::new().request(method, app.url("/api/sign-in-exp"));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    api::send(request).await
}

async fn get(app: &TestApp, bearer: &str) -> Value {
    call(app, Some(bearer), "GET", None).await.ok(200).clone()
}

async fn patch(app: &TestApp, bearer: &str, body: Value) -> Reply {
    call(app, Some(bearer), "PATCH", Some(&body.to_string())).await
}

/// What the default settings give.
fn defaults() -> Value {
    json!({
        "signUp": {
            "enabled": true, "requirePassword": false, "requireName": false, "verifyEmail": true,
        },
        "mfa": {"policy": "off"},
        "passwordPolicy": {"minLength": 8, "rejectBreached": false},
        "magicLink": {"requireConfirmation": false, "hostedSignIn": true},
    })
}

async fn every_route_requires_a_bearer_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bearer = management_token(&app).await;
    let change = json!({"signUp": {"enabled": false}}).to_string();
    for token in [None, Some("not-a-token")] {
        for (method, body) in [("GET", None), ("PATCH", Some(change.as_str()))] {
            let reply = call(&app, token, method, body).await;
            assert_eq!(reply.status, 401, "{method}: {}", reply.text);
            assert_eq!(reply.json["code"], "unauthorized");
        }
    }
    assert_eq!(get(&app, &bearer).await, defaults(), "nothing changed");
}

async fn shows_the_configured_defaults(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.sign_up_enabled = false;
        s.sign_up_require_password = true;
        s.sign_up_require_name = true;
        s.password_min_length = 12;
    })
    .await;
    let bearer = management_token(&app).await;
    assert_eq!(
        get(&app, &bearer).await,
        json!({
            "signUp": {
                "enabled": false, "requirePassword": true, "requireName": true,
                "verifyEmail": true,
            },
            "mfa": {"policy": "off"},
            "passwordPolicy": {"minLength": 12, "rejectBreached": false},
            "magicLink": {"requireConfirmation": false, "hostedSignIn": true},
        })
    );
}

async fn partial_changes_merge_and_persist(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bearer = management_token(&app).await;
    let mut expected = defaults();
    for (change, field, value) in [
        (
            json!({"passwordPolicy": {"minLength": 12}}),
            "/passwordPolicy/minLength",
            json!(12),
        ),
        (
            json!({"mfa": {"policy": "user"}}),
            "/mfa/policy",
            json!("user"),
        ),
        (
            json!({"signUp": {"requireName": true}}),
            "/signUp/requireName",
            json!(true),
        ),
        (
            json!({"passwordPolicy": {"rejectBreached": true}}),
            "/passwordPolicy/rejectBreached",
            json!(true),
        ),
        (
            json!({"magicLink": {"requireConfirmation": true}}),
            "/magicLink/requireConfirmation",
            json!(true),
        ),
        (
            json!({"magicLink": {"hostedSignIn": false}}),
            "/magicLink/hostedSignIn",
            json!(false),
        ),
        (
            json!({"mfa": {"policy": "mandatory"}}),
            "/mfa/policy",
            json!("mandatory"),
        ),
        (
            json!({"signUp": {"verifyEmail": false}}),
            "/signUp/verifyEmail",
            json!(false),
        ),
        (
            json!({"signUp": {"enabled": false, "requirePassword": true}}),
            "/signUp/enabled",
            json!(false),
        ),
    ] {
        *expected.pointer_mut(field).expect("field") = value;
        if field == "/signUp/enabled" {
            expected["signUp"]["requirePassword"] = json!(true);
        }
        let reply = patch(&app, &bearer, change.clone()).await;
        assert_eq!(*reply.ok(200), expected, "after {change}");
        assert_eq!(get(&app, &bearer).await, expected, "kept after {change}");
    }
    // An empty change changes nothing; boundaries are accepted.
    assert_eq!(*patch(&app, &bearer, json!({})).await.ok(200), expected);
    for n in [1, 256] {
        let reply = patch(&app, &bearer, json!({"passwordPolicy": {"minLength": n}})).await;
        assert_eq!(reply.ok(200)["passwordPolicy"]["minLength"], n);
    }
    // Another instance on the same database reads the same experience.
    let other = TestApp::spawn_on(app.db.clone(), backend, |_| {}).await;
    let other_bearer = management_token(&other).await;
    assert_eq!(get(&other, &other_bearer).await, get(&app, &bearer).await);
}

async fn invalid_changes_are_refused_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bearer = management_token(&app).await;
    for (body, field) in [
        (json!({"signUp": {"enabled": "false"}}), "signUp.enabled"),
        (json!({"signUp": {"enabled": null}}), "signUp.enabled"),
        (
            json!({"signUp": {"requirePassword": 1}}),
            "signUp.requirePassword",
        ),
        (
            json!({"signUp": {"requireName": "yes"}}),
            "signUp.requireName",
        ),
        (json!({"signUp": {"open": true}}), "signUp.open"),
        (json!({"signUp": {"verifyEmail": 1}}), "signUp.verifyEmail"),
        (json!({"signUp": false}), "signUp"),
        (json!({"mfa": {"policy": "always"}}), "mfa.policy"),
        (json!({"mfa": {"policy": "Off"}}), "mfa.policy"),
        (json!({"mfa": {"policy": null}}), "mfa.policy"),
        (json!({"mfa": {"factors": ["totp"]}}), "mfa.factors"),
        (json!({"mfa": "off"}), "mfa"),
        (
            json!({"magicLink": {"requireConfirmation": "true"}}),
            "magicLink.requireConfirmation",
        ),
        (json!({"magicLink": null}), "magicLink"),
        (
            json!({"passwordPolicy": {"minLength": 0}}),
            "passwordPolicy.minLength",
        ),
        (
            json!({"passwordPolicy": {"minLength": 257}}),
            "passwordPolicy.minLength",
        ),
        (
            json!({"passwordPolicy": {"minLength": -8}}),
            "passwordPolicy.minLength",
        ),
        (
            json!({"passwordPolicy": {"minLength": 8.5}}),
            "passwordPolicy.minLength",
        ),
        (
            json!({"passwordPolicy": {"minLength": "8"}}),
            "passwordPolicy.minLength",
        ),
        (
            json!({"passwordPolicy": {"rejectBreached": "yes"}}),
            "passwordPolicy.rejectBreached",
        ),
        (
            json!({"passwordPolicy": {"maxLength": 64}}),
            "passwordPolicy.maxLength",
        ),
        (json!({"branding": {"color": "#000"}}), "branding"),
        // A valid change next to an invalid one is not applied either.
        (
            json!({"signUp": {"enabled": false}, "mfa": {"policy": "sometimes"}}),
            "mfa.policy",
        ),
    ] {
        assert_invalid(&patch(&app, &bearer, body).await, field);
    }
    for raw in ["", "null", "[]", "true", "{\"signUp\":"] {
        let reply = call(&app, Some(&bearer), "PATCH", Some(raw)).await;
        assert_eq!(
            (reply.status, reply.json["code"].as_str()),
            (400, Some("invalid_input")),
            "{raw:?}: {}",
            reply.text
        );
    }
    assert_eq!(get(&app, &bearer).await, defaults(), "nothing changed");
}

/// A new interaction of a single-page app in `browser`; returns its page URL.
async fn interaction(app: &TestApp, client_id: &str, b: &reqwest::Client) -> String {
    let mut url = url::Url::parse(&app.url("/oidc/auth")).expect("url");
    url.query_pairs_mut().extend_pairs([
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", CALLBACK),
        ("scope", "openid"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
    ]);
    start_interaction(app, b, url.as_str()).await
}

async fn register_page_status(b: &reqwest::Client, page: &str) -> (u16, String) {
    let r = b
        .get(format!("{page}/register"))
        .send()
        .await
        .expect("register page");
    (r.status().as_u16(), r.text().await.expect("html"))
}

async fn users_total(app: &TestApp, bearer: &str) -> String {
    reqwest::Client::new()
        .get(app.url("/api/users"))
        .bearer_auth(bearer)
        .send()
        .await
        .expect("users")
        .headers()
        .get("Total-Number")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn closing_sign_up_applies_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let other = TestApp::spawn_on(app.db.clone(), backend, |_| {}).await;
    let bearer = management_token(&app).await;
    let (client_id, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::RS256);
    let b = browser();
    let page = interaction(&app, &client_id, &b).await;
    let (status, html) = register_page_status(&b, &page).await;
    assert_eq!(status, 200, "registration is open by default");
    let csrf = input_value(&html, "csrf").expect("csrf");
    let other_browser = browser();
    let other_page = interaction(&other, &client_id, &other_browser).await;
    assert_eq!(
        register_page_status(&other_browser, &other_page).await.0,
        200
    );

    let closed = patch(&app, &bearer, json!({"signUp": {"enabled": false}})).await;
    assert_eq!(closed.ok(200)["signUp"]["enabled"], false);
    assert_eq!(closed.json["passwordPolicy"], defaults()["passwordPolicy"]);

    // The page already open refuses, here and on the other instance, and so does the form.
    for (b, page) in [(&b, &page), (&other_browser, &other_page)] {
        let (status, html) = register_page_status(b, page).await;
        assert_eq!(status, 403, "{html}");
        assert_eq!(page_error_code(&html).as_deref(), Some("sign_up_disabled"));
    }
    let r = b
        .post(format!("{page}/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "new@example.com"),
            ("password", "a long enough password"),
            ("name", "New Person"),
        ])
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 403);
    assert_eq!(users_total(&app, &bearer).await, "0", "nobody registered");

    // Reopened (without the mailed code, so the account exists at once), the same form
    // registers.
    patch(
        &app,
        &bearer,
        json!({"signUp": {"enabled": true, "verifyEmail": false}}),
    )
    .await
    .ok(200);
    assert_eq!(register_page_status(&b, &page).await.0, 200);
    let r = b
        .post(format!("{page}/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "new@example.com"),
            ("password", "a long enough password"),
            ("name", "New Person"),
        ])
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 303);
    assert_eq!(users_total(&app, &bearer).await, "1");
}

on_both_backends!(
    every_route_requires_a_bearer_token,
    shows_the_configured_defaults,
    partial_changes_merge_and_persist,
    invalid_changes_are_refused_and_change_nothing,
    closing_sign_up_applies_at_once,
);
