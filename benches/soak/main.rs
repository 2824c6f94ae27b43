//! Soak driver: a mixed load, paced, against one or more Sesame instances sharing a database,
//! for minutes on end, watching what should not change over time.
//!
//! The mix (`--mix`, shares of the operations): magic-link sign-ins (one-time token, link
//! opened without cookies, code exchanged), password sign-ins through the hosted page (a
//! browser with a cookie jar: authorization request, page, form with its CSRF field, code),
//! refreshes of the refresh tokens those sign-ins gave (`offline_access`), client_credentials
//! tokens, and Management API reads (a page of users, the applications, a one-time token).
//! Each operation goes to the next instance in turn. Users are made before the run (password
//! users through the Management API, link users by their first link), so the run itself
//! creates none.
//!
//! Per minute of the measured run: operations done and failed, p99 per kind, each instance's
//! RSS and CPU (`--pid NAME=PID`, from /proc), and the rows of every table (`--database-url`,
//! PostgreSQL). The verdict (see `verdict.rs`): no errors, RSS growth under `--rss-bound`,
//! last minute's p99 within `--p99-bound` of the first's, every table level from the time the
//! clean-up keeps it so (`--steady-after`) within `--rows-bound`.
//!
//! Run by `benches/soak.sh`, which starts the instances; `cargo bench --bench soak -- --help`.
//! Exit status: 0 every criterion met, 1 one was not, 2 setup or pre-flight failed.

mod browser;
// Shared with the magic-link driver, which uses what this one does not, and the other way.
#[allow(dead_code)]
#[path = "../magic_link/cli.rs"]
mod cli;
#[allow(dead_code)]
#[path = "../magic_link/flow.rs"]
mod flow;
mod minutes;
mod mix;
#[path = "../magic_link/percentile.rs"]
mod percentile;
#[path = "../magic_link/preflight.rs"]
mod preflight;
mod prepare;
mod sample;
mod verdict;
mod worker;
#[path = "../magic_link/workers.rs"]
mod workers;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::json;

use cli::parse_duration;
use flow::{Ctx, Target, http_client};
use minutes::{MINUTE, Recorder};
use mix::Mix;
use sample::{Instance, Probe, Sample};
use verdict::Bounds;
use worker::Shared;

