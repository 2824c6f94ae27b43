//! What an authorization request carrying a one-time token leads to: a pure function of the
//! request, the browser's session, the token check and the sign-up settings.

use super::TokenError;
use crate::identity::Email;

/// What registration through a link must still ask for (the email is already proven).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignUpRequirements {
    pub password: bool,
    pub name: bool,
}

impl SignUpRequirements {
    pub fn anything(self) -> bool {
        self.password || self.name
    }
}

pub struct LinkInput<'a> {
    pub prompt_none: bool,
    pub prompt_login: bool,
    /// Email of the user signed in in this browser, if any.
    pub session_email: Option<&'a str>,
    /// The read-only token check for the link's email.
    pub token: Result<(), TokenError>,
    pub link_email: &'a str,
    /// The account registered with the link's email, if any.
    pub account: Option<&'a str>,
    pub requirements: SignUpRequirements,
}

#[derive(Debug, PartialEq, Eq)]
pub enum LinkDecision {
    /// `prompt=none` never consumes a token: handle the request as if it carried none.
    Ignore,
    /// Show the link error page.
    Refuse(TokenError),
    /// Signed in as someone else: ask before touching the token.
    AskToSwitch,
    /// Consume, then sign this account in (MFA still applies).
    SignIn { user_id: String },
    /// Consume, then register the link's email, asking for `requirements` first if any.
    Register { requirements: SignUpRequirements },
}

pub fn decide(input: &LinkInput) -> LinkDecision {
    if input.prompt_none {
        return LinkDecision::Ignore;
    }
    if let Err(e) = input.token {
        return LinkDecision::Refuse(e);
    }
    let other_account = input
        .session_email
        .is_some_and(|e| Email::normalize(e) != Email::normalize(input.link_email));
    if other_account && !input.prompt_login {
        return LinkDecision::AskToSwitch;
    }
    match input.account {
        Some(user_id) => LinkDecision::SignIn {
            user_id: user_id.to_owned(),
        },
        None => LinkDecision::Register {
            requirements: input.requirements,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>() -> LinkInput<'a> {
        LinkInput {
            prompt_none: false,
            prompt_login: false,
            session_email: None,
            token: Ok(()),
            link_email: "b@x.io",
            account: Some("user-b"),
            requirements: SignUpRequirements::default(),
        }
    }

    #[test]
    fn the_decision_table() {
        // 1. prompt=none never consumes.
        assert_eq!(
            decide(&LinkInput {
                prompt_none: true,
                ..input()
            }),
            LinkDecision::Ignore
        );
        // 6. a bad token is refused, whatever the session.
        let bad = LinkInput {
            token: Err(TokenError::Expired),
            session_email: Some("a@x.io"),
            ..input()
        };
        assert_eq!(decide(&bad), LinkDecision::Refuse(TokenError::Expired));
        // 2. no session: registered email signs in, unregistered registers.
        assert_eq!(
            decide(&input()),
            LinkDecision::SignIn {
                user_id: "user-b".into()
            }
        );
        let new = LinkInput {
            account: None,
            requirements: SignUpRequirements {
                password: true,
                name: false,
            },
            ..input()
        };
        assert_eq!(
            decide(&new),
            LinkDecision::Register {
                requirements: SignUpRequirements {
                    password: true,
                    name: false
                }
            }
        );
        // 3. same account (any case): sign in again with the link.
        let same = LinkInput {
            session_email: Some("B@X.io"),
            ..input()
        };
        assert_eq!(
            decide(&same),
            LinkDecision::SignIn {
                user_id: "user-b".into()
            }
        );
        // 4. another account: ask.
        let other = LinkInput {
            session_email: Some("a@x.io"),
            ..input()
        };
        assert_eq!(decide(&other), LinkDecision::AskToSwitch);
        // 5. prompt=login: no question.
        let forced = LinkInput {
            session_email: Some("a@x.io"),
            prompt_login: true,
            ..input()
        };
        assert_eq!(
            decide(&forced),
            LinkDecision::SignIn {
                user_id: "user-b".into()
            }
        );
    }
}
