//! `sesame serve` processes as an operator runs them, for the tests that need the real binary
//! (several instances on one database, the memory a burst of requests costs).

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::sesame_command;

/// The public URL every instance is started with.
pub const PUBLIC_URL: &str = "http://sesame.test";

/// A `sesame serve` process, its log (stderr) captured, killed when dropped.
pub struct Instance {
    pub child: Child,
    pub base: String,
    log: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Instance {
    /// Everything logged so far.
    pub fn log(&self) -> String {
        self.log.lock().expect("log").clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM, as a deploy does.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "SIGTERM sent");
    }

    /// Kills the process and returns everything it logged.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.log()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `sesame` on the database at `db_url`.
pub fn sesame_on(db_url: &str) -> Command {
    let mut cmd = sesame_command();
    cmd.arg("--database-url").arg(db_url);
    cmd
}

/// Runs a one-shot command and returns its stdout as JSON.
pub fn cli_json(db_url: &str, args: &[&str]) -> serde_json::Value {
    let out = sesame_on(db_url).args(args).output().expect("run sesame");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object on stdout")
}

/// A new m2m application with Management API access, created by the command line as an
/// operator does: its JSON (`id`, `secret`, ...).
pub fn create_m2m(db_url: &str) -> serde_json::Value {
    cli_json(
        db_url,
        &[
            "app",
            "create",
            "--name",
            "backend",
            "--type",
            "m2m",
            "--management-api",
        ],
    )
}

/// `sesame serve` on a free port of 127.0.0.1 with [`PUBLIC_URL`], logging at `info`, with
/// `env` added to its environment; returns once it serves.
pub fn start(db_url: &str, env: &[(&str, &str)]) -> Instance {
    start_with(db_url, &["--public-url", PUBLIC_URL], "info", env)
}

/// [`start`] with its own `serve` arguments (after `--bind`) and log filter. Without
/// `--public-url`, the public URL is the address it serves on.
pub fn start_with(db_url: &str, args: &[&str], log: &str, env: &[(&str, &str)]) -> Instance {
    let mut child = sesame_on(db_url)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .env("RUST_LOG", log)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sesame");
    let mut stderr = child.stderr.take().expect("stderr");
    let log = Arc::new(Mutex::new(String::new()));
    let sink = log.clone();
    // Keeps draining, so the process never blocks on a full pipe.
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .expect("log")
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let mut instance = Instance {
        child,
        base: String::new(),
        log,
        reader: Some(reader),
    };
    let started = Instant::now();
    let port = loop {
        let log = instance.log();
        if let Some(port) = log.lines().find_map(port_of) {
            break port;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "sesame serve did not start: {log}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    instance.base = format!("http://127.0.0.1:{port}");
    instance
}

/// The port of the "sesame is serving" line.
fn port_of(line: &str) -> Option<String> {
    if !line.contains("sesame is serving") {
        return None;
    }
    let port: String = line
        .split("port=")
        .nth(1)?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!port.is_empty()).then_some(port)
}