#[derive(Parser, Debug)]
#[command(about = "Soak driver: a paced mixed load on Sesame instances sharing one database")]
struct Args {
    /// An instance's address (loopback only); repeat for each instance. They must share the
    /// database and the public URL.
    #[arg(short = 'u', long = "base-url", required = true)]
    base_urls: Vec<String>,
    /// The m2m application (with Management API access).
    #[arg(long, env = "BENCH_M2M_ID")]
    m2m_id: String,
    #[arg(long, env = "BENCH_M2M_SECRET", hide_env_values = true)]
    m2m_secret: String,
    /// The SPA (public client) of the sign-ins.
    #[arg(long, env = "BENCH_SPA_ID")]
    spa_id: String,
    #[arg(long, default_value = "http://127.0.0.1:9999/callback")]
    redirect_uri: String,
    /// Operations in flight at most (each worker runs one at a time).
    #[arg(short = 'c', long, default_value_t = 16)]
    concurrency: usize,
    /// Operations started per second, all workers together.
    #[arg(short = 'r', long, default_value_t = 100.0)]
    rate: f64,
    /// Measured duration (e.g. 10m, 90s).
    #[arg(short = 'd', long, default_value = "10m", value_parser = parse_duration)]
    duration: Duration,
    /// Load before the measured run (its errors count all the same).
    #[arg(short = 'w', long, default_value = "1m", value_parser = parse_duration)]
    warmup: Duration,
    /// OS threads of the driver, each with its own single-threaded runtime.
    #[arg(short = 't', long, default_value_t = 1)]
    threads: usize,
    /// Shares of the operations, KIND=WEIGHT (magic_link, password, refresh,
    /// client_credentials, api_read).
    #[arg(
        long,
        default_value = "magic_link=30,password=4,refresh=30,client_credentials=16,api_read=20"
    )]
    mix: Mix,
    /// Addresses signed in by magic link.
    #[arg(long, default_value_t = 64)]
    link_users: usize,
    /// Users signed in with a password.
    #[arg(long, default_value_t = 32)]
    password_users: usize,
    /// Refreshes of a refresh token family before its client stops using it.
    #[arg(long, default_value_t = 5)]
    family_refreshes: u32,
    /// An instance to watch, NAME=PID (RSS and CPU from /proc); repeatable.
    #[arg(long = "pid")]
    pids: Vec<Instance>,
    /// The shared PostgreSQL database, for the rows per table.
    #[arg(long, env = "SOAK_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Load (warm-up included) after which the clean-up keeps the tables level.
    #[arg(long, default_value = "7m", value_parser = parse_duration)]
    steady_after: Duration,
    /// Tables kept for days by a retention setting (judged on steady growth).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "one_time_tokens,audit_log"
    )]
    retained: Vec<String>,
    /// Largest RSS growth, start to end, in percent.
    #[arg(long, default_value_t = 10.0)]
    rss_bound: f64,
    /// Largest rise of the last minute's p99 over the first's, in percent.
    #[arg(long, default_value_t = 20.0)]
    p99_bound: f64,
    /// Largest change of a table once level, in percent.
    #[arg(long, default_value_t = 15.0)]
    rows_bound: f64,
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    request_timeout: Duration,
    /// Tag in the addresses (default: random), so reruns against one database start fresh.
    #[arg(long)]
    email_tag: Option<String>,
    /// Write the results as JSON to this file too.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() -> ExitCode {
    let mut args = Args::parse();
    args.base_urls = args
        .base_urls
        .iter()
        .map(|u| u.trim_end_matches('/').to_owned())
        .collect();
    if let Some(bad) = args.base_urls.iter().find(|u| !cli::is_loopback(u)) {
        eprintln!("[soak] refusing a non-loopback base URL: {bad}");
        return ExitCode::from(2);
    }
    if args.rate <= 0.0 || args.concurrency == 0 {
        eprintln!("[soak] --rate and --concurrency must be positive");
        return ExitCode::from(2);
    }
    let probe = match Probe::new(args.pids.clone(), args.database_url.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("[soak] {e}");
            return ExitCode::from(2);
        }
    };
    let password = sesame::crypto::random_token(16);
    let tag = args.email_tag.clone().unwrap_or_else(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        format!("{:x}", t.as_millis() % 0xff_ffff_ffff)
    });
    let shared = match setup(&args, &tag, &password) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("[soak] PRE-FLIGHT FAILED, load not run: {e}");
            return ExitCode::from(2);
        }
    };
    watchdog(&args);
    let samples = load(&args, &shared, probe);
    let names: Vec<String> = args.pids.iter().map(|i| i.name.clone()).collect();
    let bounds = Bounds {
        rss_percent: args.rss_bound,
        p99_percent: args.p99_bound,
        rows_percent: args.rows_bound,
        steady_after_s: args.steady_after.as_secs_f64(),
        warmup_s: args.warmup.as_secs_f64(),
        retained: args.retained.clone(),
    };
    let mut recorder = shared.recorder.lock().unwrap_or_else(|p| p.into_inner());
    let recorder = &mut *recorder;
    let judged = verdict::judge(
        &names,
        &recorder.warmup,
        &mut recorder.minutes,
        &samples,
        &bounds,
    );
    println!(
        "soak: {} instance(s), {:.0} operations/s, {} in flight at most, {:?} after a {:?} warm-up; {}",
        args.base_urls.len(),
        args.rate,
        args.concurrency,
        args.duration,
        args.warmup,
        verdict::shares(&args.mix)
    );
    println!();
    print!("{}", judged.markdown);
    if let Some(path) = &args.json {
        let report = json!({
            "instances": args.base_urls,
            "rate": args.rate,
            "concurrency": args.concurrency,
            "duration_s": args.duration.as_secs_f64(),
            "warmup_s": args.warmup.as_secs_f64(),
            "warmup": recorder.warmup.json(),
            "minutes": recorder.minutes.iter_mut().map(|m| m.json()).collect::<Vec<_>>(),
            "samples": samples.iter().map(Sample::json).collect::<Vec<_>>(),
            "verdict": judged.json,
        });
        let text = serde_json::to_string_pretty(&report).unwrap_or_default();
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("[soak] cannot write {}: {e}", path.display());
        }
    }
    ExitCode::from(if judged.pass { 0 } else { 1 })
}

