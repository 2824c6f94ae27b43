//! Attack: replacing an account's authenticator. Two enrollments of the same account are
//! started (two browsers, two TOTP secrets shown, e.g. the owner's and one an attacker who got
//! past the first factor keeps open). Once the owner has enrolled, completing the other
//! enrollment must not replace the owner's authenticator: enrollment happens only when the
//! account has none, checked and done in one transaction.

use crate::common::rp::{self, CALLBACK};
use crate::common::totp::{code_at, code_now, now_secs, totp_secret};
use crate::common::{
    Backend, PASSWORD, browser, input_value, location, start_interaction, submit_sign_in,
};

/// A password sign-in in `b` that stops at the enrollment page: its URL, CSRF and TOTP secret.
async fn enrollment_page(
    w: &rp::World,
    b: &reqwest::Client,
    email: &str,
) -> (String, String, String) {
    let pending = w.rp.authorize(&["email"], &[]);
    let page = start_interaction(&w.app, b, &pending.url).await;
    let to = submit_sign_in(&w.app, b, &page, email, PASSWORD).await;
    assert!(
        to.starts_with("/interaction/"),
        "the second factor is due: {to}"
    );
    let url = w.app.url(&to);
    let r = b.get(&url).send().await.expect("MFA page");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    let csrf = input_value(&html, "csrf").expect("csrf");
    let secret = totp_secret(&html).unwrap_or_else(|| panic!("an enrollment page: {html}"));
    (url, csrf, secret)
}

async fn submit(b: &reqwest::Client, url: &str, csrf: &str, code: &str) -> reqwest::Response {
    b.post(format!("{url}/mfa"))
        .form(&[("csrf", csrf), ("code", code)])
        .send()
        .await
        .expect("submit code")
}

async fn an_enrollment_started_earlier_cannot_replace_the_authenticator(backend: Backend) {
    let w = rp::World::spawn(backend).await;
    let r = reqwest::Client::new()
        .patch(w.app.url("/api/sign-in-exp"))
        .bearer_auth(&w.bearer)
        .json(&serde_json::json!({"mfa": {"policy": "mandatory"}}))
        .send()
        .await
        .expect("sign-in experience");
    assert_eq!(r.status(), 200);
    let user = w.app.create_user("ada@example.com");

    // Two enrollments of the same account, each showing its own secret.
    let (b1, b2) = (browser(), browser());
    let (url1, csrf1, secret1) = enrollment_page(&w, &b1, "ada@example.com").await;
    let (url2, csrf2, secret2) = enrollment_page(&w, &b2, "ada@example.com").await;
    assert_ne!(secret1, secret2);

    // Browser 1 enrolls first.
    let r = submit(&b1, &url1, &csrf1, &code_now(&secret1)).await;
    assert_eq!(r.status(), 200, "the backup codes page");

    // Browser 2's valid code for its own secret must not replace browser 1's authenticator.
    let r = submit(&b2, &url2, &csrf2, &code_now(&secret2)).await;
    let status = r.status();
    let html = r.text().await.expect("html");
    assert!(
        status.is_client_error(),
        "the second enrollment must be refused, got {status}: {html}"
    );
    assert!(!html.contains("id=\"backup-codes\""), "{html}");
    let id = user.id.clone();
    let stored = w
        .app
        .storage
        .run_blocking(move |c| sesame::storage::mfa::find_totp(c, &id))
        .expect("read")
        .map(|(secret, _)| secret);
    assert_eq!(
        stored,
        Some(secret1.clone()),
        "browser 1's authenticator stays"
    );

    // A later sign-in takes browser 1's authenticator (the next step's code, the enrollment
    // having used this one).
    let b3 = browser();
    let pending = w.rp.authorize(&["email"], &[]);
    let page = start_interaction(&w.app, &b3, &pending.url).await;
    let to = submit_sign_in(&w.app, &b3, &page, "ada@example.com", PASSWORD).await;
    let url3 = w.app.url(&to);
    let html = b3
        .get(&url3)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(totp_secret(&html).is_none(), "enrolled: no new key: {html}");
    let csrf3 = input_value(&html, "csrf").expect("csrf");
    let r = submit(&b3, &url3, &csrf3, &code_at(&secret1, now_secs() + 30)).await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).starts_with(CALLBACK));
}

on_both_backends!(an_enrollment_started_earlier_cannot_replace_the_authenticator);
