//! Attack: unreadable MFA settings. When the stored sign-in experience could not be read (a
//! truncated row, a value written by another version) it was silently replaced by the
//! configured defaults, whose MFA policy is `off`: whoever had the first factor of an enrolled
//! account signed in without the second. Unreadable settings, or an unreadable authenticator,
//! now stop the sign-in with a 503 page (and an error in the log); nothing is issued and no
//! magic link is spent.

use diesel::prelude::*;
use sesame::storage::schema::{mfa_totp, sign_in_experience};

use crate::common::rp::{self, CALLBACK};
use crate::common::totp::code_now;
use crate::common::{
    Backend, PASSWORD, assert_error_page, browser, location, magic_link_token, open_page,
    post_sign_in, start_interaction, submit_sign_in, token_status,
};
use sesame::identity::mfa::new_secret;

const EMAIL: &str = "ada@example.com";

extends! {
    /// A world whose MFA policy is `user`, with one user enrolled in TOTP.
    struct World(rp::World);
}

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

    /// Overwrites the stored sign-in experience, as a failed write or another version might.
    fn store_settings(&self, raw: &str) {
        let raw = raw.to_owned();
        self.app
            .storage
            .run_blocking(move |c| {
                diesel::update(sign_in_experience::table)
                    .set(sign_in_experience::settings.eq(raw))
                    .execute(c)
            })
            .expect("overwrite the settings");
    }

    fn stored_settings(&self) -> String {
        self.app
            .storage
            .run_blocking(|c| {
                sign_in_experience::table
                    .select(sign_in_experience::settings)
                    .first::<String>(c)
            })
            .expect("the stored settings")
    }

    /// A password sign-in of the enrolled user whose form was shown with readable settings and
    /// is posted with `settings` stored; the answer to the password.
    async fn password_sign_in(&self, good: &str, settings: &str) -> reqwest::Response {
        self.store_settings(good);
        let b = browser();
        let pending = self.rp.authorize(&["email"], &[]);
        let page = start_interaction(&self.app, &b, &pending.url).await;
        let (_, csrf) = open_page(&b, &page).await;
        self.store_settings(settings);
        post_sign_in(&b, &page, &csrf, EMAIL, PASSWORD).await
    }
}

/// The refusal: a 503 page, never a redirect to the client with a code.
async fn assert_unavailable(r: reqwest::Response, what: &str) {
    if let Some(to) = r.headers().get("location") {
        panic!("{what}: went on to {to:?} instead of stopping");
    }
    assert_error_page(r, 503, "temporarily_unavailable").await;
}

async fn unreadable_settings_do_not_turn_mfa_off(backend: Backend) {
    let secret = new_secret();
    let w = World::with_enrolled_user(backend, &secret).await;
    let good = w.stored_settings();
    // Control: with readable settings, the password leads to the second factor.
    let r = w.password_sign_in(&good, &good).await;
    assert_eq!(r.status(), 303);
    assert!(
        location(&r).starts_with("/interaction/"),
        "the code is asked"
    );

    let truncated = &good[..good.len() / 2];
    let unknown_policy = good.replace("\"user\"", "\"sometimes\"");
    assert_ne!(unknown_policy, good);
    for corrupt in [truncated, unknown_policy.as_str(), ""] {
        // A password sign-in stops.
        assert_unavailable(w.password_sign_in(&good, corrupt).await, corrupt).await;
        // So does the sign-in page.
        let pending = w.rp.authorize(&["email"], &[]);
        let b = browser();
        let page = start_interaction(&w.app, &b, &pending.url).await;
        assert_unavailable(b.get(&page).send().await.expect("page"), corrupt).await;
        // So does a magic link, which stays unspent.
        let token = magic_link_token(&w.app, &w.bearer, EMAIL).await;
        let pending = w.link_request(&token, EMAIL, &["email"], &[]);
        let r = browser().get(&pending.url).send().await.expect("authorize");
        assert_unavailable(r, corrupt).await;
        assert!(
            token_status(&w.app, &w.bearer, EMAIL)
                .await
                .iter()
                .all(|s| s == "active"),
            "{corrupt}: no link was spent"
        );
        // The Management API says so too: 503 with its JSON body, never a 500.
        let (status, body) = w.api(reqwest::Method::GET, "/api/sign-in-exp", None).await;
        assert_eq!(status, 503, "{corrupt}: {body}");
        assert_eq!(body["code"], "temporarily_unavailable", "{body}");
    }

    // Repaired: the second factor is asked again, and accepted.
    w.store_settings(&good);
    let b = browser();
    let pending = w.rp.authorize(&["email"], &[]);
    let page = start_interaction(&w.app, &b, &pending.url).await;
    let to = submit_sign_in(&w.app, &b, &page, EMAIL, PASSWORD).await;
    let mfa = w.app.url(&to);
    let (_, csrf) = open_page(&b, &mfa).await;
    let r = b
        .post(format!("{mfa}/mfa"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", code_now(&secret).as_str()),
        ])
        .send()
        .await
        .expect("code");
    assert_eq!(r.status(), 303);
    assert!(location(&r).starts_with(CALLBACK));
}

async fn an_unreadable_authenticator_stops_the_sign_in(backend: Backend) {
    let secret = new_secret();
    let w = World::with_enrolled_user(backend, &secret).await;
    let b = browser();
    let pending = w.rp.authorize(&["email"], &[]);
    let page = start_interaction(&w.app, &b, &pending.url).await;
    let to = submit_sign_in(&w.app, &b, &page, EMAIL, PASSWORD).await;
    let mfa = w.app.url(&to);
    let (_, csrf) = open_page(&b, &mfa).await;
    w.app
        .storage
        .run_blocking(|c| {
            diesel::update(mfa_totp::table)
                .set(mfa_totp::secret.eq("not base32 !"))
                .execute(c)
        })
        .expect("corrupt the authenticator");
    let r = b
        .post(format!("{mfa}/mfa"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", code_now(&secret).as_str()),
        ])
        .send()
        .await
        .expect("code");
    assert_unavailable(r, "an unreadable TOTP secret").await;
}

on_both_backends!(
    unreadable_settings_do_not_turn_mfa_off,
    an_unreadable_authenticator_stops_the_sign_in,
);
