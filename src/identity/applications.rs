//! Applications (OAuth clients): their kinds, registration rules and secret checks.

use serde::Serialize;

use crate::crypto::{Secret, SigningAlg, constant_time_eq, random_token, sha256_b64url};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AppType {
    /// Public browser app: no secret, PKCE S256 required.
    Spa,
    /// Confidential server-side web app: `client_secret_basic` or `client_secret_post`.
    Traditional,
    /// Machine-to-machine: `client_credentials` only.
    M2m,
}

impl AppType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spa => "spa",
            Self::Traditional => "traditional",
            Self::M2m => "m2m",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Spa, Self::Traditional, Self::M2m]
            .into_iter()
            .find(|t| t.as_str() == s)
    }

    pub fn is_confidential(self) -> bool {
        self != Self::Spa
    }
}

#[derive(Clone, Debug)]
pub struct Application {
    pub id: String,
    pub name: String,
    pub app_type: AppType,
    pub secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// Pages Sesame may mail magic links to (`POST /api/one-time-tokens` with `send`).
    pub landing_uris: Vec<String>,
    pub id_token_alg: SigningAlg,
    pub management_api: bool,
    /// May introspect the tokens of every application, not only its own (RFC 7662).
    pub introspection: bool,
    pub created_at: i64,
}

impl Application {
    /// Compares the SHA-256 of the presented secret with the stored one in constant time.
    pub fn secret_matches(&self, presented: &Secret) -> bool {
        self.secret_hash
            .as_deref()
            .is_some_and(|stored| constant_time_eq(stored, &sha256_b64url(presented.expose())))
    }

    /// Whether this application may learn that `token_client_id`'s token is active: its own
    /// tokens, or any token when it was registered as an introspector (RFC 7662 2.1, 4).
    pub fn may_introspect(&self, token_client_id: &str) -> bool {
        self.introspection || self.id == token_client_id
    }

    /// Exact string comparison (RFC 9700 2.1: no prefix, wildcard or normalization).
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }

    pub fn has_post_logout_redirect_uri(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|r| r == uri)
    }
}

pub struct NewApplication {
    pub name: String,
    pub app_type: AppType,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// Exact http(s) URIs without query or fragment (see [`check_landing_uri`]).
    pub landing_uris: Vec<String>,
    pub id_token_alg: SigningAlg,
    pub management_api: bool,
    pub introspection: bool,
}

/// A registered application, its plaintext secret (shown once) and its CORS origins.
pub struct Registered {
    pub app: Application,
    pub secret: Option<Secret>,
    pub origins: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error("name must not be empty")]
    EmptyName,
    #[error("redirect URI {0:?} must be an absolute URL without a fragment")]
    BadRedirectUri(String),
    #[error("a {0} application needs at least one redirect URI")]
    MissingRedirectUri(&'static str),
    #[error("m2m applications have no redirect URIs")]
    M2mRedirect,
    #[error("only m2m applications can call the Management API")]
    ManagementNotM2m,
    #[error("only confidential (traditional or m2m) applications can introspect tokens")]
    IntrospectionNotConfidential,
    #[error(
        "landing URI {0:?} must be an absolute http(s) URL without query or fragment, written \
         as it is normalized (e.g. a lowercase host, a path of at least `/`, no `..`)"
    )]
    BadLandingUri(String),
}

/// The longest landing URI accepted, in bytes.
pub const MAX_LANDING_URI_BYTES: usize = 2048;

/// A landing page Sesame may mail links to: an absolute http(s) URL without query or fragment
/// (Sesame adds `?token=...&email=...`), compared exactly, never as a prefix. It must be
/// written as it is normalized, so the page mailed to is the very string registered.
pub fn check_landing_uri(uri: &str) -> Result<url::Url, RegistrationError> {
    match url::Url::parse(uri) {
        Ok(u)
            if uri.len() <= MAX_LANDING_URI_BYTES
                && matches!(u.scheme(), "http" | "https")
                && u.query().is_none()
                && u.fragment().is_none()
                && u.as_str() == uri =>
        {
            Ok(u)
        }
        _ => Err(RegistrationError::BadLandingUri(uri.to_owned())),
    }
}

