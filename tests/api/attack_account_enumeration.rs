//! Attack: account enumeration. Someone types addresses into the public registration form and
//! the "forgot password" form to learn which have an account. Both answer the same whatever
//! the address: the same redirect and the same page (but for the address shown back); only
//! the address's mailbox learns the difference (a notice instead of a code, a reset mail or
//! none).

use std::time::Duration;

use crate::common::rp::World;
use crate::common::smtp::SmtpServer;
use crate::common::{Backend, browser, location, open_page, start_interaction};

const REGISTERED: &str = "known@example.com";
const UNKNOWN: &str = "nobody@example.com";

/// What a page shows but for the per-interaction values (its URL and CSRF value) and the
/// address it names.
fn stripped(html: &str, page: &str, csrf: &str, email: &str) -> String {
    let uid = page.rsplit("/interaction/").next().unwrap_or_default();
    let uid = uid.split('/').next().unwrap_or_default();
    html.replace(uid, "UID")
        .replace(csrf, "CSRF")
        .replace(email, "EMAIL")
}

/// Posts `form` to `path` of a new interaction; the status, the redirect's path without the
/// interaction, and the page it leads to (stripped).
async fn answer(
    w: &World,
    path: &str,
    form: &[(&str, &str)],
    email: &str,
) -> (u16, String, String) {
    let b = browser();
    let pending = w.rp.authorize(&["email"], &[]);
    let page = start_interaction(&w.app, &b, &pending.url).await;
    let (_, csrf) = open_page(&b, &format!("{page}{path}")).await;
    let mut fields = vec![("csrf", csrf.as_str()), ("email", email)];
    fields.extend_from_slice(form);
    let r = b
        .post(format!("{page}{path}"))
        .form(&fields)
        .send()
        .await
        .expect("post");
    let status = r.status().as_u16();
    let to = location(&r);
    let next = w.app.url(&to);
    let (html, csrf) = open_page(&b, &next).await;
    let uid = page.rsplit('/').next().unwrap_or_default();
    let to = to.replace(uid, "UID");
    (status, to, stripped(&html, &next, &csrf, email))
}

async fn sign_up_and_reset_answer_the_same_for_any_address(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = World::spawn_with(backend, |s| smtp.configure(s)).await;
    w.app.create_user(REGISTERED);
    let form = [("password", "a long enough passphrase")];
    let known = answer(&w, "/register", &form, REGISTERED).await;
    let unknown = answer(&w, "/register", &form, UNKNOWN).await;
    assert_eq!(known.0, 303);
    assert!(known.1.ends_with("/sign-up/code"), "{}", known.1);
    assert_eq!(known, unknown, "registration tells nothing");

    let known = answer(&w, "/forgot-password", &[], REGISTERED).await;
    let unknown = answer(&w, "/forgot-password", &[], UNKNOWN).await;
    assert_eq!(known.0, 303);
    assert!(known.1.ends_with("/forgot-password/code"), "{}", known.1);
    assert_eq!(known, unknown, "the reset tells nothing");

    // Only the mailboxes know: a notice to the owner, a code to the new address, one reset
    // mail to the owner, and nothing to the unknown address for the reset.
    let mails = smtp.wait_for(3, Duration::from_secs(20)).await;
    actix_rt::time::sleep(Duration::from_millis(800)).await;
    let mails = if smtp.mails().len() > mails.len() {
        smtp.mails()
    } else {
        mails
    };
    assert_eq!(mails.len(), 3, "{mails:?}");
    assert_eq!(mails.iter().filter(|m| m.to == REGISTERED).count(), 2);
    let to_unknown: Vec<_> = mails.iter().filter(|m| m.to == UNKNOWN).collect();
    assert_eq!(to_unknown.len(), 1);
    assert!(to_unknown[0].code().is_some(), "the new address's code");
}

on_both_backends!(sign_up_and_reset_answer_the_same_for_any_address);
