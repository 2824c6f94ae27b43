//! The soak's criteria, judged on what was recorded, and the report in Markdown: no errors,
//! memory that does not grow, latency that does not drift, tables that stay the same size.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::minutes::Minute;
use crate::mix::{KINDS, Kind};
use crate::sample::Sample;

/// Rows a table may move by whatever its size: the small tables (rate-limit counters, a few
/// users signing in) change by a handful as requests come and go.
const ROW_SLACK: i64 = 20;

/// The bounds, and what the run was.
pub struct Bounds {
    /// Largest RSS growth, start to end, in percent.
    pub rss_percent: f64,
    /// Largest rise of the last minute's p99 over the first minute's, in percent.
    pub p99_percent: f64,
    /// Largest change of a table from its first steady sample to the last, in percent.
    pub rows_percent: f64,
    /// Seconds of load (warm-up included) after which the clean-up keeps the tables level.
    pub steady_after_s: f64,
    pub warmup_s: f64,
    /// Tables whose rows are kept for days by a retention setting: they grow with the load,
    /// and are judged on growing at a steady rate instead.
    pub retained: Vec<String>,
}

pub struct Judged {
    pub markdown: String,
    pub json: Value,
    pub pass: bool,
}

struct Check {
    what: String,
    measured: String,
    bound: String,
    /// `None`: not judged (the run was too short for it).
    pass: Option<bool>,
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("-".into(), |k| format!("{:.1}", k as f64 / 1024.0))
}

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.2}"))
}

fn table(out: &mut String, head: &[String], rows: &[Vec<String>]) {
    let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
    out.push_str(&line(head));
    out.push_str(&line(&vec!["---".to_owned(); head.len()]));
    for r in rows {
        out.push_str(&line(r));
    }
}

/// Judges the run: `samples[0]` is the start of the measured run (after the warm-up),
/// `samples[k]` the end of minute `k`.
pub fn judge(
    names: &[String],
    warmup: &Minute,
    minutes: &mut [Minute],
    samples: &[Sample],
    bounds: &Bounds,
) -> Judged {
    let mut out = String::new();
    let mut checks = Vec::new();
    per_minute(&mut out, names, minutes, samples);

    let failed: u64 = warmup.failed() + minutes.iter().map(Minute::failed).sum::<u64>();
    let ok: usize = minutes.iter().map(Minute::ok).sum();
    checks.push(Check {
        what: "errors (warm-up included)".into(),
        measured: format!("{failed} of {} operations", ok as u64 + failed),
        bound: "0".into(),
        pass: Some(failed == 0 && ok > 0),
    });
    if failed > 0 {
        let _ = writeln!(out, "\nErrors:\n");
        for m in std::iter::once(warmup).chain(minutes.iter()) {
            for ((kind, class), (n, sample)) in &m.errors {
                let _ = writeln!(out, "- {} `{class}` x{n}, e.g. `{sample}`", kind.name());
            }
        }
    }
    let (first, last) = (samples.first(), samples.last());
    for (i, name) in names.iter().enumerate() {
        let start = first.and_then(|s| s.rss_kib[i]);
        let end = last.and_then(|s| s.rss_kib[i]);
        let growth = start
            .zip(end)
            .map(|(a, b)| 100.0 * (b as f64 / a as f64 - 1.0));
        checks.push(Check {
            what: format!("RSS of {name}, start to end"),
            measured: format!(
                "{} -> {} MiB ({})",
                mib(start),
                mib(end),
                growth.map_or("gone".into(), |g| format!("{g:+.1}%"))
            ),
            bound: format!("< +{}%", bounds.rss_percent),
            pass: Some(growth.is_some_and(|g| g < bounds.rss_percent)),
        });
    }
    let n = minutes.len();
    for kind in KINDS {
        let (a, b) = (minutes[0].p99(kind), minutes[n - 1].p99(kind));
        let Some((a, b)) = a.zip(b) else { continue };
        let change = 100.0 * (b / a - 1.0);
        checks.push(Check {
            what: format!("p99 {}, minute {n} vs minute 1", kind.name()),
            measured: format!("{a:.2} -> {b:.2} ms ({change:+.1}%)"),
            bound: format!("<= +{}%", bounds.p99_percent),
            pass: (n >= 2).then_some(change <= bounds.p99_percent),
        });
    }
    rows(&mut out, samples, bounds, &mut checks);

    let pass = checks.iter().all(|c| c.pass != Some(false));
    let _ = writeln!(out, "\nVerdict:\n");
    let body: Vec<Vec<String>> = checks
        .iter()
        .map(|c| {
            let result = match c.pass {
                Some(true) => "pass",
                Some(false) => "**FAIL**",
                None => "not judged",
            };
            vec![
                c.what.clone(),
                c.measured.clone(),
                c.bound.clone(),
                result.into(),
            ]
        })
        .collect();
    let head = ["criterion", "measured", "bound", "result"].map(String::from);
    table(&mut out, &head, &body);
    let _ = writeln!(out, "\n**{}**", if pass { "PASS" } else { "FAIL" });
    let json = json!({
        "pass": pass,
        "checks": checks.iter().map(|c| json!({
            "criterion": c.what, "measured": c.measured, "bound": c.bound, "pass": c.pass,
        })).collect::<Vec<_>>(),
    });
    Judged {
        markdown: out,
        json,
        pass,
    }
}

