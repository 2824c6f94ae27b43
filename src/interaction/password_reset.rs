//! Password reset: "Forgot password?" on the sign-in page asks for the address; whatever it
//! is, the same "check your mail" page follows (a mail only when an account exists, within
//! the mail limits). The mail holds a link to Sesame (its GET only shows the new-password
//! form) and a 6-digit code, typed on that page in the asking browser, which leads to the same
//! form. Setting the password ends every session and refresh token of the account, marks the
//! address verified and spends the reset, in one transaction. In the asking browser the person
//! is then signed in (the second factor still applies); through the link, they are told to
//! sign in again.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::code_page::{CodeForm, CodePage, Typed, count_and_check};
use super::pages::typed_email;
use super::sign_up::count_mail;
use super::{Flow, Interaction, Proven, authenticated_as, expired, load, see_other};
use crate::crypto::{Admission, Secret};
use crate::error::PageError;
use crate::i18n::{Locale, Tr};
use crate::identity::email_codes::{self, Purpose, ResetDone};
use crate::identity::{Email, SignInExperience, User};
use crate::oidc::session::{Amr, Authentication};
use crate::pages::render;
use crate::state::AppState;
use crate::storage::email_codes::{self as queries, EmailCodeRecord};
use crate::storage::rate_limits::Verdict;

/// Where a mailed link leads: outside any interaction, so it works in any browser.
const LINK_PATH: &str = "/password-reset";

/// The routes under `/interaction`.
pub fn interaction_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{uid}/forgot-password", web::get().to(form_page))
        .route("/{uid}/forgot-password", web::post().to(request))
        .route("/{uid}/forgot-password/code", web::get().to(code_page))
        .route("/{uid}/forgot-password/code", web::post().to(submit_code))
        .route(
            "/{uid}/forgot-password/new",
            web::get().to(new_password_page),
        )
        .route("/{uid}/forgot-password/new", web::post().to(set_password));
}

/// The mailed link's page.
pub fn link_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(LINK_PATH)
            .route(web::get().to(link_page))
            .route(web::post().to(link_set_password)),
    );
}

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPage<'a> {
    tr: Tr,
    uid: &'a str,
    csrf: &'a str,
    email: &'a str,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "new_password.html")]
struct NewPasswordPage<'a> {
    tr: Tr,
    action: &'a str,
    /// The interaction's CSRF value, or the link's token: one of them is posted back.
    csrf: Option<&'a str>,
    token: Option<&'a str>,
    email: &'a str,
    error: Option<String>,
    password_min_length: usize,
}

#[derive(Template)]
#[template(path = "password_changed.html")]
struct ChangedPage {
    tr: Tr,
}

fn base(uid: &str) -> String {
    format!("/interaction/{uid}/forgot-password")
}

fn show_form(
    interaction: &Interaction,
    status: StatusCode,
    email: &str,
    error: Option<String>,
) -> HttpResponse {
    render(
        status,
        &ForgotPage {
            tr: Tr(interaction.locale),
            uid: &interaction.uid,
            csrf: &interaction.csrf,
            email,
            error,
        },
    )
}

/// `GET /interaction/{uid}/forgot-password`: the address to mail.
pub async fn form_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    let hint = interaction.request.login_hint.clone().unwrap_or_default();
    Ok(show_form(&interaction, StatusCode::OK, &hint, None))
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// `POST /interaction/{uid}/forgot-password`: stores the reset (and mails it when the address
/// has an account), then the code page, the same whatever the address.
pub async fn request(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    interaction.check_csrf(&form.csrf)?;
    let tr = Tr(interaction.locale);
    let typed = typed_email(&form.email);
    let Ok(email) = Email::parse(typed) else {
        let error = Some(tr.t("register-invalid-email"));
        return Ok(show_form(
            &interaction,
            StatusCode::BAD_REQUEST,
            typed,
            error,
        ));
    };
    let ip = state.client_ip(&req);
    if count_mail(&state, ip, "reset", &email, now).await? != Verdict::Allowed {
        let error = Some(tr.t("reset-too-many"));
        let status = StatusCode::TOO_MANY_REQUESTS;
        return Ok(show_form(&interaction, status, typed, error));
    }
    let id_hash = interaction.id_hash.clone();
    let locale = interaction.locale;
    let link_base = format!("{}{LINK_PATH}", state.settings.public_url);
    state
        .storage
        .run(move |c| email_codes::request_reset_on(c, &id_hash, &email, locale, &link_base, now))
        .await?;
    Ok(see_other(&format!("{}/code", base(&uid))))
}

