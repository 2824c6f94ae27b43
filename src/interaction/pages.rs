//! The hosted sign-in and registration pages: plain HTML forms, no JavaScript needed.

use std::net::IpAddr;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{
    Flow, Interaction, Proven, Step, authenticated, authenticated_as, load, magic_link, mfa,
};
use crate::config::Settings;
use crate::crypto::{Admission, Secret};
use crate::error::PageError;
use crate::i18n::{self, Locale, Tr};
use crate::identity::users;
use crate::identity::{Email, NewUser, SignInExperience, User, UserError};
use crate::oidc::session::{Amr, Authentication};
use crate::one_time_token::{ConsumedLink, SignUpRequirements, requirements};
use crate::pages::render;
use crate::state::AppState;
use crate::storage::Storage;
use crate::storage::rate_limits::{self, Verdict};
use crate::storage::users::find_user_by_email;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    tr: Tr,
    uid: &'a str,
    csrf: &'a str,
    app_name: &'a str,
    email: &'a str,
    error: Option<String>,
    sign_up_enabled: bool,
    /// "Email me a sign-in link" (`magicLink.hostedSignIn`).
    hosted_sign_in: bool,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    tr: Tr,
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

async fn app_name(
    state: &AppState,
    interaction: &Interaction,
    now: i64,
) -> Result<String, PageError> {
    Ok(state
        .clients
        .get(&state.storage, &interaction.request.client_id, now)
        .await?
        .map(|a| a.name.clone())
        .unwrap_or_default())
}

pub(super) async fn show_sign_in(
    state: &AppState,
    interaction: &Interaction,
    status: StatusCode,
    email: &str,
    error: Option<&'static str>,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let app_name = app_name(state, interaction, now).await?;
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    let locale = interaction.locale;
    Ok(render(
        status,
        &SignInPage {
            tr: Tr(locale),
            uid: &interaction.uid,
            csrf: &interaction.csrf,
            app_name: &app_name,
            email,
            error: error.map(|key| i18n::t(locale, key)),
            sign_up_enabled: experience.sign_up.enabled,
            hosted_sign_in: super::hosted::offered(&experience),
        },
    ))
}

/// `GET /interaction/{uid}`: the page of the step this interaction is at.
pub async fn current_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    match &interaction.step {
        Step::SecondFactor { .. } | Step::Enrolled { .. } => {
            mfa::page(&state, interaction, StatusCode::OK, None).await
        }
        Step::SwitchAccount { link } => {
            let app_name = app_name(&state, &interaction, now).await?;
            magic_link::switch_page(&req, &state, &interaction, link, &app_name, now).await
        }
        Step::ConfirmLink { link } => {
            let app_name = app_name(&state, &interaction, now).await?;
            Ok(magic_link::confirm_page(&interaction, link, &app_name))
        }
        Step::Register { email, .. } => {
            show_register(
                &state,
                &interaction,
                StatusCode::OK,
                email.as_str(),
                "",
                None,
                now,
            )
            .await
        }
        Step::SignIn => {
            let hint = interaction.request.login_hint.clone().unwrap_or_default();
            show_sign_in(&state, &interaction, StatusCode::OK, &hint, None, now).await
        }
    }
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub(super) csrf: String,
    pub(super) email: String,
    password: Secret,
}

const WRONG: Option<&str> = Some("sign-in-wrong");

/// The counters a password sign-in is held to: per account, per client address. Every attempt
/// is counted before its password is verified, in one atomic upsert, so attempts fired in
/// parallel (or at several instances) cannot all pass a check none of them has counted yet:
/// at most the limit's number of passwords are verified per window.
struct SignInLimits {
    account_key: String,
    ip_key: String,
    account_limit: i32,
    ip_limit: i32,
    window_ms: i64,
}

impl SignInLimits {
    /// Keys built only from a validated, normalised address and a parsed IP.
    fn new(ip: Option<IpAddr>, settings: &Settings, email: &Email) -> Self {
        Self {
            account_key: format!("sign-in:account:{}", email.normalized()),
            ip_key: format!("sign-in:ip:{}", rate_limits::address(ip)),
            account_limit: settings.sign_in_failures_per_account,
            ip_limit: settings.sign_in_failures_per_ip,
            window_ms: settings.sign_in_failure_window().num_milliseconds(),
        }
    }

