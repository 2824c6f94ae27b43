//! Magic links end to end, as an application uses them: its backend creates a one-time token
//! through the Management API, its SPA sends the browser to /oidc/auth with `one_time_token`
//! and `login_hint`, and the `openidconnect` crate as relying party gets the tokens.

use crate::common::rp::{self, CALLBACK, Pending, Rp, amr};
use crate::common::{
    Backend, PASSWORD, browser, input_value, location, magic_link_token, page_error_code,
    page_html, query_param, start_interaction, submit_sign_in, token_status,
};
use openidconnect::core::CoreIdTokenClaims;

/// What the SPA asks for with a magic link.
const LINK_SCOPES: &[&str] = &["email", "offline_access"];

extends! {
    /// The shared world, with this module's sign-ins.
    struct World(rp::World);
}

async fn world_with(
    backend: Backend,
    configure: impl FnOnce(&mut sesame::config::Settings),
) -> World {
    World(rp::World::spawn_with(backend, configure).await)
}

async fn world(backend: Backend) -> World {
    world_with(backend, |_| {}).await
}

impl World {
    /// Follows a callback URL to verified ID token claims.
    async fn tokens(&self, callback: &str, pending: Pending) -> CoreIdTokenClaims {
        let nonce = pending.nonce.clone();
        let response = self.rp.callback(&self.app, callback, pending).await;
        assert_eq!(Rp::id_token_alg(&response), "ES256");
        self.rp.verify_id_token(&response, &nonce)
    }

    /// Signs in with a password first, so the browser has a session.
    async fn password_session(&self, browser: &reqwest::Client, email: &str) -> CoreIdTokenClaims {
        let pending = self.rp.authorize(&["email"], &[]);
        let callback = crate::common::sign_in(&self.app, browser, &pending.url, email).await;
        self.tokens(&callback, pending).await
    }
}

async fn existing_user_signs_in_without_a_password(backend: Backend) {
    let w = world(backend).await;
    let user = w.app.create_user("ada@example.com");
    let token = magic_link_token(&w.app, &w.bearer, "ada@example.com").await;
    let pending = w.link_request(&token, "Ada@Example.com", LINK_SCOPES, &[]);
    let r = browser().get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303, "straight back to the application");
    let callback = location(&r);
    assert!(callback.starts_with(CALLBACK));
    let claims = w.tokens(&callback, pending).await;
    assert_eq!(claims.subject().as_str(), user.id);
    assert_eq!(amr(&claims), vec!["email".to_owned()]);
    let auth_time = claims.auth_time().expect("auth_time").timestamp();
    assert!((chrono::Utc::now().timestamp() - auth_time).abs() <= 5);
    assert_eq!(
        token_status(&w.app, &w.bearer, "ada@example.com").await,
        vec!["consumed"]
    );
}

async fn new_email_registers_with_a_verified_email(backend: Backend) {
    let w = world(backend).await;
    let token = magic_link_token(&w.app, &w.bearer, "new@example.com").await;
    let pending = w.link_request(&token, "new@example.com", LINK_SCOPES, &[]);
    let r = browser().get(&pending.url).send().await.expect("authorize");
    assert_eq!(
        r.status(),
        303,
        "nothing to ask by default: passwordless registration"
    );
    let claims = w.tokens(&location(&r), pending).await;
    assert_eq!(claims.email().map(|e| e.as_str()), Some("new@example.com"));
    assert_eq!(claims.email_verified(), Some(true));
    assert_eq!(amr(&claims), vec!["email".to_owned()]);
}

async fn invitation_works_when_sign_up_is_disabled(backend: Backend) {
    let w = world_with(backend, |s| s.sign_up_enabled = false).await;
    // Ordinary registration is closed...
    let b = browser();
    let page = start_interaction(&w.app, &b, &w.rp.authorize(&[], &[]).url).await;
    let r = b
        .get(format!("{page}/register"))
        .send()
        .await
        .expect("register page");
    assert_eq!(r.status(), 403);
    // ...but an invitation link registers.
    let token = magic_link_token(&w.app, &w.bearer, "invited@example.com").await;
    let pending = w.link_request(&token, "invited@example.com", LINK_SCOPES, &[]);
    let r = browser().get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let claims = w.tokens(&location(&r), pending).await;
    assert_eq!(
        claims.email().map(|e| e.as_str()),
        Some("invited@example.com")
    );
}

