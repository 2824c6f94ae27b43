//! Signing keys: generated on first start, stored in the database, parsed once into aws-lc-rs
//! key pairs (jsonwebtoken would re-parse the private key on every signature), published as a
//! JWKS, and swapped atomically when the set changes (rotation by another process included).

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256,
    RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use openidconnect::JsonWebKeyId;
use openidconnect::core::{
    CoreJsonCurveType, CoreJsonWebKey, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A signing key as kept at rest: the PKCS#8 DER, base64. Only this module interprets it;
/// storage only moves it. No `Debug`: it holds a private key.
#[derive(Clone)]
pub struct KeyMaterial {
    pub kid: String,
    pub alg: String,
    pub private_der: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SigningAlg {
    RS256,
    ES256,
    EdDSA,
}

impl SigningAlg {
    pub const ALL: [SigningAlg; 3] = [SigningAlg::RS256, SigningAlg::ES256, SigningAlg::EdDSA];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::ES256 => "ES256",
            Self::EdDSA => "EdDSA",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.as_str() == s)
    }

    /// The protocol crate's name for this algorithm, as discovery and the JWKS publish it.
    pub fn core(self) -> CoreJwsSigningAlgorithm {
        match self {
            Self::RS256 => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            Self::ES256 => CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            Self::EdDSA => CoreJwsSigningAlgorithm::EdDsa,
        }
    }

    fn jsonwebtoken(self) -> Algorithm {
        match self {
            Self::RS256 => Algorithm::RS256,
            Self::ES256 => Algorithm::ES256,
            Self::EdDSA => Algorithm::EdDSA,
        }
    }

    /// The left half of this hash of an access token is `at_hash` (OIDC Core 3.1.3.6); Ed25519
    /// signatures use SHA-512, the others SHA-256.
    pub fn at_hash(self, access_token: &str) -> String {
        use aws_lc_rs::digest::{SHA256, SHA512, digest};
        let algorithm = if self == Self::EdDSA {
            &SHA512
        } else {
            &SHA256
        };
        let hash = digest(algorithm, access_token.as_bytes());
        let bytes = hash.as_ref();
        URL_SAFE_NO_PAD.encode(&bytes[..bytes.len() / 2])
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key generation failed")]
    Generate,
    #[error("stored key {0} cannot be parsed")]
    Corrupt(String),
    #[error("no active {0:?} signing key")]
    NoKey(SigningAlg),
    #[error("signing failed")]
    Sign,
    #[error("claims cannot be serialized: {0}")]
    Serialize(#[from] serde_json::Error),
    #[error("token rejected: {0}")]
    Invalid(String),
    #[error("the issuer or an endpoint is not a valid URL: {0}")]
    Url(#[from] url::ParseError),
    #[error("a timestamp is out of range")]
    Time,
}

enum Pair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

struct SigningKey {
    pair: Pair,
    /// The encoded JOSE headers for the two `typ` values we issue, built once.
    header_jwt: String,
    header_at_jwt: String,
}

/// Media types of the JWTs we sign (RFC 9068 for access tokens).
#[derive(Clone, Copy, Debug)]
pub enum JwtType {
    IdToken,
    AccessToken,
}

/// Generates a new key of `alg`, ready to store.
pub fn generate_key(alg: SigningAlg, now: i64) -> Result<KeyMaterial, KeyError> {
    let der: Vec<u8> = match alg {
        SigningAlg::RS256 => RsaKeyPair::generate(KeySize::Rsa2048)
            .and_then(|k| k.as_der())
            .map(|d| d.as_ref().to_vec()),
        SigningAlg::ES256 => EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .and_then(|k| k.to_pkcs8v1())
            .map(|d| d.as_ref().to_vec()),
        SigningAlg::EdDSA => Ed25519KeyPair::generate()
            .and_then(|k| k.to_pkcs8())
            .map(|d| d.as_ref().to_vec()),
    }
    .map_err(|_| KeyError::Generate)?;
    Ok(KeyMaterial {
        kid: crate::crypto::random_token(12),
        alg: alg.as_str().to_owned(),
        private_der: STANDARD.encode(der),
        created_at: now,
        retired_at: None,
    })
}

/// The parsed keys in force: the newest active key per algorithm signs, every published key
/// verifies.
pub struct KeySet {
    signing: HashMap<SigningAlg, SigningKey>,
    verifying: HashMap<String, (SigningAlg, DecodingKey)>,
    jwks: Arc<[u8]>,
}

/// One stored key, parsed: its private half, its published JWK and its verification key.
struct ParsedKey {
    alg: SigningAlg,
    pair: Pair,
    jwk: CoreJsonWebKey,
    decoding: DecodingKey,
}

impl ParsedKey {
    fn parse(key: &KeyMaterial) -> Result<Self, KeyError> {
        let corrupt = || KeyError::Corrupt(key.kid.clone());
        let alg = SigningAlg::parse(&key.alg).ok_or_else(corrupt)?;
        let der = STANDARD.decode(&key.private_der).map_err(|_| corrupt())?;
        let kid = Some(JsonWebKeyId::new(key.kid.clone()));
        let (pair, jwk, decoding) = match alg {
            SigningAlg::RS256 => {
                let pair = RsaKeyPair::from_pkcs8(&der).map_err(|_| corrupt())?;
                let public = pair.public_key();
                let n = public.modulus().big_endian_without_leading_zero().to_vec();
                let e = public.exponent().big_endian_without_leading_zero().to_vec();
                let decoding = DecodingKey::from_rsa_raw_components(&n, &e);
                (
                    Pair::Rsa(pair),
                    CoreJsonWebKey::new_rsa(n, e, kid),
                    decoding,
                )
            }
            SigningAlg::ES256 => {
                let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der)
                    .map_err(|_| corrupt())?;
                // Uncompressed point: 0x04 || x || y.
                let point = pair.public_key().as_ref();
                if point.len() != 65 {
                    return Err(corrupt());
                }
                let (x, y) = (&point[1..33], &point[33..65]);
                // jsonwebtoken verifies with this same uncompressed point.
                let decoding = DecodingKey::from_ec_der(point);
                let jwk =
                    CoreJsonWebKey::new_ec(x.to_vec(), y.to_vec(), CoreJsonCurveType::P256, kid);
                (Pair::Ec(pair), jwk, decoding)
            }
            SigningAlg::EdDSA => {
                let pair = Ed25519KeyPair::from_pkcs8(&der).map_err(|_| corrupt())?;
                let x = pair.public_key().as_ref().to_vec();
                // jsonwebtoken verifies Ed25519 with the raw public key.
                let decoding = DecodingKey::from_ed_der(&x);
                let jwk = CoreJsonWebKey::new_okp(x, CoreJsonCurveType::Ed25519, kid);
                (Pair::Ed(pair), jwk, decoding)
            }
        };
        Ok(Self {
            alg,
            pair,
            jwk: with_alg(jwk, alg)?,
            decoding,
        })
    }
}

/// `jwk` with its `alg` member. `CoreJsonWebKey` builds RSA, EC and OKP public keys
/// (`new_rsa`, `new_ec`, `new_okp`) but offers no setter for `alg` (its fields are crate-private
/// and the constructors leave it unset), so the member goes in through the type's own
/// `Deserialize`, which checks the value against `CoreJwsSigningAlgorithm`.
fn with_alg(jwk: CoreJsonWebKey, alg: SigningAlg) -> Result<CoreJsonWebKey, serde_json::Error> {
    #[derive(Serialize)]
    struct WithAlg {
        #[serde(flatten)]
        jwk: CoreJsonWebKey,
        alg: CoreJwsSigningAlgorithm,
    }
    serde_json::from_value(serde_json::to_value(WithAlg {
        jwk,
        alg: alg.core(),
    })?)
}

impl KeySet {
    /// Builds the set from stored keys, newest first.
    pub fn from_stored(stored: &[KeyMaterial]) -> Result<Self, KeyError> {
        let mut signing = HashMap::new();
        let mut verifying = HashMap::new();
        let mut jwks = Vec::with_capacity(stored.len());
        for key in stored {
            let parsed = ParsedKey::parse(key)?;
            let alg = parsed.alg;
            jwks.push(parsed.jwk);
            verifying.insert(key.kid.clone(), (alg, parsed.decoding));
            if key.retired_at.is_none() && !signing.contains_key(&alg) {
                let header = |typ: &str| {
                    let json = serde_json::json!({"alg": alg.as_str(), "typ": typ, "kid": key.kid});
                    URL_SAFE_NO_PAD.encode(json.to_string())
                };
                signing.insert(
                    alg,
                    SigningKey {
                        pair: parsed.pair,
                        header_jwt: header("JWT"),
                        header_at_jwt: header("at+jwt"),
                    },
                );
            }
        }
        let jwks = serde_json::to_vec(&CoreJsonWebKeySet::new(jwks))?;
        Ok(Self {
            signing,
            verifying,
            jwks: jwks.into(),
        })
    }

    /// The JWKS document, serialized once per key set.
    pub fn jwks(&self) -> Arc<[u8]> {
        self.jwks.clone()
    }

    /// Signs `claims` as a compact JWS with the active key of `alg`.
    pub fn sign<T: Serialize>(
        &self,
        alg: SigningAlg,
        typ: JwtType,
        claims: &T,
    ) -> Result<String, KeyError> {
        let key = self.signing.get(&alg).ok_or(KeyError::NoKey(alg))?;
        let header = match typ {
            JwtType::IdToken => &key.header_jwt,
            JwtType::AccessToken => &key.header_at_jwt,
        };
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?);
        let mut jws = String::with_capacity(header.len() + payload.len() + 400);
        jws.push_str(header);
        jws.push('.');
        jws.push_str(&payload);
        let signature = match &key.pair {
            Pair::Rsa(pair) => {
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    jws.as_bytes(),
                    &mut sig,
                )
                .map_err(|_| KeyError::Sign)?;
                sig
            }
            Pair::Ec(pair) => pair
                .sign(&SystemRandom::new(), jws.as_bytes())
                .map_err(|_| KeyError::Sign)?
                .as_ref()
                .to_vec(),
            Pair::Ed(pair) => pair.sign(jws.as_bytes()).as_ref().to_vec(),
        };
        jws.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut jws);
        Ok(jws)
    }

    /// Verifies a JWT we signed (any published key) and returns its claims. Expiry is the
    /// caller's to check against the shared clock (an `id_token_hint` may be expired, OIDC
    /// Core 3.1.2.1).
    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Result<T, KeyError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| KeyError::Invalid(e.to_string()))?;
        let kid = header
            .kid
            .ok_or_else(|| KeyError::Invalid("no kid".into()))?;
        let (alg, key) = self
            .verifying
            .get(&kid)
            .ok_or_else(|| KeyError::Invalid("unknown kid".into()))?;
        let mut validation = Validation::new(alg.jsonwebtoken());
        validation.validate_aud = false;
        validation.validate_exp = false;
        validation.leeway = 0;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<T>(token, key, &validation)
            .map(|data| data.claims)
            .map_err(|e| KeyError::Invalid(e.to_string()))
    }
}

