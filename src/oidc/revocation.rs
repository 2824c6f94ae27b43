//! `POST /oidc/token/revocation` (RFC 7009). Revoking a refresh token revokes its whole grant
//! (RFC 7009 2.1). Unknown tokens still get 200, so the endpoint reveals nothing.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::crypto::sha256_b64url;
use crate::error::{OAuthError, OAuthErrorCode};
use crate::oidc::params::Params;
use crate::oidc::token::client_auth::authenticate;
use crate::state::AppState;
use crate::storage::grants::{self, TokenOwner};

pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, OAuthError> {
    let params = Params::parse(&body).map_err(OAuthError::invalid_request)?;
    let app = authenticate(&req, &state, &params).await?;
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
    let hint = params.get("token_type_hint");
    if let Some(other) = hint.filter(|h| *h != "access_token" && *h != "refresh_token") {
        return Err(OAuthError::new(
            OAuthErrorCode::UnsupportedTokenType,
            format!("token_type_hint {other:?} is not supported"),
        ));
    }
    let hash = sha256_b64url(token);
    let now = state.clock.now_ms();
    let app_id = app.id.clone();
    let foreign = state
        .storage
        .run(move |c| {
            let owner = grants::token_owner(c, &hash)?;
            Ok(match owner {
                // RFC 7009 2.1: an unknown token is answered like a revoked one.
                None => false,
                Some(TokenOwner::Access { application_id }) if application_id == app_id => {
                    grants::revoke_access_token(c, &hash, now)?;
                    false
                }
                // RFC 7009 2.1: revoking a refresh token ends its whole grant.
                Some(TokenOwner::Refresh {
                    application_id,
                    grant_id,
                }) if application_id == app_id => {
                    grants::revoke_grant(c, &grant_id, now)?;
                    false
                }
                Some(_) => true,
            })
        })
        .await?;
    if foreign {
        // RFC 7009 2.1: a token issued to another client is refused, and left alone.
        return Err(OAuthError::invalid_request(
            "the client is not authorized to revoke the presented token",
        ));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}
