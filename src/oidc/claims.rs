//! Claims released for a user, by scope (OIDC Core 5.4), organizations included.

use serde_json::{Map, Value};

use crate::identity::User;
use crate::oidc::scope::{ORGANIZATION_ROLES_SCOPE, ORGANIZATIONS_SCOPE, Scopes};
use crate::storage::{DbConnection, memberships, users};

pub const SUPPORTED_CLAIMS: [&str; 13] = [
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
    "organizations",
    "organization_roles",
];

/// The user and, when an organization scope asks for them, their memberships.
#[derive(Clone, Debug)]
pub struct Subject {
    pub user: User,
    /// Organization ids with the names of the roles held in each.
    pub memberships: Vec<(String, Vec<String>)>,
}

/// Loads what the claims of `scopes` need; `None` when the user is gone.
pub fn load_subject(
    conn: &mut DbConnection,
    user_id: &str,
    scopes: &Scopes,
) -> diesel::QueryResult<Option<Subject>> {
    let Some(user) = users::find_user(conn, user_id)? else {
        return Ok(None);
    };
    let memberships =
        if scopes.contains(ORGANIZATIONS_SCOPE) || scopes.contains(ORGANIZATION_ROLES_SCOPE) {
            memberships::memberships(conn, user_id)?
        } else {
            Vec::new()
        };
    Ok(Some(Subject { user, memberships }))
}

/// The user claims the granted scopes allow, `sub` included.
pub fn user_claims(subject: &Subject, scopes: &Scopes) -> Map<String, Value> {
    let user = &subject.user;
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
    if scopes.contains(ORGANIZATIONS_SCOPE) {
        let ids: Vec<Value> = subject
            .memberships
            .iter()
            .map(|(org, _)| org.clone().into())
            .collect();
        claims.insert("organizations".into(), ids.into());
    }
    if scopes.contains(ORGANIZATION_ROLES_SCOPE) {
        let roles: Vec<Value> = subject
            .memberships
            .iter()
            .flat_map(|(org, roles)| roles.iter().map(move |r| format!("{org}:{r}").into()))
            .collect();
        claims.insert("organization_roles".into(), roles.into());
    }
    claims
}
