//! Spending a hosted sign-in request (its link, posted from the browser that asked, or its
//! code, typed there) and signing in as a magic link does, in one transaction: the request is
//! spent together with the session and the code, or with the interaction's next step (the
//! second factor, the registration form). A refusal rolls it all back.

use actix_web::HttpRequest;
use diesel::Connection;
use serde_json::json;

use super::decide::{self, Spend};
use super::secrets::code_matches;
use crate::config::Settings;
use crate::error::PageError;
use crate::identity::users::{prove_email_on, register_proven_on};
use crate::identity::{Email, MfaPolicy, SignInExperience, User, mfa};
use crate::interaction::{Interaction, Proven, Step};
use crate::oidc::authorize::{self, AuthorizationRequest, CodeDraft};
use crate::oidc::session::{self, Amr, Authentication, SessionDraft};
use crate::one_time_token::requirements;
use crate::state::AppState;
use crate::storage::DbConnection;
use crate::storage::hosted_links::{self as queries, MAX_ATTEMPTS};
use crate::storage::interactions::{consume_interaction, update_interaction_state};
use crate::storage::users::find_user_by_email;

/// What proves the request.
#[derive(Clone)]
pub enum Key {
    /// The SHA-256 of the link's token (posted from the browser that asked).
    Token(String),
    /// The code typed on the waiting page.
    Code(String),
}

/// How it ended.
pub enum Finished {
    /// Signed in: the session cookie and the code for the client.
    SignedIn(Box<SignedIn>),
    /// The interaction moved on (second factor, registration form): its page comes next.
    Next,
    /// A wrong code; `left` tries remain (0: the request is dead).
    WrongCode { left: i32 },
    /// No live request (expired, spent, blocked, replaced): nothing was done.
    NotLive,
}

pub struct SignedIn {
    pub cookie: actix_web::cookie::Cookie<'static>,
    pub code: CodeDraft,
}

/// Why it stopped; nothing of the transaction was written.
pub enum Refusal {
    Suspended,
    SignUpClosed,
    InteractionFinished,
    SignInAgain,
    EmailTaken,
}

enum Abort {
    Query(diesel::result::Error),
    Refused(Refusal),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Self::Query(e)
    }
}

impl From<Refusal> for Abort {
    fn from(r: Refusal) -> Self {
        Self::Refused(r)
    }
}

/// What the transaction writes when it signs in, drawn before the trip.
struct Draft {
    session: SessionDraft,
    code: CodeDraft,
    request: AuthorizationRequest,
    interaction_hash: String,
}

/// Spends the request of `interaction` by `key` and signs in (or moves on). A registration
/// that lost a race for its address is tried once more (it then finds the account).
pub async fn finish(
    req: &HttpRequest,
    state: &AppState,
    interaction: &Interaction,
    key: Key,
    now: i64,
) -> Result<Result<Finished, Refusal>, PageError> {
    for _attempt in 0..2 {
        let draft = Draft {
            session: session::draft_session(req, state, now),
            code: authorize::draft_code(state, now),
            request: interaction.request.clone(),
            interaction_hash: interaction.id_hash.clone(),
        };
        let (settings, key) = (state.settings.clone(), key.clone());
        let outcome = state
            .storage
            .run(
                move |c| match c.transaction(|c| finish_on(c, &key, &settings, draft, now)) {
                    Ok(done) => Ok(Ok(done)),
                    Err(Abort::Query(e)) => Err(e),
                    Err(Abort::Refused(r)) => Ok(Err(r)),
                },
            )
            .await?;
        match outcome {
            Err(Refusal::EmailTaken) => continue,
            outcome => return Ok(outcome),
        }
    }
    Err(PageError::internal())
}

