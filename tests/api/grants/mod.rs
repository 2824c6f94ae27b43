//! The token endpoint's rules, over HTTP against a real server on both databases:
//! authorization_code + PKCE, refresh token rotation and reuse detection, client_credentials
//! JWTs, client authentication, malformed requests, introspection, revocation and userinfo.

use crate::common::api::{self, Reply};
use crate::common::{Backend, TestApp, browser, query_param, sign_in};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;
use sesame::crypto::{SigningAlg, random_token, sha256_b64url};
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
    let reply = api::send(request).await;
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
    let verifier = random_token(32);
    let challenge = sha256_b64url(&verifier);
    let mut url = url::Url::parse(&format!("{}/auth", app.issuer)).expect("url");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &client.id)
        .append_pair("redirect_uri", CALLBACK)
        .append_pair("scope", scope)
        .append_pair("state", "st-1")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    // A fresh browser each time: no session, so the sign-in page always shows.
    let callback = sign_in(app, &browser(), url.as_str(), EMAIL).await;
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

async fn userinfo(app: &TestApp, access_token: &str) -> Reply {
    send(
        reqwest::Client::new()
            .get(app.url("/oidc/me"))
            .bearer_auth(access_token),
    )
    .await
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

fn jwt_part(jwt: &str, index: usize) -> Value {
    let part = jwt.split('.').nth(index).expect("JWT part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

// ---------------------------------------------------------------------------------------------
// authorization_code

async fn code_exchange_with_pkce_issues_bearer_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(EMAIL);
    let client = Client::new(&app, AppType::Spa);

    let offline = tokens(&app, &client, "openid email offline_access").await;
    assert_eq!(offline.json["token_type"], "Bearer");
    assert_eq!(
        offline.json["expires_in"].as_i64(),
        Some(app.settings.access_token_ttl_secs)
    );
    assert_eq!(offline.json["scope"], "openid email offline_access");
    assert_eq!(offline.str("id_token").split('.').count(), 3);
    assert!(!offline.str("access_token").is_empty());
    assert!(!offline.str("refresh_token").is_empty());
    assert_eq!(offline.header("cache-control"), Some("no-store"));
    let id_token = jwt_part(&offline.str("id_token"), 1);
    assert_eq!(id_token["sub"], user.id.as_str());
    assert_eq!(id_token["aud"], client.id.as_str());
    assert_eq!(id_token["iss"], app.issuer.as_str());
    userinfo(&app, &offline.str("access_token")).await.ok(200);

    // Without offline_access there is no refresh token.
    let online = tokens(&app, &client, "openid email").await;
    assert_eq!(online.json["token_type"], "Bearer");
    assert_eq!(online.json["scope"], "openid email");
    assert!(online.json["id_token"].is_string());
    assert!(
        online.json.get("refresh_token").is_none(),
        "no offline_access, no refresh token: {}",
        online.json
    );
    assert_eq!(online.header("cache-control"), Some("no-store"));
}

async fn code_exchange_checks_the_pkce_verifier(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let client = Client::new(&app, AppType::Spa);

    // A verifier that does not match the challenge.
    let (code, verifier) = authorize(&app, &client, "openid").await;
    let wrong = random_token(32);
    assert_ne!(wrong, verifier);
    exchange(&app, &client, &code, &wrong)
        .await
        .assert_oauth_error(400, "invalid_grant");

    // No verifier at all for a code bound to a challenge.
    let (code, _) = authorize(&app, &client, "openid").await;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    form.extend(client.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "invalid_grant");

    // The right verifier works, once.
    let (code, verifier) = authorize(&app, &client, "openid").await;
    exchange(&app, &client, &code, &verifier).await.ok(200);
    exchange(&app, &client, &code, &verifier)
        .await
        .assert_oauth_error(400, "invalid_grant");
}

// ---------------------------------------------------------------------------------------------
// refresh_token

async fn refresh_rotation_and_reuse_revokes_the_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let spa = Client::new(&app, AppType::Spa);
    let first = tokens(&app, &spa, "openid offline_access").await;
    let rt0 = first.str("refresh_token");
    let at0 = first.str("access_token");

    let second = refresh(&app, &spa, &rt0, None).await;
    second.ok(200);
    assert_eq!(second.header("cache-control"), Some("no-store"));
    assert_eq!(second.json["token_type"], "Bearer");
    let rt1 = second.str("refresh_token");
    let at1 = second.str("access_token");
    assert_ne!(rt1, rt0, "rotation returns a new refresh token");
    assert_ne!(at1, at0);

    let third = refresh(&app, &spa, &rt1, None).await;
    third.ok(200);
    let rt2 = third.str("refresh_token");
    let at2 = third.str("access_token");
    assert!(rt2 != rt1 && rt2 != rt0);
    for at in [&at0, &at1, &at2] {
        userinfo(&app, at).await.ok(200);
    }

    // The rotated-out token again: refused, and the whole family is revoked.
    refresh(&app, &spa, &rt0, None)
        .await
        .assert_oauth_error(400, "invalid_grant");
    refresh(&app, &spa, &rt2, None)
        .await
        .assert_oauth_error(400, "invalid_grant");
    for at in [&at0, &at1, &at2] {
        assert_invalid_token(&userinfo(&app, at).await);
    }
}

async fn refresh_may_narrow_but_not_widen_the_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let client = Client::new(&app, AppType::Traditional);
    let first = tokens(&app, &client, "openid offline_access").await;

    let narrow = refresh(&app, &client, &first.str("refresh_token"), Some("openid")).await;
    narrow.ok(200);
    assert_eq!(narrow.json["scope"], "openid");
    assert!(narrow.json["id_token"].is_string());

    // The rotated token keeps the original grant: no scope asked, the whole grant comes back.
    let rt = narrow.str("refresh_token");
    let full = refresh(&app, &client, &rt, None).await;
    full.ok(200);
    assert_eq!(full.json["scope"], "openid offline_access");

    refresh(
        &app,
        &client,
        &full.str("refresh_token"),
        Some("openid email"),
    )
    .await
    .assert_oauth_error(400, "invalid_scope");
}

