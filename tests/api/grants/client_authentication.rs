//! Client authentication at the token endpoint and malformed token requests.

use super::*;

async fn client_authentication_failures(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.settings.management_api_resource();
    let m2m = Client::m2m(&app, true);
    let web = Client::new(&app, AppType::Traditional);
    let spa = Client::new(&app, AppType::Spa);
    let cc = [
        ("grant_type", "client_credentials"),
        ("resource", api.as_str()),
        ("scope", "all"),
    ];

    // Wrong secret with Basic: 401 and a Basic challenge.
    let wrong = basic(&m2m.id, "not-the-secret");
    let reply = post(&app, "/oidc/token", Some(&wrong), &cc).await;
    reply.assert_oauth_error(401, "invalid_client");
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Basic"),
        "challenge was {challenge:?}"
    );

    // Wrong secret in the body.
    let mut form = cc.to_vec();
    form.extend([
        ("client_id", m2m.id.as_str()),
        ("client_secret", "not-the-secret"),
    ]);
    token(&app, &form)
        .await
        .assert_oauth_error(401, "invalid_client");

    // Unknown client, by Basic and in the body.
    let unknown = basic("no-such-client", m2m.secret());
    let reply = post(&app, "/oidc/token", Some(&unknown), &cc).await;
    reply.assert_oauth_error(401, "invalid_client");
    assert!(reply.header("www-authenticate").is_some());
    let mut form = cc.to_vec();
    form.extend([
        ("client_id", "no-such-client"),
        ("client_secret", m2m.secret()),
    ]);
    token(&app, &form)
        .await
        .assert_oauth_error(401, "invalid_client");

    // Basic and client_secret in the body together.
    let good = basic(&m2m.id, m2m.secret());
    let mut form = cc.to_vec();
    form.push(("client_secret", m2m.secret()));
    post(&app, "/oidc/token", Some(&good), &form)
        .await
        .assert_oauth_error(400, "invalid_request");

    // A confidential client without its secret.
    let mut form = cc.to_vec();
    form.push(("client_id", m2m.id.as_str()));
    token(&app, &form)
        .await
        .assert_oauth_error(401, "invalid_client");
    let no_secret = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "whatever"),
        ("client_id", web.id.as_str()),
    ];
    token(&app, &no_secret)
        .await
        .assert_oauth_error(401, "invalid_client");

    // A public client presenting a secret.
    let spa_with_secret = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "whatever"),
        ("client_id", spa.id.as_str()),
        ("client_secret", "anything"),
    ];
    token(&app, &spa_with_secret)
        .await
        .assert_oauth_error(401, "invalid_client");
    // The same request without the secret gets past authentication.
    token(&app, &spa_with_secret[..3])
        .await
        .assert_oauth_error(400, "invalid_grant");

    // The right credentials, both ways, succeed.
    post(&app, "/oidc/token", Some(&good), &cc).await.ok(200);
    client_credentials(&app, &m2m, &cc[1..]).await.ok(200);
}

async fn malformed_token_requests(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.settings.management_api_resource();
    let m2m = Client::m2m(&app, true);

    let mut form = vec![
        ("grant_type", "password"),
        ("username", "a"),
        ("password", "b"),
    ];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "unsupported_grant_type");
    let mut form = vec![("grant_type", "urn:ietf:params:oauth:grant-type:device_code")];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "unsupported_grant_type");

    // Missing (or empty) grant_type.
    let mut form = vec![("resource", api.as_str()), ("scope", "all")];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "invalid_request");
    let mut form = vec![("grant_type", ""), ("resource", api.as_str())];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "invalid_request");

    // A parameter given twice, even with the same value, is refused.
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("resource", api.as_str()),
        ("resource", api.as_str()),
    ];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "invalid_request");
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("grant_type", "client_credentials"),
        ("resource", api.as_str()),
    ];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "invalid_request");
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("resource", api.as_str()),
    ];
    form.extend(m2m.post_auth());
    form.push(("client_id", m2m.id.as_str()));
    token(&app, &form)
        .await
        .assert_oauth_error(400, "invalid_request");
}

on_both_backends!(client_authentication_failures, malformed_token_requests,);
