//! Hosted passwordless sign-in ("Email me a sign-in link"), against a real SMTP server: the
//! person asks on the sign-in page, reads the mail, and follows its link or types its code.
//! The link signs in only the browser that asked; anywhere else it shows the code. Attacks
//! are named: a scanner's GET spends nothing, a link opened in another browser never signs
//! it in, guessing codes is stopped after five, a code works only on its own interaction.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::common::rp::{self, Pending, amr};
use crate::common::smtp::{Mail, SmtpServer};
use crate::common::{
    Backend, assert_error_page, browser, input_value, location, no_redirects, open_page,
    query_param, start_interaction,
};

const LINK: &str = "/interaction/sign-in-link";

fn quick_mail(settings: &mut sesame::config::Settings, smtp: &SmtpServer) {
    settings.smtp_url = sesame::config::Redacted::new(smtp.url());
    settings.mail_poll_interval_ms = 200;
    settings.mail_retry_min_secs = 1;
    settings.mail_retry_max_secs = 2;
}

async fn world(backend: Backend, smtp: &SmtpServer) -> rp::World {
    rp::World::spawn_with(backend, |s| quick_mail(s, smtp)).await
}

/// A browser at the sign-in page of a new authorization request: the page's URL.
async fn at_sign_in(
    w: &rp::World,
    b: &reqwest::Client,
    extra: &[(&str, &str)],
) -> (String, Pending) {
    let pending = w.rp.authorize(&["email"], extra);
    let page = start_interaction(&w.app, b, &pending.url).await;
    (page, pending)
}

/// "Email me a sign-in link" for `email`: the answer (a redirect to the waiting page).
async fn ask(b: &reqwest::Client, page: &str, email: &str) -> reqwest::Response {
    let (html, csrf) = open_page(b, page).await;
    assert!(
        html.contains("/email-link"),
        "the sign-in page offers it: {html}"
    );
    b.post(format!("{page}/email-link"))
        .form(&[("csrf", csrf.as_str()), ("email", email)])
        .send()
        .await
        .expect("ask")
}

/// Asks and follows to the waiting page: its HTML.
async fn ask_and_wait(w: &rp::World, b: &reqwest::Client, page: &str, email: &str) -> String {
    let r = ask(b, page, email).await;
    assert_eq!(r.status(), 303);
    let waiting = location(&r);
    assert!(waiting.ends_with("/email-link"), "{waiting}");
    let r = b
        .get(w.app.url(&waiting))
        .send()
        .await
        .expect("waiting page");
    assert_eq!(r.status(), 200);
    r.text().await.expect("html")
}

fn link_of(w: &rp::World, mail: &Mail) -> String {
    mail.link(&w.app.url(LINK))
}

/// The 6-digit code of a mail: the line that is six digits.
fn code_of(mail: &Mail) -> String {
    mail.text
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 6 && l.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no code in {}", mail.text))
        .to_owned()
}

async fn type_code(b: &reqwest::Client, page: &str, code: &str) -> reqwest::Response {
    let (_, csrf) = open_page(b, &format!("{page}/email-link")).await;
    b.post(format!("{page}/email-link/code"))
        .form(&[("csrf", csrf.as_str()), ("code", code)])
        .send()
        .await
        .expect("code")
}

/// Whether `b` has a session: a `prompt=none` request answers with a code, or
/// `login_required`.
async fn has_session(w: &rp::World, b: &reqwest::Client) -> bool {
    let silent = w.rp.authorize(&[], &[("prompt", "none")]);
    let r = b.get(&silent.url).send().await.expect("silent");
    let to = location(&r);
    match query_param(&to, "error").as_deref() {
        Some("login_required") => false,
        None => query_param(&to, "code").is_some(),
        Some(other) => panic!("{other}: {to}"),
    }
}

