//! Claims released for a user, by scope (OIDC Core 5.4).

use serde_json::{Map, Value};

use crate::identity::User;
use crate::oidc::scope::Scopes;

pub const SUPPORTED_CLAIMS: [&str; 11] = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "amr",
    "name",
    "email",
    "email_verified",
];

/// The user claims the granted scopes allow, `sub` included.
pub fn user_claims(user: &User, scopes: &Scopes) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), user.id.clone().into());
    if scopes.contains("profile") {
        claims.insert(
            "name".into(),
            user.name.clone().map_or(Value::Null, Value::from),
        );
    }
    if scopes.contains("email") {
        claims.insert("email".into(), user.email.clone().into());
        claims.insert("email_verified".into(), user.email_verified.into());
    }
    claims
}
