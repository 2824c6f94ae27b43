//! Command-line pieces the load drivers share (benches/magic_link, benches/soak).

use std::time::Duration;

/// `10s`, `500ms`, `1m`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
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

/// Whether `base` is an http(s) URL on the loopback interface: the drivers load nothing else.
pub fn is_loopback(base: &str) -> bool {
    url::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .is_some_and(|h| h == "127.0.0.1" || h == "localhost" || h == "[::1]")
}

/// A process's CPU time (user + system) in seconds, from /proc (USER_HZ is 100 on Linux);
/// `pid` may be `self`.
pub fn cpu_secs(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// A hard bound on a run, whatever the servers do: after `limit`, `before_exit` runs and the
/// process exits with status 2.
pub fn watchdog(name: &'static str, limit: Duration, before_exit: fn()) {
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!("[{name}] hard time limit reached; aborting");
        before_exit();
        std::process::exit(2);
    });
}
