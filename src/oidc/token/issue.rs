//! Minting the tokens of a user grant: an opaque access token, a refresh token when
//! `offline_access` was granted, and an ID token when `openid` was.

use chrono::{DateTime, Utc};
use openidconnect::{AccessTokenHash, Audience, AuthenticationMethodReference, IssuerUrl, Nonce};
use serde_json::Value;

use super::TokenResponse;
use crate::crypto::keys::{JwtType, KeySet};
use crate::crypto::{KeyError, Secret, random_token, sha256_b64url};
use crate::identity::applications::Application;
use crate::oidc::claims::{SesameIdTokenClaims, Subject, user_claims};
use crate::oidc::scope::Scopes;
use crate::state::AppState;
use crate::storage::grants::{AccessTokenRecord, RefreshTokenRecord};

/// Everything the new tokens say about the grant.
pub struct Grant {
    pub grant_id: String,
    pub subject: Subject,
    /// The scope of the access and ID tokens.
    pub scope: Scopes,
    /// The scope a refresh token carries, when one is issued (`offline_access` granted).
    pub refresh_scope: Option<Scopes>,
    pub nonce: Option<String>,
    pub auth_time: i64,
    pub amr: Vec<String>,
}

/// Rows to store and the response to send, built before the single storage round trip.
pub struct Minted {
    pub access: AccessTokenRecord,
    pub refresh: Option<RefreshTokenRecord>,
    pub response: TokenResponse,
}

pub fn mint(
    state: &AppState,
    keys: &KeySet,
    app: &Application,
    grant: &Grant,
    now: i64,
) -> Result<Minted, KeyError> {
    let settings = &state.settings;
    let access_token = Secret::new(random_token(32));
    let access = AccessTokenRecord {
        token_hash: sha256_b64url(access_token.expose()),
        grant_id: grant.grant_id.clone(),
        application_id: app.id.clone(),
        user_id: grant.subject.user.id.clone(),
        scope: grant.scope.to_string(),
        created_at: now,
        expires_at: now + settings.access_token_ttl_secs * 1000,
        revoked_at: None,
    };
    let (refresh_token, refresh) = match &grant.refresh_scope {
        Some(refresh_scope) => {
            let (token, record) = new_refresh_token(state, app, grant, refresh_scope, now);
            (Some(token), Some(record))
        }
        None => (None, None),
    };
    let id_token = if grant.scope.contains("openid") {
        let claims = id_token_claims(state, app, grant, &access_token, now)?;
        Some(keys.sign(
            app.id_token_alg,
            JwtType::IdToken,
            &single_audience(&claims)?,
        )?)
    } else {
        None
    };
    Ok(Minted {
        access,
        refresh,
        response: TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: settings.access_token_ttl_secs,
            scope: grant.scope.to_string(),
            id_token,
            refresh_token,
        },
    })
}

/// The ID token's claims (OIDC Core 2, 3.1.3.6), with the user claims the scope releases.
fn id_token_claims(
    state: &AppState,
    app: &Application,
    grant: &Grant,
    access_token: &Secret,
    now: i64,
) -> Result<SesameIdTokenClaims, KeyError> {
    let at = |secs: i64| DateTime::<Utc>::from_timestamp(secs, 0).ok_or(KeyError::Time);
    let (standard, additional) = user_claims(&grant.subject, &grant.scope);
    let amr = grant
        .amr
        .iter()
        .map(|a| AuthenticationMethodReference::new(a.clone()))
        .collect();
    Ok(SesameIdTokenClaims::new(
        IssuerUrl::new(state.issuer.clone())?,
        vec![Audience::new(app.id.clone())],
        at(now / 1000 + state.settings.id_token_ttl_secs)?,
        at(now / 1000)?,
        standard,
        additional,
    )
    .set_auth_time(Some(at(grant.auth_time / 1000)?))
    .set_nonce(grant.nonce.clone().map(Nonce::new))
    .set_auth_method_refs(Some(amr))
    .set_access_token_hash(Some(AccessTokenHash::new(
        app.id_token_alg.at_hash(access_token.expose()),
    ))))
}

/// The claims as signed. `IdTokenClaims` always writes `aud` as an array; with one audience
/// Sesame writes the plain string, as it always has (OIDC Core 2 allows both, and relying
/// parties and the `id_token_hint` checks read the string).
fn single_audience(claims: &SesameIdTokenClaims) -> Result<Value, serde_json::Error> {
    let mut value = serde_json::to_value(claims)?;
    if let Some(aud) = value.get_mut("aud")
        && let Value::Array(audiences) = aud
        && audiences.len() == 1
    {
        let only = audiences.remove(0);
        *aud = only;
    }
    Ok(value)
}

/// A refresh token of `grant` carrying `scope`, and its record.
pub fn new_refresh_token(
    state: &AppState,
    app: &Application,
    grant: &Grant,
    scope: &Scopes,
    now: i64,
) -> (Secret, RefreshTokenRecord) {
    let token = Secret::new(random_token(32));
    let record = RefreshTokenRecord {
        token_hash: sha256_b64url(token.expose()),
        grant_id: grant.grant_id.clone(),
        application_id: app.id.clone(),
        user_id: grant.subject.user.id.clone(),
        scope: scope.to_string(),
        nonce: grant.nonce.clone(),
        auth_time: grant.auth_time,
        amr: grant.amr.join(" "),
        created_at: now,
        expires_at: now + state.settings.refresh_token_ttl_secs * 1000,
        consumed_at: None,
        revoked_at: None,
    };
    (token, record)
}
