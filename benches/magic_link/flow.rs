//! One magic-link flow over HTTP, step by step, and why it failed when it did; the requests
//! and checks the soak's other flows share with it (authorization request, callback, code
//! exchange, m2m token).

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use sesame::crypto::{random_token, sha256_b64url};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Step {
    M2mToken,
    Create,
    Authorize,
    Exchange,
    // The soak's other flows (benches/soak); the magic-link flow is the four above.
    SignInPage,
    SignInForm,
    Refresh,
    ClientCredentials,
    ApiRead,
}

pub const STEPS: [Step; 4] = [
    Step::M2mToken,
    Step::Create,
    Step::Authorize,
    Step::Exchange,
];

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::M2mToken => "m2m_token",
            Step::Create => "create",
            Step::Authorize => "authorize",
            Step::Exchange => "exchange",
            Step::SignInPage => "sign_in_page",
            Step::SignInForm => "sign_in_form",
            Step::Refresh => "refresh",
            Step::ClientCredentials => "client_credentials",
            Step::ApiRead => "api_read",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Step::M2mToken => "1 m2m token (cached)",
            Step::Create => "2 POST /api/one-time-tokens",
            Step::Authorize => "3 GET /oidc/auth + token",
            Step::Exchange => "4 POST /oidc/token (code)",
            Step::SignInPage => "GET /interaction/{uid}",
            Step::SignInForm => "POST /interaction/{uid}/sign-in",
            Step::Refresh => "POST /oidc/token (refresh_token)",
            Step::ClientCredentials => "POST /oidc/token (client_credentials)",
            Step::ApiRead => "GET /api/...",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Register,
    SignIn,
}

/// Why a flow failed: the step, a short class (HTTP status, `transport`, `body`), a detail.
#[derive(Debug)]
pub struct Failure {
    pub step: Step,
    pub class: String,
    pub detail: String,
}

pub fn fail(step: Step, class: impl Into<String>, detail: impl Into<String>) -> Failure {
    Failure {
        step,
        class: class.into(),
        detail: detail.into(),
    }
}

/// What a successful flow hands back (checked closely only in the pre-flight).
pub struct Done {
    pub id_token: String,
    pub nonce: String,
    /// Issued when the scope asked for `offline_access`.
    pub refresh_token: Option<String>,
    /// The one-time token's id, for the Management API.
    pub link_id: String,
}

/// The tokens of a code exchange.
pub struct Tokens {
    pub id_token: String,
    pub refresh_token: Option<String>,
}

/// Where the flows go, and as which client.
#[derive(Clone)]
pub struct Target {
    /// The instance's own address (loopback); its public URL may be another's.
    pub base_url: String,
    /// The SPA (public client) that signs users in.
    pub spa_id: String,
    pub redirect_uri: String,
    /// The scope of its sign-ins (`offline_access` for a refresh token).
    pub scope: String,
}

pub struct Ctx {
    pub target: Target,
    pub http: reqwest::Client,
    pub issuer: String,
    pub m2m_basic: String,
    pub cc_body: String,
}

/// An HTTP client with keep-alive that never follows redirects and keeps no cookies.
pub fn http_client(pool: usize, timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(pool.max(1))
        .tcp_nodelay(true)
        .timeout(timeout)
        .build()
        .expect("HTTP client")
}

#[derive(Default)]
pub struct M2mToken {
    token: String,
    refresh_at: Option<Instant>,
}

impl M2mToken {
    /// The cached bearer token (empty before the first).
    pub fn token(&self) -> &str {
        &self.token
    }
}

pub fn form_enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub fn short(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    let s: String = s.chars().take(200).collect();
    s.replace('\n', " ")
}

