//! `grant_type=refresh_token` (RFC 6749 6) with rotation: every use returns a new refresh token,
//! and presenting a rotated-out one revokes the whole grant (RFC 9700 4.14.2).
//!
//! The steps, in order: read the request; in one transaction, take the grant's turn, check
//! what is asked against the live token and only then consume it (a replay revokes the grant),
//! and store the successor tokens; then sign what is signed (the ID token or the organization
//! token) and answer.

use super::TokenResponse;
use super::issue::{Grant, Lifetimes, draw, new_refresh_token, respond};
use super::organization;
use crate::crypto::{Secret, sha256_b64url};
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
struct Request {
    /// SHA-256 of the presented token: the plaintext goes no further than this.
    token_hash: String,
    /// A narrower scope (RFC 6749 6), or the organization token's permissions to keep.
    asked: Option<Scopes>,
    /// An organization token is asked for instead of the user's tokens.
    organization: Option<String>,
}

/// The token consumed and its successors stored, for the response.
struct Issued {
    grant: Grant,
    tokens: Successors,
}

enum Successors {
    /// The user's access token (and ID token, signed later) and the rotated refresh token.
    User {
        access_token: Secret,
        refresh_token: Option<Secret>,
    },
    /// The rotated refresh token; the organization token is signed later.
    Organization {
        organization: String,
        scope: Scopes,
        refresh_token: Secret,
    },
}

pub async fn exchange(
    state: &AppState,
    app: &Application,
    params: &Params,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let request = read_request(app, params)?;
    let (app_id, lifetimes) = (app.id.clone(), Lifetimes::of(&state.settings));
    let issued = state
        .storage
        .run_in_transaction(move |c| redeem(c, &request, &app_id, lifetimes, now))
        .await??;
    let grant = issued.grant;
    match issued.tokens {
        Successors::User {
            access_token,
            refresh_token,
        } => {
            let keys = state.keys.current();
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
        Successors::Organization {
            organization: org,
            scope,
            refresh_token,
        } => {
            let user_id = &grant.subject.user.id;
            let access_token = organization::mint(state, app, user_id, &org, &scope, now)?;
            Ok(TokenResponse {
                access_token,
                token_type: "Bearer",
                expires_in: state.settings.access_token_ttl().num_seconds(),
                scope: scope.to_string(),
                id_token: None,
                refresh_token: Some(refresh_token),
            })
        }
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

fn invalid() -> OAuthError {
    OAuthError::invalid_grant("the refresh token is invalid, expired or revoked")
}

/// Runs in one transaction. Takes the grant's turn first, so that a revocation of the grant
/// either finds the successors stored here or is seen here. Requests refused for their scope
/// or organization leave the token usable: every check runs before the token is consumed.
fn redeem(
    c: &mut DbConnection,
    request: &Request,
    app_id: &str,
    lifetimes: Lifetimes,
    now: i64,
) -> diesel::QueryResult<Result<Issued, OAuthError>> {
    let Some(found) = grants::find_refresh_token(c, &request.token_hash, app_id)? else {
        return Ok(Err(invalid()));
    };
    if !grants::lock_live_grant(c, &found.grant_id)? {
        return Ok(Err(invalid()));
    }
    let mut organization_scopes = None;
    // Read before the turn was taken, but what is checked (scope, user) never changes, and a
    // token seen used stays used: the conditional consumption below has the last word.
    if found.is_live(now) {
        match check_request(c, request, &found)? {
            Ok(scopes) => organization_scopes = scopes,
            Err(refused) => return Ok(Err(refused)),
        }
    }
    let token = match grants::consume_refresh_token(c, &request.token_hash, app_id, now)? {
        Redeemed::Fresh(token) => token,
        Redeemed::Replayed(token) => {
            grants::revoke_grant(c, &token.grant_id, now)?;
            tracing::warn!(grant_id = %token.grant_id, "refresh token reused; grant revoked");
            return Ok(Err(OAuthError::invalid_grant(
                "the refresh token was already used",
            )));
        }
        Redeemed::Invalid => return Ok(Err(invalid())),
    };
    let granted = Scopes::parse_any(&token.scope);
    let Some(subject) = load_subject(c, &token.user_id, &granted)?.filter(|s| !s.user.suspended)
    else {
        return Ok(Err(OAuthError::invalid_grant(
            "the account no longer exists or is suspended",
        )));
    };
    let mut grant = renewed_grant(&token, subject);
    let tokens = match (&request.organization, organization_scopes) {
        (Some(org), Some(allowed)) => {
            let scope = organization_scope(&allowed, request.asked.as_ref());
            let (refresh_token, refresh) =
                new_refresh_token(lifetimes, app_id, &grant, &granted, now);
            grants::insert_refresh_token(c, &refresh)?;
            Successors::Organization {
                organization: org.clone(),
                scope,
                refresh_token,
            }
        }
        _ => {
            if let Some(asked) = &request.asked {
                grant.scope = asked.clone();
            }
            let drawn = draw(lifetimes, app_id, &grant, now);
            grants::insert_tokens(c, &drawn.access, drawn.refresh.as_ref())?;
            Successors::User {
                access_token: drawn.access_token,
                refresh_token: drawn.refresh_token,
            }
        }
    };
    Ok(Ok(Issued { grant, tokens }))
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

/// The organization token's permissions: those the member's roles grant, narrowed to those
/// asked for, if any.
fn organization_scope(allowed: &[String], asked: Option<&Scopes>) -> Scopes {
    let allowed = Scopes::parse_any(&allowed.join(" "));
    match asked {
        Some(asked) => Scopes::parse_any(
            &asked
                .iter()
                .filter(|s| allowed.contains(s))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        None => allowed,
    }
}
