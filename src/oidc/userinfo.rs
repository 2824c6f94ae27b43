//! `GET|POST /oidc/me` (OIDC Core 5.3): the claims of the token's user, by granted scope.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::crypto::{Secret, sha256_b64url};
use crate::error::{Challenge, OAuthError, OAuthErrorCode};
use crate::oidc::claims::{load_subject, userinfo_claims};
use crate::oidc::params::Params;
use crate::oidc::scope::Scopes;
use crate::state::AppState;
use crate::storage::grants::find_live_access_token;

fn invalid_token(description: &str) -> OAuthError {
    OAuthError::new(OAuthErrorCode::InvalidToken, description)
}

/// RFC 6750 3.1: a request without credentials gets a challenge without an error code.
fn no_token() -> OAuthError {
    OAuthError {
        challenge: Challenge::BearerWithoutError,
        ..invalid_token("a bearer access token is required")
    }
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, OAuthError> {
    let token = bearer(&req).ok_or_else(no_token)?;
    userinfo(&state, Secret::new(token)).await
}

/// RFC 6750 2.2 also allows the token in a form body.
pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, OAuthError> {
    if let Some(token) = bearer(&req) {
        return userinfo(&state, Secret::new(token)).await;
    }
    let params = Params::parse(&body).map_err(OAuthError::invalid_request)?;
    let token = params.get("access_token").ok_or_else(no_token)?;
    userinfo(&state, Secret::new(token)).await
}

async fn userinfo(state: &AppState, token: Secret) -> Result<HttpResponse, OAuthError> {
    let now = state.clock.now_ms();
    let hash = sha256_b64url(token.expose());
    let found = state
        .storage
        .run(move |c| {
            let Some(access) = find_live_access_token(c, &hash, now)? else {
                return Ok(None);
            };
            let scope = Scopes::parse_any(&access.scope);
            Ok(load_subject(c, &access.user_id, &scope)?.map(|s| (scope, s)))
        })
        .await?;
    let (scope, subject) = found
        .filter(|(_, s)| !s.user.suspended)
        .ok_or_else(|| invalid_token("the access token is invalid, expired or revoked"))?;
    if !scope.contains("openid") {
        return Err(OAuthError::new(
            OAuthErrorCode::InvalidToken,
            "the access token was not granted the openid scope",
        ));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(userinfo_claims(&subject, &scope)))
}
