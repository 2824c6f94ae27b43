//! One magic-link flow over HTTP, step by step, and why it failed when it did.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sesame::crypto::{random_token, sha256_b64url};

use crate::Args;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Step {
    M2mToken,
    Create,
    Authorize,
    Exchange,
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
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Step::M2mToken => "1 m2m token (cached)",
            Step::Create => "2 POST /api/one-time-tokens",
            Step::Authorize => "3 GET /oidc/auth + token",
            Step::Exchange => "4 POST /oidc/token (code)",
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

fn fail(step: Step, class: impl Into<String>, detail: impl Into<String>) -> Failure {
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
}

pub struct Ctx {
    pub args: Args,
    pub http: reqwest::Client,
    pub issuer: String,
    pub m2m_basic: String,
    pub cc_body: String,
}

#[derive(Default)]
pub struct M2mToken {
    token: String,
    refresh_at: Option<Instant>,
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

pub fn micros(d: Duration) -> u32 {
    d.as_micros().min(u32::MAX as u128) as u32
}

/// A response read whole: status, `Location`, body.
struct Answer {
    status: reqwest::StatusCode,
    location: Option<String>,
    body: Vec<u8>,
}

async fn answer(step: Step, request: reqwest::RequestBuilder) -> Result<Answer, Failure> {
    let r = request
        .send()
        .await
        .map_err(|e| fail(step, "transport", e.to_string()))?;
    let status = r.status();
    let location = r
        .headers()
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
        body: body.into(),
    })
}

/// What the browser sends with the link and must find again in the callback.
struct Request {
    state: String,
    nonce: String,
    verifier: String,
}

impl Ctx {
    pub async fn m2m_token(&self, cache: &mut M2mToken) -> Result<Option<Duration>, Failure> {
        if cache.refresh_at.is_some_and(|t| Instant::now() < t) {
            return Ok(None);
        }
        let step = Step::M2mToken;
        let started = Instant::now();
        let request = self
            .http
            .post(format!("{}/oidc/token", self.args.base_url))
            .header("Authorization", &self.m2m_basic)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(self.cc_body.clone());
        let Answer { status, body, .. } = answer(step, request).await?;
        if status != 200 {
            return Err(fail(step, status_class(status, &body), short(&body)));
        }
        let v: Value =
            serde_json::from_slice(&body).map_err(|_| fail(step, "body", short(&body)))?;
        let token = v["access_token"]
            .as_str()
            .ok_or_else(|| fail(step, "body", short(&body)))?;
        let ttl = v["expires_in"].as_u64().unwrap_or(300);
        cache.token = token.to_owned();
        // Renewed a minute before it expires (or at half-life for short ones).
        let margin = 60.min(ttl / 2);
        cache.refresh_at = Some(started + Duration::from_secs(ttl - margin));
        Ok(Some(started.elapsed()))
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
        let link_token = self.create_link(cache, email).await?;
        times[Step::Create as usize] = micros(t.elapsed());
        let request = Request {
            state: random_token(16),
            nonce: random_token(16),
            verifier: random_token(32),
        };
        let t = Instant::now();
        let code = self.open_link(&link_token, email, &request).await?;
        times[Step::Authorize as usize] = micros(t.elapsed());
        let t = Instant::now();
        let id_token = self.exchange(&code, &request.verifier).await?;
        times[Step::Exchange as usize] = micros(t.elapsed());
        Ok(Done {
            id_token,
            nonce: request.nonce,
        })
    }

    /// 2. The application asks for a link: the one-time token.
    async fn create_link(&self, cache: &mut M2mToken, email: &str) -> Result<String, Failure> {
        let step = Step::Create;
        let request = self
            .http
            .post(format!("{}/api/one-time-tokens", self.args.base_url))
            .bearer_auth(&cache.token)
            .json(&json!({ "email": email }));
        let Answer { status, body, .. } = answer(step, request).await?;
        if status == 401 {
            cache.refresh_at = None; // renewed on the next flow
        }
        if status != 201 {
            return Err(fail(step, status_class(status, &body), short(&body)));
        }
        let v: Value =
            serde_json::from_slice(&body).map_err(|_| fail(step, "body", short(&body)))?;
        Ok(v["token"]
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| fail(step, "body", format!("no token in {}", short(&body))))?
            .to_owned())
    }

    /// 3. A fresh browser opens the link's sign-in request: a 303 back with a code.
    async fn open_link(
        &self,
        link_token: &str,
        email: &str,
        request: &Request,
    ) -> Result<String, Failure> {
        let step = Step::Authorize;
        let args = &self.args;
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &args.spa_id)
            .append_pair("redirect_uri", &args.redirect_uri)
            .append_pair("scope", "openid email")
            .append_pair("state", &request.state)
            .append_pair("nonce", &request.nonce)
            .append_pair("code_challenge", &sha256_b64url(&request.verifier))
            .append_pair("code_challenge_method", "S256")
            .append_pair("one_time_token", link_token)
            .append_pair("login_hint", email)
            .finish();
        let get = self
            .http
            .get(format!("{}/oidc/auth?{query}", args.base_url));
        let Answer {
            status,
            location,
            body,
        } = answer(step, get).await?;
        if status != 303 {
            return Err(fail(step, status.as_u16().to_string(), short(&body)));
        }
        let location = location.ok_or_else(|| fail(step, "no-location", ""))?;
        self.callback_code(&location, &request.state)
    }

    /// 4. The client exchanges the code: an ID token and an access token.
    async fn exchange(&self, code: &str, verifier: &str) -> Result<String, Failure> {
        let step = Step::Exchange;
        let args = &self.args;
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("code", code)
            .append_pair("redirect_uri", &args.redirect_uri)
            .append_pair("client_id", &args.spa_id)
            .append_pair("code_verifier", verifier)
            .finish();
        let post = self
            .http
            .post(format!("{}/oidc/token", args.base_url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form);
        let Answer { status, body, .. } = answer(step, post).await?;
        if status != 200 {
            return Err(fail(step, status_class(status, &body), short(&body)));
        }
        let v: Value =
            serde_json::from_slice(&body).map_err(|_| fail(step, "body", short(&body)))?;
        let id_token = v["id_token"].as_str().unwrap_or_default();
        let has_access = v["access_token"].as_str().is_some_and(|s| !s.is_empty());
        if id_token.split('.').count() != 3 || !has_access {
            return Err(fail(
                step,
                "body",
                format!("no id_token/access_token in {}", short(&body)),
            ));
        }
        Ok(id_token.to_owned())
    }

    /// The code of a redirect back to the client, with `state` and `iss` checked.
    fn callback_code(&self, location: &str, state: &str) -> Result<String, Failure> {
        let step = Step::Authorize;
        let Some(query) = location
            .strip_prefix(self.args.redirect_uri.as_str())
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
