//! Request handling at the authorization endpoint `/oidc/auth`, as a relying party and a person
//! in a browser meet it: `state` and `iss` on every answer, `nonce`, `prompt`, `max_age`,
//! `id_token_hint`, `login_hint`, refusals (as redirects once the redirect URI is trusted, as
//! pages before), authorization codes at the token endpoint, and the hosted sign-in and
//! registration pages.

use std::time::Duration;

use crate::common::{
    Backend, PASSWORD, TestApp, browser, input_value, location, query_param, sign_in,
    start_interaction, submit_sign_in,
};
use diesel::prelude::*;
use serde_json::Value;
use sesame::config::Settings;
use sesame::crypto::{SigningAlg, random_token, sha256_b64url};
use sesame::identity::applications::AppType;
use sesame::storage::schema::users;

const CALLBACK: &str = "http://127.0.0.1:9999/callback";
/// Also registered for the same client, to tell "registered" from "the one in the request".
const OTHER_CALLBACK: &str = "http://127.0.0.1:9999/other-callback";
const ADA: &str = "ada@example.com";
const BOB: &str = "bob@example.com";

/// A PKCE pair (RFC 7636): a 43-character verifier and its S256 challenge.
struct Pkce {
    verifier: String,
    challenge: String,
}

impl Pkce {
    fn new() -> Self {
        let verifier = random_token(32);
        let challenge = sha256_b64url(&verifier);
        Self {
            verifier,
            challenge,
        }
    }
}

/// An authorization request's parameters, in order, repeats allowed.
#[derive(Clone)]
struct AuthRequest {
    params: Vec<(String, String)>,
}

impl AuthRequest {
    /// `response_type=code`, `scope=openid email`, PKCE S256, to `CALLBACK`.
    fn new(client_id: &str, pkce: &Pkce) -> Self {
        Self { params: Vec::new() }
            .set("response_type", "code")
            .set("client_id", client_id)
            .set("redirect_uri", CALLBACK)
            .set("scope", "openid email")
            .set("code_challenge", &pkce.challenge)
            .set("code_challenge_method", "S256")
    }

    /// Sets `name`, replacing an earlier value.
    fn set(mut self, name: &str, value: &str) -> Self {
        match self.params.iter_mut().find(|(n, _)| n == name) {
            Some(p) => p.1 = value.to_owned(),
            None => self.params.push((name.to_owned(), value.to_owned())),
        }
        self
    }

    /// Appends `name` even when it is already there.
    fn add(mut self, name: &str, value: &str) -> Self {
        self.params.push((name.to_owned(), value.to_owned()));
        self
    }

    fn remove(mut self, name: &str) -> Self {
        self.params.retain(|(n, _)| n != name);
        self
    }

    fn url(&self, app: &TestApp) -> String {
        let mut url = url::Url::parse(&app.url("/oidc/auth")).expect("auth url");
        url.query_pairs_mut().extend_pairs(&self.params);
        url.to_string()
    }
}

/// A running Sesame with Ada and a confidential client registered for both callbacks.
struct Env {
    app: TestApp,
    ada_id: String,
    client_id: String,
    secret: Option<String>,
}

async fn env(backend: Backend) -> Env {
    env_with(backend, |_| {}).await
}

async fn env_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Env {
    let app = TestApp::spawn_with(backend, configure).await;
    let ada_id = app.create_user(ADA).id;
    let (client_id, secret) = app.create_app(
        AppType::Traditional,
        &[CALLBACK, OTHER_CALLBACK],
        SigningAlg::ES256,
    );
    Env {
        app,
        ada_id,
        client_id,
        secret,
    }
}

impl Env {
    /// The same server, seen by another registered client.
    fn as_client(&self, client_id: String, secret: Option<String>) -> Env {
        let app = &self.app;
        Env {
            app: TestApp {
                clock: app.clock.clone(),
                base: app.base.clone(),
                issuer: app.issuer.clone(),
                port: app.port,
                backend: app.backend,
                storage: app.storage.clone(),
                settings: app.settings.clone(),
                db: app.db.clone(),
            },
            ada_id: self.ada_id.clone(),
            client_id,
            secret,
        }
    }

    fn request(&self, pkce: &Pkce) -> AuthRequest {
        AuthRequest::new(&self.client_id, pkce)
    }

    /// POST /oidc/token with this client's credentials (client_secret_post) added.
    async fn token(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let mut form = form.to_vec();
        form.push(("client_id", &self.client_id));
        if let Some(secret) = &self.secret {
            form.push(("client_secret", secret));
        }
        let r = reqwest::Client::new()
            .post(self.app.url("/oidc/token"))
            .form(&form)
            .send()
            .await
            .expect("token request");
        let status = r.status().as_u16();
        (status, r.json().await.expect("token endpoint answers JSON"))
    }

