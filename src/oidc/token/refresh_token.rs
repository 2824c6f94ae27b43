//! `grant_type=refresh_token` (RFC 6749 6) with rotation: every use returns a new refresh token,
//! and presenting a rotated-out one revokes the whole grant (RFC 9700 4.14.2).

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
use crate::storage::grants::{self, Redeemed, RefreshTokenRecord};
use crate::storage::memberships;

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
    let organization = params.get("organization_id").map(str::to_owned);
    let (checked_scope, checked_org) = (asked.clone(), organization.clone());
    let outcome = state
        .storage
        .run(move |c| {
            // Requests refused for their scope or organization leave the token usable: every
            // check runs before the token is consumed.
            let mut organization_scopes = None;
            if let Some(live) = grants::find_live_refresh_token(c, &token_hash, now)?
                .filter(|t| t.application_id == app_id)
            {
                let granted = Scopes::parse_any(&live.scope);
                match &checked_org {
                    Some(org) => {
                        if !granted.contains(ORGANIZATIONS_SCOPE) {
                            return Ok(Outcome::Refused(OAuthError::invalid_grant(format!(
                                "organization tokens need the {ORGANIZATIONS_SCOPE} scope"
                            ))));
                        }
                        match memberships::member_scopes(c, org, &live.user_id)? {
                            Some(scopes) => organization_scopes = Some(scopes),
                            None => {
                                return Ok(Outcome::Refused(OAuthError::invalid_grant(
                                    "the user is not a member of this organization",
                                )));
                            }
                        }
                    }
                    None => {
                        if let Some(asked) = &checked_scope
                            && !asked.is_subset_of(&granted)
                        {
                            return Ok(Outcome::Refused(OAuthError::new(
                                OAuthErrorCode::InvalidScope,
                                "the requested scope exceeds the original grant",
                            )));
                        }
                    }
                }
            }
            Ok(match grants::consume_refresh_token(c, &token_hash, &app_id, now)? {
                Redeemed::Fresh(token) => {
                    let subject = load_subject(c, &token.user_id, &Scopes::parse_any(&token.scope))?;
                    Outcome::Fresh(Box::new((token, subject, organization_scopes)))
                }
                Redeemed::Replayed(token) => {
                    grants::revoke_grant(c, &token.grant_id, now)?;
                    tracing::warn!(grant_id = %token.grant_id, "refresh token reused; grant revoked");
                    Outcome::Refused(OAuthError::invalid_grant("the refresh token was already used"))
                }
                Redeemed::Invalid => Outcome::Refused(OAuthError::invalid_grant(
                    "the refresh token is invalid, expired or revoked",
                )),
            })
        })
        .await?;
    let (token, subject, organization_scopes) = match outcome {
        Outcome::Refused(e) => return Err(e),
        Outcome::Fresh(fresh) => *fresh,
    };
    let subject = subject
        .filter(|s| !s.user.suspended)
        .ok_or_else(|| OAuthError::invalid_grant("the account no longer exists or is suspended"))?;
    let granted = Scopes::parse_any(&token.scope);
    // The new tokens keep the original auth_time and amr (OIDC Core 12.2); no nonce.
    let mut grant = Grant {
        grant_id: token.grant_id.clone(),
        subject,
        scope: granted.clone(),
        // Rotation: the new refresh token keeps the whole original scope.
        refresh_scope: Some(granted.clone()),
        nonce: None,
        auth_time: token.auth_time,
        amr: token
            .amr
            .split(' ')
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    if let (Some(org), Some(allowed)) = (organization, organization_scopes) {
        // The organization's permissions, narrowed to those asked for, if any.
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
        let access_token =
            organization::mint(state, app, &grant.subject.user.id, &org, &scope, now)?;
        let (refresh_token, refresh) = new_refresh_token(state, app, &grant, &granted, now);
        state
            .storage
            .run(move |c| grants::insert_refresh_token(c, &refresh))
            .await?;
        return Ok(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: state.settings.access_token_ttl_secs,
            scope: scope.to_string(),
            id_token: None,
            refresh_token: Some(refresh_token),
        });
    }
    // Checked against the same grant above, before consumption.
    grant.scope = asked.unwrap_or(granted);
    let minted = mint(state, &state.keys.current(), app, &grant, now)?;
    let (access, refresh) = (minted.access, minted.refresh);
    state
        .storage
        .run(move |c| grants::insert_tokens(c, &access, refresh.as_ref()))
        .await?;
    Ok(minted.response)
}

enum Outcome {
    Fresh(Box<(RefreshTokenRecord, Option<Subject>, Option<Vec<String>>)>),
    Refused(OAuthError),
}
