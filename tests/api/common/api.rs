//! HTTP helpers shared by the API tests: an answer read whole, and the assertions on the
//! Management API's JSON errors and the token endpoint's OAuth errors.

use std::collections::BTreeSet;

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;

use sesame::config::Settings;

use super::{Backend, TestApp, management_caller, no_redirects};

/// An HTTP answer, read whole.
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    /// The body as JSON, `Null` when empty or not JSON.
    pub json: Value,
}

impl Reply {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts this status; returns the JSON body.
    #[track_caller]
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "{}", self.text);
        &self.json
    }

    pub fn total_number(&self) -> i64 {
        self.header("Total-Number")
            .unwrap_or_else(|| panic!("a Total-Number header, got {:?}", self.headers))
            .parse()
            .expect("Total-Number is an integer")
    }

    pub fn items(&self) -> &Vec<Value> {
        self.json
            .as_array()
            .unwrap_or_else(|| panic!("a JSON array, got {} {}", self.status, self.text))
    }

    /// The `id` of each item of a JSON array body.
    pub fn ids(&self) -> Vec<String> {
        self.items().iter().map(id_of).collect()
    }

    /// The `name` of each item of a JSON array body.
    pub fn names(&self) -> Vec<String> {
        self.items()
            .iter()
            .map(|v| v["name"].as_str().expect("name").to_owned())
            .collect()
    }

    /// A string field of the JSON body, which must be there.
    pub fn str(&self, field: &str) -> String {
        self.json[field]
            .as_str()
            .unwrap_or_else(|| panic!("{field} missing in {}", self.json))
            .to_owned()
    }

    /// The OAuth `error` of the body.
    pub fn oauth_error(&self) -> &str {
        self.json["error"].as_str().unwrap_or("<no error field>")
    }

    /// Asserts an OAuth error response with exactly this status and `error`.
    #[track_caller]
    pub fn assert_oauth_error(&self, status: u16, error: &str) {
        assert_eq!(
            (self.status, self.oauth_error()),
            (status, error),
            "unexpected answer: {}",
            self.text
        );
    }
}

/// Sends `request` and reads the answer whole.
pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    Reply::read(request.send().await.expect("request")).await
}

