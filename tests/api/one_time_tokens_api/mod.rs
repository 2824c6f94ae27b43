//! The Management API for one-time tokens (magic links), over HTTP against a real Sesame on
//! both backends: authentication of callers, creation and its validation, the token's secrecy
//! (hash at rest, shown once), listing with filters and paging, expiry, status changes,
//! deletion, verification with its error codes, atomic consumption, creation rate limits and
//! the audit log.

use std::collections::BTreeSet;

use crate::common::api::{self, Reply, assert_error, assert_invalid_mentioning, id_of};
use crate::common::rp::Rp;
use crate::common::{Backend, TestApp, browser, sign_in};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use serde_json::{Value, json};
use sesame::config::Settings;
use sesame::crypto::SigningAlg;
use sesame::crypto::keys::{JwtType, KeySet, generate_key};
use sesame::identity::applications::AppType;
use sesame::storage::DbConnection;
use sesame::storage::audit::AuditRecord;
use sesame::storage::one_time_tokens::OneTimeTokenRecord;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `POST /oidc/token` with client_credentials for the Management API.
async fn request_management_token(
    app: &TestApp,
    http: &reqwest::Client,
    client_id: &str,
    secret: &str,
) -> Reply {
    let resource = app.settings.management_api_resource();
    let response = http
        .post(app.url("/oidc/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("resource", resource.as_str()),
            ("scope", "all"),
        ])
        .send()
        .await
        .expect("token request");
    Reply::read(response).await
}

