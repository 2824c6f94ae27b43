//! Load driver for the full magic-link flow, as an application and a fresh browser drive it:
//!
//! 1. (once per worker, cached until near expiry) a Management API token by client_credentials;
//! 2. `POST /api/one-time-tokens {"email"}` -> 201 with the plaintext `token`;
//! 3. `GET /oidc/auth?...&one_time_token=..&login_hint=..` with no cookies, no redirect
//!    following -> 303 to the client's redirect URI with `code`, `state`, `iss`;
//! 4. `POST /oidc/token` (authorization_code + PKCE, public client) -> 200 with an ID token
//!    and an access token.
//!
//! A flow counts only when every step answered as expected; failures are counted by step and
//! status, never as done flows. Emails come from a per-worker pool (the first flow of an
//! address registers it, later ones sign in) plus a share of never-seen addresses
//! (registrations); both kinds are reported.
//!
//! Before the load, one registration flow and one sign-in flow run alone and are checked
//! closely (ES256 ID token verified against the JWKS, `aud`, `iss`, `nonce`, same `sub` on
//! sign-in); the load is not run if they fail.
//!
//! Runs as `cargo bench --bench magic_link -- --m2m-id .. --m2m-secret .. --spa-id ..`
//! (`harness = false`); `benches/magic_link.sh` sets up the servers and runs it.
//! Exit status: 0 ran without failures, 1 some flows failed, 2 setup or pre-flight failed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clap::Parser;
use serde_json::{Value, json};
use sesame::crypto::{random_token, sha256_b64url};

#[derive(Parser, Debug, Clone)]
#[command(about = "Load driver for Sesame's magic-link flow")]
struct Args {
    /// Sesame's public URL (loopback only).
    #[arg(long, default_value = "http://127.0.0.1:3900")]
    base_url: String,
    /// The m2m application (with Management API access).
    #[arg(long, env = "BENCH_M2M_ID")]
    m2m_id: String,
    #[arg(long, env = "BENCH_M2M_SECRET")]
    m2m_secret: String,
    /// The SPA (public client) whose ID tokens are checked to be ES256.
    #[arg(long, env = "BENCH_SPA_ID")]
    spa_id: String,
    #[arg(long, default_value = "http://127.0.0.1:9999/callback")]
    redirect_uri: String,
    /// Concurrent flows (each worker runs one flow at a time).
    #[arg(short = 'c', long, default_value_t = 32)]
    concurrency: usize,
    /// Measured duration (e.g. 10s, 500ms, 1m).
    #[arg(short = 'd', long, default_value = "10s", value_parser = parse_duration)]
    duration: Duration,
    /// Warm-up before measuring (0 = none).
    #[arg(short = 'w', long, default_value = "2s", value_parser = parse_duration)]
    warmup: Duration,
    /// OS threads of the driver, each with its own single-threaded runtime and HTTP client;
    /// 1 leaves the other core to the server.
    #[arg(short = 't', long, default_value_t = 1)]
    threads: usize,
    /// Addresses each worker cycles through: the first flow of each registers it, the
    /// following ones sign in an existing account.
    #[arg(long, default_value_t = 16)]
    emails_per_worker: usize,
    /// Percentage of flows that use a never-seen address (a registration).
    #[arg(long, default_value_t = 10.0)]
    new_email_percent: f64,
    /// Per-request timeout.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    request_timeout: Duration,
    /// Tag in the addresses (default: random), so reruns against one database start fresh.
    #[arg(long)]
    email_tag: Option<String>,
    /// Write the results as JSON to this file too.
    #[arg(long)]
    json: Option<PathBuf>,
    /// A label for the report (e.g. the backend).
    #[arg(long, default_value = "")]
    label: String,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: f64 = num.parse().map_err(|_| format!("bad duration '{s}'"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("bad duration unit in '{s}' (ms, s, m)")),
    };
    Ok(Duration::from_secs_f64(secs))
}

// ------------------------------------------------------------------------------- the flow

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Step {
    M2mToken,
    Create,
    Authorize,
    Exchange,
}

