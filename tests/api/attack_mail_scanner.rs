//! Attacks: mail scanners and login CSRF. A corporate mail scanner fetches every link of an
//! email (some in a headless browser) before the person clicks; when one GET spends the token,
//! the person's click fails. The same one-click redemption signs a victim into an attacker's
//! account when the victim opens the attacker's link. With `magicLink.requireConfirmation`,
//! no authorization request spends a link on arrival: a page names the application and the
//! account, and only its form (CSRF-protected, bound to the browser) spends the token.
//! Whatever the setting, `HEAD` and `prompt=none` never spend one.

use openidconnect::core::CoreIdTokenClaims;

use crate::common::rp::{self, CALLBACK, Pending, amr};
use crate::common::{
    Backend, browser, input_value, location, no_redirects, page_error_code, page_html, query_param,
    sign_in,
};

const APP_NAME: &str = "Test app";

/// A Sesame whose sign-in experience asks to confirm each link (or not).
async fn spawn(backend: Backend, confirm: bool) -> rp::World {
    let w = rp::World::spawn(backend).await;
    if confirm {
        w.require_link_confirmation().await;
    }
    w
}

/// What a scanner does with a link: GET it, and the page it redirects to, without cookies.
async fn scan(w: &rp::World, url: &str) {
    let scanner = no_redirects();
    let r = scanner.get(url).send().await.expect("scan");
    if let Some(to) = r.headers().get("location").and_then(|v| v.to_str().ok())
        && to.starts_with('/')
    {
        let page = scanner.get(w.app.url(to)).send().await.expect("scan page");
        assert!(page.status().is_client_error() || page.status().is_success());
    }
}

/// Opens the link in `b`: the confirmation page's URL and HTML.
async fn confirmation_page(w: &rp::World, b: &reqwest::Client, url: &str) -> (String, String) {
    let r = b.get(url).send().await.expect("click");
    assert_eq!(r.status(), 303, "to the confirmation page");
    let to = location(&r);
    assert!(
        to.starts_with("/interaction/") && query_param(&w.app.url(&to), "code").is_none(),
        "no code before the button: {to}"
    );
    let page = w.app.url(&to);
    let html = page_html(b, &page).await;
    (page, html)
}

fn assert_names(html: &str, email: &str) {
    assert!(
        html.contains(&format!("Continue to {APP_NAME} as {email}")),
        "the page names the application and the account: {html}"
    );
}

/// The confirmation form's POST; the response.
async fn confirm(b: &reqwest::Client, page: &str, csrf: Option<&str>) -> reqwest::Response {
    let form: Vec<(&str, &str)> = csrf.map(|c| vec![("csrf", c)]).unwrap_or_default();
    b.post(format!("{page}/confirm"))
        .form(&form)
        .send()
        .await
        .expect("confirm")
}

/// Confirms on `page` with its own CSRF field; the callback URL.
async fn press_the_button(b: &reqwest::Client, page: &str, html: &str) -> String {
    let csrf = input_value(html, "csrf").expect("csrf field");
    let r = confirm(b, page, Some(&csrf)).await;
    assert_eq!(r.status(), 303, "back to the application");
    let callback = location(&r);
    assert!(callback.starts_with(CALLBACK), "{callback}");
    assert!(query_param(&callback, "code").is_some(), "{callback}");
    callback
}

async fn claims(w: &rp::World, callback: &str, pending: Pending) -> CoreIdTokenClaims {
    w.claims(callback, pending).await
}

async fn a_scanner_leaves_the_link_to_the_person(backend: Backend) {
    let w = spawn(backend, true).await;
    let ada = w.app.create_user("ada@example.com");
    let (id, pending) = w.new_link("ada@example.com", &[]).await;
    for _ in 0..3 {
        scan(&w, &pending.url).await;
    }
    assert_eq!(
        w.token_status(&id).await,
        "active",
        "the scans spent nothing"
    );

    let b = browser();
    let (page, html) = confirmation_page(&w, &b, &pending.url).await;
    assert_names(&html, "ada@example.com");
    assert_eq!(
        w.token_status(&id).await,
        "active",
        "the click alone spends nothing"
    );
    let callback = press_the_button(&b, &page, &html).await;
    assert_eq!(w.token_status(&id).await, "consumed");
    let claims = claims(&w, &callback, pending).await;
    assert_eq!(claims.subject().as_str(), ada.id);
}

