//! The workers: each runs one flow at a time until the clock says stop, and keeps its own
//! statistics; they are merged at the end.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use crate::Args;
use crate::flow::{Ctx, Kind, M2mToken, STEPS, Step, micros};

#[derive(Default)]
pub struct Stats {
    /// Whole-flow latency (µs) of the flows started in the measured window, by kind.
    pub register: Vec<u32>,
    pub sign_in: Vec<u32>,
    /// Per-step latency (µs), measured window, successful flows only.
    pub steps: [Vec<u32>; 4],
    pub failures: BTreeMap<(Step, String), (u64, String)>,
    pub failed: u64,
    pub warmup_ok: u64,
    pub warmup_failed: u64,
    /// When the last measured flow ended.
    pub last_end: Option<Instant>,
}

pub struct Clock {
    pub measure_from: Instant,
    pub stop_at: Instant,
}

pub async fn worker(
    ctx: Arc<Ctx>,
    args: Arc<Args>,
    id: usize,
    tag: Arc<str>,
    clock: Arc<Clock>,
) -> Stats {
    let mut stats = Stats::default();
    let mut cache = M2mToken::default();
    let pool = args.emails_per_worker.max(1);
    let mut used = vec![false; pool];
    let (mut n, mut fresh, mut share) = (0usize, 0usize, 0.0f64);
    loop {
        let started = Instant::now();
        if started >= clock.stop_at {
            break;
        }
        share += args.new_email_percent;
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

pub fn merge(into: &mut Stats, from: Stats) {
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
