//! Who may call the one-time token API: bearer tokens that are management tokens, untampered,
//! unexpired and issued to a management application.

use super::*;

async fn every_route_requires_a_bearer_token(backend: Backend) {
    let api = Api::spawn(backend).await;
    let made = api.create_for("ada@example.com").await;
    let (id, secret) = (id_of(&made), str_of(&made, "token"));
    let no_auth = [
        api.http
            .post(api.url(""))
            .json(&json!({"email": "eve@example.com"})),
        api.http.get(api.url("")),
        api.http.get(api.url(&format!("/{id}"))),
        api.http
            .put(api.url(&format!("/{id}/status")))
            .json(&json!({"status": "revoked"})),
        api.http
            .post(api.url("/verify"))
            .json(&json!({"token": secret, "email": "ada@example.com"})),
        api.http.delete(api.url(&format!("/{id}"))),
    ];
    for request in no_auth {
        let reply = api.send(request).await;
        assert_error(&reply, 401, "unauthorized");
        assert!(!reply.text.contains(&id) && !reply.text.contains("ada@example.com"));
    }
    // Other schemes and garbage are no better.
    for header in [
        "Bearer garbage".to_owned(),
        "Bearer ".to_owned(),
        "Bearer a.b.c".to_owned(),
        format!(
            "Basic {}",
            URL_SAFE_NO_PAD.encode(format!("{}:x", api.app_id))
        ),
        api.token.clone(),
        format!("bearer-ish {}", api.token),
    ] {
        let reply = api
            .send(api.http.get(api.url("")).header("authorization", header))
            .await;
        assert_error(&reply, 401, "unauthorized");
    }
    // Nothing happened to the token: still there, still active, still redeemable.
    assert_eq!(api.status_of(&id).await, "active");
    let list = api.get("").await;
    assert_eq!(
        list.ids(),
        vec![id.clone()],
        "the unauthenticated create made nothing"
    );
    assert_eq!(api.verify(&secret, "ada@example.com").await.status, 200);
    // And the real token works on every route.
    assert_eq!(api.get("").await.status, 200);
}

async fn tampered_or_forged_tokens_are_refused(backend: Backend) {
    let api = Api::spawn(backend).await;
    let real = api.token.clone();
    assert_eq!(api.get_as(&real, "").await.status, 200);
    let parts: Vec<&str> = real.split('.').collect();
    assert_eq!(parts.len(), 3, "the management token is a JWS");
    let header = jwt_part(&real, 0);
    let claims = jwt_part(&real, 1);
    let kid = header["kid"].as_str().expect("kid").to_owned();

    let mut refused = Vec::new();
    // The signature altered in the middle.
    refused.push(format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        flip_char(parts[2], parts[2].len() / 2)
    ));
    // The claims changed (another client), the original signature kept.
    let mut widened = claims.clone();
    widened["client_id"] = json!("someone-else");
    widened["sub"] = json!("someone-else");
    refused.push(format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(widened.to_string()),
        parts[2]
    ));
    // No signature, and `alg: none`.
    refused.push(format!("{}.{}.", parts[0], parts[1]));
    let none = json!({"alg": "none", "typ": "at+jwt", "kid": kid});
    refused.push(format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(none.to_string()),
        parts[1]
    ));
    // The same claims signed by a random ES256 key under the server's kid, and under a new kid.
    let mut random = generate_key(SigningAlg::ES256, crate::common::now_ms()).expect("key");
    let fresh = KeySet::from_stored(std::slice::from_ref(&random)).expect("set");
    refused.push(
        fresh
            .sign(SigningAlg::ES256, JwtType::AccessToken, &claims)
            .expect("sign"),
    );
    random.kid = kid.clone();
    let impostor = KeySet::from_stored(&[random]).expect("set");
    refused.push(
        impostor
            .sign(SigningAlg::ES256, JwtType::AccessToken, &claims)
            .expect("sign"),
    );
    // HMAC "signed" with a guessable secret under the server's kid (algorithm confusion).
    let mut hs = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    hs.kid = Some(kid.clone());
    for secret in [kid.as_bytes(), b"secret".as_slice()] {
        refused.push(
            jsonwebtoken::encode(
                &hs,
                &claims,
                &jsonwebtoken::EncodingKey::from_secret(secret),
            )
            .expect("HS256"),
        );
    }
    // A random ES256 key used through jsonwebtoken, under the server's kid.
    let ec = generate_key(SigningAlg::ES256, crate::common::now_ms()).expect("key");
    let der = base64::engine::general_purpose::STANDARD
        .decode(&ec.private_der)
        .expect("der");
    let mut es = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    es.kid = Some(kid.clone());
    es.typ = Some("at+jwt".into());
    refused.push(
        jsonwebtoken::encode(&es, &claims, &jsonwebtoken::EncodingKey::from_ec_der(&der))
            .expect("forge with jsonwebtoken"),
    );

    // Properly signed by the server, but not a Management API token.
    let keys = server_keys(&api.app);
    let sign = |c: &Value| {
        keys.sign(SigningAlg::ES256, JwtType::AccessToken, c)
            .expect("sign")
    };
    assert_eq!(
        api.get_as(&sign(&claims), "").await.status,
        200,
        "control: the server's key re-signing the real claims is accepted"
    );
    let mut other_aud = claims.clone();
    other_aud["aud"] = json!(format!("{}/other-api", api.app.base));
    refused.push(sign(&other_aud));
    let mut client_aud = claims.clone();
    client_aud["aud"] = json!(api.app_id);
    refused.push(sign(&client_aud));
    let mut other_iss = claims.clone();
    other_iss["iss"] = json!("https://evil.example/oidc");
    refused.push(sign(&other_iss));
    let mut expired = claims.clone();
    let now = crate::common::now_ms() / 1000;
    expired["iat"] = json!(now - 7200);
    expired["exp"] = json!(now - 3600);
    refused.push(sign(&expired));
    // An ID-token-shaped JWT from the same issuer.
    refused.push(
        keys.sign(
            SigningAlg::RS256,
            JwtType::IdToken,
            &json!({
                "iss": api.app.issuer, "sub": "user-1", "aud": api.app_id,
                "iat": now, "exp": now + 600,
            }),
        )
        .expect("sign"),
    );

    assert!(refused.len() >= 12);
    for (i, bad) in refused.iter().enumerate() {
        let reply = api.get_as(bad, "").await;
        assert_eq!(
            reply.status, 401,
            "forgery #{i} must be refused: {}",
            reply.text
        );
        assert_error(&reply, 401, "unauthorized");
        let reply = api
            .post_as(bad, "", &json!({"email": "forged@example.com"}))
            .await;
        assert_error(&reply, 401, "unauthorized");
    }

    // Signed by the server for the Management API, but without the `all` scope: 403.
    let mut narrow = claims.clone();
    narrow["scope"] = json!("read");
    let reply = api.get_as(&sign(&narrow), "").await;
    assert_error(&reply, 403, "forbidden");
    let reply = api
        .post_as(&sign(&narrow), "", &json!({"email": "forged@example.com"}))
        .await;
    assert_error(&reply, 403, "forbidden");

    assert_eq!(
        api.get("").await.items().len(),
        0,
        "no refused call created anything"
    );
}

