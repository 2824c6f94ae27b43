//! Attack: checks skipped on "stay". Signed in as A, a magic link for B shows the switch page;
//! "Stay signed in as A" must go through the same checks (`max_age`, `id_token_hint`,
//! `prompt`) as the same authorization request without a link, never a silent code for A.

use std::time::Duration;

use openidconnect::TokenResponse;

use crate::common::rp::{self, Pending};
use crate::common::{
    Backend, browser, input_value, location, magic_link_token, page_html, query_param, sign_in,
    token_status,
};

/// Signs `email` in on `b` with a password; the callback URL.
async fn password_session(w: &rp::World, b: &reqwest::Client, email: &str) -> String {
    let pending = w.rp.authorize(&[], &[]);
    sign_in(&w.app, b, &pending.url, email).await
}

/// Where `extra` sends A's browser without a link: the first redirect.
async fn without_a_link(w: &rp::World, b: &reqwest::Client, extra: &[(&str, &str)]) -> String {
    let pending = w.rp.authorize(&[], extra);
    let r = b.get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    location(&r)
}

/// The same request with a link for B, answered "stay" on the switch page: the redirect.
async fn with_a_link_and_stay(
    w: &rp::World,
    b: &reqwest::Client,
    extra: &[(&str, &str)],
) -> (String, Pending) {
    let token = magic_link_token(&w.app, &w.bearer, "b@example.com").await;
    let pending = w.link_request(&token, "b@example.com", &[], extra);
    let r = b.get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let page = w.app.url(&location(&r));
    let html = page_html(b, &page).await;
    assert!(html.contains("Switch account?"), "the switch page: {html}");
    let csrf = input_value(&html, "csrf").expect("csrf");
    let r = b
        .post(format!("{page}/switch"))
        .form(&[("csrf", csrf.as_str()), ("action", "back")])
        .send()
        .await
        .expect("stay");
    assert_eq!(r.status(), 303);
    assert_eq!(
        token_status(&w.app, &w.bearer, "b@example.com").await,
        vec!["active"],
        "staying never uses the link"
    );
    (location(&r), pending)
}

/// The sign-in page the redirect `to` leads to (no code).
async fn assert_sign_in_page(w: &rp::World, b: &reqwest::Client, to: &str, case: &str) {
    assert!(
        query_param(to, "code").is_none(),
        "{case}: a code for A was issued silently: {to}"
    );
    assert!(to.starts_with("/interaction/"), "{case}: {to}");
    let html = page_html(b, &w.app.url(to)).await;
    assert!(
        input_value(&html, "csrf").is_some() && html.contains(r#"name="password""#),
        "{case}: the sign-in page: {html}"
    );
}

async fn stay_cannot_skip_max_age(backend: Backend) {
    let w = rp::World::spawn(backend).await;
    w.app.create_user("a@example.com");
    let b = browser();
    password_session(&w, &b, "a@example.com").await;
    w.app.clock.advance(Duration::from_secs(120));
    let extra = [("max_age", "60")];

    let expected = without_a_link(&w, &b, &extra).await;
    assert_sign_in_page(&w, &b, &expected, "without a link").await;
    let (stayed, _) = with_a_link_and_stay(&w, &b, &extra).await;
    assert_sign_in_page(&w, &b, &stayed, "stay with max_age").await;
}

async fn stay_cannot_skip_a_mismatched_id_token_hint(backend: Backend) {
    let w = rp::World::spawn(backend).await;
    w.app.create_user("a@example.com");
    w.app.create_user("c@example.com");
    // An ID token of C, obtained in another browser.
    let other = browser();
    let pending = w.rp.authorize(&[], &[]);
    let callback = sign_in(&w.app, &other, &pending.url, "c@example.com").await;
    let tokens = w.rp.callback(&w.app, &callback, pending).await;
    let hint = tokens.id_token().expect("id token").to_string();
    let b = browser();
    password_session(&w, &b, "a@example.com").await;
    let extra = [("id_token_hint", hint.as_str())];

    let expected = without_a_link(&w, &b, &extra).await;
    assert_sign_in_page(&w, &b, &expected, "without a link").await;
    let (stayed, _) = with_a_link_and_stay(&w, &b, &extra).await;
    assert_sign_in_page(&w, &b, &stayed, "stay with C's id_token_hint").await;
}

/// Still: with nothing against the session, "stay" completes as A at once.
async fn stay_still_completes_when_the_checks_pass(backend: Backend) {
    let w = rp::World::spawn(backend).await;
    let a = w.app.create_user("a@example.com");
    let b = browser();
    password_session(&w, &b, "a@example.com").await;
    let (stayed, pending) = with_a_link_and_stay(&w, &b, &[("max_age", "60")]).await;
    let claims = w.claims(&stayed, pending).await;
    assert_eq!(claims.subject().as_str(), a.id);
}

on_both_backends!(
    stay_cannot_skip_max_age,
    stay_cannot_skip_a_mismatched_id_token_hint,
    stay_still_completes_when_the_checks_pass,
);
