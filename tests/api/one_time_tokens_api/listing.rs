//! Listing one-time tokens (newest first, filtered, paged), expiry as read, reading, deleting and
//! changing the status of one token.

use super::*;

// ---------------------------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------------------------

async fn list_is_newest_first_filtered_and_paged(backend: Backend) {
    let api = Api::spawn(backend).await;
    let mut created = Vec::new();
    for email in ["a@x.io", "b@x.io", "A@x.io", "b@x.io", "a@X.IO", "Ada@X.io"] {
        created.push(api.create_for(email).await);
    }
    let ids: Vec<String> = created.iter().map(id_of).collect();
    let newest_first =
        |picks: &[usize]| -> Vec<String> { picks.iter().rev().map(|&i| ids[i].clone()).collect() };

    let all = api.get("").await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.ids(), newest_first(&[0, 1, 2, 3, 4, 5]), "newest first");
    for (shown, made) in all.items().iter().rev().zip(&created) {
        assert_eq!(
            shown,
            &without(made, "token"),
            "the same object, without the token"
        );
    }

    // Email filter: case-insensitive, the stored email kept as given.
    let ada = api.get("?email=ada@x.io").await;
    assert_eq!(ada.ids(), vec![ids[5].clone()]);
    assert_eq!(ada.items()[0]["email"], "Ada@X.io");
    assert_eq!(
        api.get("?email=ADA%40X.IO").await.ids(),
        vec![ids[5].clone()]
    );
    assert_eq!(
        api.get("?email=a@x.io").await.ids(),
        newest_first(&[0, 2, 4])
    );
    assert_eq!(
        api.get("?email=A@X.IO").await.ids(),
        newest_first(&[0, 2, 4])
    );
    assert_eq!(api.get("?email=nobody@x.io").await.items().len(), 0);

    // Paging; Total-Number counts what the filters match.
    let p1 = api.get("?email=a@x.io&page=1&page_size=2").await;
    assert_eq!(p1.status, 200, "{}", p1.text);
    assert_eq!(p1.ids(), newest_first(&[2, 4]));
    assert_eq!(p1.total_number(), 3);
    let p2 = api.get("?email=a@x.io&page=2&page_size=2").await;
    assert_eq!(p2.ids(), vec![ids[0].clone()]);
    assert_eq!(p2.total_number(), 3);
    let p3 = api.get("?email=a@x.io&page=3&page_size=2").await;
    assert_eq!(p3.status, 200);
    assert!(p3.items().is_empty());
    assert_eq!(p3.total_number(), 3);
    let everything = api.get("?page=1&page_size=100").await;
    assert_eq!(everything.items().len(), 6);
    assert_eq!(everything.total_number(), 6);
    let one = api.get("?page=2&page_size=1").await;
    assert_eq!(one.ids(), vec![ids[4].clone()]);
    assert_eq!(one.total_number(), 6);
    let default_size = api.get("?page=1").await;
    assert_eq!(default_size.items().len(), 6);
    assert_eq!(default_size.total_number(), 6);

    // Status filter, alone and with the email filter.
    assert_eq!(
        api.put_status(&ids[3], &json!({"status": "revoked"}))
            .await
            .status,
        200
    );
    assert_eq!(
        api.verify(&str_of(&created[0], "token"), "a@x.io")
            .await
            .status,
        200
    );
    let revoked = api.get("?status=revoked&page=1&page_size=20").await;
    assert_eq!(revoked.ids(), vec![ids[3].clone()]);
    assert_eq!(revoked.items()[0]["status"], "revoked");
    assert_eq!(revoked.total_number(), 1);
    let consumed = api.get("?status=consumed&page=1&page_size=20").await;
    assert_eq!(consumed.ids(), vec![ids[0].clone()]);
    assert_eq!(consumed.total_number(), 1);
    let active = api.get("?status=active&page=1&page_size=2").await;
    assert_eq!(active.ids(), newest_first(&[4, 5]));
    assert_eq!(active.total_number(), 4);
    assert!(active.items().iter().all(|t| t["status"] == "active"));
    let b_active = api
        .get("?email=B@x.io&status=active&page=1&page_size=20")
        .await;
    assert_eq!(b_active.ids(), vec![ids[1].clone()]);
    assert_eq!(b_active.total_number(), 1);
    let a_active = api
        .get("?email=a@x.io&status=active&page=1&page_size=1")
        .await;
    assert_eq!(a_active.ids(), vec![ids[4].clone()]);
    assert_eq!(a_active.total_number(), 2);
    let none = api.get("?status=expired&page=1&page_size=20").await;
    assert!(none.items().is_empty());
    assert_eq!(none.total_number(), 0);

    // Tokens created within the same millisecond still list newest first (ids are
    // time-ordered); stored directly, as the API cannot be called that fast.
    let same_ms = crate::common::now_ms();
    let mut tied = Vec::new();
    for i in 0..3 {
        let record = OneTimeTokenRecord {
            id: uuid::Uuid::now_v7().simple().to_string(),
            token_hash: format!("tie-hash-{i}"),
            email: "tie@x.io".into(),
            email_lower: "tie@x.io".into(),
            context: "{}".into(),
            status: "active".into(),
            application_id: Some(api.app_id.clone()),
            created_at: same_ms,
            expires_at: same_ms + 600_000,
            consumed_at: None,
        };
        let event = AuditRecord {
            id: uuid::Uuid::now_v7().to_string(),
            event: "created".into(),
            token_id: Some(record.id.clone()),
            application_id: Some(api.app_id.clone()),
            client_ip: None,
            detail: None,
            created_at: same_ms,
        };
        tied.push(record.id.clone());
        api.app
            .storage
            .run_blocking(move |c| sesame::storage::one_time_tokens::insert(c, &record, &event))
            .expect("insert");
    }
    tied.reverse();
    assert_eq!(api.get("?email=tie@x.io").await.ids(), tied);

    // Bad paging and filters.
    for (query, field) in [
        ("?page_size=101", "page_size"),
        ("?page_size=0", "page_size"),
        ("?page_size=-5", "page_size"),
        ("?page_size=ten", "page_size"),
        ("?page=0", "page"),
        ("?page=-1", "page"),
        ("?page=1.5", "page"),
        ("?page=abc&page_size=10", "page"),
        ("?status=bogus", "status"),
        ("?status=ACTIVE", "status"),
        ("?status=", "status"),
    ] {
        let reply = api.get(query).await;
        assert_invalid_mentioning(&reply, field, &[]);
    }
}

