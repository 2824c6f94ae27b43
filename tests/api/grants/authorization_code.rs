//! authorization_code with PKCE, and refresh tokens: rotation, reuse detection, scope narrowing
//! and binding to their client.

use super::*;

// ---------------------------------------------------------------------------------------------
// authorization_code

async fn code_exchange_with_pkce_issues_bearer_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(EMAIL);
    let client = Client::new(&app, AppType::Spa);

    let offline = tokens(&app, &client, "openid email offline_access").await;
    assert_eq!(offline.json["token_type"], "Bearer");
    assert_eq!(
        offline.json["expires_in"].as_i64(),
        Some(app.settings.access_token_ttl_secs)
    );
    assert_eq!(offline.json["scope"], "openid email offline_access");
    assert_eq!(offline.str("id_token").split('.').count(), 3);
    assert!(!offline.str("access_token").is_empty());
    assert!(!offline.str("refresh_token").is_empty());
    assert_eq!(offline.header("cache-control"), Some("no-store"));
    let id_token = jwt_part(&offline.str("id_token"), 1);
    assert_eq!(id_token["sub"], user.id.as_str());
    assert_eq!(id_token["aud"], client.id.as_str());
    assert_eq!(id_token["iss"], app.issuer.as_str());
    userinfo(&app, &offline.str("access_token")).await.ok(200);

    // Without offline_access there is no refresh token.
    let online = tokens(&app, &client, "openid email").await;
    assert_eq!(online.json["token_type"], "Bearer");
    assert_eq!(online.json["scope"], "openid email");
    assert!(online.json["id_token"].is_string());
    assert!(
        online.json.get("refresh_token").is_none(),
        "no offline_access, no refresh token: {}",
        online.json
    );
    assert_eq!(online.header("cache-control"), Some("no-store"));
}

async fn code_exchange_checks_the_pkce_verifier(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let client = Client::new(&app, AppType::Spa);

    // A verifier that does not match the challenge.
    let (code, verifier) = authorize(&app, &client, "openid").await;
    let wrong = random_token(32);
    assert_ne!(wrong, verifier);
    exchange(&app, &client, &code, &wrong)
        .await
        .assert_oauth_error(400, "invalid_grant");

    // No verifier at all for a code bound to a challenge.
    let (code, _) = authorize(&app, &client, "openid").await;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    form.extend(client.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "invalid_grant");

    // The right verifier works, once.
    let (code, verifier) = authorize(&app, &client, "openid").await;
    exchange(&app, &client, &code, &verifier).await.ok(200);
    exchange(&app, &client, &code, &verifier)
        .await
        .assert_oauth_error(400, "invalid_grant");
}

// ---------------------------------------------------------------------------------------------
// refresh_token

async fn refresh_rotation_and_reuse_revokes_the_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let spa = Client::new(&app, AppType::Spa);
    let first = tokens(&app, &spa, "openid offline_access").await;
    let rt0 = first.str("refresh_token");
    let at0 = first.str("access_token");

    let second = refresh(&app, &spa, &rt0, None).await;
    second.ok(200);
    assert_eq!(second.header("cache-control"), Some("no-store"));
    assert_eq!(second.json["token_type"], "Bearer");
    let rt1 = second.str("refresh_token");
    let at1 = second.str("access_token");
    assert_ne!(rt1, rt0, "rotation returns a new refresh token");
    assert_ne!(at1, at0);

    let third = refresh(&app, &spa, &rt1, None).await;
    third.ok(200);
    let rt2 = third.str("refresh_token");
    let at2 = third.str("access_token");
    assert!(rt2 != rt1 && rt2 != rt0);
    for at in [&at0, &at1, &at2] {
        userinfo(&app, at).await.ok(200);
    }

    // The rotated-out token again: refused, and the whole family is revoked.
    refresh(&app, &spa, &rt0, None)
        .await
        .assert_oauth_error(400, "invalid_grant");
    refresh(&app, &spa, &rt2, None)
        .await
        .assert_oauth_error(400, "invalid_grant");
    for at in [&at0, &at1, &at2] {
        assert_invalid_token(&userinfo(&app, at).await);
    }
}

async fn refresh_may_narrow_but_not_widen_the_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let client = Client::new(&app, AppType::Traditional);
    let first = tokens(&app, &client, "openid offline_access").await;

    let narrow = refresh(&app, &client, &first.str("refresh_token"), Some("openid")).await;
    narrow.ok(200);
    assert_eq!(narrow.json["scope"], "openid");
    assert!(narrow.json["id_token"].is_string());

    // The rotated token keeps the original grant: no scope asked, the whole grant comes back.
    let rt = narrow.str("refresh_token");
    let full = refresh(&app, &client, &rt, None).await;
    full.ok(200);
    assert_eq!(full.json["scope"], "openid offline_access");

    refresh(
        &app,
        &client,
        &full.str("refresh_token"),
        Some("openid email"),
    )
    .await
    .assert_oauth_error(400, "invalid_scope");
}

/// RFC 6749 6: the old refresh token may be revoked *after issuing* a new one; a request
/// refused for its scope issues nothing, so the client's token must still work.
async fn refused_refresh_leaves_the_token_usable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let client = Client::new(&app, AppType::Spa);
    let first = tokens(&app, &client, "openid offline_access").await;
    let rt = first.str("refresh_token");
    refresh(&app, &client, &rt, Some("openid email"))
        .await
        .assert_oauth_error(400, "invalid_scope");
    let retry = refresh(&app, &client, &rt, None).await;
    assert_eq!(
        retry.status, 200,
        "a refresh refused for its scope must not consume the refresh token: {}",
        retry.json
    );
    userinfo(&app, &first.str("access_token")).await.ok(200);
}

async fn refresh_token_is_bound_to_its_client(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let a = Client::new(&app, AppType::Spa);
    let b = Client::new(&app, AppType::Spa);
    let c = Client::new(&app, AppType::Traditional);
    let first = tokens(&app, &a, "openid offline_access").await;
    let rt = first.str("refresh_token");

    refresh(&app, &b, &rt, None)
        .await
        .assert_oauth_error(400, "invalid_grant");
    refresh(&app, &c, &rt, None)
        .await
        .assert_oauth_error(400, "invalid_grant");

    // Neither attempt consumed or revoked anything of A's.
    userinfo(&app, &first.str("access_token")).await.ok(200);
    let again = refresh(&app, &a, &rt, None).await;
    again.ok(200);
    assert_ne!(again.str("refresh_token"), rt);
}

on_both_backends!(
    code_exchange_with_pkce_issues_bearer_tokens,
    code_exchange_checks_the_pkce_verifier,
    refresh_rotation_and_reuse_revokes_the_family,
    refresh_may_narrow_but_not_widen_the_scope,
    refused_refresh_leaves_the_token_usable,
    refresh_token_is_bound_to_its_client,
);
