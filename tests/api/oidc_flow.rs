//! The whole journey of a relying party, driven by the `openidconnect` crate: discovery,
//! authorization code + PKCE through the hosted sign-in page, code exchange, ID token
//! verification, userinfo, refresh with rotation, revocation and logout.

use crate::common::rp::Rp;
use crate::common::{Backend, TestApp, browser, location, query_param, sign_in};
use openidconnect::{OAuth2TokenResponse, TokenResponse};
use sesame::crypto::SigningAlg;
use sesame::identity::applications::AppType;

const CALLBACK: &str = "http://127.0.0.1:9999/callback";
const AFTER_LOGOUT: &str = "http://127.0.0.1:9999/bye";

async fn full_journey(backend: Backend, app_type: AppType, alg: SigningAlg) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user("Ada@Example.com");
    let (client_id, secret) =
        app.create_app_full(app_type, &[CALLBACK], &[AFTER_LOGOUT], alg, false);
    let rp = Rp::discover(&app, &client_id, secret.as_deref(), CALLBACK).await;
    let browser = browser();

    // Sign in through the hosted page; the email is matched case-insensitively.
    let pending = rp.authorize(&["email", "profile", "offline_access"], &[]);
    let nonce = pending.nonce.clone();
    let callback = sign_in(&app, &browser, &pending.url, "ada@example.com").await;
    assert!(callback.starts_with(CALLBACK));
    let tokens = rp.callback(&app, &callback, pending).await;

    assert_eq!(Rp::id_token_alg(&tokens), alg.as_str());
    let claims = rp.verify_id_token(&tokens, &nonce);
    assert_eq!(claims.subject().as_str(), user.id);
    assert_eq!(claims.email().map(|e| e.as_str()), Some("Ada@Example.com"));
    assert!(claims.auth_time().is_some());
    assert_eq!(
        claims
            .auth_method_refs()
            .map(|a| a.iter().map(|m| m.as_str().to_owned()).collect::<Vec<_>>()),
        Some(vec!["pwd".to_owned()])
    );
    // at_hash is checked by the crate when present; make sure it is there.
    assert!(claims.access_token_hash().is_some());

    // Userinfo with the access token.
    let info: openidconnect::core::CoreUserInfoClaims = rp
        .client
        .user_info(
            tokens.access_token().clone(),
            Some(claims.subject().clone()),
        )
        .expect("userinfo endpoint")
        .request_async(&rp.http)
        .await
        .expect("userinfo");
    assert_eq!(info.email().map(|e| e.as_str()), Some("Ada@Example.com"));
    assert_eq!(info.email_verified(), Some(true));

    // Refresh with rotation: a new refresh token each time, the old one dead.
    let refresh = tokens
        .refresh_token()
        .expect("offline_access gives a refresh token")
        .clone();
    let refreshed = rp
        .client
        .exchange_refresh_token(&refresh)
        .expect("token endpoint")
        .request_async(&rp.http)
        .await
        .expect("refresh");
    let rotated = refreshed
        .refresh_token()
        .expect("rotated refresh token")
        .clone();
    assert_ne!(rotated.secret(), refresh.secret());
    let refreshed_claims = {
        use openidconnect::core::CoreJwsSigningAlgorithm;
        let algs: Vec<CoreJwsSigningAlgorithm> =
            rp.metadata.id_token_signing_alg_values_supported().clone();
        let verifier = rp.client.id_token_verifier().set_allowed_algs(algs);
        refreshed
            .id_token()
            .expect("refresh returns an ID token")
            .claims(&verifier, |_: Option<&openidconnect::Nonce>| Ok(()))
            .expect("refreshed ID token verifies")
            .clone()
    };
    assert_eq!(refreshed_claims.subject(), claims.subject());
    assert_eq!(
        refreshed_claims.auth_time(),
        claims.auth_time(),
        "auth_time is the original sign-in"
    );

    // Revocation of the new refresh token ends the grant. (The crate refuses to revoke over
    // plain HTTP, as RFC 7009 requires TLS in production; this call is the same request by hand.)
    let mut form = vec![
        ("token", rotated.secret().as_str()),
        ("token_type_hint", "refresh_token"),
        ("client_id", client_id.as_str()),
    ];
    if let Some(secret) = &secret {
        form.push(("client_secret", secret));
    }
    let r = rp
        .http
        .post(app.url("/oidc/token/revocation"))
        .form(&form)
        .send()
        .await
        .expect("revoke");
    assert_eq!(r.status(), 200);
    let after_revoke = rp
        .client
        .exchange_refresh_token(&rotated)
        .expect("token endpoint")
        .request_async(&rp.http)
        .await;
    assert!(
        after_revoke.is_err(),
        "a revoked refresh token must not work"
    );
    let info_after = rp
        .client
        .user_info(refreshed.access_token().clone(), None)
        .expect("userinfo endpoint")
        .request_async::<openidconnect::EmptyAdditionalClaims, _, openidconnect::core::CoreGenderClaim>(&rp.http)
        .await;
    assert!(
        info_after.is_err(),
        "revoking the refresh token revokes the grant's access tokens"
    );

    // Logout back to the registered post-logout URI with state; the session is gone after.
    let id_token = tokens.id_token().expect("id token").to_string();
    let r = browser
        .get(app.url("/oidc/session/end"))
        .query(&[
            ("id_token_hint", id_token.as_str()),
            ("post_logout_redirect_uri", AFTER_LOGOUT),
            ("state", "s-1"),
        ])
        .send()
        .await
        .expect("logout");
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert!(to.starts_with(AFTER_LOGOUT));
    assert_eq!(query_param(&to, "state").as_deref(), Some("s-1"));
    let silent = rp.authorize(&[], &[("prompt", "none")]);
    let r = browser.get(&silent.url).send().await.expect("authorize");
    assert_eq!(
        query_param(&location(&r), "error").as_deref(),
        Some("login_required")
    );
}

async fn spa_with_rs256(backend: Backend) {
    full_journey(backend, AppType::Spa, SigningAlg::RS256).await
}

async fn traditional_with_es256(backend: Backend) {
    full_journey(backend, AppType::Traditional, SigningAlg::ES256).await
}

async fn traditional_with_eddsa(backend: Backend) {
    full_journey(backend, AppType::Traditional, SigningAlg::EdDSA).await
}

on_both_backends!(
    spa_with_rs256,
    traditional_with_es256,
    traditional_with_eddsa
);
