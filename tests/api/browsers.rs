//! What browsers see: CORS only for registered single-page-app origins and never on the
//! authorization endpoint, hosted pages that cannot be framed and work without JavaScript,
//! cookies with the right attributes, a health check, and no 500 for bad input.

use crate::common::{
    Backend, PASSWORD, TestApp, browser, code_request, input_value, location, no_redirects,
    open_page, page_html, post_sign_in, start_interaction,
};
use reqwest::Method;
use serde_json::Value;
use sesame::crypto::SigningAlg;
use sesame::identity::applications::AppType;

const SPA_CALLBACK: &str = "http://localhost:5173/callback";
const SPA_ORIGIN: &str = "http://localhost:5173";
const WEB_CALLBACK: &str = "http://localhost:8080/callback";
const ADA: &str = "ada@example.com";

/// The endpoints a single-page app calls from its own origin.
const CORS_ENDPOINTS: [(&str, &str); 5] = [
    ("GET", "/oidc/.well-known/openid-configuration"),
    ("GET", "/oidc/jwks"),
    ("POST", "/oidc/token"),
    ("GET", "/oidc/me"),
    ("POST", "/oidc/token/revocation"),
];

/// A server with Ada, a SPA and a traditional web app.
struct Env {
    app: TestApp,
    spa_id: String,
}

async fn env(backend: Backend) -> Env {
    let app = TestApp::spawn(backend).await;
    app.create_user(ADA);
    let (spa_id, _) = app.create_app(AppType::Spa, &[SPA_CALLBACK], SigningAlg::ES256);
    app.create_app(AppType::Traditional, &[WEB_CALLBACK], SigningAlg::ES256);
    Env { app, spa_id }
}

/// A PKCE authorization request of the SPA; returns (url, verifier).
fn spa_request(env: &Env) -> (String, String) {
    code_request(&env.app, &env.spa_id, SPA_CALLBACK, "openid email", "st")
}

fn header(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get(name)
        .map(|v| v.to_str().expect("ascii header").to_owned())
}

/// Calls one of `CORS_ENDPOINTS` the way the SPA would, with `origin`.
async fn call(env: &Env, method: &str, path: &str, origin: &str) -> reqwest::Response {
    let client = reqwest::Client::new();
    let url = env.app.url(path);
    let request = match method {
        "GET" => client.get(url),
        _ => client.post(url).form(&[
            ("client_id", env.spa_id.as_str()),
            ("grant_type", "authorization_code"),
            ("code", "not-a-code"),
            ("redirect_uri", SPA_CALLBACK),
            ("token", "not-a-token"),
        ]),
    };
    request
        .header("Origin", origin)
        .send()
        .await
        .expect("request")
}

async fn preflight(env: &Env, path: &str, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(Method::OPTIONS, env.app.url(path))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .expect("preflight")
}

