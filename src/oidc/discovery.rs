//! `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0), built once at start with
//! the protocol crate's `ProviderMetadata`, so member names and value sets are the crate's.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreClaimName, CoreClaimType, CoreClientAuthMethod,
    CoreGrantType, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthUrl, EndSessionUrl, IntrospectionUrl, IssuerUrl,
    JsonWebKeySetUrl, LanguageTag, LogoutProviderMetadata, PkceCodeChallengeMethod,
    ProviderMetadata, ResponseTypes, RevocationUrl, Scope, TokenUrl, UserInfoUrl,
};
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::crypto::{KeyError, SigningAlg};
use crate::i18n::Locale;
use crate::oidc::claims::SUPPORTED_CLAIMS;
use crate::oidc::scope::SUPPORTED_SCOPES;
use crate::state::AppState;

/// What Sesame advertises beyond OpenID Connect Discovery 1.0 and RP-Initiated Logout 1.0.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct SesameProviderMetadata {
    /// RFC 7009 / RFC 8414 2.
    pub revocation_endpoint: RevocationUrl,
    pub revocation_endpoint_auth_methods_supported: Vec<CoreClientAuthMethod>,
    /// RFC 7662 / RFC 8414 2.
    pub introspection_endpoint: IntrospectionUrl,
    pub introspection_endpoint_auth_methods_supported: Vec<CoreClientAuthMethod>,
    /// RFC 7636 / RFC 8414 2.
    pub code_challenge_methods_supported: Vec<PkceCodeChallengeMethod>,
    /// RFC 9207 3.
    pub authorization_response_iss_parameter_supported: bool,
    /// OpenID Connect Prompt Create 1.0, 4.
    pub prompt_values_supported: Vec<CoreAuthPrompt>,
}
impl AdditionalProviderMetadata for SesameProviderMetadata {}

/// Sesame's discovery document: the crate's provider metadata, with `end_session_endpoint`
/// (RP-Initiated Logout) and [`SesameProviderMetadata`] flattened into it.
pub type DiscoveryDocument = ProviderMetadata<
    LogoutProviderMetadata<SesameProviderMetadata>,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// The client authentication methods the token and revocation endpoints accept.
fn auth_methods_with_public_clients() -> Vec<CoreClientAuthMethod> {
    vec![
        CoreClientAuthMethod::None,
        CoreClientAuthMethod::ClientSecretBasic,
        CoreClientAuthMethod::ClientSecretPost,
    ]
}

fn additional_metadata(issuer: &str) -> Result<SesameProviderMetadata, url::ParseError> {
    Ok(SesameProviderMetadata {
        revocation_endpoint: RevocationUrl::new(format!("{issuer}/token/revocation"))?,
        revocation_endpoint_auth_methods_supported: auth_methods_with_public_clients(),
        introspection_endpoint: IntrospectionUrl::new(format!("{issuer}/token/introspection"))?,
        // Introspection is for confidential clients (resource servers) only.
        introspection_endpoint_auth_methods_supported: vec![
            CoreClientAuthMethod::ClientSecretBasic,
            CoreClientAuthMethod::ClientSecretPost,
        ],
        code_challenge_methods_supported: vec![PkceCodeChallengeMethod::new("S256".into())],
        authorization_response_iss_parameter_supported: true,
        prompt_values_supported: vec![
            CoreAuthPrompt::None,
            CoreAuthPrompt::Login,
            CoreAuthPrompt::Consent,
            CoreAuthPrompt::SelectAccount,
        ],
    })
}

