//! The authorization endpoint as a pipeline of small checks, run in a fixed order (after
//! node-oidc-provider's `lib/actions/authorization`). Until the client and its redirect URI
//! are known good, errors render a page; after, they go back to the client.

use serde::Deserialize;

use super::request::{AuthorizationRequest, Prompt};
use crate::crypto::{KeySet, Secret};
use crate::error::{OAuthErrorCode, PageError};
use crate::identity::applications::{AppType, Application};
use crate::oidc::params::Params;
use crate::oidc::scope::Scopes;

#[derive(Debug)]
pub enum AuthorizeError {
    /// The client or redirect URI cannot be trusted: never redirect (RFC 6749 4.1.2.1).
    Page(PageError),
    /// Sent back to the verified redirect URI with `state` and `iss`.
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        code: OAuthErrorCode,
        description: String,
    },
}

/// What the checks after the redirect URI need to send an error back.
struct Verified<'a> {
    redirect_uri: &'a str,
    state: Option<&'a str>,
}

impl Verified<'_> {
    fn error(&self, code: OAuthErrorCode, description: impl Into<String>) -> AuthorizeError {
        AuthorizeError::Redirect {
            redirect_uri: self.redirect_uri.to_owned(),
            state: self.state.map(str::to_owned),
            code,
            description: description.into(),
        }
    }
}

fn page(code: &str, message: impl Into<String>) -> AuthorizeError {
    AuthorizeError::Page(PageError::bad_request(code, message))
}

/// Length caps, in bytes, on the authorization request's parameters, checked before any other
/// check so that nothing oversized is looked at, stored in an interaction or echoed back. Each
/// is well above what a conforming client sends; the query string as a whole is capped at
/// 8 KiB (`startup::MAX_QUERY_BYTES`), a form body is not, so these are the real bound.
pub mod caps {
    /// Ours are 20 characters (`random_token(15)`).
    pub const CLIENT_ID: usize = 128;
    /// An exact match against a registered URI; browsers and proxies balk beyond 2 KiB anyway.
    pub const REDIRECT_URI: usize = 2048;
    /// Space-separated scope names; the ones we support add up to well under 100 bytes.
    pub const SCOPE: usize = 1024;
    /// Opaque to us and echoed back to the client: enough for a signed or encrypted blob.
    pub const STATE: usize = 1024;
    /// Copied into the ID token.
    pub const NONCE: usize = 512;
    /// An email address: 64 for the local part, 255 for the domain and an `@` (RFC 5321).
    pub const LOGIN_HINT: usize = 320;
    /// Ours are 43 characters; only its hash is looked up.
    pub const ONE_TIME_TOKEN: usize = 256;
    /// RFC 7636 4.2: at most 128 characters.
    pub const CODE_CHALLENGE: usize = 128;
    /// A signed ID token of ours.
    pub const ID_TOKEN_HINT: usize = 4096;
    /// Seconds: 10 digits are over 300 years.
    pub const MAX_AGE: usize = 10;
    /// Every value of `prompt` once: "none login consent select_account" is 33 bytes.
    pub const PROMPT: usize = 64;
    /// Short protocol words: `response_type`, `response_mode`, `code_challenge_method`,
    /// `display`.
    pub const KEYWORD: usize = 64;
    /// BCP 47 language tags, space-separated (`ui_locales`, `claims_locales`), `acr_values`.
    pub const TAG_LIST: usize = 256;
    /// Any other parameter (ignored, or refused by a later check).
    pub const OTHER: usize = 1024;
    /// A parameter's name.
    pub const NAME: usize = 64;

    /// The cap on the value of the parameter `name`.
    pub fn of(name: &str) -> usize {
        match name {
            "client_id" => CLIENT_ID,
            "redirect_uri" => REDIRECT_URI,
            "scope" => SCOPE,
            "state" => STATE,
            "nonce" => NONCE,
            "login_hint" => LOGIN_HINT,
            "one_time_token" => ONE_TIME_TOKEN,
            "code_challenge" => CODE_CHALLENGE,
            "id_token_hint" => ID_TOKEN_HINT,
            "max_age" => MAX_AGE,
            "prompt" => PROMPT,
            "response_type" | "response_mode" | "code_challenge_method" | "display" => KEYWORD,
            "ui_locales" | "claims_locales" | "acr_values" => TAG_LIST,
            _ => OTHER,
        }
    }
}