fn assert_no_cors(r: &reqwest::Response, what: &str) {
    for name in [
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-allow-credentials",
    ] {
        assert!(
            r.headers().get(name).is_none(),
            "{what}: unexpected {name}: {:?}",
            r.headers().get(name)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// CORS

async fn cors_answers_a_registered_spa_origin(backend: Backend) {
    let env = env(backend).await;
    for (method, path) in CORS_ENDPOINTS {
        let r = call(&env, method, path, SPA_ORIGIN).await;
        assert!(r.status().as_u16() < 500, "{method} {path}: {}", r.status());
        assert_eq!(
            header(&r, "access-control-allow-origin").as_deref(),
            Some(SPA_ORIGIN),
            "{method} {path} (status {})",
            r.status()
        );
        assert!(
            header(&r, "vary").is_some_and(|v| v.to_ascii_lowercase().contains("origin")),
            "{method} {path}: Vary: Origin"
        );
    }

    // The SPA's real calls: code exchange and userinfo, read from its origin.
    let browser = browser();
    let (url, verifier) = spa_request(&env);
    let callback = crate::common::sign_in(&env.app, &browser, &url, ADA).await;
    let code = crate::common::query_param(&callback, "code").expect("code");
    let r = reqwest::Client::new()
        .post(env.app.url("/oidc/token"))
        .header("Origin", SPA_ORIGIN)
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", env.spa_id.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", SPA_CALLBACK),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(r.status(), 200);
    assert_eq!(
        header(&r, "access-control-allow-origin").as_deref(),
        Some(SPA_ORIGIN)
    );
    let tokens: Value = r.json().await.expect("json");
    let r = reqwest::Client::new()
        .get(env.app.url("/oidc/me"))
        .header("Origin", SPA_ORIGIN)
        .bearer_auth(tokens["access_token"].as_str().expect("access token"))
        .send()
        .await
        .expect("userinfo");
    assert_eq!(r.status(), 200);
    assert_eq!(
        header(&r, "access-control-allow-origin").as_deref(),
        Some(SPA_ORIGIN)
    );
}

async fn cors_preflight_is_answered_for_a_registered_origin(backend: Backend) {
    let env = env(backend).await;
    for (_, path) in CORS_ENDPOINTS {
        let r = preflight(&env, path, SPA_ORIGIN).await;
        assert_eq!(r.status(), 204, "{path}");
        assert_eq!(
            header(&r, "access-control-allow-origin").as_deref(),
            Some(SPA_ORIGIN),
            "{path}"
        );
        let methods = header(&r, "access-control-allow-methods")
            .unwrap_or_else(|| panic!("{path}: allow-methods"))
            .to_ascii_uppercase();
        assert!(methods.contains("POST"), "{path}: {methods}");
        let headers = header(&r, "access-control-allow-headers")
            .unwrap_or_else(|| panic!("{path}: allow-headers"))
            .to_ascii_lowercase();
        assert!(
            headers.contains("authorization") && headers.contains("content-type"),
            "{path}: {headers}"
        );
    }
}

async fn cors_ignores_other_origins(backend: Backend) {
    let env = env(backend).await;
    let others = [
        "http://evil.example",
        "http://localhost:5174",
        "https://localhost:5173",
        "http://localhost:5173.evil.example",
        "http://127.0.0.1:5173",
        // The origin of a traditional (server-side) app's redirect URI.
        "http://localhost:8080",
        "null",
    ];
    for origin in others {
        for (method, path) in CORS_ENDPOINTS {
            let r = call(&env, method, path, origin).await;
            assert!(r.status().as_u16() < 500, "{method} {path}: {}", r.status());
            assert_no_cors(&r, &format!("{method} {path} from {origin}"));
            let r = preflight(&env, path, origin).await;
            assert_no_cors(&r, &format!("preflight {path} from {origin}"));
            assert!(
                !r.status().is_success(),
                "preflight {path} from {origin}: {}",
                r.status()
            );
        }
    }
}

async fn the_authorization_endpoint_never_answers_cors(backend: Backend) {
    let env = env(backend).await;
    let (url, _) = spa_request(&env);
    let client = no_redirects();

    // A good request (to the sign-in page), an error redirect, an error page.
    let refused = url.replace("response_type=code", "response_type=token");
    let unknown_client = url.replace(&env.spa_id, "nobody");
    for (what, url) in [
        ("sign-in redirect", url.as_str()),
        ("error redirect", refused.as_str()),
        ("error page", unknown_client.as_str()),
    ] {
        let r = client
            .get(url)
            .header("Origin", SPA_ORIGIN)
            .send()
            .await
            .expect("auth");
        assert!(
            r.status().as_u16() == 303 || r.status().as_u16() == 400,
            "{what}: {}",
            r.status()
        );
        assert_no_cors(&r, what);
        let r = client
            .post(env.app.url("/oidc/auth"))
            .header("Origin", SPA_ORIGIN)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(url.split_once('?').expect("query").1.to_owned())
            .send()
            .await
            .expect("auth");
        assert!(r.status().as_u16() < 500, "POST {what}: {}", r.status());
        assert_no_cors(&r, &format!("POST {what}"));
    }
    let r = preflight(&env, "/oidc/auth", SPA_ORIGIN).await;
    assert!(!r.status().is_success(), "preflight: {}", r.status());
    assert_no_cors(&r, "preflight /oidc/auth");
}

// ---------------------------------------------------------------------------------------------
// hosted pages

fn assert_page_headers(r: &reqwest::Response, what: &str) {
    assert_eq!(
        header(r, "referrer-policy").as_deref(),
        Some("no-referrer"),
        "{what}"
    );
    assert_eq!(
        header(r, "x-frame-options").as_deref(),
        Some("DENY"),
        "{what}"
    );
    let csp = header(r, "content-security-policy").unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp:?}");
    assert!(
        header(r, "content-type").is_some_and(|c| c.starts_with("text/html")),
        "{what}"
    );
}

async fn hosted_pages_cannot_be_framed_or_leak_referrers(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let (url, _) = spa_request(&env);
    let page = start_interaction(&env.app, &browser, &url).await;

    let r = browser.get(&page).send().await.expect("sign-in page");
    assert_eq!(r.status(), 200);
    assert_page_headers(&r, "sign-in page");
    assert_eq!(header(&r, "cache-control").as_deref(), Some("no-store"));

    let r = browser
        .get(format!("{page}/register"))
        .send()
        .await
        .expect("register page");
    assert_eq!(r.status(), 200);
    assert_page_headers(&r, "register page");

    let r = browser
        .get(env.app.url("/interaction/doesnotexist"))
        .send()
        .await
        .expect("error page");
    assert_eq!(r.status(), 400);
    assert_page_headers(&r, "error page");
}

async fn the_sign_in_form_works_without_javascript(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let (url, _) = spa_request(&env);
    let page = start_interaction(&env.app, &browser, &url).await;
    let html = page_html(&browser, &page).await;

    assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
    assert!(html.contains(r#"<label for="email">"#), "{html}");
    assert!(html.contains(r#"<label for="password">"#), "{html}");
    assert!(html.contains(r#"id="email""#), "{html}");
    assert!(html.contains(r#"id="password""#), "{html}");
    assert!(
        html.contains(r#"<input type="hidden" name="csrf""#),
        "{html}"
    );
    let csrf = input_value(&html, "csrf").expect("csrf value");
    assert!(!csrf.is_empty());

    // A plain HTML form post to the form's own action completes the sign-in.
    assert!(html.contains(r#"method="post""#), "{html}");
    let action_at = html.find(r#"action=""#).expect("form action") + r#"action=""#.len();
    let action = &html[action_at..action_at + html[action_at..].find('"').expect("end")];
    assert!(action.starts_with("/interaction/"), "{action}");
    let r = browser
        .post(env.app.url(action))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", ADA),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("submit");
    assert_eq!(r.status(), 303);
    assert!(location(&r).starts_with(SPA_CALLBACK));
}

// ---------------------------------------------------------------------------------------------
// cookies

/// The Set-Cookie header that sets `name`, if any.
fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The lower-cased attributes of a Set-Cookie header (without the name=value).
fn attributes(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

fn cookie_value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().expect("pair");
    pair.split_once('=').expect("name=value").1.to_owned()
}

fn assert_cookie(set_cookie: &str, secure: bool) {
    let attrs = attributes(set_cookie);
    assert!(attrs.iter().any(|a| a == "httponly"), "{set_cookie}");
    assert!(attrs.iter().any(|a| a == "samesite=lax"), "{set_cookie}");
    assert_eq!(
        attrs.iter().any(|a| a == "secure"),
        secure,
        "Secure should be {secure}: {set_cookie}"
    );
}

async fn cookies_are_http_only_and_lax_and_not_secure_over_http(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let (url, _) = spa_request(&env);

    let r = browser.get(&url).send().await.expect("auth");
    assert_eq!(r.status(), 303);
    let interaction = set_cookie(&r, "sesame_interaction").expect("interaction cookie");
    assert_cookie(&interaction, false);
    let page = env.app.url(&location(&r));

    let (_, csrf) = open_page(&browser, &page).await;
    let r = post_sign_in(&browser, &page, &csrf, ADA, PASSWORD).await;
    assert_eq!(r.status(), 303);
    let session = set_cookie(&r, "sesame_session").expect("session cookie");
    assert_cookie(&session, false);
    assert!(
        attributes(&session).iter().any(|a| a == "path=/"),
        "{session}"
    );
    assert!(!cookie_value(&session).is_empty());
}

async fn cookies_are_secure_when_the_public_url_is_https(backend: Backend) {
    let app =
        TestApp::spawn_with(backend, |s| s.public_url = "https://sesame.example".into()).await;
    app.create_user(ADA);
    let (spa_id, _) = app.create_app(AppType::Spa, &[SPA_CALLBACK], SigningAlg::ES256);
    let env = Env { app, spa_id };
    // No cookie store: a client would not send Secure cookies over plain http, so they are
    // passed by hand, as a browser would over https. Behind https the names carry `__Host-`
    // (see attack_cookie_tossing).
    let client = no_redirects();
    let (url, _) = spa_request(&env);
    let r = client.get(&url).send().await.expect("auth");
    assert_eq!(r.status(), 303);
    let interaction = set_cookie(&r, "__Host-sesame_interaction").expect("interaction cookie");
    assert_cookie(&interaction, true);
    let page = env.app.url(&location(&r));
    let cookie = format!("__Host-sesame_interaction={}", cookie_value(&interaction));

    let html = client
        .get(&page)
        .header("Cookie", &cookie)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let csrf = input_value(&html, "csrf").expect("csrf");
    let r = client
        .post(format!("{page}/sign-in"))
        .header("Cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", ADA),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.status(), 303);
    let session = set_cookie(&r, "__Host-sesame_session").expect("session cookie");
    assert_cookie(&session, true);
}

// ---------------------------------------------------------------------------------------------
// health and bad input

async fn health_reports_ok(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let r = reqwest::get(app.url("/health")).await.expect("health");
    assert_eq!(r.status(), 200);
    assert!(
        header(&r, "content-type").is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        header(&r, "content-type")
    );
    let body: Value = r.json().await.expect("json");
    assert_eq!(body, serde_json::json!({"status": "ok"}));
}

/// A 4xx JSON answer with `error`.
async fn assert_json_error(r: reqwest::Response, status: u16, error: &str, what: &str) {
    assert_eq!(r.status(), status, "{what}");
    assert!(
        header(&r, "content-type").is_some_and(|c| c.starts_with("application/json")),
        "{what}: {:?}",
        header(&r, "content-type")
    );
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"], error, "{what}: {body}");
}

async fn bad_input_at_the_token_endpoint_is_a_client_error(backend: Backend) {
    let env = env(backend).await;
    let client = reqwest::Client::new();
    let token = env.app.url("/oidc/token");
    let post = |content_type: &str, body: Vec<u8>| {
        client
            .post(&token)
            .header("Content-Type", content_type)
            .body(body)
    };

    let r = post(
        "application/json",
        br#"{"grant_type":"authorization_code","code":"x"}"#.to_vec(),
    )
    .send()
    .await
    .expect("json body");
    assert_json_error(r, 400, "invalid_request", "JSON body").await;

    let r = post(
        "application/octet-stream",
        vec![0xff, 0xfe, 0x00, 0x80, 0x3d],
    )
    .send()
    .await
    .expect("binary body");
    assert_json_error(r, 400, "invalid_request", "binary body").await;

    let r = post("application/x-www-form-urlencoded", Vec::new())
        .send()
        .await
        .expect("empty body");
    assert_json_error(r, 400, "invalid_request", "empty body").await;

    let body = format!(
        "grant_type=authorization_code&client_id={}&code=%zz%&redirect_uri=%E0%A4%A&code_verifier=%",
        env.spa_id
    );
    let r = post("application/x-www-form-urlencoded", body.into_bytes())
        .send()
        .await
        .expect("bad percent-encoding");
    assert_json_error(r, 400, "invalid_grant", "invalid percent-encoding").await;

    for authorization in ["Basic !!!", "Basic Zm9v", "Basic w6k="] {
        let r = client
            .post(&token)
            .header("Authorization", authorization)
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("basic");
        assert_eq!(
            header(&r, "www-authenticate").as_deref(),
            Some(r#"Basic realm="sesame""#),
            "{authorization}"
        );
        assert_json_error(r, 401, "invalid_client", authorization).await;
    }

    // The same care at the other JSON endpoints.
    let r = client
        .post(env.app.url("/oidc/token/revocation"))
        .header("Authorization", "Basic !!!")
        .form(&[("token", "x")])
        .send()
        .await
        .expect("revocation");
    assert_json_error(r, 401, "invalid_client", "revocation with Basic !!!").await;
    let r = client
        .post(env.app.url("/oidc/me"))
        .header("Content-Type", "application/json")
        .body(r#"{"access_token":"x"}"#)
        .send()
        .await
        .expect("userinfo");
    assert_json_error(r, 401, "invalid_token", "userinfo with a JSON body").await;
}

/// RFC 6749 5.2: a client that tried the Authorization header and failed gets 401 with a
/// challenge for its scheme, whose name is case-insensitive (RFC 9110 11.1).
async fn failed_basic_authentication_gets_a_basic_challenge(backend: Backend) {
    use base64::Engine;
    let app = TestApp::spawn(backend).await;
    let (id, secret) = app.create_app(AppType::Traditional, &[WEB_CALLBACK], SigningAlg::ES256);
    let secret = secret.expect("a confidential client has a secret");
    let client = reqwest::Client::new();
    let token = |authorization: String| {
        client
            .post(app.url("/oidc/token"))
            .header("Authorization", authorization)
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", "not-a-code"),
                ("redirect_uri", WEB_CALLBACK),
            ])
            .send()
    };
    let wrong = base64::engine::general_purpose::STANDARD.encode(format!("{id}:wrong"));
    let right = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let mut cases = Vec::new();
    for authorization in [
        "Basic".to_owned(),
        "Basic ".to_owned(),
        format!("Basic {wrong}"),
        format!("BASIC {wrong}"),
        format!("basic {wrong}"),
    ] {
        cases.push((authorization, 401, "invalid_client", true));
    }
    // The right credentials under any spelling of the scheme authenticate the client (which then
    // hears about its bad code).
    for scheme in ["Basic", "basic", "BASIC"] {
        cases.push((format!("{scheme} {right}"), 400, "invalid_grant", false));
    }
    let mut wrong_answers = Vec::new();
    for (authorization, status, error, challenge) in cases {
        let r = token(authorization.clone()).await.expect("token");
        let got_status = r.status().as_u16();
        let got_challenge = header(&r, "www-authenticate");
        let body: Value = r.json().await.expect("json");
        let want_challenge = challenge.then(|| r#"Basic realm="sesame""#.to_owned());
        if got_status != status || body["error"] != error || got_challenge != want_challenge {
            wrong_answers.push(format!(
                "{authorization:?}: got {got_status} {} {got_challenge:?}, want {status} {error} {want_challenge:?}",
                body["error"]
            ));
        }
    }
    assert!(wrong_answers.is_empty(), "{wrong_answers:#?}");
}

async fn an_unknown_interaction_gets_an_error_page(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    for (method, path) in [
        ("GET", "/interaction/doesnotexist"),
        ("GET", "/interaction/doesnotexist/register"),
        ("POST", "/interaction/doesnotexist/sign-in"),
        ("POST", "/interaction/doesnotexist/register"),
        ("GET", "/interaction/doesnotexist/sign-up/code"),
        ("GET", "/interaction/doesnotexist/forgot-password"),
        ("POST", "/interaction/doesnotexist/forgot-password"),
        ("GET", "/interaction/doesnotexist/forgot-password/code"),
        ("GET", "/interaction/doesnotexist/email-link"),
        ("POST", "/interaction/doesnotexist/email-link"),
    ] {
        let url = env.app.url(path);
        let request = match method {
            "GET" => browser.get(url),
            _ => browser
                .post(url)
                .form(&[("csrf", "x"), ("email", ADA), ("password", PASSWORD)]),
        };
        let r = request.send().await.expect("request");
        assert_eq!(r.status(), 400, "{method} {path}");
        assert!(r.headers().get("location").is_none());
        let html = r.text().await.expect("html");
        assert!(
            html.contains(r#"<code id="error-code">interaction_expired</code>"#),
            "{method} {path}: {html}"
        );
    }
}

on_both_backends!(
    cors_answers_a_registered_spa_origin,
    cors_preflight_is_answered_for_a_registered_origin,
    cors_ignores_other_origins,
    the_authorization_endpoint_never_answers_cors,
    hosted_pages_cannot_be_framed_or_leak_referrers,
    the_sign_in_form_works_without_javascript,
    cookies_are_http_only_and_lax_and_not_secure_over_http,
    cookies_are_secure_when_the_public_url_is_https,
    health_reports_ok,
    bad_input_at_the_token_endpoint_is_a_client_error,
    failed_basic_authentication_gets_a_basic_challenge,
    an_unknown_interaction_gets_an_error_page,
);