/// RFC 6749 6: the old refresh token may be revoked *after issuing* a new one; a request
/// refused for its scope issues nothing, so the client's token must still work.
async fn refused_refresh_leaves_the_token_usable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let client = Client::new(&app, AppType::Spa);
    let first = tokens(&app, &client, "openid offline_access").await;
    let rt = first.str("refresh_token");
    refresh(&app, &client, &rt, Some("openid email"))
        .await
        .assert_oauth_error(400, "invalid_scope");
    let retry = refresh(&app, &client, &rt, None).await;
    assert_eq!(
        retry.status, 200,
        "a refresh refused for its scope must not consume the refresh token: {}",
        retry.json
    );
    userinfo(&app, &first.str("access_token")).await.ok(200);
}

async fn refresh_token_is_bound_to_its_client(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let a = Client::new(&app, AppType::Spa);
    let b = Client::new(&app, AppType::Spa);
    let c = Client::new(&app, AppType::Traditional);
    let first = tokens(&app, &a, "openid offline_access").await;
    let rt = first.str("refresh_token");

    refresh(&app, &b, &rt, None)
        .await
        .assert_oauth_error(400, "invalid_grant");
    refresh(&app, &c, &rt, None)
        .await
        .assert_oauth_error(400, "invalid_grant");

    // Neither attempt consumed or revoked anything of A's.
    userinfo(&app, &first.str("access_token")).await.ok(200);
    let again = refresh(&app, &a, &rt, None).await;
    again.ok(200);
    assert_ne!(again.str("refresh_token"), rt);
}

// ---------------------------------------------------------------------------------------------
// client_credentials

