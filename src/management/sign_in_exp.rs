//! `/api/sign-in-exp`: what sign-up and sign-in require. Flows read it from the database each
//! time, so a change applies at once on every instance.

use actix_web::{HttpResponse, get, patch, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::Caller;
use super::body::{self, de};
use crate::error::ApiError;
use crate::identity::{MfaPolicy, SignInExperience};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_one).service(update);
}

const TAG: &str = "Sign-in experience";

/// The bounds of `passwordPolicy.minLength`.
const MIN_LENGTH: std::ops::RangeInclusive<u64> = 1..=256;

/// When a second factor is asked: never, of users who enrolled one, or of everyone.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum Policy {
    Off,
    User,
    Mandatory,
}

impl From<MfaPolicy> for Policy {
    fn from(policy: MfaPolicy) -> Self {
        match policy {
            MfaPolicy::Off => Self::Off,
            MfaPolicy::User => Self::User,
            MfaPolicy::Mandatory => Self::Mandatory,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct SignUpView {
    /// Whether the hosted registration page is open to everyone (magic links always register).
    enabled: bool,
    require_password: bool,
    require_name: bool,
    /// Public registration mails a 6-digit code, and the account exists only once it is
    /// typed; registering an address that has an account mails its owner a notice instead,
    /// on the same page. `true` by default.
    verify_email: bool,
}

#[derive(Serialize, ToSchema)]
struct MfaView {
    policy: Policy,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct PasswordPolicyView {
    #[schema(minimum = 1, maximum = 256)]
    min_length: usize,
    /// Refuse the most common breached passwords.
    reject_breached: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct MagicLinkView {
    /// Opening a magic link shows "Continue to <app> as <email>", and only its button spends
    /// the token: mail scanners that fetch every link, and an attacker's link opened by a
    /// victim (login CSRF), spend nothing. `false` (the default): one click signs in.
    require_confirmation: bool,
    /// The hosted sign-in page offers "Email me a sign-in link": a mail with a link (one
    /// click in the browser that asked) and a 6-digit code (typed there when the link is
    /// opened elsewhere). `true` by default; `false` hides it and its routes refuse.
    hosted_sign_in: bool,
}

/// What sign-up and sign-in require.
#[derive(Serialize, ToSchema)]
#[schema(as = SignInExperience)]
#[serde(rename_all = "camelCase")]
struct ExperienceView {
    sign_up: SignUpView,
    mfa: MfaView,
    password_policy: PasswordPolicyView,
    magic_link: MagicLinkView,
}

impl From<&SignInExperience> for ExperienceView {
    fn from(exp: &SignInExperience) -> Self {
        Self {
            sign_up: SignUpView {
                enabled: exp.sign_up.enabled,
                require_password: exp.sign_up.require_password,
                require_name: exp.sign_up.require_name,
                verify_email: exp.sign_up.verify_email,
            },
            mfa: MfaView {
                policy: exp.mfa.policy.into(),
            },
            password_policy: PasswordPolicyView {
                min_length: exp.password_policy.min_length,
                reject_breached: exp.password_policy.reject_breached,
            },
            magic_link: MagicLinkView {
                require_confirmation: exp.magic_link.require_confirmation,
                hosted_sign_in: exp.magic_link.hosted_sign_in,
            },
        }
    }
}

#[derive(Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignUpPatch {
    #[serde(default, deserialize_with = "de::some_flag")]
    enabled: Option<bool>,
    #[serde(default, deserialize_with = "de::some_flag")]
    require_password: Option<bool>,
    #[serde(default, deserialize_with = "de::some_flag")]
    require_name: Option<bool>,
    #[serde(default, deserialize_with = "de::some_flag")]
    verify_email: Option<bool>,
}

#[derive(Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct MfaPatch {
    #[serde(default, deserialize_with = "mfa_policy")]
    #[schema(value_type = Option<Policy>)]
    policy: Option<MfaPolicy>,
}

fn mfa_policy<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<MfaPolicy>, D::Error> {
    match Value::deserialize(d)?.as_str() {
        Some("off") => Ok(Some(MfaPolicy::Off)),
        Some("user") => Ok(Some(MfaPolicy::User)),
        Some("mandatory") => Ok(Some(MfaPolicy::Mandatory)),
        _ => Err(serde::de::Error::custom(
            "must be one of off, user, mandatory",
        )),
    }
}

#[derive(Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PasswordPolicyPatch {
    #[serde(default, deserialize_with = "min_length")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 256)]
    min_length: Option<usize>,
    #[serde(default, deserialize_with = "de::some_flag")]
    reject_breached: Option<bool>,
}

fn min_length<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    Value::deserialize(d)?
        .as_u64()
        .filter(|n| MIN_LENGTH.contains(n))
        .and_then(|n| usize::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom("must be an integer from 1 to 256"))
}

#[derive(Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MagicLinkPatch {
    #[serde(default, deserialize_with = "de::some_flag")]
    require_confirmation: Option<bool>,
    #[serde(default, deserialize_with = "de::some_flag")]
    hosted_sign_in: Option<bool>,
}

