//! The Management API for applications, over HTTP against a real Sesame on both backends:
//! bearer authentication, creation of each kind and its validation, the secret shown once and
//! stored hashed, applications created here working for real OAuth requests, changes of
//! redirect URIs (with the browser origins of single-page apps), listing and deletion. Changes
//! take effect at once on the instance that made them, despite its client cache.

use std::collections::BTreeSet;

use crate::common::api::{
    self, Reply, assert_error, assert_invalid, id_of, object_keys, str_of, without,
};
use crate::common::rp::Rp;
use crate::common::{
    Backend, TestApp, assert_error_page, browser, code_request, location, request_management_token,
    sign_in,
};
use diesel::prelude::*;
use serde_json::{Value, json};
use sesame::crypto::sha256_b64url;
use sesame::storage::schema::{access_tokens, application_origins, applications, refresh_tokens};

const CALLBACK: &str = "http://127.0.0.1:9999/callback";
const OTHER_CALLBACK: &str = "http://localhost:7777/cb";
const EMAIL: &str = "ada@example.com";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

extends! {
    /// The Management API's applications: paths are under `/api/applications`. The caller is itself
    /// an m2m application, so lists start at one.
    struct Api(api::Api);
}

impl Api {
    async fn spawn(backend: Backend) -> Self {
        Api(api::Api::spawn(backend).await)
    }

