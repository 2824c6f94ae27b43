//! The first start as an operator sees it: `sesame serve --bind 127.0.0.1:<port>` without a
//! public URL announces the issuer at that address, and an empty database gets a few lines on
//! how to go on; the next start does not repeat them.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common::{Backend, TestDatabase, sesame_command};

/// A `sesame serve` process, killed when dropped.
struct Served {
    child: Child,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Starts `sesame serve --bind <bind>` with no public URL anywhere and returns it once it
/// serves, with every log line it wrote until then.
fn serve(db_url: &str, bind: &str) -> (Served, Vec<String>) {
    let mut child = sesame_command()
        .args(["--database-url", db_url, "serve", "--bind", bind])
        .env("RUST_LOG", "info")
        .env_remove("SESAME_PUBLIC_URL")
        .env_remove("SESAME_BIND")
        .env_remove("SESAME_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sesame");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Keeps draining so the process never blocks on a full pipe.
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let served = Served { child };
    let mut lines = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("sesame did not start: {lines:#?}"));
        let done = line.contains("sesame is serving");
        lines.push(line);
        if done {
            return (served, lines);
        }
    }
}

async fn issuer_at(port: u16) -> String {
    let discovery: serde_json::Value = reqwest::get(format!(
        "http://127.0.0.1:{port}/oidc/.well-known/openid-configuration"
    ))
    .await
    .expect("discovery")
    .json()
    .await
    .expect("json");
    discovery["issuer"].as_str().expect("issuer").to_owned()
}

fn mentions(lines: &[String], text: &str) -> bool {
    lines.iter().any(|line| line.contains(text))
}

async fn the_first_start_follows_the_bind_address_and_says_what_to_do_next(backend: Backend) {
    let db = TestDatabase::new(backend);
    let port = free_port();
    let (first, logs) = serve(&db.url, &format!("127.0.0.1:{port}"));
    let issuer = format!("http://127.0.0.1:{port}/oidc");
    assert_eq!(issuer_at(port).await, issuer);
    for hint in [
        format!("discovery: {issuer}/.well-known/openid-configuration"),
        "sesame app create --name \"My app\" --type spa --redirect-uri".into(),
        "sesame app create --name \"Management\" --type m2m --management-api".into(),
        format!("resource=http://127.0.0.1:{port}/api"),
        "sesame user create --email".into(),
        "no public_url is configured".into(),
    ] {
        assert!(mentions(&logs, &hint), "{hint:?} not in {logs:#?}");
    }
    assert!(
        !mentions(&logs, &db.url),
        "the database URL may hold a password"
    );
    drop(first);

    // Listening on every interface, the public URL names loopback; the database is not empty
    // any more, so no first steps.
    let port = free_port();
    let (_second, logs) = serve(&db.url, &format!("0.0.0.0:{port}"));
    assert_eq!(
        issuer_at(port).await,
        format!("http://127.0.0.1:{port}/oidc")
    );
    assert!(mentions(&logs, "loopback"), "{logs:#?}");
    assert!(!mentions(&logs, "first start"), "{logs:#?}");
    assert!(!mentions(&logs, "sesame app create"), "{logs:#?}");
}

on_both_backends!(the_first_start_follows_the_bind_address_and_says_what_to_do_next);