    /// Counts this attempt against both limits: `Limited` when it is one too many.
    async fn count_attempt(&self, storage: &Storage, now: i64) -> Result<Verdict, PageError> {
        let counted = vec![
            (self.account_key.clone(), self.account_limit),
            (self.ip_key.clone(), self.ip_limit),
        ];
        let window = self.window_ms;
        Ok(storage
            .run(move |c| rate_limits::hit_all(c, &counted, window, now))
            .await?)
    }

    /// The right password: the account starts over, and the address had no failure.
    async fn succeeded(self, storage: &Storage) -> Result<(), PageError> {
        Ok(storage
            .run(move |c| {
                rate_limits::reset(c, &self.account_key)?;
                rate_limits::refund(c, &[self.ip_key])
            })
            .await?)
    }

    /// No password was verified after all (the server was busy): the attempt is not counted.
    async fn not_made(self, storage: &Storage) -> Result<(), PageError> {
        Ok(storage
            .run(move |c| rate_limits::refund(c, &[self.account_key, self.ip_key]))
            .await?)
    }
}

/// The account whose password this is, if any. The password threads verify it (a dummy hash,
/// as long, for an unknown email or an account without a password); when they are all busy
/// and the line is full, the 503 page.
async fn check_password(
    state: &AppState,
    email: &Email,
    password: Secret,
) -> Result<Option<User>, PageError> {
    let lookup = email.as_str().to_owned();
    let user = state
        .storage
        .run(move |c| find_user_by_email(c, &lookup))
        .await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = state
        .passwords
        .verify(password, hash, Admission::RefuseWhenFull)
        .await?;
    Ok(user.filter(|_| matches))
}

/// What was typed into the email field, as shown back in the form.
pub(super) fn typed_email(form_email: &str) -> &str {
    let typed = form_email.trim();
    match typed.char_indices().nth(MAX_TYPED_EMAIL_CHARS) {
        Some((cut, _)) => &typed[..cut],
        None => typed,
    }
}

/// Longer than any valid address (254); anything longer is not echoed whole.
const MAX_TYPED_EMAIL_CHARS: usize = 320;

/// `POST /interaction/{uid}/sign-in`: email and password.
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
    let typed = typed_email(&form.email);
    let wrong = StatusCode::UNAUTHORIZED;
    // No account has an invalid address: the usual answer, with nothing counted or verified.
    let Ok(email) = Email::parse(typed) else {
        return show_sign_in(&state, &interaction, wrong, typed, WRONG, now).await;
    };
    let limits = SignInLimits::new(state.client_ip(&req), &state.settings, &email);
    if limits.count_attempt(&state.storage, now).await? != Verdict::Allowed {
        return show_sign_in(
            &state,
            &interaction,
            StatusCode::TOO_MANY_REQUESTS,
            typed,
            Some("sign-in-too-many"),
            now,
        )
        .await;
    }
    let user = match check_password(&state, &email, form.password).await {
        Ok(Some(user)) => user,
        Ok(None) => return show_sign_in(&state, &interaction, wrong, typed, WRONG, now).await,
        Err(e) => {
            limits.not_made(&state.storage).await?;
            return Err(e);
        }
    };
    limits.succeeded(&state.storage).await?;
    let proven = Proven {
        auth: Authentication::by(user.id, Amr::PASSWORD, now),
        provision: None,
    };
    authenticated(&req, &state, Flow::Hosted(interaction), proven, now).await
}

pub(super) fn sign_up_closed() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        "sign_up_disabled",
        "error-sign-up-closed-title",
        "error-sign-up-closed",
    )
    .with_next_step("error-next-invitation")
}

pub async fn register_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = load(&req, &state, &uid, now).await?;
    if let Step::Register { email, .. } = &interaction.step {
        let email = email.as_str().to_owned();
        return show_register(&state, &interaction, StatusCode::OK, &email, "", None, now).await;
    }
    if !SignInExperience::load(&state.storage, &state.settings)
        .await?
        .sign_up
        .enabled
    {
        return Err(sign_up_closed());
    }
    let hint = interaction.request.login_hint.clone().unwrap_or_default();
    show_register(&state, &interaction, StatusCode::OK, &hint, "", None, now).await
}

