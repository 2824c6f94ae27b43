//! A token Sesame mails itself (`send`): the link to the landing page, and the outbox row that
//! carries it to the mailbox, which is the only place the plaintext then goes.

use serde_json::json;

use crate::identity::Email;
use crate::storage::outbox::{MailKind, OutboxRecord};

/// The longest locale tag accepted (BCP 47 tags in use are far shorter).
pub const MAX_LOCALE_CHARS: usize = 35;

/// The locale of mails sent without one.
pub const DEFAULT_LOCALE: &str = "en";

/// Where and in which language to mail a new token's link. `landing_uri` is checked to be
/// registered on an application in the transaction that creates the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkMail {
    pub landing_uri: String,
    pub locale: String,
}

/// A locale tag as mails are looked up by it: letters, digits and `-`, starting with a
/// language of 2 to 8 letters (`de`, `pt-BR`), lowercased; anything else is refused.
pub fn parse_locale(raw: &str) -> Option<String> {
    let tag = raw.trim();
    let mut parts = tag.split(['-', '_']);
    let language = parts.next()?;
    let language_ok =
        (2..=8).contains(&language.len()) && language.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    (language_ok && rest_ok && tag.len() <= MAX_LOCALE_CHARS)
        .then(|| tag.replace('_', "-").to_ascii_lowercase())
}

/// The landing-link shape: `landing_uri?token=...&email=...` (the landing page passes both on
/// to `/oidc/auth` as `one_time_token` and `login_hint`). `landing_uri` has no query.
pub fn landing_link(landing_uri: &str, token: &str, email: &Email) -> String {
    match url::Url::parse(landing_uri) {
        Ok(mut url) => {
            url.query_pairs_mut()
                .append_pair("token", token)
                .append_pair("email", email.as_str());
            url.into()
        }
        // Checked at the edge; never reached.
        Err(_) => landing_uri.to_owned(),
    }
}

/// The outbox row announcing token `token_id`: the link and what the template shows.
pub fn sign_in_link_mail(
    send: &LinkMail,
    token_id: &str,
    token: &str,
    email: &Email,
    expires_in_secs: i64,
    now: i64,
) -> OutboxRecord {
    let payload = json!({
        "link": landing_link(&send.landing_uri, token, email),
        "email": email.as_str(),
        "expires_in_minutes": ((expires_in_secs + 59) / 60).to_string(),
    });
    OutboxRecord::pending(
        MailKind::SignInLink,
        email.as_str(),
        &send.locale,
        payload.to_string(),
        Some(token_id.to_owned()),
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_carries_the_token_and_the_email_encoded() {
        let email = Email::parse("ada+x@example.com").expect("email");
        assert_eq!(
            landing_link("https://app.example/welcome", "t0k-_", &email),
            "https://app.example/welcome?token=t0k-_&email=ada%2Bx%40example.com"
        );
    }

    #[test]
    fn locales_are_tags_or_refused() {
        assert_eq!(parse_locale("de").as_deref(), Some("de"));
        assert_eq!(parse_locale("pt_BR").as_deref(), Some("pt-br"));
        assert_eq!(parse_locale("zh-Hant-TW").as_deref(), Some("zh-hant-tw"));
        for bad in [
            "",
            "d",
            "de/../../x",
            "de-",
            "1a",
            "de-toolongsubtag",
            &"a".repeat(40),
        ] {
            assert_eq!(parse_locale(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_payload_is_the_templates_values() {
        let email = Email::parse("ada@example.com").expect("email");
        let send = LinkMail {
            landing_uri: "https://app.example/in".into(),
            locale: "de".into(),
        };
        let mail = sign_in_link_mail(&send, "tid", "secret", &email, 600, 5);
        let payload: serde_json::Value = serde_json::from_str(&mail.payload).expect("json");
        assert_eq!(payload["expires_in_minutes"], "10");
        assert!(
            payload["link"]
                .as_str()
                .expect("link")
                .contains("token=secret")
        );
        assert_eq!(mail.one_time_token_id.as_deref(), Some("tid"));
        assert_eq!((mail.locale.as_str(), mail.next_attempt_at), ("de", 5));
    }
}