    async fn exchange(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
    ) -> (u16, Value) {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v));
        }
        self.token(&form).await
    }

    /// Exchanges the code of a callback made with `pkce`; the exchange must succeed.
    async fn exchange_ok(&self, callback: &str, pkce: &Pkce) -> Value {
        let (status, body) = self
            .exchange(&code_of(callback), CALLBACK, Some(&pkce.verifier))
            .await;
        assert_eq!(status, 200, "code exchange failed: {body}");
        body
    }
}

async fn get(browser: &reqwest::Client, url: &str) -> reqwest::Response {
    browser.get(url).send().await.expect("request")
}

/// The code in a successful callback to `CALLBACK`.
fn code_of(callback: &str) -> String {
    assert!(
        callback.starts_with(&format!("{CALLBACK}?")),
        "expected a callback to the client, got {callback}"
    );
    assert_eq!(query_param(callback, "error"), None, "{callback}");
    query_param(callback, "code").unwrap_or_else(|| panic!("no code in {callback}"))
}

/// The claims of the ID token in a token response (the signature is the RP helper's business;
/// here the content matters).
fn id_claims(tokens: &Value) -> Value {
    let jwt = tokens["id_token"].as_str().expect("an id_token");
    let payload = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&crate::common::rp::base64_url_decode(payload)).expect("JSON claims")
}

/// A redirect back to the client carrying `error`, the request's `state`, and `iss`.
fn assert_error_redirect(r: &reqwest::Response, app: &TestApp, error: &str, state: Option<&str>) {
    assert_eq!(
        r.status(),
        303,
        "errors go back to the client as a redirect"
    );
    let to = location(r);
    assert!(
        to.starts_with(&format!("{CALLBACK}?")),
        "error must go to the registered redirect URI, got {to}"
    );
    assert_eq!(query_param(&to, "error").as_deref(), Some(error), "{to}");
    assert_eq!(query_param(&to, "state").as_deref(), state, "{to}");
    assert_eq!(
        query_param(&to, "iss").as_deref(),
        Some(app.issuer.as_str()),
        "RFC 9207: iss on error responses too ({to})"
    );
    assert_eq!(query_param(&to, "code"), None, "{to}");
}

/// An HTML error page with `status` and `code`, never a redirect.
async fn assert_error_page(r: reqwest::Response, status: u16, code: &str) -> String {
    let (actual, url) = (r.status(), r.url().clone());
    assert!(
        r.headers().get("location").is_none(),
        "an untrusted client or redirect URI must never be redirected to: {:?}",
        r.headers().get("location")
    );
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let html = r.text().await.expect("body");
    assert_eq!(actual, status, "{url}: {content_type} {html}");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(
        html.contains(&format!(r#"<code id="error-code">{code}</code>"#)),
        "expected error code {code} in {html}"
    );
    html
}

/// The text of the page's alert (`<p class="error" role="alert">...</p>`).
fn alert(html: &str) -> Option<String> {
    let start = html.find(r#"role="alert">"#)? + r#"role="alert">"#.len();
    let end = start + html[start..].find("</p>")?;
    Some(html[start..end].trim().to_owned())
}

/// GETs a hosted page and returns its HTML and csrf field.
async fn open_page(browser: &reqwest::Client, page_url: &str) -> (String, String) {
    let r = get(browser, page_url).await;
    assert_eq!(r.status(), 200, "{page_url}");
    let html = r.text().await.expect("html");
    let csrf = input_value(&html, "csrf").expect("csrf field");
    (html, csrf)
}

async fn post_sign_in(
    browser: &reqwest::Client,
    page_url: &str,
    csrf: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    browser
        .post(format!("{page_url}/sign-in"))
        .form(&[("csrf", csrf), ("email", email), ("password", password)])
        .send()
        .await
        .expect("sign-in post")
}

fn count_users(app: &TestApp, email_lower: &str) -> i64 {
    let email_lower = email_lower.to_owned();
    app.storage
        .run_blocking(move |c| {
            users::table
                .filter(users::email_lower.eq(email_lower))
                .count()
                .get_result::<i64>(c)
        })
        .expect("count users")
}

// ---------------------------------------------------------------------------------------------
// state and iss

async fn state_and_iss_come_back_unchanged(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();

    // Through the sign-in page.
    let state = "a b&c=d+e%20f/?#é";
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("state", state).url(&env.app);
    let callback = sign_in(&env.app, &browser, &url, ADA).await;
    assert_eq!(query_param(&callback, "state").as_deref(), Some(state));
    assert_eq!(
        query_param(&callback, "iss").as_deref(),
        Some(env.app.issuer.as_str())
    );
    env.exchange_ok(&callback, &pkce).await;

    // Through the live session, without a page.
    let state = "x=1&y=2 z;%";
    let pkce = Pkce::new();
    let r = get(
        &browser,
        &env.request(&pkce).set("state", state).url(&env.app),
    )
    .await;
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    code_of(&callback);
    assert_eq!(query_param(&callback, "state").as_deref(), Some(state));
    assert_eq!(
        query_param(&callback, "iss").as_deref(),
        Some(env.app.issuer.as_str())
    );
    env.exchange_ok(&callback, &pkce).await;

    // No state asked, none sent back.
    let pkce = Pkce::new();
    let r = get(&browser, &env.request(&pkce).url(&env.app)).await;
    let callback = location(&r);
    code_of(&callback);
    assert_eq!(query_param(&callback, "state"), None);
}

async fn state_and_iss_come_back_on_errors(backend: Backend) {
    let env = env(backend).await;
    let state = "a b&c=d";
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("response_type", "token")
        .set("state", state)
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "unsupported_response_type", Some(state));
}

async fn discovery_advertises_the_iss_parameter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc: Value = reqwest::get(app.url("/oidc/.well-known/openid-configuration"))
        .await
        .expect("discovery")
        .json()
        .await
        .expect("json");
    assert_eq!(doc["issuer"], app.issuer.as_str());
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
}

// ---------------------------------------------------------------------------------------------
// nonce

async fn nonce_ends_up_in_the_id_token(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();

    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("nonce", "n-0S6_WzA2Mj")
        .url(&env.app);
    let callback = sign_in(&env.app, &browser, &url, ADA).await;
    let claims = id_claims(&env.exchange_ok(&callback, &pkce).await);
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["sub"], env.ada_id.as_str());

    // Each request's own nonce, also when the session answers.
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("nonce", "second nonce")
        .url(&env.app);
    let callback = location(&get(&browser, &url).await);
    let claims = id_claims(&env.exchange_ok(&callback, &pkce).await);
    assert_eq!(claims["nonce"], "second nonce");

    // No nonce asked, none in the token.
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
    let claims = id_claims(&env.exchange_ok(&callback, &pkce).await);
    assert!(claims.get("nonce").is_none(), "{claims}");
}

