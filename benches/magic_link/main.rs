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
//! `cargo bench` (no arguments): starts a Sesame of its own (the release binary, fresh SQLite
//! database, free loopback port), loads it for the default 2 s warm-up + 10 s and prints
//! flows/s and latencies; see `server.rs`. With `--m2m-id .. --m2m-secret .. --spa-id ..`
//! (or the `BENCH_*` variables) it loads the server at `--base-url` instead, which is how
//! `benches/magic_link.sh` runs it on SQLite and PostgreSQL (`harness = false`).
//! Exit status: 0 ran without failures, 1 some flows failed, 2 setup or pre-flight failed.

mod cli;
// Shared with the soak driver (benches/soak), which uses more of it than this one.
#[allow(dead_code)]
mod flow;
mod load;
mod percentile;
mod preflight;
mod report;
mod server;
mod workers;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;

use cli::parse_duration;
use flow::{Ctx, Target, http_client};
use load::{Clock, Stats, merge, worker};

#[derive(Parser, Debug, Clone)]
#[command(about = "Load driver for Sesame's magic-link flow")]
pub struct Args {
    /// Sesame's public URL (loopback only); ignored when the driver starts its own server.
    #[arg(long, default_value = "http://127.0.0.1:3900")]
    pub base_url: String,
    /// The m2m application (with Management API access). Without the three apps, the driver
    /// starts a Sesame of its own on SQLite and creates them there.
    #[arg(
        long,
        env = "BENCH_M2M_ID",
        default_value = "",
        hide_default_value = true
    )]
    m2m_id: String,
    #[arg(
        long,
        env = "BENCH_M2M_SECRET",
        default_value = "",
        hide_default_value = true,
        hide_env_values = true
    )]
    m2m_secret: String,
    /// The SPA (public client) whose ID tokens are checked to be ES256.
    #[arg(
        long,
        env = "BENCH_SPA_ID",
        default_value = "",
        hide_default_value = true
    )]
    pub spa_id: String,
    #[arg(long, default_value = "http://127.0.0.1:9999/callback")]
    pub redirect_uri: String,
    /// Concurrent flows (each worker runs one flow at a time).
    #[arg(short = 'c', long, default_value_t = 32)]
    pub concurrency: usize,
    /// Measured duration (e.g. 10s, 500ms, 1m).
    #[arg(short = 'd', long, default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Warm-up before measuring (0 = none).
    #[arg(short = 'w', long, default_value = "2s", value_parser = parse_duration)]
    pub warmup: Duration,
    /// OS threads of the driver, each with its own single-threaded runtime and HTTP client;
    /// 1 leaves the other core to the server.
    #[arg(short = 't', long, default_value_t = 1)]
    pub threads: usize,
    /// Addresses each worker cycles through: the first flow of each registers it, the
    /// following ones sign in an existing account.
    #[arg(long, default_value_t = 16)]
    pub emails_per_worker: usize,
    /// Percentage of flows that use a never-seen address (a registration).
    #[arg(long, default_value_t = 10.0)]
    pub new_email_percent: f64,
    /// Per-request timeout.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Tag in the addresses (default: random), so reruns against one database start fresh.
    #[arg(long)]
    pub email_tag: Option<String>,
    /// Write the results as JSON to this file too.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// A label for the report (e.g. the backend).
    #[arg(long, default_value = "")]
    pub label: String,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    pub bench: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let given = [&args.m2m_id, &args.m2m_secret, &args.spa_id]
        .iter()
        .filter(|s| !s.is_empty())
        .count();
    let (server, args) = match given {
        3 => (None, args),
        0 => match server::start() {
            Ok((server, apps)) => {
                let args = Args {
                    base_url: server.base_url.clone(),
                    m2m_id: apps.m2m_id,
                    m2m_secret: apps.m2m_secret,
                    spa_id: apps.spa_id,
                    ..args
                };
                (Some(server), args)
            }
            Err(e) => {
                server::stop();
                eprintln!("[magic_link] could not start a Sesame to load: {e}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("[magic_link] give all of --m2m-id, --m2m-secret, --spa-id, or none");
            return ExitCode::from(2);
        }
    };
    let code = run(args);
    drop(server);
    ExitCode::from(code)
}

/// Pre-flight, load, report; the exit status.
fn run(args: Args) -> u8 {
    let base = args.base_url.trim_end_matches('/').to_owned();
    if !cli::is_loopback(&base) {
        eprintln!("[magic_link] refusing a non-loopback base URL: {base}");
        return 2;
    }
    let args = Args {
        base_url: base,
        threads: args.threads.max(1),
        concurrency: args.concurrency.max(1),
        ..args
    };
    let tag = email_tag(&args);
    let issuer = match preflight(&args, &tag) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("[magic_link] PRE-FLIGHT FAILED, load not run: {e}");
            return 2;
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
    watchdog(&args);
    let (mut stats, run) = load(&args, &issuer, tag);
    let report = report::build(&args, &mut stats, &run);
    report::print(&args, &stats, &report);
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report).unwrap_or_default();
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("[magic_link] cannot write {}: {e}", path.display());
        }
    }
    let ok = stats.register.len() + stats.sign_in.len();
    if stats.failed > 0 || ok == 0 { 1 } else { 0 }
}

