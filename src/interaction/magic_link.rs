//! Authorization requests that carry a magic link (`one_time_token` + `login_hint`). Every one
//! goes through `one_time_token::decide` (on the database thread, in `resolve_on`, which also
//! consumes the token when the decision says so); this module only carries out the step. The
//! token is never consumed before the switch-account question is answered, nor, when the sign-in
//! experience requires it, before the person confirms on a page naming the app and the account.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{
    Flow, Interaction, PendingLink, Proven, Step, add_cookie, authenticated_as, expired, load,
    sign_in_again, suspended,
};
use crate::crypto::{Secret, sha256_b64url};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::identity::organizations::provision_on;
use crate::identity::users::{self, NewUser, UserError};
use crate::identity::{Email, MfaPolicy, User, mfa};
use crate::oidc::authorize::{self, AuthorizationRequest, CodeDraft};
use crate::oidc::cookies::SesameCookie;
use crate::oidc::session::{self, Amr, Authentication, SessionDraft};
use crate::one_time_token::{
    self, Actor, ConsumedLink, LinkPrompt, LinkRequest, LinkStep, ResolvedLink, TokenError,
};
use crate::pages::render;
use crate::state::AppState;
use crate::storage::DbConnection;
use crate::storage::interactions::consume_interaction;
use crate::storage::sessions::SessionRecord;
use crate::storage::users::find_user;

/// The page for a link that cannot be used: names the case, says what to do, 4xx.
pub fn link_error(e: TokenError) -> PageError {
    let status = match e {
        TokenError::NotFound => StatusCode::NOT_FOUND,
        TokenError::EmailMismatch => StatusCode::BAD_REQUEST,
        TokenError::Expired | TokenError::Consumed | TokenError::Revoked => StatusCode::GONE,
    };
    let explanation = match e {
        TokenError::NotFound => "link-error-token_not_found",
        TokenError::EmailMismatch => "link-error-email_mismatch",
        TokenError::Expired => "link-error-token_expired",
        TokenError::Consumed => "link-error-token_consumed",
        TokenError::Revoked => "link-error-token_revoked",
    };
    PageError::new(status, e.code(), "link-error-title", explanation)
        .with_next_step("link-error-next")
}

fn actor(req: &HttpRequest, request: &AuthorizationRequest) -> Actor {
    Actor {
        application_id: Some(request.client_id.clone()),
        client_ip: crate::state::client_ip(req).map(|ip| ip.to_string()),
    }
}

/// The first factor a consumed link proves for `user_id`.
fn proven_by_link(user_id: String, link: ConsumedLink, now: i64) -> Proven {
    Proven {
        auth: Authentication::by(user_id, Amr::LINK, now),
        provision: Some(link.context),
    }
}

/// What became of a request's link.
pub enum Begun {
    /// The link settled the request (a page, a redirect, or the code).
    Answered(HttpResponse),
    /// `prompt=none`: go on as if the request carried no link.
    Ignored(AuthorizationRequest),
}

/// Decides about the link of an authorization request and carries the step out.
pub async fn begin(
    req: &HttpRequest,
    state: &AppState,
    request: AuthorizationRequest,
    token: &Secret,
    session: Option<&SessionRecord>,
    now: i64,
) -> Result<Begun, PageError> {
    let link = LinkRequest {
        prompt: LinkPrompt {
            none: request.prompt.none,
            login: request.prompt.login,
            confirmed: false,
        },
        token_hash: sha256_b64url(token.expose()),
        email: request
            .login_hint
            .as_deref()
            .and_then(|hint| Email::parse(hint).ok()),
        session_user_id: session.map(|s| s.user_id.clone()),
    };
    let token_hash = link.token_hash.clone();
    let resolved = match settle(req, state, &request, None, link, now).await? {
        Settled::SignedIn(response) => return Ok(Begun::Answered(response)),
        Settled::Step(resolved) => resolved,
    };
    if let LinkStep::Ignore = resolved.step {
        return Ok(Begun::Ignored(request));
    }
    let flow = Flow::Direct(request);
    carry_out(req, state, flow, resolved, token_hash, now)
        .await
        .map(Begun::Answered)
}

