//! The hosted sign-in and registration pages: plain HTML forms, no JavaScript needed.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Interaction, authenticated, load, magic_link, mfa};
use crate::crypto::password;
use crate::error::PageError;
use crate::identity::users;
use crate::identity::{Email, NewUser, SignInExperience, UserError};
use crate::oidc::session::{Amr, Authentication};
use crate::pages::render;
use crate::state::AppState;
use crate::storage::rate_limits::{self, Verdict};
use crate::storage::users::find_user_by_email;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    uid: &'a str,
    csrf: &'a str,
    app_name: &'a str,
    email: &'a str,
    error: Option<&'a str>,
    sign_up_enabled: bool,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    uid: &'a str,
    csrf: &'a str,
    app_name: &'a str,
    email: &'a str,
    name: &'a str,
    error: Option<&'a str>,
    password_min_length: usize,
    /// The email was proven by a magic link: shown, not asked.
    email_locked: bool,
    ask_password: bool,
    ask_name: bool,
    name_required: bool,
}

async fn app_name(state: &AppState, interaction: &Interaction) -> Result<String, PageError> {
    Ok(state
        .clients
        .get(
            &state.storage,
            &interaction.request.client_id,
            state.clock.now_ms(),
        )
        .await?
        .map(|a| a.name.clone())
        .unwrap_or_default())
}

async fn show_sign_in(
    state: &AppState,
    interaction: &Interaction,
    status: StatusCode,
    email: &str,
    error: Option<&str>,
) -> Result<HttpResponse, PageError> {
    let app_name = app_name(state, interaction).await?;
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    Ok(render(
        status,
        &SignInPage {
            uid: &interaction.uid,
            csrf: &interaction.csrf,
            app_name: &app_name,
            email,
            error,
            sign_up_enabled: experience.sign_up.enabled,
        },
    ))
}

/// `GET /interaction/{uid}`: the page this interaction is at.
pub async fn sign_in_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let interaction = load(&req, &state, &uid, state.clock.now_ms()).await?;
    if interaction.progress.first_factor.is_some() {
        return mfa::page(&state, interaction, StatusCode::OK, None).await;
    }
    if let Some(pending) = &interaction.progress.pending_link {
        let app_name = app_name(&state, &interaction).await?;
        return magic_link::switch_page(&req, &state, &interaction, pending, &app_name).await;
    }
    if let Some(email) = interaction.progress.verified_email.clone() {
        return show_register(&state, &interaction, StatusCode::OK, &email, "", None).await;
    }
    let hint = interaction.request.login_hint.clone().unwrap_or_default();
    show_sign_in(&state, &interaction, StatusCode::OK, &hint, None).await
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    email: String,
    password: String,
}

const WRONG_CREDENTIALS: &str = "The email or password is incorrect.";

pub async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    interaction.check_csrf(&form.csrf)?;
    let form = form.into_inner();
    let email_key = format!("sign-in:account:{}", Email::normalize(&form.email));
    let ip_key = format!(
        "sign-in:ip:{}",
        req.peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default()
    );
    let settings = &state.settings;
    let window_ms = settings.sign_in_failure_window_secs * 1000;
    let (account_limit, ip_limit) = (
        settings.sign_in_failures_per_account,
        settings.sign_in_failures_per_ip,
    );
    let (k1, k2) = (email_key.clone(), ip_key.clone());
    let throttled = state
        .storage
        .run(move |c| {
            let account = rate_limits::check(c, &k1, account_limit, window_ms, now)?;
            let ip = rate_limits::check(c, &k2, ip_limit, window_ms, now)?;
            Ok(account != Verdict::Allowed || ip != Verdict::Allowed)
        })
        .await?;
    if throttled {
        return show_sign_in(
            &state,
            &interaction,
            StatusCode::TOO_MANY_REQUESTS,
            &form.email,
            Some("Too many failed attempts. Wait a few minutes before trying again."),
        )
        .await;
    }

    let email = form.email.trim().to_owned();
    let lookup = email.clone();
    let user = state
        .storage
        .run(move |c| find_user_by_email(c, &lookup))
        .await?;
    let password = form.password;
    let verified = web::block(move || match user {
        Some(user) => {
            let ok = user
                .password_hash
                .as_deref()
                .is_some_and(|hash| password::verify_password(&password, hash));
            ok.then_some(user)
        }
        None => {
            password::verify_dummy(&password);
            None
        }
    })
    .await
    .map_err(|_| PageError::internal())?;

    let Some(user) = verified else {
        state
            .storage
            .run(move |c| {
                rate_limits::hit(c, &email_key, account_limit, window_ms, now)?;
                rate_limits::hit(c, &ip_key, ip_limit, window_ms, now)?;
                Ok(())
            })
            .await?;
        return show_sign_in(
            &state,
            &interaction,
            StatusCode::UNAUTHORIZED,
            &email,
            Some(WRONG_CREDENTIALS),
        )
        .await;
    };
    state
        .storage
        .run(move |c| rate_limits::reset(c, &email_key))
        .await?;
    let auth = Authentication::by(user.id, Amr::PASSWORD, now);
    let request = interaction.request.clone();
    authenticated(&req, &state, &request, Some(interaction), auth, None, now).await
}

