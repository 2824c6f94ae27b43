//! The second factor end to end: the MFA policy set through the Management API, magic-link and
//! password sign-ins stopping at the TOTP page, codes computed as an authenticator app does,
//! single use of TOTP steps and backup codes, enrollment when MFA is mandatory, and the limit on
//! attempts. The `openidconnect` crate is the relying party.

use crate::common::rp::{self, CALLBACK, Pending, amr};
use crate::common::totp::{code_now, now_secs, totp_secret};
use crate::common::{
    Backend, PASSWORD, browser, input_value, location, magic_link_token, query_param,
    start_interaction, submit_sign_in,
};
use sesame::identity::mfa::{current_code, new_secret};

extends! {
    /// The shared world, with this module's MFA policy, enrolled users and second-factor pages.
    struct World(rp::World);
}

async fn world(backend: Backend, policy: &str) -> World {
    let w = World(rp::World::spawn(backend).await);
    w.set_policy(policy).await;
    w
}

/// The MFA page reached after the first factor: its URL and CSRF token.
struct MfaPage {
    url: String,
    csrf: String,
    html: String,
}

impl World {
    async fn set_policy(&self, policy: &str) {
        let r = reqwest::Client::new()
            .patch(self.app.url("/api/sign-in-exp"))
            .bearer_auth(&self.bearer)
            .json(&serde_json::json!({"mfa": {"policy": policy}}))
            .send()
            .await
            .expect("sign-in experience");
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    }

    /// A user with TOTP set up directly in the database (`last_step` 0) and these backup codes.
    fn enrolled_user(&self, email: &str, secret: &str, backup_codes: &[&str]) -> String {
        let user = self.app.create_user(email);
        let hashes: Vec<String> = backup_codes
            .iter()
            .map(|c| sesame::crypto::sha256_b64url(c))
            .collect();
        let id = user.id.clone();
        self.app
            .storage
            .run_blocking(|c| {
                sesame::storage::mfa::enroll_totp(
                    c,
                    &id,
                    secret,
                    0,
                    &hashes,
                    crate::common::now_ms(),
                )
            })
            .expect("enroll");
        user.id
    }

    /// Opens a fresh magic link for `email` in `b` and expects the MFA page.
    async fn link_to_mfa(&self, b: &reqwest::Client, email: &str) -> (MfaPage, Pending) {
        let token = magic_link_token(&self.app, &self.bearer, email).await;
        let pending = self.link_request(&token, email, &["email"], &[]);
        let r = b.get(&pending.url).send().await.expect("authorize");
        assert_eq!(r.status(), 303);
        let to = location(&r);
        assert!(
            to.starts_with("/interaction/"),
            "the sign-in stops at the second factor, got {to}"
        );
        assert!(query_param(&self.app.url(&to), "code").is_none());
        (self.mfa_page(b, &self.app.url(&to)).await, pending)
    }

    async fn mfa_page(&self, b: &reqwest::Client, url: &str) -> MfaPage {
        let r = b.get(url).send().await.expect("MFA page");
        assert_eq!(r.status(), 200);
        let html = r.text().await.expect("html");
        let uid = url.rsplit('/').next().expect("uid");
        assert!(
            html.contains(&format!("action=\"/interaction/{uid}/mfa\""))
                && html.contains("name=\"code\""),
            "the code form: {html}"
        );
        MfaPage {
            url: url.to_owned(),
            csrf: input_value(&html, "csrf").expect("csrf"),
            html,
        }
    }

    async fn submit(&self, b: &reqwest::Client, page: &MfaPage, code: &str) -> reqwest::Response {
        b.post(format!("{}/mfa", page.url))
            .form(&[("csrf", page.csrf.as_str()), ("code", code)])
            .send()
            .await
            .expect("submit code")
    }

    /// Submits a code that must be accepted; returns the callback URL.
    async fn accepted(&self, b: &reqwest::Client, page: &MfaPage, code: &str) -> String {
        let r = self.submit(b, page, code).await;
        assert_eq!(r.status(), 303, "the code {code} should be accepted");
        let callback = location(&r);
        assert!(callback.starts_with(CALLBACK), "{callback}");
        assert!(query_param(&callback, "code").is_some());
        callback
    }

    /// Submits a code that must be refused with 401 and the form shown again.
    async fn refused(&self, b: &reqwest::Client, page: &MfaPage, code: &str) {
        let r = self.submit(b, page, code).await;
        assert_eq!(r.status(), 401, "the code {code} should be refused");
        assert!(r.headers().get("location").is_none());
        let html = r.text().await.expect("html");
        assert!(html.contains("name=\"code\""), "the form again: {html}");
    }
}

/// A six-digit code valid at no step near now.
fn wrong_code(secret: &str) -> String {
    let now = now_secs();
    let near: Vec<String> = (-3..=3)
        .map(|i| current_code(secret, now + i * 30).expect("code"))
        .collect();
    (0..1_000_000u32)
        .map(|n| format!("{:06}", (n * 7919 + 123_457) % 1_000_000))
        .find(|c| !near.contains(c))
        .expect("a wrong code")
}