// ---------------------------------------------------------------------------------------------
// prompt

async fn prompt_none_without_a_session_is_login_required(backend: Backend) {
    let env = env(backend).await;
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("prompt", "none")
        .set("state", "s 1")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "login_required", Some("s 1"));
}

async fn prompt_none_with_a_session_completes_silently(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    env.exchange_ok(&callback, &pkce).await;

    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("prompt", "none")
        .set("state", "silent")
        .url(&env.app);
    let r = get(&browser, &url).await;
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    code_of(&callback);
    assert_eq!(query_param(&callback, "state").as_deref(), Some("silent"));
    assert_eq!(
        query_param(&callback, "iss").as_deref(),
        Some(env.app.issuer.as_str())
    );
    let claims = id_claims(&env.exchange_ok(&callback, &pkce).await);
    assert_eq!(claims["sub"], env.ada_id.as_str());
}

async fn prompt_login_signs_in_again(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    let first = id_claims(&env.exchange_ok(&callback, &pkce).await)["auth_time"]
        .as_i64()
        .expect("auth_time");

    env.app.clock.advance(Duration::from_millis(1100));
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("prompt", "login").url(&env.app);
    // Despite the live session, the sign-in page again.
    let page = start_interaction(&env.app, &browser, &url).await;
    let callback = submit_sign_in(&env.app, &browser, &page, ADA, PASSWORD).await;
    let second = id_claims(&env.exchange_ok(&callback, &pkce).await)["auth_time"]
        .as_i64()
        .expect("auth_time");
    assert!(
        second > first,
        "a new authentication has a newer auth_time ({first} then {second})"
    );
}

async fn prompt_consent_is_accepted(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();

    // Without a session: the sign-in page, then straight back (first-party: no consent page).
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("prompt", "consent").url(&env.app);
    let callback = sign_in(&env.app, &browser, &url, ADA).await;
    env.exchange_ok(&callback, &pkce).await;

    // With a session: completes at once.
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("prompt", "consent").url(&env.app);
    let r = get(&browser, &url).await;
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    code_of(&callback);
    env.exchange_ok(&callback, &pkce).await;
}

// ---------------------------------------------------------------------------------------------
// max_age

async fn max_age_older_than_the_session_signs_in_again(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    let first = id_claims(&env.exchange_ok(&callback, &pkce).await)["auth_time"]
        .as_i64()
        .expect("auth_time");

    // A session younger than max_age is enough.
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("max_age", "60").url(&env.app);
    let callback = location(&get(&browser, &url).await);
    env.exchange_ok(&callback, &pkce).await;

    env.app.clock.advance(Duration::from_millis(1100));
    // Older than max_age: with prompt=none that is login_required...
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("max_age", "1")
        .set("prompt", "none")
        .url(&env.app);
    let r = get(&browser, &url).await;
    assert_error_redirect(&r, &env.app, "login_required", None);
    // ...and otherwise the sign-in page, then a fresh auth_time.
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("max_age", "1").url(&env.app);
    let callback = sign_in(&env.app, &browser, &url, ADA).await;
    let second = id_claims(&env.exchange_ok(&callback, &pkce).await)["auth_time"]
        .as_i64()
        .expect("auth_time");
    assert!(second > first, "{first} then {second}");
}

