//! The magic-link domain: create, check, redeem, revoke, delete one-time tokens, and decide
//! what an authorization request carrying one should do. No actix here.

mod decide;
mod link;
mod send;

pub use decide::{
    LinkAccount, LinkDecision, LinkInput, LinkPrompt, Redemption, SignUpRequirements, decide,
};
pub use link::{ConsumedLink, LinkRequest, LinkStep, ResolvedLink, requirements, resolve_on};
pub use send::{DEFAULT_LOCALE, LinkMail, landing_link, parse_locale};

use serde_json::Value;

use crate::crypto::{random_token, sha256_b64url};
use crate::identity::Email;
use crate::storage::applications::is_landing_uri;
use crate::storage::audit::{self, AuditEvent, AuditRecord};
pub use crate::storage::one_time_tokens::TokenStatus;
use crate::storage::one_time_tokens::{self as queries, OneTimeTokenRecord};
use crate::storage::outbox::{Delivery, MailKind};
use crate::storage::rate_limits::Verdict;
use crate::storage::{DbConnection, Storage, StorageError};

/// Why a token cannot be used, in Logto's check order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    NotFound,
    EmailMismatch,
    Expired,
    Consumed,
    Revoked,
}

impl TokenError {
    pub fn code(self) -> &'static str {
        match self {
            Self::NotFound => "token_not_found",
            Self::EmailMismatch => "email_mismatch",
            Self::Expired => "token_expired",
            Self::Consumed => "token_consumed",
            Self::Revoked => "token_revoked",
        }
    }

    /// Plain words for the person who clicked; never echoes the token.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::NotFound => {
                "This sign-in link is not valid. It may have been mistyped or cut short."
            }
            Self::EmailMismatch => "This sign-in link was issued for a different email address.",
            Self::Expired => "This sign-in link has expired.",
            Self::Consumed => "This sign-in link has already been used. Each link works only once.",
            Self::Revoked => "This sign-in link has been cancelled.",
        }
    }
}

/// Logto's order: not found, email mismatch, expired, consumed, revoked. `email` is the address
/// the request names (`None` when it is not an address at all: no token matches it).
pub fn check(
    record: Option<&OneTimeTokenRecord>,
    email: Option<&Email>,
    now: i64,
) -> Result<(), TokenError> {
    let record = record.ok_or(TokenError::NotFound)?;
    if email.is_none_or(|e| e.normalized() != record.email_lower) {
        return Err(TokenError::EmailMismatch);
    }
    match record.stored_status() {
        _ if record.expires_at <= now => Err(TokenError::Expired),
        TokenStatus::Expired => Err(TokenError::Expired),
        TokenStatus::Consumed => Err(TokenError::Consumed),
        TokenStatus::Revoked => Err(TokenError::Revoked),
        TokenStatus::Active => Ok(()),
    }
}

/// Who acted, for the audit log.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub application_id: Option<String>,
    pub client_ip: Option<String>,
}

fn audit_entry(
    event: AuditEvent,
    token_id: Option<&str>,
    actor: &Actor,
    detail: Option<&str>,
    now: i64,
) -> AuditRecord {
    AuditRecord {
        id: uuid::Uuid::now_v7().to_string(),
        event: event.as_str().to_owned(),
        token_id: token_id.map(str::to_owned),
        application_id: actor.application_id.clone(),
        client_ip: actor.client_ip.clone(),
        detail: detail.map(str::to_owned),
        created_at: now,
    }
}

/// Limits on creation, counted in the shared database so every instance sees the same counts.
#[derive(Clone, Copy, Debug)]
pub struct CreationLimits {
    pub per_email: i32,
    pub per_application: i32,
    pub window_ms: i64,
}

