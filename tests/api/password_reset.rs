//! Password reset, against a real SMTP server: "Forgot password?" mails a link and a code;
//! the code, typed in the asking browser, leads to the new-password form and signs in; the
//! link works in any browser and its GET changes nothing. Setting the password ends every
//! other session and refresh token of the account, and marks the address verified.

use std::time::Duration;

use sesame::crypto::SigningAlg;
use sesame::identity::applications::AppType;

use crate::common::api::{Reply, str_of, token_request};
use crate::common::smtp::{Mail, SmtpServer};
use crate::common::{
    Backend, PASSWORD, TestApp, browser, code_request, input_value, location, open_page,
    post_sign_in, query_param, start_interaction,
};

const CALLBACK: &str = "http://127.0.0.1:9999/callback";
const EMAIL: &str = "ada@example.com";
const NEW_PASSWORD: &str = "a brand new passphrase";
const WAIT: Duration = Duration::from_secs(20);

/// A Sesame and a confidential client (a web application with a backend).
struct World {
    app: TestApp,
    client_id: String,
    secret: String,
}

impl World {
    async fn spawn(backend: Backend, smtp: &SmtpServer) -> Self {
        let app = TestApp::spawn_with(backend, |s| smtp.configure(s)).await;
        let (client_id, secret) =
            app.create_app(AppType::Traditional, &[CALLBACK], SigningAlg::RS256);
        World {
            app,
            client_id,
            secret: secret.expect("a secret"),
        }
    }

    /// An authorization request for `openid email offline_access` with `extra`: its URL and
    /// PKCE verifier.
    fn request(&self, extra: &[(&str, &str)]) -> (String, String) {
        let scope = "openid email offline_access";
        let (url, verifier) = code_request(&self.app, &self.client_id, CALLBACK, scope, "s");
        let mut url = url::Url::parse(&url).expect("url");
        url.query_pairs_mut().extend_pairs(extra);
        (url.to_string(), verifier)
    }

    /// The client's backend exchanges the code of `callback`: the refresh token.
    async fn exchange(&self, callback: &str, verifier: &str) -> String {
        let code = query_param(callback, "code").unwrap_or_else(|| panic!("no code: {callback}"));
        let reply = token_request(
            &self.app,
            Some((&self.client_id, &self.secret)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", verifier),
            ],
        )
        .await;
        str_of(reply.ok(200), "refresh_token")
    }

    async fn refresh(&self, refresh_token: &str) -> Reply {
        token_request(
            &self.app,
            Some((&self.client_id, &self.secret)),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        )
        .await
    }

    /// A password sign-in in `b`: the status of the form's answer, and where it leads.
    async fn password_sign_in(&self, b: &reqwest::Client, password: &str) -> (u16, String) {
        let (url, _) = self.request(&[]);
        let page = start_interaction(&self.app, b, &url).await;
        let (_, csrf) = open_page(b, &page).await;
        let r = post_sign_in(b, &page, &csrf, EMAIL, password).await;
        let status = r.status().as_u16();
        (
            status,
            if status == 303 {
                location(&r)
            } else {
                String::new()
            },
        )
    }

    /// `prompt=none` in `b`: `None` when it signs in silently, else the error.
    async fn silent(&self, b: &reqwest::Client) -> Option<String> {
        let (url, _) = self.request(&[("prompt", "none")]);
        let r = b.get(&url).send().await.expect("authorize");
        let callback = location(&r);
        match query_param(&callback, "code") {
            Some(_) => None,
            None => query_param(&callback, "error"),
        }
    }

    /// "Forgot password?" from the sign-in page in `b`: the code page's URL, and the
    /// authorization request's verifier.
    async fn forgot(&self, b: &reqwest::Client, email: &str) -> (String, String) {
        let (url, verifier) = self.request(&[]);
        let page = start_interaction(&self.app, b, &url).await;
        let (html, _) = open_page(b, &page).await;
        assert!(html.contains("/forgot-password\""), "{html}");
        let (_, csrf) = open_page(b, &format!("{page}/forgot-password")).await;
        let r = b
            .post(format!("{page}/forgot-password"))
            .form(&[("csrf", csrf.as_str()), ("email", email)])
            .send()
            .await
            .expect("forgot");
        assert_eq!(r.status(), 303);
        (self.app.url(&location(&r)), verifier)
    }

    fn email_verified(&self) -> bool {
        self.app
            .storage
            .run_blocking(|c| sesame::storage::users::find_user_by_email(c, EMAIL))
            .expect("read")
            .expect("the account")
            .email_verified
    }
}