async fn max_age_must_be_a_number(backend: Backend) {
    let env = env(backend).await;
    for bad in ["abc", "-1", "1.5"] {
        let pkce = Pkce::new();
        let url = env
            .request(&pkce)
            .set("max_age", bad)
            .set("state", "m")
            .url(&env.app);
        let r = get(&browser(), &url).await;
        assert_error_redirect(&r, &env.app, "invalid_request", Some("m"));
    }
}

// ---------------------------------------------------------------------------------------------
// id_token_hint

async fn id_token_hint_of_the_session_user_allows_prompt_none(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    let tokens = env.exchange_ok(&callback, &pkce).await;
    let hint = tokens["id_token"].as_str().expect("id_token");

    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("prompt", "none")
        .set("id_token_hint", hint)
        .url(&env.app);
    let r = get(&browser, &url).await;
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    let claims = id_claims(&env.exchange_ok(&callback, &pkce).await);
    assert_eq!(claims["sub"], env.ada_id.as_str());
}

async fn id_token_hint_of_another_user_is_login_required(backend: Backend) {
    let env = env(backend).await;
    env.app.create_user(BOB);

    // Ada's ID token, from her own browser.
    let ada_browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(
        &env.app,
        &ada_browser,
        &env.request(&pkce).url(&env.app),
        ADA,
    )
    .await;
    let ada_token = env.exchange_ok(&callback, &pkce).await["id_token"]
        .as_str()
        .expect("id_token")
        .to_owned();

    // Bob is signed in on this browser.
    let bob_browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(
        &env.app,
        &bob_browser,
        &env.request(&pkce).url(&env.app),
        BOB,
    )
    .await;
    env.exchange_ok(&callback, &pkce).await;
    // Bob's session alone would answer prompt=none...
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("prompt", "none").url(&env.app);
    code_of(&location(&get(&bob_browser, &url).await));

    // ...but not when the client expects Ada.
    let url = env
        .request(&pkce)
        .set("prompt", "none")
        .set("id_token_hint", &ada_token)
        .set("state", "who")
        .url(&env.app);
    let r = get(&bob_browser, &url).await;
    assert_error_redirect(&r, &env.app, "login_required", Some("who"));

    // Without prompt=none, Ada is asked to sign in.
    let url = env
        .request(&pkce)
        .set("id_token_hint", &ada_token)
        .url(&env.app);
    start_interaction(&env.app, &bob_browser, &url).await;
}