async fn registration_asks_what_the_settings_require_and_never_strands(backend: Backend) {
    let w = world_with(backend, |s| {
        s.sign_up_enabled = false;
        s.sign_up_require_password = true;
        s.sign_up_require_name = true;
    })
    .await;
    let token = magic_link_token(&w.app, &w.bearer, "grace@example.com").await;
    let pending = w.link_request(&token, "grace@example.com", LINK_SCOPES, &[]);
    let b = browser();
    let r = b.get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let page = w.app.url(&location(&r));
    // The token is spent, yet the page (and a reload of it) carries on in the same interaction.
    assert_eq!(
        token_status(&w.app, &w.bearer, "grace@example.com").await,
        vec!["consumed"]
    );
    for _ in 0..2 {
        let html = page_html(&b, &page).await;
        assert!(html.contains("grace@example.com"));
        assert!(html.contains("<label for=\"password\">") && html.contains("<label for=\"name\">"));
        assert!(
            !html.contains("name=\"email\""),
            "the proven email is not asked again"
        );
    }
    let html = page_html(&b, &page).await;
    let csrf = input_value(&html, "csrf").expect("csrf");
    // A mistake re-renders the page; the person can still finish.
    let r = b
        .post(format!("{page}/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Grace"),
            ("password", "short"),
        ])
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 400);
    let r = b
        .post(format!("{page}/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Grace Hopper"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 303);
    let claims = w.tokens(&location(&r), pending).await;
    assert_eq!(claims.email_verified(), Some(true));
    // The password set during registration works for a later sign-in.
    let later = browser();
    let p = w.rp.authorize(&[], &[]);
    let callback = crate::common::sign_in(&w.app, &later, &p.url, "grace@example.com").await;
    assert!(query_param(&callback, "code").is_some());
}

async fn same_account_session_consumes_and_signs_in_again(backend: Backend) {
    let w = world(backend).await;
    let user = w.app.create_user("ada@example.com");
    let b = browser();
    let first = w.password_session(&b, "ada@example.com").await;
    assert_eq!(amr(&first), vec!["pwd".to_owned()]);
    w.app.clock.advance(std::time::Duration::from_millis(1100));
    let token = magic_link_token(&w.app, &w.bearer, "ada@example.com").await;
    let pending = w.link_request(&token, "ada@example.com", LINK_SCOPES, &[]);
    let r = b.get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303, "no question for the same account");
    let claims = w.tokens(&location(&r), pending).await;
    assert_eq!(claims.subject().as_str(), user.id);
    assert_eq!(amr(&claims), vec!["email".to_owned()]);
    assert!(
        claims.auth_time() > first.auth_time(),
        "the link is a new authentication"
    );
    assert_eq!(
        token_status(&w.app, &w.bearer, "ada@example.com").await,
        vec!["consumed"]
    );
}

/// Signed in as A, a link for B: the switch page, with the token untouched until the choice.
async fn switch_setup(w: &World, b: &reqwest::Client) -> (String, Pending, String) {
    w.app.create_user("a@example.com");
    w.password_session(b, "a@example.com").await;
    let token = magic_link_token(&w.app, &w.bearer, "b@example.com").await;
    let pending = w.link_request(&token, "b@example.com", LINK_SCOPES, &[]);
    let r = b.get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let page = w.app.url(&location(&r));
    let html = b
        .get(&page)
        .send()
        .await
        .expect("switch page")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("a@example.com") && html.contains("b@example.com"),
        "{html}"
    );
    assert_eq!(
        token_status(&w.app, &w.bearer, "b@example.com").await,
        vec!["active"],
        "asking must not consume the token"
    );
    let csrf = input_value(&html, "csrf").expect("csrf");
    (page, pending, csrf)
}

