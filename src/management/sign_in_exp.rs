//! `/api/sign-in-exp`: what sign-up and sign-in require. Flows read it from the database each
//! time, so a change applies at once on every instance.

use actix_web::{HttpResponse, web};
use serde_json::{Map, Value};

use super::{Caller, invalid, json_object, unknown_field};
use crate::error::ApiError;
use crate::identity::{MfaPolicy, SignInExperience};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-in-exp", web::get().to(get))
        .route("/sign-in-exp", web::patch().to(update));
}

/// The bounds of `passwordPolicy.minLength`.
const MIN_LENGTH: std::ops::RangeInclusive<u64> = 1..=256;

fn section<'a>(field: &str, value: &'a Value) -> Result<&'a Map<String, Value>, ApiError> {
    value
        .as_object()
        .ok_or_else(|| invalid(field, "must be an object"))
}

fn boolean(field: &str, value: &Value) -> Result<bool, ApiError> {
    value
        .as_bool()
        .ok_or_else(|| invalid(field, "must be true or false"))
}

/// Applies a partial sign-in experience (any subset of the fields, nested) to `exp`.
fn merge(
    mut exp: SignInExperience,
    patch: &Map<String, Value>,
) -> Result<SignInExperience, ApiError> {
    for (key, value) in patch {
        match key.as_str() {
            "signUp" => {
                for (k, v) in section("signUp", value)? {
                    match k.as_str() {
                        "enabled" => exp.sign_up.enabled = boolean("signUp.enabled", v)?,
                        "requirePassword" => {
                            exp.sign_up.require_password = boolean("signUp.requirePassword", v)?
                        }
                        "requireName" => {
                            exp.sign_up.require_name = boolean("signUp.requireName", v)?
                        }
                        other => return Err(unknown_field(&format!("signUp.{other}"))),
                    }
                }
            }
            "mfa" => {
                for (k, v) in section("mfa", value)? {
                    match k.as_str() {
                        "policy" => {
                            exp.mfa.policy = match v.as_str() {
                                Some("off") => MfaPolicy::Off,
                                Some("user") => MfaPolicy::User,
                                Some("mandatory") => MfaPolicy::Mandatory,
                                _ => {
                                    return Err(invalid(
                                        "mfa.policy",
                                        "must be one of off, user, mandatory",
                                    ));
                                }
                            }
                        }
                        other => return Err(unknown_field(&format!("mfa.{other}"))),
                    }
                }
            }
            "passwordPolicy" => {
                for (k, v) in section("passwordPolicy", value)? {
                    match k.as_str() {
                        "minLength" => {
                            exp.password_policy.min_length = v
                                .as_u64()
                                .filter(|n| MIN_LENGTH.contains(n))
                                .and_then(|n| usize::try_from(n).ok())
                                .ok_or_else(|| {
                                    invalid(
                                        "passwordPolicy.minLength",
                                        "must be an integer from 1 to 256",
                                    )
                                })?
                        }
                        "rejectBreached" => {
                            exp.password_policy.reject_breached =
                                boolean("passwordPolicy.rejectBreached", v)?
                        }
                        other => return Err(unknown_field(&format!("passwordPolicy.{other}"))),
                    }
                }
            }
            other => return Err(unknown_field(other)),
        }
    }
    Ok(exp)
}

pub async fn get(_caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let exp = SignInExperience::load(&state.storage, &state.settings).await?;
    Ok(HttpResponse::Ok().json(exp))
}

/// Merges the given fields into the experience in force and saves the result. Two concurrent
/// changes of different fields: the later one wins for the whole document.
pub async fn update(
    _caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let patch = json_object(&body)?;
    let current = SignInExperience::load(&state.storage, &state.settings).await?;
    let exp = merge(current, &patch)?;
    exp.save(&state.storage, state.clock.now_ms()).await?;
    Ok(HttpResponse::Ok().json(exp))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::Settings;

    fn patch(exp: &SignInExperience, value: Value) -> Result<SignInExperience, String> {
        let map = value.as_object().expect("object").clone();
        merge(exp.clone(), &map).map_err(|e| e.message)
    }

    #[test]
    fn merges_only_the_given_fields() {
        let before = SignInExperience::defaults(&Settings::default());
        let after = patch(
            &before,
            json!({"signUp": {"enabled": false}, "passwordPolicy": {"minLength": 12}}),
        )
        .expect("valid");
        let mut expected = before.clone();
        expected.sign_up.enabled = false;
        expected.password_policy.min_length = 12;
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
            (json!({"mfa": {"policy": "always"}}), "mfa.policy"),
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
