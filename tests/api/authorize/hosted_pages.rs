//! The hosted sign-in and registration pages: same answer for a wrong password and an unknown
//! email, CSRF tokens, the lockout after repeated failures, and sign-up.

use super::*;

// ---------------------------------------------------------------------------------------------
// the hosted sign-in page

async fn wrong_password_and_unknown_email_get_the_same_answer(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("state", "w").url(&env.app);
    let page = start_interaction(&env.app, &browser, &url).await;
    let (_, csrf) = open_page(&browser, &page).await;

    let mut messages = Vec::new();
    for (email, password) in [
        (ADA, "not the password"),
        ("nobody@example.com", PASSWORD),
        ("nobody@example.com", "not the password"),
    ] {
        let r = post_sign_in(&browser, &page, &csrf, email, password).await;
        assert_eq!(r.status(), 401, "{email}");
        assert!(r.headers().get("location").is_none());
        assert!(
            r.headers().get_all("set-cookie").iter().all(|c| !c
                .to_str()
                .unwrap_or_default()
                .starts_with("sesame_session=")),
            "no session after a failed sign-in"
        );
        let html = r.text().await.expect("html");
        let message = alert(&html).unwrap_or_else(|| panic!("an error message in {html}"));
        assert!(
            input_value(&html, "csrf").is_some(),
            "the form is shown again"
        );
        messages.push(message);
    }
    assert!(!messages[0].is_empty());
    assert!(
        messages.iter().all(|m| m == &messages[0]),
        "one generic message for every failure: {messages:?}"
    );

    // Still not signed in; then the right password works.
    let silent = env.request(&pkce).set("prompt", "none").url(&env.app);
    assert_error_redirect(
        &get(&browser, &silent).await,
        &env.app,
        "login_required",
        None,
    );
    let r = post_sign_in(&browser, &page, &csrf, ADA, PASSWORD).await;
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    assert_eq!(query_param(&callback, "state").as_deref(), Some("w"));
    env.exchange_ok(&callback, &pkce).await;
}

async fn sign_in_needs_the_pages_csrf_token(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let page = start_interaction(&env.app, &browser, &env.request(&pkce).url(&env.app)).await;
    let (_, csrf) = open_page(&browser, &page).await;

    // Another interaction's (valid) token, from another browser.
    let other = crate::common::browser();
    let other_page = start_interaction(&env.app, &other, &env.request(&pkce).url(&env.app)).await;
    let (_, other_csrf) = open_page(&other, &other_page).await;
    assert_ne!(csrf, other_csrf);

    let wrong_length = format!("{csrf}x");
    for bad in ["", "wrong", other_csrf.as_str(), wrong_length.as_str()] {
        let r = post_sign_in(&browser, &page, bad, ADA, PASSWORD).await;
        assert_error_page(r, 403, "csrf_mismatch").await;
    }
    // None of those signed anyone in; the page's own token does.
    let silent = env.request(&pkce).set("prompt", "none").url(&env.app);
    assert_error_redirect(
        &get(&browser, &silent).await,
        &env.app,
        "login_required",
        None,
    );
    let r = post_sign_in(&browser, &page, &csrf, ADA, PASSWORD).await;
    assert_eq!(r.status(), 303);
    env.exchange_ok(&location(&r), &pkce).await;
}

/// A form post that lacks the csrf field altogether is refused like a wrong one: the same 403
/// page, not a framework parse error.
async fn sign_in_without_a_csrf_field_is_forbidden(backend: Backend) {
    let env = env(backend).await;
    let browser = browser();
    let pkce = Pkce::new();
    let page = start_interaction(&env.app, &browser, &env.request(&pkce).url(&env.app)).await;
    open_page(&browser, &page).await;
    let r = browser
        .post(format!("{page}/sign-in"))
        .form(&[("email", ADA), ("password", PASSWORD)])
        .send()
        .await
        .expect("post");
    assert_error_page(r, 403, "csrf_mismatch").await;
    let silent = env.request(&pkce).set("prompt", "none").url(&env.app);
    assert_error_redirect(
        &get(&browser, &silent).await,
        &env.app,
        "login_required",
        None,
    );
}

async fn repeated_failures_lock_the_account_for_a_while(backend: Backend) {
    let env = env_with(backend, |s| {
        s.sign_in_failures_per_account = 3;
        s.sign_in_failure_window_secs = 2;
    })
    .await;
    let browser = browser();
    let pkce = Pkce::new();
    let page = start_interaction(&env.app, &browser, &env.request(&pkce).url(&env.app)).await;
    let (_, csrf) = open_page(&browser, &page).await;

    for _ in 0..3 {
        let r = post_sign_in(&browser, &page, &csrf, ADA, "not the password").await;
        assert_eq!(r.status(), 401);
    }
    // Locked: even the right password, in any letter case, is refused.
    for email in [ADA, "ADA@Example.com"] {
        let r = post_sign_in(&browser, &page, &csrf, email, PASSWORD).await;
        assert_eq!(r.status(), 429, "{email}");
        assert!(r.headers().get("location").is_none());
        let html = r.text().await.expect("html");
        assert!(alert(&html).is_some(), "{html}");
    }
    // Once the window has passed, the right password works again.
    env.app.clock.advance(Duration::from_millis(2100));
    let r = post_sign_in(&browser, &page, &csrf, ADA, PASSWORD).await;
    assert_eq!(r.status(), 303);
    env.exchange_ok(&location(&r), &pkce).await;
}

