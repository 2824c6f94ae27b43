//! Codes mailed to prove an address, for a verified sign-up and a password reset. A code is
//! 6 digits, stored hashed with its row's id, compared in constant time, and dead after
//! [`MAX_ATTEMPTS`] wrong tries; a reset also mails a link (a long random token, hashed).
//!
//! Neither flow tells whether an address has an account: a registration of a taken address
//! gets the same row and page (its code can never be right; the owner is mailed a notice
//! instead of a code), and a reset of an unknown address gets a row that mails nothing.

use serde_json::json;

use super::{Email, User};
use crate::crypto::{Secret, constant_time_eq, random_digits, random_token, sha256_b64url};
use crate::i18n::Locale;
use crate::storage::DbConnection;
use crate::storage::email_codes::{self as queries, EmailCodeRecord};
use crate::storage::outbox::{self, MailKind, OutboxRecord};
use crate::storage::users;

/// What a mailed code proves the address for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    SignUp,
    PasswordReset,
}

impl Purpose {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SignUp => "sign_up",
            Self::PasswordReset => "password_reset",
        }
    }
}

/// Digits of a code.
pub const CODE_DIGITS: usize = 6;
/// Wrong codes allowed per row; then it is dead.
pub const MAX_ATTEMPTS: i32 = 5;
/// How long a code (and a reset link) works.
pub const CODE_TTL_MS: i64 = 15 * 60 * 1000;
/// How long "send again" waits after the last mail.
pub const RESEND_AFTER_MS: i64 = 60 * 1000;

/// The stored form of `code` for row `id`.
fn code_hash(id: &str, code: &str) -> String {
    sha256_b64url(&format!("{id}:{code}"))
}

/// A hash no typed code has: the row of an address whose owner is mailed a notice, or of a
/// reset for an address without an account.
fn unusable_hash() -> String {
    sha256_b64url(&random_token(32))
}

/// What a typed code is against its (already counted) row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCheck {
    Right,
    /// Wrong, with this many tries left (0: the row is dead now).
    Wrong {
        left: i32,
    },
}

/// The decision on `typed` (spaces around and inside ignored, as people type codes).
pub fn check(record: &EmailCodeRecord, typed: &str) -> CodeCheck {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let valid = typed.len() == CODE_DIGITS && typed.chars().all(|c| c.is_ascii_digit());
    if valid && constant_time_eq(&code_hash(&record.id, &typed), &record.code_hash) {
        CodeCheck::Right
    } else {
        CodeCheck::Wrong {
            left: (MAX_ATTEMPTS - record.attempts).max(0),
        }
    }
}

/// Whether no code may be tried against the row any more.
pub fn is_dead(record: &EmailCodeRecord) -> bool {
    record.attempts >= MAX_ATTEMPTS
}

/// Seconds until "send again" is allowed, if it is not yet.
pub fn resend_wait_secs(record: &EmailCodeRecord, now: i64) -> Option<i64> {
    let left = record.sent_at + RESEND_AFTER_MS - now;
    (left > 0).then(|| (left + 999) / 1000)
}

fn minutes(ms: i64) -> String {
    ((ms + 59_999) / 60_000).to_string()
}

fn new_record(
    purpose: Purpose,
    interaction_hash: &str,
    email: &Email,
    now: i64,
) -> EmailCodeRecord {
    EmailCodeRecord {
        id: uuid::Uuid::now_v7().simple().to_string(),
        purpose: purpose.as_str().to_owned(),
        interaction_hash: interaction_hash.to_owned(),
        email: email.as_str().to_owned(),
        user_id: None,
        code_hash: unusable_hash(),
        link_hash: None,
        name: None,
        password_hash: None,
        attempts: 0,
        verified_at: None,
        sent_at: now,
        created_at: now,
        expires_at: now + CODE_TTL_MS,
        consumed_at: None,
    }
}

/// A public registration waiting for its code: what the form gave (the password already
/// hashed on the password threads).
pub struct PendingSignUp {
    pub interaction_hash: String,
    pub email: Email,
    pub name: Option<String>,
    pub password_hash: String,
    pub locale: Locale,
}

