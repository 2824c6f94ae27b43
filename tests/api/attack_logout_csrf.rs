//! Attack: logout CSRF. A cross-site `<img src="https://sesame/oidc/session/end">` makes the
//! victim's browser send a plain GET without `id_token_hint`; that must not end the session.
//! Without a valid hint, `/oidc/session/end` asks first: a confirmation page whose form POSTs
//! back with a CSRF token only this browser's page carries.

use crate::common::rp::{self, Rp};
use crate::common::{
    Backend, assert_error_page, browser, input_value, location, query_param, sign_in,
};

/// A signed-in browser of `w`, for a user with `email`.
async fn signed_in(w: &rp::World, email: &str) -> reqwest::Client {
    w.app.create_user(email);
    let b = browser();
    let pending = w.rp.authorize(&[], &[]);
    let callback = sign_in(&w.app, &b, &pending.url, email).await;
    assert!(query_param(&callback, "code").is_some(), "{callback}");
    b
}

/// Whether the browser's session still answers a silent authorization request with a code.
async fn session_works(rp: &Rp, b: &reqwest::Client) -> bool {
    let silent = rp.authorize(&[], &[("prompt", "none")]);
    let r = b.get(&silent.url).send().await.expect("authorize");
    let callback = location(&r);
    match query_param(&callback, "code") {
        Some(_) => true,
        None => {
            assert_eq!(
                query_param(&callback, "error").as_deref(),
                Some("login_required"),
                "{callback}"
            );
            false
        }
    }
}

/// The confirmation page `GET /oidc/session/end` shows without a hint; its CSRF token.
async fn confirmation_csrf(w: &rp::World, b: &reqwest::Client) -> String {
    let r = b
        .get(w.app.url("/oidc/session/end"))
        .send()
        .await
        .expect("logout");
    assert_eq!(r.status(), 200, "a confirmation page, not a sign-out");
    let html = r.text().await.expect("html");
    assert!(
        html.contains(r#"method="post""#) && html.contains(r#"action="/oidc/session/end""#),
        "{html}"
    );
    input_value(&html, "csrf").expect("csrf field")
}

async fn post_logout(
    w: &rp::World,
    b: &reqwest::Client,
    form: &[(&str, &str)],
) -> reqwest::Response {
    b.post(w.app.url("/oidc/session/end"))
        .form(form)
        .send()
        .await
        .expect("logout")
}

async fn a_cross_site_get_cannot_sign_the_victim_out(backend: Backend) {
    let w = rp::World::spawn(backend).await;
    let victim = signed_in(&w, "victim@example.com").await;

    // The attacker's <img>: a GET with no id_token_hint.
    let r = victim
        .get(w.app.url("/oidc/session/end"))
        .send()
        .await
        .expect("logout");
    assert!(r.headers().get("location").is_none(), "no redirect");
    assert!(
        session_works(&w.rp, &victim).await,
        "a GET without id_token_hint must not end the session"
    );

    // A cross-site POST carries no token, or a wrong one (the attacker's own page's).
    let attacker = signed_in(&w, "attacker@example.com").await;
    let attackers_token = confirmation_csrf(&w, &attacker).await;
    for without in [&[][..], &[("csrf", "")][..]] {
        let r = post_logout(&w, &victim, without).await;
        assert!(r.headers().get("location").is_none(), "no redirect");
        assert!(session_works(&w.rp, &victim).await, "POST {without:?}");
    }
    for wrong in ["forged", attackers_token.as_str()] {
        let r = post_logout(&w, &victim, &[("csrf", wrong)]).await;
        assert_error_page(r, 403, "csrf_mismatch").await;
        assert!(
            session_works(&w.rp, &victim).await,
            "POST with csrf={wrong:?}"
        );
    }

    // The victim's own confirmation does end it.
    let csrf = confirmation_csrf(&w, &victim).await;
    let r = post_logout(&w, &victim, &[("csrf", csrf.as_str())]).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("html").contains("signed out"));
    assert!(!session_works(&w.rp, &victim).await, "the confirmed logout");
    assert!(
        session_works(&w.rp, &attacker).await,
        "someone else's session is untouched"
    );
}

/// A confirmed logout still honours a registered `post_logout_redirect_uri` named by
/// `client_id`, with `state`; the page carries them through its form.
async fn the_confirmation_keeps_the_return_to_the_client(backend: Backend) {
    const AFTER: &str = "http://127.0.0.1:9999/after-logout";
    let w = rp::World::spawn(backend).await;
    let (client_id, _) = w.app.create_app_full(
        sesame::identity::applications::AppType::Spa,
        &[rp::CALLBACK],
        &[AFTER],
        sesame::crypto::SigningAlg::ES256,
        false,
    );
    let b = signed_in(&w, "ada@example.com").await;
    let r = b
        .get(w.app.url("/oidc/session/end"))
        .query(&[
            ("client_id", client_id.as_str()),
            ("post_logout_redirect_uri", AFTER),
            ("state", "s-1"),
        ])
        .send()
        .await
        .expect("logout");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    assert!(session_works(&w.rp, &b).await);
    let field = |name: &str| input_value(&html, name).unwrap_or_default();
    let (csrf, uri, state) = (
        field("csrf"),
        field("post_logout_redirect_uri"),
        field("state"),
    );
    let r = post_logout(
        &w,
        &b,
        &[
            ("csrf", csrf.as_str()),
            ("client_id", client_id.as_str()),
            ("post_logout_redirect_uri", uri.as_str()),
            ("state", state.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert!(to.starts_with(AFTER), "{to}");
    assert_eq!(query_param(&to, "state").as_deref(), Some("s-1"));
    assert!(!session_works(&w.rp, &b).await);
}

on_both_backends!(
    a_cross_site_get_cannot_sign_the_victim_out,
    the_confirmation_keeps_the_return_to_the_client,
);
