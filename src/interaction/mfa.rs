//! The second factor during an interaction: TOTP verification for enrolled users, enrollment
//! (with backup codes) when the policy makes it mandatory.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Flow, Interaction, Proven, Step, complete, load, save_step, sign_in_again};
use crate::crypto::Secret;
use crate::error::PageError;
use crate::i18n::{self, Tr};
use crate::identity::mfa::{self, Enrollment};
use crate::oidc::session::Amr;
use crate::pages::render;
use crate::state::AppState;
use crate::storage::rate_limits::{self, Verdict};
use crate::storage::users::{find_user, may_finish_sign_in};

/// Codes tried per user per window before the second factor is locked for a while.
const ATTEMPTS: i32 = 5;
const ATTEMPT_WINDOW_MS: i64 = 5 * 60 * 1000;

struct Setup {
    secret: String,
    otpauth_url: String,
    qr_svg: String,
}

#[derive(Template)]
#[template(path = "mfa.html")]
struct MfaPage<'a> {
    tr: Tr,
    uid: &'a str,
    csrf: &'a str,
    error: Option<String>,
    setup: Option<Setup>,
}

#[derive(Template)]
#[template(path = "backup_codes.html")]
struct BackupCodesPage<'a> {
    tr: Tr,
    uid: &'a str,
    csrf: &'a str,
    codes: &'a [String],
}

/// The first factor this interaction proved, at the second-factor steps.
fn first_factor(interaction: &Interaction) -> Result<Proven, PageError> {
    match &interaction.step {
        Step::SecondFactor { proven, .. } | Step::Enrolled { proven } => Ok(proven.clone()),
        _ => Err(PageError::refused("invalid_request", "error-sign-in-first")),
    }
}

/// A proof older than a takeover of the account (or of a suspended one) is offered nothing
/// more, least of all enrolling an authenticator on an account whose owner just ended the
/// one set up before.
async fn still_valid(state: &AppState, proven: &Proven) -> Result<(), PageError> {
    let (user_id, auth_time) = (proven.auth.user_id.clone(), proven.auth.auth_time);
    let may_finish = state
        .storage
        .run(move |c| may_finish_sign_in(c, &user_id, auth_time))
        .await?;
    if may_finish {
        Ok(())
    } else {
        Err(sign_in_again())
    }
}

/// The TOTP secret being enrolled, if this is the enrollment step.
fn enrollment(interaction: &Interaction) -> Option<String> {
    match &interaction.step {
        Step::SecondFactor { enrollment, .. } => enrollment.clone(),
        _ => None,
    }
}

/// `GET /interaction/{uid}` while the second factor is due; `error` is a Fluent key.
pub async fn page(
    state: &AppState,
    interaction: Interaction,
    status: StatusCode,
    error: Option<&str>,
) -> Result<HttpResponse, PageError> {
    let proven = first_factor(&interaction)?;
    still_valid(state, &proven).await?;
    let setup = if mfa::is_enrolled(&state.storage, &proven.auth.user_id).await? {
        None
    } else {
        let user_id = proven.auth.user_id.clone();
        let secret = match enrollment(&interaction) {
            Some(secret) => secret,
            None => {
                let secret = mfa::new_secret();
                let step = Step::SecondFactor {
                    proven,
                    enrollment: Some(secret.clone()),
                };
                save_step(state, &interaction, &step).await?;
                secret
            }
        };
        let account = state
            .storage
            .run(move |c| find_user(c, &user_id))
            .await?
            .map(|u| u.email)
            .unwrap_or_default();
        let otpauth_url = mfa::otpauth_url(&secret, &account).ok_or_else(PageError::internal)?;
        let qr_svg = mfa::qr_svg(&otpauth_url).ok_or_else(PageError::internal)?;
        Some(Setup {
            secret,
            otpauth_url,
            qr_svg,
        })
    };
    Ok(render(
        status,
        &MfaPage {
            tr: Tr(interaction.locale),
            uid: &interaction.uid,
            csrf: &interaction.csrf,
            error: error.map(|key| i18n::t(interaction.locale, key)),
            setup,
        },
    ))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub(super) csrf: String,
    pub(super) code: Secret,
}

/// `POST /interaction/{uid}/mfa`: verify, or complete enrollment.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    interaction.check_csrf(&form.csrf)?;
    let proven = first_factor(&interaction)?;
    still_valid(&state, &proven).await?;
    let user_id = proven.auth.user_id.clone();
    let key = format!("mfa:{user_id}");
    let verdict = state
        .storage
        .run(move |c| rate_limits::hit(c, &key, ATTEMPTS, ATTEMPT_WINDOW_MS, now))
        .await?;
    if verdict != Verdict::Allowed {
        let message = "mfa-too-many";
        return page(
            &state,
            interaction,
            StatusCode::TOO_MANY_REQUESTS,
            Some(message),
        )
        .await;
    }
    if let Some(secret) = enrollment(&interaction) {
        return match mfa::enroll(&state.storage, &user_id, &secret, form.code.expose(), now).await?
        {
            Enrollment::Enrolled(codes) => {
                save_step(&state, &interaction, &Step::Enrolled { proven }).await?;
                Ok(render(
                    StatusCode::OK,
                    &BackupCodesPage {
                        tr: Tr(interaction.locale),
                        uid: &interaction.uid,
                        csrf: &interaction.csrf,
                        codes: &codes,
                    },
                ))
            }
            Enrollment::WrongCode => {
                page(
                    &state,
                    interaction,
                    StatusCode::BAD_REQUEST,
                    Some("mfa-wrong-new-code"),
                )
                .await
            }
            Enrollment::AlreadyEnrolled => {
                // Enrolled meanwhile (another sign-in): this secret is dropped, never stored;
                // the page now asks for a code from the authenticator already set up.
                let step = Step::SecondFactor {
                    proven,
                    enrollment: None,
                };
                save_step(&state, &interaction, &step).await?;
                let interaction = Interaction {
                    step,
                    ..interaction
                };
                page(
                    &state,
                    interaction,
                    StatusCode::CONFLICT,
                    Some("mfa-already-enrolled"),
                )
                .await
            }
        };
    }
    if !mfa::verify(&state.storage, &user_id, form.code.expose(), now).await? {
        return page(
            &state,
            interaction,
            StatusCode::UNAUTHORIZED,
            Some("mfa-wrong-code"),
        )
        .await;
    }
    finish_with_second_factor(&req, &state, interaction, proven, now).await
}

#[derive(Deserialize)]
pub struct ContinueForm {
    #[serde(default)]
    pub(super) csrf: String,
}

/// `POST /interaction/{uid}/mfa/continue`: after the backup codes were shown.
pub async fn continue_after_enrollment(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<ContinueForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    interaction.check_csrf(&form.csrf)?;
    let Step::Enrolled { proven } = interaction.step.clone() else {
        return Err(PageError::refused(
            "invalid_request",
            "error-second-factor-first",
        ));
    };
    finish_with_second_factor(&req, &state, interaction, proven, now).await
}

async fn finish_with_second_factor(
    req: &HttpRequest,
    state: &AppState,
    interaction: Interaction,
    mut proven: Proven,
    now: i64,
) -> Result<HttpResponse, PageError> {
    proven.auth.add(Amr::TOTP);
    proven.auth.add(Amr::Mfa);
    complete(req, state, Flow::Hosted(interaction), proven, now).await
}