fn sign_up_closed() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        "sign_up_disabled",
        "Registration is closed",
        "New accounts cannot be created here.",
    )
    .with_next_step("Ask the application's team for an invitation.")
}

pub async fn register_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let interaction = load(&req, &state, &uid, state.clock.now_ms()).await?;
    if let Some(email) = interaction.progress.verified_email.clone() {
        return show_register(&state, &interaction, StatusCode::OK, &email, "", None).await;
    }
    if !SignInExperience::load(&state.storage, &state.settings)
        .await?
        .sign_up
        .enabled
    {
        return Err(sign_up_closed());
    }
    let hint = interaction.request.login_hint.clone().unwrap_or_default();
    show_register(&state, &interaction, StatusCode::OK, &hint, "", None).await
}

async fn show_register(
    state: &AppState,
    interaction: &Interaction,
    status: StatusCode,
    email: &str,
    name: &str,
    error: Option<&str>,
) -> Result<HttpResponse, PageError> {
    let app_name = app_name(state, interaction).await?;
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    let by_link = interaction.progress.verified_email.is_some();
    let required = magic_link::requirements(&experience);
    Ok(render(
        status,
        &RegisterPage {
            uid: &interaction.uid,
            csrf: &interaction.csrf,
            app_name: &app_name,
            email,
            name,
            error,
            password_min_length: experience.password_policy.min_length,
            email_locked: by_link,
            ask_password: !by_link || required.password,
            ask_name: !by_link || required.name,
            name_required: required.name,
        },
    ))
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    name: String,
}

pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    interaction.check_csrf(&form.csrf)?;
    let form = form.into_inner();
    let by_link = interaction.progress.verified_email.clone();
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    let required = magic_link::requirements(&experience);
    if by_link.is_none() && !experience.sign_up.enabled {
        return Err(sign_up_closed());
    }
    let shown_email = by_link.clone().unwrap_or_else(|| form.email.clone());
    let refuse = |message: String| {
        let (state, interaction, form, shown_email) = (&state, &interaction, &form, &shown_email);
        async move {
            show_register(
                state,
                interaction,
                StatusCode::BAD_REQUEST,
                shown_email,
                &form.name,
                Some(&message),
            )
            .await
        }
    };
    let name = Some(form.name.trim().to_owned()).filter(|n| !n.is_empty());
    if required.name && name.is_none() {
        return refuse("Enter your full name.".into()).await;
    }
    let password = (by_link.is_none() || required.password).then(|| form.password.clone());
    if let Some(p) = &password
        && let Err(e) = experience.check_password(p)
    {
        return refuse(e).await;
    }
    if let Some(email) = by_link {
        let user = magic_link::register_verified(&state, &email, password, name, now).await?;
        let (request, provision) = (
            interaction.request.clone(),
            interaction.progress.provision.clone(),
        );
        let auth = magic_link::link_auth(user.id, now);
        return authenticated(
            &req,
            &state,
            &request,
            Some(interaction),
            auth,
            provision,
            now,
        )
        .await;
    }
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(_) => return refuse("Enter a valid email address.".into()).await,
    };
    let new = NewUser {
        email,
        password,
        name,
        email_verified: false,
    };
    let user = match users::create_user(&state.storage, new, now).await {
        Ok(user) => user,
        Err(UserError::EmailTaken) => {
            return refuse("An account with this email already exists. Sign in instead.".into())
                .await;
        }
        Err(e) => {
            tracing::error!(error = %e, "registration failed");
            return Err(PageError::internal());
        }
    };
    let auth = Authentication::by(user.id, Amr::PASSWORD, now);
    let request = interaction.request.clone();
    authenticated(&req, &state, &request, Some(interaction), auth, None, now).await
}
