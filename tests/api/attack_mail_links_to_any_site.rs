//! Attack: make Sesame mail a sign-in link to a site of the attacker's choosing. A caller of
//! the Management API (a leaked token, a compromised backend) names its own `landingUri`:
//! the person's token would land on the attacker's page, in a mail from the real Sesame.
//! Only landing URIs registered on an application, matched exactly, are mailed to.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::common::Backend;
use crate::common::rp;
use crate::common::smtp::SmtpServer;

const LANDING: &str = "https://app.example/welcome";

async fn sesame_never_mails_links_to_unregistered_pages(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = rp::World::spawn_with(backend, |s| {
        s.smtp_url = sesame::config::Redacted::new(smtp.url());
        s.mail_poll_interval_ms = 100;
    })
    .await;
    let (status, app) = w
        .api(
            Method::PATCH,
            &format!("/api/applications/{}", w.client_id),
            Some(json!({ "landingUris": [LANDING] })),
        )
        .await;
    assert_eq!(status, 200, "{app}");
    let send =
        |landing: &str| json!({ "email": "ada@example.com", "send": { "landingUri": landing } });
    for (landing, code) in [
        ("https://evil.example/welcome", "landing_uri_not_registered"),
        // No prefix matching: a path below, or beside, a registered page is not registered.
        (
            "https://app.example/welcome/more",
            "landing_uri_not_registered",
        ),
        ("https://app.example/welcomex", "landing_uri_not_registered"),
        ("http://app.example/welcome", "landing_uri_not_registered"),
        // Only the normalized spelling: what is mailed is exactly what was registered.
        ("https://app.example/welcome/../evil", "invalid_input"),
        ("https://APP.example/welcome", "invalid_input"),
        // A query or fragment could carry the token elsewhere: refused outright.
        (
            "https://app.example/welcome?next=https://evil.example",
            "invalid_input",
        ),
        ("https://app.example/welcome#x", "invalid_input"),
        ("javascript:alert(1)", "invalid_input"),
    ] {
        let (status, body) = w
            .api(Method::POST, "/api/one-time-tokens", Some(send(landing)))
            .await;
        assert_eq!(status, 400, "{landing}: {body}");
        assert_eq!(body["code"], code, "{landing}: {body}");
        assert!(body.get("token").is_none());
    }
    // Nothing was created, nothing mailed.
    let (status, tokens) = w.api(Method::GET, "/api/one-time-tokens", None).await;
    assert_eq!(status, 200);
    assert_eq!(tokens, json!([]), "no token was created for a refused send");
    // Registering a page is the way: through the application, not the token request.
    let (status, created) = w
        .api(Method::POST, "/api/one-time-tokens", Some(send(LANDING)))
        .await;
    assert_eq!(status, 201, "{created}");
    let mails = smtp.wait_for(1, Duration::from_secs(20)).await;
    assert!(
        mails[0]
            .link(LANDING)
            .starts_with(&format!("{LANDING}?token="))
    );
    // Removing the page stops further mails to it.
    let (status, _) = w
        .api(
            Method::PATCH,
            &format!("/api/applications/{}", w.client_id),
            Some(json!({ "landingUris": [] })),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = w
        .api(Method::POST, "/api/one-time-tokens", Some(send(LANDING)))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("landing_uri_not_registered"))
    );
}

on_both_backends!(sesame_never_mails_links_to_unregistered_pages);
