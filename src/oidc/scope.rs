//! Scopes: parsed once from the space-separated parameter, unknown values dropped
//! (RFC 6749 3.3 lets the server grant less than asked).

use serde::{Deserialize, Serialize};

/// Adds the `organizations` claim (the ids of the user's organizations).
pub const ORGANIZATIONS_SCOPE: &str = "urn:sesame:scope:organizations";
/// Adds the `organization_roles` claim (`"<orgId>:<roleName>"`).
pub const ORGANIZATION_ROLES_SCOPE: &str = "urn:sesame:scope:organization_roles";

pub const SUPPORTED_SCOPES: [&str; 6] = [
    "openid",
    "profile",
    "email",
    "offline_access",
    ORGANIZATIONS_SCOPE,
    ORGANIZATION_ROLES_SCOPE,
];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// The supported scopes among `raw`, in request order, without duplicates.
    pub fn parse_supported(raw: &str) -> Self {
        let mut kept: Vec<String> = Vec::new();
        for s in raw.split(' ').filter(|s| !s.is_empty()) {
            if SUPPORTED_SCOPES.contains(&s) && !kept.iter().any(|k| k == s) {
                kept.push(s.to_owned());
            }
        }
        Self(kept)
    }

    /// Every value of `raw`, for scopes defined by a resource.
    pub fn parse_any(raw: &str) -> Self {
        let mut kept: Vec<String> = Vec::new();
        for s in raw.split(' ').filter(|s| !s.is_empty()) {
            if !kept.iter().any(|k| k == s) {
                kept.push(s.to_owned());
            }
        }
        Self(kept)
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    pub fn is_subset_of(&self, other: &Scopes) -> bool {
        self.0.iter().all(|s| other.contains(s))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl std::fmt::Display for Scopes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::Scopes;

    #[test]
    fn drops_unknown_and_duplicate_scopes() {
        let s = Scopes::parse_supported("openid  email bogus openid offline_access");
        assert_eq!(s.to_string(), "openid email offline_access");
    }
}
