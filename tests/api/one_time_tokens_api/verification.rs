//! Verifying a one-time token: consumed once, even under concurrent verifications, with the
//! reason when it cannot be.

use super::*;

async fn verify_consumes_once_and_reports_why_not(backend: Backend) {
    let api = Api::spawn(backend).await;
    let t = api.create_for("Grace@Example.com").await;
    let (id, secret) = (id_of(&t), str_of(&t, "token"));

    // A wrong email fails and consumes nothing.
    let reply = api.verify(&secret, "eve@example.com").await;
    assert_error(&reply, 400, "email_mismatch");
    assert_eq!(api.status_of(&id).await, "active");

    // The right email in any case succeeds, once.
    let reply = api.verify(&secret, "GRACE@EXAMPLE.COM").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["status"], "consumed");
    assert_eq!(reply.json["id"], id.as_str());
    assert_eq!(reply.json["email"], "Grace@Example.com");
    assert!(reply.json.get("token").is_none());
    assert!(!reply.text.contains(&secret));
    assert_eq!(api.status_of(&id).await, "consumed");
    let reply = api.verify(&secret, "grace@example.com").await;
    assert_error(&reply, 400, "token_consumed");
    let reply = api.verify(&secret, "Grace@Example.com").await;
    assert_error(&reply, 400, "token_consumed");
    // A consumed token cannot be reactivated either.
    let reply = api.put_status(&id, &json!({"status": "active"})).await;
    assert_error(&reply, 400, "cannot_reactivate_token");

    // Unknown token: 404, and the message does not echo it.
    let unknown = URL_SAFE_NO_PAD.encode([7u8; 32]);
    let reply = api.verify(&unknown, "grace@example.com").await;
    assert_error(&reply, 404, "token_not_found");
    assert!(!reply.text.contains(&unknown), "{}", reply.text);
    let near_miss = format!("{}x", &secret[..secret.len() - 1]);
    let reply = api.verify(&near_miss, "grace@example.com").await;
    assert_error(&reply, 404, "token_not_found");
    assert!(!reply.text.contains(&near_miss));

    // Revoked: token_revoked; but a wrong email is reported first.
    let r = api.create_for("henry@example.com").await;
    assert_eq!(
        api.put_status(&id_of(&r), &json!({"status": "revoked"}))
            .await
            .status,
        200
    );
    let reply = api
        .verify(&str_of(&r, "token"), "someone@example.com")
        .await;
    assert_error(&reply, 400, "email_mismatch");
    let reply = api.verify(&str_of(&r, "token"), "Henry@Example.com").await;
    assert_error(&reply, 400, "token_revoked");
    assert_eq!(api.status_of(&id_of(&r)).await, "revoked");
    // A consumed token with a wrong email: email_mismatch too.
    let reply = api.verify(&secret, "eve@example.com").await;
    assert_error(&reply, 400, "email_mismatch");

    // Malformed requests.
    let fresh = api.create_for("ivy@example.com").await;
    for (body, field) in [
        (json!({"email": "ivy@example.com"}), "token"),
        (json!({"token": "", "email": "ivy@example.com"}), "token"),
        (json!({"token": 5, "email": "ivy@example.com"}), "token"),
        (json!({"token": str_of(&fresh, "token")}), "email"),
        (
            json!({"token": str_of(&fresh, "token"), "email": ""}),
            "email",
        ),
    ] {
        let reply = api.post("/verify", &body).await;
        assert_invalid_mentioning(&reply, field, &[]);
    }
    let reply = api.post_raw("/verify", "token=x&email=y").await;
    assert_error(&reply, 400, "invalid_input");
    assert_eq!(api.status_of(&id_of(&fresh)).await, "active");
}

async fn concurrent_verifications_consume_once(backend: Backend) {
    const CALLERS: usize = 24;
    let api = Api::spawn_with(backend, |s| {
        s.db_pool_size = 16;
        s.workers = 4;
    })
    .await;
    for round in 0..15 {
        let email = format!("race{round}@example.com");
        let t = api.create_for(&email).await;
        let secret = str_of(&t, "token");
        // Open the connections first, so the verifications arrive together.
        let warm: Vec<_> = (0..CALLERS)
            .map(|_| {
                let request = api
                    .http
                    .get(api.url("?page_size=1"))
                    .bearer_auth(&api.token);
                actix_rt::spawn(async move { request.send().await.expect("warm").status() })
            })
            .collect();
        for h in warm {
            assert_eq!(h.await.expect("task"), 200);
        }
        let handles: Vec<_> = (0..CALLERS)
            .map(|i| {
                let request = api
                    .http
                    .post(api.url("/verify"))
                    .bearer_auth(&api.token)
                    .json(&json!({
                        "token": secret,
                        // Mixed case: all of these are the right email.
                        "email": if i % 2 == 0 { email.clone() } else { email.to_uppercase() },
                    }));
                actix_rt::spawn(
                    async move { Reply::read(request.send().await.expect("send")).await },
                )
            })
            .collect();
        let mut replies = Vec::new();
        for h in handles {
            replies.push(h.await.expect("task"));
        }
        let winners = replies.iter().filter(|r| r.status == 200).count();
        assert_eq!(winners, 1, "exactly one verification wins (round {round})");
        for r in replies.iter().filter(|r| r.status != 200) {
            assert_error(r, 400, "token_consumed");
        }
        assert_eq!(api.status_of(&id_of(&t)).await, "consumed");
        let id = id_of(&t);
        let audit = api
            .app
            .storage
            .run_blocking(move |c| sesame::storage::audit::for_token(c, &id))
            .expect("audit");
        assert_eq!(
            audit.iter().filter(|e| e.event == "consumed").count(),
            1,
            "one consumption recorded"
        );
    }
}

on_both_backends!(
    verify_consumes_once_and_reports_why_not,
    concurrent_verifications_consume_once,
);
