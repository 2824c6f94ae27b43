//! The interaction: a server-side record of a sign-in in progress (random id in the URL, row in
//! the database) holding the validated authorization request. The browser that started it holds
//! a cookie with a second random value, stored hashed in the row: the URL alone (seen on a
//! screen, in a log) continues nothing. Each hosted page
//! reads it and advances it; finishing creates the session and the authorization code. Because
//! the state lives in the database, any Sesame instance can serve any step.

mod code_page;
mod endpoint;
mod forms;
mod hosted;
mod magic_link;
mod mfa;
mod pages;
mod password_reset;
mod sign_up;
mod step;

pub use forms::HostedForm;
pub use step::{PendingLink, Proven, Step};

use actix_web::cookie::Cookie;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::crypto::{constant_time_eq, random_token, sha256_b64url};
use crate::error::PageError;
use crate::i18n::{self, Locale};
use crate::identity::{MfaPolicy, SignInExperience, User};
use crate::oidc::authorize::{self, AuthorizationRequest};
use crate::oidc::cookies::SesameCookie;
use crate::oidc::session::{self, Amr, Authentication};
use crate::state::AppState;
use crate::storage::interactions::{self as queries, InteractionRecord};

/// Where the hosted pages live.
const PAGES: &str = "/interaction";

pub fn routes(cfg: &mut web::ServiceConfig) {
    hosted::routes(cfg);
    cfg.service(
        web::scope(PAGES)
            .route("/{uid}", web::get().to(pages::current_page))
            .route("/{uid}/sign-in", web::post().to(pages::sign_in))
            .route("/{uid}/register", web::get().to(pages::register_page))
            .route("/{uid}/register", web::post().to(pages::register))
            .route("/{uid}/switch", web::post().to(magic_link::switch))
            .route("/{uid}/confirm", web::post().to(magic_link::confirm))
            .route("/{uid}/mfa", web::post().to(mfa::submit))
            .route(
                "/{uid}/mfa/continue",
                web::post().to(mfa::continue_after_enrollment),
            )
            .route("/{uid}/sign-up/code", web::get().to(sign_up::code_page))
            .route("/{uid}/sign-up/code", web::post().to(sign_up::submit_code))
            .route("/{uid}/sign-up/resend", web::post().to(sign_up::resend))
            .configure(password_reset::interaction_routes),
    );
    password_reset::link_routes(cfg);
}

/// The largest form body read, in bytes: the authorization endpoint's POST (held to the bound
/// of its query string, so the parameter caps are reached only after a small read) and every
/// hosted form. A larger body is refused with a 413 page before it is read.
pub const MAX_FORM_BYTES: usize = 8 * 1024;

/// The page for a body over [`MAX_FORM_BYTES`].
pub fn form_too_large() -> PageError {
    PageError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "invalid_request",
        "error-cannot-complete-title",
        "error-form-too-large",
    )
    .with_arg("max", MAX_FORM_BYTES)
}

/// The page for a hosted form's body that `web::Form` could not read: a malformed or oversized
/// body gets a page, not a framework message.
pub fn unreadable_form(e: actix_web::error::UrlencodedError) -> PageError {
    match e {
        actix_web::error::UrlencodedError::Overflow { .. } => form_too_large(),
        e => PageError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "error-cannot-complete-title",
            "error-form-unreadable",
        )
        .with_detail(e.to_string()),
    }
}

/// The body limit's bare 413 as [`form_too_large`]'s page.
fn too_large_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let (req, _) = res.into_parts();
    let page = form_too_large().response_in(crate::pages::locale_of(&req));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, page).map_into_right_body(),
    ))
}

/// `GET|POST /oidc/auth`: the authorization endpoint's handlers. They live here, above the
/// protocol layer, because carrying out its answer may mean an interaction and its pages.
/// Register this before `oidc::routes` (whose `/oidc` scope would otherwise take the path).
pub fn authorization_endpoint(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/oidc/auth")
            .app_data(web::PayloadConfig::new(MAX_FORM_BYTES))
            .wrap(ErrorHandlers::new().handler(StatusCode::PAYLOAD_TOO_LARGE, too_large_page))
            .route(web::get().to(endpoint::get))
            .route(web::post().to(endpoint::post)),
    );
}

