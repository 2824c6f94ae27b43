//! `POST /oidc/token/introspection` (RFC 7662), for confidential clients (resource servers).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::crypto::sha256_b64url;
use crate::error::OAuthError;
use crate::oidc::params::Params;
use crate::oidc::token::client_auth::authenticate;
use crate::oidc::token::client_credentials::AccessTokenClaims;
use crate::state::AppState;
use crate::storage::grants::{find_live_access_token, find_live_refresh_token};

pub async fn introspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, OAuthError> {
    let params = Params::parse(&body).map_err(OAuthError::invalid_request)?;
    let app = authenticate(&req, &state, &params).await?;
    if !app.app_type.is_confidential() {
        return Err(OAuthError::invalid_client());
    }
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
    let now = state.clock.now_ms();
    let inactive = json!({ "active": false });
    // JWT access tokens (client_credentials) verify offline.
    if token.matches('.').count() == 2 {
        let body = match state.keys.current().verify::<AccessTokenClaims>(token) {
            Ok(c) if c.iss == state.issuer && now / 1000 < c.exp => json!({
                "active": true, "token_type": "Bearer", "scope": c.scope, "client_id": c.client_id,
                "sub": c.sub, "aud": c.aud, "iss": c.iss, "exp": c.exp, "iat": c.iat, "jti": c.jti,
            }),
            _ => inactive,
        };
        return Ok(no_store(body));
    }
    let hash = sha256_b64url(token);
    let found = state
        .storage
        .run(move |c| {
            if let Some(a) = find_live_access_token(c, &hash, now)? {
                return Ok(Some((
                    "access_token",
                    a.application_id,
                    a.user_id,
                    a.scope,
                    a.created_at,
                    a.expires_at,
                )));
            }
            Ok(find_live_refresh_token(c, &hash, now)?.map(|r| {
                (
                    "refresh_token",
                    r.application_id,
                    r.user_id,
                    r.scope,
                    r.created_at,
                    r.expires_at,
                )
            }))
        })
        .await?;
    let body = match found {
        Some((kind, client_id, sub, scope, iat, exp)) => json!({
            "active": true, "token_type": if kind == "access_token" { "Bearer" } else { "refresh_token" },
            "scope": scope, "client_id": client_id, "sub": sub, "iss": state.issuer,
            "iat": iat / 1000, "exp": exp / 1000,
        }),
        None => inactive,
    };
    Ok(no_store(body))
}

fn no_store(body: serde_json::Value) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}
