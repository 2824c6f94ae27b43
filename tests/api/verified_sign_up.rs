//! Verified sign-up (`signUp.verifyEmail`, on by default), against a real SMTP server: public
//! registration mails a 6-digit code and the account exists only once it is typed; five wrong
//! codes end the registration; "send again" mails a new code once a minute; an address that
//! has an account gets the same page and its owner a notice; with the setting off,
//! registration creates the account at once, unverified.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::common::rp::{self, World};
use crate::common::smtp::{Mail, SmtpServer};
use crate::common::{Backend, browser, location, open_page, page_html, start_interaction};

const EMAIL: &str = "new@example.com";
const PASSWORD: &str = "a long enough passphrase";
const WAIT: Duration = Duration::from_secs(20);

async fn world(backend: Backend, smtp: &SmtpServer) -> World {
    World::spawn_with(backend, |s| smtp.configure(s)).await
}

fn account(w: &World, email: &str) -> Option<sesame::identity::User> {
    let email = email.to_owned();
    w.app
        .storage
        .run_blocking(move |c| sesame::storage::users::find_user_by_email(c, &email))
        .expect("read")
}

/// A registration in a new browser: the browser, the request's secrets, and the answer to the
/// form.
pub async fn register(w: &World, email: &str) -> (reqwest::Client, rp::Pending, reqwest::Response) {
    let b = browser();
    let pending = w.rp.authorize(&["email"], &[]);
    let page = start_interaction(&w.app, &b, &pending.url).await;
    let (_, csrf) = open_page(&b, &format!("{page}/register")).await;
    let r = b
        .post(format!("{page}/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", PASSWORD),
            ("name", "Ada"),
        ])
        .send()
        .await
        .expect("register");
    (b, pending, r)
}

/// Types `code` on the code page `page` in `b`.
async fn type_code(b: &reqwest::Client, page: &str, code: &str) -> reqwest::Response {
    let (_, csrf) = open_page(b, page).await;
    b.post(page)
        .form(&[("csrf", csrf.as_str()), ("code", code)])
        .send()
        .await
        .expect("code")
}

/// A code that is not `code`.
fn other_than(code: &str, i: u32) -> String {
    let n: u32 = code.parse().expect("digits");
    format!("{:06}", (n + 1 + i) % 1_000_000)
}

fn only_mail_to(mails: &[Mail], to: &str) -> Mail {
    let to_them: Vec<&Mail> = mails.iter().filter(|m| m.to == to).collect();
    assert_eq!(to_them.len(), 1, "{mails:?}");
    to_them[0].clone()
}

async fn the_account_exists_only_once_the_mailed_code_is_typed(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    let (b, pending, r) = register(&w, EMAIL).await;
    assert_eq!(r.status(), 303);
    let page = w.app.url(&location(&r));
    assert!(page.ends_with("/sign-up/code"), "{page}");
    let html = page_html(&b, &page).await;
    assert!(html.contains(EMAIL), "the page names the address: {html}");
    assert!(account(&w, EMAIL).is_none(), "no account before the code");

    let mail = only_mail_to(&smtp.wait_for(1, WAIT).await, EMAIL);
    let code = mail.code().expect("a code");
    assert!(mail.html.as_deref().is_some_and(|h| h.contains(&code)));
    let r = type_code(&b, &page, &code).await;
    assert_eq!(r.status(), 303, "signed in");
    let claims = w.claims(&location(&r), pending).await;
    assert_eq!(claims.email().map(|e| e.as_str()), Some(EMAIL));
    assert_eq!(claims.email_verified(), Some(true));
    assert_eq!(rp::amr(&claims), vec!["pwd".to_owned()]);
    let user = account(&w, EMAIL).expect("the account");
    assert!(user.email_verified);
    assert_eq!(user.name.as_deref(), Some("Ada"));

    // The code is spent: the page sends back to registration.
    let r = b.get(&page).send().await.expect("page");
    assert!(r.status() == 303 || r.status() == 400, "{}", r.status());
}