async fn client_credentials_issues_a_verifiable_jwt(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let m2m = Client::m2m(&app, true);
    let resource = app.settings.management_api_resource();
    assert_eq!(resource, format!("{}/api", app.base));
    let form = [
        ("grant_type", "client_credentials"),
        ("resource", resource.as_str()),
        ("scope", "all"),
    ];

    // client_secret_basic
    let reply = token_basic(&app, &m2m, &form).await;
    reply.ok(200);
    assert_eq!(reply.json["token_type"], "Bearer");
    assert_eq!(reply.json["scope"], "all");
    assert_eq!(
        reply.json["expires_in"].as_i64(),
        Some(app.settings.access_token_ttl_secs)
    );
    assert!(reply.json.get("refresh_token").is_none());
    assert!(reply.json.get("id_token").is_none());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let jwt = reply.str("access_token");

    // client_secret_post
    let mut with_post = form.to_vec();
    with_post.extend(m2m.post_auth());
    token(&app, &with_post).await.ok(200);

    // The header names ES256, at+jwt and a published key.
    let header = jwt_part(&jwt, 0);
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["typ"], "at+jwt");
    let kid = header["kid"].as_str().expect("kid");
    let jwks = send(reqwest::Client::new().get(app.url("/oidc/jwks"))).await;
    let keys = jwks.ok(200)["keys"].as_array().expect("keys").clone();
    let jwk = keys
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap_or_else(|| panic!("kid {kid} not in the JWKS {}", jwks.json));
    assert_eq!(jwk["kty"], "EC");
    assert_eq!(jwk["crv"], "P-256");

    let claims = jwt_part(&jwt, 1);
    assert_eq!(claims["aud"], resource.as_str());
    assert_eq!(claims["iss"], app.issuer.as_str());
    assert_eq!(claims["client_id"], m2m.id.as_str());
    assert_eq!(claims["scope"], "all");
    let (iat, exp) = (
        claims["iat"].as_i64().expect("iat"),
        claims["exp"].as_i64().expect("exp"),
    );
    assert!(exp > iat, "exp {exp} must be after iat {iat}");

    // The signature verifies with the published key, for this audience and issuer.
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
    let key = DecodingKey::from_ec_components(
        jwk["x"].as_str().expect("x"),
        jwk["y"].as_str().expect("y"),
    )
    .expect("EC key");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[resource.as_str()]);
    validation.set_issuer(&[app.issuer.as_str()]);
    let verified = decode::<Value>(&jwt, &key, &validation).expect("the JWT verifies");
    assert_eq!(verified.claims["client_id"], m2m.id.as_str());

    // Tampering with the payload (a wider scope) or the signature breaks verification.
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut widened = claims.clone();
    widened["scope"] = "all admin".into();
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&widened).expect("json"));
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert!(decode::<Value>(&forged, &key, &validation).is_err());
    let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("signature");
    signature[0] ^= 0x01;
    let flipped = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode(signature)
    );
    assert!(decode::<Value>(&flipped, &key, &validation).is_err());
    // And it is not valid for another audience.
    let mut other_audience = Validation::new(Algorithm::ES256);
    other_audience.set_audience(&["https://other.example/api"]);
    assert!(decode::<Value>(&jwt, &key, &other_audience).is_err());
}

async fn client_credentials_needs_an_available_resource_and_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let managing = Client::m2m(&app, true);
    let plain = Client::m2m(&app, false);
    let api = app.settings.management_api_resource();

    client_credentials(&app, &managing, &[("scope", "all")])
        .await
        .assert_oauth_error(400, "invalid_target");
    client_credentials(
        &app,
        &managing,
        &[
            ("resource", "https://unknown.example/api"),
            ("scope", "all"),
        ],
    )
    .await
    .assert_oauth_error(400, "invalid_target");
    client_credentials(&app, &plain, &[("resource", &api), ("scope", "all")])
        .await
        .assert_oauth_error(400, "invalid_target");
    client_credentials(&app, &managing, &[("resource", &api), ("scope", "admin")])
        .await
        .assert_oauth_error(400, "invalid_scope");
    client_credentials(
        &app,
        &managing,
        &[("resource", &api), ("scope", "all admin")],
    )
    .await
    .assert_oauth_error(400, "invalid_scope");
    // The same request with an available scope, and with none, succeeds.
    let ok = client_credentials(&app, &managing, &[("resource", &api), ("scope", "all")]).await;
    assert_eq!(ok.ok(200)["scope"], "all");
    let ok = client_credentials(&app, &managing, &[("resource", &api)]).await;
    assert_eq!(ok.ok(200)["scope"], "all");
}