/// The provider metadata of the issuer in `settings`.
pub fn metadata(settings: &Settings) -> Result<DiscoveryDocument, url::ParseError> {
    let issuer = settings.issuer();
    let additional = LogoutProviderMetadata {
        end_session_endpoint: Some(EndSessionUrl::new(format!("{issuer}/session/end"))?),
        additional_metadata: additional_metadata(&issuer)?,
    };
    let metadata = DiscoveryDocument::new(
        IssuerUrl::new(issuer.clone())?,
        AuthUrl::new(format!("{issuer}/auth"))?,
        JsonWebKeySetUrl::new(format!("{issuer}/jwks"))?,
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        SigningAlg::ALL.iter().map(|alg| alg.core()).collect(),
        additional,
    )
    .set_token_endpoint(Some(TokenUrl::new(format!("{issuer}/token"))?))
    .set_userinfo_endpoint(Some(UserInfoUrl::new(format!("{issuer}/me"))?))
    .set_scopes_supported(Some(
        SUPPORTED_SCOPES
            .iter()
            .map(|s| Scope::new((*s).to_owned()))
            .collect(),
    ))
    .set_response_modes_supported(Some(vec![CoreResponseMode::Query]))
    .set_grant_types_supported(Some(vec![
        CoreGrantType::AuthorizationCode,
        CoreGrantType::RefreshToken,
        CoreGrantType::ClientCredentials,
    ]))
    .set_token_endpoint_auth_methods_supported(Some(auth_methods_with_public_clients()))
    .set_claims_supported(Some(
        SUPPORTED_CLAIMS
            .iter()
            .map(|c| CoreClaimName::new((*c).to_owned()))
            .collect(),
    ))
    .set_claims_parameter_supported(Some(false))
    .set_request_parameter_supported(Some(false))
    .set_request_uri_parameter_supported(Some(false))
    .set_ui_locales_supported(Some(
        Locale::ALL
            .iter()
            .map(|l| LanguageTag::new(l.as_str().to_owned()))
            .collect(),
    ));
    Ok(metadata)
}

/// The discovery document, serialized once at start.
pub fn document(settings: &Settings) -> Result<Arc<[u8]>, KeyError> {
    let metadata = metadata(settings).map_err(KeyError::Url)?;
    Ok(serde_json::to_vec(&metadata)?.into())
}

pub async fn discovery(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(actix_web::web::Bytes::copy_from_slice(&state.discovery))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// The document as Sesame wrote it by hand before it was built with the protocol crate,
    /// and the members added since (`ui_locales_supported`).
    fn hand_written(issuer: &str) -> Value {
        json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "userinfo_endpoint": format!("{issuer}/me"),
            "jwks_uri": format!("{issuer}/jwks"),
            "end_session_endpoint": format!("{issuer}/session/end"),
            "revocation_endpoint": format!("{issuer}/token/revocation"),
            "introspection_endpoint": format!("{issuer}/token/introspection"),
            "scopes_supported": SUPPORTED_SCOPES,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
            "revocation_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": SUPPORTED_CLAIMS,
            "claims_parameter_supported": false,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "authorization_response_iss_parameter_supported": true,
            "prompt_values_supported": ["none", "login", "consent", "select_account"],
            "ui_locales_supported": ["en", "de", "es", "ko", "sv", "zh-TW"],
        })
    }

    #[test]
    fn the_document_keeps_every_member_and_value_it_had() {
        let settings = Settings {
            public_url: "https://id.example.com".into(),
            ..Settings::default()
        };
        let bytes = document(&settings).expect("document");
        let served: Value = serde_json::from_slice(&bytes).expect("JSON");
        let before = hand_written(&settings.issuer());
        assert_eq!(served, before);
        // Same members, same values, same size: serving it costs what it did.
        assert_eq!(
            bytes.len(),
            serde_json::to_vec(&before).expect("JSON").len()
        );
    }

    #[test]
    fn a_relying_party_reads_the_document_back() {
        let settings = Settings::default();
        let served = document(&settings).expect("document");
        let read: DiscoveryDocument = serde_json::from_slice(&served).expect("parse");
        assert_eq!(read.issuer().as_str(), settings.issuer());
        assert_eq!(
            read.additional_metadata()
                .end_session_endpoint
                .as_ref()
                .map(|u| u.as_str().to_owned()),
            Some(format!("{}/session/end", settings.issuer()))
        );
        assert_eq!(read.id_token_signing_alg_values_supported().len(), 3);
    }
}
