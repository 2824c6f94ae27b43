//! client_credentials: verifiable JWT access tokens, resources and scopes, and which application
//! types may use which grant.

use super::*;

async fn client_credentials_issues_a_verifiable_jwt(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let m2m = Client::m2m(&app, true);
    let resource = app.settings.management_api_resource();
    assert_eq!(resource, format!("{}/api", app.base));
    let form = [
        ("grant_type", "client_credentials"),
        ("resource", resource.as_str()),
        ("scope", "all"),
    ];

    // client_secret_basic
    let reply = token_basic(&app, &m2m, &form).await;
    reply.ok(200);
    assert_eq!(reply.json["token_type"], "Bearer");
    assert_eq!(reply.json["scope"], "all");
    assert_eq!(
        reply.json["expires_in"].as_i64(),
        Some(app.settings.access_token_ttl_secs)
    );
    assert!(reply.json.get("refresh_token").is_none());
    assert!(reply.json.get("id_token").is_none());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let jwt = reply.str("access_token");

    // client_secret_post
    let mut with_post = form.to_vec();
    with_post.extend(m2m.post_auth());
    token(&app, &with_post).await.ok(200);

    // The header names ES256, at+jwt and a published key.
    let header = jwt_part(&jwt, 0);
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["typ"], "at+jwt");
    let kid = header["kid"].as_str().expect("kid");
    let jwks = send(reqwest::Client::new().get(app.url("/oidc/jwks"))).await;
    let keys = jwks.ok(200)["keys"].as_array().expect("keys").clone();
    let jwk = keys
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap_or_else(|| panic!("kid {kid} not in the JWKS {}", jwks.json));
    assert_eq!(jwk["kty"], "EC");
    assert_eq!(jwk["crv"], "P-256");

    let claims = jwt_part(&jwt, 1);
    assert_eq!(claims["aud"], resource.as_str());
    assert_eq!(claims["iss"], app.issuer.as_str());
    assert_eq!(claims["client_id"], m2m.id.as_str());
    assert_eq!(claims["scope"], "all");
    let (iat, exp) = (
        claims["iat"].as_i64().expect("iat"),
        claims["exp"].as_i64().expect("exp"),
    );
    assert!(exp > iat, "exp {exp} must be after iat {iat}");

    // The signature verifies with the published key, for this audience and issuer.
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
    let key = DecodingKey::from_ec_components(
        jwk["x"].as_str().expect("x"),
        jwk["y"].as_str().expect("y"),
    )
    .expect("EC key");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[resource.as_str()]);
    validation.set_issuer(&[app.issuer.as_str()]);
    let verified = decode::<Value>(&jwt, &key, &validation).expect("the JWT verifies");
    assert_eq!(verified.claims["client_id"], m2m.id.as_str());

    // Tampering with the payload (a wider scope) or the signature breaks verification.
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut widened = claims.clone();
    widened["scope"] = "all admin".into();
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&widened).expect("json"));
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert!(decode::<Value>(&forged, &key, &validation).is_err());
    let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("signature");
    signature[0] ^= 0x01;
    let flipped = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode(signature)
    );
    assert!(decode::<Value>(&flipped, &key, &validation).is_err());
    // And it is not valid for another audience.
    let mut other_audience = Validation::new(Algorithm::ES256);
    other_audience.set_audience(&["https://other.example/api"]);
    assert!(decode::<Value>(&jwt, &key, &other_audience).is_err());
}

async fn client_credentials_needs_an_available_resource_and_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let managing = Client::m2m(&app, true);
    let plain = Client::m2m(&app, false);
    let api = app.settings.management_api_resource();

    client_credentials(&app, &managing, &[("scope", "all")])
        .await
        .assert_oauth_error(400, "invalid_target");
    client_credentials(
        &app,
        &managing,
        &[
            ("resource", "https://unknown.example/api"),
            ("scope", "all"),
        ],
    )
    .await
    .assert_oauth_error(400, "invalid_target");
    client_credentials(&app, &plain, &[("resource", &api), ("scope", "all")])
        .await
        .assert_oauth_error(400, "invalid_target");
    client_credentials(&app, &managing, &[("resource", &api), ("scope", "admin")])
        .await
        .assert_oauth_error(400, "invalid_scope");
    client_credentials(
        &app,
        &managing,
        &[("resource", &api), ("scope", "all admin")],
    )
    .await
    .assert_oauth_error(400, "invalid_scope");
    // The same request with an available scope, and with none, succeeds.
    let ok = client_credentials(&app, &managing, &[("resource", &api), ("scope", "all")]).await;
    assert_eq!(ok.ok(200)["scope"], "all");
    let ok = client_credentials(&app, &managing, &[("resource", &api)]).await;
    assert_eq!(ok.ok(200)["scope"], "all");
}

async fn grant_types_are_limited_by_application_type(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.settings.management_api_resource();
    let spa = Client::new(&app, AppType::Spa);
    let web = Client::new(&app, AppType::Traditional);
    let m2m = Client::m2m(&app, true);

    for client in [&spa, &web] {
        client_credentials(&app, client, &[("resource", &api), ("scope", "all")])
            .await
            .assert_oauth_error(400, "unauthorized_client");
    }
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", "some-code"),
        ("redirect_uri", CALLBACK),
    ];
    form.extend(m2m.post_auth());
    token(&app, &form)
        .await
        .assert_oauth_error(400, "unauthorized_client");
    refresh(&app, &m2m, "some-refresh-token", None)
        .await
        .assert_oauth_error(400, "unauthorized_client");
}

on_both_backends!(
    client_credentials_issues_a_verifiable_jwt,
    client_credentials_needs_an_available_resource_and_scope,
    grant_types_are_limited_by_application_type,
);
