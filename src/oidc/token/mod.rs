//! `POST /oidc/token`: one file per grant.

mod authorization_code;
pub mod client_auth;
pub mod client_credentials;
mod issue;
pub mod organization;
mod refresh_token;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::crypto::Secret;
use crate::error::{OAuthError, OAuthErrorCode};
use crate::oidc::params::Params;
use crate::state::AppState;

/// RFC 6749 5.1. The tokens are written out here, to their one rightful recipient, and
/// nowhere else: the struct has no `Debug`, and its secrets are `Secret`s.
#[derive(Serialize)]
pub struct TokenResponse {
    #[serde(serialize_with = "expose")]
    pub access_token: Secret,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_some"
    )]
    pub refresh_token: Option<Secret>,
}

fn expose<S: serde::Serializer>(secret: &Secret, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose())
}

fn expose_some<S: serde::Serializer>(
    secret: &Option<Secret>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match secret {
        Some(secret) => expose(secret, serializer),
        None => serializer.serialize_none(),
    }
}

pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, OAuthError> {
    let params = Params::parse(&body).map_err(OAuthError::invalid_request)?;
    if let Some(name) = params.first_repeated() {
        return Err(OAuthError::invalid_request(format!(
            "the {name} parameter was given more than once"
        )));
    }
    let grant_type = params
        .get("grant_type")
        .ok_or_else(|| OAuthError::invalid_request("grant_type is missing"))?;
    let app = client_auth::authenticate(&req, &state, &params).await?;
    let now = state.clock.now_ms();
    let response = match grant_type {
        "authorization_code" => authorization_code::exchange(&state, &app, &params, now).await?,
        "refresh_token" => refresh_token::exchange(&state, &app, &params, now).await?,
        "client_credentials" => client_credentials::exchange(&state, &app, &params, now)?,
        _ => {
            return Err(OAuthError::new(
                OAuthErrorCode::UnsupportedGrantType,
                "this grant type is not supported",
            ));
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(response))
}