pub struct Interaction {
    pub uid: String,
    pub id_hash: String,
    pub request: AuthorizationRequest,
    pub csrf: String,
    pub step: Step,
    /// The language of its pages.
    pub locale: Locale,
}

impl Interaction {
    pub fn check_csrf(&self, presented: &str) -> Result<(), PageError> {
        PageError::check_csrf(&self.csrf, presented)
    }
}

/// Starts an interaction for `request` at `step` and sends the browser to its page.
pub async fn start(
    state: &AppState,
    request: AuthorizationRequest,
    step: Step,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let uid = random_token(24);
    let secret = random_token(24);
    let record = InteractionRecord {
        id_hash: sha256_b64url(&uid),
        request: serde_json::to_string(&request).map_err(|_| PageError::internal())?,
        csrf: random_token(24),
        state: serde_json::to_string(&step).map_err(|_| PageError::internal())?,
        created_at: now,
        expires_at: now + state.settings.interaction_ttl().num_milliseconds(),
        secret_hash: Some(sha256_b64url(&secret)),
    };
    state
        .storage
        .run(move |c| queries::insert_interaction(c, &record))
        .await?;
    let cookie = SesameCookie::Interaction.build(
        &state.settings,
        secret,
        state.settings.interaction_ttl().num_seconds(),
    );
    Ok(HttpResponse::SeeOther()
        .cookie(cookie)
        .insert_header((header::LOCATION, page_of(&uid)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

fn expired() -> PageError {
    PageError::new(
        StatusCode::BAD_REQUEST,
        "interaction_expired",
        "error-expired-title",
        "error-expired",
    )
    .with_next_step("error-next-sign-in-again")
}

/// The page for a sign-in in progress reached without the cookie of the browser that started
/// it (a copied or stolen URL): nothing of it is shown or done here.
fn other_browser() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        "interaction_other_browser",
        "error-other-browser-title",
        "error-other-browser",
    )
    .with_next_step("error-next-other-browser")
}

/// Whether the cookie's secret is the one this interaction was started with. Rows written
/// before the secret existed have none: they match no cookie.
fn started_here(req: &HttpRequest, state: &AppState, record: &InteractionRecord) -> bool {
    match (
        SesameCookie::Interaction.read(req, &state.settings),
        &record.secret_hash,
    ) {
        (Some(cookie), Some(stored)) => constant_time_eq(&sha256_b64url(cookie.value()), stored),
        _ => false,
    }
}

/// Loads the interaction named in the URL, for the browser that started it (whose cookie holds
/// the interaction's secret).
pub async fn load(
    req: &HttpRequest,
    state: &AppState,
    uid: &str,
    now: i64,
) -> Result<Interaction, PageError> {
    let id_hash = sha256_b64url(uid);
    let lookup = id_hash.clone();
    let record = state
        .storage
        .run(move |c| queries::find_live_interaction(c, &lookup, now))
        .await?
        .ok_or_else(expired)?;
    if !started_here(req, state, &record) {
        return Err(other_browser());
    }
    let request: AuthorizationRequest =
        serde_json::from_str(&record.request).map_err(|_| PageError::internal())?;
    // A row written in another shape (an older version) is a sign-in to start again.
    let step = serde_json::from_str(&record.state).map_err(|_| expired())?;
    let locale = page_locale(req, state, &request, &step).await?;
    crate::pages::set_locale(req, locale);
    Ok(Interaction {
        uid: uid.to_owned(),
        id_hash,
        request,
        csrf: record.csrf,
        step,
        locale,
    })
}

/// The language of an interaction's pages: the request's `ui_locales`, else the stored
/// language of the account the step is about (the one proven at the second factor, the link's
/// on the switch and confirmation pages), else the browser's.
async fn page_locale(
    req: &HttpRequest,
    state: &AppState,
    request: &AuthorizationRequest,
    step: &Step,
) -> Result<Locale, PageError> {
    let ui_locales = request.ui_locales.as_deref();
    let accept_language = crate::pages::accept_language(req);
    let named = ui_locales.and_then(|l| i18n::first_supported(l.split_ascii_whitespace()));
    let account = match step {
        // The request's own choice comes first: no need to look the account up.
        _ if named.is_some() => None,
        Step::SecondFactor { proven, .. } | Step::Enrolled { proven } => {
            Some(Account::Id(proven.auth.user_id.clone()))
        }
        Step::SwitchAccount { link } | Step::ConfirmLink { link } => {
            Some(Account::Email(link.email.as_str().to_owned()))
        }
        Step::SignIn | Step::Register { .. } => None,
    };
    let stored = match account {
        None => None,
        Some(account) => {
            state
                .storage
                .run(move |c| {
                    let user = match account {
                        Account::Id(id) => crate::storage::users::find_user(c, &id)?,
                        Account::Email(email) => {
                            crate::storage::users::find_user_by_email(c, &email)?
                        }
                    };
                    Ok(user.and_then(|u| u.locale))
                })
                .await?
        }
    };
    Ok(i18n::choose(ui_locales, stored.as_deref(), accept_language))
}

/// The account a page is about, by what the step knows of it.
enum Account {
    Id(String),
    Email(String),
}

/// Ends the interaction with `auth` signed in: a new session, then the code back to the client.
pub async fn finish(
    req: &HttpRequest,
    state: &AppState,
    interaction: Interaction,
    auth: Authentication,
    now: i64,
) -> Result<HttpResponse, PageError> {
    consume(state, &interaction.id_hash, now).await?;
    let mut response = sign_in_and_complete(req, state, &interaction.request, &auth, now).await?;
    add_cookie(
        &mut response,
        SesameCookie::Interaction.removal(&state.settings),
    );
    Ok(response)
}

/// Finishes the interaction for this submission only: of racing submissions (double clicks,
/// replays) one goes on, the others get the expired-interaction page.
async fn consume(state: &AppState, id_hash: &str, now: i64) -> Result<(), PageError> {
    let id_hash = id_hash.to_owned();
    let finished_here = state
        .storage
        .run(move |c| queries::consume_interaction(c, &id_hash, now))
        .await?;
    if finished_here {
        Ok(())
    } else {
        Err(expired())
    }
}

/// The page for a sign-in that may no longer finish: the account was suspended, or its
/// credentials were ended (the address proven by its owner) after this sign-in's first factor.
pub fn sign_in_again() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        "sign_in_again",
        "error-sign-in-again-title",
        "error-sign-in-again",
    )
    .with_next_step("error-next-sign-in-again")
}

