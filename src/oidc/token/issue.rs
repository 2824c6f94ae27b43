//! Minting the tokens of a user grant: an opaque access token, a refresh token when
//! `offline_access` was granted, and an ID token when `openid` was.

use chrono::{DateTime, Utc};
use openidconnect::{AccessTokenHash, Audience, AuthenticationMethodReference, IssuerUrl, Nonce};
use serde_json::Value;

use super::TokenResponse;
use crate::config::Settings;
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

/// How long the opaque tokens live, read from the settings before the transaction that stores
/// them.
#[derive(Clone, Copy)]
pub struct Lifetimes {
    access_ms: i64,
    refresh_ms: i64,
}

impl Lifetimes {
    pub fn of(settings: &Settings) -> Self {
        Self {
            access_ms: settings.access_token_ttl().num_milliseconds(),
            refresh_ms: settings.refresh_token_ttl().num_milliseconds(),
        }
    }
}

/// The opaque tokens of a user grant and their rows, drawn inside the transaction that redeems
/// the code or refresh token, so that they are stored in the same commit.
pub struct Drawn {
    pub access_token: Secret,
    pub access: AccessTokenRecord,
    pub refresh_token: Option<Secret>,
    pub refresh: Option<RefreshTokenRecord>,
}

/// The access token and, when `offline_access` was granted, the refresh token of `grant`.
pub fn draw(lifetimes: Lifetimes, app_id: &str, grant: &Grant, now: i64) -> Drawn {
    let access_token = Secret::new(random_token(32));
    let access = AccessTokenRecord {
        token_hash: sha256_b64url(access_token.expose()),
        grant_id: grant.grant_id.clone(),
        application_id: app_id.to_owned(),
        user_id: grant.subject.user.id.clone(),
        scope: grant.scope.to_string(),
        created_at: now,
        expires_at: now + lifetimes.access_ms,
        revoked_at: None,
    };
    let (refresh_token, refresh) = match &grant.refresh_scope {
        Some(refresh_scope) => {
            let (token, record) = new_refresh_token(lifetimes, app_id, grant, refresh_scope, now);
            (Some(token), Some(record))
        }
        None => (None, None),
    };
    Drawn {
        access_token,
        access,
        refresh_token,
        refresh,
    }
}

/// The token response for tokens drawn and stored: the ID token, when `openid` was granted, is
/// signed here, after the commit, so the transaction never waits on a signature.
pub fn respond(
    state: &AppState,
    keys: &KeySet,
    app: &Application,
    grant: &Grant,
    access_token: Secret,
    refresh_token: Option<Secret>,
    now: i64,
) -> Result<TokenResponse, KeyError> {
    let settings = &state.settings;
    let id_token = if grant.scope.contains("openid") {
        let ttl_secs = settings.id_token_ttl().num_seconds();
        let claims = id_token_claims(&state.issuer, ttl_secs, app, grant, &access_token, now)?;
        Some(keys.sign(
            app.id_token_alg,
            JwtType::IdToken,
            &single_audience(&claims)?,
        )?)
    } else {
        None
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: settings.access_token_ttl().num_seconds(),
        scope: grant.scope.to_string(),
        id_token,
        refresh_token,
    })
}

/// The ID token's claims (OIDC Core 2, 3.1.3.6), with the user claims the scope releases.
fn id_token_claims(
    issuer: &str,
    ttl_secs: i64,
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
        IssuerUrl::new(issuer.to_owned())?,
        vec![Audience::new(app.id.clone())],
        at(now / 1000 + ttl_secs)?,
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
    lifetimes: Lifetimes,
    app_id: &str,
    grant: &Grant,
    scope: &Scopes,
    now: i64,
) -> (Secret, RefreshTokenRecord) {
    let token = Secret::new(random_token(32));
    let record = RefreshTokenRecord {
        token_hash: sha256_b64url(token.expose()),
        grant_id: grant.grant_id.clone(),
        application_id: app_id.to_owned(),
        user_id: grant.subject.user.id.clone(),
        scope: scope.to_string(),
        nonce: grant.nonce.clone(),
        auth_time: grant.auth_time,
        amr: grant.amr.join(" "),
        created_at: now,
        expires_at: now + lifetimes.refresh_ms,
        consumed_at: None,
        revoked_at: None,
    };
    (token, record)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::crypto::SigningAlg;
    use crate::identity::User;
    use crate::identity::applications::AppType;
    use crate::oidc::scope::ORGANIZATIONS_SCOPE;

    fn grant(scope: &str, name: Option<&str>, nonce: Option<&str>) -> Grant {
        Grant {
            grant_id: "g1".into(),
            subject: Subject {
                user: User {
                    id: "u1".into(),
                    email: "ada@example.com".into(),
                    password_hash: None,
                    name: name.map(str::to_owned),
                    email_verified: true,
                    created_at: 0,
                    suspended: false,
                    locale: None,
                },
                memberships: vec![("org1".into(), vec!["admin".into()])],
            },
            scope: Scopes::parse_any(scope),
            refresh_scope: None,
            nonce: nonce.map(str::to_owned),
            auth_time: 1_700_000_000_500,
            amr: vec!["pwd".into(), "otp".into()],
        }
    }

    fn app() -> Application {
        Application {
            id: "client1".into(),
            name: "App".into(),
            app_type: AppType::Spa,
            secret_hash: None,
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            landing_uris: vec![],
            id_token_alg: SigningAlg::ES256,
            management_api: false,
            introspection: false,
            created_at: 0,
        }
    }

    #[test]
    fn id_token_claims_are_the_members_sesame_always_signed() {
        let access = Secret::new("access-token");
        let now = 1_700_000_100_999;
        let scope = format!("openid profile email {ORGANIZATIONS_SCOPE}");
        let grant = grant(&scope, Some("Ada"), Some("n-0S6"));
        let claims = id_token_claims("https://id.example/oidc", 600, &app(), &grant, &access, now)
            .expect("claims");
        let signed = single_audience(&claims).expect("json");
        assert_eq!(
            signed,
            json!({
                "iss": "https://id.example/oidc",
                "sub": "u1",
                "aud": "client1",
                "exp": 1_700_000_700,
                "iat": 1_700_000_100,
                "auth_time": 1_700_000_000,
                "nonce": "n-0S6",
                "at_hash": SigningAlg::ES256.at_hash("access-token"),
                "amr": ["pwd", "otp"],
                "name": "Ada",
                "email": "ada@example.com",
                "email_verified": true,
                "organizations": ["org1"],
            })
        );
    }

    #[test]
    fn claims_without_a_value_or_a_scope_are_left_out() {
        let access = Secret::new("access-token");
        let grant = grant("openid profile", None, None);
        let claims = id_token_claims("https://id.example/oidc", 600, &app(), &grant, &access, 0)
            .expect("claims");
        let signed = single_audience(&claims).expect("json");
        let mut names: Vec<&str> = signed
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "amr",
                "at_hash",
                "aud",
                "auth_time",
                "exp",
                "iat",
                "iss",
                "sub"
            ]
        );
    }
}
