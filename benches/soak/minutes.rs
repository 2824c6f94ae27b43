//! The operations' outcomes, minute by minute of the measured run (by the minute each ended
//! in), with the warm-up apart.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::flow::Failure;
use crate::mix::{KINDS, Kind};
use crate::percentile::pct;

pub const MINUTE: Duration = Duration::from_secs(60);

/// One kind's operations in one minute.
#[derive(Default)]
pub struct Tally {
    /// Latency (µs) of each successful operation.
    pub latencies: Vec<u32>,
    /// Refreshes with no refresh token at hand (nothing sent).
    pub skipped: u64,
}

/// Everything that ended in one minute.
#[derive(Default)]
pub struct Minute {
    pub kinds: [Tally; 5],
    /// Failures by kind and `step status`, with a sample.
    pub errors: BTreeMap<(Kind, String), (u64, String)>,
}

impl Minute {
    pub fn ok(&self) -> usize {
        self.kinds.iter().map(|t| t.latencies.len()).sum()
    }

    pub fn failed(&self) -> u64 {
        self.errors.values().map(|(n, _)| n).sum()
    }

    /// The p99 of `kind` in ms (`None` when it ran no operation).
    pub fn p99(&mut self, kind: Kind) -> Option<f64> {
        let v = &mut self.kinds[kind as usize].latencies;
        v.sort_unstable();
        (!v.is_empty()).then(|| pct(v, 99.0))
    }

    pub fn json(&mut self) -> Value {
        let kinds: serde_json::Map<String, Value> = KINDS
            .iter()
            .map(|&k| {
                let p99 = self.p99(k);
                let t = &self.kinds[k as usize];
                let v = json!({
                    "ok": t.latencies.len(),
                    "skipped": t.skipped,
                    "p50_ms": pct(&t.latencies, 50.0),
                    "p99_ms": p99,
                });
                (k.name().to_owned(), v)
            })
            .collect();
        let errors: Vec<Value> = self
            .errors
            .iter()
            .map(|((kind, class), (n, sample))| {
                json!({"kind": kind.name(), "class": class, "count": n, "sample": sample})
            })
            .collect();
        json!({"ok": self.ok(), "failed": self.failed(), "kinds": kinds, "errors": errors})
    }
}

/// Where each operation's outcome goes.
pub struct Recorder {
    measure_from: Instant,
    pub warmup: Minute,
    pub minutes: Vec<Minute>,
}

/// What became of one operation.
pub enum Outcome {
    Done,
    /// Nothing to do (a refresh with no token at hand).
    Skipped,
}

impl Recorder {
    /// `minutes` buckets from `measure_from`; an operation ending after the last one counts in
    /// it.
    pub fn new(measure_from: Instant, minutes: usize) -> Self {
        Self {
            measure_from,
            warmup: Minute::default(),
            minutes: (0..minutes.max(1)).map(|_| Minute::default()).collect(),
        }
    }

    pub fn record(
        &mut self,
        kind: Kind,
        started: Instant,
        ended: Instant,
        result: Result<Outcome, Failure>,
    ) {
        let minute = match ended.checked_duration_since(self.measure_from) {
            None => &mut self.warmup,
            Some(d) => {
                let i = (d.as_secs() / MINUTE.as_secs()) as usize;
                let last = self.minutes.len() - 1;
                &mut self.minutes[i.min(last)]
            }
        };
        let tally = &mut minute.kinds[kind as usize];
        match result {
            Ok(Outcome::Done) => tally.latencies.push(crate::flow::micros(ended - started)),
            Ok(Outcome::Skipped) => tally.skipped += 1,
            Err(f) => {
                let class = format!("{} {}", f.step.name(), f.class);
                minute
                    .errors
                    .entry((kind, class))
                    .or_insert((0, f.detail))
                    .0 += 1;
            }
        }
    }
}
