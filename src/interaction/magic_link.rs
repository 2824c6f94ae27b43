//! Authorization requests that carry a magic link (`one_time_token` + `login_hint`): check the
//! token, decide with `one_time_token::decide`, and consume the token only once the person's
//! choice is made (never before the switch-account question).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::{
    Interaction, Progress, authenticated_as, load, save_progress, see_other, start, suspended,
};
use crate::crypto::sha256_b64url;
use crate::error::PageError;
use crate::identity::users::{self, NewUser, UserError};
use crate::identity::{Email, SignInExperience, User};
use crate::oidc::authorize::{self, AuthorizationRequest};
use crate::oidc::session::{self, Amr, Authentication};
use crate::one_time_token::{
    self, Actor, LinkDecision, LinkInput, RedeemError, SignUpRequirements, TokenError,
};
use crate::pages::render;
use crate::state::AppState;
use crate::storage::one_time_tokens::OneTimeTokenRecord;
use crate::storage::sessions::SessionRecord;
use crate::storage::users::{find_user, find_user_by_email};

/// A link waiting for the switch-account answer: only the token's hash is kept.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingLink {
    pub token_hash: String,
    pub email: String,
}

/// The page for a link that cannot be used: names the case, says what to do, 4xx.
pub fn link_error(e: TokenError) -> PageError {
    let status = match e {
        TokenError::NotFound => StatusCode::NOT_FOUND,
        TokenError::EmailMismatch => StatusCode::BAD_REQUEST,
        TokenError::Expired | TokenError::Consumed | TokenError::Revoked => StatusCode::GONE,
    };
    PageError::new(
        status,
        e.code(),
        "This link cannot be used",
        e.explanation(),
    )
    .with_next_step("Ask the application that sent it for a new link.")
}

fn redeem_failed(e: RedeemError) -> PageError {
    match e {
        RedeemError::Token(e) => link_error(e),
        RedeemError::Storage(e) => e.into(),
    }
}

pub fn requirements(experience: &SignInExperience) -> SignUpRequirements {
    SignUpRequirements {
        password: experience.sign_up.require_password,
        name: experience.sign_up.require_name,
    }
}

fn actor(req: &HttpRequest, request: &AuthorizationRequest) -> Actor {
    Actor {
        application_id: Some(request.client_id.clone()),
        client_ip: req.peer_addr().map(|a| a.ip().to_string()),
    }
}

pub fn link_auth(user_id: String, now: i64) -> Authentication {
    Authentication::by(user_id, Amr::LINK, now)
}

/// Handles a request carrying a link; `None` means "proceed as if it carried none".
pub async fn begin(
    req: &HttpRequest,
    state: &AppState,
    request: &AuthorizationRequest,
    token: String,
    current: Option<&SessionRecord>,
    now: i64,
) -> Result<Option<HttpResponse>, PageError> {
    // Rule 1: prompt=none never consumes (nor even checks) a token.
    if request.prompt.none {
        return Ok(None);
    }
    let link_email = request.login_hint.clone().unwrap_or_default();
    if current.is_none() {
        return consume_at_once(req, state, request, sha256_b64url(&token), link_email, now)
            .await
            .map(Some);
    }
    let check = match one_time_token::inspect(
        &state.storage,
        &token,
        &link_email,
        actor(req, request),
        now,
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(RedeemError::Token(e)) => Err(e),
        Err(RedeemError::Storage(e)) => return Err(e.into()),
    };
    let session_user_id = current.map(|s| s.user_id.clone());
    let lookup_email = link_email.clone();
    let settings = state.settings.clone();
    let (session_user, account, experience) = state
        .storage
        .run(move |c| {
            let session_user = match session_user_id {
                Some(id) => find_user(c, &id)?,
                None => None,
            };
            let account = find_user_by_email(c, &lookup_email)?;
            Ok((
                session_user,
                account,
                SignInExperience::load_on(c, &settings)?,
            ))
        })
        .await?;
    let decision = one_time_token::decide(&LinkInput {
        prompt_none: request.prompt.none,
        prompt_login: request.prompt.login,
        session_email: session_user.as_ref().map(|u| u.email.as_str()),
        token: check,
        link_email: &link_email,
        account: account.as_ref().map(|u| u.id.as_str()),
        requirements: requirements(&experience),
    });
    let token_hash = sha256_b64url(&token);
    match decision {
        LinkDecision::Ignore => Ok(None),
        LinkDecision::Refuse(e) => Err(link_error(e)),
        LinkDecision::AskToSwitch => {
            let progress = Progress {
                pending_link: Some(PendingLink {
                    token_hash,
                    email: link_email,
                }),
                ..Progress::default()
            };
            start(state, request.clone(), progress, now).await.map(Some)
        }
        LinkDecision::SignIn { .. } | LinkDecision::Register { .. } => {
            // A suspended account's link is refused before anything is consumed.
            if account.as_ref().is_some_and(|u| u.suspended) {
                return Err(suspended());
            }
            let record = one_time_token::redeem_hash(
                &state.storage,
                token_hash,
                &link_email,
                actor(req, request),
                now,
            )
            .await
            .map_err(redeem_failed)?;
            after_redeem(req, state, request, None, record, account, &experience, now)
                .await
                .map(Some)
        }
    }
}