/// `error` (OAuth) or `code` (Management API) of an error body, for the failure class.
fn error_code(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.get("error")
        .or_else(|| v.get("code"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn status_class(status: reqwest::StatusCode, body: &[u8]) -> String {
    match error_code(body) {
        Some(code) => format!("{} {code}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// The string `name` of a JSON object, unless absent or empty.
pub fn non_empty<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v[name].as_str().filter(|s| !s.is_empty())
}

/// The names in a JSON object (a token response, without its values).
fn keys(v: &Value) -> String {
    v.as_object()
        .map(|o| o.keys().cloned().collect::<Vec<_>>().join(","))
        .unwrap_or_default()
}

pub fn micros(d: Duration) -> u32 {
    d.as_micros().min(u32::MAX as u128) as u32
}

/// A response read whole: status, `Location`, headers, body.
pub struct Answer {
    pub status: reqwest::StatusCode,
    pub location: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

pub async fn answer(step: Step, request: reqwest::RequestBuilder) -> Result<Answer, Failure> {
    let r = request
        .send()
        .await
        .map_err(|e| fail(step, "transport", e.to_string()))?;
    let status = r.status();
    let headers = r.headers().clone();
    let location = headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = r
        .bytes()
        .await
        .map_err(|e| fail(step, "transport", e.to_string()))?;
    Ok(Answer {
        status,
        location,
        headers,
        body: body.into(),
    })
}

/// A JSON body, or the failure of `step` that did not answer one.
pub fn json_body(step: Step, body: &[u8]) -> Result<Value, Failure> {
    serde_json::from_slice(body).map_err(|_| fail(step, "body", short(body)))
}

/// The failure of `step` that answered `status` when another was expected.
pub fn unexpected(step: Step, status: reqwest::StatusCode, body: &[u8]) -> Failure {
    fail(step, status_class(status, body), short(body))
}

/// What the browser sends with the authorization request and must find again in the callback.
pub struct Request {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

impl Request {
    pub fn fresh() -> Self {
        Self {
            state: random_token(16),
            nonce: random_token(16),
            verifier: random_token(32),
        }
    }
}

impl Ctx {
    /// The context of the instance at `target`, with the m2m application's credentials. The
    /// Management API's resource is `<public URL>/api`, the issuer `<public URL>/oidc`.
    pub fn new(
        target: Target,
        http: reqwest::Client,
        issuer: &str,
        m2m_id: &str,
        m2m_secret: &str,
    ) -> Self {
        // The Basic credentials are form-urlencoded before base64 (RFC 6749 2.3.1).
        let m2m_basic = format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", form_enc(m2m_id), form_enc(m2m_secret)))
        );
        let public_url = issuer.strip_suffix("/oidc").unwrap_or(issuer);
        let cc_body = format!(
            "grant_type=client_credentials&resource={}&scope=all",
            form_enc(&format!("{public_url}/api"))
        );
        Self {
            target,
            http,
            issuer: issuer.to_owned(),
            m2m_basic,
            cc_body,
        }
    }

    pub async fn m2m_token(&self, cache: &mut M2mToken) -> Result<Option<Duration>, Failure> {
        if cache.refresh_at.is_some_and(|t| Instant::now() < t) {
            return Ok(None);
        }
        let step = Step::M2mToken;
        let started = Instant::now();
        let v = self.client_credentials(step).await?;
        let token = v["access_token"]
            .as_str()
            .ok_or_else(|| fail(step, "body", format!("no access_token in {}", keys(&v))))?;
        let ttl = v["expires_in"].as_u64().unwrap_or(300);
        cache.token = token.to_owned();
        // Renewed a minute before it expires (or at half-life for short ones).
        let margin = 60.min(ttl / 2);
        cache.refresh_at = Some(started + Duration::from_secs(ttl - margin));
        Ok(Some(started.elapsed()))
    }

    /// `POST /oidc/token` with client_credentials for the Management API: the JSON answered.
    pub async fn client_credentials(&self, step: Step) -> Result<Value, Failure> {
        let request = self
            .http
            .post(format!("{}/oidc/token", self.target.base_url))
            .header("Authorization", &self.m2m_basic)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(self.cc_body.clone());
        let Answer { status, body, .. } = answer(step, request).await?;
        if status != 200 {
            return Err(unexpected(step, status, &body));
        }
        json_body(step, &body)
    }

    /// One complete flow for `email`; fills `times` (µs per step, 0 = not run).
    pub async fn flow(
        &self,
        cache: &mut M2mToken,
        email: &str,
        times: &mut [u32; 4],
    ) -> Result<Done, Failure> {
        if let Some(d) = self.m2m_token(cache).await? {
            times[Step::M2mToken as usize] = micros(d);
        }
        let t = Instant::now();
        let (link_id, link_token) = self.create_link(cache, email).await?;
        times[Step::Create as usize] = micros(t.elapsed());
        let request = Request::fresh();
        let t = Instant::now();
        let code = self.open_link(&link_token, email, &request).await?;
        times[Step::Authorize as usize] = micros(t.elapsed());
        let t = Instant::now();
        let tokens = self.exchange(&code, &request.verifier).await?;
        times[Step::Exchange as usize] = micros(t.elapsed());
        Ok(Done {
            id_token: tokens.id_token,
            nonce: request.nonce,
            refresh_token: tokens.refresh_token,
            link_id,
        })
    }

    /// 2. The application asks for a link: the one-time token's id and plaintext.
    async fn create_link(
        &self,
        cache: &mut M2mToken,
        email: &str,
    ) -> Result<(String, String), Failure> {
        let step = Step::Create;
        let request = self
            .http
            .post(format!("{}/api/one-time-tokens", self.target.base_url))
            .bearer_auth(&cache.token)
            .json(&json!({ "email": email }));
        let Answer { status, body, .. } = answer(step, request).await?;
        if status == 401 {
            cache.refresh_at = None; // renewed on the next flow
        }
        if status != 201 {
            return Err(unexpected(step, status, &body));
        }
        let v = json_body(step, &body)?;
        let field = |name: &str| {
            non_empty(&v, name)
                .map(str::to_owned)
                .ok_or_else(|| fail(step, "body", format!("no {name} in {}", keys(&v))))
        };
        Ok((field("id")?, field("token")?))
    }

    /// 3. A fresh browser opens the link's sign-in request: a 303 back with a code.
    async fn open_link(
        &self,
        link_token: &str,
        email: &str,
        request: &Request,
    ) -> Result<String, Failure> {
        let step = Step::Authorize;
        let link = [("one_time_token", link_token), ("login_hint", email)];
        let get = self.http.get(self.authorize_url(request, &link));
        let Answer {
            status,
            location,
            body,
            ..
        } = answer(step, get).await?;
        if status != 303 {
            return Err(fail(step, status.as_u16().to_string(), short(&body)));
        }
        let location = location.ok_or_else(|| fail(step, "no-location", ""))?;
        self.callback_code(step, &location, &request.state)
    }

    /// The SPA's authorization request (PKCE S256, the target's scope) plus `extra` parameters.
    pub fn authorize_url(&self, request: &Request, extra: &[(&str, &str)]) -> String {
        let target = &self.target;
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &target.spa_id)
            .append_pair("redirect_uri", &target.redirect_uri)
            .append_pair("scope", &target.scope)
            .append_pair("state", &request.state)
            .append_pair("nonce", &request.nonce)
            .append_pair("code_challenge", &sha256_b64url(&request.verifier))
            .append_pair("code_challenge_method", "S256")
            .extend_pairs(extra)
            .finish();
        format!("{}/oidc/auth?{query}", target.base_url)
    }

    /// `POST /oidc/token` for the SPA (a public client) with `form`: the JSON of a 200.
    pub async fn spa_token(&self, step: Step, form: &[(&str, &str)]) -> Result<Value, Failure> {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .append_pair("client_id", &self.target.spa_id)
            .finish();
        let post = self
            .http
            .post(format!("{}/oidc/token", self.target.base_url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form);
        let Answer { status, body, .. } = answer(step, post).await?;
        if status != 200 {
            return Err(unexpected(step, status, &body));
        }
        let v = json_body(step, &body)?;
        if non_empty(&v, "access_token").is_none() {
            return Err(fail(
                step,
                "body",
                format!("no access_token in {}", keys(&v)),
            ));
        }
        Ok(v)
    }

    /// 4. The client exchanges the code for its tokens (a refresh token for `offline_access`).
    pub async fn exchange(&self, code: &str, verifier: &str) -> Result<Tokens, Failure> {
        let step = Step::Exchange;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.target.redirect_uri.as_str()),
            ("code_verifier", verifier),
        ];
        let v = self.spa_token(step, &form).await?;
        let id_token = v["id_token"].as_str().unwrap_or_default();
        if id_token.split('.').count() != 3 {
            return Err(fail(step, "body", format!("no id_token in {}", keys(&v))));
        }
        let refresh_token = v["refresh_token"].as_str().map(str::to_owned);
        if self.target.scope.contains("offline_access") && refresh_token.is_none() {
            return Err(fail(
                step,
                "body",
                format!("no refresh_token in {}", keys(&v)),
            ));
        }
        Ok(Tokens {
            id_token: id_token.to_owned(),
            refresh_token,
        })
    }

    /// The code of a redirect back to the client, with `state` and `iss` checked; a failure is
    /// `step`'s.
    pub fn callback_code(
        &self,
        step: Step,
        location: &str,
        state: &str,
    ) -> Result<String, Failure> {
        let Some(query) = location
            .strip_prefix(self.target.redirect_uri.as_str())
            .and_then(|rest| rest.strip_prefix('?'))
        else {
            // e.g. /interaction/... : the link did not complete the sign-in by itself
            let to = location.split('?').next().unwrap_or_default();
            let to = if to.starts_with("/interaction/") {
                "/interaction/…"
            } else {
                to
            };
            return Err(fail(step, format!("303 to {to}"), location.to_owned()));
        };
        let mut code = None;
        let (mut got_state, mut iss, mut error) = (None, None, None);
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match &*k {
                "code" => code = Some(v.into_owned()),
                "state" => got_state = Some(v.into_owned()),
                "iss" => iss = Some(v.into_owned()),
                "error" => error = Some(v.into_owned()),
                _ => {}
            }
        }
        if let Some(e) = error {
            return Err(fail(step, format!("303 error={e}"), location.to_owned()));
        }
        if got_state.as_deref() != Some(state) {
            return Err(fail(step, "bad-state", location.to_owned()));
        }
        if iss.as_deref() != Some(self.issuer.as_str()) {
            return Err(fail(step, "bad-iss", location.to_owned()));
        }
        code.filter(|c| !c.is_empty())
            .ok_or_else(|| fail(step, "no-code", location.to_owned()))
    }
}
