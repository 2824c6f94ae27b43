//! `grant_type=authorization_code` (RFC 6749 4.1.3, RFC 7636 4.5-4.6).

use super::TokenResponse;
use super::issue::{Grant, mint};
use crate::crypto::{constant_time_eq, sha256_b64url};
use crate::error::{OAuthError, OAuthErrorCode};
use crate::oidc::authorize::is_pkce_value;
use crate::oidc::claims::load_subject;
use crate::oidc::client::{AppType, Application};
use crate::oidc::params::Params;
use crate::oidc::scope::Scopes;
use crate::startup::AppState;
use crate::storage::DbConnection;
use crate::storage::grants::{self, CodeRecord, Redeemed};
use actix_web::web;

pub async fn exchange(
    state: &web::Data<AppState>,
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
    let presented = Presented {
        code_hash: sha256_b64url(code),
        redirect_uri: params.get("redirect_uri").map(str::to_owned),
        code_verifier: params.get("code_verifier").map(str::to_owned),
    };
    let (state, app) = (state.clone(), app.clone());
    // One trip to a database thread: consume the code, check it, mint and store the tokens.
    state
        .storage
        .clone()
        .run(move |c| redeem(c, &state, &app, &presented, now))
        .await?
}

/// What the client sent with its code.
struct Presented {
    code_hash: String,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
}

fn redeem(
    c: &mut DbConnection,
    state: &AppState,
    app: &Application,
    presented: &Presented,
    now: i64,
) -> diesel::QueryResult<Result<TokenResponse, OAuthError>> {
    let (code, user) = match grants::consume_code(c, &presented.code_hash, now)? {
        Redeemed::Fresh(code) => {
            let subject = load_subject(c, &code.user_id, &Scopes::parse_any(&code.scope))?;
            (code, subject)
        }
        Redeemed::Replayed(code) => {
            // RFC 6749 4.1.2: a code used twice revokes what it granted.
            grants::revoke_grant(c, &code.grant_id, now)?;
            tracing::warn!(grant_id = %code.grant_id, "authorization code replayed; grant revoked");
            return Ok(Err(OAuthError::invalid_grant(
                "the authorization code was already used",
            )));
        }
        Redeemed::Invalid => {
            return Ok(Err(OAuthError::invalid_grant(
                "the authorization code is invalid or expired",
            )));
        }
    };
    if let Err(e) = check_code(&code, app, presented) {
        return Ok(Err(e));
    }
    let Some(subject) = user.filter(|s| !s.user.suspended) else {
        return Ok(Err(OAuthError::invalid_grant(
            "the account no longer exists or is suspended",
        )));
    };
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
    let minted = match mint(state, &state.keys.current(), app, &grant, now) {
        Ok(minted) => minted,
        Err(e) => return Ok(Err(e.into())),
    };
    grants::insert_tokens(c, &minted.access, minted.refresh.as_ref())?;
    Ok(Ok(minted.response))
}

/// The code must have been issued to this client, for this redirect URI, and PKCE must hold.
fn check_code(
    code: &CodeRecord,
    app: &Application,
    presented: &Presented,
) -> Result<(), OAuthError> {
    if code.application_id != app.id {
        return Err(OAuthError::invalid_grant(
            "the code was issued to another client",
        ));
    }
    if presented.redirect_uri.as_deref() != Some(code.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the authorization request",
        ));
    }
    match (&code.code_challenge, presented.code_verifier.as_deref()) {
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
