//! Mail, against a real SMTP server (aiosmtpd): a link Sesame mails itself is read from the
//! mailbox and followed through the whole relying-party flow; the outbox waits out an SMTP
//! outage and delivers once; two instances deliver each mail once; without SMTP, mails are
//! `.eml` files.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::process::{self, PUBLIC_URL, cli_json, create_m2m};
use crate::common::rp::{self, amr};
use crate::common::smtp::{SmtpServer, parse};
use crate::common::{
    Backend, TestDatabase, browser, create_one_time_token, location, management_token_for,
    query_param,
};

/// The single-page app's landing page: it passes `token` and `email` on to `/oidc/auth`.
const LANDING: &str = "http://127.0.0.1:9999/welcome";

/// A sender that looks often and retries soon, so the tests wait seconds, not minutes.
fn quick_mail(settings: &mut sesame::config::Settings, smtp: &SmtpServer) {
    settings.smtp_url = sesame::config::Redacted::new(smtp.url());
    settings.mail_from = "Acme <no-reply@acme.test>".into();
    settings.mail_poll_interval_ms = 200;
    settings.mail_retry_min_secs = 1;
    settings.mail_retry_max_secs = 2;
    settings.mail_max_attempts = 1000;
}

/// A [`rp::World`] whose single-page app registered [`LANDING`] through the Management API.
async fn world(backend: Backend, smtp: &SmtpServer) -> rp::World {
    let w = rp::World::spawn_with(backend, |s| quick_mail(s, smtp)).await;
    let (status, app) = w
        .api(
            Method::PATCH,
            &format!("/api/applications/{}", w.client_id),
            Some(json!({ "landingUris": [LANDING] })),
        )
        .await;
    assert_eq!(status, 200, "{app}");
    assert_eq!(app["landingUris"], json!([LANDING]));
    w
}