fn the_link(mail: &Mail) -> String {
    mail.link("http://127.0.0.1:")
}

async fn a_reset_by_code_ends_every_other_session_and_refresh_token(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = World::spawn(backend, &smtp).await;
    w.app.create_user(EMAIL);
    // Another device: a browser session, and a refresh token held by the application.
    let other = browser();
    assert_eq!(w.password_sign_in(&other, PASSWORD).await.0, 303);
    // Its session answers the application's next request at once.
    let (url, verifier) = w.request(&[]);
    let r = other.get(&url).send().await.expect("authorize");
    let refresh_token = w.exchange(&location(&r), &verifier).await;
    assert_eq!(w.refresh(&refresh_token).await.status, 200);
    assert_eq!(w.silent(&other).await, None);

    // Here: forgot, the mail, the code, the new password.
    let b = browser();
    let (code_page, verifier) = w.forgot(&b, EMAIL).await;
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails[0].to, EMAIL);
    let mail_code = mails[0].code().expect("a code");
    let (_, csrf) = open_page(&b, &code_page).await;
    let r = b
        .post(&code_page)
        .form(&[("csrf", csrf.as_str()), ("code", mail_code.as_str())])
        .send()
        .await
        .expect("code");
    assert_eq!(r.status(), 303);
    let new_page = w.app.url(&location(&r));
    assert!(new_page.ends_with("/forgot-password/new"), "{new_page}");
    let (_, csrf) = open_page(&b, &new_page).await;
    let r = b
        .post(&new_page)
        .form(&[("csrf", csrf.as_str()), ("password", "short")])
        .send()
        .await
        .expect("too short");
    assert_eq!(r.status(), 400, "the password policy applies");
    let r = b
        .post(&new_page)
        .form(&[("csrf", csrf.as_str()), ("password", NEW_PASSWORD)])
        .send()
        .await
        .expect("new password");
    assert_eq!(r.status(), 303, "signed in here");
    let mine = w.exchange(&location(&r), &verifier).await;
    assert_eq!(
        w.refresh(&mine).await.status,
        200,
        "this browser's tokens work"
    );

    // The other device holds nothing any more.
    w.refresh(&refresh_token)
        .await
        .assert_oauth_error(400, "invalid_grant");
    assert_eq!(w.silent(&other).await.as_deref(), Some("login_required"));
    assert_eq!(w.silent(&b).await, None, "this browser's session stays");
    // The new password signs in, the old one does not; the address is verified.
    assert_eq!(w.password_sign_in(&browser(), PASSWORD).await.0, 401);
    assert_eq!(w.password_sign_in(&browser(), NEW_PASSWORD).await.0, 303);
    assert!(w.email_verified());
    // The reset is spent.
    let r = b.get(the_link(&mails[0])).send().await.expect("link");
    assert_eq!(r.status(), 410);
}

async fn the_reset_link_changes_nothing_until_its_form_is_sent(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = World::spawn(backend, &smtp).await;
    let user = w.app.create_user(EMAIL);
    // Unverified, as a public registration without verification left it.
    let id = user.id.clone();
    w.app
        .storage
        .run_blocking(move |c| {
            use diesel::prelude::*;
            use sesame::storage::schema::users;
            diesel::update(users::table.find(&id))
                .set(users::email_verified.eq(false))
                .execute(c)
        })
        .expect("unverify");
    let other = browser();
    assert_eq!(w.password_sign_in(&other, PASSWORD).await.0, 303);
    w.forgot(&browser(), EMAIL).await;
    let mail = smtp.wait_for(1, WAIT).await[0].clone();
    let link = the_link(&mail);
    assert!(link.contains("/password-reset?token="), "{link}");
    // A mail scanner, then the person on another device: GETs change nothing.
    let phone = browser();
    for _ in 0..2 {
        let r = phone.get(&link).send().await.expect("link");
        assert_eq!(r.status(), 200);
        let html = r.text().await.expect("html");
        assert!(input_value(&html, "token").is_some(), "{html}");
    }
    assert_eq!(w.silent(&other).await, None, "nothing ended");
    assert_eq!(w.password_sign_in(&browser(), PASSWORD).await.0, 303);
    assert!(!w.email_verified());

    let token = query_param(&link, "token").expect("token");
    let r = phone
        .post(w.app.url("/password-reset"))
        .form(&[("token", token.as_str()), ("password", NEW_PASSWORD)])
        .send()
        .await
        .expect("set");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    assert!(html.contains("id=\"reset-done\""), "{html}");
    assert_eq!(w.silent(&other).await.as_deref(), Some("login_required"));
    assert_eq!(w.password_sign_in(&browser(), PASSWORD).await.0, 401);
    assert_eq!(w.password_sign_in(&browser(), NEW_PASSWORD).await.0, 303);
    assert!(w.email_verified());
    // Once only.
    let r = phone.get(&link).send().await.expect("link");
    assert_eq!(r.status(), 410);
    let r = phone
        .post(w.app.url("/password-reset"))
        .form(&[
            ("token", token.as_str()),
            ("password", "yet another passphrase"),
        ])
        .send()
        .await
        .expect("again");
    assert_eq!(r.status(), 410);
}