/// Discovery (the same issuer everywhere), the pre-flight, the users; what the workers share.
fn setup(args: &Args, tag: &str, password: &str) -> Result<Shared, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let http = http_client(args.concurrency, args.request_timeout);
    let ctxs = rt.block_on(async {
        let mut issuer = None;
        for base in &args.base_urls {
            let url = format!("{base}/oidc/.well-known/openid-configuration");
            let found = preflight::get_json(&http, &url).await?["issuer"]
                .as_str()
                .map(str::to_owned)
                .ok_or("discovery has no issuer")?;
            if issuer.get_or_insert_with(|| found.clone()) != &found {
                return Err(format!(
                    "{base} has another issuer ({found}): share the public URL"
                ));
            }
        }
        let issuer = issuer.ok_or("no instance")?;
        let ctxs: Vec<Ctx> = args
            .base_urls
            .iter()
            .map(|base| {
                let target = Target {
                    base_url: base.clone(),
                    spa_id: args.spa_id.clone(),
                    redirect_uri: args.redirect_uri.clone(),
                    scope: "openid email offline_access".into(),
                };
                Ctx::new(
                    target,
                    http.clone(),
                    &issuer,
                    &args.m2m_id,
                    &args.m2m_secret,
                )
            })
            .collect();
        for (i, ctx) in ctxs.iter().enumerate() {
            preflight::preflight(ctx, &format!("{tag}.{i}")).await?;
        }
        Ok::<_, String>(ctxs)
    })?;
    let users = rt.block_on(prepare::prepare(
        &ctxs,
        tag,
        args.link_users.max(1),
        args.password_users.max(1),
        password,
    ))?;
    let measure_from = Instant::now() + args.warmup;
    let minutes = args.duration.as_secs().div_ceil(MINUTE.as_secs()) as usize;
    Ok(Shared {
        ctxs,
        mix: args.mix,
        link_users: users.link,
        password_users: users.password,
        password: password.to_owned(),
        family_refreshes: args.family_refreshes.max(1),
        pace: Duration::from_secs_f64(args.concurrency as f64 / args.rate),
        concurrency: args.concurrency,
        stop_at: measure_from + args.duration,
        recorder: Mutex::new(Recorder::new(measure_from, minutes)),
    })
}

/// A hard bound on the run, whatever the servers do (they are the script's to stop).
fn watchdog(args: &Args) {
    let limit = args.warmup + args.duration + 4 * args.request_timeout + Duration::from_secs(60);
    cli::watchdog("soak", limit, || {});
}

/// The workers on their threads, and a look at the instances and the database at the start
/// of the measured run and at the end of each minute; the looks.
fn load(args: &Args, shared: &Arc<Shared>, mut probe: Probe) -> Vec<Sample> {
    let threads = workers::spawn(args.threads, shared.concurrency, |_| {
        let shared = shared.clone();
        move |id| worker::run(shared.clone(), id)
    });
    let measure_from = shared.stop_at - args.duration;
    eprintln!(
        "[soak] {} instance(s), {:.0} operations/s: warm-up {:?}, then {:?}",
        args.base_urls.len(),
        args.rate,
        args.warmup,
        args.duration
    );
    let mut samples = Vec::new();
    let mut at = measure_from;
    loop {
        std::thread::sleep(at.saturating_duration_since(Instant::now()));
        let at_s = at.saturating_duration_since(measure_from).as_secs_f64();
        match probe.sample(at_s) {
            Ok(s) => samples.push(s),
            Err(e) => {
                eprintln!("[soak] sampling failed: {e}");
                samples.push(Sample {
                    at_s,
                    rss_kib: vec![None; probe.instances.len()],
                    cpu_s: vec![None; probe.instances.len()],
                    ..Sample::default()
                });
            }
        }
        progress(shared, &samples);
        if at >= shared.stop_at {
            break;
        }
        at = (at + MINUTE).min(shared.stop_at);
    }
    for t in threads {
        let _ = t.join();
    }
    samples
}

/// One line per minute on stderr, so a long run shows how it goes.
fn progress(shared: &Shared, samples: &[Sample]) {
    let k = samples.len() - 1;
    let last = &samples[k];
    let rss: Vec<String> = last
        .rss_kib
        .iter()
        .map(|r| r.map_or("-".into(), |r| format!("{:.0}", r as f64 / 1024.0)))
        .collect();
    let rows: i64 = last.rows.values().sum();
    if k == 0 {
        eprintln!("[soak] start: RSS {} MiB, {rows} rows", rss.join(" / "));
        return;
    }
    let recorder = shared.recorder.lock().unwrap_or_else(|p| p.into_inner());
    let minute = &recorder.minutes[(k - 1).min(recorder.minutes.len() - 1)];
    eprintln!(
        "[soak] minute {k}: {} ok, {} failed; RSS {} MiB; {rows} rows",
        minute.ok(),
        minute.failed(),
        rss.join(" / ")
    );
}
