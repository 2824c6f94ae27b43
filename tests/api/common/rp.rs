//! A relying party built on the `openidconnect` crate, as a real application would use it.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdTokenClaims, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreTokenResponse,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RevocationUrl,
    Scope,
};

use sesame::config::Settings;
use sesame::crypto::SigningAlg;
use sesame::identity::applications::AppType;

use super::{Backend, TestApp};

pub type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

pub struct Rp {
    pub client: Client,
    pub http: reqwest::Client,
    pub metadata: CoreProviderMetadata,
}

/// One authorization request's secrets, kept by the RP until the callback.
pub struct Pending {
    pub url: String,
    pub csrf: CsrfToken,
    pub nonce: Nonce,
    pub verifier: PkceCodeVerifier,
}

impl Rp {
    /// Discovers the provider, as an RP does on start.
    pub async fn discover(
        app: &TestApp,
        client_id: &str,
        secret: Option<&str>,
        redirect_uri: &str,
    ) -> Self {
        // Per the crate's advice: the HTTP client it uses must not follow redirects.
        let http = super::no_redirects();
        let issuer = IssuerUrl::new(app.issuer.clone()).expect("issuer");
        let metadata = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .expect("discovery");
        let client = CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(client_id.to_owned()),
            secret.map(|s| ClientSecret::new(s.to_owned())),
        )
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).expect("redirect"))
        .set_revocation_url(
            RevocationUrl::new(format!("{}/token/revocation", app.issuer)).expect("url"),
        );
        Rp {
            client,
            http,
            metadata,
        }
    }

    /// An authorization URL with PKCE S256, a nonce, and `scopes` (openid is added by the crate).
    pub fn authorize(&self, scopes: &[&str], extra: &[(&str, &str)]) -> Pending {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for s in scopes {
            request = request.add_scope(Scope::new((*s).to_owned()));
        }
        for (k, v) in extra {
            request = request.add_extra_param(*k, *v);
        }
        let (url, csrf, nonce) = request.url();
        Pending {
            url: url.to_string(),
            csrf,
            nonce,
            verifier,
        }
    }

    /// Handles the callback: checks `state` and `iss`, then exchanges the code.
    pub async fn callback(
        &self,
        app: &TestApp,
        callback_url: &str,
        pending: Pending,
    ) -> CoreTokenResponse {
        assert_eq!(
            super::query_param(callback_url, "state").as_deref(),
            Some(pending.csrf.secret().as_str()),
            "state must come back unchanged"
        );
        assert_eq!(
            super::query_param(callback_url, "iss").as_deref(),
            Some(app.issuer.as_str())
        );
        let code = super::query_param(callback_url, "code").expect("code in callback");
        self.client
            .exchange_code(AuthorizationCode::new(code))
            .expect("token endpoint known")
            .set_pkce_verifier(pending.verifier)
            .request_async(&self.http)
            .await
            .expect("code exchange")
    }

    /// Verifies the ID token with the algorithms discovery advertises.
    pub fn verify_id_token(
        &self,
        response: &CoreTokenResponse,
        nonce: &Nonce,
    ) -> CoreIdTokenClaims {
        use openidconnect::TokenResponse;
        let algs: Vec<CoreJwsSigningAlgorithm> = self
            .metadata
            .id_token_signing_alg_values_supported()
            .clone();
        let verifier = self.client.id_token_verifier().set_allowed_algs(algs);
        response
            .id_token()
            .expect("an ID token")
            .claims(&verifier, nonce)
            .expect("ID token verifies")
            .clone()
    }

    /// The signing algorithm in the ID token's header.
    pub fn id_token_alg(response: &CoreTokenResponse) -> String {
        use openidconnect::TokenResponse;
        let jwt = response.id_token().expect("id token").to_string();
        super::jwt_part(&jwt, 0)["alg"]
            .as_str()
            .expect("alg")
            .to_owned()
    }

    /// The payload of the ID token, unverified, for the claims the crate does not model.
    pub fn id_token_payload(response: &CoreTokenResponse) -> serde_json::Value {
        use openidconnect::TokenResponse;
        let jwt = response.id_token().expect("an ID token").to_string();
        super::jwt_part(&jwt, 1)
    }
}

