//! `grant_type=refresh_token` (RFC 6749 6) with rotation: every use returns a new refresh token,
//! and presenting a rotated-out one revokes the whole grant (RFC 9700 4.14.2).
//!
//! The steps, in order: read the request; in one storage round trip, check what is asked
//! against the live token and only then consume it (a replay revokes the grant); mint either
//! an organization token or the user's tokens, storing the rotated refresh token.

use super::TokenResponse;
use super::issue::{Grant, mint, new_refresh_token};
use super::organization;
use crate::crypto::sha256_b64url;
use crate::error::{OAuthError, OAuthErrorCode};
use crate::identity::applications::{AppType, Application};
use crate::oidc::claims::{Subject, load_subject};
use crate::oidc::params::Params;
use crate::oidc::scope::ORGANIZATIONS_SCOPE;
use crate::oidc::scope::Scopes;
use crate::state::AppState;
use crate::storage::DbConnection;
use crate::storage::grants::{self, Redeemed, RefreshTokenRecord};
use crate::storage::memberships;

/// What the client asks of its refresh token.
#[derive(Clone)]
struct Request {
    /// SHA-256 of the presented token: the plaintext goes no further than this.
    token_hash: String,
    /// A narrower scope (RFC 6749 6), or the organization token's permissions to keep.
    asked: Option<Scopes>,
    /// An organization token is asked for instead of the user's tokens.
    organization: Option<String>,
}

/// A token consumed by this request, with what the new tokens need.
struct Consumed {
    token: RefreshTokenRecord,
    subject: Option<Subject>,
    /// The scopes the member's organization roles grant, for an organization token.
    organization_scopes: Option<Vec<String>>,
}

enum Outcome {
    Fresh(Box<Consumed>),
    Refused(OAuthError),
}

pub async fn exchange(
    state: &AppState,
    app: &Application,
    params: &Params,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let request = read_request(app, params)?;
    let (checked, app_id) = (request.clone(), app.id.clone());
    let outcome = state
        .storage
        .run(move |c| redeem(c, &checked, &app_id, now))
        .await?;
    let consumed = match outcome {
        Outcome::Refused(e) => return Err(e),
        Outcome::Fresh(consumed) => *consumed,
    };
    let subject = consumed
        .subject
        .filter(|s| !s.user.suspended)
        .ok_or_else(|| OAuthError::invalid_grant("the account no longer exists or is suspended"))?;
    let grant = renewed_grant(&consumed.token, subject);
    match (request.organization, consumed.organization_scopes) {
        (Some(org), Some(allowed)) => {
            organization_tokens(state, app, grant, &org, &allowed, request.asked, now).await
        }
        _ => user_tokens(state, app, grant, request.asked, now).await,
    }
}

fn read_request(app: &Application, params: &Params) -> Result<Request, OAuthError> {
    if app.app_type == AppType::M2m {
        return Err(OAuthError::new(
            OAuthErrorCode::UnauthorizedClient,
            "this application may only use client_credentials",
        ));
    }
    let presented = params
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is missing"))?;
    Ok(Request {
        token_hash: sha256_b64url(presented),
        asked: params.get("scope").map(Scopes::parse_any),
        organization: params.get("organization_id").map(str::to_owned),
    })
}

/// Checks the request against the live token, then consumes it. Requests refused for their
/// scope or organization leave the token usable: every check runs before the token is consumed.
fn redeem(
    c: &mut DbConnection,
    request: &Request,
    app_id: &str,
    now: i64,
) -> diesel::QueryResult<Outcome> {
    let mut organization_scopes = None;
    if let Some(live) = grants::find_live_refresh_token(c, &request.token_hash, now)?
        .filter(|t| t.application_id == app_id)
    {
        match check_request(c, request, &live)? {
            Ok(scopes) => organization_scopes = scopes,
            Err(refused) => return Ok(Outcome::Refused(refused)),
        }
    }
    Ok(
        match grants::consume_refresh_token(c, &request.token_hash, app_id, now)? {
            Redeemed::Fresh(token) => {
                let subject = load_subject(c, &token.user_id, &Scopes::parse_any(&token.scope))?;
                Outcome::Fresh(Box::new(Consumed {
                    token,
                    subject,
                    organization_scopes,
                }))
            }
            Redeemed::Replayed(token) => {
                grants::revoke_grant(c, &token.grant_id, now)?;
                tracing::warn!(grant_id = %token.grant_id, "refresh token reused; grant revoked");
                Outcome::Refused(OAuthError::invalid_grant(
                    "the refresh token was already used",
                ))
            }
            Redeemed::Invalid => Outcome::Refused(OAuthError::invalid_grant(
                "the refresh token is invalid, expired or revoked",
            )),
        },
    )
}

