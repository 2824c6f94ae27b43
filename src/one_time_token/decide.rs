//! What an authorization request carrying a one-time token leads to: a pure function of the
//! request, the browser's session, the token check and the sign-up settings. Every request
//! with a link goes through it, session or not; the handlers only carry out its answer.

use serde::{Deserialize, Serialize};

use super::TokenError;
use crate::identity::Email;

/// What registration through a link must still ask for (the email is already proven).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpRequirements {
    pub password: bool,
    pub name: bool,
}

impl SignUpRequirements {
    pub fn anything(self) -> bool {
        self.password || self.name
    }
}

/// What the request (or the person) said that bears on a link.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkPrompt {
    /// `prompt=none`.
    pub none: bool,
    /// `prompt` is or contains `login`.
    pub login: bool,
    /// The person answered "continue as the link's account" on a page that named it: the
    /// switch-account page or the confirmation page.
    pub confirmed: bool,
}

/// The account registered with the link's email, as the decision sees it.
pub trait LinkAccount: Clone {
    fn suspended(&self) -> bool;
}

/// `A` is the account registered with the link's email; a sign-in decision hands it back.
pub struct LinkInput<'a, A> {
    pub prompt: LinkPrompt,
    /// Email of the user signed in in this browser, if any.
    pub session_email: Option<&'a Email>,
    /// The token check: the email the token was issued for (the request named it), or why
    /// the token cannot be used.
    pub token: Result<&'a Email, TokenError>,
    pub account: Option<A>,
    pub requirements: SignUpRequirements,
    /// The sign-in experience wants the person to confirm before a link is spent
    /// (`magicLink.requireConfirmation`).
    pub confirmation_required: bool,
}

/// The closed set of next steps.
#[derive(Debug, PartialEq, Eq)]
pub enum LinkDecision<A> {
    /// `prompt=none` never consumes (nor checks) a token: handle the request as if it carried
    /// none.
    Ignore,
    /// Show the link error page.
    Refuse(TokenError),
    /// Signed in as someone else: ask before touching the token.
    AskToSwitch,
    /// The link's account is suspended: nothing is consumed or issued.
    Suspended,
    /// Confirmation is required: show "continue to <app> as <email>" before touching the
    /// token (a mail scanner's GET spends nothing).
    AskToConfirm,
    /// Consume the token, then go on as the redemption says.
    Consume(Redemption<A>),
}

/// What a consumed link leads to.
#[derive(Debug, PartialEq, Eq)]
pub enum Redemption<A> {
    /// Sign this account in (MFA still applies).
    SignIn { account: A },
    /// Register the link's email at once: the settings ask for nothing more.
    RegisterNow,
    /// Ask for what registration still needs.
    AskToRegister { needs: SignUpRequirements },
}

impl<A> LinkDecision<A> {
    /// Whether carrying out this step starts by consuming the token.
    pub fn consumes(&self) -> bool {
        matches!(self, Self::Consume(_))
    }
}

