//! `grant_type=authorization_code` (RFC 6749 4.1.3, RFC 7636 4.5-4.6).

use super::TokenResponse;
use super::issue::{Grant, mint};
use crate::crypto::{constant_time_eq, sha256_b64url};
use crate::error::{OAuthError, OAuthErrorCode};
use crate::identity::applications::{AppType, Application};
use crate::oidc::authorize::is_pkce_value;
use crate::oidc::claims::load_subject;
use crate::oidc::params::Params;
use crate::oidc::scope::Scopes;
use crate::state::AppState;
use crate::storage::grants::{self, CodeRecord, Redeemed};

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
    let code = params
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is missing"))?;
    let code_hash = sha256_b64url(code);
    let redeemed = state
        .storage
        .run(move |c| {
            Ok(match grants::consume_code(c, &code_hash, now)? {
                Redeemed::Fresh(code) => {
                    let subject = load_subject(c, &code.user_id, &Scopes::parse_any(&code.scope))?;
                    Redeemed::Fresh((code, subject))
                }
                Redeemed::Replayed(code) => {
                    // RFC 6749 4.1.2: a code used twice revokes what it granted.
                    grants::revoke_grant(c, &code.grant_id, now)?;
                    Redeemed::Replayed((code, None))
                }
                Redeemed::Invalid => Redeemed::Invalid,
            })
        })
        .await?;
    let (code, user) = match redeemed {
        Redeemed::Fresh(found) => found,
        Redeemed::Replayed((code, _)) => {
            tracing::warn!(grant_id = %code.grant_id, "authorization code replayed; grant revoked");
            return Err(OAuthError::invalid_grant(
                "the authorization code was already used",
            ));
        }
        Redeemed::Invalid => {
            return Err(OAuthError::invalid_grant(
                "the authorization code is invalid or expired",
            ));
        }
    };
    check_code(&code, app, params)?;
    let subject = user
        .filter(|s| !s.user.suspended)
        .ok_or_else(|| OAuthError::invalid_grant("the account no longer exists or is suspended"))?;
    let scope = Scopes::parse_any(&code.scope);
    let grant = Grant {
        grant_id: code.grant_id,
        subject,
        refresh_scope: scope.contains("offline_access").then(|| scope.clone()),
        scope,
        nonce: code.nonce,
        auth_time: code.auth_time,
        amr: code
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
        .run(move |c| grants::insert_tokens(c, &access, refresh.as_ref()))
        .await?;
    Ok(minted.response)
}

/// The code must have been issued to this client, for this redirect URI, and PKCE must hold.
fn check_code(code: &CodeRecord, app: &Application, params: &Params) -> Result<(), OAuthError> {
    if code.application_id != app.id {
        return Err(OAuthError::invalid_grant(
            "the code was issued to another client",
        ));
    }
    if params.get("redirect_uri") != Some(code.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the authorization request",
        ));
    }
    match (&code.code_challenge, params.get("code_verifier")) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(OAuthError::invalid_grant(
            "code_verifier was sent but the authorization request had no code_challenge",
        )),
        (Some(_), None) => Err(OAuthError::invalid_grant("code_verifier is missing")),
        (Some(challenge), Some(verifier)) => {
            if is_pkce_value(verifier) && constant_time_eq(challenge, &sha256_b64url(verifier)) {
                Ok(())
            } else {
                Err(OAuthError::invalid_grant(
                    "code_verifier does not match the code_challenge",
                ))
            }
        }
    }
}
