//! Authorization codes at the token endpoint: single use, expiry, the redirect URI and PKCE.

use super::*;

async fn codes_are_single_use_and_a_replay_revokes_the_tokens(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("scope", "openid email offline_access")
        .url(&env.app);
    let callback = sign_in(&env.app, &browser, &url, ADA).await;
    let code = code_of(&callback);

    let (status, tokens) = env.exchange(&code, CALLBACK, Some(&pkce.verifier)).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().expect("access_token");
    let refresh = tokens["refresh_token"].as_str().expect("refresh_token");
    let me = |token: String| {
        let url = env.app.url("/oidc/me");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("userinfo")
                .status()
                .as_u16()
        }
    };
    assert_eq!(me(access.to_owned()).await, 200);

    let (status, body) = env.exchange(&code, CALLBACK, Some(&pkce.verifier)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(
        me(access.to_owned()).await,
        401,
        "the replay revokes the access token of the first exchange"
    );
    let (status, body) = env
        .token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["error"], "invalid_grant",
        "the replay revokes the refresh token too"
    );
}

async fn expired_codes_are_invalid_grant(backend: Backend) {
    let env = env_with(backend, |s| s.authorization_code_ttl_secs = 1).await;
    let browser = browser();
    // A code used at once works...
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    env.exchange_ok(&callback, &pkce).await;

    // ...one used after its lifetime does not.
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
    env.app.clock.advance(Duration::from_millis(1500));
    let (status, body) = env
        .exchange(&code_of(&callback), CALLBACK, Some(&pkce.verifier))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
}

async fn the_redirect_uri_must_match_at_the_token_endpoint(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    // Registered for the client, but not the one the code was issued for.
    let (status, body) = env
        .exchange(&code_of(&callback), OTHER_CALLBACK, Some(&pkce.verifier))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");

    for wrong in ["http://127.0.0.1:9999/callback/", "https://evil.example/cb"] {
        let pkce = Pkce::new();
        let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
        let (status, body) = env
            .exchange(&code_of(&callback), wrong, Some(&pkce.verifier))
            .await;
        assert_eq!(status, 400, "{wrong}: {body}");
        assert_eq!(body["error"], "invalid_grant", "{wrong}");
    }

    // The right one works.
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
    env.exchange_ok(&callback, &pkce).await;
}

async fn a_wrong_code_verifier_is_invalid_grant(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    let (status, body) = env
        .exchange(&code_of(&callback), CALLBACK, Some(&Pkce::new().verifier))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");

    // The challenge itself is not the verifier.
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
    let (status, body) = env
        .exchange(&code_of(&callback), CALLBACK, Some(&pkce.challenge))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");

    // No verifier for a code that had a challenge.
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
    let (status, body) = env.exchange(&code_of(&callback), CALLBACK, None).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");

    // The right verifier works.
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
    env.exchange_ok(&callback, &pkce).await;
}

async fn a_code_verifier_without_a_challenge_is_invalid_grant(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let without_pkce = |pkce: &Pkce| {
        env.request(pkce)
            .remove("code_challenge")
            .remove("code_challenge_method")
            .url(&env.app)
    };
    let callback = sign_in(&env.app, &browser, &without_pkce(&pkce), ADA).await;
    let (status, body) = env
        .exchange(&code_of(&callback), CALLBACK, Some(&pkce.verifier))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");

    // Without a verifier, a confidential client's code without PKCE works.
    let callback = location(&get(&browser, &without_pkce(&pkce)).await);
    let (status, body) = env.exchange(&code_of(&callback), CALLBACK, None).await;
    assert_eq!(status, 200, "{body}");
}

on_both_backends!(
    codes_are_single_use_and_a_replay_revokes_the_tokens,
    expired_codes_are_invalid_grant,
    the_redirect_uri_must_match_at_the_token_endpoint,
    a_wrong_code_verifier_is_invalid_grant,
    a_code_verifier_without_a_challenge_is_invalid_grant,
);
