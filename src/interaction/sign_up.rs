//! Verified public sign-up (`signUp.verifyEmail`): the registration form stores the pending
//! account (its password already hashed) and mails a 6-digit code, in one transaction; the
//! account is created only when the code is typed here, in the browser that registered. An
//! address that has an account gets the same page, and its owner a notice instead of a code,
//! so the page never tells whether an account exists.

use std::net::IpAddr;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::code_page::{CodeForm, CodePage, CsrfForm, Typed, count_and_check};
use super::{Flow, Interaction, Proven, authenticated_as, expired, load, pages, see_other};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::identity::email_codes::{self, PendingSignUp, Purpose};
use crate::identity::{Email, SignInExperience};
use crate::oidc::session::{Amr, Authentication};
use crate::state::AppState;
use crate::storage::email_codes::{self as queries, EmailCodeRecord};
use crate::storage::rate_limits::{self, Verdict};

/// Code mails (sign-up and reset) per address, and per client address, per hour.
const MAILS_PER_EMAIL: i32 = 5;
const MAILS_PER_IP: i32 = 30;
const HOUR_MS: i64 = 3_600_000;

/// Counts one mailed code for `email` from `ip` under `prefix` (`sign-up`, `reset`): `Limited`
/// when it is one too many. Counted whether or not the address has an account, so the limit
/// tells nothing either.
pub(super) async fn count_mail(
    state: &AppState,
    ip: Option<IpAddr>,
    prefix: &str,
    email: &Email,
    now: i64,
) -> Result<Verdict, PageError> {
    let counted = vec![
        (
            format!("{prefix}-mail:email:{}", email.normalized()),
            MAILS_PER_EMAIL,
        ),
        (
            format!("{prefix}-mail:ip:{}", rate_limits::address(ip)),
            MAILS_PER_IP,
        ),
    ];
    Ok(state
        .storage
        .run(move |c| rate_limits::hit_all(c, &counted, HOUR_MS, now))
        .await?)
}

fn code_page_of(uid: &str) -> String {
    format!("/interaction/{uid}/sign-up/code")
}

fn register_of(uid: &str) -> String {
    format!("/interaction/{uid}/register")
}

/// Stores the registration, mails the code (or the notice), and sends the browser to the
/// code page.
pub(super) async fn start(
    state: &AppState,
    interaction: &Interaction,
    email: Email,
    name: Option<String>,
    password_hash: String,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let pending = PendingSignUp {
        interaction_hash: interaction.id_hash.clone(),
        email,
        name,
        password_hash,
        locale: interaction.locale,
    };
    state
        .storage
        .run(move |c| email_codes::start_sign_up_on(c, pending, now))
        .await?;
    Ok(see_other(&code_page_of(&interaction.uid)))
}

/// The interaction's registration waiting for its code.
async fn pending(
    state: &AppState,
    interaction: &Interaction,
    now: i64,
) -> Result<Option<EmailCodeRecord>, PageError> {
    let id_hash = interaction.id_hash.clone();
    let purpose = Purpose::SignUp.as_str();
    Ok(state
        .storage
        .run(move |c| queries::latest_for_interaction(c, &id_hash, purpose, now))
        .await?)
}

fn show(
    interaction: &Interaction,
    record: &EmailCodeRecord,
    status: StatusCode,
    error: Option<String>,
) -> HttpResponse {
    let tr = Tr(interaction.locale);
    let uid = &interaction.uid;
    let dead = email_codes::is_dead(record);
    let error = if dead {
        Some(tr.t("signup-code-dead"))
    } else {
        error
    };
    CodePage {
        csrf: &interaction.csrf,
        title: tr.t("signup-code-title"),
        intro_html: tr.html1("signup-code-sent", "email", &record.email),
        error,
        notice: None,
        action: (!dead).then(|| code_page_of(uid)),
        submit: tr.t("signup-code-submit"),
        resend: Some((
            format!("/interaction/{uid}/sign-up/resend"),
            tr.t("signup-send-again"),
        )),
        restart: (register_of(uid), tr.t("signup-start-again")),
        tr,
    }
    .response(status)
}

