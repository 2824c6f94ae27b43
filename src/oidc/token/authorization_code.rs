//! `grant_type=authorization_code` (RFC 6749 4.1.3, RFC 7636 4.5-4.6).

use super::TokenResponse;
use super::issue::{Grant, Lifetimes, draw, respond};
use crate::crypto::{Secret, constant_time_eq, sha256_b64url};
use crate::error::{OAuthError, OAuthErrorCode};
use crate::identity::applications::{AppType, Application};
use crate::oidc::authorize::is_pkce_value;
use crate::oidc::claims::load_subject;
use crate::oidc::params::Params;
use crate::oidc::scope::Scopes;
use crate::state::AppState;
use crate::storage::DbConnection;
use crate::storage::grants::{self, CodeRecord, Redeemed};

/// What the client presents with the code, checked against it.
struct Presented {
    client_id: String,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
}

/// The code redeemed and its tokens stored, for the response.
struct Issued {
    grant: Grant,
    access_token: Secret,
    refresh_token: Option<Secret>,
}

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
    let presented = Presented {
        client_id: app.id.clone(),
        redirect_uri: params.get("redirect_uri").map(str::to_owned),
        code_verifier: params.get("code_verifier").map(str::to_owned),
    };
    let lifetimes = Lifetimes::of(&state.settings);
    let issued = state
        .storage
        .run_in_transaction(move |c| redeem(c, &code_hash, &presented, lifetimes, now))
        .await??;
    let keys = state.keys.current();
    let (grant, access_token, refresh_token) =
        (issued.grant, issued.access_token, issued.refresh_token);
    Ok(respond(
        state,
        &keys,
        app,
        &grant,
        access_token,
        refresh_token,
        now,
    )?)
}

/// Consumes the code and, in the same transaction, stores the tokens it grants: a replay,
/// which waits for this transaction, always finds them to revoke (RFC 6749 4.1.2). A code
/// whose checks fail is still used up.
fn redeem(
    c: &mut DbConnection,
    code_hash: &str,
    presented: &Presented,
    lifetimes: Lifetimes,
    now: i64,
) -> diesel::QueryResult<Result<Issued, OAuthError>> {
    let code = match grants::consume_code(c, code_hash, now)? {
        Redeemed::Fresh(code) => code,
        Redeemed::Replayed(code) => {
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
    grants::start_grant(c, &code.grant_id)?;
    if let Err(refused) = check_code(&code, presented) {
        return Ok(Err(refused));
    }
    let scope = Scopes::parse_any(&code.scope);
    let Some(subject) = load_subject(c, &code.user_id, &scope)?.filter(|s| !s.user.suspended)
    else {
        return Ok(Err(OAuthError::invalid_grant(
            "the account no longer exists or is suspended",
        )));
    };
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
    let drawn = draw(lifetimes, &presented.client_id, &grant, now);
    grants::insert_tokens(c, &drawn.access, drawn.refresh.as_ref())?;
    Ok(Ok(Issued {
        grant,
        access_token: drawn.access_token,
        refresh_token: drawn.refresh_token,
    }))
}

/// The code must have been issued to this client, for this redirect URI, and PKCE must hold.
fn check_code(code: &CodeRecord, presented: &Presented) -> Result<(), OAuthError> {
    if code.application_id != presented.client_id {
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
