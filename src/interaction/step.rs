//! Where an interaction is: one step at a time, stored as JSON in the interaction's row.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::identity::Email;
use crate::oidc::session::Authentication;
use crate::one_time_token::SignUpRequirements;

/// A link waiting for the switch-account answer or the confirmation: only the token's hash
/// is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLink {
    pub token_hash: String,
    pub email: Email,
}

/// The first factor is proven: who, how, and what the link (if any) is to provision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proven {
    pub auth: Authentication,
    /// A consumed link's context, applied (organizations joined) on completion.
    pub provision: Option<Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The sign-in page (and the ordinary registration page next to it).
    #[default]
    SignIn,
    /// Signed in as someone else: continue as the link's account, or stay?
    SwitchAccount { link: PendingLink },
    /// `magicLink.requireConfirmation`: "continue to <app> as <email>?" before the link is
    /// spent.
    ConfirmLink { link: PendingLink },
    /// A consumed link proved `email`; registration asks for what it still `needs`.
    Register {
        email: Email,
        provision: Value,
        needs: SignUpRequirements,
    },
    /// The second factor is due; `enrollment` holds a TOTP secret being set up (mandatory
    /// MFA for someone who has none yet).
    SecondFactor {
        proven: Proven,
        enrollment: Option<String>,
    },
    /// A second factor was just enrolled: the backup codes are shown, "continue" finishes.
    Enrolled { proven: Proven },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_is_stored_as_tagged_json() {
        let email = Email::parse("b@x.io").expect("email");
        let steps = [
            Step::SignIn,
            Step::SwitchAccount {
                link: PendingLink {
                    token_hash: "h".into(),
                    email: email.clone(),
                },
            },
            Step::ConfirmLink {
                link: PendingLink {
                    token_hash: "h".into(),
                    email: email.clone(),
                },
            },
            Step::Register {
                email,
                provision: serde_json::json!({"jitOrganizationIds": ["o"]}),
                needs: SignUpRequirements {
                    password: true,
                    name: false,
                },
            },
        ];
        for step in steps {
            let json = serde_json::to_string(&step).expect("json");
            assert!(json.starts_with(r#"{"step":""#), "{json}");
            assert_eq!(serde_json::from_str::<Step>(&json).ok(), Some(step));
        }
        assert!(serde_json::from_str::<Step>(r#"{"step":"bogus"}"#).is_err());
    }
}