/// Any subset of the sign-in experience's fields, nested; the others stay.
#[derive(Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"passwordPolicy": {"minLength": 10}}))]
pub(super) struct ExperiencePatch {
    #[serde(default, deserialize_with = "de::section")]
    sign_up: Option<SignUpPatch>,
    #[serde(default, deserialize_with = "de::section")]
    mfa: Option<MfaPatch>,
    #[serde(default, deserialize_with = "de::section")]
    password_policy: Option<PasswordPolicyPatch>,
    #[serde(default, deserialize_with = "de::section")]
    magic_link: Option<MagicLinkPatch>,
}

/// Applies a partial sign-in experience to `exp`.
pub(super) fn merge(mut exp: SignInExperience, patch: ExperiencePatch) -> SignInExperience {
    let sign_up = patch.sign_up.unwrap_or_default();
    let mfa = patch.mfa.unwrap_or_default();
    let password_policy = patch.password_policy.unwrap_or_default();
    let magic_link = patch.magic_link.unwrap_or_default();
    let s = &mut exp.sign_up;
    s.enabled = sign_up.enabled.unwrap_or(s.enabled);
    s.require_password = sign_up.require_password.unwrap_or(s.require_password);
    s.require_name = sign_up.require_name.unwrap_or(s.require_name);
    s.verify_email = sign_up.verify_email.unwrap_or(s.verify_email);
    exp.mfa.policy = mfa.policy.unwrap_or(exp.mfa.policy);
    let p = &mut exp.password_policy;
    p.min_length = password_policy.min_length.unwrap_or(p.min_length);
    p.reject_breached = password_policy.reject_breached.unwrap_or(p.reject_breached);
    let m = &mut exp.magic_link;
    m.require_confirmation = magic_link
        .require_confirmation
        .unwrap_or(m.require_confirmation);
    m.hosted_sign_in = magic_link.hosted_sign_in.unwrap_or(m.hosted_sign_in);
    exp
}

/// Get the sign-in experience
#[utoipa::path(
    operation_id = "getSignInExperience",
    tag = TAG,
    responses((status = 200, description = "The sign-in experience in force.",
               body = ExperienceView)),
)]
#[get("/sign-in-exp")]
async fn get_one(_caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let exp = SignInExperience::load(&state.storage, &state.settings).await?;
    Ok(HttpResponse::Ok().json(ExperienceView::from(&exp)))
}

/// Change the sign-in experience
///
/// Merges the given fields into the experience in force and saves the result. Two concurrent
/// changes of different fields: the later one wins for the whole document.
#[utoipa::path(
    operation_id = "updateSignInExperience",
    tag = TAG,
    request_body = ExperiencePatch,
    responses((status = 200, description = "The sign-in experience now in force.",
               body = ExperienceView)),
)]
#[patch("/sign-in-exp")]
async fn update(
    _caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let patch: ExperiencePatch = body::parse(&body)?;
    let current = SignInExperience::load(&state.storage, &state.settings).await?;
    let exp = merge(current, patch);
    exp.save(&state.storage, state.clock.now_ms()).await?;
    Ok(HttpResponse::Ok().json(ExperienceView::from(&exp)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::Settings;

    fn patch(exp: &SignInExperience, value: Value) -> Result<SignInExperience, String> {
        let patch = body::parse(value.to_string().as_bytes()).map_err(|e| e.message)?;
        Ok(merge(exp.clone(), patch))
    }

    #[test]
    fn merges_only_the_given_fields() {
        let before = SignInExperience::defaults(&Settings::default());
        let after = patch(
            &before,
            json!({"signUp": {"enabled": false}, "passwordPolicy": {"minLength": 12},
                   "magicLink": {"requireConfirmation": true, "hostedSignIn": false}}),
        )
        .expect("valid");
        let mut expected = before.clone();
        expected.sign_up.enabled = false;
        expected.password_policy.min_length = 12;
        expected.magic_link.require_confirmation = true;
        expected.magic_link.hosted_sign_in = false;
        assert_eq!(after, expected);
        assert_eq!(patch(&before, json!({})), Ok(before));
    }

    #[test]
    fn names_what_is_wrong() {
        let exp = SignInExperience::defaults(&Settings::default());
        for (body, field) in [
            (json!({"signUp": {"enabled": "no"}}), "signUp.enabled"),
            (json!({"signUp": {"open": true}}), "signUp.open"),
            (json!({"signUp": true}), "signUp"),
            (json!({"signUp": null}), "signUp"),
            (json!({"mfa": {"policy": "always"}}), "mfa.policy"),
            (json!({"mfa": {"policy": null}}), "mfa.policy"),
            (
                json!({"passwordPolicy": {"minLength": 0}}),
                "passwordPolicy.minLength",
            ),
            (
                json!({"passwordPolicy": {"minLength": 257}}),
                "passwordPolicy.minLength",
            ),
            (
                json!({"passwordPolicy": {"minLength": 8.5}}),
                "passwordPolicy.minLength",
            ),
            (
                json!({"magicLink": {"requireConfirmation": "yes"}}),
                "magicLink.requireConfirmation",
            ),
            (json!({"magicLink": {"confirm": true}}), "magicLink.confirm"),
            (
                json!({"magicLink": {"hostedSignIn": 1}}),
                "magicLink.hostedSignIn",
            ),
            (json!({"colors": {}}), "colors"),
        ] {
            let message = patch(&exp, body.clone()).expect_err(&body.to_string());
            assert!(
                message.starts_with(&format!("{field}:")),
                "{body}: {message}"
            );
        }
    }
}