/// How a request's link was settled on the database thread.
enum Settled {
    /// Signed in with nothing left to ask: the link was spent, the account registered if it
    /// was new, its organizations joined, and the session and the code stored, all in one
    /// transaction (never a spent link without its code). The redirect with the code.
    SignedIn(HttpResponse),
    /// Anything else: the decided step, to carry out.
    Step(ResolvedLink),
}

/// Why the transaction of [`settle_on`] stopped: nothing of it was written, the link is unspent.
enum Abort {
    Query(diesel::result::Error),
    Refused(Refusal),
}

/// The aborts that are answers rather than database errors (those leave the database job as
/// errors, so only these come back from it).
enum Refusal {
    /// The interaction was finished by a racing submission.
    InteractionFinished,
    /// The account changed between the lookup and the session (see `start_with_code`).
    SignInAgain,
    /// Another registration took the address between the lookup and the insert.
    EmailTaken,
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Self::Query(e)
    }
}

impl From<Refusal> for Abort {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

/// What finishing the sign-in writes, drawn before the trip (random values only).
struct Finish {
    session: SessionDraft,
    code: CodeDraft,
    request: AuthorizationRequest,
    /// The interaction the link was answered in, finished in the same transaction.
    interaction: Option<String>,
}

/// Decides about `link` and, when it signs someone in with nothing left to ask (no second
/// factor, no form), finishes the request in the same transaction; one trip to a database
/// thread either way. A registration that lost a race for its address is tried once more
/// (it then finds the account).
async fn settle(
    req: &HttpRequest,
    state: &AppState,
    request: &AuthorizationRequest,
    interaction: Option<&str>,
    link: LinkRequest,
    now: i64,
) -> Result<Settled, PageError> {
    let actor = actor(req, request);
    for _attempt in 0..2 {
        let finish = Finish {
            session: session::draft_session(req, state, now),
            code: authorize::draft_code(state, now),
            request: request.clone(),
            interaction: interaction.map(str::to_owned),
        };
        let (settings, link, actor) = (state.settings.clone(), link.clone(), actor.clone());
        let outcome = state
            .storage
            .run(move |c| {
                use diesel::Connection;
                match c.transaction(|c| settle_on(c, &link, &settings, &actor, finish, now)) {
                    Ok(done) => Ok(Ok(done)),
                    Err(Abort::Query(e)) => Err(e),
                    Err(Abort::Refused(refusal)) => Ok(Err(refusal)),
                }
            })
            .await?;
        if let Ok((_, result)) = &outcome {
            crate::telemetry::metrics::magic_link_outcome(result);
        }
        return match outcome.map(|(done, _)| done) {
            Ok(Done::Step(resolved)) => Ok(Settled::Step(resolved)),
            Ok(Done::SignedIn { cookie, code }) => {
                crate::telemetry::metrics::sign_in(Amr::LINK.as_str(), false);
                let mut response = code.response(state, request);
                add_cookie(&mut response, cookie);
                if interaction.is_some() {
                    add_cookie(
                        &mut response,
                        SesameCookie::Interaction.removal(&state.settings),
                    );
                }
                Ok(Settled::SignedIn(response))
            }
            Err(Refusal::EmailTaken) => continue,
            Err(Refusal::InteractionFinished) => Err(expired()),
            Err(Refusal::SignInAgain) => Err(sign_in_again()),
        };
    }
    // Taken twice: the account exists, and a third look would find it; say so plainly.
    Err(PageError::internal())
}

/// [`settle`]'s database part.
enum Done {
    SignedIn {
        cookie: actix_web::cookie::Cookie<'static>,
        code: CodeDraft,
    },
    Step(ResolvedLink),
}

fn settle_on(
    c: &mut DbConnection,
    link: &LinkRequest,
    settings: &crate::config::Settings,
    actor: &Actor,
    finish: Finish,
    now: i64,
) -> Result<(Done, &'static str), Abort> {
    let ResolvedLink { step, experience } =
        one_time_token::resolve_on(c, link, settings, actor, now)?;
    let result = step.result();
    let (user, consumed) = match step {
        LinkStep::SignIn { user, link } => (user, link),
        LinkStep::RegisterNow { link } => match users::register_proven_on(c, &link.email, now) {
            Ok(user) => (user, link),
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => return Err(Refusal::EmailTaken.into()),
            Err(e) => return Err(e.into()),
        },
        step => return Ok((Done::Step(ResolvedLink { step, experience }), result)),
    };
    let second_factor_due = match experience.mfa.policy {
        MfaPolicy::Off => false,
        MfaPolicy::User => mfa::is_enrolled_on(c, &user.id)?,
        MfaPolicy::Mandatory => true,
    };
    if user.suspended || second_factor_due {
        // A page comes next (the second factor); the link is spent, a registration kept.
        let step = LinkStep::SignIn {
            user,
            link: consumed,
        };
        return Ok((Done::Step(ResolvedLink { step, experience }), result));
    }
    provision_on(c, &user.id, &consumed.context, now)?;
    if let Some(id_hash) = &finish.interaction
        && !consume_interaction(c, id_hash, now)?
    {
        return Err(Refusal::InteractionFinished.into());
    }
    let auth = Authentication::by(user.id, Amr::LINK, now);
    let session = finish.session.for_user(&auth);
    let code = finish.code.record(&finish.request, &auth);
    if !session.store_with_code(c, &code)? {
        return Err(Refusal::SignInAgain.into());
    }
    let done = Done::SignedIn {
        cookie: session.cookie,
        code: finish.code,
    };
    Ok((done, result))
}

/// Carries out a decided step.
async fn carry_out(
    req: &HttpRequest,
    state: &AppState,
    flow: Flow,
    resolved: ResolvedLink,
    token_hash: String,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let ResolvedLink { step, experience } = resolved;
    match step {
        // As if there were no link: in an interaction, that is its sign-in page.
        LinkStep::Ignore => flow.advance(state, Step::SignIn, now).await,
        LinkStep::Refuse(e) => Err(link_error(e)),
        LinkStep::Suspended => Err(suspended()),
        LinkStep::AskToSwitch { email } => {
            let link = PendingLink { token_hash, email };
            flow.advance(state, Step::SwitchAccount { link }, now).await
        }
        LinkStep::AskToConfirm { email } => {
            let link = PendingLink { token_hash, email };
            flow.advance(state, Step::ConfirmLink { link }, now).await
        }
        LinkStep::SignIn { user, link } => {
            let proven = proven_by_link(user.id.clone(), link, now);
            authenticated_as(req, state, flow, proven, &user, &experience, now).await
        }
        LinkStep::RegisterNow { link } => {
            let user = register_verified(state, &link.email, None, None, now).await?;
            let proven = proven_by_link(user.id.clone(), link, now);
            authenticated_as(req, state, flow, proven, &user, &experience, now).await
        }
        LinkStep::AskToRegister { link, needs } => {
            let step = Step::Register {
                email: link.email,
                provision: link.context,
                needs,
            };
            flow.advance(state, step, now).await
        }
    }
}

/// Creates the account of an email proven by a link. If a concurrent registration took the
/// address first, that account is the one to sign in, taken over as the first proof of its
/// address if it was unverified (`users::find_proven_on`: the password given here is not set
/// then; the person sets one later).
pub async fn register_verified(
    state: &AppState,
    email: &Email,
    password: Option<Secret>,
    name: Option<String>,
    now: i64,
) -> Result<User, PageError> {
    let new = NewUser {
        email: email.clone(),
        password,
        name,
        email_verified: true,
        locale: None,
    };
    // The token is spent once, but its registration form can be posted again and again (the
    // step stays until an account exists): waiting for a password thread would let one link
    // fill the line ahead of every public sign-in. So, like them, it is refused when full.
    let admission = crate::crypto::Admission::RefuseWhenFull;
    match users::create_user(&state.storage, &state.passwords, admission, new, now).await {
        Ok(user) => Ok(user),
        Err(UserError::EmailTaken) => {
            let lookup = email.clone();
            state
                .storage
                .run(move |c| users::find_proven_on(c, &lookup, now))
                .await?
                .ok_or_else(PageError::internal)
        }
        // An outage or a full queue is a 503 page, like every other storage error.
        Err(UserError::Storage(e)) => Err(e.into()),
        // Every password thread busy: a 503 page with Retry-After, no account.
        Err(UserError::Hashing(e)) => Err(e.into()),
        Err(e) => {
            tracing::error!(error = %e, "registration by link failed");
            Err(PageError::internal())
        }
    }
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

#[derive(Template)]
#[template(path = "switch_account.html")]
struct SwitchPage<'a> {
    tr: Tr,
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
    now: i64,
) -> Result<HttpResponse, PageError> {
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
            tr: Tr(interaction.locale),
            uid: &interaction.uid,
            csrf: &interaction.csrf,
            app_name,
            current_email: &current_email,
            link_email: pending.email.as_str(),
            continue_action: SwitchAction::Continue.as_str(),
            back_action: SwitchAction::Back.as_str(),
        },
    ))
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    pub(super) csrf: String,
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
    let Step::SwitchAccount { link: pending } = interaction.step.clone() else {
        return Err(PageError::refused(
            "invalid_request",
            "error-no-pending-link",
        ));
    };
    match form.action {
        SwitchAction::Continue => continue_with_link(&req, &state, interaction, pending, now).await,
        SwitchAction::Back => stay(&req, &state, interaction, now).await,
    }
}