async fn switch_continue_signs_in_as_the_link_account(backend: Backend) {
    let w = world(backend).await;
    let b = browser();
    let b_user = w.app.create_user("b@example.com");
    let (page, pending, csrf) = switch_setup(&w, &b).await;
    let r = b
        .post(format!("{page}/switch"))
        .form(&[("csrf", csrf.as_str()), ("action", "continue")])
        .send()
        .await
        .expect("continue");
    assert_eq!(r.status(), 303);
    let claims = w.tokens(&location(&r), pending).await;
    assert_eq!(claims.subject().as_str(), b_user.id);
    assert_eq!(
        token_status(&w.app, &w.bearer, "b@example.com").await,
        vec!["consumed"]
    );
    // The browser's session is now B's.
    let silent = w.rp.authorize(&[], &[("prompt", "none")]);
    let r = b.get(&silent.url).send().await.expect("silent");
    let claims = w.tokens(&location(&r), silent).await;
    assert_eq!(claims.subject().as_str(), b_user.id);
}

async fn switch_back_keeps_the_current_account_and_the_link(backend: Backend) {
    let w = world(backend).await;
    let b = browser();
    let (page, pending, csrf) = switch_setup(&w, &b).await;
    let r = b
        .post(format!("{page}/switch"))
        .form(&[("csrf", csrf.as_str()), ("action", "back")])
        .send()
        .await
        .expect("back");
    assert_eq!(r.status(), 303, "back to the application, never an error");
    let claims = w.tokens(&location(&r), pending).await;
    assert_eq!(claims.email().map(|e| e.as_str()), Some("a@example.com"));
    assert_eq!(
        token_status(&w.app, &w.bearer, "b@example.com").await,
        vec!["active"]
    );
}

async fn prompt_login_signs_in_the_link_account_without_asking(backend: Backend) {
    let w = world(backend).await;
    let b = browser();
    w.app.create_user("a@example.com");
    w.password_session(&b, "a@example.com").await;
    let token = magic_link_token(&w.app, &w.bearer, "b@example.com").await;
    let pending = w.link_request(&token, "b@example.com", LINK_SCOPES, &[("prompt", "login")]);
    let r = b.get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    assert!(callback.starts_with(CALLBACK), "no switch page: {callback}");
    let claims = w.tokens(&callback, pending).await;
    assert_eq!(claims.email().map(|e| e.as_str()), Some("b@example.com"));
}

async fn prompt_none_never_consumes(backend: Backend) {
    let w = world(backend).await;
    w.app.create_user("ada@example.com");
    let token = magic_link_token(&w.app, &w.bearer, "ada@example.com").await;
    let pending = w.link_request(
        &token,
        "ada@example.com",
        LINK_SCOPES,
        &[("prompt", "none")],
    );
    let r = browser().get(&pending.url).send().await.expect("authorize");
    assert_eq!(
        query_param(&location(&r), "error").as_deref(),
        Some("login_required")
    );
    assert_eq!(
        token_status(&w.app, &w.bearer, "ada@example.com").await,
        vec!["active"]
    );
}