/// The mail of a sign-up row: a fresh code (stored in `record`), or, for an address that has
/// an account already (a row without a pending password), the notice.
fn sign_up_mail(record: &mut EmailCodeRecord, locale: Locale, now: i64) -> OutboxRecord {
    let (kind, payload) = if record.password_hash.is_some() {
        let code = random_digits(CODE_DIGITS);
        record.code_hash = code_hash(&record.id, code.expose());
        let payload = json!({
            "code": code.expose(),
            "email": record.email,
            "expires_in_minutes": minutes(record.expires_at - now),
        });
        (MailKind::SignUpCode, payload)
    } else {
        record.code_hash = unusable_hash();
        (MailKind::SignUpExisting, json!({ "email": record.email }))
    };
    OutboxRecord::pending(
        kind,
        &record.email,
        locale.as_str(),
        payload.to_string(),
        None,
        now,
    )
}

/// Stores the registration and queues its mail, in one transaction: a code when the address
/// has no account, else the notice to its owner (and a row whose code is never right).
pub fn start_sign_up_on(
    c: &mut DbConnection,
    pending: PendingSignUp,
    now: i64,
) -> diesel::QueryResult<()> {
    use diesel::Connection;
    c.transaction(|c| {
        let taken = users::find_user_by_email(c, pending.email.as_str())?.is_some();
        let mut record = new_record(
            Purpose::SignUp,
            &pending.interaction_hash,
            &pending.email,
            now,
        );
        if !taken {
            record.name = pending.name;
            record.password_hash = Some(pending.password_hash);
        }
        let mail = sign_up_mail(&mut record, pending.locale, now);
        queries::insert(c, &record)?;
        outbox::enqueue(c, &mail)
    })
}

/// "Send again": a new code (or the notice again) for the sign-up row, in one transaction.
/// `false` when the row was spent meanwhile.
pub fn resend_sign_up_on(
    c: &mut DbConnection,
    mut record: EmailCodeRecord,
    locale: Locale,
    now: i64,
) -> diesel::QueryResult<bool> {
    use diesel::Connection;
    c.transaction(|c| {
        let mail = sign_up_mail(&mut record, locale, now);
        if !queries::replace_code(c, &record.id, &record.code_hash, now)? {
            return Ok(false);
        }
        outbox::enqueue(c, &mail)?;
        Ok(true)
    })
}

/// What the right code of a sign-up did.
#[derive(Debug)]
pub enum SignUpDone {
    /// The account, its address verified.
    Created(User),
    /// A racing submission spent the row first.
    Spent,
    /// The address was registered meanwhile (by a magic link, an administrator).
    EmailTaken,
}

/// Creates the account of a sign-up row whose code was just typed right, spending the row,
/// in one transaction.
pub fn finish_sign_up_on(
    c: &mut DbConnection,
    record: &EmailCodeRecord,
    now: i64,
) -> diesel::QueryResult<SignUpDone> {
    use diesel::Connection;
    let Some(password_hash) = record.password_hash.clone() else {
        // The notice's row: no code was ever mailed for it.
        return Ok(SignUpDone::EmailTaken);
    };
    let user = User {
        id: uuid::Uuid::now_v7().to_string(),
        email: record.email.clone(),
        password_hash: Some(password_hash),
        name: record.name.clone(),
        email_verified: true,
        created_at: now,
        suspended: false,
        locale: None,
    };
    let done = c.transaction(|c| {
        if !queries::consume(c, &record.id, now)? {
            return Ok(SignUpDone::Spent);
        }
        users::insert_user(c, &user)?;
        Ok(SignUpDone::Created(user))
    });
    match done {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(SignUpDone::EmailTaken),
        other => other,
    }
}

/// Stores a password reset for `email` and, when the address has an account, queues the mail
/// with its code and its link (`link_base?token=...`), in one transaction. An unknown address
/// gets a row all the same (the same page follows), and no mail.
pub fn request_reset_on(
    c: &mut DbConnection,
    interaction_hash: &str,
    email: &Email,
    locale: Locale,
    link_base: &str,
    now: i64,
) -> diesel::QueryResult<()> {
    use diesel::Connection;
    c.transaction(|c| {
        let mut record = new_record(Purpose::PasswordReset, interaction_hash, email, now);
        let user = users::find_user_by_email(c, email.as_str())?;
        let mail = match user {
            None => None,
            Some(user) => {
                let code = random_digits(CODE_DIGITS);
                let token = Secret::new(random_token(32));
                record.user_id = Some(user.id);
                record.email = user.email;
                record.code_hash = code_hash(&record.id, code.expose());
                record.link_hash = Some(sha256_b64url(token.expose()));
                let link = reset_link(link_base, &token);
                let payload = json!({
                    "code": code.expose(),
                    "link": link,
                    "email": record.email,
                    "expires_in_minutes": minutes(CODE_TTL_MS),
                });
                Some(OutboxRecord::pending(
                    MailKind::PasswordReset,
                    &record.email,
                    locale.as_str(),
                    payload.to_string(),
                    None,
                    now,
                ))
            }
        };
        queries::insert(c, &record)?;
        match mail {
            Some(mail) => outbox::enqueue(c, &mail),
            None => Ok(()),
        }
    })
}

