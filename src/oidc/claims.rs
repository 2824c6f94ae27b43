//! Claims released for a user, by scope (OIDC Core 5.4), organizations included.

use openidconnect::core::CoreGenderClaim;
use openidconnect::{
    AdditionalClaims, EndUserEmail, EndUserName, IdTokenClaims, LocalizedClaim, StandardClaims,
    SubjectIdentifier, UserInfoClaims,
};
use serde::{Deserialize, Serialize};

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

/// Sesame's claims beyond OIDC Core 5.1: the user's organizations and organization roles.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct OrganizationClaims {
    /// The ids of the user's organizations (`urn:sesame:scope:organizations`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizations: Option<Vec<String>>,
    /// `"<orgId>:<roleName>"` per role held (`urn:sesame:scope:organization_roles`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_roles: Option<Vec<String>>,
}
impl AdditionalClaims for OrganizationClaims {}

/// The claims of an ID token Sesame signs.
pub type SesameIdTokenClaims = IdTokenClaims<OrganizationClaims, CoreGenderClaim>;
/// The claims the userinfo endpoint returns.
pub type SesameUserInfoClaims = UserInfoClaims<OrganizationClaims, CoreGenderClaim>;

/// The user claims the granted scopes allow, `sub` included (OIDC Core 5.4). A claim the user
/// has no value for is left out (OIDC Core 5.3.2).
pub fn user_claims(
    subject: &Subject,
    scopes: &Scopes,
) -> (StandardClaims<CoreGenderClaim>, OrganizationClaims) {
    let user = &subject.user;
    let mut standard = StandardClaims::new(SubjectIdentifier::new(user.id.clone()));
    if scopes.contains("profile") {
        standard = standard.set_name(
            user.name
                .clone()
                .map(|name| LocalizedClaim::from(EndUserName::new(name))),
        );
    }
    if scopes.contains("email") {
        standard = standard
            .set_email(Some(EndUserEmail::new(user.email.clone())))
            .set_email_verified(Some(user.email_verified));
    }
    let organizations = scopes.contains(ORGANIZATIONS_SCOPE).then(|| {
        subject
            .memberships
            .iter()
            .map(|(org, _)| org.clone())
            .collect()
    });
    let organization_roles = scopes.contains(ORGANIZATION_ROLES_SCOPE).then(|| {
        subject
            .memberships
            .iter()
            .flat_map(|(org, roles)| roles.iter().map(move |r| format!("{org}:{r}")))
            .collect()
    });
    let additional = OrganizationClaims {
        organizations,
        organization_roles,
    };
    (standard, additional)
}

/// The userinfo response (OIDC Core 5.3.2).
pub fn userinfo_claims(subject: &Subject, scopes: &Scopes) -> SesameUserInfoClaims {
    let (standard, additional) = user_claims(subject, scopes);
    UserInfoClaims::new(standard, additional)
}