/// The page for a suspended account: nothing is issued.
pub fn suspended() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        "account_suspended",
        "error-suspended-title",
        "error-suspended",
    )
    .with_next_step("error-next-contact")
}

/// Where a sign-in is carried out: straight from the authorization endpoint (nothing to ask,
/// no interaction yet), or in an interaction.
pub enum Flow {
    Direct(AuthorizationRequest),
    Hosted(Interaction),
}

impl Flow {
    pub fn request(&self) -> &AuthorizationRequest {
        match self {
            Flow::Direct(request) => request,
            Flow::Hosted(interaction) => &interaction.request,
        }
    }

    /// Moves the sign-in to `step` and sends the browser to its page (starting the
    /// interaction if there is none yet).
    pub async fn advance(
        self,
        state: &AppState,
        step: Step,
        now: i64,
    ) -> Result<HttpResponse, PageError> {
        match self {
            Flow::Direct(request) => start(state, request, step, now).await,
            Flow::Hosted(interaction) => {
                save_step(state, &interaction, &step).await?;
                Ok(see_other(&page_of(&interaction.uid)))
            }
        }
    }
}

/// The page of the interaction `uid`.
fn page_of(uid: &str) -> String {
    format!("{PAGES}/{uid}")
}

/// The first factor (password or magic link) is proven: [`authenticated_as`] once the user
/// and the sign-in experience are read.
pub async fn authenticated(
    req: &HttpRequest,
    state: &AppState,
    flow: Flow,
    proven: Proven,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let user_id = proven.auth.user_id.clone();
    let settings = state.settings.clone();
    let (user, experience) = state
        .storage
        .run(move |c| {
            let user = crate::storage::users::find_user(c, &user_id)?;
            Ok((user, SignInExperience::load_on(c, &settings)?))
        })
        .await?;
    let user = user.ok_or_else(expired)?;
    authenticated_as(req, state, flow, proven, &user, &experience, now).await
}

