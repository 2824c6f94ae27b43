//! Attack: introspection by anyone. Any confidential client could introspect any token and
//! learn its user, scope and client. Only the token's own client, or an application created
//! with the introspection permission (`sesame app create --introspection`, `isIntrospector` in
//! the Management API), learns that a token is active; every other caller gets exactly
//! `{"active": false}` (RFC 7662 2.2 and 4). Tokens of suspended users and of deleted
//! applications are inactive for everyone, client_credentials JWTs included.

use serde_json::{Value, json};
use sesame::crypto::SigningAlg;
use sesame::identity::applications::AppType;

use crate::common::api::{Api, Reply, assert_invalid, id_of, send, str_of, token_request};
use crate::common::{
    Backend, TestApp, browser, code_request, query_param, request_management_token, run_sesame,
    sign_in,
};

const CALLBACK: &str = "http://127.0.0.1:9999/callback";
const EMAIL: &str = "ada@example.com";

/// A confidential client: its id and secret.
struct Client {
    id: String,
    secret: String,
}

impl Client {
    fn traditional(app: &TestApp) -> Self {
        Self::from(app.create_app(AppType::Traditional, &[CALLBACK], SigningAlg::RS256))
    }

    /// An m2m application allowed to obtain Management API tokens (client_credentials JWTs).
    fn m2m(app: &TestApp) -> Self {
        Self::from(app.create_app_full(AppType::M2m, &[], &[], SigningAlg::RS256, true))
    }

    /// `POST /oidc/token/introspection` as this client (`client_secret_basic`).
    async fn introspect(&self, app: &TestApp, token: &str) -> Reply {
        send(
            reqwest::Client::new()
                .post(app.url("/oidc/token/introspection"))
                .basic_auth(&self.id, Some(&self.secret))
                .form(&[("token", token)]),
        )
        .await
    }

    /// Asserts that introspecting `token` as this client says exactly `{"active": false}`.
    async fn sees_inactive(&self, app: &TestApp, token: &str, what: &str) {
        let reply = self.introspect(app, token).await;
        assert_eq!(
            reply.ok(200),
            &json!({"active": false}),
            "{what}, introspected by {}",
            self.id
        );
        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }

    /// Asserts that introspecting `token` as this client says it is active, for `client_id`.
    async fn sees_active(&self, app: &TestApp, token: &str, client_id: &str, what: &str) -> Value {
        let reply = self.introspect(app, token).await;
        let body = reply.ok(200).clone();
        assert_eq!(
            body["active"], true,
            "{what}, introspected by {}: {body}",
            self.id
        );
        assert_eq!(body["client_id"], client_id, "{what}: {body}");
        body
    }
}

impl From<(String, Option<String>)> for Client {
    fn from((id, secret): (String, Option<String>)) -> Self {
        Client {
            id,
            secret: secret.expect("a confidential client has a secret"),
        }
    }
}