const STEPS: [Step; 4] = [
    Step::M2mToken,
    Step::Create,
    Step::Authorize,
    Step::Exchange,
];

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::M2mToken => "m2m_token",
            Step::Create => "create",
            Step::Authorize => "authorize",
            Step::Exchange => "exchange",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Step::M2mToken => "1 m2m token (cached)",
            Step::Create => "2 POST /api/one-time-tokens",
            Step::Authorize => "3 GET /oidc/auth + token",
            Step::Exchange => "4 POST /oidc/token (code)",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Register,
    SignIn,
}

/// Why a flow failed: the step, a short class (HTTP status, `transport`, `body`), a detail.
#[derive(Debug)]
struct Failure {
    step: Step,
    class: String,
    detail: String,
}

fn fail(step: Step, class: impl Into<String>, detail: impl Into<String>) -> Failure {
    Failure {
        step,
        class: class.into(),
        detail: detail.into(),
    }
}

/// What a successful flow hands back (checked closely only in the pre-flight).
struct Done {
    id_token: String,
    nonce: String,
}

struct Ctx {
    args: Args,
    http: reqwest::Client,
    issuer: String,
    m2m_basic: String,
    cc_body: String,
}

#[derive(Default)]
struct M2mToken {
    token: String,
    refresh_at: Option<Instant>,
}