pub struct NewToken {
    pub email: Email,
    pub expires_in_secs: i64,
    pub context: Value,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("too many one-time tokens; retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: i64 },
    /// `send` names a landing page no application registered: Sesame mails links only to
    /// registered pages.
    #[error("the landing URI is not registered on any application")]
    LandingUriNotRegistered,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A created token: its record, and either its plaintext (for the caller, which exists
/// nowhere else) or, when Sesame mails it, the delivery of the queued mail (the plaintext is
/// then only in the mail).
pub struct Created {
    pub record: OneTimeTokenRecord,
    pub handed_over: HandedOver,
}

pub enum HandedOver {
    ToCaller(crate::crypto::Secret),
    Mailed(Delivery),
}

/// Creates a token; with `send`, queues the mail of its link in the same transaction (after
/// checking the landing page is registered), so the mail exists if and only if the token does.
pub async fn create(
    storage: &Storage,
    new: NewToken,
    limits: CreationLimits,
    actor: Actor,
    now: i64,
    send: Option<LinkMail>,
) -> Result<Created, CreateError> {
    let token = random_token(32);
    let record = OneTimeTokenRecord {
        id: uuid::Uuid::now_v7().simple().to_string(),
        token_hash: sha256_b64url(&token),
        email: new.email.as_str().to_owned(),
        email_lower: new.email.normalized(),
        context: new.context.to_string(),
        status: TokenStatus::Active.as_str().to_owned(),
        application_id: actor.application_id.clone(),
        created_at: now,
        expires_at: now + new.expires_in_secs * 1000,
        consumed_at: None,
    };
    let mail = send.as_ref().map(|send| {
        send::sign_in_link_mail(
            send,
            &record.id,
            &token,
            &new.email,
            new.expires_in_secs,
            now,
        )
    });
    let email_key = format!("one-time-token:email:{}", record.email_lower);
    let mut counted = vec![(email_key, limits.per_email)];
    if let Some(app) = &actor.application_id {
        counted.push((format!("one-time-token:app:{app}"), limits.per_application));
    }
    let outcome = storage
        .run(move |c| {
            if let Some(send) = &send
                && !is_landing_uri(c, &send.landing_uri)?
            {
                return Ok(Err(CreateError::LandingUriNotRegistered));
            }
            let event = audit_entry(AuditEvent::Created, Some(&record.id), &actor, None, now);
            Ok(
                match queries::insert_counted(
                    c,
                    &counted,
                    limits.window_ms,
                    &record,
                    &event,
                    mail.as_ref(),
                )? {
                    Verdict::Allowed => Ok((record, mail.map(|m| m.delivery()))),
                    Verdict::Limited { retry_after_ms } => {
                        crate::telemetry::metrics::one_time_token_rate_limited();
                        Err(CreateError::RateLimited {
                            retry_after_secs: (retry_after_ms + 999) / 1000,
                        })
                    }
                },
            )
        })
        .await?;
    let (record, delivery) = outcome?;
    crate::telemetry::metrics::one_time_token_created();
    let handed_over = match delivery {
        None => HandedOver::ToCaller(crate::crypto::Secret::new(token)),
        Some(delivery) => {
            crate::telemetry::metrics::mail_queued(MailKind::SignInLink.as_str());
            HandedOver::Mailed(delivery)
        }
    };
    Ok(Created {
        record,
        handed_over,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum RedeemError {
    #[error("{}", .0.code())]
    Token(TokenError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Checks the token for `email` and records a failure; consumes nothing.
pub fn inspect_on(
    c: &mut DbConnection,
    token_hash: &str,
    email: Option<&Email>,
    actor: &Actor,
    now: i64,
) -> diesel::QueryResult<Result<OneTimeTokenRecord, TokenError>> {
    let record = queries::find_by_hash(c, token_hash)?;
    match check(record.as_ref(), email, now) {
        Ok(()) => Ok(record.ok_or(TokenError::NotFound)),
        Err(e) => {
            let token_id = record.as_ref().map(|r| r.id.as_str());
            audit::record(
                c,
                &audit_entry(
                    AuditEvent::VerificationFailed,
                    token_id,
                    actor,
                    Some(e.code()),
                    now,
                ),
            )?;
            Ok(Err(e))
        }
    }
}

/// Consumes the token (by the hash of its plaintext) for `email`: of concurrent callers exactly
/// one succeeds; the others get the reason, e.g. `token_consumed`.
pub fn redeem_on(
    c: &mut DbConnection,
    token_hash: &str,
    email: Option<&Email>,
    actor: &Actor,
    now: i64,
) -> diesel::QueryResult<Result<OneTimeTokenRecord, TokenError>> {
    if let Some(email) = email {
        let event = audit_entry(TokenStatus::Consumed.into(), None, actor, None, now);
        if let Some(won) = queries::consume(c, token_hash, &email.normalized(), now, &event)? {
            return Ok(Ok(won));
        }
    }
    // Lost or never valid: say why, in the check order.
    Ok(match inspect_on(c, token_hash, email, actor, now)? {
        Err(e) => Err(e),
        // Became unusable between the two statements: it was consumed concurrently.
        Ok(_) => Err(TokenError::Consumed),
    })
}

/// [`redeem_on`] on a database thread, for the plaintext `token` and the address `email`
/// (anything that is not an address matches no token).
pub async fn redeem(
    storage: &Storage,
    token: &str,
    email: &str,
    actor: Actor,
    now: i64,
) -> Result<OneTimeTokenRecord, RedeemError> {
    let (token_hash, email) = (sha256_b64url(token), Email::parse(email).ok());
    storage
        .run(move |c| redeem_on(c, &token_hash, email.as_ref(), &actor, now))
        .await?
        .map_err(RedeemError::Token)
}

/// Sets a token's status (never back to active) and records it.
pub async fn set_status(
    storage: &Storage,
    id: String,
    status: TokenStatus,
    actor: Actor,
    now: i64,
) -> Result<Option<OneTimeTokenRecord>, StorageError> {
    storage
        .run(move |c| {
            queries::set_status(
                c,
                &id,
                status,
                &audit_entry(status.into(), Some(&id), &actor, None, now),
            )
        })
        .await
}

pub async fn delete(
    storage: &Storage,
    id: String,
    actor: Actor,
    now: i64,
) -> Result<bool, StorageError> {
    storage
        .run(move |c| {
            queries::delete(
                c,
                &id,
                &audit_entry(AuditEvent::Deleted, Some(&id), &actor, None, now),
            )
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(status: &str, expires_at: i64) -> OneTimeTokenRecord {
        OneTimeTokenRecord {
            id: "t".into(),
            token_hash: "h".into(),
            email: "A@x.io".into(),
            email_lower: "a@x.io".into(),
            context: "{}".into(),
            status: status.into(),
            application_id: None,
            created_at: 0,
            expires_at,
            consumed_at: None,
        }
    }

    fn email(raw: &str) -> Option<Email> {
        Email::parse(raw).ok()
    }

    #[test]
    fn checks_run_in_logtos_order() {
        let (a, b) = (email("a@x.io"), email("b@x.io"));
        assert_eq!(check(None, a.as_ref(), 0), Err(TokenError::NotFound));
        assert_eq!(
            check(Some(&record("consumed", 0)), b.as_ref(), 10),
            Err(TokenError::EmailMismatch)
        );
        assert_eq!(
            check(Some(&record("consumed", 0)), None, 10),
            Err(TokenError::EmailMismatch)
        );
        assert_eq!(
            check(Some(&record("consumed", 5)), a.as_ref(), 10),
            Err(TokenError::Expired)
        );
        assert_eq!(
            check(Some(&record("expired", 50)), a.as_ref(), 10),
            Err(TokenError::Expired)
        );
        assert_eq!(
            check(Some(&record("consumed", 50)), a.as_ref(), 10),
            Err(TokenError::Consumed)
        );
        assert_eq!(
            check(Some(&record("revoked", 50)), a.as_ref(), 10),
            Err(TokenError::Revoked)
        );
        assert_eq!(
            check(Some(&record("active", 50)), email("A@X.io").as_ref(), 10),
            Ok(())
        );
        assert_eq!(
            check(Some(&record("active", 10)), a.as_ref(), 10),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn statuses_are_their_names_and_audit_events_too() {
        for status in TokenStatus::ALL {
            assert_eq!(TokenStatus::parse(status.as_str()), Some(status));
            assert_eq!(AuditEvent::from(status).as_str(), status.as_str());
        }
        assert_eq!(TokenStatus::parse("Active"), None);
        assert_eq!(record("bogus", 50).stored_status(), TokenStatus::Revoked);
        assert_eq!(
            record("active", 10).effective_status(10),
            TokenStatus::Expired
        );
    }
}
