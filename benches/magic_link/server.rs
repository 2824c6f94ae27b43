//! `cargo bench` with no arguments: a Sesame of its own to load. The release binary cargo
//! built next to this bench serves a fresh SQLite database in a temporary directory, on a free
//! loopback port, with the two apps the flow needs and the one-time-token creation limits
//! lifted (as `benches/magic_link.sh` does). It is stopped when the run ends, whatever happens.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The server's process, where the watchdog can stop it too before it exits.
static CHILD: Mutex<Option<Child>> = Mutex::new(None);

/// The apps created for the run.
pub struct Apps {
    pub m2m_id: String,
    pub m2m_secret: String,
    pub spa_id: String,
}

/// A running Sesame; dropping it stops the server and removes its directory.
pub struct Server {
    pub base_url: String,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Stops the server if one runs (SIGKILL: its state is thrown away anyway).
pub fn stop() {
    let child = CHILD.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(mut child) = child {
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn sesame() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sesame"));
    cmd.env("RUST_LOG", "warn")
        .env_remove("SESAME_CONFIG")
        .env_remove("DATABASE_URL");
    cmd
}

/// `sesame app create ARGS`; its {"id", "secret"} line.
fn create_app(db: &str, args: &[&str]) -> Result<Value, String> {
    let out = sesame()
        .args(["--database-url", db, "app", "create"])
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", env!("CARGO_BIN_EXE_sesame")))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .rev()
        .find_map(|l| {
            serde_json::from_str::<Value>(l)
                .ok()
                .filter(|v| v["id"].is_string())
        })
        .ok_or_else(|| {
            format!(
                "`sesame app create {}` printed no id: {stdout}",
                args.join(" ")
            )
        })
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// `GET /health` answered 200.
fn healthy(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let request =
        format!("GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    let mut head = [0u8; 12];
    s.write_all(request.as_bytes()).is_ok()
        && s.read_exact(&mut head).is_ok()
        && head.ends_with(b" 200")
}

fn wait_healthy(port: u16, log: &Path) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if healthy(port) {
            return Ok(());
        }
        let exited = CHILD
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
            .is_none_or(|c| !matches!(c.try_wait(), Ok(None)));
        if exited {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            return Err(format!("sesame exited during start-up:\n{text}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("sesame did not answer 200 on /health within 30 s".into())
}

/// Starts Sesame on a fresh SQLite database; the apps are created first.
pub fn start() -> Result<(Server, Apps), String> {
    let dir = std::env::temp_dir().join(format!("sesame-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut server = Server {
        base_url: String::new(),
        dir: dir.clone(),
    };
    let db_file = dir.join("bench.db");
    std::fs::write(&db_file, b"").map_err(|e| format!("{}: {e}", db_file.display()))?;
    let db = format!("sqlite://{}", db_file.display());
    let m2m = create_app(
        &db,
        &["--name", "bench-m2m", "--type", "m2m", "--management-api"],
    )?;
    let spa = create_app(
        &db,
        &[
            "--name",
            "bench-spa",
            "--type",
            "spa",
            "--redirect-uri",
            "http://127.0.0.1:9999/callback",
            "--id-token-alg",
            "ES256",
        ],
    )?;
    let text = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let apps = Apps {
        m2m_id: text(&m2m, "id"),
        m2m_secret: text(&m2m, "secret"),
        spa_id: text(&spa, "id"),
    };
    let port = free_port()?;
    let base_url = format!("http://127.0.0.1:{port}");
    let log = dir.join("sesame.log");
    let log_file = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err_file = log_file.try_clone().map_err(|e| e.to_string())?;
    let child = sesame()
        .env("SESAME_ONE_TIME_TOKENS_PER_EMAIL_PER_HOUR", "1000000000")
        .env(
            "SESAME_ONE_TIME_TOKENS_PER_APPLICATION_PER_HOUR",
            "1000000000",
        )
        .args(["--database-url", &db, "serve", "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["--public-url", &base_url])
        .stdin(Stdio::null())
        .stdout(log_file)
        .stderr(err_file)
        .spawn()
        .map_err(|e| format!("cannot start sesame: {e}"))?;
    let pid = child.id();
    *CHILD.lock().unwrap_or_else(|p| p.into_inner()) = Some(child);
    wait_healthy(port, &log)?;
    eprintln!(
        "[magic_link] no apps given: started {} (pid {pid}) on SQLite {} at {base_url}",
        env!("CARGO_BIN_EXE_sesame"),
        db_file.display()
    );
    server.base_url = base_url;
    Ok((server, apps))
}
