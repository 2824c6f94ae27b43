//! `grant_type=refresh_token` (RFC 6749 6) with rotation: every use returns a new refresh token,
//! and presenting a rotated-out one revokes the whole grant (RFC 9700 4.14.2).

use super::TokenResponse;
use super::issue::{Grant, mint};
use crate::crypto::sha256_b64url;
use crate::error::{OAuthError, OAuthErrorCode};
use crate::oidc::client::{AppType, Application};
use crate::oidc::params::Params;
use crate::oidc::scope::Scopes;
use crate::startup::AppState;
use crate::storage::grants::{self, Redeemed};
use crate::storage::users::find_user;

pub async fn exchange(
    state: &AppState,
    app: &Application,
    params: &Params,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    if app.app_type == AppType::M2m {
        return Err(OAuthError::new(
            OAuthErrorCode::UnauthorizedClient,
            "this application may only use client_credentials",
        ));
    }
    let presented = params
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is missing"))?;
    let token_hash = sha256_b64url(presented);
    let app_id = app.id.clone();
    let asked = params.get("scope").map(Scopes::parse_any);
    let checked_scope = asked.clone();
    let redeemed = state
        .storage
        .run(move |c| {
            // A request refused for its scope must leave the token usable: check before consuming.
            if let Some(asked) = &checked_scope
                && let Some(live) = grants::find_live_refresh_token(c, &token_hash, now)?
                && live.application_id == app_id
                && !asked.is_subset_of(&Scopes::parse_any(&live.scope))
            {
                return Ok(None);
            }
            Ok(Some(
                match grants::consume_refresh_token(c, &token_hash, &app_id, now)? {
                    Redeemed::Fresh(token) => {
                        let user = find_user(c, &token.user_id)?;
                        Redeemed::Fresh((token, user))
                    }
                    Redeemed::Replayed(token) => {
                        grants::revoke_grant(c, &token.grant_id, now)?;
                        Redeemed::Replayed((token, None))
                    }
                    Redeemed::Invalid => Redeemed::Invalid,
                },
            ))
        })
        .await?;
    let (token, user) = match redeemed {
        None => {
            return Err(OAuthError::new(
                OAuthErrorCode::InvalidScope,
                "the requested scope exceeds the original grant",
            ));
        }
        Some(Redeemed::Fresh(found)) => found,
        Some(Redeemed::Replayed((token, _))) => {
            tracing::warn!(grant_id = %token.grant_id, "refresh token reused; grant revoked");
            return Err(OAuthError::invalid_grant(
                "the refresh token was already used",
            ));
        }
        Some(Redeemed::Invalid) => {
            return Err(OAuthError::invalid_grant(
                "the refresh token is invalid, expired or revoked",
            ));
        }
    };
    let granted = Scopes::parse_any(&token.scope);
    // Checked against the same grant above, before consumption.
    let scope = asked.unwrap_or_else(|| granted.clone());
    let user = user.ok_or_else(|| OAuthError::invalid_grant("the user no longer exists"))?;
    // The new ID token keeps the original auth_time and amr (OIDC Core 12.2); no nonce.
    let grant = Grant {
        grant_id: token.grant_id.clone(),
        user,
        scope,
        // Rotation: the new refresh token keeps the whole original scope.
        refresh_scope: Some(granted),
        nonce: None,
        auth_time: token.auth_time,
        amr: token
            .amr
            .split(' ')
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    let minted = mint(state, &state.keys.current(), app, &grant, now)?;
    let (access, refresh) = (minted.access, minted.refresh);
    state
        .storage
        .run(move |c| {
            grants::insert_access_token(c, &access)?;
            if let Some(refresh) = &refresh {
                grants::insert_refresh_token(c, refresh)?;
            }
            Ok(())
        })
        .await?;
    Ok(minted.response)
}