/// Operations, p99 per kind, memory and CPU of each instance, minute by minute.
fn per_minute(out: &mut String, names: &[String], minutes: &mut [Minute], samples: &[Sample]) {
    let mut head: Vec<String> = vec!["minute".into(), "ok".into(), "errors".into()];
    head.extend(KINDS.iter().map(|k| format!("{} p99 ms", k.short())));
    head.extend(names.iter().map(|n| format!("RSS {n} MiB")));
    head.extend(names.iter().map(|n| format!("CPU {n}")));
    let mut body = Vec::new();
    if let Some(s) = samples.first() {
        let mut row = vec!["start".to_owned(), String::new(), String::new()];
        row.extend(KINDS.iter().map(|_| String::new()));
        row.extend(s.rss_kib.iter().map(|&r| mib(r)));
        row.extend(names.iter().map(|_| String::new()));
        body.push(row);
    }
    for (i, m) in minutes.iter_mut().enumerate() {
        let mut row = vec![
            (i + 1).to_string(),
            m.ok().to_string(),
            m.failed().to_string(),
        ];
        row.extend(KINDS.iter().map(|&k| ms(m.p99(k))));
        let (before, after) = (samples.get(i), samples.get(i + 1));
        row.extend((0..names.len()).map(|j| mib(after.and_then(|s| s.rss_kib[j]))));
        row.extend((0..names.len()).map(|j| {
            let cpu = |s: Option<&Sample>| s.and_then(|s| s.cpu_s[j]);
            match (cpu(before), cpu(after), before.zip(after)) {
                (Some(a), Some(b), Some((sa, sb))) if sb.at_s > sa.at_s => {
                    format!("{:.0}%", 100.0 * (b - a) / (sb.at_s - sa.at_s))
                }
                _ => "-".into(),
            }
        }));
        body.push(row);
    }
    table(out, &head, &body);
}

/// Rows per table at each sample, and whether each table stayed level (or, kept by
/// retention, grew at a steady rate).
fn rows(out: &mut String, samples: &[Sample], bounds: &Bounds, checks: &mut Vec<Check>) {
    let Some(last) = samples.last() else { return };
    if last.rows.is_empty() {
        return;
    }
    let steady = samples
        .iter()
        .position(|s| bounds.warmup_s + s.at_s + 0.5 >= bounds.steady_after_s)
        .filter(|&k| k + 1 < samples.len());
    let _ = writeln!(
        out,
        "\nRows per table (at the start, then at the end of each minute; level from {}):\n",
        steady.map_or("never in this run".into(), |k| format!("sample {k}"))
    );
    let mut head = vec!["table".to_owned(), "start".to_owned()];
    head.extend((1..samples.len()).map(|k| k.to_string()));
    let mut body = Vec::new();
    let mut empty = Vec::new();
    for (table_name, &end) in &last.rows {
        let counts: Vec<i64> = samples
            .iter()
            .map(|s| s.rows.get(table_name).copied().unwrap_or(0))
            .collect();
        if counts.iter().all(|&c| c == 0) {
            empty.push(table_name.as_str());
            continue;
        }
        body.push(
            std::iter::once(table_name.clone())
                .chain(counts.iter().map(i64::to_string))
                .collect(),
        );
        let retained = bounds.retained.iter().any(|r| r == table_name);
        checks.push(if retained {
            steady_growth(table_name, samples, &counts, bounds)
        } else {
            level(table_name, steady, &counts, end, bounds)
        });
    }
    table(out, &head, &body);
    if !empty.is_empty() {
        let _ = writeln!(out, "\nEmpty throughout: {}.", empty.join(", "));
    }
}

/// A table the clean-up keeps level: its last count within the bound of its first steady one.
fn level(name: &str, steady: Option<usize>, counts: &[i64], end: i64, bounds: &Bounds) -> Check {
    let Some(k) = steady else {
        return Check {
            what: format!("rows {name} level"),
            measured: format!("{} -> {end}", counts[0]),
            bound: format!(
                "run longer than {:.0} s of load",
                bounds.steady_after_s + 60.0
            ),
            pass: None,
        };
    };
    let from = counts[k];
    let allowed = ROW_SLACK.max((from as f64 * bounds.rows_percent / 100.0) as i64);
    Check {
        what: format!("rows {name} level"),
        measured: format!("{from} at sample {k} -> {end} ({:+})", end - from),
        bound: format!("±{allowed}"),
        pass: Some((end - from).abs() <= allowed),
    }
}

/// A table kept by retention: rows added per second in the last minute within the bound of
/// the first minute's.
fn steady_growth(name: &str, samples: &[Sample], counts: &[i64], bounds: &Bounds) -> Check {
    let n = samples.len() - 1;
    let rate = |a: usize, b: usize| {
        let secs = samples[b].at_s - samples[a].at_s;
        (secs > 0.0).then(|| (counts[b] - counts[a]) as f64 / secs)
    };
    let (first, last) = (rate(0, 1), rate(n.saturating_sub(1), n));
    let what = format!("rows {name} (kept by retention) grow steadily");
    let Some((a, b)) = first.zip(last).filter(|_| n >= 2) else {
        return Check {
            what,
            measured: format!("{} -> {}", counts[0], counts[n]),
            bound: "two minutes or more".into(),
            pass: None,
        };
    };
    let change = if a > 0.0 { 100.0 * (b / a - 1.0) } else { 0.0 };
    Check {
        what,
        measured: format!("{a:.1} -> {b:.1} rows/s ({change:+.1}%)"),
        bound: format!("±{}%", bounds.rows_percent),
        pass: Some(change.abs() <= bounds.rows_percent),
    }
}

/// The kinds' shares as the report's preamble states them.
pub fn shares(mix: &crate::mix::Mix) -> String {
    KINDS
        .iter()
        .map(|&k: &Kind| format!("{} {:.0}%", k.name(), mix.percent(k)))
        .collect::<Vec<_>>()
        .join(", ")
}
