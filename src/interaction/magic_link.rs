//! Authorization requests that carry a magic link (`one_time_token` + `login_hint`): check the
//! token, decide with `one_time_token::decide`, and consume the token only once the person's
//! choice is made (never before the switch-account question).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::{Interaction, Progress, finish, load, sign_in_and_complete, start};
use crate::crypto::sha256_b64url;
use crate::error::PageError;
use crate::identity::users::{self, NewUser, UserError};
use crate::identity::{Email, User};
use crate::oidc::authorize::{self, AuthorizationRequest};
use crate::oidc::session::{self, Authentication};
use crate::one_time_token::{
    self, AMR_LINK, Actor, LinkDecision, LinkInput, RedeemError, SignUpRequirements, TokenError,
};
use crate::pages::render;
use crate::startup::AppState;
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

pub fn requirements(state: &AppState) -> SignUpRequirements {
    SignUpRequirements {
        password: state.settings.sign_up_require_password,
        name: state.settings.sign_up_require_name,
    }
}

fn actor(req: &HttpRequest, request: &AuthorizationRequest) -> Actor {
    Actor {
        application_id: Some(request.client_id.clone()),
        client_ip: req.peer_addr().map(|a| a.ip().to_string()),
    }
}

fn link_auth(user_id: String, now: i64) -> Authentication {
    Authentication {
        user_id,
        auth_time: now,
        amr: vec![AMR_LINK.to_owned()],
    }
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
    let (session_user, account) = state
        .storage
        .run(move |c| {
            let session_user = match session_user_id {
                Some(id) => find_user(c, &id)?,
                None => None,
            };
            Ok((session_user, find_user_by_email(c, &lookup_email)?))
        })
        .await?;
    let decision = one_time_token::decide(&LinkInput {
        prompt_none: request.prompt.none,
        prompt_login: request.prompt.login,
        session_email: session_user.as_ref().map(|u| u.email.as_str()),
        token: check,
        link_email: &link_email,
        account: account.as_ref().map(|u| u.id.as_str()),
        requirements: requirements(state),
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
            redeem_and_continue(req, state, request, token_hash, &link_email, now)
                .await
                .map(Some)
        }
    }
}

/// Consumes the link, then signs its account in or registers its email.
async fn redeem_and_continue(
    req: &HttpRequest,
    state: &AppState,
    request: &AuthorizationRequest,
    token_hash: String,
    email: &str,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let record =
        one_time_token::redeem_hash(&state.storage, token_hash, email, actor(req, request), now)
            .await
            .map_err(redeem_failed)?;
    let lookup = record.email.clone();
    let account = state
        .storage
        .run(move |c| find_user_by_email(c, &lookup))
        .await?;
    match account {
        Some(user) => {
            sign_in_and_complete(req, state, request, &link_auth(user.id, now), now).await
        }
        None if requirements(state).anything() => {
            // The token is spent: registration continues in an interaction that remembers
            // the proven email, so a reload or a mistake never strands the person.
            let progress = Progress {
                verified_email: Some(record.email),
                ..Progress::default()
            };
            start(state, request.clone(), progress, now).await
        }
        None => {
            let user = register_verified(state, &record.email, None, None, now).await?;
            sign_in_and_complete(req, state, request, &link_auth(user.id, now), now).await
        }
    }
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

/// Finishes an interaction whose link was consumed, for the account it names.
pub async fn finish_with_link(
    req: &HttpRequest,
    state: &AppState,
    interaction: Interaction,
    user: User,
    now: i64,
) -> Result<HttpResponse, PageError> {
    finish(req, state, interaction, link_auth(user.id, now), now).await
}

#[derive(Template)]
#[template(path = "switch_account.html")]
struct SwitchPage<'a> {
    uid: &'a str,
    csrf: &'a str,
    app_name: &'a str,
    current_email: &'a str,
    link_email: &'a str,
}

/// The switch-account question, for an interaction holding a pending link.
pub async fn switch_page(
    req: &HttpRequest,
    state: &AppState,
    interaction: &Interaction,
    pending: &PendingLink,
    app_name: &str,
) -> Result<HttpResponse, PageError> {
    let now = crate::now_ms();
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
        },
    ))
}

#[derive(Deserialize)]
pub struct SwitchForm {
    csrf: String,
    action: String,
}

/// `POST /interaction/{uid}/switch`: continue as the link's account, or stay.
pub async fn switch(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<SwitchForm>,
) -> Result<HttpResponse, PageError> {
    let now = crate::now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    interaction.check_csrf(&form.csrf)?;
    let Some(pending) = interaction.progress.pending_link.clone() else {
        return Err(PageError::bad_request(
            "invalid_request",
            "There is no pending link here.",
        ));
    };
    match form.action.as_str() {
        "continue" => {
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
            let lookup = record.email.clone();
            let account = state
                .storage
                .run(move |c| find_user_by_email(c, &lookup))
                .await?;
            match account {
                Some(user) => finish_with_link(&req, &state, interaction, user, now).await,
                None => continue_registration(&state, interaction, record.email, now, &req).await,
            }
        }
        "back" => {
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
        _ => Err(PageError::bad_request("invalid_request", "Unknown choice.")),
    }
}

/// After the link was consumed for an unregistered email: register now, or ask first.
async fn continue_registration(
    state: &AppState,
    interaction: Interaction,
    email: String,
    now: i64,
    req: &HttpRequest,
) -> Result<HttpResponse, PageError> {
    if requirements(state).anything() {
        let mut progress = interaction.progress.clone();
        progress.pending_link = None;
        progress.verified_email = Some(email);
        let serialized = serde_json::to_string(&progress).map_err(|_| PageError::internal())?;
        let id_hash = interaction.id_hash.clone();
        state
            .storage
            .run(move |c| {
                crate::storage::interactions::update_interaction_state(c, &id_hash, &serialized)
            })
            .await?;
        return Ok(HttpResponse::SeeOther()
            .insert_header((
                "Location",
                format!("/interaction/{}/register", interaction.uid),
            ))
            .finish());
    }
    let user = register_verified(state, &email, None, None, now).await?;
    finish_with_link(req, state, interaction, user, now).await
}