async fn management_token(
    app: &TestApp,
    http: &reqwest::Client,
    client_id: &str,
    secret: &str,
) -> String {
    let reply = request_management_token(app, http, client_id, secret).await;
    assert_eq!(reply.status, 200, "management token: {}", reply.text);
    reply.json["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// A Sesame and an m2m application with Management API access, signed in to the API.
struct Api {
    app: TestApp,
    http: reqwest::Client,
    app_id: String,
    token: String,
}

impl Api {
    async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Self {
        let app = TestApp::spawn_with(backend, configure).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let (app_id, token) = Self::new_caller(&app, &http).await;
        Api {
            app,
            http,
            app_id,
            token,
        }
    }

    /// Registers another m2m application with Management API access; (id, access token).
    async fn new_caller(app: &TestApp, http: &reqwest::Client) -> (String, String) {
        let (id, secret) = app.create_app_full(AppType::M2m, &[], &[], SigningAlg::RS256, true);
        let token = management_token(app, http, &id, secret.as_deref().expect("secret")).await;
        (id, token)
    }

    fn url(&self, path: &str) -> String {
        self.app.url(&format!("/api/one-time-tokens{path}"))
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        api::send(request).await
    }

    async fn post(&self, path: &str, body: &Value) -> Reply {
        self.post_as(&self.token, path, body).await
    }

    async fn post_as(&self, bearer: &str, path: &str, body: &Value) -> Reply {
        self.send(
            self.http
                .post(self.url(path))
                .bearer_auth(bearer)
                .json(body),
        )
        .await
    }

    async fn post_raw(&self, path: &str, body: &str) -> Reply {
        self.send(
            self.http
                .post(self.url(path))
                .bearer_auth(&self.token)
                .header("content-type", "application/json")
                .body(body.to_owned()),
        )
        .await
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(self.http.get(self.url(path)).bearer_auth(&self.token))
            .await
    }

    async fn get_as(&self, bearer: &str, path: &str) -> Reply {
        self.send(self.http.get(self.url(path)).bearer_auth(bearer))
            .await
    }

    async fn put_status(&self, id: &str, body: &Value) -> Reply {
        self.send(
            self.http
                .put(self.url(&format!("/{id}/status")))
                .bearer_auth(&self.token)
                .json(body),
        )
        .await
    }

    async fn delete(&self, id: &str) -> Reply {
        self.send(
            self.http
                .delete(self.url(&format!("/{id}")))
                .bearer_auth(&self.token),
        )
        .await
    }

    async fn verify(&self, token: &str, email: &str) -> Reply {
        self.post("/verify", &json!({"token": token, "email": email}))
            .await
    }

    /// Creates a token and expects 201; returns the token object (with `token`).
    async fn create(&self, body: Value) -> Value {
        let reply = self.post("", &body).await;
        assert_eq!(reply.status, 201, "create {body}: {}", reply.text);
        reply.json
    }

    async fn create_for(&self, email: &str) -> Value {
        self.create(json!({ "email": email })).await
    }

    async fn status_of(&self, id: &str) -> String {
        let reply = self.get(&format!("/{id}")).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json["status"].as_str().expect("status").to_owned()
    }
}

fn secret_of(token: &Value) -> String {
    token["token"].as_str().expect("token").to_owned()
}

/// A token object as GET and the list show it: the creation response without `token`.
fn without_secret(token: &Value) -> Value {
    let mut v = token.clone();
    v.as_object_mut().expect("object").remove("token");
    v
}

/// The server's own keys, to sign tokens that only differ from real ones where a test says.
fn server_keys(app: &TestApp) -> KeySet {
    let stored = app
        .storage
        .run_blocking(|c| sesame::storage::keys::list_publishable_keys(c, 0))
        .expect("stored keys");
    KeySet::from_stored(&stored).expect("key set")
}

fn jwt_part(jwt: &str, i: usize) -> Value {
    let part = jwt.split('.').nth(i).expect("JWT part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

/// Replaces one character of a base64url string by a different one.
fn flip_char(s: &str, at: usize) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

async fn every_route_requires_a_bearer_token(backend: Backend) {
    let api = Api::spawn(backend).await;
    let made = api.create_for("ada@example.com").await;
    let (id, secret) = (id_of(&made), secret_of(&made));
    let no_auth = [
        api.http
            .post(api.url(""))
            .json(&json!({"email": "eve@example.com"})),
        api.http.get(api.url("")),
        api.http.get(api.url(&format!("/{id}"))),
        api.http
            .put(api.url(&format!("/{id}/status")))
            .json(&json!({"status": "revoked"})),
        api.http
            .post(api.url("/verify"))
            .json(&json!({"token": secret, "email": "ada@example.com"})),
        api.http.delete(api.url(&format!("/{id}"))),
    ];
    for request in no_auth {
        let reply = api.send(request).await;
        assert_error(&reply, 401, "unauthorized");
        assert!(!reply.text.contains(&id) && !reply.text.contains("ada@example.com"));
    }
    // Other schemes and garbage are no better.
    for header in [
        "Bearer garbage".to_owned(),
        "Bearer ".to_owned(),
        "Bearer a.b.c".to_owned(),
        format!(
            "Basic {}",
            URL_SAFE_NO_PAD.encode(format!("{}:x", api.app_id))
        ),
        api.token.clone(),
        format!("bearer-ish {}", api.token),
    ] {
        let reply = api
            .send(api.http.get(api.url("")).header("authorization", header))
            .await;
        assert_error(&reply, 401, "unauthorized");
    }
    // Nothing happened to the token: still there, still active, still redeemable.
    assert_eq!(api.status_of(&id).await, "active");
    let list = api.get("").await;
    assert_eq!(
        list.ids(),
        vec![id.clone()],
        "the unauthenticated create made nothing"
    );
    assert_eq!(api.verify(&secret, "ada@example.com").await.status, 200);
    // And the real token works on every route.
    assert_eq!(api.get("").await.status, 200);
}

async fn tampered_or_forged_tokens_are_refused(backend: Backend) {
    let api = Api::spawn(backend).await;
    let real = api.token.clone();
    assert_eq!(api.get_as(&real, "").await.status, 200);
    let parts: Vec<&str> = real.split('.').collect();
    assert_eq!(parts.len(), 3, "the management token is a JWS");
    let header = jwt_part(&real, 0);
    let claims = jwt_part(&real, 1);
    let kid = header["kid"].as_str().expect("kid").to_owned();

    let mut refused = Vec::new();
    // The signature altered in the middle.
    refused.push(format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        flip_char(parts[2], parts[2].len() / 2)
    ));
    // The claims changed (another client), the original signature kept.
    let mut widened = claims.clone();
    widened["client_id"] = json!("someone-else");
    widened["sub"] = json!("someone-else");
    refused.push(format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(widened.to_string()),
        parts[2]
    ));
    // No signature, and `alg: none`.
    refused.push(format!("{}.{}.", parts[0], parts[1]));
    let none = json!({"alg": "none", "typ": "at+jwt", "kid": kid});
    refused.push(format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(none.to_string()),
        parts[1]
    ));
    // The same claims signed by a random ES256 key under the server's kid, and under a new kid.
    let mut random = generate_key(SigningAlg::ES256, crate::common::now_ms()).expect("key");
    let fresh = KeySet::from_stored(std::slice::from_ref(&random)).expect("set");
    refused.push(
        fresh
            .sign(SigningAlg::ES256, JwtType::AccessToken, &claims)
            .expect("sign"),
    );
    random.kid = kid.clone();
    let impostor = KeySet::from_stored(&[random]).expect("set");
    refused.push(
        impostor
            .sign(SigningAlg::ES256, JwtType::AccessToken, &claims)
            .expect("sign"),
    );
    // HMAC "signed" with a guessable secret under the server's kid (algorithm confusion).
    let mut hs = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    hs.kid = Some(kid.clone());
    for secret in [kid.as_bytes(), b"secret".as_slice()] {
        refused.push(
            jsonwebtoken::encode(
                &hs,
                &claims,
                &jsonwebtoken::EncodingKey::from_secret(secret),
            )
            .expect("HS256"),
        );
    }
    // A random ES256 key used through jsonwebtoken, under the server's kid.
    let ec = generate_key(SigningAlg::ES256, crate::common::now_ms()).expect("key");
    let der = base64::engine::general_purpose::STANDARD
        .decode(&ec.private_der)
        .expect("der");
    let mut es = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    es.kid = Some(kid.clone());
    es.typ = Some("at+jwt".into());
    refused.push(
        jsonwebtoken::encode(&es, &claims, &jsonwebtoken::EncodingKey::from_ec_der(&der))
            .expect("forge with jsonwebtoken"),
    );

    // Properly signed by the server, but not a Management API token.
    let keys = server_keys(&api.app);
    let sign = |c: &Value| {
        keys.sign(SigningAlg::ES256, JwtType::AccessToken, c)
            .expect("sign")
    };
    assert_eq!(
        api.get_as(&sign(&claims), "").await.status,
        200,
        "control: the server's key re-signing the real claims is accepted"
    );
    let mut other_aud = claims.clone();
    other_aud["aud"] = json!(format!("{}/other-api", api.app.base));
    refused.push(sign(&other_aud));
    let mut client_aud = claims.clone();
    client_aud["aud"] = json!(api.app_id);
    refused.push(sign(&client_aud));
    let mut other_iss = claims.clone();
    other_iss["iss"] = json!("https://evil.example/oidc");
    refused.push(sign(&other_iss));
    let mut expired = claims.clone();
    let now = crate::common::now_ms() / 1000;
    expired["iat"] = json!(now - 7200);
    expired["exp"] = json!(now - 3600);
    refused.push(sign(&expired));
    // An ID-token-shaped JWT from the same issuer.
    refused.push(
        keys.sign(
            SigningAlg::RS256,
            JwtType::IdToken,
            &json!({
                "iss": api.app.issuer, "sub": "user-1", "aud": api.app_id,
                "iat": now, "exp": now + 600,
            }),
        )
        .expect("sign"),
    );

    assert!(refused.len() >= 12);
    for (i, bad) in refused.iter().enumerate() {
        let reply = api.get_as(bad, "").await;
        assert_eq!(
            reply.status, 401,
            "forgery #{i} must be refused: {}",
            reply.text
        );
        assert_error(&reply, 401, "unauthorized");
        let reply = api
            .post_as(bad, "", &json!({"email": "forged@example.com"}))
            .await;
        assert_error(&reply, 401, "unauthorized");
    }

    // Signed by the server for the Management API, but without the `all` scope: 403.
    let mut narrow = claims.clone();
    narrow["scope"] = json!("read");
    let reply = api.get_as(&sign(&narrow), "").await;
    assert_error(&reply, 403, "forbidden");
    let reply = api
        .post_as(&sign(&narrow), "", &json!({"email": "forged@example.com"}))
        .await;
    assert_error(&reply, 403, "forbidden");

    assert_eq!(
        api.get("").await.items().len(),
        0,
        "no refused call created anything"
    );
}

async fn tokens_from_the_user_flow_are_refused(backend: Backend) {
    const CALLBACK: &str = "http://127.0.0.1:9999/callback";
    let api = Api::spawn(backend).await;
    api.app.create_user("grace@example.com");
    let (client_id, secret) = api.app.create_app_full(
        AppType::Traditional,
        &[CALLBACK],
        &[],
        SigningAlg::ES256,
        false,
    );
    let rp = Rp::discover(&api.app, &client_id, secret.as_deref(), CALLBACK).await;
    let browser = browser();
    let pending = rp.authorize(&["email"], &[]);
    let callback = sign_in(&api.app, &browser, &pending.url, "grace@example.com").await;
    let tokens = rp.callback(&api.app, &callback, pending).await;
    use openidconnect::{OAuth2TokenResponse, TokenResponse};
    let id_token = tokens.id_token().expect("ID token").to_string();
    let access_token = tokens.access_token().secret().clone();
    for bearer in [id_token, access_token] {
        let reply = api.get_as(&bearer, "").await;
        assert_error(&reply, 401, "unauthorized");
        let reply = api
            .post_as(&bearer, "", &json!({"email": "grace@example.com"}))
            .await;
        assert_error(&reply, 401, "unauthorized");
    }
}

async fn an_expired_management_token_is_refused(backend: Backend) {
    let api = Api::spawn_with(backend, |s| s.access_token_ttl_secs = 1).await;
    assert_eq!(api.get("").await.status, 200, "fresh token works");
    api.app
        .clock
        .advance(std::time::Duration::from_millis(2100));
    let reply = api.get("").await;
    assert_error(&reply, 401, "unauthorized");
    let reply = api.post("", &json!({"email": "late@example.com"})).await;
    assert_error(&reply, 401, "unauthorized");
}

async fn only_management_apps_get_a_management_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let http = reqwest::Client::new();
    let (id, secret) = app.create_app_full(AppType::M2m, &[], &[], SigningAlg::RS256, false);
    let reply =
        request_management_token(&app, &http, &id, secret.as_deref().expect("secret")).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(reply.json["error"], "invalid_target", "{}", reply.text);
    assert!(reply.json.get("access_token").is_none());
    // A wrong secret for a management app is no way in either.
    let (id, _) = app.create_app_full(AppType::M2m, &[], &[], SigningAlg::RS256, true);
    let reply = request_management_token(&app, &http, &id, "not-the-secret").await;
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert_eq!(reply.json["error"], "invalid_client");
}