async fn expired_tokens_read_as_expired(backend: Backend) {
    let api = Api::spawn(backend).await;
    let short = api
        .create(json!({"email": "brief@x.io", "expiresIn": 1}))
        .await;
    let long = api.create_for("long@x.io").await;
    let (short_id, long_id) = (id_of(&short), id_of(&long));
    assert_eq!(short["status"], "active");
    api.app
        .clock
        .advance(std::time::Duration::from_millis(1200));

    let read = api.get(&format!("/{short_id}")).await;
    assert_eq!(read.json["status"], "expired", "{}", read.text);
    let all = api.get("").await;
    let listed = all
        .items()
        .iter()
        .find(|t| t["id"] == short_id.as_str())
        .expect("listed");
    assert_eq!(listed["status"], "expired");

    let expired = api.get("?status=expired&page=1&page_size=20").await;
    assert_eq!(expired.ids(), vec![short_id.clone()]);
    assert_eq!(expired.total_number(), 1);
    let active = api.get("?status=active&page=1&page_size=20").await;
    assert_eq!(active.ids(), vec![long_id.clone()]);
    assert_eq!(active.total_number(), 1);
    let by_email = api
        .get("?email=brief@x.io&status=active&page=1&page_size=20")
        .await;
    assert!(by_email.items().is_empty());
    assert_eq!(by_email.total_number(), 0);

    // It cannot be used, nor brought back.
    let reply = api.verify(&str_of(&short, "token"), "brief@x.io").await;
    assert_error(&reply, 400, "token_expired");
    let reply = api
        .put_status(&short_id, &json!({"status": "active"}))
        .await;
    assert_error(&reply, 400, "cannot_reactivate_token");
    assert_eq!(api.status_of(&short_id).await, "expired");
    // Email is checked before expiry.
    let reply = api.verify(&str_of(&short, "token"), "other@x.io").await;
    assert_error(&reply, 400, "email_mismatch");
}