/// The shared, swappable key set: readers never take a lock.
pub struct Keys {
    current: ArcSwap<KeySet>,
}

impl Keys {
    pub fn new(set: KeySet) -> Self {
        Self {
            current: ArcSwap::from_pointee(set),
        }
    }

    pub fn current(&self) -> arc_swap::Guard<Arc<KeySet>> {
        self.current.load()
    }

    pub fn replace(&self, set: KeySet) {
        self.current.store(Arc::new(set));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Claims {
        sub: String,
    }

    #[test]
    fn every_algorithm_signs_and_verifies_its_own_tokens() {
        let stored: Vec<KeyMaterial> = SigningAlg::ALL
            .into_iter()
            .map(|alg| generate_key(alg, 0).expect("generate"))
            .collect();
        let set = KeySet::from_stored(&stored).expect("parse");
        for alg in SigningAlg::ALL {
            let jwt = set
                .sign(alg, JwtType::IdToken, &Claims { sub: "u1".into() })
                .expect("sign");
            let claims: Claims = set.verify(&jwt).expect("verify");
            assert_eq!(claims.sub, "u1");
            let mut tampered = jwt.clone();
            tampered.insert(jwt.find('.').expect("dot") + 2, 'A');
            assert!(set.verify::<Claims>(&tampered).is_err(), "{alg:?}");
        }
        let jwks: serde_json::Value = serde_json::from_slice(&set.jwks()).expect("json");
        assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(3));
    }