async fn the_button_needs_its_csrf_field_and_browser(backend: Backend) {
    let w = spawn(backend, true).await;
    w.app.create_user("ada@example.com");
    let (id, pending) = w.new_link("ada@example.com", &[]).await;
    let b = browser();
    let (page, html) = confirmation_page(&w, &b, &pending.url).await;
    let csrf = input_value(&html, "csrf").expect("csrf field");

    for presented in [None, Some("wrong"), Some("")] {
        let r = confirm(&b, &page, presented).await;
        assert_eq!(r.status(), 403, "{presented:?}");
        let html = r.text().await.expect("html");
        assert_eq!(page_error_code(&html).as_deref(), Some("csrf_mismatch"));
    }
    // The right field from a browser without the interaction's cookie: refused too.
    let r = confirm(&no_redirects(), &page, Some(&csrf)).await;
    assert_eq!(r.status(), 403);
    assert_eq!(w.token_status(&id).await, "active", "nothing was spent");

    press_the_button(&b, &page, &html).await;
    assert_eq!(w.token_status(&id).await, "consumed");
}

async fn login_csrf_shows_the_attackers_account(backend: Backend) {
    let w = spawn(backend, true).await;
    w.app.create_user("mallory@example.com");
    // The attacker's own link, sent to the victim.
    let (id, pending) = w.new_link("mallory@example.com", &[]).await;
    let victim = browser();
    let (_, html) = confirmation_page(&w, &victim, &pending.url).await;
    assert_names(&html, "mallory@example.com");
    assert_eq!(w.token_status(&id).await, "active");
    // The victim is not signed in: a silent request finds no session.
    let silent = w.rp.authorize(&[], &[("prompt", "none")]);
    let r = victim.get(&silent.url).send().await.expect("silent");
    let to = location(&r);
    assert_eq!(
        query_param(&to, "error").as_deref(),
        Some("login_required"),
        "{to}"
    );
}

