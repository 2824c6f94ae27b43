//! Request handling at the authorization endpoint `/oidc/auth`, as a relying party and a person
//! in a browser meet it: `state` and `iss` on every answer, `nonce`, `prompt`, `max_age`,
//! `id_token_hint`, `login_hint`, refusals (as redirects once the redirect URI is trusted, as
//! pages before), authorization codes at the token endpoint, and the hosted sign-in and
//! registration pages.

use std::time::Duration;

use crate::common::api::token_request;
use crate::common::{
    Backend, PASSWORD, TestApp, assert_error_page, browser, input_value, jwt_part, location,
    open_page, post_sign_in, query_param, sign_in, start_interaction, submit_sign_in,
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
        Env {
            app: self.app.clone(),
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
        let reply = token_request(&self.app, None, &form).await;
        assert!(
            !reply.json.is_null(),
            "token endpoint answers JSON: {}",
            reply.text
        );
        (reply.status, reply.json)
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
    jwt_part(tokens["id_token"].as_str().expect("an id_token"), 1)
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

/// The text of the page's alert (`<p class="error" role="alert">...</p>`).
fn alert(html: &str) -> Option<String> {
    let start = html.find(r#"role="alert">"#)? + r#"role="alert">"#.len();
    let end = start + html[start..].find("</p>")?;
    Some(html[start..end].trim().to_owned())
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

mod codes;
mod hosted_pages;
mod refusals;
mod request_parameters;