// ---------------------------------------------------------------------------------------------
// Creation
// ---------------------------------------------------------------------------------------------

async fn create_returns_the_token_object(backend: Backend) {
    let api = Api::spawn(backend).await;
    let before = crate::common::now_ms();
    let reply = api.post("", &json!({"email": "Ada@Example.com"})).await;
    let after = crate::common::now_ms();
    assert_eq!(reply.status, 201, "{}", reply.text);
    let t = &reply.json;
    let keys: BTreeSet<&str> = t
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "id",
            "email",
            "token",
            "context",
            "status",
            "createdAt",
            "expiresAt"
        ])
    );
    assert!(t["id"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(t["email"], "Ada@Example.com", "the email as given");
    assert_eq!(t["context"], json!({}));
    assert_eq!(t["status"], "active");
    let created = t["createdAt"].as_i64().expect("createdAt in ms");
    let expires = t["expiresAt"].as_i64().expect("expiresAt in ms");
    assert!(
        (before - 1000..=after + 1000).contains(&created),
        "createdAt {created} is epoch ms near {before}"
    );
    assert_eq!(expires - created, 600_000, "default lifetime is 10 minutes");

    let t = api
        .create(json!({"email": "b@example.com", "expiresIn": 3600}))
        .await;
    assert_eq!(
        t["expiresAt"].as_i64().unwrap() - t["createdAt"].as_i64().unwrap(),
        3_600_000
    );
    let t = api
        .create(json!({"email": "c@example.com", "expiresIn": null, "context": null}))
        .await;
    assert_eq!(
        t["expiresAt"].as_i64().unwrap() - t["createdAt"].as_i64().unwrap(),
        600_000
    );

    // Context: kept as given, extra keys included, on creation and on reading. Organization
    // ids must exist, so the invitation names a real one.
    let org = reqwest::Client::new()
        .post(format!("{}/api/organizations", api.app.base))
        .bearer_auth(&api.token)
        .json(&json!({"name": "Acme"}))
        .send()
        .await
        .expect("create organization")
        .json::<Value>()
        .await
        .expect("json");
    let context = json!({"jitOrganizationIds": [org["id"]], "campaign": "x"});
    let t = api
        .create(json!({"email": "d@example.com", "context": context}))
        .await;
    assert_eq!(t["context"], context);
    let read = api.get(&format!("/{}", id_of(&t))).await;
    assert_eq!(read.json["context"], context);
    let nested = json!({"jitOrganizationIds": [], "meta": {"a": [1, 2], "b": true}});
    let t = api
        .create(json!({"email": "e@example.com", "context": nested}))
        .await;
    assert_eq!(t["context"], nested);
}

async fn create_validates_expires_in(backend: Backend) {
    let api = Api::spawn_with(backend, |s| s.one_time_token_max_expires_in_secs = 100).await;
    for bad in [
        json!(0),
        json!(-1),
        json!("60"),
        json!(1.5),
        json!(101),
        json!(true),
        json!([60]),
        json!(i64::MAX),
    ] {
        let reply = api
            .post("", &json!({"email": "ada@example.com", "expiresIn": bad}))
            .await;
        assert_invalid_mentioning(&reply, "expiresIn", &[]);
    }
    let t = api
        .create(json!({"email": "ada@example.com", "expiresIn": 100}))
        .await;
    assert_eq!(
        t["expiresAt"].as_i64().unwrap() - t["createdAt"].as_i64().unwrap(),
        100_000
    );
    let t = api
        .create(json!({"email": "ada@example.com", "expiresIn": 1}))
        .await;
    assert_eq!(
        t["expiresAt"].as_i64().unwrap() - t["createdAt"].as_i64().unwrap(),
        1_000
    );
    assert_eq!(
        api.get("").await.items().len(),
        2,
        "rejected requests made nothing"
    );
}

async fn create_validates_email_context_and_body(backend: Backend) {
    let api = Api::spawn(backend).await;
    for body in [
        json!({}),
        json!({"email": "nope"}),
        json!({"email": ""}),
        json!({"email": "   "}),
        json!({"email": 42}),
        json!({"email": null}),
        json!({"email": "a@b"}),
        json!({"email": "two@@example.com"}),
        json!({"email": "<a@example.com>"}),
        json!({"email": ["a@example.com"]}),
    ] {
        let reply = api.post("", &body).await;
        assert_invalid_mentioning(&reply, "email", &[]);
    }
    for context in [json!("x"), json!([]), json!(["o1"]), json!(3), json!(true)] {
        let reply = api
            .post("", &json!({"email": "a@example.com", "context": context}))
            .await;
        assert_invalid_mentioning(&reply, "context", &[]);
    }
    for ids in [
        json!("o1"),
        json!([1]),
        json!(["o1", 2]),
        json!({"o1": true}),
        json!([null]),
        json!([["o1"]]),
    ] {
        let reply = api
            .post(
                "",
                &json!({"email": "a@example.com", "context": {"jitOrganizationIds": ids}}),
            )
            .await;
        assert_invalid_mentioning(&reply, "jitOrganizationIds", &[]);
    }
    for raw in [
        "not json",
        "",
        "{\"email\": \"a@example.com\"",
        "[\"a@example.com\"]",
        "\"a@example.com\"",
        "null",
    ] {
        let reply = api.post_raw("", raw).await;
        assert_error(&reply, 400, "invalid_input");
    }
    assert_eq!(api.get("").await.items().len(), 0, "nothing was created");
}

// ---------------------------------------------------------------------------------------------
// Secrecy of the token
// ---------------------------------------------------------------------------------------------

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Cell {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

/// Every value of every column of every table, as text: (table, column, value).
fn every_cell(conn: &mut DbConnection) -> Vec<(String, String, String)> {
    macro_rules! scan {
        ($conn:expr, $tables:expr, $columns:expr) => {{
            let conn = $conn;
            let tables: Vec<Name> = diesel::sql_query($tables).load(conn).expect("tables");
            let mut out = Vec::new();
            for table in tables {
                let columns: Vec<Name> = diesel::sql_query($columns(&table.name))
                    .load(conn)
                    .expect("columns");
                for column in columns {
                    let rows: Vec<Cell> = diesel::sql_query(format!(
                        "SELECT CAST(\"{}\" AS TEXT) AS v FROM \"{}\"",
                        column.name, table.name
                    ))
                    .load(conn)
                    .expect("cells");
                    out.extend(
                        rows.into_iter()
                            .filter_map(|c| c.v)
                            .map(|v| (table.name.clone(), column.name.clone(), v)),
                    );
                }
            }
            out
        }};
    }
    match conn {
        DbConnection::Sqlite(c) => scan!(
            c,
            "SELECT name FROM sqlite_master WHERE type = 'table'",
            |t: &str| format!("SELECT name FROM pragma_table_info('{t}')")
        ),
        DbConnection::Postgres(c) => scan!(
            c,
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            |t: &str| format!(
                "SELECT column_name::text AS name FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = '{t}'"
            )
        ),
    }
}

async fn the_token_is_random_and_shown_only_once(backend: Backend) {
    let api = Api::spawn(backend).await;
    let mut seen = BTreeSet::new();
    let mut made = Vec::new();
    for i in 0..5 {
        let t = api
            .create(json!({"email": format!("user{i}@example.com"), "context": {"campaign": "c"}}))
            .await;
        let secret = secret_of(&t);
        assert_eq!(secret.len(), 43, "32 random bytes in base64url: {secret:?}");
        assert!(
            secret
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "URL-safe: {secret:?}"
        );
        let bytes = URL_SAFE_NO_PAD.decode(&secret).expect("base64url");
        assert!(bytes.len() * 8 >= 190, "at least 190 bits");
        assert!(seen.insert(secret.clone()), "tokens are unique");
        made.push(t);
    }
    // Exercise every table that could pick the token up: a failed and a successful verify,
    // a revoke, a rate-limit counter.
    let first = &made[0];
    assert_eq!(
        api.verify(&secret_of(first), "wrong@example.com")
            .await
            .status,
        400
    );
    assert_eq!(
        api.verify(&secret_of(first), "user0@example.com")
            .await
            .status,
        200
    );
    assert_eq!(
        api.put_status(&id_of(&made[1]), &json!({"status": "revoked"}))
            .await
            .status,
        200
    );

    // Never in what the API shows after creation.
    let mut shown = vec![api.get("").await, api.get("?page=1&page_size=100").await];
    for t in &made {
        shown.push(api.get(&format!("/{}", id_of(t))).await);
    }
    shown.push(
        api.put_status(&id_of(&made[2]), &json!({"status": "revoked"}))
            .await,
    );
    shown.push(api.verify(&secret_of(&made[3]), "user3@example.com").await);
    for reply in &shown {
        assert_eq!(reply.status, 200, "{}", reply.text);
        let objects = match &reply.json {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        for o in objects {
            assert!(
                o.get("token").is_none(),
                "no `token` field after creation: {o}"
            );
        }
        for secret in &seen {
            assert!(
                !reply.text.contains(secret.as_str()),
                "token shown again: {}",
                reply.text
            );
        }
    }

    // Never at rest: scan every text value of every table.
    let cells = api
        .app
        .storage
        .run_blocking(|c| Ok(every_cell(c)))
        .expect("scan");
    let tables: BTreeSet<&str> = cells.iter().map(|(t, _, _)| t.as_str()).collect();
    for expected in ["one_time_tokens", "audit_log", "rate_limits"] {
        assert!(tables.contains(expected), "scanned {expected}: {tables:?}");
    }
    for secret in &seen {
        // Control: the scan does see the token's row, by its hash.
        let hash = sesame::crypto::sha256_b64url(secret);
        assert!(
            cells
                .iter()
                .any(|(t, c, v)| t == "one_time_tokens" && c == "token_hash" && v == &hash),
            "the hash is stored"
        );
        let leaks: Vec<_> = cells
            .iter()
            .filter(|(_, _, v)| v.contains(secret.as_str()))
            .collect();
        assert!(leaks.is_empty(), "plaintext token stored at {leaks:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------------------------

async fn list_is_newest_first_filtered_and_paged(backend: Backend) {
    let api = Api::spawn(backend).await;
    let mut created = Vec::new();
    for email in ["a@x.io", "b@x.io", "A@x.io", "b@x.io", "a@X.IO", "Ada@X.io"] {
        created.push(api.create_for(email).await);
    }
    let ids: Vec<String> = created.iter().map(id_of).collect();
    let newest_first =
        |picks: &[usize]| -> Vec<String> { picks.iter().rev().map(|&i| ids[i].clone()).collect() };

    let all = api.get("").await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.ids(), newest_first(&[0, 1, 2, 3, 4, 5]), "newest first");
    for (shown, made) in all.items().iter().rev().zip(&created) {
        assert_eq!(
            shown,
            &without_secret(made),
            "the same object, without the token"
        );
    }

    // Email filter: case-insensitive, the stored email kept as given.
    let ada = api.get("?email=ada@x.io").await;
    assert_eq!(ada.ids(), vec![ids[5].clone()]);
    assert_eq!(ada.items()[0]["email"], "Ada@X.io");
    assert_eq!(
        api.get("?email=ADA%40X.IO").await.ids(),
        vec![ids[5].clone()]
    );
    assert_eq!(
        api.get("?email=a@x.io").await.ids(),
        newest_first(&[0, 2, 4])
    );
    assert_eq!(
        api.get("?email=A@X.IO").await.ids(),
        newest_first(&[0, 2, 4])
    );
    assert_eq!(api.get("?email=nobody@x.io").await.items().len(), 0);

    // Paging; Total-Number counts what the filters match.
    let p1 = api.get("?email=a@x.io&page=1&page_size=2").await;
    assert_eq!(p1.status, 200, "{}", p1.text);
    assert_eq!(p1.ids(), newest_first(&[2, 4]));
    assert_eq!(p1.total_number(), 3);
    let p2 = api.get("?email=a@x.io&page=2&page_size=2").await;
    assert_eq!(p2.ids(), vec![ids[0].clone()]);
    assert_eq!(p2.total_number(), 3);
    let p3 = api.get("?email=a@x.io&page=3&page_size=2").await;
    assert_eq!(p3.status, 200);
    assert!(p3.items().is_empty());
    assert_eq!(p3.total_number(), 3);
    let everything = api.get("?page=1&page_size=100").await;
    assert_eq!(everything.items().len(), 6);
    assert_eq!(everything.total_number(), 6);
    let one = api.get("?page=2&page_size=1").await;
    assert_eq!(one.ids(), vec![ids[4].clone()]);
    assert_eq!(one.total_number(), 6);
    let default_size = api.get("?page=1").await;
    assert_eq!(default_size.items().len(), 6);
    assert_eq!(default_size.total_number(), 6);

    // Status filter, alone and with the email filter.
    assert_eq!(
        api.put_status(&ids[3], &json!({"status": "revoked"}))
            .await
            .status,
        200
    );
    assert_eq!(
        api.verify(&secret_of(&created[0]), "a@x.io").await.status,
        200
    );
    let revoked = api.get("?status=revoked&page=1&page_size=20").await;
    assert_eq!(revoked.ids(), vec![ids[3].clone()]);
    assert_eq!(revoked.items()[0]["status"], "revoked");
    assert_eq!(revoked.total_number(), 1);
    let consumed = api.get("?status=consumed&page=1&page_size=20").await;
    assert_eq!(consumed.ids(), vec![ids[0].clone()]);
    assert_eq!(consumed.total_number(), 1);
    let active = api.get("?status=active&page=1&page_size=2").await;
    assert_eq!(active.ids(), newest_first(&[4, 5]));
    assert_eq!(active.total_number(), 4);
    assert!(active.items().iter().all(|t| t["status"] == "active"));
    let b_active = api
        .get("?email=B@x.io&status=active&page=1&page_size=20")
        .await;
    assert_eq!(b_active.ids(), vec![ids[1].clone()]);
    assert_eq!(b_active.total_number(), 1);
    let a_active = api
        .get("?email=a@x.io&status=active&page=1&page_size=1")
        .await;
    assert_eq!(a_active.ids(), vec![ids[4].clone()]);
    assert_eq!(a_active.total_number(), 2);
    let none = api.get("?status=expired&page=1&page_size=20").await;
    assert!(none.items().is_empty());
    assert_eq!(none.total_number(), 0);

    // Tokens created within the same millisecond still list newest first (ids are
    // time-ordered); stored directly, as the API cannot be called that fast.
    let same_ms = crate::common::now_ms();
    let mut tied = Vec::new();
    for i in 0..3 {
        let record = OneTimeTokenRecord {
            id: uuid::Uuid::now_v7().simple().to_string(),
            token_hash: format!("tie-hash-{i}"),
            email: "tie@x.io".into(),
            email_lower: "tie@x.io".into(),
            context: "{}".into(),
            status: "active".into(),
            application_id: Some(api.app_id.clone()),
            created_at: same_ms,
            expires_at: same_ms + 600_000,
            consumed_at: None,
        };
        let event = AuditRecord {
            id: uuid::Uuid::now_v7().to_string(),
            event: "created".into(),
            token_id: Some(record.id.clone()),
            application_id: Some(api.app_id.clone()),
            client_ip: None,
            detail: None,
            created_at: same_ms,
        };
        tied.push(record.id.clone());
        api.app
            .storage
            .run_blocking(move |c| sesame::storage::one_time_tokens::insert(c, &record, &event))
            .expect("insert");
    }
    tied.reverse();
    assert_eq!(api.get("?email=tie@x.io").await.ids(), tied);

    // Bad paging and filters.
    for (query, field) in [
        ("?page_size=101", "page_size"),
        ("?page_size=0", "page_size"),
        ("?page_size=-5", "page_size"),
        ("?page_size=ten", "page_size"),
        ("?page=0", "page"),
        ("?page=-1", "page"),
        ("?page=1.5", "page"),
        ("?page=abc&page_size=10", "page"),
        ("?status=bogus", "status"),
        ("?status=ACTIVE", "status"),
        ("?status=", "status"),
    ] {
        let reply = api.get(query).await;
        assert_invalid_mentioning(&reply, field, &[]);
    }
}

async fn expired_tokens_read_as_expired(backend: Backend) {
    let api = Api::spawn(backend).await;
    let short = api
        .create(json!({"email": "brief@x.io", "expiresIn": 1}))
        .await;
    let long = api.create_for("long@x.io").await;
    let (short_id, long_id) = (id_of(&short), id_of(&long));
    assert_eq!(short["status"], "active");
    api.app
        .clock
        .advance(std::time::Duration::from_millis(1200));

    let read = api.get(&format!("/{short_id}")).await;
    assert_eq!(read.json["status"], "expired", "{}", read.text);
    let all = api.get("").await;
    let listed = all
        .items()
        .iter()
        .find(|t| t["id"] == short_id.as_str())
        .expect("listed");
    assert_eq!(listed["status"], "expired");

    let expired = api.get("?status=expired&page=1&page_size=20").await;
    assert_eq!(expired.ids(), vec![short_id.clone()]);
    assert_eq!(expired.total_number(), 1);
    let active = api.get("?status=active&page=1&page_size=20").await;
    assert_eq!(active.ids(), vec![long_id.clone()]);
    assert_eq!(active.total_number(), 1);
    let by_email = api
        .get("?email=brief@x.io&status=active&page=1&page_size=20")
        .await;
    assert!(by_email.items().is_empty());
    assert_eq!(by_email.total_number(), 0);

    // It cannot be used, nor brought back.
    let reply = api.verify(&secret_of(&short), "brief@x.io").await;
    assert_error(&reply, 400, "token_expired");
    let reply = api
        .put_status(&short_id, &json!({"status": "active"}))
        .await;
    assert_error(&reply, 400, "cannot_reactivate_token");
    assert_eq!(api.status_of(&short_id).await, "expired");
    // Email is checked before expiry.
    let reply = api.verify(&secret_of(&short), "other@x.io").await;
    assert_error(&reply, 400, "email_mismatch");
}

// ---------------------------------------------------------------------------------------------
// Reading, deleting, changing status
// ---------------------------------------------------------------------------------------------

async fn get_and_delete_by_id(backend: Backend) {
    let api = Api::spawn(backend).await;
    let t = api
        .create(json!({"email": "Ada@X.io", "context": {"campaign": "spring"}}))
        .await;
    let other = api.create_for("keep@x.io").await;
    let id = id_of(&t);
    let read = api.get(&format!("/{id}")).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json, without_secret(&t));

    for unknown in ["does-not-exist", "00000000000000000000000000000000"] {
        let reply = api.get(&format!("/{unknown}")).await;
        assert_error(&reply, 404, "token_not_found");
        let reply = api.delete(unknown).await;
        assert_error(&reply, 404, "token_not_found");
    }

    let reply = api.delete(&id).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert!(reply.text.is_empty());
    assert_error(&api.get(&format!("/{id}")).await, 404, "token_not_found");
    assert_error(&api.delete(&id).await, 404, "token_not_found");
    assert_error(
        &api.put_status(&id, &json!({"status": "revoked"})).await,
        404,
        "token_not_found",
    );
    // A deleted token cannot be redeemed, and the message does not echo it.
    let secret = secret_of(&t);
    let reply = api.verify(&secret, "Ada@X.io").await;
    assert_error(&reply, 404, "token_not_found");
    assert!(!reply.text.contains(&secret));
    // Only that token went.
    assert_eq!(api.get("").await.ids(), vec![id_of(&other)]);
    assert_eq!(api.status_of(&id_of(&other)).await, "active");
}

async fn status_can_be_changed_but_never_back_to_active(backend: Backend) {
    let api = Api::spawn(backend).await;
    let t = api.create_for("ada@x.io").await;
    let id = id_of(&t);

    let reply = api.put_status(&id, &json!({"status": "active"})).await;
    assert_error(&reply, 400, "cannot_reactivate_token");

    let reply = api.put_status(&id, &json!({"status": "revoked"})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["status"], "revoked");
    assert_eq!(reply.json["id"], id.as_str());
    assert!(reply.json.get("token").is_none());
    let mut expected = without_secret(&t);
    expected["status"] = json!("revoked");
    assert_eq!(reply.json, expected);
    assert_eq!(api.get(&format!("/{id}")).await.json, expected);

    let reply = api.put_status(&id, &json!({"status": "active"})).await;
    assert_error(&reply, 400, "cannot_reactivate_token");
    assert_eq!(api.status_of(&id).await, "revoked");

    let reply = api
        .put_status("no-such-token", &json!({"status": "revoked"}))
        .await;
    assert_error(&reply, 404, "token_not_found");

    for bad in [
        json!({"status": "bogus"}),
        json!({"status": "REVOKED"}),
        json!({"status": ""}),
        json!({"status": 1}),
        json!({}),
    ] {
        let reply = api.put_status(&id, &bad).await;
        assert_invalid_mentioning(&reply, "status", &[]);
    }
    let reply = api
        .send(
            api.http
                .put(api.url(&format!("/{id}/status")))
                .bearer_auth(&api.token)
                .header("content-type", "application/json")
                .body("revoked"),
        )
        .await;
    assert_error(&reply, 400, "invalid_input");
    assert_eq!(api.status_of(&id).await, "revoked");
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

async fn verify_consumes_once_and_reports_why_not(backend: Backend) {
    let api = Api::spawn(backend).await;
    let t = api.create_for("Grace@Example.com").await;
    let (id, secret) = (id_of(&t), secret_of(&t));

    // A wrong email fails and consumes nothing.
    let reply = api.verify(&secret, "eve@example.com").await;
    assert_error(&reply, 400, "email_mismatch");
    assert_eq!(api.status_of(&id).await, "active");

    // The right email in any case succeeds, once.
    let reply = api.verify(&secret, "GRACE@EXAMPLE.COM").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["status"], "consumed");
    assert_eq!(reply.json["id"], id.as_str());
    assert_eq!(reply.json["email"], "Grace@Example.com");
    assert!(reply.json.get("token").is_none());
    assert!(!reply.text.contains(&secret));
    assert_eq!(api.status_of(&id).await, "consumed");
    let reply = api.verify(&secret, "grace@example.com").await;
    assert_error(&reply, 400, "token_consumed");
    let reply = api.verify(&secret, "Grace@Example.com").await;
    assert_error(&reply, 400, "token_consumed");
    // A consumed token cannot be reactivated either.
    let reply = api.put_status(&id, &json!({"status": "active"})).await;
    assert_error(&reply, 400, "cannot_reactivate_token");

    // Unknown token: 404, and the message does not echo it.
    let unknown = URL_SAFE_NO_PAD.encode([7u8; 32]);
    let reply = api.verify(&unknown, "grace@example.com").await;
    assert_error(&reply, 404, "token_not_found");
    assert!(!reply.text.contains(&unknown), "{}", reply.text);
    let near_miss = format!("{}x", &secret[..secret.len() - 1]);
    let reply = api.verify(&near_miss, "grace@example.com").await;
    assert_error(&reply, 404, "token_not_found");
    assert!(!reply.text.contains(&near_miss));

    // Revoked: token_revoked; but a wrong email is reported first.
    let r = api.create_for("henry@example.com").await;
    assert_eq!(
        api.put_status(&id_of(&r), &json!({"status": "revoked"}))
            .await
            .status,
        200
    );
    let reply = api.verify(&secret_of(&r), "someone@example.com").await;
    assert_error(&reply, 400, "email_mismatch");
    let reply = api.verify(&secret_of(&r), "Henry@Example.com").await;
    assert_error(&reply, 400, "token_revoked");
    assert_eq!(api.status_of(&id_of(&r)).await, "revoked");
    // A consumed token with a wrong email: email_mismatch too.
    let reply = api.verify(&secret, "eve@example.com").await;
    assert_error(&reply, 400, "email_mismatch");

    // Malformed requests.
    let fresh = api.create_for("ivy@example.com").await;
    for (body, field) in [
        (json!({"email": "ivy@example.com"}), "token"),
        (json!({"token": "", "email": "ivy@example.com"}), "token"),
        (json!({"token": 5, "email": "ivy@example.com"}), "token"),
        (json!({"token": secret_of(&fresh)}), "email"),
        (json!({"token": secret_of(&fresh), "email": ""}), "email"),
    ] {
        let reply = api.post("/verify", &body).await;
        assert_invalid_mentioning(&reply, field, &[]);
    }
    let reply = api.post_raw("/verify", "token=x&email=y").await;
    assert_error(&reply, 400, "invalid_input");
    assert_eq!(api.status_of(&id_of(&fresh)).await, "active");
}

async fn concurrent_verifications_consume_once(backend: Backend) {
    const CALLERS: usize = 24;
    let api = Api::spawn_with(backend, |s| {
        s.db_pool_size = 16;
        s.workers = 4;
    })
    .await;
    for round in 0..15 {
        let email = format!("race{round}@example.com");
        let t = api.create_for(&email).await;
        let secret = secret_of(&t);
        // Open the connections first, so the verifications arrive together.
        let warm: Vec<_> = (0..CALLERS)
            .map(|_| {
                let request = api
                    .http
                    .get(api.url("?page_size=1"))
                    .bearer_auth(&api.token);
                actix_rt::spawn(async move { request.send().await.expect("warm").status() })
            })
            .collect();
        for h in warm {
            assert_eq!(h.await.expect("task"), 200);
        }
        let handles: Vec<_> = (0..CALLERS)
            .map(|i| {
                let request = api
                    .http
                    .post(api.url("/verify"))
                    .bearer_auth(&api.token)
                    .json(&json!({
                        "token": secret,
                        // Mixed case: all of these are the right email.
                        "email": if i % 2 == 0 { email.clone() } else { email.to_uppercase() },
                    }));
                actix_rt::spawn(
                    async move { Reply::read(request.send().await.expect("send")).await },
                )
            })
            .collect();
        let mut replies = Vec::new();
        for h in handles {
            replies.push(h.await.expect("task"));
        }
        let winners = replies.iter().filter(|r| r.status == 200).count();
        assert_eq!(winners, 1, "exactly one verification wins (round {round})");
        for r in replies.iter().filter(|r| r.status != 200) {
            assert_error(r, 400, "token_consumed");
        }
        assert_eq!(api.status_of(&id_of(&t)).await, "consumed");
        let id = id_of(&t);
        let audit = api
            .app
            .storage
            .run_blocking(move |c| sesame::storage::audit::for_token(c, &id))
            .expect("audit");
        assert_eq!(
            audit.iter().filter(|e| e.event == "consumed").count(),
            1,
            "one consumption recorded"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Rate limits
// ---------------------------------------------------------------------------------------------

#[track_caller]
fn assert_rate_limited(reply: &Reply) {
    assert_eq!(reply.status, 429, "{}", reply.text);
    let retry = reply
        .header("Retry-After")
        .expect("a Retry-After header")
        .parse::<i64>()
        .expect("Retry-After in whole seconds");
    assert!((1..=3600).contains(&retry), "Retry-After {retry}");
    assert!(
        reply.json["code"].as_str().is_some_and(|c| !c.is_empty()),
        "a JSON code: {}",
        reply.text
    );
    assert!(reply.json["message"].is_string());
    assert!(reply.json.get("token").is_none());
}

async fn creation_is_limited_per_email(backend: Backend) {
    let api = Api::spawn_with(backend, |s| s.one_time_tokens_per_email_per_hour = 3).await;
    for email in ["a@x.io", "A@x.io", "a@X.IO"] {
        api.create_for(email).await;
    }
    for email in ["A@X.IO", "a@x.io"] {
        let reply = api.post("", &json!({"email": email})).await;
        assert_rate_limited(&reply);
    }
    // Another address is unaffected, and the refused requests made nothing.
    api.create_for("b@x.io").await;
    let listed = api.get("?email=a@x.io&page=1&page_size=20").await;
    assert_eq!(listed.total_number(), 3);
    // The limit holds for another calling application too (it is per address).
    let (_, other) = Api::new_caller(&api.app, &api.http).await;
    let reply = api.post_as(&other, "", &json!({"email": "a@x.io"})).await;
    assert_rate_limited(&reply);
}

async fn creation_is_limited_per_application(backend: Backend) {
    let api = Api::spawn_with(backend, |s| s.one_time_tokens_per_application_per_hour = 2).await;
    api.create_for("a@x.io").await;
    api.create_for("b@x.io").await;
    let reply = api.post("", &json!({"email": "c@x.io"})).await;
    assert_rate_limited(&reply);
    // Another application has its own allowance.
    let (_, other) = Api::new_caller(&api.app, &api.http).await;
    let reply = api.post_as(&other, "", &json!({"email": "c@x.io"})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let listed = api.get("?page=1&page_size=20").await;
    assert_eq!(listed.total_number(), 3);
}

// ---------------------------------------------------------------------------------------------
// Audit log
// ---------------------------------------------------------------------------------------------

async fn the_lifecycle_is_audited(backend: Backend) {
    let api = Api::spawn(backend).await;
    let a = api.create_for("ada@x.io").await;
    let b = api.create_for("bob@x.io").await;
    let (a_id, b_id) = (id_of(&a), id_of(&b));

    assert_error(
        &api.verify(&secret_of(&a), "eve@x.io").await,
        400,
        "email_mismatch",
    );
    assert_eq!(api.verify(&secret_of(&a), "ADA@x.io").await.status, 200);
    assert_eq!(api.delete(&a_id).await.status, 204);
    assert_eq!(
        api.put_status(&b_id, &json!({"status": "revoked"}))
            .await
            .status,
        200
    );
    assert_error(
        &api.verify(&secret_of(&b), "bob@x.io").await,
        400,
        "token_revoked",
    );

    let audit_of = |id: String| {
        api.app
            .storage
            .run_blocking(move |c| sesame::storage::audit::for_token(c, &id))
            .expect("audit")
    };
    let a_log = audit_of(a_id.clone());
    let events: Vec<&str> = a_log.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        events,
        ["created", "verification_failed", "consumed", "deleted"],
        "the audit of a deleted token survives it"
    );
    assert_eq!(a_log[1].detail.as_deref(), Some("email_mismatch"));
    let b_log = audit_of(b_id.clone());
    let events: Vec<&str> = b_log.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["created", "revoked", "verification_failed"]);
    assert_eq!(b_log[2].detail.as_deref(), Some("token_revoked"));

    let start = a["createdAt"].as_i64().expect("createdAt");
    for entry in a_log.iter().chain(&b_log) {
        assert_eq!(
            entry.application_id.as_deref(),
            Some(api.app_id.as_str()),
            "{} by the calling app",
            entry.event
        );
        assert_eq!(
            entry.client_ip.as_deref(),
            Some("127.0.0.1"),
            "{} from the client's address",
            entry.event
        );
        assert!(
            entry.created_at >= start && entry.created_at <= crate::common::now_ms() + 1000,
            "{} at {}",
            entry.event,
            entry.created_at
        );
        for secret in [secret_of(&a), secret_of(&b)] {
            assert!(!entry.detail.clone().unwrap_or_default().contains(&secret));
        }
    }
    assert!(
        a_log.windows(2).all(|w| w[0].created_at <= w[1].created_at),
        "in order"
    );
}

on_both_backends!(
    every_route_requires_a_bearer_token,
    tampered_or_forged_tokens_are_refused,
    tokens_from_the_user_flow_are_refused,
    an_expired_management_token_is_refused,
    only_management_apps_get_a_management_token,
    create_returns_the_token_object,
    create_validates_expires_in,
    create_validates_email_context_and_body,
    the_token_is_random_and_shown_only_once,
    list_is_newest_first_filtered_and_paged,
    expired_tokens_read_as_expired,
    get_and_delete_by_id,
    status_can_be_changed_but_never_back_to_active,
    verify_consumes_once_and_reports_why_not,
    concurrent_verifications_consume_once,
    creation_is_limited_per_email,
    creation_is_limited_per_application,
    the_lifecycle_is_audited,
);
