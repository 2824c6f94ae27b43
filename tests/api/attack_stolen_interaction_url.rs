//! Attack: a stolen interaction URL. Whoever sees the URL of someone's sign-in in progress (a
//! shared screen, a proxy log, a referrer) knows its uid. The interaction cookie must carry a
//! secret of its own, so that the uid alone (even forged into the cookie) continues nothing:
//! another browser gets a page saying to continue in the browser that started the sign-in,
//! and the browser that started it still finishes.

use crate::common::rp::{self, CALLBACK, Pending};
use crate::common::{
    Backend, PASSWORD, assert_error_page, browser, input_value, location, magic_link_token,
    no_redirects, page_html, query_param,
};

const OTHER_BROWSER: &str = "interaction_other_browser";

/// The uid of a hosted page's URL.
fn uid_of(page: &str) -> &str {
    page.rsplit('/').next().expect("uid")
}

/// A request from the attacker's browser: the stolen URL, and the interaction cookie forged as
/// the uid, as the old scheme (cookie = uid) allowed.
fn forged(
    attacker: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    uid: &str,
) -> reqwest::RequestBuilder {
    attacker
        .request(method, url)
        .header("cookie", format!("sesame_interaction={uid}"))
}

/// Opens a magic link in `b`; the URL of the hosted page it leads to.
async fn open_link(w: &rp::World, b: &reqwest::Client, email: &str) -> (String, Pending) {
    let token = magic_link_token(&w.app, &w.bearer, email).await;
    let pending = w.link_request(&token, email, &["email"], &[]);
    let r = b.get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert!(to.starts_with("/interaction/"), "{to}");
    (w.app.url(&to), pending)
}

async fn a_stolen_interaction_url_cannot_be_continued(backend: Backend) {
    let w = rp::World::spawn_with(backend, |s| {
        s.sign_up_require_password = true;
    })
    .await;
    // The victim opens a link for an email without an account: registration asks a password.
    let victim = browser();
    let (page, pending) = open_link(&w, &victim, "victim@example.com").await;
    let html = page_html(&victim, &page).await;
    assert!(html.contains("victim@example.com"), "{html}");
    let csrf = input_value(&html, "csrf").expect("csrf");
    let uid = uid_of(&page);

    // The attacker has the URL (and, at worst, the form's csrf value) but not the cookie.
    let attacker = no_redirects();
    let r = forged(&attacker, reqwest::Method::GET, &page, uid)
        .send()
        .await
        .expect("stolen page");
    let html = assert_error_page(r, 403, OTHER_BROWSER).await;
    assert!(html.contains("browser that started"), "{html}");
    assert!(!html.contains("victim@example.com"), "{html}");
    let r = forged(
        &attacker,
        reqwest::Method::POST,
        &format!("{page}/register"),
        uid,
    )
    .form(&[
        ("csrf", csrf.as_str()),
        ("name", "Mallory"),
        ("password", "attacker's own password"),
    ])
    .send()
    .await
    .expect("stolen registration");
    assert_error_page(r, 403, OTHER_BROWSER).await;
    // Without any cookie at all, the same page.
    let r = attacker.get(&page).send().await.expect("no cookie");
    assert_error_page(r, 403, OTHER_BROWSER).await;

    // The victim's browser still finishes, with the victim's password.
    let r = victim
        .post(format!("{page}/register"))
        .form(&[("csrf", csrf.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    assert!(callback.starts_with(CALLBACK), "{callback}");
    let claims = w.claims(&callback, pending).await;
    assert_eq!(
        claims.email().map(|e| e.as_str()),
        Some("victim@example.com")
    );
}

async fn a_stolen_switch_url_cannot_be_continued(backend: Backend) {
    let w = rp::World::spawn(backend).await;
    w.app.create_user("a@example.com");
    w.app.create_user("b@example.com");
    // The victim is signed in as A and opens a link for B: the switch page.
    let victim = browser();
    let first = w.rp.authorize(&["email"], &[]);
    crate::common::sign_in(&w.app, &victim, &first.url, "a@example.com").await;
    let (page, pending) = open_link(&w, &victim, "b@example.com").await;
    let html = page_html(&victim, &page).await;
    assert!(html.contains("b@example.com"), "the switch page: {html}");
    let csrf = input_value(&html, "csrf").expect("csrf");
    let uid = uid_of(&page);

    // "Continue" from the attacker's browser would sign it in as B: refused.
    let attacker = no_redirects();
    let r = forged(&attacker, reqwest::Method::GET, &page, uid)
        .send()
        .await
        .expect("stolen page");
    assert_error_page(r, 403, OTHER_BROWSER).await;
    let r = forged(
        &attacker,
        reqwest::Method::POST,
        &format!("{page}/switch"),
        uid,
    )
    .form(&[("csrf", csrf.as_str()), ("action", "continue")])
    .send()
    .await
    .expect("stolen switch");
    assert_error_page(r, 403, OTHER_BROWSER).await;

    // The victim's browser still continues as B.
    let r = victim
        .post(format!("{page}/switch"))
        .form(&[("csrf", csrf.as_str()), ("action", "continue")])
        .send()
        .await
        .expect("continue");
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    assert!(query_param(&callback, "code").is_some(), "{callback}");
    let claims = w.claims(&callback, pending).await;
    assert_eq!(claims.email().map(|e| e.as_str()), Some("b@example.com"));
}

on_both_backends!(
    a_stolen_interaction_url_cannot_be_continued,
    a_stolen_switch_url_cannot_be_continued,
);