/// The authentication methods (`amr`) of verified ID token claims.
pub fn amr(claims: &CoreIdTokenClaims) -> Vec<String> {
    claims
        .auth_method_refs()
        .map(|a| a.iter().map(|m| m.as_str().to_owned()).collect())
        .unwrap_or_default()
}

/// A Sesame, a Management API token for the application's backend, and a single-page app
/// (ES256 ID tokens, redirect URI [`CALLBACK`]) with the `openidconnect` crate as its RP.
pub struct World {
    pub app: TestApp,
    pub rp: Rp,
    pub client_id: String,
    /// The Management API token.
    pub bearer: String,
}

/// Where the single-page app of a [`World`] receives its callbacks.
pub const CALLBACK: &str = "http://127.0.0.1:9999/callback";

impl World {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Self {
        let app = TestApp::spawn_with(backend, configure).await;
        let bearer = super::management_token(&app).await;
        let (client_id, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::ES256);
        let rp = Rp::discover(&app, &client_id, None, CALLBACK).await;
        World {
            app,
            rp,
            client_id,
            bearer,
        }
    }

    /// A Management API call with the backend's token; the status and the JSON body (`Null`
    /// when none).
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let path = path.strip_prefix("/api").expect("a Management API path");
        let http = reqwest::Client::new();
        let reply = super::api::call(
            &http,
            &self.app,
            Some(&self.bearer),
            method,
            path,
            body.as_ref(),
        )
        .await;
        (reply.status, reply.json)
    }

    /// The authorization request of a magic link: the one-time token and its email as
    /// `login_hint`, then `extra`.
    pub fn link_request(
        &self,
        token: &str,
        email: &str,
        scopes: &[&str],
        extra: &[(&str, &str)],
    ) -> Pending {
        let mut params = vec![("one_time_token", token), ("login_hint", email)];
        params.extend_from_slice(extra);
        self.rp.authorize(scopes, &params)
    }

    /// Turns on `magicLink.requireConfirmation`: each link asks before it is spent.
    pub async fn require_link_confirmation(&self) {
        let (status, body) = self
            .api(
                reqwest::Method::PATCH,
                "/api/sign-in-exp",
                Some(serde_json::json!({"magicLink": {"requireConfirmation": true}})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["magicLink"]["requireConfirmation"], true, "{body}");
    }

    /// A new magic link for `email` (scope `email`, then `extra`): its token id and the
    /// authorization request carrying it.
    pub async fn new_link(&self, email: &str, extra: &[(&str, &str)]) -> (String, Pending) {
        let (status, body) = super::create_one_time_token(
            &self.app.base,
            &self.bearer,
            serde_json::json!({ "email": email }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let token = body["token"].as_str().expect("token");
        let id = body["id"].as_str().expect("id").to_owned();
        (id, self.link_request(token, email, &["email"], extra))
    }

    /// A one-time token's status, as `GET /api/one-time-tokens/{id}` reports it.
    pub async fn token_status(&self, id: &str) -> String {
        let (status, body) = self
            .api(
                reqwest::Method::GET,
                &format!("/api/one-time-tokens/{id}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["status"].as_str().expect("status").to_owned()
    }

    /// The members of `org` as the Management API lists them.
    pub async fn members(&self, org: &str) -> Vec<serde_json::Value> {
        let (status, body) = self
            .api(
                reqwest::Method::GET,
                &format!("/api/organizations/{org}/users"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body.as_array().expect("array").clone()
    }

    /// Follows a callback URL to verified ID token claims.
    pub async fn claims(&self, callback: &str, pending: Pending) -> CoreIdTokenClaims {
        let nonce = pending.nonce.clone();
        let response = self.rp.callback(&self.app, callback, pending).await;
        self.rp.verify_id_token(&response, &nonce)
    }
}

pub fn base64_url_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .expect("base64url")
}
