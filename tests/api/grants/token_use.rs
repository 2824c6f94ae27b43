//! Using issued tokens: introspection, revocation and userinfo.

use super::*;
use crate::common::api::object_keys;

async fn introspection_reports_token_state(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(EMAIL);
    // A resource server registered as an introspector: it learns of every client's tokens
    // (attack_introspection_by_anyone checks that other clients learn only of their own).
    let web = Client::introspector(&app);
    let spa = Client::new(&app, AppType::Spa);
    let m2m = Client::m2m(&app, true);
    let api = app.settings.management_api_resource();

    let user_tokens = tokens(&app, &spa, "openid email").await;
    let at = user_tokens.str("access_token");
    let active = introspect(&app, &web, &at).await;
    active.ok(200);
    assert_eq!(active.json["active"], true);
    assert_eq!(active.json["sub"], user.id.as_str());
    assert_eq!(active.json["client_id"], spa.id.as_str());
    assert_eq!(active.json["scope"], "openid email");
    assert_eq!(active.header("cache-control"), Some("no-store"));
    // Basic authentication works too.
    let auth = basic(&web.id, web.secret());
    let reply = post(
        &app,
        "/oidc/token/introspection",
        Some(&auth),
        &[("token", &at)],
    )
    .await;
    assert_eq!(reply.ok(200)["active"], true);

    // After revocation.
    revoke(&app, &spa, &at, Some("access_token")).await.ok(200);
    let revoked = introspect(&app, &web, &at).await;
    assert_eq!(revoked.ok(200), &serde_json::json!({"active": false}));

    // A client_credentials JWT.
    let cc = client_credentials(&app, &m2m, &[("resource", &api), ("scope", "all")]).await;
    let jwt = cc.str("access_token");
    let reply = introspect(&app, &web, &jwt).await;
    reply.ok(200);
    assert_eq!(reply.json["active"], true);
    assert_eq!(reply.json["client_id"], m2m.id.as_str());
    assert_eq!(reply.json["scope"], "all");
    assert_eq!(reply.json["aud"], api.as_str());

    // Garbage, and a JWT whose payload was changed.
    for junk in ["not-a-token", "a.b.c", &random_token(32)] {
        let reply = introspect(&app, &web, junk).await;
        assert_eq!(
            reply.ok(200),
            &serde_json::json!({"active": false}),
            "{junk}"
        );
    }
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut claims = jwt_part(&jwt, 1);
    claims["client_id"] = "someone-else".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("json")),
        parts[2]
    );
    let reply = introspect(&app, &web, &forged).await;
    assert_eq!(reply.ok(200), &serde_json::json!({"active": false}));

    // Public clients may not introspect; neither may a confidential one with a wrong secret.
    introspect(&app, &spa, &jwt)
        .await
        .assert_oauth_error(401, "invalid_client");
    let wrong = [
        ("token", jwt.as_str()),
        ("client_id", web.id.as_str()),
        ("client_secret", "wrong"),
    ];
    post(&app, "/oidc/token/introspection", None, &wrong)
        .await
        .assert_oauth_error(401, "invalid_client");
}

async fn revocation_rules(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let a = Client::new(&app, AppType::Traditional);
    let b = Client::new(&app, AppType::Spa);

    let a_tokens = tokens(&app, &a, "openid offline_access").await;
    let b_tokens = tokens(&app, &b, "openid offline_access").await;
    let a_at = a_tokens.str("access_token");
    let b_at = b_tokens.str("access_token");
    let b_rt = b_tokens.str("refresh_token");

    // Another client's tokens are refused (RFC 7009 2.1) and left alone.
    for (token, hint) in [(&b_at, "access_token"), (&b_rt, "refresh_token")] {
        let reply = revoke(&app, &a, token, Some(hint)).await;
        assert_eq!(reply.status, 400);
        assert_eq!(reply.json["error"], "invalid_request");
    }
    userinfo(&app, &b_at).await.ok(200);

    // An unknown token: 200 all the same.
    let reply = revoke(&app, &a, &random_token(32), None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("cache-control"), Some("no-store"));

    // Revoking one's own access token: /oidc/me refuses it.
    userinfo(&app, &a_at).await.ok(200);
    let reply = revoke(&app, &a, &a_at, Some("access_token")).await;
    assert_eq!(reply.status, 200);
    assert_invalid_token(&userinfo(&app, &a_at).await);
    // Revoking an access token leaves the refresh token working.
    refresh(&app, &a, &a_tokens.str("refresh_token"), None)
        .await
        .ok(200);

    // B's refresh token survived A's attempt, and B can revoke it itself.
    let b_next = refresh(&app, &b, &b_rt, None).await;
    b_next.ok(200);
    revoke(&app, &b, &b_next.str("refresh_token"), None)
        .await
        .ok(200);
    refresh(&app, &b, &b_next.str("refresh_token"), None)
        .await
        .assert_oauth_error(400, "invalid_grant");
}

async fn userinfo_accepts_bearer_tokens_and_releases_claims_by_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(EMAIL);
    let client = Client::new(&app, AppType::Spa);
    let http = reqwest::Client::new();
    let me = app.url("/oidc/me");

    let all = tokens(&app, &client, "openid email profile").await;
    let at = all.str("access_token");
    let expected = serde_json::json!({
        "sub": user.id,
        "email": EMAIL,
        "email_verified": true,
        "name": "Test Person",
    });

    let get = userinfo(&app, &at).await;
    assert_eq!(get.ok(200), &expected);
    assert_eq!(get.header("cache-control"), Some("no-store"));
    let post_header = send(http.post(&me).bearer_auth(&at)).await;
    assert_eq!(post_header.ok(200), &expected);
    let post_form = send(http.post(&me).form(&[("access_token", at.as_str())])).await;
    assert_eq!(post_form.ok(200), &expected);

    // No token at all.
    for reply in [
        send(http.get(&me)).await,
        send(http.post(&me).form(&[("other", "x")])).await,
    ] {
        assert_eq!(reply.status, 401);
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        // RFC 6750 3.1: no credentials, no error code in the challenge.
        assert!(
            challenge.starts_with("Bearer") && !challenge.contains("error="),
            "challenge was {challenge:?}"
        );
    }
    // A token that was never issued.
    assert_invalid_token(&userinfo(&app, &random_token(32)).await);

    // Claims follow the scope.
    for (scope, expected) in [
        ("openid", vec!["sub"]),
        ("openid email", vec!["email", "email_verified", "sub"]),
        ("openid profile", vec!["name", "sub"]),
    ] {
        let t = tokens(&app, &client, scope).await;
        let reply = userinfo(&app, &t.str("access_token")).await;
        assert_eq!(
            object_keys(reply.ok(200)).into_iter().collect::<Vec<_>>(),
            expected,
            "scope {scope}"
        );
        assert_eq!(reply.json["sub"], user.id.as_str());
    }
}

on_both_backends!(
    introspection_reports_token_state,
    revocation_rules,
    userinfo_accepts_bearer_tokens_and_releases_claims_by_scope,
);
