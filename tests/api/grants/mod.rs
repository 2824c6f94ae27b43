//! The token endpoint's rules, over HTTP against a real server on both databases:
//! authorization_code + PKCE, refresh token rotation and reuse detection, client_credentials
//! JWTs, client authentication, malformed requests, introspection, revocation and userinfo.

use crate::common::api::{self, Reply};
use crate::common::{Backend, TestApp, browser, code_request, jwt_part, query_param, sign_in};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;
use sesame::crypto::{SigningAlg, random_token};
use sesame::identity::applications::AppType;

const CALLBACK: &str = "http://127.0.0.1:9999/callback";
const EMAIL: &str = "grace@example.com";

/// A registered client and how it authenticates.
struct Client {
    id: String,
    secret: Option<String>,
}

impl Client {
    fn new(app: &TestApp, app_type: AppType) -> Self {
        let uris: &[&str] = if app_type == AppType::M2m {
            &[]
        } else {
            &[CALLBACK]
        };
        let (id, secret) = app.create_app(app_type, uris, SigningAlg::RS256);
        Client { id, secret }
    }

    fn m2m(app: &TestApp, management_api: bool) -> Self {
        let (id, secret) =
            app.create_app_full(AppType::M2m, &[], &[], SigningAlg::RS256, management_api);
        Client { id, secret }
    }

    /// A resource server allowed to introspect every client's tokens.
    fn introspector(app: &TestApp) -> Self {
        let (id, secret) = app.create_introspector();
        Client { id, secret }
    }

    fn secret(&self) -> &str {
        self.secret.as_deref().expect("a confidential client")
    }

    /// `client_secret_post` for confidential clients, `client_id` alone for public ones.
    fn post_auth(&self) -> Vec<(&str, &str)> {
        let mut form = vec![("client_id", self.id.as_str())];
        if let Some(secret) = &self.secret {
            form.push(("client_secret", secret.as_str()));
        }
        form
    }
}

/// `Authorization: Basic` per RFC 6749 2.3.1: id and secret form-urlencoded, then base64.
fn basic(id: &str, secret: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
    )
}

/// Sends `request`; the body must be JSON when there is one.
async fn send(request: reqwest::RequestBuilder) -> Reply {
    json_only(api::send(request).await)
}

/// `reply`, whose body must be JSON when there is one.
fn json_only(reply: Reply) -> Reply {
    if !reply.text.is_empty() && serde_json::from_str::<Value>(&reply.text).is_err() {
        panic!("status {}: body is not JSON: {}", reply.status, reply.text);
    }
    reply
}

/// POSTs a form to `path`, with an optional `Authorization` header.
async fn post(
    app: &TestApp,
    path: &str,
    authorization: Option<&str>,
    form: &[(&str, &str)],
) -> Reply {
    let mut request = reqwest::Client::new().post(app.url(path)).form(form);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    send(request).await
}

async fn token(app: &TestApp, form: &[(&str, &str)]) -> Reply {
    post(app, "/oidc/token", None, form).await
}

async fn token_basic(app: &TestApp, client: &Client, form: &[(&str, &str)]) -> Reply {
    let auth = basic(&client.id, client.secret());
    post(app, "/oidc/token", Some(&auth), form).await
}

/// Signs in through the hosted page for `scope`; returns the code and the PKCE verifier.
async fn authorize(app: &TestApp, client: &Client, scope: &str) -> (String, String) {
    let (url, verifier) = code_request(app, &client.id, CALLBACK, scope, "st-1");
    // A fresh browser each time: no session, so the sign-in page always shows.
    let callback = sign_in(app, &browser(), &url, EMAIL).await;
    assert!(
        callback.starts_with(CALLBACK),
        "unexpected redirect {callback}"
    );
    assert_eq!(query_param(&callback, "state").as_deref(), Some("st-1"));
    let code = query_param(&callback, "code")
        .unwrap_or_else(|| panic!("no code in the callback {callback}"));
    (code, verifier)
}

async fn exchange(app: &TestApp, client: &Client, code: &str, verifier: &str) -> Reply {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", verifier),
    ];
    form.extend(client.post_auth());
    token(app, &form).await
}

/// A successful code flow for `scope`: the token response.
async fn tokens(app: &TestApp, client: &Client, scope: &str) -> Reply {
    let (code, verifier) = authorize(app, client, scope).await;
    let reply = exchange(app, client, &code, &verifier).await;
    reply.ok(200);
    reply
}

async fn refresh(
    app: &TestApp,
    client: &Client,
    refresh_token: &str,
    scope: Option<&str>,
) -> Reply {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    form.extend(client.post_auth());
    token(app, &form).await
}

async fn client_credentials(app: &TestApp, client: &Client, extra: &[(&str, &str)]) -> Reply {
    let mut form = vec![("grant_type", "client_credentials")];
    form.extend_from_slice(extra);
    form.extend(client.post_auth());
    token(app, &form).await
}

/// `GET /oidc/me`; the body must be JSON when there is one.
async fn userinfo(app: &TestApp, access_token: &str) -> Reply {
    json_only(api::userinfo(app, access_token).await)
}

#[track_caller]
fn assert_invalid_token(reply: &Reply) {
    reply.assert_oauth_error(401, "invalid_token");
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer") && challenge.contains("invalid_token"),
        "challenge was {challenge:?}"
    );
}

async fn introspect(app: &TestApp, client: &Client, token: &str) -> Reply {
    let mut form = vec![("token", token)];
    form.extend(client.post_auth());
    post(app, "/oidc/token/introspection", None, &form).await
}

async fn revoke(app: &TestApp, client: &Client, token: &str, hint: Option<&str>) -> Reply {
    let mut form = vec![("token", token)];
    if let Some(hint) = hint {
        form.push(("token_type_hint", hint));
    }
    form.extend(client.post_auth());
    post(app, "/oidc/token/revocation", None, &form).await
}

mod authorization_code;
mod client_authentication;
mod client_credentials;
mod token_use;