/// The rules in MAGIC-LINKS.md, in order: `prompt=none` ignores the link; a bad token is
/// refused whatever the session; another account's session asks first unless `prompt=login`
/// (or the person already chose); a suspended account stops; when confirmation is required,
/// an unconfirmed link asks first; else sign in or register.
pub fn decide<A: LinkAccount>(input: &LinkInput<A>) -> LinkDecision<A> {
    if input.prompt.none {
        return LinkDecision::Ignore;
    }
    let link_email = match input.token {
        Ok(email) => email,
        Err(e) => return LinkDecision::Refuse(e),
    };
    let other_account = input
        .session_email
        .is_some_and(|e| !e.same_address(link_email));
    if other_account && !input.prompt.login && !input.prompt.confirmed {
        return LinkDecision::AskToSwitch;
    }
    if input.account.as_ref().is_some_and(LinkAccount::suspended) {
        return LinkDecision::Suspended;
    }
    if input.confirmation_required && !input.prompt.confirmed {
        return LinkDecision::AskToConfirm;
    }
    LinkDecision::Consume(match &input.account {
        Some(account) => Redemption::SignIn {
            account: account.clone(),
        },
        None if input.requirements.anything() => Redemption::AskToRegister {
            needs: input.requirements,
        },
        None => Redemption::RegisterNow,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use LinkDecision::*;
    use Redemption::{AskToRegister, RegisterNow, SignIn};

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    struct Account {
        id: &'static str,
        suspended: bool,
    }

    impl LinkAccount for Account {
        fn suspended(&self) -> bool {
            self.suspended
        }
    }

    type Decision = LinkDecision<Account>;

    fn email(raw: &str) -> Email {
        Email::parse(raw).expect("test email")
    }

    const B: Account = Account {
        id: "user-b",
        suspended: false,
    };
    const NOTHING: SignUpRequirements = SignUpRequirements {
        password: false,
        name: false,
    };
    const PASSWORD: SignUpRequirements = SignUpRequirements {
        password: true,
        name: false,
    };
    const NAME: SignUpRequirements = SignUpRequirements {
        password: false,
        name: true,
    };
    const NONE: LinkPrompt = LinkPrompt {
        none: true,
        login: false,
        confirmed: false,
    };
    const LOGIN: LinkPrompt = LinkPrompt {
        none: false,
        login: true,
        confirmed: false,
    };
    const CHOSE: LinkPrompt = LinkPrompt {
        none: false,
        login: false,
        confirmed: true,
    };
    const PLAIN: LinkPrompt = LinkPrompt {
        none: false,
        login: false,
        confirmed: false,
    };

    /// One row: prompt, session email, token check (Ok = issued for b@x.io), account,
    /// sign-up requirements, and the expected step.
    type Row = (
        &'static str,
        LinkPrompt,
        Option<&'static str>,
        Result<(), TokenError>,
        Option<Account>,
        SignUpRequirements,
        Decision,
    );

    fn suspended() -> Option<Account> {
        Some(Account {
            suspended: true,
            ..B
        })
    }

    fn sign_in_b() -> Decision {
        Consume(SignIn { account: B })
    }

    #[rustfmt::skip]
    fn rows() -> Vec<Row> {
        let mut rows: Vec<Row> = vec![
            // prompt=none ignores the link, whatever else holds.
            ("none, good link", NONE, None, Ok(()), Some(B), NOTHING, Ignore),
            ("none, bad link", NONE, None, Err(TokenError::Expired), None, NOTHING, Ignore),
            ("none, other session", NONE, Some("a@x.io"), Ok(()), Some(B), NOTHING, Ignore),
            ("none, suspended", NONE, None, Ok(()), suspended(), NOTHING, Ignore),
            // No session: a registered email signs in, an unregistered one registers.
            ("registered", PLAIN, None, Ok(()), Some(B), NOTHING, sign_in_b()),
            ("unregistered", PLAIN, None, Ok(()), None, NOTHING, Consume(RegisterNow)),
            ("needs a password", PLAIN, None, Ok(()), None, PASSWORD,
                Consume(AskToRegister { needs: PASSWORD })),
            ("needs a name", PLAIN, None, Ok(()), None, NAME, Consume(AskToRegister { needs: NAME })),
            ("registered, settings ignored", PLAIN, None, Ok(()), Some(B), PASSWORD, sign_in_b()),
            ("suspended", PLAIN, None, Ok(()), suspended(), NOTHING, Suspended),
            // Same account (any case): the link signs in again.
            ("same account", PLAIN, Some("B@X.io"), Ok(()), Some(B), NOTHING, sign_in_b()),
            // Another account: ask first, whether the link's email is registered or not.
            ("other account", PLAIN, Some("a@x.io"), Ok(()), Some(B), NOTHING, AskToSwitch),
            ("other account, new email", PLAIN, Some("a@x.io"), Ok(()), None, PASSWORD,
                AskToSwitch),
            ("other account, suspended", PLAIN, Some("a@x.io"), Ok(()), suspended(), NOTHING,
                AskToSwitch),
            // prompt=login skips the question.
            ("login, other account", LOGIN, Some("a@x.io"), Ok(()), Some(B), NOTHING,
                sign_in_b()),
            ("login, other, new email", LOGIN, Some("a@x.io"), Ok(()), None, NOTHING,
                Consume(RegisterNow)),
            ("login, other, suspended", LOGIN, Some("a@x.io"), Ok(()), suspended(), NOTHING,
                Suspended),
            // "Continue" on the switch page: the question is answered.
            ("continue", CHOSE, Some("a@x.io"), Ok(()), Some(B), NOTHING, sign_in_b()),
            ("continue, new email", CHOSE, Some("a@x.io"), Ok(()), None, NAME,
                Consume(AskToRegister { needs: NAME })),
            ("continue, suspended", CHOSE, None, Ok(()), suspended(), NOTHING, Suspended),
        ];
        // A bad token is refused with its own error, whatever the session or account.
        for e in [
            TokenError::NotFound,
            TokenError::EmailMismatch,
            TokenError::Expired,
            TokenError::Consumed,
            TokenError::Revoked,
        ] {
            rows.push(("bad link", PLAIN, None, Err(e), Some(B), NOTHING, Refuse(e)));
            rows.push(("bad link, new email", PLAIN, None, Err(e), None, PASSWORD, Refuse(e)));
            rows.push(("bad link, other session", PLAIN, Some("a@x.io"), Err(e), Some(B),
                NOTHING, Refuse(e)));
            rows.push(("bad link, suspended", PLAIN, None, Err(e), suspended(), NOTHING,
                Refuse(e)));
            rows.push(("bad link, login", LOGIN, Some("a@x.io"), Err(e), Some(B), NOTHING,
                Refuse(e)));
        }
        rows
    }

    fn run(row: &Row, token: Result<(), TokenError>) -> Decision {
        run_with(row, token, false)
    }

    fn run_with(row: &Row, token: Result<(), TokenError>, confirmation_required: bool) -> Decision {
        let (_, prompt, session, _, account, requirements, _) = row;
        let link = email("b@x.io");
        let session = session.map(email);
        decide(&LinkInput {
            prompt: *prompt,
            session_email: session.as_ref(),
            token: token.map(|()| &link),
            account: *account,
            requirements: *requirements,
            confirmation_required,
        })
    }

    #[test]
    fn the_decision_table() {
        for row in rows() {
            assert_eq!(run(&row, row.3), row.6, "{}", row.0);
        }
    }

    /// The no-session path decides before checking, then lets the consuming update be the
    /// check: that is sound only if a step that consumes with a good token becomes the
    /// token's own error with a bad one.
    #[test]
    fn a_consuming_step_becomes_the_token_error() {
        for row in rows() {
            if run(&row, Ok(())).consumes() {
                for e in [
                    TokenError::Expired,
                    TokenError::Consumed,
                    TokenError::Revoked,
                ] {
                    assert_eq!(run(&row, Err(e)), Refuse(e), "{}", row.0);
                }
            }
        }
    }

    /// With confirmation required, every row that would consume asks first, unless the
    /// person already confirmed (on the switch page or the confirmation page); every other
    /// row decides as before.
    #[test]
    fn with_confirmation_required_only_a_confirmed_link_is_spent() {
        for row in rows() {
            let (one_click, confirming) = (run(&row, row.3), run_with(&row, row.3, true));
            if one_click.consumes() && !row.1.confirmed {
                assert_eq!(confirming, AskToConfirm, "{}", row.0);
            } else {
                assert_eq!(confirming, one_click, "{}", row.0);
            }
        }
    }

    #[test]
    fn only_sign_in_and_registration_consume() {
        assert!(sign_in_b().consumes());
        let held: [Decision; 5] = [
            Ignore,
            Refuse(TokenError::NotFound),
            AskToSwitch,
            Suspended,
            AskToConfirm,
        ];
        for step in held {
            assert!(!step.consumes(), "{step:?}");
        }
    }
}
