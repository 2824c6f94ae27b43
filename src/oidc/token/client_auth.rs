//! Client authentication at the token, revocation and introspection endpoints:
//! `client_secret_basic`, `client_secret_post`, or `none` for public clients (RFC 6749 2.3).

use std::sync::Arc;

use actix_web::HttpRequest;
use actix_web::http::header;
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

fn presented(req: &HttpRequest, params: &Params) -> Result<Presented, OAuthError> {
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            // Auth schemes are case-insensitive (RFC 9110 11.1); empty credentials still count
            // as an attempt at Basic, and get its challenge.
            let (scheme, credentials) = v.trim().split_once(' ').unwrap_or((v.trim(), ""));
            scheme.eq_ignore_ascii_case("basic").then_some(credentials)
        });
    if let Some(encoded) = basic {
        if params.get("client_secret").is_some() {
            return Err(OAuthError::invalid_request(
                "only one client authentication method may be used",
            ));
        }
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
        let client_id = decode(id)?;
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
            secret: Some(Secret::new(decode(secret)?)),
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