/// Every branch that would spend the link at once asks first: a session for the same account,
/// `prompt=login`, and the registration of a new email.
async fn every_branch_asks_first(backend: Backend) {
    let w = spawn(backend, true).await;
    let ada = w.app.create_user("ada@example.com");

    let b = browser();
    let pending = w.rp.authorize(&[], &[]);
    sign_in(&w.app, &b, &pending.url, "ada@example.com").await;
    for extra in [&[][..], &[("prompt", "login")][..]] {
        let (id, pending) = w.new_link("ada@example.com", extra).await;
        scan(&w, &pending.url).await;
        let (page, html) = confirmation_page(&w, &b, &pending.url).await;
        assert_names(&html, "ada@example.com");
        assert_eq!(w.token_status(&id).await, "active", "{extra:?}");
        let callback = press_the_button(&b, &page, &html).await;
        assert_eq!(w.token_status(&id).await, "consumed", "{extra:?}");
        let claims = claims(&w, &callback, pending).await;
        assert_eq!(claims.subject().as_str(), ada.id);
    }

    let (id, pending) = w.new_link("new@example.com", &[]).await;
    scan(&w, &pending.url).await;
    let b = browser();
    let (page, html) = confirmation_page(&w, &b, &pending.url).await;
    assert_names(&html, "new@example.com");
    assert_eq!(w.token_status(&id).await, "active", "nobody registered yet");
    let (status, users) = w
        .api(
            reqwest::Method::GET,
            "/api/users?search=new@example.com",
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(users.as_array().map(Vec::len), Some(0), "{users}");
    let callback = press_the_button(&b, &page, &html).await;
    let claims = claims(&w, &callback, pending).await;
    assert_eq!(claims.email().map(|e| e.as_str()), Some("new@example.com"));
    assert_eq!(claims.email_verified(), Some(true));
}

/// Signed in as someone else, the switch page is the confirmation: "continue" there finishes.
async fn the_switch_page_is_the_confirmation(backend: Backend) {
    let w = spawn(backend, true).await;
    w.app.create_user("a@example.com");
    let bea = w.app.create_user("b@example.com");
    let b = browser();
    let pending = w.rp.authorize(&[], &[]);
    sign_in(&w.app, &b, &pending.url, "a@example.com").await;
    let (id, pending) = w.new_link("b@example.com", &[]).await;
    let r = b.get(&pending.url).send().await.expect("click");
    let page = w.app.url(&location(&r));
    let html = page_html(&b, &page).await;
    assert!(html.contains("Switch account?"), "{html}");
    let csrf = input_value(&html, "csrf").expect("csrf");
    let r = b
        .post(format!("{page}/switch"))
        .form(&[("csrf", csrf.as_str()), ("action", "continue")])
        .send()
        .await
        .expect("continue");
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    assert!(
        callback.starts_with(CALLBACK),
        "no second question: {callback}"
    );
    assert_eq!(w.token_status(&id).await, "consumed");
    let claims = claims(&w, &callback, pending).await;
    assert_eq!(claims.subject().as_str(), bea.id);
}

/// End to end through the relying party: one more click than without the setting.
async fn relying_party_signs_in_with_one_more_click(backend: Backend) {
    let w = spawn(backend, true).await;
    let ada = w.app.create_user("ada@example.com");
    let (_, pending) = w.new_link("ada@example.com", &[]).await;
    let b = browser();
    let (page, html) = confirmation_page(&w, &b, &pending.url).await;
    let callback = press_the_button(&b, &page, &html).await;
    let nonce = pending.nonce.clone();
    let tokens = w.rp.callback(&w.app, &callback, pending).await;
    let claims = w.rp.verify_id_token(&tokens, &nonce);
    assert_eq!(claims.subject().as_str(), ada.id);
    assert_eq!(amr(&claims), vec!["email".to_owned()]);
}

/// A HEAD of the link (a link checker, a preview) changes nothing, even in one-click mode.
async fn head_never_spends_a_link(backend: Backend) {
    let w = spawn(backend, false).await;
    w.app.create_user("ada@example.com");
    let (id, pending) = w.new_link("ada@example.com", &[]).await;
    for _ in 0..2 {
        let r = no_redirects()
            .head(&pending.url)
            .send()
            .await
            .expect("head");
        assert!(
            query_param(
                r.headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("http://x/"),
                "code"
            )
            .is_none(),
            "HEAD issued a code"
        );
    }
    assert_eq!(w.token_status(&id).await, "active", "HEAD spent the link");
    // One click still signs in at once.
    let r = browser().get(&pending.url).send().await.expect("click");
    assert!(location(&r).starts_with(CALLBACK));
    assert_eq!(w.token_status(&id).await, "consumed");
}

/// `prompt=none` never spends a link, whatever the setting.
async fn prompt_none_never_spends_a_link(backend: Backend) {
    for confirm in [false, true] {
        let w = spawn(backend, confirm).await;
        w.app.create_user("ada@example.com");
        let (id, pending) = w.new_link("ada@example.com", &[("prompt", "none")]).await;
        let r = browser().get(&pending.url).send().await.expect("silent");
        let to = location(&r);
        assert_eq!(query_param(&to, "error").as_deref(), Some("login_required"));
        assert_eq!(w.token_status(&id).await, "active", "confirm={confirm}");
    }
}

on_both_backends!(
    a_scanner_leaves_the_link_to_the_person,
    the_button_needs_its_csrf_field_and_browser,
    login_csrf_shows_the_attackers_account,
    every_branch_asks_first,
    the_switch_page_is_the_confirmation,
    relying_party_signs_in_with_one_more_click,
    head_never_spends_a_link,
    prompt_none_never_spends_a_link,
);