    /// The members each key had when the JWKS was written by hand, and their fixed values.
    fn members_before(alg: SigningAlg) -> (Vec<&'static str>, &'static str, Option<&'static str>) {
        match alg {
            SigningAlg::RS256 => (vec!["alg", "e", "kid", "kty", "n", "use"], "RSA", None),
            SigningAlg::ES256 => (
                vec!["alg", "crv", "kid", "kty", "use", "x", "y"],
                "EC",
                Some("P-256"),
            ),
            SigningAlg::EdDSA => (
                vec!["alg", "crv", "kid", "kty", "use", "x"],
                "OKP",
                Some("Ed25519"),
            ),
        }
    }

    #[test]
    fn the_jwks_keeps_every_member_and_verifies_through_the_protocol_crate() {
        use openidconnect::{JsonWebKey, JsonWebKeyAlgorithm};

        let stored: Vec<KeyMaterial> = SigningAlg::ALL
            .into_iter()
            .map(|alg| generate_key(alg, 0).expect("generate"))
            .collect();
        let set = KeySet::from_stored(&stored).expect("parse");
        let served: serde_json::Value = serde_json::from_slice(&set.jwks()).expect("json");
        let keys = served["keys"].as_array().expect("keys");
        assert_eq!(keys.len(), stored.len());
        // The same members in another order: the document is as large as it was.
        let reordered = serde_json::to_vec(&served).expect("JSON");
        assert_eq!(reordered.len(), set.jwks().len());
        for (key, material) in keys.iter().zip(&stored) {
            let alg = SigningAlg::parse(&material.alg).expect("alg");
            let (members, kty, crv) = members_before(alg);
            let mut names: Vec<&str> = key
                .as_object()
                .expect("object")
                .keys()
                .map(String::as_str)
                .collect();
            names.sort_unstable();
            assert_eq!(names, members, "{alg:?}");
            assert_eq!(key["kty"], kty);
            assert_eq!(key["crv"].as_str(), crv);
            assert_eq!(key["kid"], material.kid.as_str());
            assert_eq!(key["alg"], alg.as_str());
            assert_eq!(key["use"], "sig");
        }

        // A relying party reading the set gets every key, with its algorithm, and each key
        // verifies what the set signs.
        let read: CoreJsonWebKeySet = serde_json::from_slice(&set.jwks()).expect("parse");
        assert_eq!(read.keys().len(), stored.len());
        for (jwk, material) in read.keys().iter().zip(&stored) {
            let alg = SigningAlg::parse(&material.alg).expect("alg");
            assert!(
                matches!(jwk.signing_alg(), JsonWebKeyAlgorithm::Algorithm(a) if *a == alg.core()),
                "{alg:?}"
            );
            let jwt = set
                .sign(alg, JwtType::IdToken, &Claims { sub: "u1".into() })
                .expect("sign");
            let (message, signature) = jwt.rsplit_once('.').expect("signature");
            let signature = URL_SAFE_NO_PAD.decode(signature).expect("base64");
            jwk.verify_signature(&alg.core(), message.as_bytes(), &signature)
                .unwrap_or_else(|e| panic!("{alg:?}: {e:?}"));
        }
    }
}