fn finish_on(
    c: &mut DbConnection,
    key: &Key,
    settings: &Settings,
    draft: Draft,
    now: i64,
) -> Result<Finished, Abort> {
    let email = match key {
        Key::Token(token_hash) => {
            let Some(record) = queries::find_by_token(c, token_hash)? else {
                return Ok(Finished::NotLive);
            };
            // The link belongs to this interaction (the handler checked the cookie).
            if record.interaction_hash != draft.interaction_hash
                || !queries::spend_by_token(c, token_hash, now)?
            {
                return Ok(Finished::NotLive);
            }
            record.email
        }
        Key::Code(typed) => {
            // Counted before it is compared: parallel guesses get five comparisons in all.
            let Some(record) = queries::count_attempt(c, &draft.interaction_hash, now)? else {
                return Ok(Finished::NotLive);
            };
            if !code_matches(&record.token_hash, typed, &record.code_hash) {
                return Ok(Finished::WrongCode {
                    left: MAX_ATTEMPTS - record.attempts,
                });
            }
            if !queries::spend_after_right_code(c, &record.id, &record.token_hash, now)? {
                return Ok(Finished::NotLive);
            }
            record.email
        }
    };
    // Stored from a parsed address; never unreadable.
    let email = Email::parse(&email).map_err(|_| Refusal::SignInAgain)?;
    let account = find_user_by_email(c, email.as_str())?;
    let experience = SignInExperience::load_on(c, settings)?;
    let spend = decide::spend(
        account.as_ref().map(|u| u.suspended),
        experience.sign_up.enabled,
        requirements(&experience),
    );
    let user = match (spend, account) {
        (Spend::Suspended, _) => return Err(Refusal::Suspended.into()),
        (Spend::SignUpClosed, _) => return Err(Refusal::SignUpClosed.into()),
        (Spend::AskToRegister(needs), _) => {
            let step = Step::Register {
                email,
                provision: json!({}),
                needs,
            };
            save_step(c, &draft.interaction_hash, &step)?;
            return Ok(Finished::Next);
        }
        // The mail proved the address: an unverified account is taken over, as by a link.
        (Spend::SignIn, Some(user)) => prove_email_on(c, user, now)?,
        (Spend::SignIn, None) => return Err(Refusal::SignInAgain.into()),
        (Spend::RegisterNow, _) => match register_proven_on(c, &email, now) {
            Ok(user) => user,
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => return Err(Refusal::EmailTaken.into()),
            Err(e) => return Err(e.into()),
        },
    };
    signed_in(c, user, &experience, draft, now)
}

/// The first factor is proven for `user`: the second factor's page when one is due, else the
/// session and the code, the interaction finished.
fn signed_in(
    c: &mut DbConnection,
    user: User,
    experience: &SignInExperience,
    draft: Draft,
    now: i64,
) -> Result<Finished, Abort> {
    let auth = Authentication::by(user.id.clone(), Amr::LINK, now);
    let second_factor_due = match experience.mfa.policy {
        MfaPolicy::Off => false,
        MfaPolicy::User => mfa::is_enrolled_on(c, &user.id)?,
        MfaPolicy::Mandatory => true,
    };
    if second_factor_due {
        let step = Step::SecondFactor {
            proven: Proven {
                auth,
                provision: None,
            },
            enrollment: None,
        };
        save_step(c, &draft.interaction_hash, &step)?;
        return Ok(Finished::Next);
    }
    if !consume_interaction(c, &draft.interaction_hash, now)? {
        return Err(Refusal::InteractionFinished.into());
    }
    let session = draft.session.for_user(&auth);
    let code = draft.code.record(&draft.request, &auth);
    if !session.store_with_code(c, &code)? {
        return Err(Refusal::SignInAgain.into());
    }
    Ok(Finished::SignedIn(Box::new(SignedIn {
        cookie: session.cookie,
        code: draft.code,
    })))
}

fn save_step(c: &mut DbConnection, interaction_hash: &str, step: &Step) -> Result<(), Abort> {
    let json = serde_json::to_string(step)
        .map_err(|e| Abort::Query(diesel::result::Error::SerializationError(Box::new(e))))?;
    update_interaction_state(c, interaction_hash, &json)?;
    Ok(())
}