async fn wrong_reset_codes_end_the_reset(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = World::spawn(backend, &smtp).await;
    w.app.create_user(EMAIL);
    let b = browser();
    let (code_page, _) = w.forgot(&b, EMAIL).await;
    let code = smtp.wait_for(1, WAIT).await[0].code().expect("a code");
    let n: u32 = code.parse().expect("digits");
    let (_, csrf) = open_page(&b, &code_page).await;
    for i in 0..5 {
        let wrong = format!("{:06}", (n + 1 + i) % 1_000_000);
        let r = b
            .post(&code_page)
            .form(&[("csrf", csrf.as_str()), ("code", wrong.as_str())])
            .send()
            .await
            .expect("code");
        assert_eq!(r.status(), 400);
    }
    let r = b
        .post(&code_page)
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .expect("code");
    assert_eq!(r.status(), 400, "dead");
    let new_page = code_page.replace("/code", "/new");
    let r = b.get(&new_page).send().await.expect("new");
    assert_eq!(r.status(), 303, "no form without the code");
    assert_eq!(w.password_sign_in(&browser(), PASSWORD).await.0, 303);
}

/// The owner asked twice (the first mail seemed lost) and reset with the second; whoever
/// holds the first mail later (a forwarded copy, a mailbox read afterwards) must not set the
/// password again with its link or its code.
async fn an_older_reset_mail_is_dead_once_the_password_is_reset(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = World::spawn(backend, &smtp).await;
    w.app.create_user(EMAIL);
    let first_asker = browser();
    let (first_code_page, _) = w.forgot(&first_asker, EMAIL).await;
    let first = smtp.wait_for(1, WAIT).await[0].clone();
    w.forgot(&browser(), EMAIL).await;
    let second = smtp.wait_for(2, WAIT).await[1].clone();
    let (old_link, new_link) = (the_link(&first), the_link(&second));
    assert_ne!(old_link, new_link);
    let (_, csrf) = open_page(&first_asker, &first_code_page).await;

    let owner = browser();
    let token = query_param(&new_link, "token").expect("token");
    let r = owner
        .post(w.app.url("/password-reset"))
        .form(&[("token", token.as_str()), ("password", NEW_PASSWORD)])
        .send()
        .await
        .expect("set");
    assert_eq!(r.status(), 200, "the owner's reset");

    let attacker = browser();
    let r = attacker.get(&old_link).send().await.expect("old link");
    assert_eq!(r.status(), 410, "the older link is spent with the reset");
    let old_token = query_param(&old_link, "token").expect("token");
    let r = attacker
        .post(w.app.url("/password-reset"))
        .form(&[
            ("token", old_token.as_str()),
            ("password", "the attacker's pick"),
        ])
        .send()
        .await
        .expect("old link's form");
    assert_eq!(r.status(), 410);
    // Nor the older mail's code, typed in the browser that asked first.
    let code = first.code().expect("a code");
    let r = first_asker
        .post(&first_code_page)
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .expect("old code");
    assert!(
        r.status() != 303 || !location(&r).ends_with("/new"),
        "no new-password form for the older code"
    );
    let r = first_asker
        .get(first_code_page.replace("/code", "/new"))
        .send()
        .await
        .expect("new");
    assert_eq!(r.status(), 303, "no form without a live reset");
    assert_eq!(
        w.password_sign_in(&browser(), "the attacker's pick")
            .await
            .0,
        401
    );
    assert_eq!(w.password_sign_in(&browser(), NEW_PASSWORD).await.0, 303);
}

on_both_backends!(
    a_reset_by_code_ends_every_other_session_and_refresh_token,
    an_older_reset_mail_is_dead_once_the_password_is_reset,
    the_reset_link_changes_nothing_until_its_form_is_sent,
    wrong_reset_codes_end_the_reset,
);