/// What the live token allows: for an organization token, the organizations scope and a
/// membership (whose permissions are returned); otherwise a scope within the original grant.
fn check_request(
    c: &mut DbConnection,
    request: &Request,
    live: &RefreshTokenRecord,
) -> diesel::QueryResult<Result<Option<Vec<String>>, OAuthError>> {
    let granted = Scopes::parse_any(&live.scope);
    let Some(org) = &request.organization else {
        if let Some(asked) = &request.asked
            && !asked.is_subset_of(&granted)
        {
            return Ok(Err(OAuthError::new(
                OAuthErrorCode::InvalidScope,
                "the requested scope exceeds the original grant",
            )));
        }
        return Ok(Ok(None));
    };
    if !granted.contains(ORGANIZATIONS_SCOPE) {
        return Ok(Err(OAuthError::invalid_grant(format!(
            "organization tokens need the {ORGANIZATIONS_SCOPE} scope"
        ))));
    }
    Ok(match memberships::member_scopes(c, org, &live.user_id)? {
        Some(scopes) => Ok(Some(scopes)),
        None => Err(OAuthError::invalid_grant(
            "the user is not a member of this organization",
        )),
    })
}

/// The grant the new tokens carry: the original auth_time and amr (OIDC Core 12.2), no nonce,
/// and, by rotation, a refresh token with the whole original scope.
fn renewed_grant(token: &RefreshTokenRecord, subject: Subject) -> Grant {
    let granted = Scopes::parse_any(&token.scope);
    Grant {
        grant_id: token.grant_id.clone(),
        subject,
        scope: granted.clone(),
        refresh_scope: Some(granted),
        nonce: None,
        auth_time: token.auth_time,
        amr: token
            .amr
            .split(' ')
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
    }
}

/// An access token for the organization, with its permissions narrowed to those asked for,
/// if any, and the rotated refresh token.
async fn organization_tokens(
    state: &AppState,
    app: &Application,
    grant: Grant,
    org: &str,
    allowed: &[String],
    asked: Option<Scopes>,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let allowed = Scopes::parse_any(&allowed.join(" "));
    let scope = match asked {
        Some(asked) => Scopes::parse_any(
            &asked
                .iter()
                .filter(|s| allowed.contains(s))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        None => allowed,
    };
    let access_token = organization::mint(state, app, &grant.subject.user.id, org, &scope, now)?;
    let refresh_scope = grant.refresh_scope.clone().unwrap_or_default();
    let (refresh_token, refresh) = new_refresh_token(state, app, &grant, &refresh_scope, now);
    state
        .storage
        .run(move |c| grants::insert_refresh_token(c, &refresh))
        .await?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.settings.access_token_ttl().num_seconds(),
        scope: scope.to_string(),
        id_token: None,
        refresh_token: Some(refresh_token),
    })
}

/// The user's access, ID and rotated refresh tokens, for the scope asked (checked against the
/// same grant before consumption) or the whole original one.
async fn user_tokens(
    state: &AppState,
    app: &Application,
    mut grant: Grant,
    asked: Option<Scopes>,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    if let Some(asked) = asked {
        grant.scope = asked;
    }
    let minted = mint(state, &state.keys.current(), app, &grant, now)?;
    let (access, refresh) = (minted.access, minted.refresh);
    state
        .storage
        .run(move |c| grants::insert_tokens(c, &access, refresh.as_ref()))
        .await?;
    Ok(minted.response)
}