/// No session, so nothing to ask first: whatever `one_time_token::decide` would say, the link
/// is consumed now (sign-in or registration) unless it is bad. One trip to a database thread
/// looks up the account and the settings and consumes the token.
async fn consume_at_once(
    req: &HttpRequest,
    state: &AppState,
    request: &AuthorizationRequest,
    token_hash: String,
    link_email: String,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let (settings, actor) = (state.settings.clone(), actor(req, request));
    let (account, experience, redeemed) = state
        .storage
        .run(move |c| {
            let account = find_user_by_email(c, &link_email)?;
            let experience = SignInExperience::load_on(c, &settings)?;
            let redeemed = if account.as_ref().is_some_and(|u| u.suspended) {
                // A bad link says so first; a good one of a suspended account stays unused.
                one_time_token::inspect_on(c, &token_hash, &link_email, &actor, now)?.map(|_| None)
            } else {
                one_time_token::redeem_on(c, &token_hash, &link_email, &actor, now)?.map(Some)
            };
            Ok((account, experience, redeemed))
        })
        .await?;
    match redeemed {
        Err(e) => Err(link_error(e)),
        Ok(None) => Err(suspended()),
        Ok(Some(record)) => {
            after_redeem(req, state, request, None, record, account, &experience, now).await
        }
    }
}

/// The link is consumed: sign its account in, or register its email (asking first for what
/// the sign-up settings require, in an interaction that remembers the proven email).
#[allow(clippy::too_many_arguments)]
async fn after_redeem(
    req: &HttpRequest,
    state: &AppState,
    request: &AuthorizationRequest,
    interaction: Option<Interaction>,
    record: OneTimeTokenRecord,
    account: Option<User>,
    experience: &SignInExperience,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let context: serde_json::Value = serde_json::from_str(&record.context).unwrap_or_default();
    let user = match account {
        Some(user) => user,
        None if requirements(experience).anything() => {
            let progress = Progress {
                verified_email: Some(record.email),
                provision: Some(context),
                ..Progress::default()
            };
            return match interaction {
                Some(interaction) => {
                    save_progress(state, &interaction, &progress).await?;
                    Ok(see_other(&format!(
                        "/interaction/{}/register",
                        interaction.uid
                    )))
                }
                None => start(state, request.clone(), progress, now).await,
            };
        }
        None => register_verified(state, &record.email, None, None, now).await?,
    };
    let auth = link_auth(user.id.clone(), now);
    authenticated_as(
        req,
        state,
        request,
        interaction,
        auth,
        Some(context),
        &user,
        experience,
        now,
    )
    .await
}