async fn invalid_id_token_hint_is_invalid_request(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    let real = env.exchange_ok(&callback, &pkce).await["id_token"]
        .as_str()
        .expect("id_token")
        .to_owned();

    // A real token with another payload: the signature no longer holds.
    let parts: Vec<&str> = real.split('.').collect();
    let mut payload: Value =
        serde_json::from_slice(&crate::common::rp::base64_url_decode(parts[1])).expect("claims");
    payload["sub"] = Value::String("someone-else".into());
    let forged_payload = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&payload).expect("json"))
    };
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);

    // A genuine ID token, but issued to another client.
    let (other_id, other_secret) =
        env.app
            .create_app(AppType::Traditional, &[CALLBACK], SigningAlg::RS256);
    let other = env.as_client(other_id, other_secret);
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &other.request(&pkce).url(&other.app)).await);
    let foreign = other.exchange_ok(&callback, &pkce).await["id_token"]
        .as_str()
        .expect("id_token")
        .to_owned();

    for hint in ["garbage", "a.b.c", forged.as_str(), foreign.as_str()] {
        for prompt in [None, Some("none")] {
            let pkce = Pkce::new();
            let mut request = env
                .request(&pkce)
                .set("id_token_hint", hint)
                .set("state", "h");
            if let Some(p) = prompt {
                request = request.set("prompt", p);
            }
            let r = get(&browser, &request.url(&env.app)).await;
            assert_error_redirect(&r, &env.app, "invalid_request", Some("h"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// login_hint, unknown parameters

async fn login_hint_prefills_the_email(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("login_hint", ADA).url(&env.app);
    let page = start_interaction(&env.app, &browser, &url).await;
    let (html, _) = open_page(&browser, &page).await;
    assert_eq!(input_value(&html, "email").as_deref(), Some(ADA));

    // Without a hint, the field is empty.
    let other = crate::common::browser();
    let page = start_interaction(&env.app, &other, &env.request(&pkce).url(&env.app)).await;
    let (html, _) = open_page(&other, &page).await;
    assert_eq!(input_value(&html, "email").as_deref(), Some(""));
}

async fn login_hint_is_escaped(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let hint = r#""><script>alert(1)</script>"#;
    let url = env.request(&pkce).set("login_hint", hint).url(&env.app);
    let page = start_interaction(&env.app, &browser, &url).await;
    let (html, _) = open_page(&browser, &page).await;
    assert!(!html.contains("<script"), "{html}");
}

async fn unknown_parameters_are_ignored(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("foo", "bar")
        .set("x-custom", "1")
        .set("state", "u")
        .url(&env.app);
    let callback = sign_in(&env.app, &browser, &url, ADA).await;
    assert_eq!(query_param(&callback, "state").as_deref(), Some("u"));
    env.exchange_ok(&callback, &pkce).await;
}

// ---------------------------------------------------------------------------------------------
// refusals sent back to the client

async fn request_objects_are_not_supported(backend: Backend) {
    let env = env(backend).await;
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("request", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.")
        .set("state", "r")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "request_not_supported", Some("r"));

    let url = env
        .request(&pkce)
        .set("request_uri", "https://rp.example/request.jwt")
        .set("state", "r")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "request_uri_not_supported", Some("r"));
}

async fn unsupported_response_type_is_refused(backend: Backend) {
    let env = env(backend).await;
    for response_type in ["token", "id_token", "code id_token", "code token"] {
        let pkce = Pkce::new();
        let url = env
            .request(&pkce)
            .set("response_type", response_type)
            .set("state", "t")
            .url(&env.app);
        let r = get(&browser(), &url).await;
        assert_error_redirect(&r, &env.app, "unsupported_response_type", Some("t"));
    }
}

async fn the_openid_scope_is_required(backend: Backend) {
    let env = env(backend).await;
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("scope", "email profile")
        .set("state", "s")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "invalid_scope", Some("s"));
}

async fn spa_needs_a_code_challenge(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (spa, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::ES256);
    let pkce = Pkce::new();

    let url = AuthRequest::new(&spa, &pkce)
        .remove("code_challenge")
        .remove("code_challenge_method")
        .set("state", "p")
        .url(&app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &app, "invalid_request", Some("p"));

    // The same request with PKCE goes on to the sign-in page.
    let url = AuthRequest::new(&spa, &pkce).url(&app);
    start_interaction(&app, &browser(), &url).await;
}

async fn plain_pkce_is_refused(backend: Backend) {
    let env = env(backend).await;
    let pkce = Pkce::new();
    // Explicitly plain.
    let url = env
        .request(&pkce)
        .set("code_challenge", &pkce.verifier)
        .set("code_challenge_method", "plain")
        .set("state", "p")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "invalid_request", Some("p"));
    // No method means plain (RFC 7636 4.3).
    let url = env
        .request(&pkce)
        .remove("code_challenge_method")
        .set("state", "p")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "invalid_request", Some("p"));
}

async fn repeated_parameters_are_refused(backend: Backend) {
    let env = env(backend).await;
    for name in ["scope", "response_type", "nonce", "code_challenge"] {
        let pkce = Pkce::new();
        let value = match name {
            "scope" => "openid".to_owned(),
            "response_type" => "code".to_owned(),
            "code_challenge" => pkce.challenge.clone(),
            _ => "n".to_owned(),
        };
        let url = env
            .request(&pkce)
            .remove(name)
            .set("state", "rep")
            .add(name, &value)
            .add(name, &value)
            .url(&env.app);
        let r = get(&browser(), &url).await;
        assert_error_redirect(&r, &env.app, "invalid_request", Some("rep"));
    }
}

// ---------------------------------------------------------------------------------------------
// refusals shown as a page: the client or its redirect URI cannot be trusted

async fn unknown_client_gets_an_error_page(backend: Backend) {
    let env = env(backend).await;
    let pkce = Pkce::new();
    let url = AuthRequest::new("no-such-client", &pkce)
        .set("state", "x")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_page(r, 400, "invalid_client").await;

    // No client_id at all.
    let url = env
        .request(&pkce)
        .remove("client_id")
        .set("state", "x")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_page(r, 400, "invalid_request").await;
}

async fn unregistered_redirect_uri_gets_an_error_page(backend: Backend) {
    let env = env(backend).await;
    let near_misses = [
        "http://127.0.0.1:9999/callback/",
        "http://127.0.0.1:9999/callback?extra=1",
        "http://127.0.0.1:9999/callback#frag",
        "http://127.0.0.1:9999/Callback",
        "http://127.0.0.1:9999/callbackx",
        "http://127.0.0.1:9998/callback",
        "https://127.0.0.1:9999/callback",
        "http://localhost:9999/callback",
        "http://127.0.0.1:9999/callback/../callback",
        "https://evil.example/callback",
    ];
    for uri in near_misses {
        let pkce = Pkce::new();
        let url = env
            .request(&pkce)
            .set("redirect_uri", uri)
            .set("state", "x")
            .url(&env.app);
        let r = get(&browser(), &url).await;
        assert_error_page(r, 400, "invalid_redirect_uri").await;
    }
    // Even when the rest of the request is wrong too, nothing is sent to that URI.
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("redirect_uri", "https://evil.example/callback")
        .set("response_type", "token")
        .set("prompt", "none")
        .remove("scope")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_page(r, 400, "invalid_redirect_uri").await;
}