/// The first factor is proven for `user`: refuse a suspended account, ask for the second
/// factor when the MFA policy wants one, join the link's organizations, then finish. Every
/// way in ends here, so no path skips a rule.
pub async fn authenticated_as(
    req: &HttpRequest,
    state: &AppState,
    flow: Flow,
    proven: Proven,
    user: &User,
    experience: &SignInExperience,
    now: i64,
) -> Result<HttpResponse, PageError> {
    if user.suspended {
        return Err(suspended());
    }
    let second_factor_due = match experience.mfa.policy {
        MfaPolicy::Off => false,
        MfaPolicy::User => crate::identity::mfa::is_enrolled(&state.storage, &user.id).await?,
        MfaPolicy::Mandatory => true,
    };
    if second_factor_due {
        let step = Step::SecondFactor {
            proven,
            enrollment: None,
        };
        return flow.advance(state, step, now).await;
    }
    complete(req, state, flow, proven, now).await
}

/// Joins the link's organizations and finishes (the interaction, if any, and the request).
async fn complete(
    req: &HttpRequest,
    state: &AppState,
    flow: Flow,
    proven: Proven,
    now: i64,
) -> Result<HttpResponse, PageError> {
    if let Some(context) = proven.provision {
        let user_id = proven.auth.user_id.clone();
        state
            .storage
            .run(move |c| crate::identity::organizations::provision_on(c, &user_id, &context, now))
            .await?;
    }
    match flow {
        Flow::Hosted(interaction) => finish(req, state, interaction, proven.auth, now).await,
        Flow::Direct(request) => {
            sign_in_and_complete(req, state, &request, &proven.auth, now).await
        }
    }
}

pub async fn save_step(
    state: &AppState,
    interaction: &Interaction,
    step: &Step,
) -> Result<(), PageError> {
    let serialized = serde_json::to_string(step).map_err(|_| PageError::internal())?;
    let id_hash = interaction.id_hash.clone();
    state
        .storage
        .run(move |c| queries::update_interaction_state(c, &id_hash, &serialized))
        .await?;
    Ok(())
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Starts the session for `auth` and sends the authorization code back to the client.
pub async fn sign_in_and_complete(
    req: &HttpRequest,
    state: &AppState,
    request: &AuthorizationRequest,
    auth: &Authentication,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let session = session::new_session(req, state, auth, now);
    let (code, mut response) = authorize::new_code(state, request, auth, now);
    let cookie = session.cookie.clone();
    // The session and the code are stored together: one commit, both or neither.
    let stored = state
        .storage
        .run(move |c| session.store_with_code(c, &code))
        .await?;
    if !stored {
        return Err(sign_in_again());
    }
    if let Some(first) = auth.amr.first() {
        crate::telemetry::metrics::sign_in(first.as_str(), auth.amr.contains(&Amr::Mfa));
    }
    add_cookie(&mut response, cookie);
    Ok(response)
}

fn add_cookie(response: &mut HttpResponse, cookie: Cookie<'_>) {
    if let Err(e) = response.add_cookie(&cookie) {
        tracing::warn!(error = %e, "cookie not set");
    }
}
