//! `grant_type=client_credentials` (RFC 6749 4.4) for m2m applications, with the target API
//! named by `resource` (RFC 8707). The access token is an ES256 JWT (RFC 9068): resource
//! servers verify it offline, and issuing it touches the database only to authenticate.

use serde::Serialize;

use super::TokenResponse;
use crate::crypto::SigningAlg;
use crate::crypto::keys::JwtType;
use crate::crypto::{Secret, random_token};
use crate::error::{OAuthError, OAuthErrorCode};
use crate::identity::applications::{AppType, Application};
use crate::oidc::params::Params;
use crate::oidc::scope::Scopes;
use crate::state::AppState;

/// The scope that grants the whole Management API.
pub const MANAGEMENT_SCOPE: &str = "all";

#[derive(Serialize, serde::Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

pub fn exchange(
    state: &AppState,
    app: &Application,
    params: &Params,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    if app.app_type != AppType::M2m {
        return Err(OAuthError::new(
            OAuthErrorCode::UnauthorizedClient,
            "only machine-to-machine applications may use client_credentials",
        ));
    }
    let resource = params.get("resource").ok_or_else(|| {
        OAuthError::new(
            OAuthErrorCode::InvalidTarget,
            "resource (RFC 8707) is required",
        )
    })?;
    let available = if resource == state.settings.management_api_resource() && app.management_api {
        Scopes::parse_any(MANAGEMENT_SCOPE)
    } else {
        return Err(OAuthError::new(
            OAuthErrorCode::InvalidTarget,
            "the resource is unknown or not available to this application",
        ));
    };
    let scope = match params.get("scope").map(Scopes::parse_any) {
        Some(asked) if !asked.is_subset_of(&available) => {
            return Err(OAuthError::new(
                OAuthErrorCode::InvalidScope,
                "the requested scope is not available",
            ));
        }
        Some(asked) if !asked.is_empty() => asked,
        _ => available,
    };
    let ttl = state.settings.access_token_ttl().num_seconds();
    let claims = AccessTokenClaims {
        iss: state.issuer.clone(),
        sub: app.id.clone(),
        aud: resource.to_owned(),
        client_id: app.id.clone(),
        scope: scope.to_string(),
        iat: now / 1000,
        exp: now / 1000 + ttl,
        jti: random_token(16),
    };
    let access_token = Secret::new(state.keys.current().sign(
        SigningAlg::ES256,
        JwtType::AccessToken,
        &claims,
    )?);
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: ttl,
        scope: scope.to_string(),
        id_token: None,
        refresh_token: None,
    })
}