/// The interaction's latest reset.
async fn pending(
    state: &AppState,
    interaction: &Interaction,
    now: i64,
) -> Result<Option<EmailCodeRecord>, PageError> {
    let id_hash = interaction.id_hash.clone();
    let purpose = Purpose::PasswordReset.as_str();
    Ok(state
        .storage
        .run(move |c| queries::latest_for_interaction(c, &id_hash, purpose, now))
        .await?)
}

fn show_code(
    interaction: &Interaction,
    record: &EmailCodeRecord,
    status: StatusCode,
    error: Option<String>,
) -> HttpResponse {
    let tr = Tr(interaction.locale);
    let base = base(&interaction.uid);
    let dead = email_codes::is_dead(record);
    let error = if dead {
        Some(tr.t("reset-code-dead"))
    } else {
        error
    };
    CodePage {
        csrf: &interaction.csrf,
        title: tr.t("reset-code-title"),
        intro_html: tr.html1("reset-code-sent", "email", &record.email),
        error,
        notice: None,
        action: (!dead).then(|| format!("{base}/code")),
        submit: tr.t("reset-code-submit"),
        resend: None,
        restart: (base, tr.t("reset-ask-again")),
        tr,
    }
    .response(status)
}

/// `GET /interaction/{uid}/forgot-password/code`: "if an account exists, we mailed a link and
/// a code".
pub async fn code_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    match pending(&state, &interaction, now).await? {
        Some(record) if record.verified_at.is_some() => {
            Ok(see_other(&format!("{}/new", base(&uid))))
        }
        Some(record) => Ok(show_code(&interaction, &record, StatusCode::OK, None)),
        None => Ok(see_other(&base(&uid))),
    }
}

/// `POST /interaction/{uid}/forgot-password/code`: the right code leads to the new-password
/// form; each wrong one is counted, the fifth ends the reset.
pub async fn submit_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    interaction.check_csrf(&form.csrf)?;
    let Some(record) = pending(&state, &interaction, now).await? else {
        return Ok(see_other(&base(&uid)));
    };
    let refused = StatusCode::BAD_REQUEST;
    match count_and_check(&state, record, form.code.expose()).await? {
        Typed::Dead(record) => Ok(show_code(&interaction, &record, refused, None)),
        Typed::Wrong { record, left } => {
            let error = Tr(interaction.locale).t1("reset-code-wrong", "left", left);
            Ok(show_code(&interaction, &record, refused, Some(error)))
        }
        Typed::Right(counted) => {
            let id = counted.id.clone();
            state
                .storage
                .run(move |c| queries::mark_verified(c, &id, now))
                .await?;
            Ok(see_other(&format!("{}/new", base(&uid))))
        }
    }
}

/// The interaction's reset whose code was typed right, if it may still be used.
async fn verified(
    state: &AppState,
    interaction: &Interaction,
    now: i64,
) -> Result<Option<EmailCodeRecord>, PageError> {
    Ok(pending(state, interaction, now)
        .await?
        .filter(|r| r.verified_at.is_some() && r.user_id.is_some()))
}

fn show_new_password(
    locale: Locale,
    status: StatusCode,
    form: (&str, Option<&str>, Option<&str>),
    email: &str,
    error: Option<String>,
    min_length: usize,
) -> HttpResponse {
    let (action, csrf, token) = form;
    render(
        status,
        &NewPasswordPage {
            tr: Tr(locale),
            action,
            csrf,
            token,
            email,
            error,
            password_min_length: min_length,
        },
    )
}

/// `GET /interaction/{uid}/forgot-password/new`: the new-password form, once the code was
/// typed right.
pub async fn new_password_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    let Some(record) = verified(&state, &interaction, now).await? else {
        return Ok(see_other(&format!("{}/code", base(&uid))));
    };
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    let action = format!("{}/new", base(&uid));
    let form = (action.as_str(), Some(interaction.csrf.as_str()), None);
    let min = experience.password_policy.min_length;
    let locale = interaction.locale;
    Ok(show_new_password(
        locale,
        StatusCode::OK,
        form,
        &record.email,
        None,
        min,
    ))
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: Secret,
    #[serde(default)]
    password: Secret,
}

/// What became of a new password.
enum Outcome {
    Reset(User),
    /// Refused by the policy: the form again with why.
    Refused(String),
    Spent,
}

