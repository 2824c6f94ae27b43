//! Bearer authentication of Management API calls: an access token this issuer signed, for the
//! Management API resource, carrying the `all` scope (what `client_credentials` issues to an m2m
//! application registered with `--management-api`).

use std::future::Future;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::error::{ApiError, ApiErrorCode};
use crate::oidc::token::client_credentials::{AccessTokenClaims, MANAGEMENT_SCOPE};
use crate::one_time_token::Actor;
use crate::state::AppState;

/// The authenticated caller: which m2m application, from which address.
#[derive(Clone, Debug)]
pub struct Caller {
    pub application_id: String,
    pub client_ip: Option<String>,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        Actor {
            application_id: Some(self.application_id.clone()),
            client_ip: self.client_ip.clone(),
        }
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ApiErrorCode::Unauthorized,
        message,
    )
}

fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(ApiError::internal)?;
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        // Auth schemes are case-insensitive (RFC 9110 11.1).
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| unauthorized("a bearer access token is required"))?;
    let claims: AccessTokenClaims = state
        .keys
        .current()
        .verify(token)
        .map_err(|_| unauthorized("the access token is invalid or expired"))?;
    // RFC 7519 4.1.4: not accepted on or after its expiration time.
    if state.clock.now_ms() / 1000 >= claims.exp {
        return Err(unauthorized("the access token is invalid or expired"));
    }
    if claims.iss != state.issuer || claims.aud != state.settings.management_api_resource() {
        return Err(unauthorized(
            "the access token is not for the Management API",
        ));
    }
    if !claims.scope.split(' ').any(|s| s == MANAGEMENT_SCOPE) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ApiErrorCode::Forbidden,
            "the access token lacks the required scope",
        ));
    }
    Ok(Caller {
        application_id: claims.client_id,
        client_ip: crate::state::client_ip(req).map(|ip| ip.to_string()),
    })
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let verified = authenticate(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let caller = verified?;
            let state = state.ok_or_else(ApiError::internal)?;
            // The token outlives nothing: a deleted application's tokens stop working (within
            // the client cache's lifetime on other instances).
            let app = state
                .clients
                .get(&state.storage, &caller.application_id, state.clock.now_ms())
                .await?;
            if !app.is_some_and(|a| a.management_api) {
                return Err(unauthorized(
                    "the application behind this token no longer exists",
                ));
            }
            Ok(caller)
        })
    }
}
