//! The authorization request once it has passed every check: typed values only.

use serde::{Deserialize, Serialize};

use crate::crypto::Secret;
use crate::oidc::scope::Scopes;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
    pub select_account: bool,
}

impl Prompt {
    /// OIDC Core 3.1.2.1: a space-separated list; `none` stands alone; unknown values are errors.
    pub fn parse(raw: Option<&str>) -> Result<Self, String> {
        let mut prompt = Prompt::default();
        let Some(raw) = raw else { return Ok(prompt) };
        let mut count = 0;
        for value in raw.split(' ').filter(|v| !v.is_empty()) {
            count += 1;
            match value {
                "none" => prompt.none = true,
                "login" => prompt.login = true,
                "consent" => prompt.consent = true,
                "select_account" => prompt.select_account = true,
                other => return Err(format!("unsupported prompt value {other:?}")),
            }
        }
        if prompt.none && count > 1 {
            return Err("prompt=none cannot be combined with other values".into());
        }
        Ok(prompt)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: Scopes,
    pub state: Option<String>,
    pub nonce: Option<String>,
    /// S256 challenge (RFC 7636); the only method accepted.
    pub code_challenge: Option<String>,
    pub prompt: Prompt,
    /// Seconds (OIDC Core 3.1.2.1).
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    /// The languages the client wants the pages in (OIDC Core 3.1.2.1), as sent.
    #[serde(default)]
    pub ui_locales: Option<String>,
    /// `sub` of a verified `id_token_hint`.
    pub id_token_hint_sub: Option<String>,
    /// A magic-link token (`one_time_token`). Never stored (an interaction keeps its hash)
    /// nor printed.
    #[serde(skip)]
    pub one_time_token: Option<Secret>,
}

#[cfg(test)]
mod tests {
    use super::Prompt;

    #[test]
    fn prompt_parsing_follows_the_spec() {
        assert_eq!(Prompt::parse(None), Ok(Prompt::default()));
        let p = Prompt::parse(Some("login consent")).expect("ok");
        assert!(p.login && p.consent && !p.none);
        assert!(Prompt::parse(Some("none login")).is_err());
        assert!(Prompt::parse(Some("bogus")).is_err());
    }
}