async fn magic_link_of_an_enrolled_user_asks_for_totp(backend: Backend) {
    let w = world(backend, "user").await;
    let secret = new_secret();
    let user_id = w.enrolled_user("ada@example.com", &secret, &[]);
    let b = browser();
    let (page, pending) = w.link_to_mfa(&b, "ada@example.com").await;
    assert!(
        !page.html.contains("id=\"totp-secret\""),
        "an enrolled user is not enrolled again"
    );
    // The link is spent, yet the page still works on reload: the way forward stays open.
    let reloaded = w.mfa_page(&b, &page.url).await;
    assert_eq!(reloaded.csrf, page.csrf);
    w.refused(&b, &page, &wrong_code(&secret)).await;
    let callback = w.accepted(&b, &page, &code_now(&secret)).await;
    let claims = w.claims(&callback, pending).await;
    assert_eq!(claims.subject().as_str(), user_id);
    let amr = amr(&claims);
    assert!(amr.contains(&"otp".to_owned()), "{amr:?}");
    assert!(amr.contains(&"mfa".to_owned()), "{amr:?}");
}

async fn a_totp_code_is_accepted_once(backend: Backend) {
    let w = world(backend, "user").await;
    let secret = new_secret();
    w.enrolled_user("ada@example.com", &secret, &[]);
    let code = code_now(&secret);
    let b = browser();
    let (page, _) = w.link_to_mfa(&b, "ada@example.com").await;
    w.accepted(&b, &page, &code).await;
    // The same code, in a second sign-in within its validity: its step was consumed.
    let other = browser();
    let (page, _) = w.link_to_mfa(&other, "ada@example.com").await;
    w.refused(&other, &page, &code).await;
}

async fn a_backup_code_is_accepted_once(backend: Backend) {
    let w = world(backend, "user").await;
    let secret = new_secret();
    w.enrolled_user("ada@example.com", &secret, &["alpha2357", "bravo1113"]);
    let b = browser();
    let (page, pending) = w.link_to_mfa(&b, "ada@example.com").await;
    let callback = w.accepted(&b, &page, "alpha2357").await;
    let claims = w.claims(&callback, pending).await;
    assert!(amr(&claims).contains(&"mfa".to_owned()));
    let other = browser();
    let (page, _) = w.link_to_mfa(&other, "ada@example.com").await;
    w.refused(&other, &page, "alpha2357").await;
    // Another unused code still works.
    w.accepted(&other, &page, "bravo1113").await;
}

async fn mandatory_mfa_enrolls_a_new_user(backend: Backend) {
    let w = world(backend, "mandatory").await;
    let b = browser();
    let (page, pending) = w.link_to_mfa(&b, "new@example.com").await;
    let secret = totp_secret(&page.html).expect("the enrollment shows the key");
    // A reload shows the same key.
    let again = w.mfa_page(&b, &page.url).await;
    assert_eq!(totp_secret(&again.html), Some(secret.clone()));
    // The code from the authenticator app: the backup codes are shown.
    let r = w.submit(&b, &page, &code_now(&secret)).await;
    assert_eq!(r.status(), 200, "the backup codes page");
    let html = r.text().await.expect("html");
    let codes = backup_codes(&html);
    assert_eq!(codes.len(), 10, "{html}");
    let uid = page.url.rsplit('/').next().expect("uid");
    assert!(html.contains(&format!("action=\"/interaction/{uid}/mfa/continue\"")));
    let csrf = input_value(&html, "csrf").expect("csrf");
    let r = b
        .post(format!("{}/mfa/continue", page.url))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("continue");
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    assert!(callback.starts_with(CALLBACK), "{callback}");
    let claims = w.claims(&callback, pending).await;
    assert_eq!(claims.email().map(|e| e.as_str()), Some("new@example.com"));
    assert!(amr(&claims).contains(&"mfa".to_owned()));
    // Enrolled now: a later sign-in asks for a code, without a new key; a shown backup code works.
    let later = browser();
    let (page, _) = w.link_to_mfa(&later, "new@example.com").await;
    assert!(totp_secret(&page.html).is_none(), "{}", page.html);
    w.accepted(&later, &page, &codes[0]).await;
}