pub(super) async fn show_register(
    state: &AppState,
    interaction: &Interaction,
    status: StatusCode,
    email: &str,
    name: &str,
    error: Option<&str>,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let app_name = app_name(state, interaction, now).await?;
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    let (by_link, needs) = match &interaction.step {
        Step::Register { needs, .. } => (true, *needs),
        _ => (false, requirements(&experience)),
    };
    Ok(render(
        status,
        &RegisterPage {
            tr: Tr(interaction.locale),
            uid: &interaction.uid,
            csrf: &interaction.csrf,
            app_name: &app_name,
            email,
            name,
            error,
            password_min_length: experience.password_policy.min_length,
            email_locked: by_link,
            ask_password: !by_link || needs.password,
            ask_name: !by_link || needs.name,
            name_required: needs.name,
        },
    ))
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) password: Secret,
    #[serde(default)]
    pub(super) name: String,
}

impl RegisterForm {
    /// The name when given (required if `needs.name`), the password when `ask_password`
    /// (held to the `experience`'s policy); or what to tell the person, in `locale`.
    pub(super) fn fields(
        &self,
        experience: &SignInExperience,
        needs: SignUpRequirements,
        ask_password: bool,
        locale: Locale,
    ) -> Result<(Option<String>, Option<Secret>), String> {
        let name = Some(self.name.trim().to_owned()).filter(|n| !n.is_empty());
        if needs.name && name.is_none() {
            return Err(i18n::t(locale, "register-name-required"));
        }
        let password = ask_password.then(|| self.password.clone());
        if let Some(p) = &password {
            experience
                .check_password(p.expose())
                .map_err(|problem| problem.in_words(locale))?;
        }
        Ok((name, password))
    }
}

/// `POST /interaction/{uid}/register`: finishes a link's registration, or registers anyone
/// when public sign-up is open.
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
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    let registration = Registration {
        req: &req,
        state: &state,
        experience: &experience,
        form,
        now,
    };
    match interaction.step.clone() {
        Step::Register {
            email,
            provision,
            needs,
        } => {
            let link = ConsumedLink {
                email,
                context: provision,
            };
            registration.by_link(interaction, link, needs).await
        }
        _ if !experience.sign_up.enabled => Err(sign_up_closed()),
        _ => registration.open(interaction).await,
    }
}

/// A registration form being handled.
struct Registration<'a> {
    req: &'a HttpRequest,
    state: &'a AppState,
    experience: &'a SignInExperience,
    form: RegisterForm,
    now: i64,
}

impl Registration<'_> {
    /// [`RegisterForm::fields`] under the sign-in experience in force.
    fn fields(
        &self,
        needs: SignUpRequirements,
        ask_password: bool,
        locale: Locale,
    ) -> Result<(Option<String>, Option<Secret>), String> {
        self.form
            .fields(self.experience, needs, ask_password, locale)
    }

    /// The form again, with what is wrong.
    async fn refuse(
        &self,
        interaction: &Interaction,
        email: &str,
        message: &str,
    ) -> Result<HttpResponse, PageError> {
        let status = StatusCode::BAD_REQUEST;
        let name = &self.form.name;
        let now = self.now;
        show_register(
            self.state,
            interaction,
            status,
            email,
            name,
            Some(message),
            now,
        )
        .await
    }

    /// The link proved the email: ask only what the settings need, then sign in by the link.
    async fn by_link(
        self,
        interaction: Interaction,
        link: ConsumedLink,
        needs: SignUpRequirements,
    ) -> Result<HttpResponse, PageError> {
        let (name, password) = match self.fields(needs, needs.password, interaction.locale) {
            Ok(fields) => fields,
            Err(m) => return self.refuse(&interaction, link.email.as_str(), &m).await,
        };
        let user = magic_link::register_verified(self.state, &link.email, password, name, self.now)
            .await?;
        let proven = Proven {
            auth: Authentication::by(user.id.clone(), Amr::LINK, self.now),
            provision: Some(link.context),
        };
        let flow = Flow::Hosted(interaction);
        let (req, state, experience) = (self.req, self.state, self.experience);
        authenticated_as(req, state, flow, proven, &user, experience, self.now).await
    }

    /// Public sign-up: email, password and what the settings require; the email is not
    /// verified.
    async fn open(self, interaction: Interaction) -> Result<HttpResponse, PageError> {
        let typed = self.form.email.clone();
        let locale = interaction.locale;
        let (name, password) = match self.fields(requirements(self.experience), true, locale) {
            Ok(fields) => fields,
            Err(m) => return self.refuse(&interaction, &typed, &m).await,
        };
        let Ok(email) = Email::parse(&typed) else {
            let invalid = i18n::t(locale, "register-invalid-email");
            return self.refuse(&interaction, &typed, &invalid).await;
        };
        // Counted before the password is hashed: one address cannot create accounts (and
        // argon2 work) without end.
        let limit = SignUpLimit::new(self.state.client_ip(self.req), &self.state.settings);
        if limit.count(&self.state.storage, self.now).await? != Verdict::Allowed {
            let (status, name, now) = (StatusCode::TOO_MANY_REQUESTS, &self.form.name, self.now);
            let message = i18n::t(locale, "register-too-many");
            let message = Some(message.as_str());
            return show_register(self.state, &interaction, status, &typed, name, message, now)
                .await;
        }
        if self.experience.sign_up.verify_email {
            return self
                .verified(interaction, email, name, password, limit)
                .await;
        }
        let new = NewUser {
            email,
            password,
            name,
            email_verified: false,
            locale: None,
        };
        let (storage, passwords) = (&self.state.storage, &self.state.passwords);
        let admission = Admission::RefuseWhenFull;
        let user = match users::create_user(storage, passwords, admission, new, self.now).await {
            Ok(user) => user,
            Err(UserError::EmailTaken) => {
                let taken = i18n::t(locale, "register-email-taken");
                return self.refuse(&interaction, &typed, &taken).await;
            }
            Err(UserError::Hashing(e)) => {
                limit.not_made(storage).await?;
                return Err(e.into());
            }
            Err(UserError::Storage(e)) => return Err(e.into()),
            Err(e) => {
                tracing::error!(error = %e, "registration failed");
                return Err(PageError::internal());
            }
        };
        let proven = Proven {
            auth: Authentication::by(user.id.clone(), Amr::PASSWORD, self.now),
            provision: None,
        };
        let flow = Flow::Hosted(interaction);
        let (req, state, experience) = (self.req, self.state, self.experience);
        authenticated_as(req, state, flow, proven, &user, experience, self.now).await
    }
}