fn form_enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn short(body: &[u8]) -> String {
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

fn micros(d: Duration) -> u32 {
    d.as_micros().min(u32::MAX as u128) as u32
}

impl Ctx {
    async fn m2m_token(&self, cache: &mut M2mToken) -> Result<Option<Duration>, Failure> {
        if cache.refresh_at.is_some_and(|t| Instant::now() < t) {
            return Ok(None);
        }
        let step = Step::M2mToken;
        let started = Instant::now();
        let r = self
            .http
            .post(format!("{}/oidc/token", self.args.base_url))
            .header("Authorization", &self.m2m_basic)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(self.cc_body.clone())
            .send()
            .await
            .map_err(|e| fail(step, "transport", e.to_string()))?;
        let status = r.status();
        let body = r
            .bytes()
            .await
            .map_err(|e| fail(step, "transport", e.to_string()))?;
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
    async fn flow(
        &self,
        cache: &mut M2mToken,
        email: &str,
        times: &mut [u32; 4],
    ) -> Result<Done, Failure> {
        let args = &self.args;
        if let Some(d) = self.m2m_token(cache).await? {
            times[Step::M2mToken as usize] = micros(d);
        }

        // 2. the application asks for a link
        let step = Step::Create;
        let t = Instant::now();
        let r = self
            .http
            .post(format!("{}/api/one-time-tokens", args.base_url))
            .bearer_auth(&cache.token)
            .json(&json!({ "email": email }))
            .send()
            .await
            .map_err(|e| fail(step, "transport", e.to_string()))?;
        let status = r.status();
        let body = r
            .bytes()
            .await
            .map_err(|e| fail(step, "transport", e.to_string()))?;
        if status == 401 {
            cache.refresh_at = None; // renewed on the next flow
        }
        if status != 201 {
            return Err(fail(step, status_class(status, &body), short(&body)));
        }
        let v: Value =
            serde_json::from_slice(&body).map_err(|_| fail(step, "body", short(&body)))?;
        let link_token = v["token"]
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| fail(step, "body", format!("no token in {}", short(&body))))?
            .to_owned();
        times[step as usize] = micros(t.elapsed());

        // 3. a fresh browser opens the link's sign-in request
        let step = Step::Authorize;
        let state = random_token(16);
        let nonce = random_token(16);
        let verifier = random_token(32);
        let challenge = sha256_b64url(&verifier);
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &args.spa_id)
            .append_pair("redirect_uri", &args.redirect_uri)
            .append_pair("scope", "openid email")
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("one_time_token", &link_token)
            .append_pair("login_hint", email)
            .finish();
        let t = Instant::now();
        let r = self
            .http
            .get(format!("{}/oidc/auth?{query}", args.base_url))
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
        if status != 303 {
            return Err(fail(step, status.as_u16().to_string(), short(&body)));
        }
        let location = location.ok_or_else(|| fail(step, "no-location", ""))?;
        let code = self.callback_code(&location, &state)?;
        times[step as usize] = micros(t.elapsed());

        // 4. the client exchanges the code
        let step = Step::Exchange;
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("code", &code)
            .append_pair("redirect_uri", &args.redirect_uri)
            .append_pair("client_id", &args.spa_id)
            .append_pair("code_verifier", &verifier)
            .finish();
        let t = Instant::now();
        let r = self
            .http
            .post(format!("{}/oidc/token", args.base_url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|e| fail(step, "transport", e.to_string()))?;
        let status = r.status();
        let body = r
            .bytes()
            .await
            .map_err(|e| fail(step, "transport", e.to_string()))?;
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
        times[step as usize] = micros(t.elapsed());
        Ok(Done {
            id_token: id_token.to_owned(),
            nonce,
        })
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

// ------------------------------------------------------------------------------- workers

#[derive(Default)]
struct Stats {
    /// Whole-flow latency (µs) of the flows started in the measured window, by kind.
    register: Vec<u32>,
    sign_in: Vec<u32>,
    /// Per-step latency (µs), measured window, successful flows only.
    steps: [Vec<u32>; 4],
    failures: BTreeMap<(Step, String), (u64, String)>,
    failed: u64,
    warmup_ok: u64,
    warmup_failed: u64,
    /// When the last measured flow ended.
    last_end: Option<Instant>,
}

struct Clock {
    measure_from: Instant,
    stop_at: Instant,
}

async fn worker(ctx: Arc<Ctx>, id: usize, tag: Arc<str>, clock: Arc<Clock>) -> Stats {
    let mut stats = Stats::default();
    let mut cache = M2mToken::default();
    let pool = ctx.args.emails_per_worker.max(1);
    let mut used = vec![false; pool];
    let (mut n, mut fresh, mut share) = (0usize, 0usize, 0.0f64);
    loop {
        let started = Instant::now();
        if started >= clock.stop_at {
            break;
        }
        share += ctx.args.new_email_percent;
        let (email, kind) = if share >= 100.0 {
            share -= 100.0;
            fresh += 1;
            (
                format!("new{id}-{fresh}.{tag}@bench.example"),
                Kind::Register,
            )
        } else {
            let i = n % pool;
            n += 1;
            let kind = if used[i] {
                Kind::SignIn
            } else {
                Kind::Register
            };
            used[i] = true;
            (format!("user{id}-{i}.{tag}@bench.example"), kind)
        };
        let mut times = [0u32; 4];
        let result = ctx.flow(&mut cache, &email, &mut times).await;
        let ended = Instant::now();
        let measured = started >= clock.measure_from;
        match result {
            Ok(_) if measured => {
                let total = micros(ended - started);
                match kind {
                    Kind::Register => stats.register.push(total),
                    Kind::SignIn => stats.sign_in.push(total),
                }
                for s in STEPS {
                    if times[s as usize] > 0 {
                        stats.steps[s as usize].push(times[s as usize]);
                    }
                }
                stats.last_end = Some(ended);
            }
            Ok(_) => stats.warmup_ok += 1,
            Err(f) if measured => {
                stats.failed += 1;
                let e = stats
                    .failures
                    .entry((f.step, f.class))
                    .or_insert((0, f.detail));
                e.0 += 1;
                stats.last_end = Some(ended);
            }
            Err(f) => {
                stats.warmup_failed += 1;
                stats
                    .failures
                    .entry((f.step, format!("{} (warm-up)", f.class)))
                    .or_insert((0, f.detail))
                    .0 += 1;
            }
        }
    }
    stats
}

fn merge(into: &mut Stats, from: Stats) {
    into.register.extend(from.register);
    into.sign_in.extend(from.sign_in);
    for (a, b) in into.steps.iter_mut().zip(from.steps) {
        a.extend(b);
    }
    for (k, (n, detail)) in from.failures {
        into.failures.entry(k).or_insert((0, detail)).0 += n;
    }
    into.failed += from.failed;
    into.warmup_ok += from.warmup_ok;
    into.warmup_failed += from.warmup_failed;
    into.last_end = into.last_end.max(from.last_end);
}

fn http_client(args: &Args) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(args.concurrency.max(1))
        .tcp_nodelay(true)
        .timeout(args.request_timeout)
        .build()
        .expect("HTTP client")
}

// ------------------------------------------------------------------------------- pre-flight

fn jwt_part(jwt: &str, i: usize) -> Option<Value> {
    let part = jwt.split('.').nth(i)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// Verifies an ID token's signature against the JWKS and checks its claims.
fn verify_id_token(ctx: &Ctx, jwks: &Value, done: &Done) -> Result<Value, String> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header, jwk::JwkSet};
    let header = decode_header(&done.id_token).map_err(|e| format!("ID token header: {e}"))?;
    if header.alg != Algorithm::ES256 {
        return Err(format!("ID token alg is {:?}, want ES256", header.alg));
    }
    let set: JwkSet = serde_json::from_value(jwks.clone()).map_err(|e| format!("JWKS: {e}"))?;
    let kid = header.kid.ok_or("ID token has no kid")?;
    let jwk = set
        .find(&kid)
        .ok_or_else(|| format!("kid {kid} not in the JWKS"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("JWK: {e}"))?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[&ctx.args.spa_id]);
    validation.set_issuer(&[&ctx.issuer]);
    let claims = decode::<Value>(&done.id_token, &key, &validation)
        .map_err(|e| format!("ID token does not verify: {e}"))?
        .claims;
    if claims["nonce"].as_str() != Some(done.nonce.as_str()) {
        return Err(format!("nonce {} != {}", claims["nonce"], done.nonce));
    }
    Ok(claims)
}

async fn get_json(http: &reqwest::Client, url: &str) -> Result<Value, String> {
    let r = http
        .get(url)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let status = r.status();
    let body = r.bytes().await.map_err(|e| format!("{url}: {e}"))?;
    if status != 200 {
        return Err(format!("{url}: HTTP {status}: {}", short(&body)));
    }
    serde_json::from_slice(&body).map_err(|e| format!("{url}: {e}"))
}

/// One registration then one sign-in of the same address, alone, checked closely.
async fn preflight(ctx: &Ctx, tag: &str) -> Result<(), String> {
    let jwks = get_json(&ctx.http, &format!("{}/oidc/jwks", ctx.args.base_url)).await?;
    let email = format!("preflight.{tag}@bench.example");
    let mut cache = M2mToken::default();
    let mut subs = Vec::new();
    for what in ["registration", "sign-in"] {
        let mut times = [0u32; 4];
        let started = Instant::now();
        let done = ctx
            .flow(&mut cache, &email, &mut times)
            .await
            .map_err(|f| {
                format!(
                    "{what} flow failed at {}: {} {}",
                    f.step.name(),
                    f.class,
                    f.detail
                )
            })?;
        let claims = verify_id_token(ctx, &jwks, &done)?;
        let header = jwt_part(&done.id_token, 0).unwrap_or_default();
        eprintln!(
            "[magic_link] pre-flight {what}: OK in {:.1} ms; ID token {} kid={} verified, sub={} amr={} email={}",
            started.elapsed().as_secs_f64() * 1e3,
            header["alg"].as_str().unwrap_or("?"),
            header["kid"].as_str().unwrap_or("?"),
            claims["sub"],
            claims["amr"],
            claims["email"],
        );
        subs.push(claims["sub"].clone());
    }
    if subs[0] != subs[1] || subs[0].is_null() {
        return Err(format!(
            "the sign-in flow signed in another account ({} then {})",
            subs[0], subs[1]
        ));
    }
    Ok(())
}

// ------------------------------------------------------------------------------- report

fn pct(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

fn summary(v: &mut [u32]) -> Value {
    v.sort_unstable();
    let mean = if v.is_empty() {
        0.0
    } else {
        v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64 / 1000.0
    };
    json!({
        "n": v.len(),
        "mean_ms": mean,
        "p50_ms": pct(v, 50.0),
        "p90_ms": pct(v, 90.0),
        "p99_ms": pct(v, 99.0),
        "max_ms": v.last().map_or(0.0, |&x| x as f64 / 1000.0),
    })
}

/// This process's CPU time (user + system), from /proc (USER_HZ is 100 on Linux).
fn own_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn main() {
    let args = Args::parse();
    let base = args.base_url.trim_end_matches('/').to_owned();
    let host_ok = url::Url::parse(&base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .is_some_and(|h| h == "127.0.0.1" || h == "localhost" || h == "[::1]");
    if !host_ok {
        eprintln!("[magic_link] refusing a non-loopback base URL: {base}");
        std::process::exit(2);
    }
    let args = Args {
        base_url: base,
        threads: args.threads.max(1),
        concurrency: args.concurrency.max(1),
        ..args
    };
    let tag: Arc<str> = args
        .email_tag
        .clone()
        .unwrap_or_else(|| {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            format!("{:x}", t.as_millis() % 0xff_ffff_ffff)
        })
        .into();
    // The Basic credentials are form-urlencoded before base64 (RFC 6749 2.3.1).
    let m2m_basic = format!(
        "Basic {}",
        STANDARD.encode(format!(
            "{}:{}",
            form_enc(&args.m2m_id),
            form_enc(&args.m2m_secret)
        ))
    );
    let cc_body = format!(
        "grant_type=client_credentials&resource={}&scope=all",
        form_enc(&format!("{}/api", args.base_url))
    );
    let make_ctx = |issuer: String| {
        Arc::new(Ctx {
            http: http_client(&args),
            args: args.clone(),
            issuer,
            m2m_basic: m2m_basic.clone(),
            cc_body: cc_body.clone(),
        })
    };

    // Pre-flight, on a runtime of its own.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let issuer = rt.block_on(async {
        let http = http_client(&args);
        let discovery = get_json(
            &http,
            &format!("{}/oidc/.well-known/openid-configuration", args.base_url),
        )
        .await?;
        let issuer = discovery["issuer"]
            .as_str()
            .ok_or("discovery has no issuer")?
            .to_owned();
        let ctx = make_ctx(issuer.clone());
        preflight(&ctx, &tag).await?;
        Ok::<_, String>(issuer)
    });
    drop(rt);
    let issuer = match issuer {
        Ok(i) => i,
        Err(e) => {
            eprintln!("[magic_link] PRE-FLIGHT FAILED, load not run: {e}");
            std::process::exit(2);
        }
    };

    eprintln!(
        "[magic_link] {} c={} threads={} warm-up {:?} then {:?}; {} addresses per worker + {}% new ones",
        args.base_url,
        args.concurrency,
        args.threads,
        args.warmup,
        args.duration,
        args.emails_per_worker,
        args.new_email_percent
    );
    // A hard bound, whatever the server does.
    let hard_limit =
        args.warmup + args.duration + 4 * args.request_timeout + Duration::from_secs(10);
    std::thread::spawn(move || {
        std::thread::sleep(hard_limit);
        eprintln!("[magic_link] hard time limit reached; aborting");
        std::process::exit(2);
    });

    let cpu_before = own_cpu_secs();
    let start = Instant::now();
    let clock = Arc::new(Clock {
        measure_from: start + args.warmup,
        stop_at: start + args.warmup + args.duration,
    });
    let threads: Vec<_> = (0..args.threads)
        .map(|t| {
            let ctx = make_ctx(issuer.clone());
            let (clock, tag) = (clock.clone(), tag.clone());
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    let handles: Vec<_> = (t..ctx.args.concurrency)
                        .step_by(ctx.args.threads)
                        .map(|id| tokio::spawn(worker(ctx.clone(), id, tag.clone(), clock.clone())))
                        .collect();
                    let mut stats = Stats::default();
                    for h in handles {
                        merge(&mut stats, h.await.expect("worker"));
                    }
                    stats
                })
            })
        })
        .collect();
    let mut stats = Stats::default();
    for t in threads {
        merge(&mut stats, t.join().expect("driver thread"));
    }
    let cpu_secs = own_cpu_secs()
        .zip(cpu_before)
        .map(|(a, b)| a - b)
        .unwrap_or(0.0);
    let wall = start.elapsed().as_secs_f64();

    let ok = (stats.register.len() + stats.sign_in.len()) as u64;
    let window = stats
        .last_end
        .map_or(args.duration, |e| {
            e.saturating_duration_since(clock.measure_from)
        })
        .max(args.duration)
        .as_secs_f64();
    let mut all: Vec<u32> = stats
        .register
        .iter()
        .chain(stats.sign_in.iter())
        .copied()
        .collect();
    let flow = summary(&mut all);
    let flow_sum_ms = f(&flow["mean_ms"]) * ok as f64;
    let mut steps = serde_json::Map::new();
    for s in STEPS {
        let mut sv = summary(&mut stats.steps[s as usize]);
        let sum_ms = f(&sv["mean_ms"]) * f(&sv["n"]);
        sv["share_of_flow_time"] = json!(if flow_sum_ms > 0.0 {
            sum_ms / flow_sum_ms
        } else {
            0.0
        });
        steps.insert(s.name().to_owned(), sv);
    }
    let failures: Vec<Value> = stats
        .failures
        .iter()
        .map(|((step, class), (n, detail))| {
            json!({ "step": step.name(), "status": class, "count": n, "sample": detail })
        })
        .collect();
    let total_flows = ok + stats.failed + stats.warmup_ok + stats.warmup_failed;
    let report = json!({
        "label": args.label,
        "base_url": args.base_url,
        "concurrency": args.concurrency,
        "threads": args.threads,
        "warmup_s": args.warmup.as_secs_f64(),
        "duration_s": args.duration.as_secs_f64(),
        "window_s": window,
        "ok": ok,
        "failed": stats.failed,
        "flows_per_s": ok as f64 / window,
        "flow": flow,
        "register": summary(&mut stats.register),
        "sign_in": summary(&mut stats.sign_in),
        "steps": steps,
        "failures": failures,
        "warmup_ok": stats.warmup_ok,
        "warmup_failed": stats.warmup_failed,
        "all_flows_incl_warmup": total_flows,
        "driver_cpu_s": cpu_secs,
        "driver_wall_s": wall,
        "driver_cpu_ms_per_flow": if total_flows > 0 { cpu_secs * 1e3 / total_flows as f64 } else { 0.0 },
        "emails_per_worker": args.emails_per_worker,
        "new_email_percent": args.new_email_percent,
    });

    // The human-readable report.
    let r = &report;
    println!(
        "magic-link flow {}{}: c={} threads={} window {:.2} s (+{:.1} s warm-up)",
        args.base_url,
        if args.label.is_empty() {
            String::new()
        } else {
            format!(" [{}]", args.label)
        },
        args.concurrency,
        args.threads,
        window,
        args.warmup.as_secs_f64()
    );
    println!(
        "  flows     {} ok, {} FAILED -> {:.1} flows/s   (warm-up: {} ok, {} failed)",
        ok,
        stats.failed,
        f(&r["flows_per_s"]),
        stats.warmup_ok,
        stats.warmup_failed
    );
    let line = |name: &str, v: &Value| {
        println!(
            "  {name:<28} n={:<7} mean {:>7.2}  p50 {:>7.2}  p90 {:>7.2}  p99 {:>7.2}  max {:>8.2} ms{}",
            v["n"],
            f(&v["mean_ms"]),
            f(&v["p50_ms"]),
            f(&v["p90_ms"]),
            f(&v["p99_ms"]),
            f(&v["max_ms"]),
            v.get("share_of_flow_time")
                .map(|s| format!("  ({:.0}% of flow time)", f(s) * 100.0))
                .unwrap_or_default()
        )
    };
    line("whole flow", &r["flow"]);
    line("  sign-in (known address)", &r["sign_in"]);
    line("  registration (new address)", &r["register"]);
    for s in STEPS {
        line(s.label(), &r["steps"][s.name()]);
    }
    println!(
        "  driver CPU {:.2} s over {:.1} s wall ({:.3} ms per flow, warm-up included)",
        cpu_secs,
        wall,
        f(&r["driver_cpu_ms_per_flow"])
    );
    if stats.failures.is_empty() {
        println!("  failures: none");
    } else {
        println!("  FAILURES by step and status:");
        for ((step, class), (n, detail)) in &stats.failures {
            println!(
                "    {:<10} {:<40} x{n:<7} e.g. {detail}",
                step.name(),
                class
            );
        }
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report).expect("json");
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("[magic_link] cannot write {}: {e}", path.display());
        }
    }
    std::process::exit(if stats.failed > 0 || ok == 0 { 1 } else { 0 });
}
