//! Defect: an ambiguous `amr`. A magic link and a TOTP code were both `otp`, so a link
//! followed by a TOTP step said `["otp", "mfa"]`: two factors claimed, one method named, and a
//! relying party that requires a TOTP step (or forbids sign-in by email) could not tell a link
//! from a TOTP code. The ID token names each method: `email` for a link, `pwd` for a password,
//! `otp` for a TOTP code, `mfa` when there were two.

use crate::common::rp::{self, CALLBACK, Pending, amr};
use crate::common::totp::{code_at, code_now, now_secs};
use crate::common::{
    Backend, PASSWORD, browser, input_value, location, magic_link_token, start_interaction,
    submit_sign_in,
};
use sesame::identity::mfa::new_secret;

extends! {
    /// A world whose MFA policy is `user`, with one user enrolled in TOTP.
    struct World(rp::World);
}

const EMAIL: &str = "ada@example.com";

impl World {
    async fn with_enrolled_user(backend: Backend, secret: &str) -> Self {
        let w = World(rp::World::spawn(backend).await);
        let (status, body) = w
            .api(
                reqwest::Method::PATCH,
                "/api/sign-in-exp",
                Some(serde_json::json!({"mfa": {"policy": "user"}})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let id = w.app.create_user(EMAIL).id;
        w.app
            .storage
            .run_blocking(|c| {
                sesame::storage::mfa::enroll_totp(c, &id, secret, 0, &[], crate::common::now_ms())
            })
            .expect("enroll");
        w
    }

    /// Submits `code` on the second-factor page at `to`; the ID token's `amr`.
    async fn totp_step(
        &self,
        b: &reqwest::Client,
        to: &str,
        code: &str,
        p: Pending,
    ) -> Vec<String> {
        assert!(
            to.starts_with("/interaction/"),
            "the second factor is asked: {to}"
        );
        let page = self.app.url(to);
        let html = b
            .get(&page)
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        let csrf = input_value(&html, "csrf").expect("csrf");
        let r = b
            .post(format!("{page}/mfa"))
            .form(&[("csrf", csrf.as_str()), ("code", code)])
            .send()
            .await
            .expect("code");
        assert_eq!(r.status(), 303, "the code is accepted");
        let callback = location(&r);
        assert!(callback.starts_with(CALLBACK), "{callback}");
        amr(&self.claims(&callback, p).await)
    }
}

async fn a_link_and_a_totp_code_are_told_apart(backend: Backend) {
    let secret = new_secret();
    let w = World::with_enrolled_user(backend, &secret).await;

    // A magic link, then a TOTP code.
    let b = browser();
    let token = magic_link_token(&w.app, &w.bearer, EMAIL).await;
    let pending = w.link_request(&token, EMAIL, &["email"], &[]);
    let r = b.get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let link_then_totp = w
        .totp_step(&b, &location(&r), &code_now(&secret), pending)
        .await;
    assert_eq!(
        link_then_totp,
        ["email", "otp", "mfa"],
        "a link, then a TOTP code"
    );

    // A password, then a TOTP code. The current step was used above; the next one is within
    // the server's skew.
    let b = browser();
    let pending = w.rp.authorize(&["email"], &[]);
    let page = start_interaction(&w.app, &b, &pending.url).await;
    let to = submit_sign_in(&w.app, &b, &page, EMAIL, PASSWORD).await;
    let ahead = code_at(&secret, now_secs() + 30);
    let password_then_totp = w.totp_step(&b, &to, &ahead, pending).await;
    assert_eq!(
        password_then_totp,
        ["pwd", "otp", "mfa"],
        "a password, then a TOTP code"
    );
}

async fn a_link_alone_is_not_a_one_time_password(backend: Backend) {
    let w = World(rp::World::spawn(backend).await);
    w.app.create_user(EMAIL);
    let token = magic_link_token(&w.app, &w.bearer, EMAIL).await;
    let pending = w.link_request(&token, EMAIL, &["email"], &[]);
    let r = browser().get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let claims = w.claims(&location(&r), pending).await;
    assert_eq!(amr(&claims), ["email"], "a link is proof of the mailbox");
}

on_both_backends!(
    a_link_and_a_totp_code_are_told_apart,
    a_link_alone_is_not_a_one_time_password,
);