// ---------------------------------------------------------------------------------------------
// authorization codes at the token endpoint

async fn codes_are_single_use_and_a_replay_revokes_the_tokens(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("scope", "openid email offline_access")
        .url(&env.app);
    let callback = sign_in(&env.app, &browser, &url, ADA).await;
    let code = code_of(&callback);

    let (status, tokens) = env.exchange(&code, CALLBACK, Some(&pkce.verifier)).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().expect("access_token");
    let refresh = tokens["refresh_token"].as_str().expect("refresh_token");
    let me = |token: String| {
        let url = env.app.url("/oidc/me");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("userinfo")
                .status()
                .as_u16()
        }
    };
    assert_eq!(me(access.to_owned()).await, 200);

    let (status, body) = env.exchange(&code, CALLBACK, Some(&pkce.verifier)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(
        me(access.to_owned()).await,
        401,
        "the replay revokes the access token of the first exchange"
    );
    let (status, body) = env
        .token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["error"], "invalid_grant",
        "the replay revokes the refresh token too"
    );
}

async fn expired_codes_are_invalid_grant(backend: Backend) {
    let env = env_with(backend, |s| s.authorization_code_ttl_secs = 1).await;
    let browser = browser();
    // A code used at once works...
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    env.exchange_ok(&callback, &pkce).await;

    // ...one used after its lifetime does not.
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
    env.app.clock.advance(Duration::from_millis(1500));
    let (status, body) = env
        .exchange(&code_of(&callback), CALLBACK, Some(&pkce.verifier))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
}

async fn the_redirect_uri_must_match_at_the_token_endpoint(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    // Registered for the client, but not the one the code was issued for.
    let (status, body) = env
        .exchange(&code_of(&callback), OTHER_CALLBACK, Some(&pkce.verifier))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");

    for wrong in ["http://127.0.0.1:9999/callback/", "https://evil.example/cb"] {
        let pkce = Pkce::new();
        let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
        let (status, body) = env
            .exchange(&code_of(&callback), wrong, Some(&pkce.verifier))
            .await;
        assert_eq!(status, 400, "{wrong}: {body}");
        assert_eq!(body["error"], "invalid_grant", "{wrong}");
    }

    // The right one works.
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
    env.exchange_ok(&callback, &pkce).await;
}

async fn a_wrong_code_verifier_is_invalid_grant(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    let (status, body) = env
        .exchange(&code_of(&callback), CALLBACK, Some(&Pkce::new().verifier))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");

    // The challenge itself is not the verifier.
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
    let (status, body) = env
        .exchange(&code_of(&callback), CALLBACK, Some(&pkce.challenge))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");

    // No verifier for a code that had a challenge.
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
    let (status, body) = env.exchange(&code_of(&callback), CALLBACK, None).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");

    // The right verifier works.
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
    env.exchange_ok(&callback, &pkce).await;
}

async fn a_code_verifier_without_a_challenge_is_invalid_grant(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let without_pkce = |pkce: &Pkce| {
        env.request(pkce)
            .remove("code_challenge")
            .remove("code_challenge_method")
            .url(&env.app)
    };
    let callback = sign_in(&env.app, &browser, &without_pkce(&pkce), ADA).await;
    let (status, body) = env
        .exchange(&code_of(&callback), CALLBACK, Some(&pkce.verifier))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");

    // Without a verifier, a confidential client's code without PKCE works.
    let callback = location(&get(&browser, &without_pkce(&pkce)).await);
    let (status, body) = env.exchange(&code_of(&callback), CALLBACK, None).await;
    assert_eq!(status, 200, "{body}");
}

// ---------------------------------------------------------------------------------------------
// the hosted sign-in page

