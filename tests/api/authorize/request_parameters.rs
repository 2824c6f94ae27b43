//! The parameters of an authorization request a relying party sends: `state` and `iss` coming
//! back, `nonce`, `prompt`, `max_age`, `id_token_hint`, `login_hint` and unknown parameters.

use super::*;

// ---------------------------------------------------------------------------------------------
// state and iss

async fn state_and_iss_come_back_unchanged(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();

    // Through the sign-in page.
    let state = "a b&c=d+e%20f/?#é";
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("state", state).url(&env.app);
    let callback = sign_in(&env.app, &browser, &url, ADA).await;
    assert_eq!(query_param(&callback, "state").as_deref(), Some(state));
    assert_eq!(
        query_param(&callback, "iss").as_deref(),
        Some(env.app.issuer.as_str())
    );
    env.exchange_ok(&callback, &pkce).await;

    // Through the live session, without a page.
    let state = "x=1&y=2 z;%";
    let pkce = Pkce::new();
    let r = get(
        &browser,
        &env.request(&pkce).set("state", state).url(&env.app),
    )
    .await;
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    code_of(&callback);
    assert_eq!(query_param(&callback, "state").as_deref(), Some(state));
    assert_eq!(
        query_param(&callback, "iss").as_deref(),
        Some(env.app.issuer.as_str())
    );
    env.exchange_ok(&callback, &pkce).await;

    // No state asked, none sent back.
    let pkce = Pkce::new();
    let r = get(&browser, &env.request(&pkce).url(&env.app)).await;
    let callback = location(&r);
    code_of(&callback);
    assert_eq!(query_param(&callback, "state"), None);
}

async fn state_and_iss_come_back_on_errors(backend: Backend) {
    let env = env(backend).await;
    let state = "a b&c=d";
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("response_type", "token")
        .set("state", state)
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "unsupported_response_type", Some(state));
}

async fn discovery_advertises_the_iss_parameter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc: Value = reqwest::get(app.url("/oidc/.well-known/openid-configuration"))
        .await
        .expect("discovery")
        .json()
        .await
        .expect("json");
    assert_eq!(doc["issuer"], app.issuer.as_str());
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
}

// ---------------------------------------------------------------------------------------------
// nonce

async fn nonce_ends_up_in_the_id_token(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();

    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("nonce", "n-0S6_WzA2Mj")
        .url(&env.app);
    let callback = sign_in(&env.app, &browser, &url, ADA).await;
    let claims = id_claims(&env.exchange_ok(&callback, &pkce).await);
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["sub"], env.ada_id.as_str());

    // Each request's own nonce, also when the session answers.
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("nonce", "second nonce")
        .url(&env.app);
    let callback = location(&get(&browser, &url).await);
    let claims = id_claims(&env.exchange_ok(&callback, &pkce).await);
    assert_eq!(claims["nonce"], "second nonce");

    // No nonce asked, none in the token.
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &env.request(&pkce).url(&env.app)).await);
    let claims = id_claims(&env.exchange_ok(&callback, &pkce).await);
    assert!(claims.get("nonce").is_none(), "{claims}");
}

// ---------------------------------------------------------------------------------------------
// prompt

async fn prompt_none_without_a_session_is_login_required(backend: Backend) {
    let env = env(backend).await;
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("prompt", "none")
        .set("state", "s 1")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "login_required", Some("s 1"));
}

async fn prompt_none_with_a_session_completes_silently(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    env.exchange_ok(&callback, &pkce).await;

    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("prompt", "none")
        .set("state", "silent")
        .url(&env.app);
    let r = get(&browser, &url).await;
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    code_of(&callback);
    assert_eq!(query_param(&callback, "state").as_deref(), Some("silent"));
    assert_eq!(
        query_param(&callback, "iss").as_deref(),
        Some(env.app.issuer.as_str())
    );
    let claims = id_claims(&env.exchange_ok(&callback, &pkce).await);
    assert_eq!(claims["sub"], env.ada_id.as_str());
}