/// The tag in the addresses (default: random), so reruns against one database start fresh.
fn email_tag(args: &Args) -> Arc<str> {
    args.email_tag
        .clone()
        .unwrap_or_else(|| {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            format!("{:x}", t.as_millis() % 0xff_ffff_ffff)
        })
        .into()
}

fn make_ctx(args: &Args, issuer: &str) -> Arc<Ctx> {
    let target = Target {
        base_url: args.base_url.clone(),
        spa_id: args.spa_id.clone(),
        redirect_uri: args.redirect_uri.clone(),
        scope: "openid email".into(),
    };
    let http = http_client(args.concurrency, args.request_timeout);
    Arc::new(Ctx::new(
        target,
        http,
        issuer,
        &args.m2m_id,
        &args.m2m_secret,
    ))
}

/// Discovery, then the pre-flight flows, on a runtime of their own; the issuer.
fn preflight(args: &Args, tag: &str) -> Result<String, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    rt.block_on(async {
        let http = http_client(args.concurrency, args.request_timeout);
        let discovery = preflight::get_json(
            &http,
            &format!("{}/oidc/.well-known/openid-configuration", args.base_url),
        )
        .await?;
        let issuer = discovery["issuer"]
            .as_str()
            .ok_or("discovery has no issuer")?
            .to_owned();
        preflight::preflight(&make_ctx(args, &issuer), tag).await?;
        Ok(issuer)
    })
}

/// A hard bound on the run, whatever the server does.
fn watchdog(args: &Args) {
    let limit = args.warmup + args.duration + 4 * args.request_timeout + Duration::from_secs(10);
    cli::watchdog("magic_link", limit, server::stop);
}

/// The load: `threads` OS threads, each with its own single-threaded runtime and HTTP client,
/// sharing the workers round-robin.
fn load(args: &Args, issuer: &str, tag: Arc<str>) -> (Stats, report::Run) {
    let cpu_before = cli::cpu_secs("self");
    let start = Instant::now();
    let clock = Arc::new(Clock {
        measure_from: start + args.warmup,
        stop_at: start + args.warmup + args.duration,
    });
    let shared = Arc::new(args.clone());
    let threads = workers::spawn(args.threads, args.concurrency, |_| {
        let ctx = make_ctx(args, issuer);
        let (clock, tag, args) = (clock.clone(), tag.clone(), shared.clone());
        move |id| worker(ctx.clone(), args.clone(), id, tag.clone(), clock.clone())
    });
    let mut stats = Stats::default();
    for t in threads {
        for s in t.join().expect("driver thread") {
            merge(&mut stats, s);
        }
    }
    let driver_cpu_s = cli::cpu_secs("self")
        .zip(cpu_before)
        .map(|(a, b)| a - b)
        .unwrap_or(0.0);
    let driver_wall_s = start.elapsed().as_secs_f64();
    let window_s = stats
        .last_end
        .map_or(args.duration, |e| {
            e.saturating_duration_since(clock.measure_from)
        })
        .max(args.duration)
        .as_secs_f64();
    let run = report::Run {
        window_s,
        driver_cpu_s,
        driver_wall_s,
    };
    (stats, run)
}
