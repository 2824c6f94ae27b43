//! An authorization request's link, settled on a database thread in one trip: gather what the
//! decision needs, decide, and consume the token there when the decision says so.

use diesel::Connection;
use serde_json::Value;

use super::decide::{
    LinkAccount, LinkDecision, LinkInput, LinkPrompt, Redemption, SignUpRequirements,
};
use super::{Actor, TokenError, decide, inspect_on, redeem_on};
use crate::config::Settings;
use crate::identity::users::prove_email_on;
use crate::identity::{Email, SignInExperience, User};
use crate::storage::DbConnection;
use crate::storage::one_time_tokens::OneTimeTokenRecord;
use crate::storage::users::{find_user, find_user_by_email};

/// What the request brings about its link, parsed at the edge.
#[derive(Clone, Debug)]
pub struct LinkRequest {
    pub prompt: LinkPrompt,
    /// SHA-256 of the token (the plaintext is never kept).
    pub token_hash: String,
    /// `login_hint`, when it is an email address at all.
    pub email: Option<Email>,
    /// The user signed in in this browser, if any.
    pub session_user_id: Option<String>,
}

/// A consumed link: the email it proved and its context (organizations to join).
#[derive(Clone, Debug)]
pub struct ConsumedLink {
    pub email: Email,
    pub context: Value,
}

/// A [`LinkDecision`] with what carrying out its database part produced.
#[derive(Debug)]
pub enum LinkStep {
    Ignore,
    Refuse(TokenError),
    /// Ask; the token is untouched. `email` is the link's.
    AskToSwitch {
        email: Email,
    },
    Suspended,
    /// Ask the person to confirm; the token is untouched. `email` is the link's.
    AskToConfirm {
        email: Email,
    },
    SignIn {
        user: User,
        link: ConsumedLink,
    },
    RegisterNow {
        link: ConsumedLink,
    },
    AskToRegister {
        link: ConsumedLink,
        needs: SignUpRequirements,
    },
}

impl LinkStep {
    /// What the link led to, as the metrics label it: the step, or the error code.
    pub fn result(&self) -> &'static str {
        match self {
            Self::Ignore => "ignored",
            Self::Refuse(e) => e.code(),
            Self::AskToSwitch { .. } => "switch_asked",
            Self::Suspended => "suspended",
            Self::AskToConfirm { .. } => "confirmation_shown",
            Self::SignIn { .. } => "signed_in",
            Self::RegisterNow { .. } => "registered",
            Self::AskToRegister { .. } => "registration_asked",
        }
    }
}

#[derive(Debug)]
pub struct ResolvedLink {
    pub step: LinkStep,
    /// The sign-in experience in force (the MFA policy applies next).
    pub experience: SignInExperience,
}

impl LinkAccount for &User {
    fn suspended(&self) -> bool {
        self.suspended
    }
}

