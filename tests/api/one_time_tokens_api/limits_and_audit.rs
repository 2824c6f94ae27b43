//! The rate limits on creating one-time tokens and the audit log of their lifecycle.

use super::*;

// ---------------------------------------------------------------------------------------------
// Rate limits
// ---------------------------------------------------------------------------------------------

#[track_caller]
fn assert_rate_limited(reply: &Reply) {
    assert_eq!(reply.status, 429, "{}", reply.text);
    let retry = reply
        .header("Retry-After")
        .expect("a Retry-After header")
        .parse::<i64>()
        .expect("Retry-After in whole seconds");
    assert!((1..=3600).contains(&retry), "Retry-After {retry}");
    assert!(
        reply.json["code"].as_str().is_some_and(|c| !c.is_empty()),
        "a JSON code: {}",
        reply.text
    );
    assert!(reply.json["message"].is_string());
    assert!(reply.json.get("token").is_none());
}

async fn creation_is_limited_per_email(backend: Backend) {
    let api = Api::spawn_with(backend, |s| s.one_time_tokens_per_email_per_hour = 3).await;
    for email in ["a@x.io", "A@x.io", "a@X.IO"] {
        api.create_for(email).await;
    }
    for email in ["A@X.IO", "a@x.io"] {
        let reply = api.post("", &json!({"email": email})).await;
        assert_rate_limited(&reply);
    }
    // Another address is unaffected, and the refused requests made nothing.
    api.create_for("b@x.io").await;
    let listed = api.get("?email=a@x.io&page=1&page_size=20").await;
    assert_eq!(listed.total_number(), 3);
    // The limit holds for another calling application too (it is per address).
    let (_, other) = management_caller(&api.app).await;
    let reply = api.post_as(&other, "", &json!({"email": "a@x.io"})).await;
    assert_rate_limited(&reply);
}

async fn creation_is_limited_per_application(backend: Backend) {
    let api = Api::spawn_with(backend, |s| s.one_time_tokens_per_application_per_hour = 2).await;
    api.create_for("a@x.io").await;
    api.create_for("b@x.io").await;
    let reply = api.post("", &json!({"email": "c@x.io"})).await;
    assert_rate_limited(&reply);
    // Another application has its own allowance.
    let (_, other) = management_caller(&api.app).await;
    let reply = api.post_as(&other, "", &json!({"email": "c@x.io"})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let listed = api.get("?page=1&page_size=20").await;
    assert_eq!(listed.total_number(), 3);
}

// ---------------------------------------------------------------------------------------------
// Audit log
// ---------------------------------------------------------------------------------------------

async fn the_lifecycle_is_audited(backend: Backend) {
    let api = Api::spawn(backend).await;
    let a = api.create_for("ada@x.io").await;
    let b = api.create_for("bob@x.io").await;
    let (a_id, b_id) = (id_of(&a), id_of(&b));

    assert_error(
        &api.verify(&str_of(&a, "token"), "eve@x.io").await,
        400,
        "email_mismatch",
    );
    assert_eq!(
        api.verify(&str_of(&a, "token"), "ADA@x.io").await.status,
        200
    );
    assert_eq!(api.delete(&a_id).await.status, 204);
    assert_eq!(
        api.put_status(&b_id, &json!({"status": "revoked"}))
            .await
            .status,
        200
    );
    assert_error(
        &api.verify(&str_of(&b, "token"), "bob@x.io").await,
        400,
        "token_revoked",
    );

    let audit_of = |id: String| {
        api.app
            .storage
            .run_blocking(move |c| sesame::storage::audit::for_token(c, &id))
            .expect("audit")
    };
    let a_log = audit_of(a_id.clone());
    let events: Vec<&str> = a_log.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        events,
        ["created", "verification_failed", "consumed", "deleted"],
        "the audit of a deleted token survives it"
    );
    assert_eq!(a_log[1].detail.as_deref(), Some("email_mismatch"));
    let b_log = audit_of(b_id.clone());
    let events: Vec<&str> = b_log.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["created", "revoked", "verification_failed"]);
    assert_eq!(b_log[2].detail.as_deref(), Some("token_revoked"));

    let start = a["createdAt"].as_i64().expect("createdAt");
    for entry in a_log.iter().chain(&b_log) {
        assert_eq!(
            entry.application_id.as_deref(),
            Some(api.app_id.as_str()),
            "{} by the calling app",
            entry.event
        );
        assert_eq!(
            entry.client_ip.as_deref(),
            Some("127.0.0.1"),
            "{} from the client's address",
            entry.event
        );
        assert!(
            entry.created_at >= start && entry.created_at <= crate::common::now_ms() + 1000,
            "{} at {}",
            entry.event,
            entry.created_at
        );
        for secret in [str_of(&a, "token"), str_of(&b, "token")] {
            assert!(!entry.detail.clone().unwrap_or_default().contains(&secret));
        }
    }
    assert!(
        a_log.windows(2).all(|w| w[0].created_at <= w[1].created_at),
        "in order"
    );
}

on_both_backends!(
    creation_is_limited_per_email,
    creation_is_limited_per_application,
    the_lifecycle_is_audited,
);