/// Holds `password` to the policy, hashes it on the password threads and carries out the
/// reset of `record`.
async fn reset(
    state: &AppState,
    experience: &SignInExperience,
    record: EmailCodeRecord,
    password: Secret,
    locale: Locale,
    now: i64,
) -> Result<Outcome, PageError> {
    if let Err(problem) = experience.check_password(password.expose()) {
        return Ok(Outcome::Refused(problem.in_words(locale)));
    }
    let hash = state
        .passwords
        .hash(password, Admission::RefuseWhenFull)
        .await?
        .ok_or_else(PageError::internal)?;
    let done = state
        .storage
        .run(move |c| email_codes::finish_reset_on(c, &record, &hash, now))
        .await?;
    Ok(match done {
        ResetDone::Reset(user) => Outcome::Reset(user),
        ResetDone::Spent => Outcome::Spent,
    })
}

/// `POST /interaction/{uid}/forgot-password/new`: sets the password, ends every session and
/// token of the account, and signs in here.
pub async fn set_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<NewPasswordForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    interaction.check_csrf(&form.csrf)?;
    let Some(record) = verified(&state, &interaction, now).await? else {
        return Ok(see_other(&format!("{}/code", base(&uid))));
    };
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    let email = record.email.clone();
    let locale = interaction.locale;
    let password = form.into_inner().password;
    let user = match reset(&state, &experience, record, password, locale, now).await? {
        Outcome::Reset(user) => user,
        Outcome::Spent => return Err(expired()),
        Outcome::Refused(why) => {
            let action = format!("{}/new", base(&uid));
            let form = (action.as_str(), Some(interaction.csrf.as_str()), None);
            let min = experience.password_policy.min_length;
            let status = StatusCode::BAD_REQUEST;
            return Ok(show_new_password(
                locale,
                status,
                form,
                &email,
                Some(why),
                min,
            ));
        }
    };
    let proven = Proven {
        auth: Authentication::by(user.id.clone(), Amr::PASSWORD, now),
        provision: None,
    };
    let flow = Flow::Hosted(interaction);
    authenticated_as(&req, &state, flow, proven, &user, &experience, now).await
}

/// The page for a link that no longer works (spent, expired, or never mailed).
fn link_invalid() -> PageError {
    PageError::new(
        StatusCode::GONE,
        "reset_link_invalid",
        "reset-link-invalid-title",
        "reset-link-invalid",
    )
    .with_next_step("reset-link-invalid-next")
}

#[derive(Deserialize)]
pub struct LinkQuery {
    #[serde(default)]
    token: Secret,
}

async fn by_link(state: &AppState, token: Secret, now: i64) -> Result<EmailCodeRecord, PageError> {
    if token.is_empty() || token.expose().len() > 100 {
        return Err(link_invalid());
    }
    state
        .storage
        .run(move |c| email_codes::find_reset_by_link_on(c, &token, now))
        .await?
        .ok_or_else(link_invalid)
}

/// `GET /password-reset?token=...`: the new-password form, nothing more (a mail scanner that
/// fetches the link changes nothing).
pub async fn link_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let token = query.into_inner().token;
    let record = by_link(&state, token.clone(), now).await?;
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    let locale = crate::pages::request_locale(&req);
    let form = (LINK_PATH, None, Some(token.expose()));
    let min = experience.password_policy.min_length;
    Ok(show_new_password(
        locale,
        StatusCode::OK,
        form,
        &record.email,
        None,
        min,
    ))
}

/// `POST /password-reset`: sets the password through the mailed link, ends every session and
/// token of the account; the person signs in again wherever they want.
pub async fn link_set_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<NewPasswordForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let form = form.into_inner();
    let record = by_link(&state, form.token.clone(), now).await?;
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    let locale = crate::pages::request_locale(&req);
    let email = record.email.clone();
    match reset(&state, &experience, record, form.password, locale, now).await? {
        Outcome::Reset(_) => Ok(render(StatusCode::OK, &ChangedPage { tr: Tr(locale) })),
        Outcome::Spent => Err(link_invalid()),
        Outcome::Refused(why) => {
            let form = (LINK_PATH, None, Some(form.token.expose()));
            let min = experience.password_policy.min_length;
            let status = StatusCode::BAD_REQUEST;
            Ok(show_new_password(
                locale,
                status,
                form,
                &email,
                Some(why),
                min,
            ))
        }
    }
}