#[derive(Template)]
#[template(path = "confirm_link.html")]
struct ConfirmPage<'a> {
    tr: Tr,
    uid: &'a str,
    csrf: &'a str,
    app_name: &'a str,
    link_email: &'a str,
}

/// "Continue to <app> as <email>?", for an interaction holding a link to confirm.
pub fn confirm_page(
    interaction: &Interaction,
    pending: &PendingLink,
    app_name: &str,
) -> HttpResponse {
    render(
        StatusCode::OK,
        &ConfirmPage {
            tr: Tr(interaction.locale),
            uid: &interaction.uid,
            csrf: &interaction.csrf,
            app_name,
            link_email: pending.email.as_str(),
        },
    )
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    pub(super) csrf: String,
}

/// `POST /interaction/{uid}/confirm`: the person pressed "continue" in the browser that
/// opened the link; only now is the token spent.
pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    interaction.check_csrf(&form.csrf)?;
    let Step::ConfirmLink { link: pending } = interaction.step.clone() else {
        return Err(PageError::refused(
            "invalid_request",
            "error-no-link-to-confirm",
        ));
    };
    continue_with_link(&req, &state, interaction, pending, now).await
}

/// "Continue" (on the switch page or the confirmation page): the question is answered, so the
/// decision runs again without asking, and the token is consumed only now.
async fn continue_with_link(
    req: &HttpRequest,
    state: &AppState,
    interaction: Interaction,
    pending: PendingLink,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let link = LinkRequest {
        prompt: LinkPrompt {
            none: interaction.request.prompt.none,
            login: interaction.request.prompt.login,
            confirmed: true,
        },
        token_hash: pending.token_hash,
        email: Some(pending.email),
        // Answered: the current session no longer bears on the decision.
        session_user_id: None,
    };
    let token_hash = link.token_hash.clone();
    let settled = settle(
        req,
        state,
        &interaction.request,
        Some(&interaction.id_hash),
        link,
        now,
    )
    .await?;
    match settled {
        Settled::SignedIn(response) => Ok(response),
        Settled::Step(resolved) => {
            let flow = Flow::Hosted(interaction);
            carry_out(req, state, flow, resolved, token_hash, now).await
        }
    }
}

/// "Stay": the link stays unused; the request goes on as if it had carried none, through the
/// same checks (`max_age`, `id_token_hint`, `prompt`) as the authorization endpoint runs on the
/// current session: a code for the current account only when they pass.
async fn stay(
    req: &HttpRequest,
    state: &AppState,
    interaction: Interaction,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let current = session::current(req, state, now).await?;
    let Interaction {
        request, id_hash, ..
    } = interaction;
    super::consume(state, &id_hash, now).await?;
    let next = authorize::decide(&request, current.as_ref(), now);
    Ok(super::endpoint::proceed(state, request, next, now)
        .await
        .unwrap_or_else(|e| authorize::error_response(state, e)))
}