    async fn call_as(
        &self,
        bearer: Option<&str>,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Reply {
        self.0
            .call_as(bearer, method, &format!("/applications{path}"), body)
            .await
    }

    async fn post(&self, body: Value) -> Reply {
        self.call_as(Some(&self.token), "POST", "", Some(&body))
            .await
    }

    /// Creates an application and expects 201; returns it (with `secret` when confidential).
    async fn create(&self, body: Value) -> Value {
        self.post(body).await.ok(201).clone()
    }

    async fn get(&self, path: &str) -> Reply {
        self.call_as(Some(&self.token), "GET", path, None).await
    }

    async fn patch(&self, id: &str, body: Value) -> Reply {
        self.call_as(Some(&self.token), "PATCH", &format!("/{id}"), Some(&body))
            .await
    }

    async fn delete(&self, id: &str) -> Reply {
        self.call_as(Some(&self.token), "DELETE", &format!("/{id}"), None)
            .await
    }
}

fn spa_body(uris: &[&str]) -> Value {
    json!({"name": "Web", "type": "SPA", "oidcClientMetadata": {"redirectUris": uris}})
}

/// An authorization request of a public client with PKCE, opened in a fresh browser.
async fn authorize(app: &TestApp, client_id: &str, redirect_uri: &str) -> reqwest::Response {
    let (url, _) = code_request(app, client_id, redirect_uri, "openid", "st");
    browser().get(&url).send().await.expect("authorize")
}

/// Asserts the authorization request reached the sign-in page.
#[track_caller]
fn assert_reaches_sign_in(r: &reqwest::Response) {
    assert_eq!(r.status(), 303);
    assert!(location(r).starts_with("/interaction/"), "{}", location(r));
}

/// A CORS preflight of the token endpoint from `origin`: whether the origin is allowed.
async fn origin_allowed(app: &TestApp, origin: &str) -> bool {
    let r = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, app.url("/oidc/token"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .expect("preflight");
    let allowed = r
        .headers()
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
        == Some(origin);
    assert_eq!(allowed, r.status() == 204, "status {}", r.status());
    allowed
}

fn stored_row(app: &TestApp, id: &str) -> Vec<String> {
    let id = id.to_owned();
    let (id, name, kind, hash, uris, logout, alg): (
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        String,
    ) = app
        .storage
        .run_blocking(move |c| {
            applications::table
                .find(&id)
                .select((
                    applications::id,
                    applications::name,
                    applications::app_type,
                    applications::secret_hash,
                    applications::redirect_uris,
                    applications::post_logout_redirect_uris,
                    applications::id_token_alg,
                ))
                .first(c)
        })
        .expect("stored application");
    vec![id, name, kind, hash.unwrap_or_default(), uris, logout, alg]
}

fn stored_origins(app: &TestApp, id: &str) -> Vec<String> {
    let id = id.to_owned();
    app.storage
        .run_blocking(move |c| {
            application_origins::table
                .filter(application_origins::application_id.eq(&id))
                .select(application_origins::origin)
                .order(application_origins::origin)
                .load(c)
        })
        .expect("origins")
}

/// (access tokens, refresh tokens) stored for an application.
fn stored_tokens(app: &TestApp, id: &str) -> (i64, i64) {
    let id = id.to_owned();
    app.storage
        .run_blocking(move |c| {
            Ok((
                access_tokens::table
                    .filter(access_tokens::application_id.eq(&id))
                    .count()
                    .get_result(c)?,
                refresh_tokens::table
                    .filter(refresh_tokens::application_id.eq(&id))
                    .count()
                    .get_result(c)?,
            ))
        })
        .expect("token counts")
}

/// Signs the test user in to a confidential application with `offline_access`; returns the
/// refresh token.
async fn offline_tokens(api: &Api, app: &Value) -> String {
    use openidconnect::OAuth2TokenResponse;
    let rp = Rp::discover(
        &api.app,
        &id_of(app),
        Some(&str_of(app, "secret")),
        CALLBACK,
    )
    .await;
    let pending = rp.authorize(&["offline_access"], &[]);
    let callback = sign_in(&api.app, &browser(), &pending.url, EMAIL).await;
    let tokens = rp.callback(&api.app, &callback, pending).await;
    tokens
        .refresh_token()
        .expect("refresh token")
        .secret()
        .clone()
}

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

async fn every_route_requires_a_bearer_token(backend: Backend) {
    let api = Api::spawn(backend).await;
    let made = without(&api.create(spa_body(&[CALLBACK])).await, "secret");
    let id = id_of(&made);
    let routes: Vec<(&str, String, Option<Value>)> = vec![
        ("POST", String::new(), Some(spa_body(&[CALLBACK]))),
        ("GET", String::new(), None),
        ("GET", format!("/{id}"), None),
        ("PATCH", format!("/{id}"), Some(json!({"name": "Mallory"}))),
        ("DELETE", format!("/{id}"), None),
    ];
    for (method, path, body) in &routes {
        for bearer in [None, Some("not-a-token")] {
            let reply = api.call_as(bearer, method, path, body.as_ref()).await;
            assert_error(&reply, 401, "unauthorized");
        }
    }
    assert_eq!(*api.get(&format!("/{id}")).await.ok(200), made);
    assert_eq!(api.get("").await.total_number(), 2);
}

// ---------------------------------------------------------------------------------------------
// Creation
// ---------------------------------------------------------------------------------------------

async fn creates_each_kind_of_application(backend: Backend) {
    let api = Api::spawn(backend).await;
    let before = crate::common::now_ms();
    let spa = api
        .create(json!({
            "name": "  Web  ",
            "type": "SPA",
            "oidcClientMetadata": {
                "redirectUris": [CALLBACK],
                "postLogoutRedirectUris": ["http://127.0.0.1:9999/bye"],
            },
            "customClientMetadata": {"idTokenSignedResponseAlg": "ES256"},
        }))
        .await;
    let keys = object_keys(&spa);
    assert_eq!(
        keys,
        BTreeSet::from([
            "id",
            "name",
            "type",
            "oidcClientMetadata",
            "customClientMetadata",
            "isManagementApi",
            "isIntrospector",
            "landingUris",
            "createdAt",
        ]),
        "a single-page app has no secret: {spa}"
    );
    assert_eq!(spa["landingUris"], json!([]), "none unless registered");
    assert_eq!(spa["name"], "Web");
    assert_eq!(spa["type"], "SPA");
    assert_eq!(
        spa["oidcClientMetadata"],
        json!({"redirectUris": [CALLBACK], "postLogoutRedirectUris": ["http://127.0.0.1:9999/bye"]})
    );
    assert_eq!(
        spa["customClientMetadata"],
        json!({"idTokenSignedResponseAlg": "ES256"})
    );
    assert_eq!(spa["isManagementApi"], false);
    let created_at = spa["createdAt"].as_i64().expect("createdAt");
    assert!((before..=crate::common::now_ms()).contains(&created_at));
    assert_eq!(
        stored_origins(&api.app, &id_of(&spa)),
        ["http://127.0.0.1:9999"]
    );

    // Logto's names and the command line's, with defaults for what is left out.
    for (given, shown, uris) in [
        ("Traditional", "Traditional", json!([CALLBACK])),
        ("traditional", "Traditional", json!([CALLBACK])),
        ("MachineToMachine", "MachineToMachine", json!([])),
        ("m2m", "MachineToMachine", json!([])),
        ("spa", "SPA", json!([CALLBACK])),
    ] {
        let made = api
            .create(
                json!({"name": given, "type": given, "oidcClientMetadata": {"redirectUris": uris}}),
            )
            .await;
        assert_eq!(made["type"], shown);
        assert_eq!(made["oidcClientMetadata"]["redirectUris"], uris);
        assert_eq!(
            made["oidcClientMetadata"]["postLogoutRedirectUris"],
            json!([])
        );
        assert_eq!(
            made["customClientMetadata"]["idTokenSignedResponseAlg"],
            "RS256"
        );
        assert_eq!(made["isManagementApi"], false);
        assert_eq!(made.get("secret").is_some(), shown != "SPA", "{made}");
        assert_eq!(
            *api.get(&format!("/{}", id_of(&made))).await.ok(200),
            without(&made, "secret")
        );
        if shown != "SPA" {
            assert!(stored_origins(&api.app, &id_of(&made)).is_empty());
        }
    }
    let m2m = api
        .create(json!({"name": "Backend", "type": "MachineToMachine", "isManagementApi": true}))
        .await;
    assert_eq!(m2m["isManagementApi"], true);
    assert_eq!(m2m["oidcClientMetadata"]["redirectUris"], json!([]));
}

async fn the_secret_is_shown_once_and_stored_hashed(backend: Backend) {
    let api = Api::spawn(backend).await;
    let made = api
        .create(json!({"name": "Site", "type": "Traditional", "oidcClientMetadata": {"redirectUris": [CALLBACK]}}))
        .await;
    let (id, secret) = (id_of(&made), str_of(&made, "secret"));
    assert!(secret.len() >= 43, "a high-entropy secret: {secret}");
    let row = stored_row(&api.app, &id);
    assert_eq!(row[3], sha256_b64url(&secret), "only the SHA-256 is kept");
    assert!(row.iter().all(|cell| !cell.contains(&secret)), "{row:?}");
    // Never again over the API.
    let one = api.get(&format!("/{id}")).await;
    assert!(!one.text.contains(&secret) && one.json.get("secret").is_none());
    let list = api.get("").await;
    assert!(!list.text.contains(&secret));
    assert!(list.items().iter().all(|a| a.get("secret").is_none()));
    let patched = api.patch(&id, json!({"name": "Site 2"})).await;
    assert!(patched.ok(200).get("secret").is_none());
    // Two applications never share a secret.
    let other = api
        .create(json!({"name": "Site", "type": "Traditional", "oidcClientMetadata": {"redirectUris": [CALLBACK]}}))
        .await;
    assert_ne!(str_of(&other, "secret"), secret);
    assert_ne!(id_of(&other), id);
}

async fn creation_validates_the_body(backend: Backend) {
    let api = Api::spawn(backend).await;
    let uris = json!({"redirectUris": [CALLBACK]});
    for (body, field) in [
        (json!({"type": "SPA", "oidcClientMetadata": uris}), "name"),
        (
            json!({"name": "  ", "type": "SPA", "oidcClientMetadata": uris}),
            "name",
        ),
        (
            json!({"name": 5, "type": "SPA", "oidcClientMetadata": uris}),
            "name",
        ),
        (json!({"name": "A"}), "type"),
        (json!({"name": "A", "type": "Native"}), "type"),
        (json!({"name": "A", "type": "spa "}), "type"),
        (json!({"name": "A", "type": 1}), "type"),
        (
            json!({"name": "A", "type": "SPA"}),
            "oidcClientMetadata.redirectUris",
        ),
        (
            json!({"name": "A", "type": "Traditional", "oidcClientMetadata": {"redirectUris": []}}),
            "oidcClientMetadata.redirectUris",
        ),
        (
            json!({"name": "A", "type": "SPA", "oidcClientMetadata": {"redirectUris": ["https://a.example/cb#x"]}}),
            "oidcClientMetadata.redirectUris",
        ),
        (
            json!({"name": "A", "type": "SPA", "oidcClientMetadata": {"redirectUris": ["/relative"]}}),
            "oidcClientMetadata.redirectUris",
        ),
        (
            json!({"name": "A", "type": "SPA", "oidcClientMetadata": {"redirectUris": CALLBACK}}),
            "oidcClientMetadata.redirectUris",
        ),
        (
            json!({"name": "A", "type": "SPA", "oidcClientMetadata": {"redirectUris": [7]}}),
            "oidcClientMetadata.redirectUris",
        ),
        (
            json!({"name": "A", "type": "SPA", "oidcClientMetadata": {"redirectUris": [CALLBACK], "postLogoutRedirectUris": ["not a url"]}}),
            "oidcClientMetadata.postLogoutRedirectUris",
        ),
        (
            json!({"name": "A", "type": "m2m", "oidcClientMetadata": {"redirectUris": [CALLBACK]}}),
            "oidcClientMetadata.redirectUris",
        ),
        (
            json!({"name": "A", "type": "SPA", "oidcClientMetadata": {"redirectUris": [CALLBACK], "logoUri": "x"}}),
            "oidcClientMetadata.logoUri",
        ),
        (
            json!({"name": "A", "type": "SPA", "oidcClientMetadata": [CALLBACK]}),
            "oidcClientMetadata",
        ),
        (
            json!({"name": "A", "type": "SPA", "oidcClientMetadata": uris, "isManagementApi": true}),
            "isManagementApi",
        ),
        (
            json!({"name": "A", "type": "m2m", "isManagementApi": "yes"}),
            "isManagementApi",
        ),
        (
            json!({"name": "A", "type": "SPA", "oidcClientMetadata": uris, "customClientMetadata": {"idTokenSignedResponseAlg": "HS256"}}),
            "customClientMetadata.idTokenSignedResponseAlg",
        ),
        (
            json!({"name": "A", "type": "SPA", "oidcClientMetadata": uris, "customClientMetadata": {"idTokenTtl": 60}}),
            "customClientMetadata.idTokenTtl",
        ),
        (
            json!({"name": "A", "type": "m2m", "description": "x"}),
            "description",
        ),
    ] {
        assert_invalid(&api.post(body).await, field);
    }
    for raw in ["", "null", "[]", "{"] {
        let reply = api.call_raw("POST", "/applications", raw).await;
        assert_error(&reply, 400, "invalid_input");
    }
    assert_eq!(
        api.get("").await.total_number(),
        1,
        "only the caller itself"
    );
}

// ---------------------------------------------------------------------------------------------
// Applications made here work
// ---------------------------------------------------------------------------------------------

async fn an_m2m_application_gets_client_credentials_tokens(backend: Backend) {
    let api = Api::spawn(backend).await;
    let admin = api
        .create(json!({"name": "Admin", "type": "MachineToMachine", "isManagementApi": true}))
        .await;
    let reply = request_management_token(&api.app, &id_of(&admin), &str_of(&admin, "secret")).await;
    let token = reply.ok(200)["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    // The new application's token works on the Management API.
    let listed = api.call_as(Some(&token), "GET", "", None).await;
    assert_eq!(listed.ok(200).as_array().map(Vec::len), Some(2));
    request_management_token(&api.app, &id_of(&admin), "wrong secret")
        .await
        .assert_oauth_error(401, "invalid_client");
    // Deleting the application ends its Management API tokens, though they are unexpired JWTs.
    assert_eq!(api.delete(&id_of(&admin)).await.status, 204);
    let after = api.call_as(Some(&token), "GET", "", None).await;
    assert_eq!(after.status, 401, "{}", after.text);
    // Without Management API access, no token for it.
    let plain = api.create(json!({"name": "Plain", "type": "m2m"})).await;
    request_management_token(&api.app, &id_of(&plain), &str_of(&plain, "secret"))
        .await
        .assert_oauth_error(400, "invalid_target");
}

async fn a_traditional_application_signs_users_in(backend: Backend) {
    let api = Api::spawn(backend).await;
    let user = api.app.create_user(EMAIL);
    let made = api
        .create(json!({
            "name": "Site",
            "type": "Traditional",
            "oidcClientMetadata": {"redirectUris": [CALLBACK]},
            "customClientMetadata": {"idTokenSignedResponseAlg": "EdDSA"},
        }))
        .await;
    let rp = Rp::discover(
        &api.app,
        &id_of(&made),
        Some(&str_of(&made, "secret")),
        CALLBACK,
    )
    .await;
    let pending = rp.authorize(&["email"], &[]);
    let nonce = pending.nonce.clone();
    let callback = sign_in(&api.app, &browser(), &pending.url, EMAIL).await;
    assert!(callback.starts_with(CALLBACK), "{callback}");
    let tokens = rp.callback(&api.app, &callback, pending).await;
    assert_eq!(Rp::id_token_alg(&tokens), "EdDSA");
    let claims = rp.verify_id_token(&tokens, &nonce);
    assert_eq!(claims.subject().as_str(), user.id);
    assert_eq!(claims.audiences()[0].as_str(), id_of(&made));
}

// ---------------------------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------------------------

async fn changes_take_effect_at_once(backend: Backend) {
    let api = Api::spawn(backend).await;
    let made = api
        .create(json!({
            "name": "Web",
            "type": "SPA",
            "oidcClientMetadata": {
                "redirectUris": [CALLBACK],
                "postLogoutRedirectUris": ["http://127.0.0.1:9999/bye"],
            },
        }))
        .await;
    let id = id_of(&made);
    // Used once, so this instance has it cached.
    assert_reaches_sign_in(&authorize(&api.app, &id, CALLBACK).await);
    assert!(origin_allowed(&api.app, "http://127.0.0.1:9999").await);
    assert!(!origin_allowed(&api.app, "http://localhost:7777").await);

    let patched = api
        .patch(
            &id,
            json!({"name": " Web 2 ", "oidcClientMetadata": {"redirectUris": [OTHER_CALLBACK]}}),
        )
        .await;
    let mut expected = made.clone();
    expected["name"] = json!("Web 2");
    expected["oidcClientMetadata"]["redirectUris"] = json!([OTHER_CALLBACK]);
    assert_eq!(*patched.ok(200), expected, "post-logout URIs are kept");
    assert_eq!(*api.get(&format!("/{id}")).await.ok(200), expected);

    // The old URI is refused and the new one accepted, immediately.
    assert_error_page(
        authorize(&api.app, &id, CALLBACK).await,
        400,
        "invalid_redirect_uri",
    )
    .await;
    assert_reaches_sign_in(&authorize(&api.app, &id, OTHER_CALLBACK).await);
    // The browser origins follow the URIs: the post-logout URI still names the old origin.
    assert_eq!(
        stored_origins(&api.app, &id),
        ["http://127.0.0.1:9999", "http://localhost:7777"]
    );
    assert!(origin_allowed(&api.app, "http://localhost:7777").await);
    let only_new = api
        .patch(
            &id,
            json!({"oidcClientMetadata": {"postLogoutRedirectUris": []},
                   "customClientMetadata": {"idTokenSignedResponseAlg": "EdDSA"}}),
        )
        .await;
    assert_eq!(
        only_new.ok(200)["oidcClientMetadata"]["postLogoutRedirectUris"],
        json!([])
    );
    assert_eq!(
        only_new.json["oidcClientMetadata"]["redirectUris"],
        json!([OTHER_CALLBACK])
    );
    assert_eq!(
        only_new.json["customClientMetadata"]["idTokenSignedResponseAlg"],
        "EdDSA"
    );
    assert_eq!(only_new.json["name"], "Web 2");
    assert!(!origin_allowed(&api.app, "http://127.0.0.1:9999").await);
    assert!(origin_allowed(&api.app, "http://localhost:7777").await);
}

async fn changes_are_validated(backend: Backend) {
    let api = Api::spawn(backend).await;
    let spa = api.create(spa_body(&[CALLBACK])).await;
    let m2m = api.create(json!({"name": "Backend", "type": "m2m"})).await;
    let (spa_id, m2m_id) = (id_of(&spa), id_of(&m2m));
    for (id, body, field) in [
        (&spa_id, json!({"name": ""}), "name"),
        (&spa_id, json!({"name": null}), "name"),
        (
            &spa_id,
            json!({"oidcClientMetadata": {"redirectUris": []}}),
            "oidcClientMetadata.redirectUris",
        ),
        (
            &spa_id,
            json!({"oidcClientMetadata": {"redirectUris": null}}),
            "oidcClientMetadata.redirectUris",
        ),
        (
            &spa_id,
            json!({"oidcClientMetadata": {"redirectUris": ["http://a.example/cb#f"]}}),
            "oidcClientMetadata.redirectUris",
        ),
        (
            &spa_id,
            json!({"oidcClientMetadata": {"postLogoutRedirectUris": ["nope"]}}),
            "oidcClientMetadata.postLogoutRedirectUris",
        ),
        (&spa_id, json!({"type": "m2m"}), "type"),
        (&spa_id, json!({"isManagementApi": true}), "isManagementApi"),
        (&spa_id, json!({"secret": "mine"}), "secret"),
        (
            &spa_id,
            json!({"customClientMetadata": {"idTokenSignedResponseAlg": "none"}}),
            "customClientMetadata.idTokenSignedResponseAlg",
        ),
        (
            &m2m_id,
            json!({"oidcClientMetadata": {"redirectUris": [CALLBACK]}}),
            "oidcClientMetadata.redirectUris",
        ),
    ] {
        assert_invalid(&api.patch(id, body).await, field);
    }
    assert_eq!(
        *api.get(&format!("/{spa_id}")).await.ok(200),
        spa,
        "unchanged"
    );
    assert_eq!(
        *api.get(&format!("/{m2m_id}")).await.ok(200),
        without(&m2m, "secret")
    );
    assert_eq!(stored_origins(&api.app, &spa_id), ["http://127.0.0.1:9999"]);
    // The secret survives a change.
    api.patch(&m2m_id, json!({"name": "Renamed"})).await.ok(200);
    request_management_token(&api.app, &m2m_id, &str_of(&m2m, "secret"))
        .await
        .assert_oauth_error(400, "invalid_target");
}

// ---------------------------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------------------------

async fn lists_newest_first_with_paging(backend: Backend) {
    let api = Api::spawn(backend).await;
    for i in 0..5 {
        api.create(json!({"name": format!("App {i}"), "type": "m2m"}))
            .await;
    }
    // Newest first; the caller was registered before them all.
    let names: Vec<String> = ["App 4", "App 3", "App 2", "App 1", "App 0", "Test app"]
        .map(str::to_owned)
        .to_vec();
    let all = api.get("").await;
    assert_eq!(all.total_number(), 6);
    let shown: Vec<&str> = all
        .items()
        .iter()
        .map(|a| a["name"].as_str().expect("name"))
        .collect();
    assert_eq!(shown, names);
    let mut paged = Vec::new();
    for page in 1..=3 {
        let reply = api.get(&format!("?page={page}&page_size=2")).await;
        assert_eq!(reply.total_number(), 6);
        assert_eq!(reply.items().len(), 2);
        paged.extend(
            reply
                .items()
                .iter()
                .map(|a| a["name"].as_str().expect("name").to_owned()),
        );
    }
    assert_eq!(paged, names);
    let beyond = api.get("?page=9").await;
    assert!(beyond.items().is_empty());
    assert_eq!(beyond.total_number(), 6);
    for (query, field) in [
        ("page=0", "page"),
        ("page_size=500", "page_size"),
        ("page_size=-1", "page_size"),
    ] {
        assert_invalid(&api.get(&format!("?{query}")).await, field);
    }
}

// ---------------------------------------------------------------------------------------------
// Deletion and unknown ids
// ---------------------------------------------------------------------------------------------

async fn deletion_ends_the_application_and_its_tokens(backend: Backend) {
    let api = Api::spawn(backend).await;
    api.app.create_user(EMAIL);
    let site = api
        .create(json!({"name": "Site", "type": "Traditional", "oidcClientMetadata": {"redirectUris": [CALLBACK]}}))
        .await;
    let keep = api
        .create(json!({"name": "Keep", "type": "Traditional", "oidcClientMetadata": {"redirectUris": [CALLBACK]}}))
        .await;
    let (id, secret) = (id_of(&site), str_of(&site, "secret"));
    // Tokens of both; signing in also puts the site in this instance's client cache.
    let refresh = offline_tokens(&api, &site).await;
    offline_tokens(&api, &keep).await;
    assert_eq!(stored_tokens(&api.app, &id), (1, 1));
    assert_eq!(stored_tokens(&api.app, &id_of(&keep)), (1, 1));

    let reply = api.delete(&id).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert!(reply.text.is_empty());
    assert_error(&api.get(&format!("/{id}")).await, 404, "not_found");
    assert_error(&api.delete(&id).await, 404, "not_found");
    assert_eq!(stored_tokens(&api.app, &id), (0, 0));
    assert_eq!(stored_tokens(&api.app, &id_of(&keep)), (1, 1));
    // Its credentials stop working at once, cache or not.
    let refreshed = api::token_request(
        &api.app,
        Some((&id, &secret)),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ],
    )
    .await;
    refreshed.assert_oauth_error(401, "invalid_client");
    let r = authorize(&api.app, &id, CALLBACK).await;
    assert!(r.headers().get("location").is_none());
    assert_eq!(r.status(), 400);
    assert_eq!(api.get("").await.total_number(), 2);
    assert_eq!(
        *api.get(&format!("/{}", id_of(&keep))).await.ok(200),
        without(&keep, "secret")
    );
}

async fn unknown_ids_are_not_found(backend: Backend) {
    let api = Api::spawn(backend).await;
    for id in ["nope", "0000000000000000000", "%2e%2e"] {
        assert_error(&api.get(&format!("/{id}")).await, 404, "not_found");
        assert_error(&api.patch(id, json!({"name": "x"})).await, 404, "not_found");
        assert_error(&api.delete(id).await, 404, "not_found");
    }
    assert_eq!(api.get("").await.total_number(), 1);
}

/// Landing pages Sesame may mail links to: given at creation, replaced by a change, shown by
/// every read, and only in their exact, normalized form.
async fn landing_uris_are_registered_exactly(backend: Backend) {
    let api = Api::spawn(backend).await;
    let landing = "https://app.example/welcome";
    let made = api
        .create(json!({
            "name": "Web",
            "type": "SPA",
            "oidcClientMetadata": {"redirectUris": [CALLBACK]},
            "landingUris": [landing],
        }))
        .await;
    assert_eq!(made["landingUris"], json!([landing]));
    let id = id_of(&made);
    assert_eq!(
        api.get(&format!("/{id}")).await.ok(200)["landingUris"],
        json!([landing])
    );
    for bad in [
        json!(["https://app.example/welcome?next=x"]),
        json!(["https://app.example/welcome#x"]),
        json!(["https://APP.example/welcome"]),
        json!(["ftp://app.example/x"]),
        json!("https://app.example/welcome"),
    ] {
        let reply = api.patch(&id, json!({ "landingUris": bad })).await;
        assert_error(&reply, 400, "invalid_input");
        assert!(reply.text.contains("landingUris"), "{}", reply.text);
    }
    let renamed = api.patch(&id, json!({"name": "Web 2"})).await;
    assert_eq!(
        renamed.ok(200)["landingUris"],
        json!([landing]),
        "kept unless given"
    );
    let cleared = api.patch(&id, json!({"landingUris": null})).await;
    assert_eq!(cleared.ok(200)["landingUris"], json!([]));
}

on_both_backends!(
    landing_uris_are_registered_exactly,
    every_route_requires_a_bearer_token,
    creates_each_kind_of_application,
    the_secret_is_shown_once_and_stored_hashed,
    creation_validates_the_body,
    an_m2m_application_gets_client_credentials_tokens,
    a_traditional_application_signs_users_in,
    changes_take_effect_at_once,
    changes_are_validated,
    lists_newest_first_with_paging,
    deletion_ends_the_application_and_its_tokens,
    unknown_ids_are_not_found,
);