/// `link_base?token=<token>`.
pub fn reset_link(link_base: &str, token: &Secret) -> String {
    match url::Url::parse(link_base) {
        Ok(mut url) => {
            url.query_pairs_mut().append_pair("token", token.expose());
            url.into()
        }
        Err(_) => format!("{link_base}?token={}", token.expose()),
    }
}

/// The reset row a mailed link names, if it still works.
pub fn find_reset_by_link_on(
    c: &mut DbConnection,
    token: &Secret,
    now: i64,
) -> diesel::QueryResult<Option<EmailCodeRecord>> {
    let found = queries::find_by_link(c, &sha256_b64url(token.expose()), now)?;
    Ok(found.filter(|r| r.purpose == Purpose::PasswordReset.as_str() && r.user_id.is_some()))
}

/// What setting the new password of a reset did.
#[derive(Debug)]
pub enum ResetDone {
    /// The password is set, the address verified, every session and token of the account
    /// ended.
    Reset(User),
    /// Spent already (by a racing submission, or the link and the code both), or the
    /// account is gone.
    Spent,
}

/// Sets the new password of reset row `record` and spends it, in one transaction.
pub fn finish_reset_on(
    c: &mut DbConnection,
    record: &EmailCodeRecord,
    password_hash: &str,
    now: i64,
) -> diesel::QueryResult<ResetDone> {
    use diesel::Connection;
    let Some(user_id) = record.user_id.clone() else {
        return Ok(ResetDone::Spent);
    };
    c.transaction(|c| {
        if !queries::consume(c, &record.id, now)? {
            return Ok(ResetDone::Spent);
        }
        match users::reset_password(c, &user_id, password_hash, now)? {
            Some(user) => {
                queries::spend_all_of_user(c, &user_id, Purpose::PasswordReset.as_str(), now)?;
                tracing::info!(user_id = %user.id, "password reset: every session ended");
                Ok(ResetDone::Reset(user))
            }
            None => Err(diesel::result::Error::RollbackTransaction),
        }
    })
    .or_else(|e| match e {
        diesel::result::Error::RollbackTransaction => Ok(ResetDone::Spent),
        e => Err(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row_with(code: &str, attempts: i32) -> EmailCodeRecord {
        let email = Email::parse("a@x.io").expect("email");
        let mut record = new_record(Purpose::SignUp, "i", &email, 0);
        record.code_hash = code_hash(&record.id, code);
        record.attempts = attempts;
        record
    }

    #[test]
    fn only_the_mailed_code_is_right() {
        let record = row_with("123456", 1);
        assert_eq!(check(&record, "123456"), CodeCheck::Right);
        assert_eq!(check(&record, " 123 456 "), CodeCheck::Right);
        assert_eq!(check(&record, "123457"), CodeCheck::Wrong { left: 4 });
        assert_eq!(check(&record, ""), CodeCheck::Wrong { left: 4 });
        assert_eq!(check(&record, "1234567"), CodeCheck::Wrong { left: 4 });
        let other = row_with("123456", 5);
        assert_eq!(check(&other, "000000"), CodeCheck::Wrong { left: 0 });
        assert!(is_dead(&other) && !is_dead(&record));
    }

    #[test]
    fn a_row_for_a_notice_has_no_right_code() {
        let email = Email::parse("a@x.io").expect("email");
        let record = new_record(Purpose::SignUp, "i", &email, 0);
        for code in ["000000", "123456", "999999"] {
            assert_ne!(check(&record, code), CodeCheck::Right);
        }
    }

    #[test]
    fn send_again_waits_a_minute() {
        let record = row_with("123456", 0);
        assert_eq!(resend_wait_secs(&record, 1), Some(60));
        assert_eq!(resend_wait_secs(&record, 59_001), Some(1));
        assert_eq!(resend_wait_secs(&record, RESEND_AFTER_MS), None);
    }

    #[test]
    fn the_reset_link_carries_the_token() {
        let link = reset_link(
            "https://id.example.com/password-reset",
            &Secret::new("t0k-_"),
        );
        assert_eq!(link, "https://id.example.com/password-reset?token=t0k-_");
    }
}
