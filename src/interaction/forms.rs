//! The hosted pages' forms by name, for the fuzz target `hosted_forms` (fuzz/): a body is read
//! as its handler's `web::Form` reads it (`serde_urlencoded` over the UTF-8 body) and put
//! through the checks its handler runs before it touches the database.

use actix_web::error::UrlencodedError;
use serde::de::DeserializeOwned;

use super::magic_link::{ConfirmForm, SwitchForm};
use super::mfa::{CodeForm, ContinueForm};
use super::pages::{RegisterForm, SignInForm, typed_email};
use super::unreadable_form;
use crate::config::Settings;
use crate::error::PageError;
use crate::i18n::{self, Locale};
use crate::identity::{Email, SignInExperience, mfa};
use crate::one_time_token::SignUpRequirements;

/// A form of the hosted pages (the `POST /interaction/{uid}/...` it is sent to).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostedForm {
    /// `sign-in`: email and password.
    SignIn,
    /// `register`: email, password, name.
    Register,
    /// `mfa`: a TOTP or backup code.
    Mfa,
    /// `mfa/continue`, after the backup codes were shown.
    MfaContinue,
    /// `switch`: continue as the link's account, or stay.
    Switch,
    /// `confirm`: spend the magic link.
    Confirm,
}

impl HostedForm {
    pub const ALL: [Self; 6] = [
        Self::SignIn,
        Self::Register,
        Self::Mfa,
        Self::MfaContinue,
        Self::Switch,
        Self::Confirm,
    ];

    /// Reads `body` as this form and checks it as its handler does for an interaction whose
    /// CSRF value is `csrf`, up to where the handler goes to the database: `Ok` when it would
    /// go on, else the refusal (the error page, or a stand-in for the form shown again with
    /// what is wrong). `now_secs` is the time a TOTP code is checked at.
    pub fn check(self, body: &[u8], csrf: &str, now_secs: i64) -> Result<(), PageError> {
        match self {
            Self::SignIn => {
                let form: SignInForm = read(body)?;
                PageError::check_csrf(csrf, &form.csrf)?;
                Email::parse(typed_email(&form.email)).map_err(refused)?;
            }
            Self::Register => {
                let form: RegisterForm = read(body)?;
                PageError::check_csrf(csrf, &form.csrf)?;
                let experience = SignInExperience::defaults(&Settings::default());
                let needs = SignUpRequirements {
                    password: true,
                    name: true,
                };
                form.fields(&experience, needs, true, Locale::En)
                    .map_err(refused)?;
                Email::parse(&form.email).map_err(refused)?;
            }
            Self::Mfa => {
                let form: CodeForm = read(body)?;
                PageError::check_csrf(csrf, &form.csrf)?;
                let secret = mfa::new_secret();
                if mfa::matching_step(&secret, form.code.expose().trim(), now_secs).is_none() {
                    return Err(refused(i18n::t(Locale::En, "mfa-wrong-code")));
                }
            }
            Self::MfaContinue => {
                let form: ContinueForm = read(body)?;
                PageError::check_csrf(csrf, &form.csrf)?;
            }
            Self::Switch => {
                let form: SwitchForm = read(body)?;
                PageError::check_csrf(csrf, &form.csrf)?;
            }
            Self::Confirm => {
                let form: ConfirmForm = read(body)?;
                PageError::check_csrf(csrf, &form.csrf)?;
            }
        }
        Ok(())
    }
}

/// What `web::Form` does with a UTF-8 body, and the page its error handler makes of a failure.
fn read<T: DeserializeOwned>(body: &[u8]) -> Result<T, PageError> {
    serde_urlencoded::from_bytes(body).map_err(|e| unreadable_form(UrlencodedError::Parse(e)))
}

/// Stands for the form shown again with what is wrong.
fn refused(message: String) -> PageError {
    PageError::bad_request("invalid_input", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form_is_read_and_checked_as_its_handler_does() {
        let ok = [
            (
                HostedForm::SignIn,
                "csrf=c&email=ada%40example.com&password=x",
            ),
            (
                HostedForm::Register,
                "csrf=c&email=ada%40example.com&password=long+enough&name=Ada",
            ),
            (HostedForm::MfaContinue, "csrf=c"),
            (HostedForm::Switch, "csrf=c&action=back"),
            (HostedForm::Confirm, "csrf=c"),
        ];
        for (form, body) in ok {
            assert!(
                form.check(body.as_bytes(), "c", 0).is_ok(),
                "{form:?} {body}"
            );
        }
        for (form, body) in [
            (HostedForm::SignIn, "csrf=c&email=ada%40example.com"),
            (HostedForm::SignIn, "csrf=other&email=a%40b.io&password=x"),
            (HostedForm::SignIn, "csrf=c&email=nobody&password=x"),
            (
                HostedForm::Register,
                "csrf=c&email=a%40b.io&password=short&name=A",
            ),
            (HostedForm::Mfa, "csrf=c&code=not-a-code"),
            (HostedForm::Switch, "csrf=c&action=sideways"),
            (HostedForm::Confirm, "csrf=c&csrf=d"),
        ] {
            assert!(
                form.check(body.as_bytes(), "c", 0).is_err(),
                "{form:?} {body}"
            );
        }
    }
}