/// Each bad link ends on the error page naming its case, with a 4xx and no redirect.
async fn each_link_error_has_its_page(backend: Backend) {
    let w = world_with(backend, |_| {}).await;
    w.app.create_user("ada@example.com");
    let expect = |status: u16, code: &'static str, token: String, email: &'static str| {
        (status, code, token, email)
    };
    let consumed = magic_link_token(&w.app, &w.bearer, "ada@example.com").await;
    let used = w.link_request(&consumed, "ada@example.com", LINK_SCOPES, &[]);
    assert_eq!(
        browser()
            .get(&used.url)
            .send()
            .await
            .expect("first use")
            .status(),
        303
    );
    let revoked = magic_link_token(&w.app, &w.bearer, "ada@example.com").await;
    let list: serde_json::Value = reqwest::Client::new()
        .get(w.app.url("/api/one-time-tokens"))
        .bearer_auth(&w.bearer)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let revoked_id = list[0]["id"].as_str().expect("id").to_owned();
    let r = reqwest::Client::new()
        .put(
            w.app
                .url(&format!("/api/one-time-tokens/{revoked_id}/status")),
        )
        .bearer_auth(&w.bearer)
        .json(&serde_json::json!({"status": "revoked"}))
        .send()
        .await
        .expect("revoke");
    assert_eq!(r.status(), 200);
    let (_, expiring) = crate::common::create_one_time_token(
        &w.app.base,
        &w.bearer,
        serde_json::json!({"email": "ada@example.com", "expiresIn": 1}),
    )
    .await;
    let expiring = expiring["token"].as_str().expect("token").to_owned();
    let mismatched = magic_link_token(&w.app, &w.bearer, "ada@example.com").await;
    w.app.clock.advance(std::time::Duration::from_millis(1100));
    let cases = vec![
        expect(
            404,
            "token_not_found",
            sesame::crypto::random_token(32),
            "ada@example.com",
        ),
        expect(400, "email_mismatch", mismatched, "eve@example.com"),
        expect(410, "token_expired", expiring, "ada@example.com"),
        expect(410, "token_consumed", consumed, "ada@example.com"),
        expect(410, "token_revoked", revoked, "ada@example.com"),
    ];
    for (status, code, token, email) in cases {
        let pending = w.link_request(&token, email, LINK_SCOPES, &[]);
        let r = browser().get(&pending.url).send().await.expect("authorize");
        assert_eq!(r.status().as_u16(), status, "{code}");
        assert!(
            r.headers().get("location").is_none(),
            "never a redirect with the token in it"
        );
        let html = r.text().await.expect("html");
        assert_eq!(page_error_code(&html).as_deref(), Some(code));
        assert!(html.contains("new link"), "says what to do next");
        assert!(!html.contains(&token), "the page never echoes the token");
    }
}

/// 50 browsers click the same link at once: exactly one gets a code.
async fn racing_clicks_produce_one_code(backend: Backend) {
    let w = world(backend).await;
    w.app.create_user("ada@example.com");
    let token = magic_link_token(&w.app, &w.bearer, "ada@example.com").await;
    let mut handles = Vec::new();
    for _ in 0..50 {
        let url = w
            .link_request(&token, "ada@example.com", LINK_SCOPES, &[])
            .url;
        handles.push(actix_rt::spawn(async move {
            let r = browser().get(&url).send().await.expect("authorize");
            let status = r.status().as_u16();
            let code = r
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .and_then(|l| query_param(l, "code"));
            let page = if code.is_none() {
                page_error_code(&r.text().await.unwrap_or_default())
            } else {
                None
            };
            (status, code, page)
        }));
    }
    let mut codes = 0;
    for h in handles {
        let (status, code, page) = h.await.expect("task");
        if code.is_some() {
            codes += 1;
        } else {
            assert_eq!((status, page.as_deref()), (410, Some("token_consumed")));
        }
    }
    assert_eq!(codes, 1, "exactly one authorization code");
}

async fn login_hint_alone_only_prefills(backend: Backend) {
    let w = world(backend).await;
    w.app.create_user("ada@example.com");
    let b = browser();
    let pending = w.rp.authorize(&[], &[("login_hint", "ada@example.com")]);
    let page = start_interaction(&w.app, &b, &pending.url).await;
    let html = page_html(&b, &page).await;
    assert_eq!(
        input_value(&html, "email").as_deref(),
        Some("ada@example.com")
    );
    let callback = submit_sign_in(&w.app, &b, &page, "ada@example.com", PASSWORD).await;
    let claims = w.tokens(&callback, pending).await;
    assert_eq!(amr(&claims), vec!["pwd".to_owned()]);
}

on_both_backends!(
    existing_user_signs_in_without_a_password,
    new_email_registers_with_a_verified_email,
    invitation_works_when_sign_up_is_disabled,
    registration_asks_what_the_settings_require_and_never_strands,
    same_account_session_consumes_and_signs_in_again,
    switch_continue_signs_in_as_the_link_account,
    switch_back_keeps_the_current_account_and_the_link,
    prompt_login_signs_in_the_link_account_without_asking,
    prompt_none_never_consumes,
    each_link_error_has_its_page,
    racing_clicks_produce_one_code,
    login_hint_alone_only_prefills,
);