/// Runs every check; `app` is the client looked up by `client_id` (None when unknown).
pub fn validate(
    params: &Params,
    app: Option<&Application>,
    keys: &KeySet,
) -> Result<AuthorizationRequest, AuthorizeError> {
    check_lengths(params)?;
    let app = check_client(params, app)?;
    let redirect_uri = check_redirect_uri(params, app)?;
    let v = Verified {
        redirect_uri,
        state: params.get("state"),
    };
    check_request_objects(params, &v)?;
    check_repeated(params, &v)?;
    check_response_type(params, &v)?;
    let scope = check_scope(params, &v)?;
    let code_challenge = check_pkce(params, app, &v)?;
    let prompt = check_prompt(params, &v)?;
    let max_age = check_max_age(params, &v)?;
    let id_token_hint_sub = check_id_token_hint(params, app, keys, &v)?;
    Ok(AuthorizationRequest {
        client_id: app.id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scope,
        state: params.get("state").map(str::to_owned),
        nonce: params.get("nonce").map(str::to_owned),
        code_challenge,
        prompt,
        max_age,
        login_hint: params.get("login_hint").map(str::to_owned),
        ui_locales: params.get("ui_locales").map(str::to_owned),
        id_token_hint_sub,
        one_time_token: params.get("one_time_token").map(Secret::new),
    })
}

/// A page, never a redirect: the redirect URI may be the oversized one, and an oversized
/// `state` must not be sent back. The page names the parameter but never echoes its value.
fn check_lengths(params: &Params) -> Result<(), AuthorizeError> {
    match params.first_too_long(caps::NAME, caps::of) {
        None => Ok(()),
        Some(name) if name.len() > caps::NAME => Err(page(
            "invalid_request",
            format!(
                "A parameter name is too long (at most {} bytes).",
                caps::NAME
            ),
        )),
        Some(name) => Err(page(
            "invalid_request",
            format!(
                "The {name} parameter is too long (at most {} bytes).",
                caps::of(name)
            ),
        )),
    }
}

fn check_client<'a>(
    params: &Params,
    app: Option<&'a Application>,
) -> Result<&'a Application, AuthorizeError> {
    if params.is_repeated("client_id") {
        return Err(page(
            "invalid_request",
            "The client_id parameter was given more than once.",
        ));
    }
    if params.get("client_id").is_none() {
        return Err(page(
            "invalid_request",
            "The client_id parameter is missing.",
        ));
    }
    let app = app.ok_or_else(|| page("invalid_client", "The application is not registered."))?;
    if app.app_type == AppType::M2m {
        return Err(page(
            "unauthorized_client",
            "This machine-to-machine application cannot sign people in.",
        ));
    }
    Ok(app)
}

fn check_redirect_uri<'a>(
    params: &'a Params,
    app: &Application,
) -> Result<&'a str, AuthorizeError> {
    if params.is_repeated("redirect_uri") {
        return Err(page(
            "invalid_request",
            "The redirect_uri parameter was given more than once.",
        ));
    }
    let uri = params
        .get("redirect_uri")
        .ok_or_else(|| page("invalid_request", "The redirect_uri parameter is missing."))?;
    if !app.has_redirect_uri(uri) {
        return Err(AuthorizeError::Page(PageError::bad_request(
            "invalid_redirect_uri",
            "The redirect_uri is not registered for this application.",
        )));
    }
    Ok(uri)
}

fn check_request_objects(params: &Params, v: &Verified) -> Result<(), AuthorizeError> {
    if params.get("request").is_some() {
        return Err(v.error(
            OAuthErrorCode::RequestNotSupported,
            "request objects are not supported",
        ));
    }
    if params.get("request_uri").is_some() {
        return Err(v.error(
            OAuthErrorCode::RequestUriNotSupported,
            "request_uri is not supported",
        ));
    }
    Ok(())
}