/// Signs the user in through `client` with `openid offline_access`: (access, refresh) token.
async fn user_tokens(app: &TestApp, client: &Client) -> (String, String) {
    let (url, verifier) = code_request(app, &client.id, CALLBACK, "openid offline_access", "s");
    let callback = sign_in(app, &browser(), &url, EMAIL).await;
    let code = query_param(&callback, "code").unwrap_or_else(|| panic!("no code: {callback}"));
    let reply = token_request(
        app,
        Some((&client.id, &client.secret)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    let body = reply.ok(200);
    (str_of(body, "access_token"), str_of(body, "refresh_token"))
}

/// A client_credentials JWT access token of `client`.
async fn jwt_of(app: &TestApp, client: &Client) -> String {
    let reply = request_management_token(app, &client.id, &client.secret).await;
    let jwt = str_of(reply.ok(200), "access_token");
    assert_eq!(jwt.matches('.').count(), 2, "a JWT: {jwt}");
    jwt
}

/// An introspector registered with `sesame app create --introspection` on the server's database.
fn introspector_from_cli(app: &TestApp) -> Client {
    let out = run_sesame(&[
        "--database-url",
        &app.db.url,
        "app",
        "create",
        "--name",
        "Resource server",
        "--type",
        "m2m",
        "--introspection",
    ]);
    assert!(
        out.status.success(),
        "app create --introspection: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON out");
    Client {
        id: str_of(&printed, "id"),
        secret: str_of(&printed, "secret"),
    }
}

/// An introspector created through the Management API with `isIntrospector`.
async fn introspector_from_api(api: &Api) -> Client {
    let made = api
        .create(
            "/applications",
            json!({"name": "Gateway", "type": "MachineToMachine", "isIntrospector": true}),
        )
        .await;
    assert_eq!(made["isIntrospector"], true, "{made}");
    assert_eq!(
        api.get(&format!("/applications/{}", id_of(&made)))
            .await
            .ok(200)["isIntrospector"],
        true
    );
    Client {
        id: id_of(&made),
        secret: str_of(&made, "secret"),
    }
}

async fn attack_introspection_another_client_learns_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let a = Client::traditional(&app);
    let b = Client::traditional(&app);
    let m2m = Client::m2m(&app);
    let (access, refresh) = user_tokens(&app, &a).await;
    let jwt = jwt_of(&app, &m2m).await;

    // An unrelated confidential client learns nothing of A's tokens, nor of the m2m JWT.
    b.sees_inactive(&app, &access, "A's access token").await;
    b.sees_inactive(&app, &refresh, "A's refresh token").await;
    b.sees_inactive(&app, &jwt, "another client's JWT").await;
    a.sees_inactive(&app, &jwt, "another client's JWT").await;
    m2m.sees_inactive(&app, &access, "A's access token").await;

    // Each token's own client still sees it active.
    let at = a
        .sees_active(&app, &access, &a.id, "own access token")
        .await;
    assert_eq!(at["token_type"], "Bearer");
    let rt = a
        .sees_active(&app, &refresh, &a.id, "own refresh token")
        .await;
    assert_eq!(rt["token_type"], "refresh_token");
    m2m.sees_active(&app, &jwt, &m2m.id, "own JWT").await;
}

async fn attack_introspection_introspectors_see_every_token(backend: Backend) {
    let api = Api::spawn(backend).await;
    let app = &api.app;
    app.create_user(EMAIL);
    let a = Client::traditional(app);
    let m2m = Client::m2m(app);
    let (access, refresh) = user_tokens(app, &a).await;
    let jwt = jwt_of(app, &m2m).await;

    for introspector in [
        introspector_from_cli(app),
        introspector_from_api(&api).await,
    ] {
        introspector
            .sees_active(app, &access, &a.id, "A's access token")
            .await;
        introspector
            .sees_active(app, &refresh, &a.id, "A's refresh token")
            .await;
        introspector
            .sees_active(app, &jwt, &m2m.id, "the m2m JWT")
            .await;
    }

    // The permission is off unless asked for, and only a confidential application may have it
    // (a public client cannot call the introspection endpoint).
    let plain = api
        .create(
            "/applications",
            json!({"name": "Plain", "type": "MachineToMachine"}),
        )
        .await;
    assert_eq!(plain["isIntrospector"], false, "{plain}");
    let spa = api
        .post(
            "/applications",
            json!({
                "name": "Web",
                "type": "SPA",
                "oidcClientMetadata": {"redirectUris": [CALLBACK]},
                "isIntrospector": true,
            }),
        )
        .await;
    assert_invalid(&spa, "isIntrospector");
    let out = run_sesame(&[
        "--database-url",
        &app.db.url,
        "app",
        "create",
        "--name",
        "Web",
        "--type",
        "spa",
        "--redirect-uri",
        CALLBACK,
        "--introspection",
    ]);
    assert_eq!(out.status.code(), Some(1), "a SPA may not introspect");
}

async fn attack_introspection_suspended_users_tokens_are_inactive(backend: Backend) {
    let api = Api::spawn(backend).await;
    let app = &api.app;
    let user = app.create_user(EMAIL);
    let a = Client::traditional(app);
    let introspector = introspector_from_cli(app);
    let (access, refresh) = user_tokens(app, &a).await;
    a.sees_active(app, &access, &a.id, "before suspension")
        .await;

    api.patch(
        &format!("/users/{}/is-suspended", user.id),
        json!({"isSuspended": true}),
    )
    .await
    .ok(200);

    for client in [&a, &introspector] {
        client
            .sees_inactive(app, &access, "a suspended user's access token")
            .await;
        client
            .sees_inactive(app, &refresh, "a suspended user's refresh token")
            .await;
    }
}

async fn attack_introspection_deleted_applications_tokens_are_inactive(backend: Backend) {
    let api = Api::spawn(backend).await;
    let app = &api.app;
    app.create_user(EMAIL);
    let a = Client::traditional(app);
    let m2m = Client::m2m(app);
    let introspector = introspector_from_cli(app);
    let (access, refresh) = user_tokens(app, &a).await;
    let jwt = jwt_of(app, &m2m).await;
    introspector
        .sees_active(app, &jwt, &m2m.id, "before deletion")
        .await;

    for id in [&a.id, &m2m.id] {
        api.delete(&format!("/applications/{id}")).await.ok(204);
    }

    introspector
        .sees_inactive(app, &access, "a deleted application's access token")
        .await;
    introspector
        .sees_inactive(app, &refresh, "a deleted application's refresh token")
        .await;
    introspector
        .sees_inactive(app, &jwt, "a deleted application's JWT")
        .await;
}

on_both_backends!(
    attack_introspection_another_client_learns_nothing,
    attack_introspection_introspectors_see_every_token,
    attack_introspection_suspended_users_tokens_are_inactive,
    attack_introspection_deleted_applications_tokens_are_inactive,
);
