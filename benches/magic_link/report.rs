//! The results: a JSON report (for `magic_link.sh` and `ab.sh`) and the same, for people.

use serde_json::{Value, json};

use crate::Args;
use crate::flow::STEPS;
use crate::load::Stats;
use crate::percentile::pct;

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

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}
/// What the run measured, besides the merged statistics.
pub struct Run {
    /// The measured window, from the end of the warm-up to the last measured flow.
    pub window_s: f64,
    pub driver_cpu_s: f64,
    pub driver_wall_s: f64,
}

pub fn build(args: &Args, stats: &mut Stats, run: &Run) -> Value {
    let ok = (stats.register.len() + stats.sign_in.len()) as u64;
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
    json!({
        "label": args.label,
        "base_url": args.base_url,
        "concurrency": args.concurrency,
        "threads": args.threads,
        "warmup_s": args.warmup.as_secs_f64(),
        "duration_s": args.duration.as_secs_f64(),
        "window_s": run.window_s,
        "ok": ok,
        "failed": stats.failed,
        "flows_per_s": ok as f64 / run.window_s,
        "flow": flow,
        "register": summary(&mut stats.register),
        "sign_in": summary(&mut stats.sign_in),
        "steps": steps,
        "failures": failures,
        "warmup_ok": stats.warmup_ok,
        "warmup_failed": stats.warmup_failed,
        "all_flows_incl_warmup": total_flows,
        "driver_cpu_s": run.driver_cpu_s,
        "driver_wall_s": run.driver_wall_s,
        "driver_cpu_ms_per_flow": if total_flows > 0 { run.driver_cpu_s * 1e3 / total_flows as f64 } else { 0.0 },
        "emails_per_worker": args.emails_per_worker,
        "new_email_percent": args.new_email_percent,
    })
}

/// The human-readable report, on stdout.
pub fn print(args: &Args, stats: &Stats, r: &Value) {
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
        f(&r["window_s"]),
        args.warmup.as_secs_f64()
    );
    println!(
        "  flows     {} ok, {} FAILED -> {:.1} flows/s   (warm-up: {} ok, {} failed)",
        r["ok"],
        stats.failed,
        f(&r["flows_per_s"]),
        stats.warmup_ok,
        stats.warmup_failed
    );
    line("whole flow", &r["flow"]);
    line("  sign-in (known address)", &r["sign_in"]);
    line("  registration (new address)", &r["register"]);
    for s in STEPS {
        line(s.label(), &r["steps"][s.name()]);
    }
    println!(
        "  driver CPU {:.2} s over {:.1} s wall ({:.3} ms per flow, warm-up included)",
        f(&r["driver_cpu_s"]),
        f(&r["driver_wall_s"]),
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
}

fn line(name: &str, v: &Value) {
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
    );
}