async fn password_sign_in_follows_the_policy(backend: Backend) {
    let w = world(backend, "user").await;
    let secret = new_secret();
    let user_id = w.enrolled_user("ada@example.com", &secret, &[]);
    w.app.create_user("plain@example.com");
    // Policy user: an enrolled user is asked for a code...
    let b = browser();
    let pending = w.rp.authorize(&["email"], &[]);
    let page_url = start_interaction(&w.app, &b, &pending.url).await;
    let to = submit_sign_in(&w.app, &b, &page_url, "ada@example.com", PASSWORD).await;
    assert!(to.starts_with("/interaction/"), "asks for the code: {to}");
    assert!(query_param(&w.app.url(&to), "code").is_none());
    let page = w.mfa_page(&b, &w.app.url(&to)).await;
    let callback = w.accepted(&b, &page, &code_now(&secret)).await;
    let claims = w.claims(&callback, pending).await;
    assert_eq!(claims.subject().as_str(), user_id);
    let methods = amr(&claims);
    assert!(
        methods.contains(&"pwd".to_owned()) && methods.contains(&"mfa".to_owned()),
        "{methods:?}"
    );
    // ...a user without a second factor is not.
    let pending = w.rp.authorize(&["email"], &[]);
    let callback =
        crate::common::sign_in(&w.app, &browser(), &pending.url, "plain@example.com").await;
    assert!(callback.starts_with(CALLBACK), "{callback}");
    // Policy off: nobody is asked.
    w.set_policy("off").await;
    let pending = w.rp.authorize(&["email"], &[]);
    let callback =
        crate::common::sign_in(&w.app, &browser(), &pending.url, "ada@example.com").await;
    assert!(
        callback.starts_with(CALLBACK),
        "no second factor: {callback}"
    );
    let claims = w.claims(&callback, pending).await;
    assert_eq!(amr(&claims), vec!["pwd".to_owned()]);
}

async fn attempts_are_limited(backend: Backend) {
    let w = world(backend, "user").await;
    let secret = new_secret();
    w.enrolled_user("ada@example.com", &secret, &[]);
    let b = browser();
    let (page, _) = w.link_to_mfa(&b, "ada@example.com").await;
    let wrong = wrong_code(&secret);
    for _ in 0..5 {
        w.refused(&b, &page, &wrong).await;
    }
    let r = w.submit(&b, &page, &code_now(&secret)).await;
    assert_eq!(r.status(), 429, "locked, even with the right code");
    assert!(r.headers().get("location").is_none());
    // The lock is the user's, not the interaction's: a new sign-in is locked too.
    let other = browser();
    let (page, _) = w.link_to_mfa(&other, "ada@example.com").await;
    let r = w.submit(&other, &page, &code_now(&secret)).await;
    assert_eq!(r.status(), 429);
}

/// A link's organizations are joined only once the second factor is verified.
async fn an_invitation_joins_only_after_the_second_factor(backend: Backend) {
    let w = world(backend, "user").await;
    let (status, org) = w
        .api(
            reqwest::Method::POST,
            "/api/organizations",
            Some(serde_json::json!({"name": "Acme"})),
        )
        .await;
    assert_eq!(status, 201, "{org}");
    let org = org["id"].as_str().expect("id").to_owned();
    let (status, role) = w
        .api(
            reqwest::Method::POST,
            "/api/organization-roles",
            Some(serde_json::json!({"name": "member"})),
        )
        .await;
    assert_eq!(status, 201, "{role}");
    let (status, _) = w
        .api(
            reqwest::Method::PUT,
            &format!("/api/organizations/{org}/jit/roles"),
            Some(serde_json::json!({"organizationRoleIds": [role["id"]]})),
        )
        .await;
    assert_eq!(status, 204);
    let secret = new_secret();
    w.enrolled_user("ada@example.com", &secret, &[]);
    let (status, created) = crate::common::create_one_time_token(
        &w.app.base,
        &w.bearer,
        serde_json::json!({"email": "ada@example.com", "context": {"jitOrganizationIds": [org]}}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let token = created["token"].as_str().expect("token");
    let b = browser();
    let pending = w.link_request(token, "ada@example.com", &["email"], &[]);
    let r = b.get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert!(to.starts_with("/interaction/"), "{to}");
    let page = w.mfa_page(&b, &w.app.url(&to)).await;
    assert!(
        w.members(&org).await.is_empty(),
        "not a member before the second factor"
    );
    w.accepted(&b, &page, &code_now(&secret)).await;
    let joined = w.members(&org).await;
    assert_eq!(joined.len(), 1);
    assert_eq!(joined[0]["primaryEmail"], "ada@example.com");
    assert_eq!(joined[0]["organizationRoles"][0]["name"], "member");
}

fn backup_codes(html: &str) -> Vec<String> {
    let start = html
        .find("<ul id=\"backup-codes\">")
        .expect("backup codes list");
    let end = start + html[start..].find("</ul>").expect("end of list");
    html[start..end]
        .split("<li>")
        .skip(1)
        .map(|item| {
            let item = item.trim_start();
            let item = item.strip_prefix("<code>").unwrap_or(item);
            item[..item.find('<').expect("end of code")].to_owned()
        })
        .collect()
}

on_both_backends!(
    magic_link_of_an_enrolled_user_asks_for_totp,
    a_totp_code_is_accepted_once,
    a_backup_code_is_accepted_once,
    mandatory_mfa_enrolls_a_new_user,
    password_sign_in_follows_the_policy,
    attempts_are_limited,
    an_invitation_joins_only_after_the_second_factor,
);