impl Registration<'_> {
    /// `signUp.verifyEmail`: within the mail limits, the password hashed, then the code (or
    /// the notice) mailed and the code page; no account yet.
    async fn verified(
        self,
        interaction: Interaction,
        email: Email,
        name: Option<String>,
        password: Option<Secret>,
        limit: SignUpLimit,
    ) -> Result<HttpResponse, PageError> {
        let (state, now) = (self.state, self.now);
        let ip = state.client_ip(self.req);
        if super::sign_up::count_mail(state, ip, "signup", &email, now).await? != Verdict::Allowed {
            let message = i18n::t(interaction.locale, "signup-too-many");
            let (status, typed, name) = (StatusCode::TOO_MANY_REQUESTS, email.as_str(), "");
            return show_register(
                state,
                &interaction,
                status,
                typed,
                name,
                Some(&message),
                now,
            )
            .await;
        }
        let password = password.unwrap_or_default();
        let hash = match state
            .passwords
            .hash(password, Admission::RefuseWhenFull)
            .await
        {
            Ok(Some(hash)) => hash,
            Ok(None) => return Err(PageError::internal()),
            Err(e) => {
                limit.not_made(&state.storage).await?;
                return Err(e.into());
            }
        };
        super::sign_up::start(state, &interaction, email, name, hash, now).await
    }
}

/// Registrations on the hosted page per client address, per hour.
struct SignUpLimit {
    key: String,
    limit: i32,
}

const SIGN_UP_WINDOW_MS: i64 = 3_600_000;

impl SignUpLimit {
    fn new(ip: Option<IpAddr>, settings: &Settings) -> Self {
        Self {
            key: format!("sign-up:ip:{}", rate_limits::address(ip)),
            limit: settings.sign_ups_per_ip_per_hour,
        }
    }

    async fn count(&self, storage: &Storage, now: i64) -> Result<Verdict, PageError> {
        let (key, limit) = (self.key.clone(), self.limit);
        Ok(storage
            .run(move |c| rate_limits::hit(c, &key, limit, SIGN_UP_WINDOW_MS, now))
            .await?)
    }

    /// The server was too busy to hash the password: no account, nothing counted.
    async fn not_made(self, storage: &Storage) -> Result<(), PageError> {
        Ok(storage
            .run(move |c| rate_limits::refund(c, &[self.key]))
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_email_is_shown_back_trimmed_and_capped() {
        assert_eq!(typed_email("  ada@example.com "), "ada@example.com");
        let long = "é".repeat(1000);
        assert_eq!(typed_email(&long).chars().count(), MAX_TYPED_EMAIL_CHARS);
    }
}