async fn wrong_password_and_unknown_email_get_the_same_answer(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("state", "w").url(&env.app);
    let page = start_interaction(&env.app, &browser, &url).await;
    let (_, csrf) = open_page(&browser, &page).await;

    let mut messages = Vec::new();
    for (email, password) in [
        (ADA, "not the password"),
        ("nobody@example.com", PASSWORD),
        ("nobody@example.com", "not the password"),
    ] {
        let r = post_sign_in(&browser, &page, &csrf, email, password).await;
        assert_eq!(r.status(), 401, "{email}");
        assert!(r.headers().get("location").is_none());
        assert!(
            r.headers().get_all("set-cookie").iter().all(|c| !c
                .to_str()
                .unwrap_or_default()
                .starts_with("sesame_session=")),
            "no session after a failed sign-in"
        );
        let html = r.text().await.expect("html");
        let message = alert(&html).unwrap_or_else(|| panic!("an error message in {html}"));
        assert!(
            input_value(&html, "csrf").is_some(),
            "the form is shown again"
        );
        messages.push(message);
    }
    assert!(!messages[0].is_empty());
    assert!(
        messages.iter().all(|m| m == &messages[0]),
        "one generic message for every failure: {messages:?}"
    );

    // Still not signed in; then the right password works.
    let silent = env.request(&pkce).set("prompt", "none").url(&env.app);
    assert_error_redirect(
        &get(&browser, &silent).await,
        &env.app,
        "login_required",
        None,
    );
    let r = post_sign_in(&browser, &page, &csrf, ADA, PASSWORD).await;
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    assert_eq!(query_param(&callback, "state").as_deref(), Some("w"));
    env.exchange_ok(&callback, &pkce).await;
}

async fn sign_in_needs_the_pages_csrf_token(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let page = start_interaction(&env.app, &browser, &env.request(&pkce).url(&env.app)).await;
    let (_, csrf) = open_page(&browser, &page).await;

    // Another interaction's (valid) token, from another browser.
    let other = crate::common::browser();
    let other_page = start_interaction(&env.app, &other, &env.request(&pkce).url(&env.app)).await;
    let (_, other_csrf) = open_page(&other, &other_page).await;
    assert_ne!(csrf, other_csrf);

    let wrong_length = format!("{csrf}x");
    for bad in ["", "wrong", other_csrf.as_str(), wrong_length.as_str()] {
        let r = post_sign_in(&browser, &page, bad, ADA, PASSWORD).await;
        assert_error_page(r, 403, "csrf_mismatch").await;
    }
    // None of those signed anyone in; the page's own token does.
    let silent = env.request(&pkce).set("prompt", "none").url(&env.app);
    assert_error_redirect(
        &get(&browser, &silent).await,
        &env.app,
        "login_required",
        None,
    );
    let r = post_sign_in(&browser, &page, &csrf, ADA, PASSWORD).await;
    assert_eq!(r.status(), 303);
    env.exchange_ok(&location(&r), &pkce).await;
}

/// A form post that lacks the csrf field altogether is refused like a wrong one: the same 403
/// page, not a framework parse error.
async fn sign_in_without_a_csrf_field_is_forbidden(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let page = start_interaction(&env.app, &browser, &env.request(&pkce).url(&env.app)).await;
    open_page(&browser, &page).await;
    let r = browser
        .post(format!("{page}/sign-in"))
        .form(&[("email", ADA), ("password", PASSWORD)])
        .send()
        .await
        .expect("post");
    assert_error_page(r, 403, "csrf_mismatch").await;
    let silent = env.request(&pkce).set("prompt", "none").url(&env.app);
    assert_error_redirect(
        &get(&browser, &silent).await,
        &env.app,
        "login_required",
        None,
    );
}

async fn repeated_failures_lock_the_account_for_a_while(backend: Backend) {
    let env = env_with(backend, |s| {
        s.sign_in_failures_per_account = 3;
        s.sign_in_failure_window_secs = 2;
    })
    .await;
    let browser = browser();
    let pkce = Pkce::new();
    let page = start_interaction(&env.app, &browser, &env.request(&pkce).url(&env.app)).await;
    let (_, csrf) = open_page(&browser, &page).await;

    for _ in 0..3 {
        let r = post_sign_in(&browser, &page, &csrf, ADA, "not the password").await;
        assert_eq!(r.status(), 401);
    }
    // Locked: even the right password, in any letter case, is refused.
    for email in [ADA, "ADA@Example.com"] {
        let r = post_sign_in(&browser, &page, &csrf, email, PASSWORD).await;
        assert_eq!(r.status(), 429, "{email}");
        assert!(r.headers().get("location").is_none());
        let html = r.text().await.expect("html");
        assert!(alert(&html).is_some(), "{html}");
    }
    // Once the window has passed, the right password works again.
    env.app.clock.advance(Duration::from_millis(2100));
    let r = post_sign_in(&browser, &page, &csrf, ADA, PASSWORD).await;
    assert_eq!(r.status(), 303);
    env.exchange_ok(&location(&r), &pkce).await;
}

// ---------------------------------------------------------------------------------------------
// registration

