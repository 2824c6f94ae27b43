//! What an authorization request needs given the browser's session: a pure function of its
//! inputs, so each rule is a row in a unit test.

use super::request::AuthorizationRequest;
use crate::error::OAuthErrorCode;
use crate::oidc::session::Authentication;
use crate::storage::sessions::SessionRecord;

#[derive(Debug, PartialEq)]
pub enum Next {
    /// The session satisfies the request: issue a code now.
    Complete(Authentication),
    /// Someone must sign in on the hosted pages.
    SignIn,
    /// Refuse back to the client.
    Fail(OAuthErrorCode, &'static str),
}

pub fn decide(request: &AuthorizationRequest, session: Option<&SessionRecord>, now: i64) -> Next {
    let usable = session.filter(|s| {
        // max_age: re-authenticate when the last authentication is older (OIDC Core 3.1.2.1).
        // Saturating: a huge max_age means "any age", never an overflow.
        let fresh_enough = request
            .max_age
            .is_none_or(|max_age| now.saturating_sub(s.auth_time) <= max_age.saturating_mul(1000));
        // id_token_hint names the end-user the client expects.
        let expected_user = request
            .id_token_hint_sub
            .as_deref()
            .is_none_or(|sub| sub == s.user_id);
        fresh_enough && expected_user
    });
    let must_authenticate = request.prompt.login || request.prompt.select_account;
    match usable {
        Some(s) if !must_authenticate => Next::Complete(Authentication::from(s)),
        _ if request.prompt.none => Next::Fail(
            OAuthErrorCode::LoginRequired,
            "the end-user must sign in, which prompt=none does not allow",
        ),
        _ => Next::SignIn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oidc::authorize::Prompt;
    use crate::oidc::scope::Scopes;

    fn request() -> AuthorizationRequest {
        AuthorizationRequest {
            client_id: "c".into(),
            redirect_uri: "https://rp.example/cb".into(),
            scope: Scopes::parse_supported("openid"),
            state: None,
            nonce: None,
            code_challenge: None,
            prompt: Prompt::default(),
            max_age: None,
            login_hint: None,
            ui_locales: None,
            id_token_hint_sub: None,
            one_time_token: None,
        }
    }

    fn session(auth_time: i64) -> SessionRecord {
        SessionRecord {
            id: "s".into(),
            token_hash: "h".into(),
            user_id: "u1".into(),
            auth_time,
            amr: "pwd".into(),
            created_at: auth_time,
            expires_at: auth_time + 1_000_000,
        }
    }

    #[test]
    fn no_session_signs_in_or_fails_silently() {
        assert_eq!(decide(&request(), None, 0), Next::SignIn);
        let mut r = request();
        r.prompt.none = true;
        assert!(matches!(
            decide(&r, None, 0),
            Next::Fail(OAuthErrorCode::LoginRequired, _)
        ));
    }

    #[test]
    fn a_session_completes_unless_login_is_forced() {
        let s = session(1_000);
        assert!(
            matches!(decide(&request(), Some(&s), 2_000), Next::Complete(a) if a.user_id == "u1")
        );
        let mut r = request();
        r.prompt.login = true;
        assert_eq!(decide(&r, Some(&s), 2_000), Next::SignIn);
        r.prompt.none = true;
        r.prompt.login = false;
        assert!(matches!(decide(&r, Some(&s), 2_000), Next::Complete(_)));
    }

    #[test]
    fn max_age_and_id_token_hint_limit_the_session() {
        let s = session(1_000);
        let mut r = request();
        r.max_age = Some(5);
        assert!(matches!(decide(&r, Some(&s), 6_000), Next::Complete(_)));
        assert_eq!(decide(&r, Some(&s), 6_001), Next::SignIn);
        let mut r = request();
        r.id_token_hint_sub = Some("someone-else".into());
        assert_eq!(decide(&r, Some(&s), 2_000), Next::SignIn);
        r.prompt.none = true;
        assert!(matches!(
            decide(&r, Some(&s), 2_000),
            Next::Fail(OAuthErrorCode::LoginRequired, _)
        ));
    }

    /// A `max_age` of any size, or a session from the future (a clock set back), never
    /// overflows: the arithmetic saturates.
    #[test]
    fn huge_max_age_does_not_overflow() {
        let s = session(1_000);
        let mut r = request();
        r.max_age = Some(i64::MAX);
        assert!(matches!(decide(&r, Some(&s), i64::MAX), Next::Complete(_)));
        r.max_age = Some(i64::MAX / 1000 + 1);
        assert!(matches!(decide(&r, Some(&s), 2_000), Next::Complete(_)));
        r.max_age = Some(0);
        assert!(matches!(
            decide(&r, Some(&session(5_000)), 1_000),
            Next::Complete(_)
        ));
    }
}