async fn tokens_from_the_user_flow_are_refused(backend: Backend) {
    const CALLBACK: &str = "http://127.0.0.1:9999/callback";
    let api = Api::spawn(backend).await;
    api.app.create_user("grace@example.com");
    let (client_id, secret) = api.app.create_app_full(
        AppType::Traditional,
        &[CALLBACK],
        &[],
        SigningAlg::ES256,
        false,
    );
    let rp = Rp::discover(&api.app, &client_id, secret.as_deref(), CALLBACK).await;
    let browser = browser();
    let pending = rp.authorize(&["email"], &[]);
    let callback = sign_in(&api.app, &browser, &pending.url, "grace@example.com").await;
    let tokens = rp.callback(&api.app, &callback, pending).await;
    use openidconnect::{OAuth2TokenResponse, TokenResponse};
    let id_token = tokens.id_token().expect("ID token").to_string();
    let access_token = tokens.access_token().secret().clone();
    for bearer in [id_token, access_token] {
        let reply = api.get_as(&bearer, "").await;
        assert_error(&reply, 401, "unauthorized");
        let reply = api
            .post_as(&bearer, "", &json!({"email": "grace@example.com"}))
            .await;
        assert_error(&reply, 401, "unauthorized");
    }
}

async fn an_expired_management_token_is_refused(backend: Backend) {
    let api = Api::spawn_with(backend, |s| s.access_token_ttl_secs = 1).await;
    assert_eq!(api.get("").await.status, 200, "fresh token works");
    api.app
        .clock
        .advance(std::time::Duration::from_millis(2100));
    let reply = api.get("").await;
    assert_error(&reply, 401, "unauthorized");
    let reply = api.post("", &json!({"email": "late@example.com"})).await;
    assert_error(&reply, 401, "unauthorized");
}

async fn only_management_apps_get_a_management_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, secret) = app.create_app_full(AppType::M2m, &[], &[], SigningAlg::RS256, false);
    let reply = request_management_token(&app, &id, secret.as_deref().expect("secret")).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(reply.json["error"], "invalid_target", "{}", reply.text);
    assert!(reply.json.get("access_token").is_none());
    // A wrong secret for a management app is no way in either.
    let (id, _) = app.create_app_full(AppType::M2m, &[], &[], SigningAlg::RS256, true);
    let reply = request_management_token(&app, &id, "not-the-secret").await;
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert_eq!(reply.json["error"], "invalid_client");
}

on_both_backends!(
    every_route_requires_a_bearer_token,
    tampered_or_forged_tokens_are_refused,
    tokens_from_the_user_flow_are_refused,
    an_expired_management_token_is_refused,
    only_management_apps_get_a_management_token,
);
