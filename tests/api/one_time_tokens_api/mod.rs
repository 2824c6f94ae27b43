//! The Management API for one-time tokens (magic links), over HTTP against a real Sesame on
//! both backends: authentication of callers, creation and its validation, the token's secrecy
//! (hash at rest, shown once), listing with filters and paging, expiry, status changes,
//! deletion, verification with its error codes, atomic consumption, creation rate limits and
//! the audit log.

use std::collections::BTreeSet;

use crate::common::api::{
    self, Reply, assert_error, assert_invalid_mentioning, id_of, object_keys, str_of, without,
};
use crate::common::rp::Rp;
use crate::common::{
    Backend, TestApp, browser, jwt_part, management_caller, request_management_token, sign_in,
};
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

extends! {
    /// The Management API's one-time tokens: paths are under `/api/one-time-tokens`.
    struct Api(api::Api);
}

impl Api {
    async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Self {
        Api(api::Api::spawn_with(backend, configure).await)
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
        self.raw(reqwest::Method::POST, path, body).await
    }

    /// A raw (possibly non-JSON) body sent as JSON.
    async fn raw(&self, method: reqwest::Method, path: &str, body: &str) -> Reply {
        let path = format!("/one-time-tokens{path}");
        api::call_raw(&self.http, &self.app, &self.token, method, &path, body).await
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

/// The server's own keys, to sign tokens that only differ from real ones where a test says.
fn server_keys(app: &TestApp) -> KeySet {
    let stored = app
        .storage
        .run_blocking(|c| sesame::storage::keys::list_publishable_keys(c, 0))
        .expect("stored keys");
    KeySet::from_stored(&stored).expect("key set")
}

/// Replaces one character of a base64url string by a different one.
fn flip_char(s: &str, at: usize) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

mod authentication;
mod creation;
mod limits_and_audit;
mod listing;
mod verification;