/// `GET /interaction/{uid}/sign-up/code`: "type the code we mailed to <address>".
pub async fn code_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    match pending(&state, &interaction, now).await? {
        Some(record) => Ok(show(&interaction, &record, StatusCode::OK, None)),
        None => Ok(see_other(&register_of(&uid))),
    }
}

/// `POST /interaction/{uid}/sign-up/code`: the right code creates the account (its address
/// verified) and signs in as after any registration; each wrong one is counted, and the
/// fifth ends the registration.
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
        return Ok(see_other(&register_of(&uid)));
    };
    let refused = StatusCode::BAD_REQUEST;
    match count_and_check(&state, record, form.code.expose()).await? {
        Typed::Dead(record) => Ok(show(&interaction, &record, refused, None)),
        Typed::Wrong { record, left } => {
            let error = Tr(interaction.locale).t1("signup-code-wrong", "left", left);
            Ok(show(&interaction, &record, refused, Some(error)))
        }
        Typed::Right(record) => create_account(&req, &state, interaction, record, now).await,
    }
}

async fn create_account(
    req: &HttpRequest,
    state: &AppState,
    interaction: Interaction,
    record: EmailCodeRecord,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let email = record.email.clone();
    let done = state
        .storage
        .run(move |c| email_codes::finish_sign_up_on(c, &record, now))
        .await?;
    let user = match done {
        email_codes::SignUpDone::Created(user) => user,
        email_codes::SignUpDone::Spent => return Err(expired()),
        email_codes::SignUpDone::EmailTaken => {
            let taken = crate::i18n::t(interaction.locale, "register-email-taken");
            let status = StatusCode::BAD_REQUEST;
            return pages::show_register(
                state,
                &interaction,
                status,
                &email,
                "",
                Some(&taken),
                now,
            )
            .await;
        }
    };
    tracing::info!(user_id = %user.id, "verified sign-up: account created");
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    let proven = Proven {
        auth: Authentication::by(user.id.clone(), Amr::PASSWORD, now),
        provision: None,
    };
    let flow = Flow::Hosted(interaction);
    authenticated_as(req, state, flow, proven, &user, &experience, now).await
}

/// `POST /interaction/{uid}/sign-up/resend`: a new code (or the notice again), once a minute
/// at most, within the mail limits; the wrong codes typed so far stay counted.
pub async fn resend(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    interaction.check_csrf(&form.csrf)?;
    let Some(record) = pending(&state, &interaction, now).await? else {
        return Ok(see_other(&register_of(&uid)));
    };
    let tr = Tr(interaction.locale);
    let too_many = StatusCode::TOO_MANY_REQUESTS;
    if email_codes::is_dead(&record) {
        return Ok(show(&interaction, &record, StatusCode::BAD_REQUEST, None));
    }
    if let Some(seconds) = email_codes::resend_wait_secs(&record, now) {
        let error = tr.t1("signup-resend-wait", "seconds", seconds);
        return Ok(show(&interaction, &record, too_many, Some(error)));
    }
    let email = Email::parse(&record.email).map_err(|_| PageError::internal())?;
    let ip = state.client_ip(&req);
    if count_mail(&state, ip, "signup", &email, now).await? != Verdict::Allowed {
        let error = tr.t("signup-too-many");
        return Ok(show(&interaction, &record, too_many, Some(error)));
    }
    let locale = interaction.locale;
    let resent = state
        .storage
        .run(move |c| email_codes::resend_sign_up_on(c, record, locale, now))
        .await?;
    if !resent {
        return Ok(see_other(&register_of(&uid)));
    }
    Ok(see_other(&code_page_of(&uid)))
}
