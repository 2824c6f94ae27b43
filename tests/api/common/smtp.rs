//! A real SMTP server for the tests: `tests/smtp_sink.py` (aiosmtpd 1.4.6) on a free port of
//! 127.0.0.1, storing each message it accepts as a file; the tests read them as a person reads
//! a mailbox, and can stop and restart the server. When python3 lacks aiosmtpd, the first test
//! that needs it installs it from PyPI into the target dir (`cargo test` alone sets a fresh
//! machine up; `.ci/run` installs it beforehand).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The server's package, as pip names it.
const PACKAGE: &str = "aiosmtpd==1.4.6";

/// Where the tests install [`PACKAGE`] when python3 does not have it: `PYTHONPATH` for the
/// server, or `None` when python3 has it already.
fn python_path() -> Option<PathBuf> {
    static PATH: OnceLock<Option<PathBuf>> = OnceLock::new();
    PATH.get_or_init(|| {
        let has = |path: Option<&PathBuf>| {
            let mut check = Command::new("python3");
            check.args(["-c", "import aiosmtpd"]).stderr(Stdio::null());
            if let Some(path) = path {
                check.env("PYTHONPATH", path);
            }
            check.status().is_ok_and(|s| s.success())
        };
        if has(None) {
            return None;
        }
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/smtp-sink-python");
        if !has(Some(&dir)) {
            // A Debian python refuses pip unless told (even into a folder of its own).
            let install = |extra: &[&str]| {
                Command::new("python3")
                    .args(["-m", "pip", "install", "--quiet", "--target"])
                    .arg(&dir)
                    .args(extra)
                    .arg(PACKAGE)
                    .status()
                    .is_ok_and(|s| s.success())
            };
            let installed = install(&[]) || install(&["--break-system-packages"]);
            assert!(
                installed && has(Some(&dir)),
                "the mail tests need a real SMTP server, {PACKAGE} for python3; \
                 installing it with pip into {dir:?} failed"
            );
        }
        Some(dir)
    })
    .clone()
}

/// A running (or stopped) SMTP server and the mailbox it fills.
pub struct SmtpServer {
    pub port: u16,
    mailbox: tempfile::TempDir,
    child: Option<Child>,
}

/// A message as delivered: its headers and its decoded parts.
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: String,
    pub from: String,
    pub subject: String,
    pub message_id: String,
    pub text: String,
    pub html: Option<String>,
}

impl Mail {
    /// The first link of the plain-text part starting with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let at = self
            .text
            .find(prefix)
            .unwrap_or_else(|| panic!("no link to {prefix} in {}", self.text));
        self.text[at..]
            .split_whitespace()
            .next()
            .expect("a link")
            .to_owned()
    }
}

impl Mail {
    /// The 6-digit code the mail carries (a word of six digits), as a person reads it.
    pub fn code(&self) -> Option<String> {
        self.text
            .split_whitespace()
            .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_owned)
    }
}

fn sink_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py")
}

impl SmtpServer {
    /// Starts the server on a free port (installing aiosmtpd first if python3 lacks it).
    pub fn start() -> Self {
        python_path();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut server = Self {
            port,
            mailbox: tempfile::tempdir().expect("mailbox dir"),
            child: None,
        };
        server.restart();
        server
    }

    /// Settings that mail through this server, with a sender that looks often and retries
    /// soon (the tests wait seconds, not minutes).
    pub fn configure(&self, settings: &mut sesame::config::Settings) {
        settings.smtp_url = sesame::config::Redacted::new(self.url());
        settings.mail_from = "Acme <no-reply@acme.test>".into();
        settings.mail_poll_interval_ms = 200;
        settings.mail_retry_min_secs = 1;
        settings.mail_retry_max_secs = 2;
        settings.mail_max_attempts = 1000;
    }

    /// `smtp://127.0.0.1:<port>`, plain (the connection never leaves the machine).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the server: connections are refused until [`SmtpServer::restart`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }

    /// Starts the server (again) on the same port and mailbox.
    pub fn restart(&mut self) {
        self.stop();
        let started = Instant::now();
        loop {
            let log_path = self.mailbox.path().join("sink.log");
            let log = std::fs::File::create(&log_path).expect("sink log");
            let mut sink = Command::new("python3");
            if let Some(path) = python_path() {
                sink.env("PYTHONPATH", path);
            }
            let mut child = sink
                .arg(sink_script())
                .arg(self.port.to_string())
                .arg(self.mailbox.path())
                .stdout(Stdio::piped())
                .stderr(log)
                .spawn()
                .expect("python3 runs");
            let mut line = String::new();
            let stdout = child.stdout.take().expect("stdout");
            let _ = BufReader::new(stdout).read_line(&mut line);
            if line.trim() == "ready" {
                self.child = Some(child);
                return;
            }
            let _ = child.kill();
            let _ = child.wait();
            // The port may linger a moment after a stop.
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the SMTP server did not start: {}",
                std::fs::read_to_string(&log_path).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Every message delivered so far, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.mailbox.path())
            .expect("mailbox")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| parse(&std::fs::read(f).expect("message")))
            .collect()
    }

    /// Waits (real time) until at least `n` messages were delivered; returns them all.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Mail> {
        let deadline = Instant::now() + within;
        loop {
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {n} mails delivered within {within:?}",
                mails.len()
            );
            actix_rt::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A message as a mail client reads it: transfer encodings (quoted-printable, base64) undone.
pub fn parse(raw: &[u8]) -> Mail {
    let message = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a well-formed message");
    let address = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_owned()
    };
    Mail {
        to: address(message.to()),
        from: address(message.from()),
        subject: message.subject().unwrap_or_default().to_owned(),
        message_id: message.message_id().unwrap_or_default().to_owned(),
        text: message
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        html: message.body_html(0).map(|h| h.into_owned()),
    }
}