async fn grant_types_are_limited_by_application_type(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.settings.management_api_resource();
    let spa = Client::new(&app, AppType::Spa);
    let web = Client::new(&app, AppType::Traditional);
    let m2m = Client::m2m(&app, true);

    for client in [&spa, &web] {
        client_credentials(&app, client, &[("resource", &api), ("scope", "all")])
            .await
            .assert_oauth_error(400, "unauthorized_client");
    }
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", "some-code"),
        ("redirect_uri", CALLBACK),
    ];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "unauthorized_client");
    refresh(&app, &m2m, "some-refresh-token", None)
        .await
        .assert_oauth_error(400, "unauthorized_client");
}

// ---------------------------------------------------------------------------------------------
// client authentication and request syntax

async fn client_authentication_failures(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.settings.management_api_resource();
    let m2m = Client::m2m(&app, true);
    let web = Client::new(&app, AppType::Traditional);
    let spa = Client::new(&app, AppType::Spa);
    let cc = [
        ("grant_type", "client_credentials"),
        ("resource", api.as_str()),
        ("scope", "all"),
    ];

    // Wrong secret with Basic: 401 and a Basic challenge.
    let wrong = basic(&m2m.id, "not-the-secret");
    let reply = post(&app, "/oidc/token", Some(&wrong), &cc).await;
    reply.assert_oauth_error(401, "invalid_client");
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Basic"),
        "challenge was {challenge:?}"
    );

    // Wrong secret in the body.
    let mut form = cc.to_vec();
    form.extend([
        ("client_id", m2m.id.as_str()),
        ("client_secret", "not-the-secret"),
    ]);
    token(&app, &form)
        .await
        .assert_oauth_error(401, "invalid_client");

    // Unknown client, by Basic and in the body.
    let unknown = basic("no-such-client", m2m.secret());
    let reply = post(&app, "/oidc/token", Some(&unknown), &cc).await;
    reply.assert_oauth_error(401, "invalid_client");
    assert!(reply.header("www-authenticate").is_some());
    let mut form = cc.to_vec();
    form.extend([
        ("client_id", "no-such-client"),
        ("client_secret", m2m.secret()),
    ]);
    token(&app, &form)
        .await
        .assert_oauth_error(401, "invalid_client");

    // Basic and client_secret in the body together.
    let good = basic(&m2m.id, m2m.secret());
    let mut form = cc.to_vec();
    form.push(("client_secret", m2m.secret()));
    post(&app, "/oidc/token", Some(&good), &form)
        .await
        .assert_oauth_error(400, "invalid_request");

    // A confidential client without its secret.
    let mut form = cc.to_vec();
    form.push(("client_id", m2m.id.as_str()));
    token(&app, &form)
        .await
        .assert_oauth_error(401, "invalid_client");
    let no_secret = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "whatever"),
        ("client_id", web.id.as_str()),
    ];
    token(&app, &no_secret)
        .await
        .assert_oauth_error(401, "invalid_client");

    // A public client presenting a secret.
    let spa_with_secret = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "whatever"),
        ("client_id", spa.id.as_str()),
        ("client_secret", "anything"),
    ];
    token(&app, &spa_with_secret)
        .await
        .assert_oauth_error(401, "invalid_client");
    // The same request without the secret gets past authentication.
    token(&app, &spa_with_secret[..3])
        .await
        .assert_oauth_error(400, "invalid_grant");

    // The right credentials, both ways, succeed.
    post(&app, "/oidc/token", Some(&good), &cc).await.ok(200);
    client_credentials(&app, &m2m, &cc[1..]).await.ok(200);
}