async fn a_link_opened_in_the_browser_that_asked_signs_in_with_one_click(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    w.app.create_user("ada@example.com");
    let b = browser();
    let (page, pending) = at_sign_in(&w, &b, &[]).await;
    let waiting = ask_and_wait(&w, &b, &page, "ada@example.com").await;
    assert!(waiting.contains("ada@example.com"), "{waiting}");
    let mails = smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(mails[0].to, "ada@example.com");
    assert_eq!(mails[0].subject, "Your sign-in link and code");
    let link = link_of(&w, &mails[0]);
    assert!(link.contains("token="), "{link}");
    assert!(
        mails[0]
            .html
            .as_deref()
            .is_some_and(|h| h.contains(&code_of(&mails[0])))
    );

    // The link's page posts itself back (its script presses the button; we press it).
    let r = b.get(&link).send().await.expect("link");
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    let html = r.text().await.expect("html");
    assert!(html.contains("<script>"), "{html}");
    let csrf = input_value(&html, "csrf").expect("csrf");
    let token = input_value(&html, "token").expect("token");
    let r = b
        .post(w.app.url(LINK))
        .form(&[("csrf", csrf.as_str()), ("token", token.as_str())])
        .send()
        .await
        .expect("continue");
    assert_eq!(r.status(), 303);
    let claims = w.claims(&location(&r), pending).await;
    assert_eq!(claims.email().map(|e| e.as_str()), Some("ada@example.com"));
    assert_eq!(amr(&claims), vec!["email".to_owned()]);
    assert!(has_session(&w, &b).await);
    // Spent: the link is used now.
    let r = b.get(&link).send().await.expect("again");
    assert_error_page(r, 410, "hosted_link_used").await;
}

async fn a_link_opened_in_another_browser_never_signs_it_in(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    w.app.create_user("ada@example.com");
    let (asking, phone) = (browser(), browser());
    let (page, pending) = at_sign_in(&w, &asking, &[]).await;
    ask_and_wait(&w, &asking, &page, "ada@example.com").await;
    let mail = &smtp.wait_for(1, Duration::from_secs(20)).await[0];
    let link = link_of(&w, mail);
    // The phone opens the link: the code, and nothing to press.
    let r = phone.get(&link).send().await.expect("link");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    assert!(html.contains(&code_of(mail)), "{html}");
    assert!(input_value(&html, "csrf").is_none(), "no form: {html}");
    // Posting the link from there (as if it had a form) signs nothing in.
    let r = phone
        .post(w.app.url(LINK))
        .form(&[
            ("csrf", "x"),
            (
                "token",
                query_param(&link, "token").expect("token").as_str(),
            ),
        ])
        .send()
        .await
        .expect("post");
    assert_error_page(r, 403, "interaction_other_browser").await;
    assert!(!has_session(&w, &phone).await);
    // The code, typed in the browser that asked, signs in there.
    let r = type_code(&asking, &page, &code_of(mail)).await;
    assert_eq!(r.status(), 303);
    let claims = w.claims(&location(&r), pending).await;
    assert_eq!(claims.email().map(|e| e.as_str()), Some("ada@example.com"));
    assert!(has_session(&w, &asking).await);
    assert!(
        !has_session(&w, &phone).await,
        "the phone is signed in nowhere"
    );
}

async fn a_scanners_get_spends_nothing(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    w.app.create_user("ada@example.com");
    let b = browser();
    let (page, pending) = at_sign_in(&w, &b, &[]).await;
    ask_and_wait(&w, &b, &page, "ada@example.com").await;
    let mail = &smtp.wait_for(1, Duration::from_secs(20)).await[0];
    let link = link_of(&w, mail);
    for _ in 0..3 {
        let r = no_redirects().get(&link).send().await.expect("scan");
        assert_eq!(r.status(), 200);
    }
    // Still live: the code signs in.
    let r = type_code(&b, &page, &code_of(mail)).await;
    assert_eq!(r.status(), 303);
    w.claims(&location(&r), pending).await;
}

