//! Test harness: a real Sesame on 127.0.0.1 (port 0) over a fresh SQLite file or a fresh
//! PostgreSQL database, and a browser-like HTTP client to drive the hosted pages.
//!
//! Every helper that more than one test module needs lives here, once:
//! - this file: [`TestApp`] and the database under it, `on_both_backends!`, `extends!`,
//!   browsers ([`browser`], [`no_redirects`]) and the hosted pages ([`start_interaction`],
//!   [`open_page`], [`post_sign_in`], [`sign_in`], [`assert_error_page`], [`input_value`]),
//!   redirects ([`location`], [`query_param`], [`code_request`]), [`jwt_part`], Management API
//!   tokens ([`management_token`], [`request_management_token`]), one-time tokens, and the
//!   `sesame` command line;
//! - [`process`]: `sesame serve` as a child process ([`process::start`]) and the one-shot
//!   commands ([`process::cli_json`]), for tests that need the real binary;
//! - [`api`]: an HTTP answer read whole ([`api::Reply`]), the Management API caller
//!   ([`api::Api`]), the token and userinfo endpoints, JSON field helpers and the assertions on
//!   error answers;
//! - [`load`]: clients creating one-time tokens in a loop, every answer timed and kept;
//! - [`rp`]: the `openidconnect` crate as relying party ([`rp::Rp`]) and a [`rp::World`] of a
//!   Sesame, a Management API token and a single-page app, for the end-to-end flows;
//! - [`totp`]: TOTP codes as an authenticator app computes them, and the secret an enrollment
//!   page shows.
#![allow(dead_code)]

pub mod api;
pub mod load;
pub mod process;
pub mod rp;
pub mod smtp;
pub mod totp;

use std::net::TcpListener;

