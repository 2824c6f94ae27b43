//! `POST /oidc/token/introspection` (RFC 7662), for confidential clients (resource servers).
//!
//! A client learns only of its own tokens, unless it was registered as an introspector
//! (`--introspection`, `isIntrospector`); of any other token it learns nothing: the answer is
//! `{"active": false}`, as for an unknown token (RFC 7662 2.2, 4). A token whose application
//! was deleted or whose user is gone or suspended is inactive for everyone, JWTs included.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::crypto::sha256_b64url;
use crate::error::OAuthError;
use crate::oidc::params::Params;
use crate::oidc::token::client_auth::authenticate;
use crate::oidc::token::client_credentials::AccessTokenClaims;
use crate::state::AppState;
use crate::storage::DbConnection;
use crate::storage::applications::find_application;
use crate::storage::grants::{find_live_access_token, find_live_refresh_token};
use crate::storage::users::find_user;

/// A token as found, before the question whether the caller may learn of it.
struct Found {
    client_id: String,
    /// `None` for a client_credentials JWT, whose subject is the client.
    user_id: Option<String>,
    body: serde_json::Value,
}

pub async fn introspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, OAuthError> {
    let params = Params::parse(&body).map_err(OAuthError::invalid_request)?;
    let caller = authenticate(&req, &state, &params).await?;
    if !caller.app_type.is_confidential() {
        return Err(OAuthError::invalid_client());
    }
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
    let now = state.clock.now_ms();
    let found = if token.matches('.').count() == 2 {
        // JWT access tokens (client_credentials) verify offline.
        match state.keys.current().verify::<AccessTokenClaims>(token) {
            Ok(c) if c.iss == state.issuer && now / 1000 < c.exp => Some(Found {
                client_id: c.client_id.clone(),
                user_id: None,
                body: json!({
                    "active": true, "token_type": "Bearer", "scope": c.scope,
                    "client_id": c.client_id, "sub": c.sub, "aud": c.aud, "iss": c.iss,
                    "exp": c.exp, "iat": c.iat, "jti": c.jti,
                }),
            }),
            _ => None,
        }
    } else {
        let hash = sha256_b64url(token);
        let issuer = state.issuer.clone();
        state
            .storage
            .run(move |c| find_stored(c, &hash, now, &issuer))
            .await?
    };
    let Some(found) = found.filter(|f| caller.may_introspect(&f.client_id)) else {
        return Ok(inactive());
    };
    let Found {
        client_id,
        user_id,
        body,
    } = found;
    let live = state
        .storage
        .run(move |c| still_honoured(c, &client_id, user_id.as_deref()))
        .await?;
    Ok(if live { no_store(body) } else { inactive() })
}

/// A live opaque access or refresh token.
fn find_stored(
    c: &mut DbConnection,
    hash: &str,
    now: i64,
    issuer: &str,
) -> diesel::QueryResult<Option<Found>> {
    let found = match find_live_access_token(c, hash, now)? {
        Some(a) => Some((
            "Bearer",
            a.application_id,
            a.user_id,
            a.scope,
            a.created_at,
            a.expires_at,
        )),
        None => find_live_refresh_token(c, hash, now)?.map(|r| {
            (
                "refresh_token",
                r.application_id,
                r.user_id,
                r.scope,
                r.created_at,
                r.expires_at,
            )
        }),
    };
    Ok(
        found.map(|(token_type, client_id, sub, scope, iat, exp)| Found {
            body: json!({
                "active": true, "token_type": token_type, "scope": scope, "client_id": client_id,
                "sub": sub, "iss": issuer, "iat": iat / 1000, "exp": exp / 1000,
            }),
            client_id,
            user_id: Some(sub),
        }),
    )
}

/// Whether the token's application still exists and its user (if any) exists and is not
/// suspended: read from the database, not a cache, so a deletion or suspension counts at once.
fn still_honoured(
    c: &mut DbConnection,
    client_id: &str,
    user_id: Option<&str>,
) -> diesel::QueryResult<bool> {
    if find_application(c, client_id)?.is_none() {
        return Ok(false);
    }
    Ok(match user_id {
        Some(id) => find_user(c, id)?.is_some_and(|u| !u.suspended),
        None => true,
    })
}

fn inactive() -> HttpResponse {
    no_store(json!({ "active": false }))
}

fn no_store(body: serde_json::Value) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}
