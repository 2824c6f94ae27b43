//! `sesame serve` processes as an operator runs them, for the tests that need the real binary
//! (several instances on one database, the memory a burst of requests costs).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::sesame_command;

/// The public URL every instance is started with.
pub const PUBLIC_URL: &str = "http://sesame.test";

/// A `sesame serve` process, killed when dropped.
pub struct Instance {
    pub child: Child,
    pub base: String,
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

pub fn start(db_url: &str, env: &[(&str, &str)]) -> Instance {
    let mut child = sesame_on(db_url)
        .args(["serve", "--bind", "127.0.0.1:0", "--public-url", PUBLIC_URL])
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sesame");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Keep draining so the process never blocks on a full pipe.
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(port) = line.split("port=").nth(1) {
                let port: String = port.chars().take_while(char::is_ascii_digit).collect();
                let _ = tx.send(port);
            }
        }
    });
    let port = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("sesame reports its port");
    Instance {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}