fn check_repeated(params: &Params, v: &Verified) -> Result<(), AuthorizeError> {
    match params.first_repeated() {
        Some(name) => Err(v.error(
            OAuthErrorCode::InvalidRequest,
            format!("the {name} parameter was given more than once"),
        )),
        None => Ok(()),
    }
}

fn check_response_type(params: &Params, v: &Verified) -> Result<(), AuthorizeError> {
    match params.get("response_type") {
        None => Err(v.error(OAuthErrorCode::InvalidRequest, "response_type is missing")),
        Some("code") => match params.get("response_mode") {
            None | Some("query") => Ok(()),
            Some(_) => Err(v.error(OAuthErrorCode::InvalidRequest, "unsupported response_mode")),
        },
        Some(_) => Err(v.error(
            OAuthErrorCode::UnsupportedResponseType,
            "only the authorization code flow (response_type=code) is supported",
        )),
    }
}

fn check_scope(params: &Params, v: &Verified) -> Result<Scopes, AuthorizeError> {
    let scope = Scopes::parse_supported(params.get("scope").unwrap_or(""));
    if !scope.contains("openid") {
        return Err(v.error(OAuthErrorCode::InvalidScope, "the openid scope is required"));
    }
    Ok(scope)
}

/// RFC 7636 4.2: 43 to 128 characters of the unreserved set.
pub fn is_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn check_pkce(
    params: &Params,
    app: &Application,
    v: &Verified,
) -> Result<Option<String>, AuthorizeError> {
    let method = params.get("code_challenge_method");
    let Some(challenge) = params.get("code_challenge") else {
        if method.is_some() {
            return Err(v.error(OAuthErrorCode::InvalidRequest, "code_challenge is missing"));
        }
        if app.app_type == AppType::Spa {
            return Err(v.error(
                OAuthErrorCode::InvalidRequest,
                "PKCE (code_challenge with S256) is required for this application",
            ));
        }
        return Ok(None);
    };
    // An absent method means `plain` (RFC 7636 4.3), which RFC 9700 2.1.1 rules out.
    if method != Some("S256") {
        return Err(v.error(
            OAuthErrorCode::InvalidRequest,
            "code_challenge_method must be S256",
        ));
    }
    if !is_pkce_value(challenge) {
        return Err(v.error(
            OAuthErrorCode::InvalidRequest,
            "code_challenge is malformed",
        ));
    }
    Ok(Some(challenge.to_owned()))
}

fn check_prompt(params: &Params, v: &Verified) -> Result<Prompt, AuthorizeError> {
    Prompt::parse(params.get("prompt")).map_err(|e| v.error(OAuthErrorCode::InvalidRequest, e))
}

fn check_max_age(params: &Params, v: &Verified) -> Result<Option<i64>, AuthorizeError> {
    params
        .get("max_age")
        .map(|raw| {
            raw.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                v.error(
                    OAuthErrorCode::InvalidRequest,
                    "max_age must be a non-negative integer",
                )
            })
        })
        .transpose()
}

#[derive(Deserialize)]
struct HintClaims {
    sub: String,
    aud: serde_json::Value,
}

/// An `id_token_hint` must be an ID token we issued to this client; it may have expired.
fn check_id_token_hint(
    params: &Params,
    app: &Application,
    keys: &KeySet,
    v: &Verified,
) -> Result<Option<String>, AuthorizeError> {
    let Some(hint) = params.get("id_token_hint") else {
        return Ok(None);
    };
    let invalid = || {
        v.error(
            OAuthErrorCode::InvalidRequest,
            "id_token_hint could not be validated",
        )
    };
    let claims: HintClaims = keys.verify(hint).map_err(|_| invalid())?;
    let for_this_client = match &claims.aud {
        serde_json::Value::String(aud) => aud == &app.id,
        serde_json::Value::Array(auds) => auds.iter().any(|a| a.as_str() == Some(app.id.as_str())),
        _ => false,
    };
    if !for_this_client {
        return Err(invalid());
    }
    Ok(Some(claims.sub))
}
