//! Two Sesame processes behind one public URL, sharing one PostgreSQL: a magic link clicked
//! 50 times across both yields one code, and the creation limit is counted once for both.

use crate::common::process::{PUBLIC_URL, cli_json, create_m2m, start};
use crate::common::{
    Backend, TestDatabase, create_one_time_token, management_token_for, page_error_code,
    query_param,
};

const CALLBACK: &str = "http://127.0.0.1:9999/callback";

#[actix_rt::test]
async fn two_processes_share_consumption_and_rate_limits() {
    let db = TestDatabase::new(Backend::Postgres);
    let limits = [("SESAME_ONE_TIME_TOKENS_PER_EMAIL_PER_HOUR", "3")];
    let a = start(&db.url, &limits);
    let b = start(&db.url, &limits);
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
            CALLBACK,
            "--id-token-alg",
            "ES256",
        ],
    );
    cli_json(&db.url, &["user", "create", "--email", "ada@example.com"]);
    let (m2m_id, m2m_secret) = (
        m2m["id"].as_str().expect("id"),
        m2m["secret"].as_str().expect("secret"),
    );
    let spa_id = spa["id"].as_str().expect("id").to_owned();

    // A token from either instance is good on both: they share keys through the database.
    let bearer = management_token_for(&a.base, PUBLIC_URL, m2m_id, m2m_secret).await;
    let (status, created) = create_one_time_token(
        &b.base,
        &bearer,
        serde_json::json!({"email": "ada@example.com"}),
    )
    .await;
    assert_eq!(status, 201);
    let token = created["token"].as_str().expect("token").to_owned();

    let mut handles = Vec::new();
    for i in 0..50 {
        let base = if i % 2 == 0 {
            a.base.clone()
        } else {
            b.base.clone()
        };
        let verifier = sesame::crypto::random_token(32);
        let url = reqwest::Url::parse_with_params(
            &format!("{base}/oidc/auth"),
            &[
                ("response_type", "code"),
                ("client_id", spa_id.as_str()),
                ("redirect_uri", CALLBACK),
                ("scope", "openid"),
                ("state", "s"),
                ("code_challenge", &sesame::crypto::sha256_b64url(&verifier)),
                ("code_challenge_method", "S256"),
                ("one_time_token", token.as_str()),
                ("login_hint", "ada@example.com"),
            ],
        )
        .expect("url");
        handles.push(actix_rt::spawn(async move {
            let r = crate::common::browser()
                .get(url)
                .send()
                .await
                .expect("authorize");
            let code = r
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .and_then(|l| query_param(l, "code"));
            let page = match code {
                Some(_) => None,
                None => page_error_code(&r.text().await.unwrap_or_default()),
            };
            (code, page)
        }));
    }
    let mut codes = 0;
    for h in handles {
        match h.await.expect("task") {
            (Some(_), _) => codes += 1,
            (None, page) => assert_eq!(page.as_deref(), Some("token_consumed")),
        }
    }
    assert_eq!(codes, 1, "exactly one code across both instances");

    // The limit of 3 per email is counted once for both instances.
    let body = serde_json::json!({"email": "Limit@Example.com"});
    for base in [&a.base, &b.base, &a.base] {
        assert_eq!(
            create_one_time_token(base, &bearer, body.clone()).await.0,
            201
        );
    }
    for base in [&b.base, &a.base] {
        let (status, body) = create_one_time_token(
            base,
            &bearer,
            serde_json::json!({"email": "limit@example.com"}),
        )
        .await;
        assert_eq!(status, 429, "{body}");
    }
}