use diesel::prelude::*;
use sesame::config::Settings;
use sesame::crypto::SigningAlg;
use sesame::identity::applications::{AppType, NewApplication, register};
use sesame::identity::{Email, NewUser, User, users};
use sesame::startup::Application;
use sesame::storage::{Storage, applications};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares one test per backend from an `async fn(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_rt::test]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_rt::test]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            )*
        }
    };
}

/// Declares a module's own view of a shared harness type, `struct Name(Inner)` dereferencing to
/// `Inner`: the module adds its methods and keeps the shared ones.
#[macro_export]
macro_rules! extends {
    ($(#[$meta:meta])* struct $name:ident($inner:ty);) => {
        $(#[$meta])*
        struct $name($inner);

        impl std::ops::Deref for $name {
            type Target = $inner;

            fn deref(&self) -> &$inner {
                &self.0
            }
        }
    };
}

/// The server PostgreSQL tests create their databases on (trust auth on this machine and CI).
pub fn postgres_admin_url() -> String {
    std::env::var("SESAME_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn postgres_url_for(db: &str) -> String {
    let admin = postgres_admin_url();
    match admin.rfind('/') {
        Some(i) => format!("{}/{db}", &admin[..i]),
        None => admin,
    }
}

/// A fresh database, removed when dropped.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres_name: Option<String>,
}

impl TestDatabase {
    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("sesame.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                    postgres_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("sesame_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&postgres_admin_url())
                    .expect("PostgreSQL must be running for the postgres tests (see README)");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create test database");
                Self {
                    url: postgres_url_for(&name),
                    _dir: None,
                    postgres_name: Some(name),
                }
            }
        }
    }
}

impl TestDatabase {
    /// A database the test manages itself (its own server, say): nothing to remove.
    pub fn existing(url: String) -> Self {
        Self {
            url,
            _dir: None,
            postgres_name: None,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = &self.postgres_name
            && let Ok(mut admin) = PgConnection::establish(&postgres_admin_url())
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

/// The `sesame` command line, as an operator runs it.
pub fn sesame_command() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_sesame"))
}

/// Runs `sesame` with `args` to its end.
pub fn run_sesame(args: &[&str]) -> std::process::Output {
    sesame_command().args(args).output().expect("run sesame")
}

/// The wall clock, for tests that do not move a server's clock.
pub fn now_ms() -> i64 {
    sesame::clock::Clock::system().now_ms()
}

/// A running Sesame. A clone is a handle on the same server.
#[derive(Clone)]
pub struct TestApp {
    /// The server's clock: `clock.advance(..)` stands in for sleeping past an expiry.
    pub clock: std::sync::Arc<sesame::clock::Clock>,
    pub base: String,
    pub issuer: String,
    pub port: u16,
    /// The port `/metrics` is served on alone, when `metrics_bind` is set.
    pub metrics_port: Option<u16>,
    pub backend: Backend,
    pub storage: Storage,
    pub settings: Settings,
    pub db: std::sync::Arc<TestDatabase>,
}

pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Self {
        let db = std::sync::Arc::new(TestDatabase::new(backend));
        Self::spawn_on(db, backend, configure).await
    }

    /// Starts a server on an existing database (several instances can share one).
    pub async fn spawn_on(
        db: std::sync::Arc<TestDatabase>,
        backend: Backend,
        configure: impl FnOnce(&mut Settings),
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mut settings = Settings {
            bind: format!("127.0.0.1:{port}"),
            public_url: format!("http://127.0.0.1:{port}"),
            database_url: db.url.clone(),
            workers: 1,
            db_pool_size: 4,
            // Without an SMTP server, mails are files: never in the working directory.
            mail_dir: std::env::temp_dir()
                .join(format!(
                    "sesame-test-mail-{}",
                    uuid::Uuid::new_v4().simple()
                ))
                .display()
                .to_string(),
            ..Settings::default()
        };
        configure(&mut settings);
        let settings = settings.validated().expect("settings");
        let app = Application::build_with_listener(settings.clone(), listener)
            .await
            .expect("server starts");
        let storage = app.state.storage.clone();
        let clock = app.state.clock.clone();
        let metrics_port = app.metrics_port;
        actix_rt::spawn(app.server);
        TestApp {
            clock,
            base: format!("http://127.0.0.1:{port}"),
            issuer: format!("http://127.0.0.1:{port}/oidc"),
            port,
            metrics_port,
            backend,
            storage,
            settings,
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Registers an application as `sesame app create` does; returns (id, secret).
    pub fn create_app(
        &self,
        app_type: AppType,
        redirect_uris: &[&str],
        alg: SigningAlg,
    ) -> (String, Option<String>) {
        self.create_app_full(app_type, redirect_uris, &[], alg, false)
    }

    pub fn create_app_full(
        &self,
        app_type: AppType,
        redirect_uris: &[&str],
        post_logout: &[&str],
        alg: SigningAlg,
        management_api: bool,
    ) -> (String, Option<String>) {
        self.insert_app(NewApplication {
            name: "Test app".into(),
            app_type,
            redirect_uris: redirect_uris.iter().map(|s| s.to_string()).collect(),
            post_logout_redirect_uris: post_logout.iter().map(|s| s.to_string()).collect(),
            landing_uris: Vec::new(),
            id_token_alg: alg,
            management_api,
            introspection: false,
        })
    }

    /// Registers an m2m application allowed to introspect every application's tokens (a
    /// resource server, `sesame app create --introspection`); returns (id, secret).
    pub fn create_introspector(&self) -> (String, Option<String>) {
        self.insert_app(NewApplication {
            name: "Resource server".into(),
            app_type: AppType::M2m,
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            landing_uris: Vec::new(),
            id_token_alg: SigningAlg::RS256,
            management_api: false,
            introspection: true,
        })
    }

    fn insert_app(&self, new: NewApplication) -> (String, Option<String>) {
        let registered = register(new, crate::common::now_ms()).expect("valid application");
        self.storage
            .run_blocking(|c| {
                applications::insert_application(c, &registered.app, &registered.origins)
            })
            .expect("insert application");
        (registered.app.id, registered.secret.map(|s| s.into_inner()))
    }

    pub fn create_user(&self, email: &str) -> User {
        users::create_user_blocking(
            &self.storage,
            NewUser {
                email: Email::parse(email).expect("email"),
                password: Some(sesame::crypto::Secret::new(PASSWORD)),
                name: Some("Test Person".into()),
                email_verified: true,
                locale: None,
            },
            crate::common::now_ms(),
        )
        .expect("create user")
    }
}

/// A browser: keeps cookies, never follows redirects (tests look at each hop).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// An HTTP client without cookies that never follows redirects: a backend or an RP, or a
/// browser whose cookies a test passes by hand.
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The HTML of a page.
pub async fn page_html(browser: &reqwest::Client, url: &str) -> String {
    browser
        .get(url)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html")
}

/// GETs a hosted page and returns its HTML and csrf field.
pub async fn open_page(browser: &reqwest::Client, page_url: &str) -> (String, String) {
    let r = browser.get(page_url).send().await.expect("page");
    assert_eq!(r.status(), 200, "{page_url}");
    let html = r.text().await.expect("html");
    let csrf = input_value(&html, "csrf").expect("csrf field");
    (html, csrf)
}

/// Submits the hosted sign-in form of `page_url`.
pub async fn post_sign_in(
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
        .expect("sign in")
}

/// Part `index` of a JWT (0: header, 1: payload), decoded as JSON. The signature is the
/// business of the tests that check it; this is for reading what a token says.
pub fn jwt_part(jwt: &str, index: usize) -> serde_json::Value {
    let part = jwt.split('.').nth(index).expect("JWT part");
    serde_json::from_slice(&rp::base64_url_decode(part)).expect("JSON")
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("expected a redirect, got {}", response.status()))
        .to_owned()
}

/// The value of a hidden or text input named `name` in an HTML page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker)?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.find("value=\"")? + 7;
    let end = tag[v..].find('"')?;
    Some(tag[v..v + end].replace("&#34;", "\"").replace("&amp;", "&"))
}

/// A query parameter of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// An authorization code request with PKCE S256 (RFC 7636), as a client builds it; returns
/// the URL and the code verifier.
pub fn code_request(
    app: &TestApp,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    state: &str,
) -> (String, String) {
    let verifier = sesame::crypto::random_token(32);
    let challenge = sesame::crypto::sha256_b64url(&verifier);
    let mut url = url::Url::parse(&app.url("/oidc/auth")).expect("url");
    url.query_pairs_mut().extend_pairs([
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", scope),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("state", state),
    ]);
    (url.to_string(), verifier)
}

/// Follows an authorization URL through the hosted sign-in page with `email` and the test
/// password, and returns the final redirect to the client.
pub async fn sign_in(
    app: &TestApp,
    browser: &reqwest::Client,
    authorize_url: &str,
    email: &str,
) -> String {
    let page_url = start_interaction(app, browser, authorize_url).await;
    submit_sign_in(app, browser, &page_url, email, PASSWORD).await
}

/// Opens an authorization URL and expects to be sent to a hosted page; returns its URL.
pub async fn start_interaction(
    app: &TestApp,
    browser: &reqwest::Client,
    authorize_url: &str,
) -> String {
    let r = browser.get(authorize_url).send().await.expect("authorize");
    assert_eq!(
        r.status(),
        303,
        "authorize should redirect to the sign-in page"
    );
    let to = location(&r);
    assert!(to.starts_with("/interaction/"), "unexpected redirect {to}");
    app.url(&to)
}

pub async fn submit_sign_in(
    _app: &TestApp,
    browser: &reqwest::Client,
    page_url: &str,
    email: &str,
    password: &str,
) -> String {
    let (_, csrf) = open_page(browser, page_url).await;
    let r = post_sign_in(browser, page_url, &csrf, email, password).await;
    assert_eq!(
        r.status(),
        303,
        "sign-in should redirect back to the client"
    );
    location(&r)
}

/// Turns `signUp.verifyEmail` off through the Management API, as an operator can: public
/// registration then creates the account at once, its address unverified (for the tests about
/// that kind of sign-up).
pub async fn sign_up_without_verification(app: &TestApp) {
    let bearer = management_token(app).await;
    let r = reqwest::Client::new()
        .patch(app.url("/api/sign-in-exp"))
        .bearer_auth(bearer)
        .json(&serde_json::json!({"signUp": {"verifyEmail": false}}))
        .send()
        .await
        .expect("sign-in experience");
    assert_eq!(r.status(), 200);
}

/// Registers an m2m application allowed to call the Management API and returns a token for it.
pub async fn management_token(app: &TestApp) -> String {
    management_caller(app).await.1
}

/// Registers an m2m application allowed to call the Management API; its id and a token for it.
pub async fn management_caller(app: &TestApp) -> (String, String) {
    let (id, secret) = app.create_app_full(AppType::M2m, &[], &[], SigningAlg::RS256, true);
    let token = management_token_for(
        &app.base,
        &app.settings.public_url,
        &id,
        secret.as_deref().expect("an m2m application has a secret"),
    )
    .await;
    (id, token)
}

/// `POST /oidc/token` with client_credentials for the Management API of `app`.
pub async fn request_management_token(app: &TestApp, id: &str, secret: &str) -> api::Reply {
    request_management_token_for(&app.base, &app.settings.public_url, id, secret).await
}

/// `POST /oidc/token` with client_credentials for the Management API, to the server at `base`
/// whose public URL is `public_url`.
pub async fn request_management_token_for(
    base: &str,
    public_url: &str,
    id: &str,
    secret: &str,
) -> api::Reply {
    api::send(
        reqwest::Client::new()
            .post(format!("{base}/oidc/token"))
            .basic_auth(id, Some(secret))
            .form(&[
                ("grant_type", "client_credentials"),
                ("resource", &format!("{public_url}/api")),
                ("scope", "all"),
            ]),
    )
    .await
}

/// A Management API token from the server at `base` whose public URL is `public_url`.
pub async fn management_token_for(base: &str, public_url: &str, id: &str, secret: &str) -> String {
    let reply = request_management_token_for(base, public_url, id, secret).await;
    assert_eq!(reply.status, 200, "management token: {}", reply.text);
    reply.str("access_token")
}

/// `POST /api/one-time-tokens`; returns the response status and JSON body.
pub async fn create_one_time_token(
    base: &str,
    bearer: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/one-time-tokens"))
        .bearer_auth(bearer)
        .json(&body)
        .send()
        .await
        .expect("create token");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

/// A magic link for `email`: the plaintext token of a new one-time token.
pub async fn magic_link_token(app: &TestApp, bearer: &str, email: &str) -> String {
    let (status, body) =
        create_one_time_token(&app.base, bearer, serde_json::json!({ "email": email })).await;
    assert_eq!(status, 201, "{body}");
    body["token"].as_str().expect("token").to_owned()
}

/// The status of a one-time token as the Management API reports it.
pub async fn token_status(app: &TestApp, bearer: &str, email: &str) -> Vec<String> {
    let r = reqwest::Client::new()
        .get(app.url("/api/one-time-tokens"))
        .bearer_auth(bearer)
        .query(&[("email", email)])
        .send()
        .await
        .expect("list");
    let body: serde_json::Value = r.json().await.expect("json");
    body.as_array()
        .expect("array")
        .iter()
        .map(|t| t["status"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// An HTML error page with `status` and `code`, never a redirect.
pub async fn assert_error_page(r: reqwest::Response, status: u16, code: &str) -> String {
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

/// The error code shown on an error page.
pub fn page_error_code(html: &str) -> Option<String> {
    let start = html.find("id=\"error-code\">")? + "id=\"error-code\">".len();
    let end = html[start..].find('<')?;
    Some(html[start..start + end].to_owned())
}
