//! What a hosted sign-in request leads to, as pure functions: which mail to send when it is
//! asked for, and what spending it does. Registration follows the sign-up settings, as a
//! link's does, but only when public sign-up is open: anyone can type an address here.

use crate::one_time_token::SignUpRequirements;

/// The mail a request sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mail {
    /// The link and the code.
    SignIn,
    /// No account, and sign-up is closed: a mail saying so, with nothing usable in it. The
    /// page is the same either way, so it never says whether an address has an account.
    NoAccount,
}

/// `account`: whether the address has an account.
pub fn mail_for(account: bool, sign_up_enabled: bool) -> Mail {
    if account || sign_up_enabled {
        Mail::SignIn
    } else {
        Mail::NoAccount
    }
}

/// What spending a request does, for the account registered with its address (its
/// `suspended` flag), if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spend {
    /// Sign the account in (the second factor still applies).
    SignIn,
    /// Nothing: a suspended account is told so, and the request stays unspent.
    Suspended,
    /// Register the address (proven) at once, then sign in.
    RegisterNow,
    /// The address is proven: ask what registration still needs.
    AskToRegister(SignUpRequirements),
    /// No account and sign-up closed (since the mail was sent): say so, spend nothing.
    SignUpClosed,
}

pub fn spend(
    account_suspended: Option<bool>,
    sign_up_enabled: bool,
    needs: SignUpRequirements,
) -> Spend {
    match account_suspended {
        Some(true) => Spend::Suspended,
        Some(false) => Spend::SignIn,
        None if !sign_up_enabled => Spend::SignUpClosed,
        None if needs.anything() => Spend::AskToRegister(needs),
        None => Spend::RegisterNow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTHING: SignUpRequirements = SignUpRequirements {
        password: false,
        name: false,
    };
    const NAME: SignUpRequirements = SignUpRequirements {
        password: false,
        name: true,
    };

    #[test]
    fn the_mail() {
        assert_eq!(mail_for(true, false), Mail::SignIn);
        assert_eq!(mail_for(true, true), Mail::SignIn);
        assert_eq!(mail_for(false, true), Mail::SignIn);
        assert_eq!(mail_for(false, false), Mail::NoAccount);
    }

    #[rustfmt::skip]
    #[test]
    fn the_spending_table() {
        let rows = [
            (Some(false), false, NAME, Spend::SignIn),
            (Some(false), true, NOTHING, Spend::SignIn),
            (Some(true), true, NOTHING, Spend::Suspended),
            (Some(true), false, NOTHING, Spend::Suspended),
            (None, false, NOTHING, Spend::SignUpClosed),
            (None, false, NAME, Spend::SignUpClosed),
            (None, true, NOTHING, Spend::RegisterNow),
            (None, true, NAME, Spend::AskToRegister(NAME)),
        ];
        for (account, open, needs, expected) in rows {
            assert_eq!(spend(account, open, needs), expected, "{account:?} {open} {needs:?}");
        }
    }
}