async fn prompt_login_signs_in_again(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    let first = id_claims(&env.exchange_ok(&callback, &pkce).await)["auth_time"]
        .as_i64()
        .expect("auth_time");

    env.app.clock.advance(Duration::from_millis(1100));
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("prompt", "login").url(&env.app);
    // Despite the live session, the sign-in page again.
    let page = start_interaction(&env.app, &browser, &url).await;
    let callback = submit_sign_in(&env.app, &browser, &page, ADA, PASSWORD).await;
    let second = id_claims(&env.exchange_ok(&callback, &pkce).await)["auth_time"]
        .as_i64()
        .expect("auth_time");
    assert!(
        second > first,
        "a new authentication has a newer auth_time ({first} then {second})"
    );
}

async fn prompt_consent_is_accepted(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();

    // Without a session: the sign-in page, then straight back (first-party: no consent page).
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("prompt", "consent").url(&env.app);
    let callback = sign_in(&env.app, &browser, &url, ADA).await;
    env.exchange_ok(&callback, &pkce).await;

    // With a session: completes at once.
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("prompt", "consent").url(&env.app);
    let r = get(&browser, &url).await;
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    code_of(&callback);
    env.exchange_ok(&callback, &pkce).await;
}

// ---------------------------------------------------------------------------------------------
// max_age

async fn max_age_older_than_the_session_signs_in_again(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    let first = id_claims(&env.exchange_ok(&callback, &pkce).await)["auth_time"]
        .as_i64()
        .expect("auth_time");

    // A session younger than max_age is enough.
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("max_age", "60").url(&env.app);
    let callback = location(&get(&browser, &url).await);
    env.exchange_ok(&callback, &pkce).await;

    env.app.clock.advance(Duration::from_millis(1100));
    // Older than max_age: with prompt=none that is login_required...
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("max_age", "1")
        .set("prompt", "none")
        .url(&env.app);
    let r = get(&browser, &url).await;
    assert_error_redirect(&r, &env.app, "login_required", None);
    // ...and otherwise the sign-in page, then a fresh auth_time.
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("max_age", "1").url(&env.app);
    let callback = sign_in(&env.app, &browser, &url, ADA).await;
    let second = id_claims(&env.exchange_ok(&callback, &pkce).await)["auth_time"]
        .as_i64()
        .expect("auth_time");
    assert!(second > first, "{first} then {second}");
}

async fn max_age_must_be_a_number(backend: Backend) {
    let env = env(backend).await;
    for bad in ["abc", "-1", "1.5"] {
        let pkce = Pkce::new();
        let url = env
            .request(&pkce)
            .set("max_age", bad)
            .set("state", "m")
            .url(&env.app);
        let r = get(&browser(), &url).await;
        assert_error_redirect(&r, &env.app, "invalid_request", Some("m"));
    }
}

// ---------------------------------------------------------------------------------------------
// id_token_hint

async fn id_token_hint_of_the_session_user_allows_prompt_none(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    let tokens = env.exchange_ok(&callback, &pkce).await;
    let hint = tokens["id_token"].as_str().expect("id_token");

    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("prompt", "none")
        .set("id_token_hint", hint)
        .url(&env.app);
    let r = get(&browser, &url).await;
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    let claims = id_claims(&env.exchange_ok(&callback, &pkce).await);
    assert_eq!(claims["sub"], env.ada_id.as_str());
}

async fn id_token_hint_of_another_user_is_login_required(backend: Backend) {
    let env = env(backend).await;
    env.app.create_user(BOB);

    // Ada's ID token, from her own browser.
    let ada_browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(
        &env.app,
        &ada_browser,
        &env.request(&pkce).url(&env.app),
        ADA,
    )
    .await;
    let ada_token = env.exchange_ok(&callback, &pkce).await["id_token"]
        .as_str()
        .expect("id_token")
        .to_owned();

    // Bob is signed in on this browser.
    let bob_browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(
        &env.app,
        &bob_browser,
        &env.request(&pkce).url(&env.app),
        BOB,
    )
    .await;
    env.exchange_ok(&callback, &pkce).await;
    // Bob's session alone would answer prompt=none...
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("prompt", "none").url(&env.app);
    code_of(&location(&get(&bob_browser, &url).await));

    // ...but not when the client expects Ada.
    let url = env
        .request(&pkce)
        .set("prompt", "none")
        .set("id_token_hint", &ada_token)
        .set("state", "who")
        .url(&env.app);
    let r = get(&bob_browser, &url).await;
    assert_error_redirect(&r, &env.app, "login_required", Some("who"));

    // Without prompt=none, Ada is asked to sign in.
    let url = env
        .request(&pkce)
        .set("id_token_hint", &ada_token)
        .url(&env.app);
    start_interaction(&env.app, &bob_browser, &url).await;
}

