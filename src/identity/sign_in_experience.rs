//! What sign-up and sign-in require: registration open or not, the profile asked at sign-up,
//! the MFA policy and the password policy. Defaults come from the configuration until the
//! Management API changes them.

use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::i18n::{self, Locale};
use crate::storage::{
    DbConnection, Storage, StorageError, Unreadable, sign_in_experience as queries,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MfaPolicy {
    /// No second factor is asked.
    Off,
    /// Users who enrolled must verify.
    User,
    /// Every user must enroll before finishing sign-in or registration.
    Mandatory,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignUp {
    /// Whether the hosted registration page is open to everyone (magic links always register).
    pub enabled: bool,
    pub require_password: bool,
    pub require_name: bool,
    /// Public registration mails a code and creates the account only once it is typed
    /// (and an address that has an account gets a notice, never a second account). Absent
    /// from documents stored before it existed: on.
    #[serde(default = "on")]
    pub verify_email: bool,
}

/// The default of settings added after documents were first stored, which are on.
fn on() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mfa {
    pub policy: MfaPolicy,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordPolicy {
    pub min_length: usize,
    /// Refuse passwords from a list of the most common breached passwords.
    pub reject_breached: bool,
}

/// How a magic link is redeemed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MagicLink {
    /// Opening a link shows "Continue to <app> as <email>"; only that page's button spends
    /// the token, so mail scanners that fetch every link (and an attacker's link opened by a
    /// victim) spend nothing. Off: one click signs in.
    pub require_confirmation: bool,
    /// The hosted sign-in page offers "Email me a sign-in link" (a link and a 6-digit code).
    /// Absent from documents stored before it existed: on.
    #[serde(default = "on")]
    pub hosted_sign_in: bool,
}

impl Default for MagicLink {
    fn default() -> Self {
        Self {
            require_confirmation: false,
            hosted_sign_in: true,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignInExperience {
    pub sign_up: SignUp,
    pub mfa: Mfa,
    pub password_policy: PasswordPolicy,
    /// Absent from documents stored before it existed: the default (one click).
    #[serde(default)]
    pub magic_link: MagicLink,
}

/// A few of the most common passwords in breach corpora; enough to refuse the obvious ones
/// without a network call.
const BREACHED: &[&str] = &[
    "123456",
    "123456789",
    "12345678",
    "password",
    "qwerty123",
    "qwerty",
    "1234567890",
    "111111",
    "1234567",
    "password1",
    "123123",
    "abc123",
    "iloveyou",
    "000000",
    "qwertyuiop",
    "passw0rd",
    "password123",
    "letmein",
    "welcome",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "admin123",
    "trustno1",
    "superman",
    "1q2w3e4r",
    "zaq12wsx",
    "qazwsx",
    "11111111",
    "00000000",
    "12341234",
    "87654321",
    "asdfghjkl",
];

impl SignInExperience {
    pub fn defaults(settings: &Settings) -> Self {
        Self {
            sign_up: SignUp {
                enabled: settings.sign_up_enabled,
                require_password: settings.sign_up_require_password,
                require_name: settings.sign_up_require_name,
                verify_email: true,
            },
            mfa: Mfa {
                policy: MfaPolicy::Off,
            },
            password_policy: PasswordPolicy {
                min_length: settings.password_min_length,
                reject_breached: false,
            },
            magic_link: MagicLink::default(),
        }
    }

    /// Checks a new password against the policy.
    pub fn check_password(&self, password: &str) -> Result<(), PasswordProblem> {
        let policy = &self.password_policy;
        if password.chars().count() < policy.min_length {
            return Err(PasswordProblem::TooShort {
                min_length: policy.min_length,
            });
        }
        if policy.reject_breached && BREACHED.contains(&password.to_lowercase().as_str()) {
            return Err(PasswordProblem::TooCommon);
        }
        Ok(())
    }

    /// The experience in force: the stored one, or the configured defaults when none was ever
    /// stored. A stored one that cannot be read is an error, never the defaults: those have MFA
    /// off, and a sign-in must not skip the second factor because a row is damaged.
    pub fn load_on(conn: &mut DbConnection, settings: &Settings) -> diesel::QueryResult<Self> {
        match queries::get(conn)? {
            None => Ok(Self::defaults(settings)),
            Some(json) => serde_json::from_str(&json).map_err(|e| {
                Unreadable {
                    what: "sign-in experience",
                    cause: e.to_string(),
                }
                .into()
            }),
        }
    }

    pub async fn load(storage: &Storage, settings: &Settings) -> Result<Self, StorageError> {
        let settings = settings.clone();
        storage.run(move |c| Self::load_on(c, &settings)).await
    }

    pub async fn save(&self, storage: &Storage, now: i64) -> Result<(), StorageError> {
        let json = serde_json::to_string(self).unwrap_or_default();
        storage.run(move |c| queries::put(c, &json, now)).await
    }
}

/// Why a new password is refused; shown to the person in their language, and in English on
/// the Management API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort { min_length: usize },
    TooCommon,
}

impl PasswordProblem {
    pub fn in_words(self, locale: Locale) -> String {
        match self {
            Self::TooShort { min_length } => {
                i18n::t_args(locale, "password-too-short", &[("min", &min_length)])
            }
            Self::TooCommon => i18n::t(locale, "password-too-common"),
        }
    }
}

impl std::fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_words(Locale::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_stored_before_magic_link_settings_keeps_its_fields() {
        let old = r#"{"signUp":{"enabled":false,"requirePassword":true,"requireName":false},
            "mfa":{"policy":"user"},"passwordPolicy":{"minLength":12,"rejectBreached":true}}"#;
        let exp: SignInExperience = serde_json::from_str(old).expect("an older document");
        assert!(!exp.sign_up.enabled);
        assert_eq!(exp.password_policy.min_length, 12);
        assert!(!exp.magic_link.require_confirmation);
        assert!(
            exp.sign_up.verify_email,
            "verified sign-up unless turned off"
        );
        assert!(exp.magic_link.hosted_sign_in, "on unless turned off");
        let before_hosted = r#"{"signUp":{"enabled":true,"requirePassword":false,"requireName":false},
            "mfa":{"policy":"off"},"passwordPolicy":{"minLength":8,"rejectBreached":false},
            "magicLink":{"requireConfirmation":true}}"#;
        let exp: SignInExperience = serde_json::from_str(before_hosted).expect("older");
        assert!(exp.magic_link.require_confirmation && exp.magic_link.hosted_sign_in);
    }

    #[test]
    fn password_policy_checks_length_and_common_passwords() {
        let mut exp = SignInExperience::defaults(&Settings::default());
        assert!(exp.check_password("short").is_err());
        assert!(exp.check_password("password123").is_ok());
        exp.password_policy.reject_breached = true;
        assert!(exp.check_password("Password123").is_err());
        assert!(exp.check_password("a long unusual passphrase").is_ok());
    }
}