async fn guessing_codes_is_stopped_after_five(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    w.app.create_user("ada@example.com");
    let b = browser();
    let (page, _) = at_sign_in(&w, &b, &[]).await;
    ask_and_wait(&w, &b, &page, "ada@example.com").await;
    let mail = &smtp.wait_for(1, Duration::from_secs(20)).await[0];
    let right = code_of(mail);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for left in (1..=4).rev() {
        let r = type_code(&b, &page, wrong).await;
        assert_eq!(r.status(), 400);
        let html = r.text().await.expect("html");
        assert!(html.contains(&format!("Tries left: {left}")), "{html}");
    }
    let r = type_code(&b, &page, wrong).await;
    let html = r.text().await.expect("html");
    assert!(html.contains("Too many wrong codes"), "{html}");
    // Dead: the waiting page has no code field left; the right code, and the link, do
    // nothing now.
    let waiting = b
        .get(format!("{page}/email-link"))
        .send()
        .await
        .expect("page");
    let waiting = waiting.text().await.expect("html");
    assert!(!waiting.contains(r#"name="code""#), "{waiting}");
    let (_, csrf) = open_page(&b, &page).await;
    let r = b
        .post(format!("{page}/email-link/code"))
        .form(&[("csrf", csrf.as_str()), ("code", right.as_str())])
        .send()
        .await
        .expect("code");
    assert_eq!(r.status(), 400);
    assert!(!has_session(&w, &b).await);
    let r = b.get(link_of(&w, mail)).send().await.expect("link");
    assert_error_page(r, 410, "hosted_link_blocked").await;
}

async fn a_code_works_only_on_its_own_interaction(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    w.app.create_user("ada@example.com");
    w.app.create_user("mallory@example.com");
    let (victim, attacker) = (browser(), browser());
    let (victim_page, _) = at_sign_in(&w, &victim, &[]).await;
    ask_and_wait(&w, &victim, &victim_page, "ada@example.com").await;
    let (attacker_page, _) = at_sign_in(&w, &attacker, &[]).await;
    ask_and_wait(&w, &attacker, &attacker_page, "mallory@example.com").await;
    let mails = smtp.wait_for(2, Duration::from_secs(20)).await;
    let ada = mails
        .iter()
        .find(|m| m.to == "ada@example.com")
        .expect("ada's");
    let mallory = mails
        .iter()
        .find(|m| m.to == "mallory@example.com")
        .expect("mallory's");
    // Mallory's code on Ada's interaction (and Ada's on Mallory's) is a wrong code.
    if code_of(ada) != code_of(mallory) {
        let r = type_code(&victim, &victim_page, &code_of(mallory)).await;
        assert_eq!(r.status(), 400);
        let r = type_code(&attacker, &attacker_page, &code_of(ada)).await;
        assert_eq!(r.status(), 400);
    }
    // Mallory's link opened in Ada's browser (another interaction's cookie): only the code.
    let r = victim.get(link_of(&w, mallory)).send().await.expect("link");
    let html = r.text().await.expect("html");
    assert!(input_value(&html, "token").is_none(), "{html}");
    assert!(!has_session(&w, &victim).await);
}

async fn send_again_waits_out_its_cooldown_and_replaces_the_link(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    w.app.create_user("ada@example.com");
    let b = browser();
    let (page, pending) = at_sign_in(&w, &b, &[]).await;
    let waiting = ask_and_wait(&w, &b, &page, "ada@example.com").await;
    assert!(waiting.contains("id=\"cooldown\""), "{waiting}");
    let first = smtp.wait_for(1, Duration::from_secs(20)).await[0].clone();
    let again = |b: reqwest::Client, page: String| async move {
        let (_, csrf) = open_page(&b, &format!("{page}/email-link")).await;
        b.post(format!("{page}/email-link/again"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .expect("again")
    };
    let r = again(b.clone(), page.clone()).await;
    assert_eq!(r.status(), 429);
    assert!(
        r.text()
            .await
            .expect("html")
            .contains("You can send the mail again in")
    );
    w.app.clock.advance(Duration::from_secs(61));
    let r = again(b.clone(), page.clone()).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("html").contains("We sent a new mail"));
    let second = smtp.wait_for(2, Duration::from_secs(20)).await[1].clone();
    assert_ne!(link_of(&w, &first), link_of(&w, &second));
    // The first mail's link and code no longer work; the second's do.
    let r = b.get(link_of(&w, &first)).send().await.expect("old link");
    assert_error_page(r, 404, "hosted_link_not_found").await;
    if code_of(&first) != code_of(&second) {
        assert_eq!(type_code(&b, &page, &code_of(&first)).await.status(), 400);
    }
    let r = type_code(&b, &page, &code_of(&second)).await;
    assert_eq!(r.status(), 303);
    w.claims(&location(&r), pending).await;
}

async fn mails_are_limited_per_address(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = rp::World::spawn_with(backend, |s| {
        quick_mail(s, &smtp);
        s.hosted_links_per_email_per_hour = 2;
    })
    .await;
    for n in 0..3 {
        let b = browser();
        let (page, _) = at_sign_in(&w, &b, &[]).await;
        let r = ask(&b, &page, "ada@example.com").await;
        if n < 2 {
            assert_eq!(r.status(), 303);
        } else {
            assert_eq!(r.status(), 429);
            let html = r.text().await.expect("html");
            assert!(html.contains("Too many sign-in mails"), "{html}");
        }
    }
    smtp.wait_for(2, Duration::from_secs(20)).await;
    actix_rt::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(smtp.mails().len(), 2);
}

async fn a_new_address_registers_when_sign_up_is_open_and_is_told_otherwise(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    let b = browser();
    let (page, pending) = at_sign_in(&w, &b, &[]).await;
    ask_and_wait(&w, &b, &page, "new@example.com").await;
    let mail = &smtp.wait_for(1, Duration::from_secs(20)).await[0];
    let r = type_code(&b, &page, &code_of(mail)).await;
    assert_eq!(r.status(), 303);
    let claims = w.claims(&location(&r), pending).await;
    assert_eq!(claims.email().map(|e| e.as_str()), Some("new@example.com"));
    assert_eq!(claims.email_verified(), Some(true));

    // Sign-up closed: the same page, and a mail that says there is no account.
    let (status, body) = w
        .api(
            Method::PATCH,
            "/api/sign-in-exp",
            Some(json!({"signUp": {"enabled": false}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let b = browser();
    let (page, _) = at_sign_in(&w, &b, &[]).await;
    let waiting = ask_and_wait(&w, &b, &page, "nobody@example.com").await;
    assert!(waiting.contains("nobody@example.com"), "{waiting}");
    let mail = smtp.wait_for(2, Duration::from_secs(20)).await[1].clone();
    assert_eq!(mail.to, "nobody@example.com");
    assert!(!mail.text.contains(LINK), "nothing usable: {}", mail.text);
}

async fn turned_off_it_is_not_offered_and_refused(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    let (status, body) = w.api(Method::GET, "/api/sign-in-exp", None).await;
    assert_eq!(
        (status, &body["magicLink"]["hostedSignIn"]),
        (200, &json!(true))
    );
    let (status, body) = w
        .api(
            Method::PATCH,
            "/api/sign-in-exp",
            Some(json!({"magicLink": {"hostedSignIn": false}})),
        )
        .await;
    assert_eq!(
        (status, &body["magicLink"]["hostedSignIn"]),
        (200, &json!(false))
    );
    let b = browser();
    let (page, _) = at_sign_in(&w, &b, &[]).await;
    let (html, csrf) = open_page(&b, &page).await;
    assert!(!html.contains("/email-link"), "{html}");
    let r = b
        .post(format!("{page}/email-link"))
        .form(&[("csrf", csrf.as_str()), ("email", "ada@example.com")])
        .send()
        .await
        .expect("ask");
    assert_error_page(r, 404, "hosted_sign_in_disabled").await;
}

/// The waiting page's title and the mail's subject in each language.
const WAITING: &[(&str, &str, &str)] = &[
    ("en", "Check your mail", "Your sign-in link and code"),
    (
        "de",
        "Sehen Sie in Ihr Postfach",
        "Ihr Anmeldelink und -code",
    ),
    (
        "es",
        "Revisa tu correo",
        "Tu enlace y código de inicio de sesión",
    ),
    ("ko", "메일을 확인하세요", "로그인 링크와 코드"),
    ("sv", "Kolla din e-post", "Din inloggningslänk och kod"),
    ("zh-TW", "請查看您的郵件", "您的登入連結與驗證碼"),
];

async fn the_waiting_page_speaks_six_languages(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    for (n, (lang, title, _)) in WAITING.iter().enumerate() {
        let b = browser();
        let (page, _) = at_sign_in(&w, &b, &[("ui_locales", lang)]).await;
        let html = ask_and_wait(&w, &b, &page, &format!("p{n}@example.com")).await;
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{lang}");
        assert!(html.contains(title), "{lang}: {html}");
    }
    let mails = smtp.wait_for(WAITING.len(), Duration::from_secs(20)).await;
    for (n, (lang, _, subject)) in WAITING.iter().enumerate() {
        let mail = mails
            .iter()
            .find(|m| m.to == format!("p{n}@example.com"))
            .expect("each mail");
        assert_eq!(&mail.subject, subject, "{lang}");
        assert!(mail.text.contains(&code_of(mail)), "{lang}");
    }
}

/// A hosted link proves the address, not a second factor: an account with an authenticator
/// (MFA by the user's choice) still gets the second-factor page, and no code goes to the
/// client before it.
async fn a_hosted_sign_in_still_asks_the_second_factor(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = world(backend, &smtp).await;
    let (status, _) = w
        .api(
            Method::PATCH,
            "/api/sign-in-exp",
            Some(json!({"mfa": {"policy": "user"}})),
        )
        .await;
    assert_eq!(status, 200);
    let user = w.app.create_user("ada@example.com");
    let secret = sesame::identity::mfa::new_secret();
    w.app
        .storage
        .run_blocking(move |c| {
            sesame::storage::mfa::enroll_totp(c, &user.id, &secret, 0, &[], crate::common::now_ms())
        })
        .expect("enroll");
    let b = browser();
    let (page, _) = at_sign_in(&w, &b, &[]).await;
    ask_and_wait(&w, &b, &page, "ada@example.com").await;
    let mail = &smtp.wait_for(1, Duration::from_secs(20)).await[0];
    let r = b.get(link_of(&w, mail)).send().await.expect("link");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    let csrf = input_value(&html, "csrf").expect("csrf");
    let token = input_value(&html, "token").expect("token");
    let r = b
        .post(w.app.url(LINK))
        .form(&[("csrf", csrf.as_str()), ("token", token.as_str())])
        .send()
        .await
        .expect("continue");
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert!(
        to.starts_with("/interaction/") && query_param(&w.app.url(&to), "code").is_none(),
        "the second factor comes first: {to}"
    );
    let (html, _) = open_page(&b, &w.app.url(&to)).await;
    assert!(
        html.contains("name=\"code\""),
        "the second-factor form: {html}"
    );
    assert!(
        !has_session(&w, &b).await,
        "no session before the second factor"
    );
}

crate::on_both_backends!(
    a_link_opened_in_the_browser_that_asked_signs_in_with_one_click,
    a_hosted_sign_in_still_asks_the_second_factor,
    a_link_opened_in_another_browser_never_signs_it_in,
    a_scanners_get_spends_nothing,
    guessing_codes_is_stopped_after_five,
    a_code_works_only_on_its_own_interaction,
    send_again_waits_out_its_cooldown_and_replaces_the_link,
    mails_are_limited_per_address,
    a_new_address_registers_when_sign_up_is_open_and_is_told_otherwise,
    turned_off_it_is_not_offered_and_refused,
    the_waiting_page_speaks_six_languages,
);