// ---------------------------------------------------------------------------------------------
// Reading, deleting, changing status
// ---------------------------------------------------------------------------------------------

async fn get_and_delete_by_id(backend: Backend) {
    let api = Api::spawn(backend).await;
    let t = api
        .create(json!({"email": "Ada@X.io", "context": {"campaign": "spring"}}))
        .await;
    let other = api.create_for("keep@x.io").await;
    let id = id_of(&t);
    let read = api.get(&format!("/{id}")).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json, without(&t, "token"));

    for unknown in ["does-not-exist", "00000000000000000000000000000000"] {
        let reply = api.get(&format!("/{unknown}")).await;
        assert_error(&reply, 404, "token_not_found");
        let reply = api.delete(unknown).await;
        assert_error(&reply, 404, "token_not_found");
    }

    let reply = api.delete(&id).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert!(reply.text.is_empty());
    assert_error(&api.get(&format!("/{id}")).await, 404, "token_not_found");
    assert_error(&api.delete(&id).await, 404, "token_not_found");
    assert_error(
        &api.put_status(&id, &json!({"status": "revoked"})).await,
        404,
        "token_not_found",
    );
    // A deleted token cannot be redeemed, and the message does not echo it.
    let secret = str_of(&t, "token");
    let reply = api.verify(&secret, "Ada@X.io").await;
    assert_error(&reply, 404, "token_not_found");
    assert!(!reply.text.contains(&secret));
    // Only that token went.
    assert_eq!(api.get("").await.ids(), vec![id_of(&other)]);
    assert_eq!(api.status_of(&id_of(&other)).await, "active");
}

async fn status_can_be_changed_but_never_back_to_active(backend: Backend) {
    let api = Api::spawn(backend).await;
    let t = api.create_for("ada@x.io").await;
    let id = id_of(&t);

    let reply = api.put_status(&id, &json!({"status": "active"})).await;
    assert_error(&reply, 400, "cannot_reactivate_token");

    let reply = api.put_status(&id, &json!({"status": "revoked"})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["status"], "revoked");
    assert_eq!(reply.json["id"], id.as_str());
    assert!(reply.json.get("token").is_none());
    let mut expected = without(&t, "token");
    expected["status"] = json!("revoked");
    assert_eq!(reply.json, expected);
    assert_eq!(api.get(&format!("/{id}")).await.json, expected);

    let reply = api.put_status(&id, &json!({"status": "active"})).await;
    assert_error(&reply, 400, "cannot_reactivate_token");
    assert_eq!(api.status_of(&id).await, "revoked");

    let reply = api
        .put_status("no-such-token", &json!({"status": "revoked"}))
        .await;
    assert_error(&reply, 404, "token_not_found");

    for bad in [
        json!({"status": "bogus"}),
        json!({"status": "REVOKED"}),
        json!({"status": ""}),
        json!({"status": 1}),
        json!({}),
    ] {
        let reply = api.put_status(&id, &bad).await;
        assert_invalid_mentioning(&reply, "status", &[]);
    }
    let reply = api
        .raw(reqwest::Method::PUT, &format!("/{id}/status"), "revoked")
        .await;
    assert_error(&reply, 400, "invalid_input");
    assert_eq!(api.status_of(&id).await, "revoked");
}

on_both_backends!(
    list_is_newest_first_filtered_and_paged,
    expired_tokens_read_as_expired,
    get_and_delete_by_id,
    status_can_be_changed_but_never_back_to_active,
);