async fn invalid_id_token_hint_is_invalid_request(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let callback = sign_in(&env.app, &browser, &env.request(&pkce).url(&env.app), ADA).await;
    let real = env.exchange_ok(&callback, &pkce).await["id_token"]
        .as_str()
        .expect("id_token")
        .to_owned();

    // A real token with another payload: the signature no longer holds.
    let parts: Vec<&str> = real.split('.').collect();
    let mut payload: Value =
        serde_json::from_slice(&crate::common::rp::base64_url_decode(parts[1])).expect("claims");
    payload["sub"] = Value::String("someone-else".into());
    let forged_payload = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&payload).expect("json"))
    };
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);

    // A genuine ID token, but issued to another client.
    let (other_id, other_secret) =
        env.app
            .create_app(AppType::Traditional, &[CALLBACK], SigningAlg::RS256);
    let other = env.as_client(other_id, other_secret);
    let pkce = Pkce::new();
    let callback = location(&get(&browser, &other.request(&pkce).url(&other.app)).await);
    let foreign = other.exchange_ok(&callback, &pkce).await["id_token"]
        .as_str()
        .expect("id_token")
        .to_owned();

    for hint in ["garbage", "a.b.c", forged.as_str(), foreign.as_str()] {
        for prompt in [None, Some("none")] {
            let pkce = Pkce::new();
            let mut request = env
                .request(&pkce)
                .set("id_token_hint", hint)
                .set("state", "h");
            if let Some(p) = prompt {
                request = request.set("prompt", p);
            }
            let r = get(&browser, &request.url(&env.app)).await;
            assert_error_redirect(&r, &env.app, "invalid_request", Some("h"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// login_hint, unknown parameters

async fn login_hint_prefills_the_email(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("login_hint", ADA).url(&env.app);
    let page = start_interaction(&env.app, &browser, &url).await;
    let (html, _) = open_page(&browser, &page).await;
    assert_eq!(input_value(&html, "email").as_deref(), Some(ADA));

    // Without a hint, the field is empty.
    let other = crate::common::browser();
    let page = start_interaction(&env.app, &other, &env.request(&pkce).url(&env.app)).await;
    let (html, _) = open_page(&other, &page).await;
    assert_eq!(input_value(&html, "email").as_deref(), Some(""));
}

async fn login_hint_is_escaped(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let hint = r#""><script>alert(1)</script>"#;
    let url = env.request(&pkce).set("login_hint", hint).url(&env.app);
    let page = start_interaction(&env.app, &browser, &url).await;
    let (html, _) = open_page(&browser, &page).await;
    assert!(!html.contains("<script"), "{html}");
}

async fn unknown_parameters_are_ignored(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("foo", "bar")
        .set("x-custom", "1")
        .set("state", "u")
        .url(&env.app);
    let callback = sign_in(&env.app, &browser, &url, ADA).await;
    assert_eq!(query_param(&callback, "state").as_deref(), Some("u"));
    env.exchange_ok(&callback, &pkce).await;
}

on_both_backends!(
    state_and_iss_come_back_unchanged,
    state_and_iss_come_back_on_errors,
    discovery_advertises_the_iss_parameter,
    nonce_ends_up_in_the_id_token,
    prompt_none_without_a_session_is_login_required,
    prompt_none_with_a_session_completes_silently,
    prompt_login_signs_in_again,
    prompt_consent_is_accepted,
    max_age_older_than_the_session_signs_in_again,
    max_age_must_be_a_number,
    id_token_hint_of_the_session_user_allows_prompt_none,
    id_token_hint_of_another_user_is_login_required,
    invalid_id_token_hint_is_invalid_request,
    login_hint_prefills_the_email,
    login_hint_is_escaped,
    unknown_parameters_are_ignored,
);
