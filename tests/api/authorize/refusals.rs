//! Refused authorization requests: sent back to the client as a redirect once the client and its
//! redirect URI are trusted, shown as an error page before.

use super::*;

// ---------------------------------------------------------------------------------------------
// refusals sent back to the client

async fn request_objects_are_not_supported(backend: Backend) {
    let env = env(backend).await;
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("request", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.")
        .set("state", "r")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "request_not_supported", Some("r"));

    let url = env
        .request(&pkce)
        .set("request_uri", "https://rp.example/request.jwt")
        .set("state", "r")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "request_uri_not_supported", Some("r"));
}

async fn unsupported_response_type_is_refused(backend: Backend) {
    let env = env(backend).await;
    for response_type in ["token", "id_token", "code id_token", "code token"] {
        let pkce = Pkce::new();
        let url = env
            .request(&pkce)
            .set("response_type", response_type)
            .set("state", "t")
            .url(&env.app);
        let r = get(&browser(), &url).await;
        assert_error_redirect(&r, &env.app, "unsupported_response_type", Some("t"));
    }
}

async fn the_openid_scope_is_required(backend: Backend) {
    let env = env(backend).await;
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("scope", "email profile")
        .set("state", "s")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "invalid_scope", Some("s"));
}

async fn spa_needs_a_code_challenge(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (spa, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::ES256);
    let pkce = Pkce::new();

    let url = AuthRequest::new(&spa, &pkce)
        .remove("code_challenge")
        .remove("code_challenge_method")
        .set("state", "p")
        .url(&app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &app, "invalid_request", Some("p"));

    // The same request with PKCE goes on to the sign-in page.
    let url = AuthRequest::new(&spa, &pkce).url(&app);
    start_interaction(&app, &browser(), &url).await;
}

async fn plain_pkce_is_refused(backend: Backend) {
    let env = env(backend).await;
    let pkce = Pkce::new();
    // Explicitly plain.
    let url = env
        .request(&pkce)
        .set("code_challenge", &pkce.verifier)
        .set("code_challenge_method", "plain")
        .set("state", "p")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "invalid_request", Some("p"));
    // No method means plain (RFC 7636 4.3).
    let url = env
        .request(&pkce)
        .remove("code_challenge_method")
        .set("state", "p")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_redirect(&r, &env.app, "invalid_request", Some("p"));
}

async fn repeated_parameters_are_refused(backend: Backend) {
    let env = env(backend).await;
    for name in ["scope", "response_type", "nonce", "code_challenge"] {
        let pkce = Pkce::new();
        let value = match name {
            "scope" => "openid".to_owned(),
            "response_type" => "code".to_owned(),
            "code_challenge" => pkce.challenge.clone(),
            _ => "n".to_owned(),
        };
        let url = env
            .request(&pkce)
            .remove(name)
            .set("state", "rep")
            .add(name, &value)
            .add(name, &value)
            .url(&env.app);
        let r = get(&browser(), &url).await;
        assert_error_redirect(&r, &env.app, "invalid_request", Some("rep"));
    }
}

// ---------------------------------------------------------------------------------------------
// refusals shown as a page: the client or its redirect URI cannot be trusted

async fn unknown_client_gets_an_error_page(backend: Backend) {
    let env = env(backend).await;
    let pkce = Pkce::new();
    let url = AuthRequest::new("no-such-client", &pkce)
        .set("state", "x")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_page(r, 400, "invalid_client").await;

    // No client_id at all.
    let url = env
        .request(&pkce)
        .remove("client_id")
        .set("state", "x")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_page(r, 400, "invalid_request").await;
}

async fn unregistered_redirect_uri_gets_an_error_page(backend: Backend) {
    let env = env(backend).await;
    let near_misses = [
        "http://127.0.0.1:9999/callback/",
        "http://127.0.0.1:9999/callback?extra=1",
        "http://127.0.0.1:9999/callback#frag",
        "http://127.0.0.1:9999/Callback",
        "http://127.0.0.1:9999/callbackx",
        "http://127.0.0.1:9998/callback",
        "https://127.0.0.1:9999/callback",
        "http://localhost:9999/callback",
        "http://127.0.0.1:9999/callback/../callback",
        "https://evil.example/callback",
    ];
    for uri in near_misses {
        let pkce = Pkce::new();
        let url = env
            .request(&pkce)
            .set("redirect_uri", uri)
            .set("state", "x")
            .url(&env.app);
        let r = get(&browser(), &url).await;
        assert_error_page(r, 400, "invalid_redirect_uri").await;
    }
    // Even when the rest of the request is wrong too, nothing is sent to that URI.
    let pkce = Pkce::new();
    let url = env
        .request(&pkce)
        .set("redirect_uri", "https://evil.example/callback")
        .set("response_type", "token")
        .set("prompt", "none")
        .remove("scope")
        .url(&env.app);
    let r = get(&browser(), &url).await;
    assert_error_page(r, 400, "invalid_redirect_uri").await;
}

on_both_backends!(
    request_objects_are_not_supported,
    unsupported_response_type_is_refused,
    the_openid_scope_is_required,
    spa_needs_a_code_challenge,
    plain_pkce_is_refused,
    repeated_parameters_are_refused,
    unknown_client_gets_an_error_page,
    unregistered_redirect_uri_gets_an_error_page,
);