fn check_uri(uri: &str) -> Result<url::Url, RegistrationError> {
    match url::Url::parse(uri) {
        Ok(u) if u.fragment().is_none() && !u.cannot_be_a_base() => Ok(u),
        _ => Err(RegistrationError::BadRedirectUri(uri.to_owned())),
    }
}

/// Validates a registration and mints the id and secret.
pub fn register(new: NewApplication, now: i64) -> Result<Registered, RegistrationError> {
    if new.name.trim().is_empty() {
        return Err(RegistrationError::EmptyName);
    }
    let mut origins = Vec::new();
    for uri in new
        .redirect_uris
        .iter()
        .chain(&new.post_logout_redirect_uris)
    {
        let parsed = check_uri(uri)?;
        if new.app_type == AppType::Spa && parsed.scheme().starts_with("http") {
            let origin = parsed.origin().ascii_serialization();
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
    }
    match new.app_type {
        AppType::M2m if !new.redirect_uris.is_empty() => {
            return Err(RegistrationError::M2mRedirect);
        }
        AppType::Spa | AppType::Traditional if new.redirect_uris.is_empty() => {
            return Err(RegistrationError::MissingRedirectUri(new.app_type.as_str()));
        }
        _ => {}
    }
    if new.management_api && new.app_type != AppType::M2m {
        return Err(RegistrationError::ManagementNotM2m);
    }
    if new.introspection && !new.app_type.is_confidential() {
        return Err(RegistrationError::IntrospectionNotConfidential);
    }
    let mut landing_uris = Vec::new();
    for uri in new.landing_uris {
        check_landing_uri(&uri)?;
        if !landing_uris.contains(&uri) {
            landing_uris.push(uri);
        }
    }
    let secret = new
        .app_type
        .is_confidential()
        .then(|| Secret::new(random_token(32)));
    Ok(Registered {
        app: Application {
            id: random_token(15)
                .to_ascii_lowercase()
                .replace(['-', '_'], "x"),
            name: new.name.trim().to_owned(),
            app_type: new.app_type,
            secret_hash: secret.as_ref().map(|s| sha256_b64url(s.expose())),
            redirect_uris: new.redirect_uris,
            post_logout_redirect_uris: new.post_logout_redirect_uris,
            landing_uris,
            id_token_alg: new.id_token_alg,
            management_api: new.management_api,
            introspection: new.introspection,
            created_at: now,
        },
        secret,
        origins,
    })
}

/// Applications recently read from the database, shared lock-free by all workers: the token
/// endpoint authenticates a client on every request, and an application changes rarely.
/// Entries live `ttl_ms`, which bounds how long another instance may serve a stale copy.
pub struct ClientCache {
    entries:
        arc_swap::ArcSwap<std::collections::HashMap<String, (std::sync::Arc<Application>, i64)>>,
    ttl_ms: i64,
}

/// More distinct clients than this and the cache starts afresh (it only holds known clients).
const CLIENT_CACHE_MAX: usize = 10_000;

impl ClientCache {
    pub fn new(ttl_ms: i64) -> Self {
        Self {
            entries: Default::default(),
            ttl_ms,
        }
    }

    pub async fn get(
        &self,
        storage: &crate::storage::Storage,
        id: &str,
        now: i64,
    ) -> Result<Option<std::sync::Arc<Application>>, crate::storage::StorageError> {
        if let Some((app, fetched_at)) = self.entries.load().get(id)
            && now - fetched_at < self.ttl_ms
        {
            return Ok(Some(app.clone()));
        }
        let lookup = id.to_owned();
        let Some(app) = storage
            .run(move |c| crate::storage::applications::find_application(c, &lookup))
            .await?
        else {
            // Unknown ids are not cached: anyone can invent them.
            return Ok(None);
        };
        let app = std::sync::Arc::new(app);
        self.entries.rcu(|entries| {
            let mut next = if entries.len() >= CLIENT_CACHE_MAX {
                Default::default()
            } else {
                std::collections::HashMap::clone(entries)
            };
            next.insert(app.id.clone(), (app.clone(), now));
            next
        });
        Ok(Some(app))
    }

    /// Drops a changed or deleted application on this instance at once.
    pub fn forget(&self, id: &str) {
        self.entries.rcu(|entries| {
            let mut next = std::collections::HashMap::clone(entries);
            next.remove(id);
            next
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(app_type: AppType, uris: &[&str]) -> NewApplication {
        NewApplication {
            name: "app".into(),
            app_type,
            redirect_uris: uris.iter().map(|s| s.to_string()).collect(),
            post_logout_redirect_uris: vec![],
            landing_uris: vec![],
            id_token_alg: SigningAlg::RS256,
            management_api: false,
            introspection: false,
        }
    }

    #[test]
    fn landing_uris_are_exact_http_urls_without_query_or_fragment() {
        for good in [
            "https://app.example/welcome",
            "http://127.0.0.1:5173/landing",
        ] {
            assert!(check_landing_uri(good).is_ok(), "{good}");
        }
        for bad in [
            "https://app.example/welcome?next=x",
            "https://app.example/welcome?",
            "https://app.example/welcome#x",
            "javascript:alert(1)",
            "ftp://app.example/x",
            "/relative",
            "https://app.example",
            "https://APP.example/welcome",
            "https://app.example/a/../welcome",
        ] {
            assert!(check_landing_uri(bad).is_err(), "{bad}");
        }
        let long = format!("https://app.example/{}", "a".repeat(MAX_LANDING_URI_BYTES));
        assert!(check_landing_uri(&long).is_err());
        let mut app = new(AppType::Spa, &["https://a.example/cb"]);
        app.landing_uris = vec!["https://a.example/in".into(), "https://a.example/in".into()];
        let registered = register(app, 0).expect("ok");
        assert_eq!(
            registered.app.landing_uris,
            vec!["https://a.example/in".to_string()]
        );
    }

    #[test]
    fn spa_has_no_secret_and_allows_its_origins() {
        let r = register(new(AppType::Spa, &["http://localhost:5173/callback"]), 0).expect("ok");
        assert!(r.secret.is_none());
        assert_eq!(r.origins, vec!["http://localhost:5173".to_string()]);
    }

    #[test]
    fn confidential_secret_is_stored_hashed_and_checked() {
        let r = register(new(AppType::Traditional, &["https://app.example/cb"]), 0).expect("ok");
        let secret = r.secret.expect("secret");
        assert!(secret.expose().len() >= 43);
        assert_ne!(r.app.secret_hash.as_deref(), Some(secret.expose()));
        assert!(r.app.secret_matches(&secret));
        assert!(!r.app.secret_matches(&Secret::new("wrong")));
    }

    #[test]
    fn rejects_fragments_and_missing_uris() {
        assert!(register(new(AppType::Spa, &["https://a.example/cb#x"]), 0).is_err());
        assert!(register(new(AppType::Traditional, &[]), 0).is_err());
        assert!(register(new(AppType::M2m, &["https://a.example/cb"]), 0).is_err());
    }

    #[test]
    fn only_confidential_applications_may_introspect_and_only_their_own_tokens_unless_allowed() {
        let mut spa = new(AppType::Spa, &["https://a.example/cb"]);
        spa.introspection = true;
        assert!(matches!(
            register(spa, 0),
            Err(RegistrationError::IntrospectionNotConfidential)
        ));
        let web = register(new(AppType::Traditional, &["https://a.example/cb"]), 0).expect("ok");
        assert!(web.app.may_introspect(&web.app.id));
        assert!(!web.app.may_introspect("another-client"));
        let mut rs = new(AppType::M2m, &[]);
        rs.introspection = true;
        let rs = register(rs, 0).expect("ok");
        assert!(rs.app.may_introspect("another-client"));
    }

    #[test]
    fn redirect_uris_match_exactly() {
        let r = register(new(AppType::Spa, &["https://a.example/cb"]), 0).expect("ok");
        assert!(r.app.has_redirect_uri("https://a.example/cb"));
        for near in [
            "https://a.example/cb/",
            "https://a.example/cb?x=1",
            "https://A.example/cb",
            "https://a.example/c",
        ] {
            assert!(!r.app.has_redirect_uri(near), "{near}");
        }
    }
}
