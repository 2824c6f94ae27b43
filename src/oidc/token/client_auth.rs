//! Client authentication at the token, revocation and introspection endpoints:
//! `client_secret_basic`, `client_secret_post`, or `none` for public clients (RFC 6749 2.3).

use std::sync::Arc;

use actix_web::HttpRequest;
use actix_web::http::header::{self, HeaderValue};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::crypto::Secret;
use crate::error::{Challenge, OAuthError};
use crate::identity::applications::Application;
use crate::oidc::params::Params;
use crate::state::AppState;

struct Presented {
    client_id: String,
    secret: Option<Secret>,
    basic: bool,
}

/// The client id and secret of an `Authorization` header in the Basic scheme (any case, RFC
/// 9110 11.1), or `None` when it names another scheme (or is not visible ASCII). Credentials
/// that cannot be decoded, empty ones included (still an attempt at Basic), are
/// `invalid_client` with the Basic challenge.
pub fn basic_credentials(value: &HeaderValue) -> Option<Result<(String, Secret), OAuthError>> {
    let value = value.to_str().ok()?.trim();
    let (scheme, credentials) = value.split_once(' ').unwrap_or((value, ""));
    scheme
        .eq_ignore_ascii_case("basic")
        .then(|| decode_basic(credentials))
}

fn decode_basic(encoded: &str) -> Result<(String, Secret), OAuthError> {
    let fail = || OAuthError {
        challenge: Challenge::Basic,
        ..OAuthError::invalid_client()
    };
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| fail())?;
    let decoded = String::from_utf8(decoded).map_err(|_| fail())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(fail)?;
    // RFC 6749 2.3.1: both parts are form-urlencoded before Basic encoding.
    let decode = |s: &str| -> Result<String, OAuthError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(&format!("v={s}")).map_err(|_| fail())?;
        Ok(pairs.into_iter().next().map(|(_, v)| v).unwrap_or_default())
    };
    Ok((decode(id)?, Secret::new(decode(secret)?)))
}

fn presented(req: &HttpRequest, params: &Params) -> Result<Presented, OAuthError> {
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(basic_credentials);
    if let Some(credentials) = basic {
        if params.get("client_secret").is_some() {
            return Err(OAuthError::invalid_request(
                "only one client authentication method may be used",
            ));
        }
        let (client_id, secret) = credentials?;
        if params
            .get("client_id")
            .is_some_and(|body_id| body_id != client_id)
        {
            return Err(OAuthError::invalid_request(
                "client_id does not match the credentials",
            ));
        }
        return Ok(Presented {
            client_id,
            secret: Some(secret),
            basic: true,
        });
    }
    let client_id = params
        .get("client_id")
        .ok_or_else(OAuthError::invalid_client)?
        .to_owned();
    Ok(Presented {
        client_id,
        secret: params.get("client_secret").map(Secret::new),
        basic: false,
    })
}

/// Identifies and authenticates the calling client.
pub async fn authenticate(
    req: &HttpRequest,
    state: &AppState,
    params: &Params,
) -> Result<Arc<Application>, OAuthError> {
    let presented = presented(req, params)?;
    let fail = || OAuthError {
        challenge: if presented.basic {
            Challenge::Basic
        } else {
            Challenge::Default
        },
        ..OAuthError::invalid_client()
    };
    let app = state
        .clients
        .get(&state.storage, &presented.client_id, state.clock.now_ms())
        .await?
        .ok_or_else(fail)?;
    let authenticated = match (&presented.secret, app.app_type.is_confidential()) {
        (Some(secret), true) => app.secret_matches(secret),
        (None, false) => true,
        _ => false,
    };
    if !authenticated {
        tracing::info!(client_id = %app.id, "client authentication failed");
        return Err(fail());
    }
    Ok(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: &str) -> Option<Result<(String, String), ()>> {
        basic_credentials(&HeaderValue::from_str(value).expect("a header value")).map(|r| {
            r.map(|(id, secret)| (id, secret.expose().to_owned()))
                .map_err(|_| ())
        })
    }

    #[test]
    fn reads_basic_credentials_form_decoded() {
        let ok = |id: &str, secret: &str| Some(Ok((id.to_owned(), secret.to_owned())));
        // web:secret
        assert_eq!(read("Basic d2ViOnNlY3JldA=="), ok("web", "secret"));
        assert_eq!(read("  bASIC   d2ViOnNlY3JldA==  "), ok("web", "secret"));
        // %E4%BD%A0:%26 (RFC 6749 2.3.1: form-urlencoded, then base64)
        assert_eq!(read("Basic JUU0JUJEJUEwOiUyNg=="), ok("你", "&"));
        // ":" is an empty id and secret, which no client has.
        assert_eq!(read("Basic Og=="), ok("", ""));
    }

    #[test]
    fn another_scheme_is_not_basic_and_broken_credentials_are_refused() {
        assert_eq!(read("Bearer abc"), None);
        assert_eq!(read("Basicd2ViOnNlY3JldA=="), None);
        for broken in ["Basic", "Basic ", "Basic !!!", "Basic d2Vi", "Basic /w=="] {
            assert_eq!(read(broken), Some(Err(())), "{broken}");
        }
    }
}