// ---------------------------------------------------------------------------------------------
// registration

async fn registration_creates_an_account_and_completes_the_flow(backend: Backend) {
    let env = env(backend).await;
    crate::common::sign_up_without_verification(&env.app).await;
    let browser = browser();
    let pkce = Pkce::new();
    let url = env.request(&pkce).set("state", "reg").url(&env.app);
    let page = start_interaction(&env.app, &browser, &url).await;
    let (html, _) = open_page(&browser, &page).await;
    assert!(
        html.contains("/register\""),
        "the sign-in page links to registration: {html}"
    );

    let (_, csrf) = open_page(&browser, &format!("{page}/register")).await;
    let r = browser
        .post(format!("{page}/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "Grace@Example.com"),
            ("name", "Grace Hopper"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    assert_eq!(query_param(&callback, "state").as_deref(), Some("reg"));
    let claims = id_claims(&env.exchange_ok(&callback, &pkce).await);
    assert_eq!(claims["email"], "Grace@Example.com");
    assert_ne!(claims["sub"], env.ada_id.as_str());
    assert_eq!(count_users(&env.app, "grace@example.com"), 1);

    // The new account signs in like any other, in another browser.
    let pkce2 = Pkce::new();
    let other = crate::common::browser();
    let callback = sign_in(
        &env.app,
        &other,
        &env.request(&pkce2).url(&env.app),
        "grace@example.com",
    )
    .await;
    let again = id_claims(&env.exchange_ok(&callback, &pkce2).await);
    assert_eq!(again["sub"], claims["sub"]);
}

async fn registration_is_closed_when_sign_up_is_disabled(backend: Backend) {
    let env = env_with(backend, |s| s.sign_up_enabled = false).await;
    let browser = browser();
    let pkce = Pkce::new();
    let page = start_interaction(&env.app, &browser, &env.request(&pkce).url(&env.app)).await;
    let (html, csrf) = open_page(&browser, &page).await;
    assert!(!html.contains("/register"), "no registration link: {html}");

    let r = get(&browser, &format!("{page}/register")).await;
    assert_error_page(r, 403, "sign_up_disabled").await;
    let r = browser
        .post(format!("{page}/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "grace@example.com"),
            ("name", "Grace"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("register");
    assert_error_page(r, 403, "sign_up_disabled").await;
    assert_eq!(count_users(&env.app, "grace@example.com"), 0);
}

async fn registering_an_existing_email_is_refused(backend: Backend) {
    let env = env(backend).await;
    crate::common::sign_up_without_verification(&env.app).await;
    let browser = browser();
    let pkce = Pkce::new();
    let page = start_interaction(&env.app, &browser, &env.request(&pkce).url(&env.app)).await;
    let (_, csrf) = open_page(&browser, &format!("{page}/register")).await;
    let other_password = "another password entirely";
    let r = browser
        .post(format!("{page}/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "ADA@example.COM"),
            ("name", "Impostor"),
            ("password", other_password),
        ])
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("location").is_none());
    assert!(
        r.headers().get_all("set-cookie").iter().all(|c| !c
            .to_str()
            .unwrap_or_default()
            .starts_with("sesame_session=")),
        "no session"
    );
    let html = r.text().await.expect("html");
    assert!(alert(&html).is_some(), "an error message: {html}");
    assert_eq!(count_users(&env.app, ADA), 1, "no second account");

    // Ada's account is untouched: her password works, the new one does not.
    let other = crate::common::browser();
    let page = start_interaction(&env.app, &other, &env.request(&pkce).url(&env.app)).await;
    let (_, csrf) = open_page(&other, &page).await;
    let r = post_sign_in(&other, &page, &csrf, ADA, other_password).await;
    assert_eq!(r.status(), 401);
    let r = post_sign_in(&other, &page, &csrf, ADA, PASSWORD).await;
    assert_eq!(r.status(), 303);
    let claims = id_claims(&env.exchange_ok(&location(&r), &pkce).await);
    assert_eq!(claims["sub"], env.ada_id.as_str());
}

on_both_backends!(
    wrong_password_and_unknown_email_get_the_same_answer,
    sign_in_needs_the_pages_csrf_token,
    sign_in_without_a_csrf_field_is_forbidden,
    repeated_failures_lock_the_account_for_a_while,
    registration_creates_an_account_and_completes_the_flow,
    registration_is_closed_when_sign_up_is_disabled,
    registering_an_existing_email_is_refused,
);
