//! Creating one-time tokens: the token object, validation of the body, and the token's secrecy
//! (hashed at rest, shown once).

use super::*;

// ---------------------------------------------------------------------------------------------
// Creation
// ---------------------------------------------------------------------------------------------

async fn create_returns_the_token_object(backend: Backend) {
    let api = Api::spawn(backend).await;
    let before = crate::common::now_ms();
    let reply = api.post("", &json!({"email": "Ada@Example.com"})).await;
    let after = crate::common::now_ms();
    assert_eq!(reply.status, 201, "{}", reply.text);
    let t = &reply.json;
    let keys = object_keys(t);
    assert_eq!(
        keys,
        BTreeSet::from([
            "id",
            "email",
            "token",
            "context",
            "status",
            "createdAt",
            "expiresAt"
        ])
    );
    assert!(t["id"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(t["email"], "Ada@Example.com", "the email as given");
    assert_eq!(t["context"], json!({}));
    assert_eq!(t["status"], "active");
    let created = t["createdAt"].as_i64().expect("createdAt in ms");
    let expires = t["expiresAt"].as_i64().expect("expiresAt in ms");
    assert!(
        (before - 1000..=after + 1000).contains(&created),
        "createdAt {created} is epoch ms near {before}"
    );
    assert_eq!(expires - created, 600_000, "default lifetime is 10 minutes");

    let t = api
        .create(json!({"email": "b@example.com", "expiresIn": 3600}))
        .await;
    assert_eq!(
        t["expiresAt"].as_i64().unwrap() - t["createdAt"].as_i64().unwrap(),
        3_600_000
    );
    let t = api
        .create(json!({"email": "c@example.com", "expiresIn": null, "context": null}))
        .await;
    assert_eq!(
        t["expiresAt"].as_i64().unwrap() - t["createdAt"].as_i64().unwrap(),
        600_000
    );

    // Context: kept as given, extra keys included, on creation and on reading. Organization
    // ids must exist, so the invitation names a real one.
    let org = reqwest::Client::new()
        .post(format!("{}/api/organizations", api.app.base))
        .bearer_auth(&api.token)
        .json(&json!({"name": "Acme"}))
        .send()
        .await
        .expect("create organization")
        .json::<Value>()
        .await
        .expect("json");
    let context = json!({"jitOrganizationIds": [org["id"]], "campaign": "x"});
    let t = api
        .create(json!({"email": "d@example.com", "context": context}))
        .await;
    assert_eq!(t["context"], context);
    let read = api.get(&format!("/{}", id_of(&t))).await;
    assert_eq!(read.json["context"], context);
    let nested = json!({"jitOrganizationIds": [], "meta": {"a": [1, 2], "b": true}});
    let t = api
        .create(json!({"email": "e@example.com", "context": nested}))
        .await;
    assert_eq!(t["context"], nested);
}

async fn create_validates_expires_in(backend: Backend) {
    let api = Api::spawn_with(backend, |s| s.one_time_token_max_expires_in_secs = 100).await;
    for bad in [
        json!(0),
        json!(-1),
        json!("60"),
        json!(1.5),
        json!(101),
        json!(true),
        json!([60]),
        json!(i64::MAX),
    ] {
        let reply = api
            .post("", &json!({"email": "ada@example.com", "expiresIn": bad}))
            .await;
        assert_invalid_mentioning(&reply, "expiresIn", &[]);
    }
    let t = api
        .create(json!({"email": "ada@example.com", "expiresIn": 100}))
        .await;
    assert_eq!(
        t["expiresAt"].as_i64().unwrap() - t["createdAt"].as_i64().unwrap(),
        100_000
    );
    let t = api
        .create(json!({"email": "ada@example.com", "expiresIn": 1}))
        .await;
    assert_eq!(
        t["expiresAt"].as_i64().unwrap() - t["createdAt"].as_i64().unwrap(),
        1_000
    );
    assert_eq!(
        api.get("").await.items().len(),
        2,
        "rejected requests made nothing"
    );
}

async fn create_validates_email_context_and_body(backend: Backend) {
    let api = Api::spawn(backend).await;
    for body in [
        json!({}),
        json!({"email": "nope"}),
        json!({"email": ""}),
        json!({"email": "   "}),
        json!({"email": 42}),
        json!({"email": null}),
        json!({"email": "a@b"}),
        json!({"email": "two@@example.com"}),
        json!({"email": "<a@example.com>"}),
        json!({"email": ["a@example.com"]}),
    ] {
        let reply = api.post("", &body).await;
        assert_invalid_mentioning(&reply, "email", &[]);
    }
    for context in [json!("x"), json!([]), json!(["o1"]), json!(3), json!(true)] {
        let reply = api
            .post("", &json!({"email": "a@example.com", "context": context}))
            .await;
        assert_invalid_mentioning(&reply, "context", &[]);
    }
    for ids in [
        json!("o1"),
        json!([1]),
        json!(["o1", 2]),
        json!({"o1": true}),
        json!([null]),
        json!([["o1"]]),
    ] {
        let reply = api
            .post(
                "",
                &json!({"email": "a@example.com", "context": {"jitOrganizationIds": ids}}),
            )
            .await;
        assert_invalid_mentioning(&reply, "jitOrganizationIds", &[]);
    }
    for raw in [
        "not json",
        "",
        "{\"email\": \"a@example.com\"",
        "[\"a@example.com\"]",
        "\"a@example.com\"",
        "null",
    ] {
        let reply = api.post_raw("", raw).await;
        assert_error(&reply, 400, "invalid_input");
    }
    assert_eq!(api.get("").await.items().len(), 0, "nothing was created");
}

// ---------------------------------------------------------------------------------------------
// Secrecy of the token
// ---------------------------------------------------------------------------------------------

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Cell {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

/// Every value of every column of every table, as text: (table, column, value).
fn every_cell(conn: &mut DbConnection) -> Vec<(String, String, String)> {
    macro_rules! scan {
        ($conn:expr, $tables:expr, $columns:expr) => {{
            let conn = $conn;
            let tables: Vec<Name> = diesel::sql_query($tables).load(conn).expect("tables");
            let mut out = Vec::new();
            for table in tables {
                let columns: Vec<Name> = diesel::sql_query($columns(&table.name))
                    .load(conn)
                    .expect("columns");
                for column in columns {
                    let rows: Vec<Cell> = diesel::sql_query(format!(
                        "SELECT CAST(\"{}\" AS TEXT) AS v FROM \"{}\"",
                        column.name, table.name
                    ))
                    .load(conn)
                    .expect("cells");
                    out.extend(
                        rows.into_iter()
                            .filter_map(|c| c.v)
                            .map(|v| (table.name.clone(), column.name.clone(), v)),
                    );
                }
            }
            out
        }};
    }
    match conn {
        DbConnection::Sqlite(c) => scan!(
            c,
            "SELECT name FROM sqlite_master WHERE type = 'table'",
            |t: &str| format!("SELECT name FROM pragma_table_info('{t}')")
        ),
        DbConnection::Postgres(c) => scan!(
            c,
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            |t: &str| format!(
                "SELECT column_name::text AS name FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = '{t}'"
            )
        ),
    }
}

async fn the_token_is_random_and_shown_only_once(backend: Backend) {
    let api = Api::spawn(backend).await;
    let mut seen = BTreeSet::new();
    let mut made = Vec::new();
    for i in 0..5 {
        let t = api
            .create(json!({"email": format!("user{i}@example.com"), "context": {"campaign": "c"}}))
            .await;
        let secret = str_of(&t, "token");
        assert_eq!(secret.len(), 43, "32 random bytes in base64url: {secret:?}");
        assert!(
            secret
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "URL-safe: {secret:?}"
        );
        let bytes = URL_SAFE_NO_PAD.decode(&secret).expect("base64url");
        assert!(bytes.len() * 8 >= 190, "at least 190 bits");
        assert!(seen.insert(secret.clone()), "tokens are unique");
        made.push(t);
    }
    // Exercise every table that could pick the token up: a failed and a successful verify,
    // a revoke, a rate-limit counter.
    let first = &made[0];
    assert_eq!(
        api.verify(&str_of(first, "token"), "wrong@example.com")
            .await
            .status,
        400
    );
    assert_eq!(
        api.verify(&str_of(first, "token"), "user0@example.com")
            .await
            .status,
        200
    );
    assert_eq!(
        api.put_status(&id_of(&made[1]), &json!({"status": "revoked"}))
            .await
            .status,
        200
    );

    // Never in what the API shows after creation.
    let mut shown = vec![api.get("").await, api.get("?page=1&page_size=100").await];
    for t in &made {
        shown.push(api.get(&format!("/{}", id_of(t))).await);
    }
    shown.push(
        api.put_status(&id_of(&made[2]), &json!({"status": "revoked"}))
            .await,
    );
    shown.push(
        api.verify(&str_of(&made[3], "token"), "user3@example.com")
            .await,
    );
    for reply in &shown {
        assert_eq!(reply.status, 200, "{}", reply.text);
        let objects = match &reply.json {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        for o in objects {
            assert!(
                o.get("token").is_none(),
                "no `token` field after creation: {o}"
            );
        }
        for secret in &seen {
            assert!(
                !reply.text.contains(secret.as_str()),
                "token shown again: {}",
                reply.text
            );
        }
    }

    // Never at rest: scan every text value of every table.
    let cells = api
        .app
        .storage
        .run_blocking(|c| Ok(every_cell(c)))
        .expect("scan");
    let tables: BTreeSet<&str> = cells.iter().map(|(t, _, _)| t.as_str()).collect();
    for expected in ["one_time_tokens", "audit_log", "rate_limits"] {
        assert!(tables.contains(expected), "scanned {expected}: {tables:?}");
    }
    for secret in &seen {
        // Control: the scan does see the token's row, by its hash.
        let hash = sesame::crypto::sha256_b64url(secret);
        assert!(
            cells
                .iter()
                .any(|(t, c, v)| t == "one_time_tokens" && c == "token_hash" && v == &hash),
            "the hash is stored"
        );
        let leaks: Vec<_> = cells
            .iter()
            .filter(|(_, _, v)| v.contains(secret.as_str()))
            .collect();
        assert!(leaks.is_empty(), "plaintext token stored at {leaks:?}");
    }
}

on_both_backends!(
    create_returns_the_token_object,
    create_validates_expires_in,
    create_validates_email_context_and_body,
    the_token_is_random_and_shown_only_once,
);
