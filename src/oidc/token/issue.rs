//! Minting the tokens of a user grant: an opaque access token, a refresh token when
//! `offline_access` was granted, and an ID token when `openid` was.

use serde::Serialize;
use serde_json::{Map, Value};

use super::TokenResponse;
use crate::crypto::keys::{JwtType, KeySet};
use crate::crypto::{KeyError, random_token, sha256_b64url};
use crate::identity::applications::Application;
use crate::oidc::claims::{Subject, user_claims};
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

#[derive(Serialize)]
struct IdTokenClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: i64,
    iat: i64,
    auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    at_hash: String,
    amr: &'a [String],
    #[serde(flatten)]
    claims: Map<String, Value>,
}

pub fn mint(
    state: &AppState,
    keys: &KeySet,
    app: &Application,
    grant: &Grant,
    now: i64,
) -> Result<Minted, KeyError> {
    let settings = &state.settings;
    let access_token = random_token(32);
    let access = AccessTokenRecord {
        token_hash: sha256_b64url(&access_token),
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
        let mut claims = user_claims(&grant.subject, &grant.scope);
        claims.remove("sub");
        let id_claims = IdTokenClaims {
            iss: &state.issuer,
            sub: &grant.subject.user.id,
            aud: &app.id,
            exp: now / 1000 + settings.id_token_ttl_secs,
            iat: now / 1000,
            auth_time: grant.auth_time / 1000,
            nonce: grant.nonce.as_deref(),
            at_hash: app.id_token_alg.at_hash(&access_token),
            amr: &grant.amr,
            claims,
        };
        Some(keys.sign(app.id_token_alg, JwtType::IdToken, &id_claims)?)
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

/// A refresh token of `grant` carrying `scope`, and its record.
pub fn new_refresh_token(
    state: &AppState,
    app: &Application,
    grant: &Grant,
    scope: &Scopes,
    now: i64,
) -> (String, RefreshTokenRecord) {
    let token = random_token(32);
    let record = RefreshTokenRecord {
        token_hash: sha256_b64url(&token),
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