/// Decides about `link` and carries out the database part of the decision.
///
/// The decision is first taken as if the token were good: then it ignores the link, stops
/// before touching it, or consumes it, and consuming (one conditional update) is itself the
/// check; a lost consumption decides again with the token's error. Only a step that does not
/// consume reads the token first. So the common case (no session) costs what it did before:
/// the account, the settings and one update, in one trip to a database thread.
pub fn resolve_on(
    c: &mut DbConnection,
    link: &LinkRequest,
    settings: &Settings,
    actor: &Actor,
    now: i64,
) -> diesel::QueryResult<ResolvedLink> {
    let session_email = match &link.session_user_id {
        Some(id) => find_user(c, id)?.and_then(|u| Email::parse(&u.email).ok()),
        None => None,
    };
    let account = match &link.email {
        Some(email) => find_user_by_email(c, email.as_str())?,
        None => None,
    };
    let experience = SignInExperience::load_on(c, settings)?;
    let input = |token| LinkInput {
        prompt: link.prompt,
        session_email: session_email.as_ref(),
        token,
        account: account.as_ref(),
        requirements: requirements(&experience),
        confirmation_required: experience.magic_link.require_confirmation,
    };
    // Not an address: no token can match it (the check below says which error it is).
    let assumed = decide(&input(link.email.as_ref().ok_or(TokenError::NotFound)));
    let step = match (assumed, &link.email) {
        (LinkDecision::Ignore, _) => LinkStep::Ignore,
        (LinkDecision::Consume(redemption), Some(email)) => {
            // Signing in to an unverified account proves its address for the first time:
            // the consumption and the proof are one transaction.
            let proves = matches!(&redemption,
                Redemption::SignIn { account } if !account.email_verified);
            let redeem = |c: &mut DbConnection| -> diesel::QueryResult<LinkStep> {
                Ok(
                    match redeem_on(c, &link.token_hash, Some(email), actor, now)? {
                        Ok(record) => consumed(c, redemption, &record, email, now)?,
                        Err(e) => refused(decide(&input(Err(e))), e),
                    },
                )
            };
            if proves {
                c.transaction(redeem)?
            } else {
                redeem(c)?
            }
        }
        (held, email) => match (
            inspect_on(c, &link.token_hash, email.as_ref(), actor, now)?,
            email,
        ) {
            (Err(e), _) => refused(decide(&input(Err(e))), e),
            (Ok(_), Some(email)) => held_step(held, email),
            // `check` refuses a request that names no address.
            (Ok(_), None) => LinkStep::Refuse(TokenError::EmailMismatch),
        },
    };
    Ok(ResolvedLink { step, experience })
}

/// The token was consumed: carry on as the redemption says. The link proves the address, so
/// an account signed in to is taken over if it was unverified ([`prove_email_on`]).
fn consumed(
    c: &mut DbConnection,
    redemption: Redemption<&User>,
    record: &OneTimeTokenRecord,
    email: &Email,
    now: i64,
) -> diesel::QueryResult<LinkStep> {
    let link = ConsumedLink {
        // The address as the token was issued (the request's matches it, maybe in other case).
        email: Email::parse(&record.email).unwrap_or_else(|_| email.clone()),
        context: serde_json::from_str(&record.context).unwrap_or_default(),
    };
    Ok(match redemption {
        Redemption::SignIn { account } => LinkStep::SignIn {
            user: prove_email_on(c, account.clone(), now)?,
            link,
        },
        Redemption::RegisterNow => LinkStep::RegisterNow { link },
        Redemption::AskToRegister { needs } => LinkStep::AskToRegister { link, needs },
    })
}

/// The token failed its check with `e`: the decision for a bad token refuses with its error
/// (or ignores the link); nothing else can follow from a bad token, so refuse regardless.
fn refused(decision: LinkDecision<&User>, e: TokenError) -> LinkStep {
    match decision {
        LinkDecision::Ignore => LinkStep::Ignore,
        LinkDecision::Refuse(e) => LinkStep::Refuse(e),
        _ => LinkStep::Refuse(e),
    }
}

/// A good token the decision does not consume (yet).
fn held_step(decision: LinkDecision<&User>, email: &Email) -> LinkStep {
    match decision {
        LinkDecision::Ignore => LinkStep::Ignore,
        LinkDecision::Refuse(e) => LinkStep::Refuse(e),
        LinkDecision::AskToSwitch => LinkStep::AskToSwitch {
            email: email.clone(),
        },
        LinkDecision::Suspended => LinkStep::Suspended,
        LinkDecision::AskToConfirm => LinkStep::AskToConfirm {
            email: email.clone(),
        },
        // Only a request that names no address decides to consume without reaching the
        // consuming branch, and its check fails; never here.
        LinkDecision::Consume(_) => LinkStep::Refuse(TokenError::EmailMismatch),
    }
}

/// What registration through a link still asks for under these settings.
pub fn requirements(experience: &SignInExperience) -> SignUpRequirements {
    SignUpRequirements {
        password: experience.sign_up.require_password,
        name: experience.sign_up.require_name,
    }
}