async fn registration_creates_an_account_and_completes_the_flow(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("state", "reg").url(&env.app);
    let page = start_interaction(&env.app, &browser, &url).await;
    let (html, _) = open_page(&browser, &page).await;
    assert!(
        html.contains("/register\""),
        "the sign-in page links to registration: {html}"
    );

    let (_, csrf) = open_page(&browser, &format!("{page}/register")).await;
    let r = browser
        .post(format!("{page}/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "Grace@Example.com"),
            ("name", "Grace Hopper"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    assert_eq!(query_param(&callback, "state").as_deref(), Some("reg"));
    let claims = id_claims(&env.exchange_ok(&callback, &pkce).await);
    assert_eq!(claims["email"], "Grace@Example.com");
    assert_ne!(claims["sub"], env.ada_id.as_str());
    assert_eq!(count_users(&env.app, "grace@example.com"), 1);

    // The new account signs in like any other, in another browser.
    let pkce2 = Pkce::new();
    let other = crate::common::browser();
    let callback = sign_in(
        &env.app,
        &other,
        &env.request(&pkce2).url(&env.app),
        "grace@example.com",
    )
    .await;
    let again = id_claims(&env.exchange_ok(&callback, &pkce2).await);
    assert_eq!(again["sub"], claims["sub"]);
}

async fn registration_is_closed_when_sign_up_is_disabled(backend: Backend) {
    let env = env_with(backend, |s| s.sign_up_enabled = false).await;
    let browser = browser();
    let pkce = Pkce::new();
    let page = start_interaction(&env.app, &browser, &env.request(&pkce).url(&env.app)).await;
    let (html, csrf) = open_page(&browser, &page).await;
    assert!(!html.contains("/register"), "no registration link: {html}");

    let r = get(&browser, &format!("{page}/register")).await;
    assert_error_page(r, 403, "sign_up_disabled").await;
    let r = browser
        .post(format!("{page}/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "grace@example.com"),
            ("name", "Grace"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("register");
    assert_error_page(r, 403, "sign_up_disabled").await;
    assert_eq!(count_users(&env.app, "grace@example.com"), 0);
}

async fn registering_an_existing_email_is_refused(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let page = start_interaction(&env.app, &browser, &env.request(&pkce).url(&env.app)).await;
    let (_, csrf) = open_page(&browser, &format!("{page}/register")).await;
    let other_password = "another password entirely";
    let r = browser
        .post(format!("{page}/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "ADA@example.COM"),
            ("name", "Impostor"),
            ("password", other_password),
        ])
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("location").is_none());
    assert!(
        r.headers().get_all("set-cookie").iter().all(|c| !c
            .to_str()
            .unwrap_or_default()
            .starts_with("sesame_session=")),
        "no session"
    );
    let html = r.text().await.expect("html");
    assert!(alert(&html).is_some(), "an error message: {html}");
    assert_eq!(count_users(&env.app, ADA), 1, "no second account");

    // Ada's account is untouched: her password works, the new one does not.
    let other = crate::common::browser();
    let page = start_interaction(&env.app, &other, &env.request(&pkce).url(&env.app)).await;
    let (_, csrf) = open_page(&other, &page).await;
    let r = post_sign_in(&other, &page, &csrf, ADA, other_password).await;
    assert_eq!(r.status(), 401);
    let r = post_sign_in(&other, &page, &csrf, ADA, PASSWORD).await;
    assert_eq!(r.status(), 303);
    let claims = id_claims(&env.exchange_ok(&location(&r), &pkce).await);
    assert_eq!(claims["sub"], env.ada_id.as_str());
}

on_both_backends!(
    state_and_iss_come_back_unchanged,
    state_and_iss_come_back_on_errors,
    discovery_advertises_the_iss_parameter,
    nonce_ends_up_in_the_id_token,
    prompt_none_without_a_session_is_login_required,
    prompt_none_with_a_session_completes_silently,
    prompt_login_signs_in_again,
    prompt_consent_is_accepted,
    max_age_older_than_the_session_signs_in_again,
    max_age_must_be_a_number,
    id_token_hint_of_the_session_user_allows_prompt_none,
    id_token_hint_of_another_user_is_login_required,
    invalid_id_token_hint_is_invalid_request,
    login_hint_prefills_the_email,
    login_hint_is_escaped,
    unknown_parameters_are_ignored,
    request_objects_are_not_supported,
    unsupported_response_type_is_refused,
    the_openid_scope_is_required,
    spa_needs_a_code_challenge,
    plain_pkce_is_refused,
    repeated_parameters_are_refused,
    unknown_client_gets_an_error_page,
    unregistered_redirect_uri_gets_an_error_page,
    codes_are_single_use_and_a_replay_revokes_the_tokens,
    expired_codes_are_invalid_grant,
    the_redirect_uri_must_match_at_the_token_endpoint,
    a_wrong_code_verifier_is_invalid_grant,
    a_code_verifier_without_a_challenge_is_invalid_grant,
    wrong_password_and_unknown_email_get_the_same_answer,
    sign_in_needs_the_pages_csrf_token,
    sign_in_without_a_csrf_field_is_forbidden,
    repeated_failures_lock_the_account_for_a_while,
    registration_creates_an_account_and_completes_the_flow,
    registration_is_closed_when_sign_up_is_disabled,
    registering_an_existing_email_is_refused,
);