async fn malformed_token_requests(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.settings.management_api_resource();
    let m2m = Client::m2m(&app, true);

    let mut form = vec![
        ("grant_type", "password"),
        ("username", "a"),
        ("password", "b"),
    ];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "unsupported_grant_type");
    let mut form = vec![("grant_type", "urn:ietf:params:oauth:grant-type:device_code")];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "unsupported_grant_type");

    // Missing (or empty) grant_type.
    let mut form = vec![("resource", api.as_str()), ("scope", "all")];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "invalid_request");
    let mut form = vec![("grant_type", ""), ("resource", api.as_str())];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "invalid_request");

    // A parameter given twice, even with the same value, is refused.
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("resource", api.as_str()),
        ("resource", api.as_str()),
    ];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "invalid_request");
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("grant_type", "client_credentials"),
        ("resource", api.as_str()),
    ];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "invalid_request");
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("resource", api.as_str()),
    ];
    form.extend(m2m.post_auth());
    form.push(("client_id", m2m.id.as_str()));
    token(&app, &form)
        .await
        .assert_oauth_error(400, "invalid_request");
}

// ---------------------------------------------------------------------------------------------
// introspection, revocation, userinfo

async fn introspection_reports_token_state(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(EMAIL);
    let web = Client::new(&app, AppType::Traditional);
    let spa = Client::new(&app, AppType::Spa);
    let m2m = Client::m2m(&app, true);
    let api = app.settings.management_api_resource();

    let user_tokens = tokens(&app, &spa, "openid email").await;
    let at = user_tokens.str("access_token");
    let active = introspect(&app, &web, &at).await;
    active.ok(200);
    assert_eq!(active.json["active"], true);
    assert_eq!(active.json["sub"], user.id.as_str());
    assert_eq!(active.json["client_id"], spa.id.as_str());
    assert_eq!(active.json["scope"], "openid email");
    assert_eq!(active.header("cache-control"), Some("no-store"));
    // Basic authentication works too.
    let auth = basic(&web.id, web.secret());
    let reply = post(
        &app,
        "/oidc/token/introspection",
        Some(&auth),
        &[("token", &at)],
    )
    .await;
    assert_eq!(reply.ok(200)["active"], true);

    // After revocation.
    revoke(&app, &spa, &at, Some("access_token")).await.ok(200);
    let revoked = introspect(&app, &web, &at).await;
    assert_eq!(revoked.ok(200), &serde_json::json!({"active": false}));

    // A client_credentials JWT.
    let cc = client_credentials(&app, &m2m, &[("resource", &api), ("scope", "all")]).await;
    let jwt = cc.str("access_token");
    let reply = introspect(&app, &web, &jwt).await;
    reply.ok(200);
    assert_eq!(reply.json["active"], true);
    assert_eq!(reply.json["client_id"], m2m.id.as_str());
    assert_eq!(reply.json["scope"], "all");
    assert_eq!(reply.json["aud"], api.as_str());

    // Garbage, and a JWT whose payload was changed.
    for junk in ["not-a-token", "a.b.c", &random_token(32)] {
        let reply = introspect(&app, &web, junk).await;
        assert_eq!(
            reply.ok(200),
            &serde_json::json!({"active": false}),
            "{junk}"
        );
    }
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut claims = jwt_part(&jwt, 1);
    claims["client_id"] = "someone-else".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("json")),
        parts[2]
    );
    let reply = introspect(&app, &web, &forged).await;
    assert_eq!(reply.ok(200), &serde_json::json!({"active": false}));

    // Public clients may not introspect; neither may a confidential one with a wrong secret.
    introspect(&app, &spa, &jwt)
        .await
        .assert_oauth_error(401, "invalid_client");
    let wrong = [
        ("token", jwt.as_str()),
        ("client_id", web.id.as_str()),
        ("client_secret", "wrong"),
    ];
    post(&app, "/oidc/token/introspection", None, &wrong)
        .await
        .assert_oauth_error(401, "invalid_client");
}

