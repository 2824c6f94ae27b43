//! Organization tokens: the `refresh_token` grant with `organization_id` returns an access token
//! for that organization (`aud` = `urn:sesame:organization:<id>`) carrying the permissions the
//! member's organization roles grant (as Logto does).

use serde::{Deserialize, Serialize};

use crate::crypto::keys::JwtType;
use crate::crypto::{KeyError, Secret, SigningAlg, random_token};
use crate::identity::applications::Application;
use crate::oidc::scope::Scopes;
use crate::state::AppState;

pub const AUDIENCE_PREFIX: &str = "urn:sesame:organization:";

#[derive(Serialize, Deserialize)]
pub struct OrganizationTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub organization_id: String,
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// Signs an ES256 access token (RFC 9068) for a member of `organization_id`.
pub fn mint(
    state: &AppState,
    app: &Application,
    user_id: &str,
    organization_id: &str,
    scope: &Scopes,
    now: i64,
) -> Result<Secret, KeyError> {
    let claims = OrganizationTokenClaims {
        iss: state.issuer.clone(),
        sub: user_id.to_owned(),
        aud: format!("{AUDIENCE_PREFIX}{organization_id}"),
        client_id: app.id.clone(),
        organization_id: organization_id.to_owned(),
        scope: scope.to_string(),
        iat: now / 1000,
        exp: now / 1000 + state.settings.access_token_ttl().num_seconds(),
        jti: random_token(16),
    };
    state
        .keys
        .current()
        .sign(SigningAlg::ES256, JwtType::AccessToken, &claims)
        .map(Secret::new)
}
