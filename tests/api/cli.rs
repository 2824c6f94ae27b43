//! The command line as an operator uses it: help everywhere, JSON out, key rotation that keeps
//! tokens signed by the old key verifiable.

use crate::common::{Backend, TestApp, TestDatabase, run_sesame};

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["cleanup", "--help"],
        vec!["app", "--help"],
        vec!["app", "create", "--help"],
        vec!["user", "create", "--help"],
        vec!["keys", "rotate", "--help"],
    ] {
        let out = run_sesame(&args);
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage:"), "{args:?}: {text}");
    }
}

#[test]
fn bad_input_is_an_error_not_a_crash() {
    let db = TestDatabase::new(Backend::Sqlite);
    for args in [
        vec![
            "--database-url",
            &db.url,
            "user",
            "create",
            "--email",
            "not-an-email",
        ],
        vec![
            "--database-url",
            &db.url,
            "app",
            "create",
            "--name",
            "x",
            "--type",
            "spa",
        ],
        vec![
            "--database-url",
            &db.url,
            "app",
            "create",
            "--name",
            "x",
            "--type",
            "m2m",
            "--redirect-uri",
            "http://a.example/cb",
        ],
    ] {
        let out = run_sesame(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("error:"),
            "{args:?}"
        );
    }
}

#[test]
fn app_create_prints_the_secret_once_and_stores_its_hash() {
    let db = TestDatabase::new(Backend::Sqlite);
    let out = run_sesame(&[
        "--database-url",
        &db.url,
        "app",
        "create",
        "--name",
        "web",
        "--type",
        "traditional",
        "--redirect-uri",
        "https://web.example/cb",
    ]);
    assert!(out.status.success());
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let secret = created["secret"].as_str().expect("secret");
    assert!(secret.len() >= 22, "at least 128 bits");
    let spa = run_sesame(&[
        "--database-url",
        &db.url,
        "app",
        "create",
        "--name",
        "spa",
        "--type",
        "spa",
        "--redirect-uri",
        "https://spa.example/cb",
    ]);
    let spa: serde_json::Value = serde_json::from_slice(&spa.stdout).expect("json");
    assert!(spa.get("secret").is_none(), "public clients have no secret");
    // The database and its write-ahead log, as bytes: the secret must be in neither.
    let file = db.url.trim_start_matches("sqlite://");
    let mut bytes = std::fs::read(file).expect("database file");
    bytes.extend(std::fs::read(format!("{file}-wal")).unwrap_or_default());
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("traditional"),
        "the application is in what we read"
    );
    assert!(!text.contains(secret), "the plaintext secret is not stored");
}

async fn rotation_keeps_the_old_key_published(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let jwks = |base: String| async move {
        let v: serde_json::Value = reqwest::get(format!("{base}/oidc/jwks"))
            .await
            .expect("jwks")
            .json()
            .await
            .expect("json");
        v["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .map(|k| k["kid"].as_str().expect("kid").to_owned())
            .collect::<Vec<_>>()
    };
    let before = jwks(app.base.clone()).await;
    assert_eq!(before.len(), 3, "one key per algorithm");
    let out = run_sesame(&[
        "--database-url",
        &app.db.url,
        "keys",
        "rotate",
        "--alg",
        "RS256",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rotated: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let new_kid = rotated["kid"].as_str().expect("kid").to_owned();
    // A server starting now (or an instance refreshing its keys) publishes both.
    let second = TestApp::spawn_on(app.db.clone(), backend, |_| {}).await;
    let after = jwks(second.base.clone()).await;
    assert_eq!(after.len(), 4);
    assert!(
        before.iter().all(|kid| after.contains(kid)),
        "old keys stay for the grace period"
    );
    assert!(after.contains(&new_kid));
    // Past the grace period the retired key is gone.
    let third = TestApp::spawn_on(app.db.clone(), backend, |s| s.key_rotation_grace_secs = 0).await;
    let pruned = jwks(third.base.clone()).await;
    assert_eq!(pruned.len(), 3);
    assert!(pruned.contains(&new_kid));
}

on_both_backends!(rotation_keeps_the_old_key_published);