async fn five_wrong_codes_end_the_registration(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    let (b, _, r) = register(&w, EMAIL).await;
    let page = w.app.url(&location(&r));
    let code = smtp.wait_for(1, WAIT).await[0].code().expect("a code");
    let (_, csrf) = open_page(&b, &page).await;
    for i in 0..4 {
        let r = type_code(&b, &page, &other_than(&code, i)).await;
        assert_eq!(r.status(), 400);
        let html = r.text().await.expect("html");
        assert!(html.contains(&format!("Tries left: {}.", 4 - i)), "{html}");
    }
    let r = type_code(&b, &page, &other_than(&code, 4)).await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.expect("html");
    assert!(html.contains("Too many wrong codes"), "{html}");
    assert!(!html.contains("name=\"code\""), "no form any more: {html}");
    // Even the right code is refused now, and no account was made.
    let r = b
        .post(&page)
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .expect("code");
    assert_eq!(r.status(), 400);
    assert!(account(&w, EMAIL).is_none());
}

async fn send_again_mails_a_new_code_once_a_minute(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    let (b, pending, r) = register(&w, EMAIL).await;
    let page = w.app.url(&location(&r));
    let first = smtp.wait_for(1, WAIT).await[0].code().expect("a code");
    let resend = page.replace("/sign-up/code", "/sign-up/resend");
    let (_, csrf) = open_page(&b, &page).await;
    let r = b
        .post(&resend)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("resend");
    assert_eq!(r.status(), 429, "too soon");
    w.app.clock.advance(Duration::from_secs(61));
    let r = b
        .post(&resend)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("resend");
    assert_eq!(r.status(), 303);
    let second = smtp.wait_for(2, WAIT).await[1].code().expect("a new code");
    if first != second {
        assert_eq!(type_code(&b, &page, &first).await.status(), 400, "replaced");
    }
    let r = type_code(&b, &page, &second).await;
    assert_eq!(r.status(), 303);
    let claims = w.claims(&location(&r), pending).await;
    assert_eq!(claims.email_verified(), Some(true));
}

async fn an_address_with_an_account_gets_a_notice_and_no_second_account(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    let existing = w.app.create_user(EMAIL);
    let (b, _, r) = register(&w, EMAIL).await;
    assert_eq!(r.status(), 303);
    let page = w.app.url(&location(&r));
    assert!(page.ends_with("/sign-up/code"), "the same page: {page}");
    let notice = only_mail_to(&smtp.wait_for(1, WAIT).await, EMAIL);
    assert_eq!(
        notice.code(),
        None,
        "no code that could work: {}",
        notice.text
    );
    assert!(notice.text.contains("Forgot password?"), "{}", notice.text);
    assert_eq!(
        notice.subject,
        "Someone tried to create an account with your address"
    );
    for i in 0..5 {
        assert_eq!(type_code(&b, &page, &format!("{i:06}")).await.status(), 400);
    }
    let user = account(&w, EMAIL).expect("the account");
    assert_eq!(user.id, existing.id, "the same account, untouched");
    assert_eq!(user.name.as_deref(), Some("Test Person"));
}

async fn with_verify_email_off_registration_creates_the_account_at_once(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    let (status, body) = w
        .api(
            Method::PATCH,
            "/api/sign-in-exp",
            Some(json!({"signUp": {"verifyEmail": false}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["signUp"]["verifyEmail"], false);
    let (_, pending, r) = register(&w, EMAIL).await;
    assert_eq!(r.status(), 303);
    let claims = w.claims(&location(&r), pending).await;
    assert_eq!(claims.email_verified(), Some(false));
    actix_rt::time::sleep(Duration::from_millis(600)).await;
    assert!(smtp.mails().is_empty(), "nothing mailed");
}

on_both_backends!(
    the_account_exists_only_once_the_mailed_code_is_typed,
    five_wrong_codes_end_the_registration,
    send_again_mails_a_new_code_once_a_minute,
    an_address_with_an_account_gets_a_notice_and_no_second_account,
    with_verify_email_off_registration_creates_the_account_at_once,
);