/// `POST /api/one-time-tokens` asking Sesame to mail the link.
async fn send_link(w: &rp::World, email: &str, locale: &str) -> Value {
    let (status, created) = w
        .api(
            Method::POST,
            "/api/one-time-tokens",
            Some(json!({
                "email": email,
                "send": { "landingUri": LANDING, "locale": locale },
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created
}

async fn delivery(w: &rp::World, id: &str) -> Value {
    let (status, token) = w
        .api(Method::GET, &format!("/api/one-time-tokens/{id}"), None)
        .await;
    assert_eq!(status, 200, "{token}");
    token["delivery"].clone()
}

async fn a_mailed_link_signs_in_through_the_whole_flow(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    let created = send_link(&w, "new@example.com", "de").await;
    assert!(
        created.get("token").is_none(),
        "the plaintext goes only to the mailbox: {created}"
    );
    assert_eq!(created["delivery"]["status"], "pending", "{created}");
    let id = created["id"].as_str().expect("id");

    // The person reads the mail...
    let mails = smtp.wait_for(1, Duration::from_secs(20)).await;
    let mail = &mails[0];
    assert_eq!(mail.to, "new@example.com");
    assert_eq!(mail.from, "no-reply@acme.test");
    assert_eq!(mail.subject, "Ihr Anmeldelink", "the locale asked for");
    let link = mail.link(LANDING);
    let html = mail.html.as_deref().expect("an HTML part");
    assert!(
        html.contains(&link.replace('&', "&amp;")),
        "both parts carry the link: {html}"
    );
    // ...and clicks: the landing page passes the token and the email on to /oidc/auth.
    assert!(link.starts_with(&format!("{LANDING}?")), "{link}");
    let token = query_param(&link, "token").expect("token in the link");
    let email = query_param(&link, "email").expect("email in the link");
    assert_eq!(email, "new@example.com");
    let pending = w.link_request(&token, &email, &["email"], &[]);
    let r = browser().get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303, "registered and sent back to the app");
    let claims = w.claims(&location(&r), pending).await;
    assert_eq!(claims.email().map(|e| e.as_str()), Some("new@example.com"));
    assert_eq!(claims.email_verified(), Some(true));
    assert_eq!(amr(&claims), vec!["email".to_owned()]);

    assert_eq!(w.token_status(id).await, "consumed");
    let sent = delivery(&w, id).await;
    assert_eq!(sent["status"], "sent", "{sent}");
    assert_eq!(sent["attempts"], 1, "{sent}");
    // The queued link is gone from the database once sent: the mailbox holds the only copy.
    let payload: String = w
        .app
        .storage
        .run_blocking(|c| {
            use diesel::prelude::*;
            use sesame::storage::schema::outbox;
            outbox::table
                .filter(outbox::one_time_token_id.eq(id))
                .select(outbox::payload)
                .get_result(c)
        })
        .expect("the outbox row");
    assert_eq!(payload, "");

    // Without `send`, nothing changes: the token is answered, nothing is mailed.
    let (status, plain) = create_one_time_token(
        &w.app.base,
        &w.bearer,
        json!({ "email": "other@example.com" }),
    )
    .await;
    assert_eq!(status, 201, "{plain}");
    assert!(
        plain["token"].is_string() && plain.get("delivery").is_none(),
        "{plain}"
    );
    let plain_id = plain["id"].as_str().expect("id");
    assert!(delivery(&w, plain_id).await.is_null());
    actix_rt::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(smtp.mails().len(), 1, "one mail in all");
    let metrics = reqwest::get(w.app.url("/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for counted in [
        r#"sesame_mails_queued_total{kind="sign_in_link"}"#,
        r#"sesame_mails_sent_total{kind="sign_in_link"}"#,
    ] {
        assert!(metrics.contains(counted), "{counted} in {metrics}");
    }
}

async fn a_mail_waits_out_an_smtp_outage_and_goes_once(backend: Backend) {
    let mut smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    smtp.stop();
    let created = send_link(&w, "ada@example.com", "en").await;
    let id = created["id"].as_str().expect("id");
    // Down for 30 seconds: the attempts fail, and say why.
    actix_rt::time::sleep(Duration::from_secs(5)).await;
    let waiting = delivery(&w, id).await;
    assert_eq!(waiting["status"], "pending", "{waiting}");
    assert!(waiting["attempts"].as_i64() >= Some(2), "{waiting}");
    assert!(waiting["lastError"].is_string(), "{waiting}");
    actix_rt::time::sleep(Duration::from_secs(25)).await;
    assert!(smtp.mails().is_empty());
    // Back: the mail goes out, once.
    smtp.restart();
    let mails = smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(mails[0].to, "ada@example.com");
    assert_eq!(mails[0].subject, "Your sign-in link");
    actix_rt::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(smtp.mails().len(), 1, "delivered once");
    let sent = delivery(&w, id).await;
    assert_eq!(sent["status"], "sent", "{sent}");
}

async fn two_instances_send_each_mail_once(backend: Backend) {
    let smtp = SmtpServer::start();
    let db = TestDatabase::new(backend);
    let m2m = create_m2m(&db.url);
    let spa = cli_json(
        &db.url,
        &[
            "app",
            "create",
            "--name",
            "spa",
            "--type",
            "spa",
            "--redirect-uri",
            rp::CALLBACK,
            "--landing-uri",
            LANDING,
        ],
    );
    assert!(spa["id"].is_string(), "{spa}");
    let url = smtp.url();
    let env = [
        ("SESAME_SMTP_URL", url.as_str()),
        ("SESAME_MAIL_POLL_INTERVAL_MS", "100"),
        ("SESAME_MAIL_RETRY_MIN_SECS", "1"),
    ];
    let instances = [process::start(&db.url, &env), process::start(&db.url, &env)];
    let bearer = management_token_for(
        &instances[0].base,
        PUBLIC_URL,
        m2m["id"].as_str().expect("id"),
        m2m["secret"].as_str().expect("secret"),
    )
    .await;
    const MAILS: usize = 30;
    let mut ids = Vec::new();
    for i in 0..MAILS {
        let (status, created) = create_one_time_token(
            &instances[i % 2].base,
            &bearer,
            json!({ "email": format!("person{i}@example.com"), "send": { "landingUri": LANDING } }),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        ids.push(created["id"].as_str().expect("id").to_owned());
    }
    smtp.wait_for(MAILS, Duration::from_secs(30)).await;
    actix_rt::time::sleep(Duration::from_secs(2)).await;
    let mails = smtp.mails();
    let mut recipients: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
    recipients.sort_unstable();
    recipients.dedup();
    assert_eq!(mails.len(), MAILS, "each mail once");
    assert_eq!(recipients.len(), MAILS, "each recipient once");
    // Both instances send (each claims what is due when it looks).
    let logs: Vec<String> = instances.into_iter().map(|i| i.stop()).collect();
    for log in &logs {
        assert!(!log.contains("token="), "links are never logged");
    }
    let sent_by = |log: &String| log.matches("mail sent").count();
    assert_eq!(logs.iter().map(sent_by).sum::<usize>(), MAILS, "{logs:?}");
}

async fn without_smtp_mails_are_eml_files_in_mail_dir(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let mail_dir = dir.path().join("mail");
    let configured = mail_dir.display().to_string();
    let w = rp::World::spawn_with(backend, |s| {
        s.mail_dir = configured;
        s.mail_poll_interval_ms = 200;
    })
    .await;
    assert!(w.app.settings.smtp_url.is_empty());
    let (status, _) = w
        .api(
            Method::PATCH,
            &format!("/api/applications/{}", w.client_id),
            Some(json!({ "landingUris": [LANDING] })),
        )
        .await;
    assert_eq!(status, 200);
    let created = send_link(&w, "dev@example.com", "en").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let file = loop {
        let found = std::fs::read_dir(&mail_dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .find(|p| p.extension().is_some_and(|x| x == "eml"))
            })
            .ok()
            .flatten();
        if let Some(file) = found {
            break file;
        }
        assert!(std::time::Instant::now() < deadline, "no .eml file");
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    };
    let mail = parse(&std::fs::read(&file).expect("eml"));
    assert_eq!(mail.to, "dev@example.com");
    let token = query_param(&mail.link(LANDING), "token").expect("token");
    let pending = w.link_request(&token, "dev@example.com", &["email"], &[]);
    let r = browser().get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    w.claims(&location(&r), pending).await;
    let id = created["id"].as_str().expect("id");
    assert_eq!(delivery(&w, id).await["status"], "sent");
}

on_both_backends!(
    a_mailed_link_signs_in_through_the_whole_flow,
    a_mail_waits_out_an_smtp_outage_and_goes_once,
    two_instances_send_each_mail_once,
    without_smtp_mails_are_eml_files_in_mail_dir,
);