/// Creates the account of an email proven by a link. If a concurrent link registered it
/// first, that account is the one to sign in.
pub async fn register_verified(
    state: &AppState,
    email: &str,
    password: Option<String>,
    name: Option<String>,
    now: i64,
) -> Result<User, PageError> {
    let parsed = Email::parse(email).map_err(|_| PageError::internal())?;
    let new = NewUser {
        email: parsed,
        password,
        name,
        email_verified: true,
    };
    match users::create_user(&state.storage, new, now).await {
        Ok(user) => Ok(user),
        Err(UserError::EmailTaken) => {
            let lookup = email.to_owned();
            state
                .storage
                .run(move |c| find_user_by_email(c, &lookup))
                .await?
                .ok_or_else(PageError::internal)
        }
        Err(e) => {
            tracing::error!(error = %e, "registration by link failed");
            Err(PageError::internal())
        }
    }
}

#[derive(Template)]
#[template(path = "switch_account.html")]
struct SwitchPage<'a> {
    uid: &'a str,
    csrf: &'a str,
    app_name: &'a str,
    current_email: &'a str,
    link_email: &'a str,
    continue_action: &'static str,
    back_action: &'static str,
}

/// The switch-account question, for an interaction holding a pending link.
pub async fn switch_page(
    req: &HttpRequest,
    state: &AppState,
    interaction: &Interaction,
    pending: &PendingLink,
    app_name: &str,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let current = session::current(req, state, now).await?;
    let current_email = match current {
        Some(s) => state
            .storage
            .run(move |c| find_user(c, &s.user_id))
            .await?
            .map(|u| u.email)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(render(
        StatusCode::OK,
        &SwitchPage {
            uid: &interaction.uid,
            csrf: &interaction.csrf,
            app_name,
            current_email: &current_email,
            link_email: &pending.email,
            continue_action: SwitchAction::Continue.as_str(),
            back_action: SwitchAction::Back.as_str(),
        },
    ))
}

/// The two answers on the switch-account page (its forms' `action` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SwitchAction {
    /// Continue as the link's account: the token is verified now.
    Continue,
    /// Stay with the current account: the token is not touched.
    Back,
}

impl SwitchAction {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Continue => "continue",
            Self::Back => "back",
        }
    }
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    csrf: String,
    action: SwitchAction,
}

/// `POST /interaction/{uid}/switch`: continue as the link's account, or stay.
pub async fn switch(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<SwitchForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    interaction.check_csrf(&form.csrf)?;
    let Some(pending) = interaction.progress.pending_link.clone() else {
        return Err(PageError::bad_request(
            "invalid_request",
            "There is no pending link here.",
        ));
    };
    match form.action {
        SwitchAction::Continue => {
            let lookup = pending.email.clone();
            let settings = state.settings.clone();
            let (account, experience) = state
                .storage
                .run(move |c| {
                    Ok((
                        find_user_by_email(c, &lookup)?,
                        SignInExperience::load_on(c, &settings)?,
                    ))
                })
                .await?;
            if account.as_ref().is_some_and(|u| u.suspended) {
                return Err(suspended());
            }
            // Consumed only now, when the choice is made.
            let record = one_time_token::redeem_hash(
                &state.storage,
                pending.token_hash,
                &pending.email,
                actor(&req, &interaction.request),
                now,
            )
            .await
            .map_err(redeem_failed)?;
            let request = interaction.request.clone();
            after_redeem(
                &req,
                &state,
                &request,
                Some(interaction),
                record,
                account,
                &experience,
                now,
            )
            .await
        }
        SwitchAction::Back => {
            // The link stays unused; the request completes as the current account.
            let current = session::current(&req, &state, now).await?;
            let request = interaction.request.clone();
            let id_hash = interaction.id_hash.clone();
            state
                .storage
                .run(move |c| crate::storage::interactions::delete_interaction(c, &id_hash))
                .await?;
            match current {
                Some(s) => {
                    authorize::complete(&state, &request, &Authentication::from(&s), now).await
                }
                None => start(&state, request, Progress::default(), now).await,
            }
        }
    }
}