async fn revocation_rules(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let a = Client::new(&app, AppType::Traditional);
    let b = Client::new(&app, AppType::Spa);

    let a_tokens = tokens(&app, &a, "openid offline_access").await;
    let b_tokens = tokens(&app, &b, "openid offline_access").await;
    let a_at = a_tokens.str("access_token");
    let b_at = b_tokens.str("access_token");
    let b_rt = b_tokens.str("refresh_token");

    // Another client's tokens are refused (RFC 7009 2.1) and left alone.
    for (token, hint) in [(&b_at, "access_token"), (&b_rt, "refresh_token")] {
        let reply = revoke(&app, &a, token, Some(hint)).await;
        assert_eq!(reply.status, 400);
        assert_eq!(reply.json["error"], "invalid_request");
    }
    userinfo(&app, &b_at).await.ok(200);

    // An unknown token: 200 all the same.
    let reply = revoke(&app, &a, &random_token(32), None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("cache-control"), Some("no-store"));

    // Revoking one's own access token: /oidc/me refuses it.
    userinfo(&app, &a_at).await.ok(200);
    let reply = revoke(&app, &a, &a_at, Some("access_token")).await;
    assert_eq!(reply.status, 200);
    assert_invalid_token(&userinfo(&app, &a_at).await);
    // Revoking an access token leaves the refresh token working.
    refresh(&app, &a, &a_tokens.str("refresh_token"), None)
        .await
        .ok(200);

    // B's refresh token survived A's attempt, and B can revoke it itself.
    let b_next = refresh(&app, &b, &b_rt, None).await;
    b_next.ok(200);
    revoke(&app, &b, &b_next.str("refresh_token"), None)
        .await
        .ok(200);
    refresh(&app, &b, &b_next.str("refresh_token"), None)
        .await
        .assert_oauth_error(400, "invalid_grant");
}

async fn userinfo_accepts_bearer_tokens_and_releases_claims_by_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(EMAIL);
    let client = Client::new(&app, AppType::Spa);
    let http = reqwest::Client::new();
    let me = app.url("/oidc/me");

    let all = tokens(&app, &client, "openid email profile").await;
    let at = all.str("access_token");
    let expected = serde_json::json!({
        "sub": user.id,
        "email": EMAIL,
        "email_verified": true,
        "name": "Test Person",
    });

    let get = userinfo(&app, &at).await;
    assert_eq!(get.ok(200), &expected);
    assert_eq!(get.header("cache-control"), Some("no-store"));
    let post_header = send(http.post(&me).bearer_auth(&at)).await;
    assert_eq!(post_header.ok(200), &expected);
    let post_form = send(http.post(&me).form(&[("access_token", at.as_str())])).await;
    assert_eq!(post_form.ok(200), &expected);

    // No token at all.
    for reply in [
        send(http.get(&me)).await,
        send(http.post(&me).form(&[("other", "x")])).await,
    ] {
        assert_eq!(reply.status, 401);
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        // RFC 6750 3.1: no credentials, no error code in the challenge.
        assert!(
            challenge.starts_with("Bearer") && !challenge.contains("error="),
            "challenge was {challenge:?}"
        );
    }
    // A token that was never issued.
    assert_invalid_token(&userinfo(&app, &random_token(32)).await);

    // Claims follow the scope.
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    for (scope, expected) in [
        ("openid", vec!["sub"]),
        ("openid email", vec!["email", "email_verified", "sub"]),
        ("openid profile", vec!["name", "sub"]),
    ] {
        let t = tokens(&app, &client, scope).await;
        let reply = userinfo(&app, &t.str("access_token")).await;
        assert_eq!(keys(reply.ok(200)), expected, "scope {scope}");
        assert_eq!(reply.json["sub"], user.id.as_str());
    }
}

on_both_backends!(
    code_exchange_with_pkce_issues_bearer_tokens,
    code_exchange_checks_the_pkce_verifier,
    refresh_rotation_and_reuse_revokes_the_family,
    refresh_may_narrow_but_not_widen_the_scope,
    refused_refresh_leaves_the_token_usable,
    refresh_token_is_bound_to_its_client,
    client_credentials_issues_a_verifiable_jwt,
    client_credentials_needs_an_available_resource_and_scope,
    grant_types_are_limited_by_application_type,
    client_authentication_failures,
    malformed_token_requests,
    introspection_reports_token_state,
    revocation_rules,
    userinfo_accepts_bearer_tokens_and_releases_claims_by_scope,
);