/// A Management API call to `/api{path}`, with an optional bearer token and JSON body.
pub async fn call(
    http: &reqwest::Client,
    app: &TestApp,
    bearer: Option<&str>,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Reply {
    let mut request = http.request(method, app.url(&format!("/api{path}")));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    send(request).await
}

/// A Management API call to `/api{path}` with a raw body sent as JSON (which it may not be).
pub async fn call_raw(
    http: &reqwest::Client,
    app: &TestApp,
    bearer: &str,
    method: Method,
    path: &str,
    body: &str,
) -> Reply {
    send(
        http.request(method, app.url(&format!("/api{path}")))
            .bearer_auth(bearer)
            .header("content-type", "application/json")
            .body(body.to_owned()),
    )
    .await
}

/// A Sesame and a Management API caller (itself an m2m application) with its token; paths
/// are under `/api`. Its client never follows redirects.
pub struct Api {
    pub app: TestApp,
    pub http: reqwest::Client,
    /// The caller's application id.
    pub app_id: String,
    pub token: String,
}

impl Api {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Self {
        let app = TestApp::spawn_with(backend, configure).await;
        let (app_id, token) = management_caller(&app).await;
        Api {
            app,
            http: no_redirects(),
            app_id,
            token,
        }
    }

    /// A call as `bearer` (`None`: without a token).
    pub async fn call_as(
        &self,
        bearer: Option<&str>,
        method: impl AsRef<str>,
        path: &str,
        body: Option<&Value>,
    ) -> Reply {
        let method = Method::from_bytes(method.as_ref().as_bytes()).expect("method");
        call(&self.http, &self.app, bearer, method, path, body).await
    }

    /// A call with the caller's own token and a raw body sent as JSON (which it may not be).
    pub async fn call_raw(&self, method: impl AsRef<str>, path: &str, body: &str) -> Reply {
        let method = Method::from_bytes(method.as_ref().as_bytes()).expect("method");
        call_raw(&self.http, &self.app, &self.token, method, path, body).await
    }

    /// A call with the caller's own token.
    pub async fn call(&self, method: impl AsRef<str>, path: &str, body: Option<&Value>) -> Reply {
        self.call_as(Some(&self.token), method, path, body).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(&body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(&body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None).await
    }

    /// POSTs `body` to `path`, expects 201 and returns the created object.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let reply = self.post(path, body.clone()).await;
        assert_eq!(reply.status, 201, "create {body} at {path}: {}", reply.text);
        reply.json
    }
}

/// `POST /oidc/token` with `form`, and with `Authorization: Basic` when `basic` is given.
pub async fn token_request(
    app: &TestApp,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> Reply {
    let mut request = reqwest::Client::new()
        .post(app.url("/oidc/token"))
        .form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    send(request).await
}

/// `GET /oidc/me` with `access_token` as the bearer token.
pub async fn userinfo(app: &TestApp, access_token: &str) -> Reply {
    send(
        reqwest::Client::new()
            .get(app.url("/oidc/me"))
            .bearer_auth(access_token),
    )
    .await
}

/// A string field of a JSON object, which must be there.
pub fn str_of(v: &Value, field: &str) -> String {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} missing in {v}"))
        .to_owned()
}

/// The keys of a JSON object.
pub fn object_keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// The `id` field of a JSON object.
pub fn id_of(v: &Value) -> String {
    str_of(v, "id")
}

/// A JSON object without `field`: e.g. a created object as later reads show it, without the
/// secret shown once.
pub fn without(v: &Value, field: &str) -> Value {
    let mut v = v.clone();
    v.as_object_mut().expect("object").remove(field);
    v
}

/// Asserts this status, showing the body otherwise.
#[track_caller]
pub fn assert_status(reply: &Reply, status: u16) {
    assert_eq!(
        reply.status, status,
        "expected {status}, got {} {}",
        reply.status, reply.text
    );
}

/// Asserts an error answer: this status, this code, a message, and nothing else in the body.
#[track_caller]
pub fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(
        reply.status, status,
        "expected {status} {code}, got {} {}",
        reply.status, reply.text
    );
    let body = reply
        .json
        .as_object()
        .unwrap_or_else(|| panic!("error body must be a JSON object, got {:?}", reply.text));
    assert_eq!(
        body.get("code").and_then(Value::as_str),
        Some(code),
        "error code in {}",
        reply.text
    );
    assert!(
        body.get("message")
            .and_then(Value::as_str)
            .is_some_and(|m| !m.is_empty()),
        "error message in {}",
        reply.text
    );
    let keys: BTreeSet<&str> = body.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["code", "message"]),
        "an error carries no data: {}",
        reply.text
    );
}

/// Asserts a 404 `not_found` error.
#[track_caller]
pub fn assert_not_found(reply: &Reply) {
    assert_error(reply, 404, "not_found");
}

/// Asserts a 400 `invalid_input` whose message starts with `field:`.
#[track_caller]
pub fn assert_invalid(reply: &Reply, field: &str) {
    assert_error(reply, 400, "invalid_input");
    let message = reply.json["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(&format!("{field}:")),
        "the message should name {field}: {message:?}"
    );
}

/// Asserts a 400 `invalid_input` whose message mentions `field` (and each of `also`), anywhere.
#[track_caller]
pub fn assert_invalid_mentioning(reply: &Reply, field: &str, also: &[&str]) {
    assert_error(reply, 400, "invalid_input");
    let message = reply.json["message"].as_str().unwrap_or_default();
    for needle in std::iter::once(&field).chain(also) {
        assert!(
            message.contains(needle),
            "the message should name {needle}: {message:?}"
        );
    }
}
