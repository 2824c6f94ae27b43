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

impl KeySet {
    /// Builds the set from stored keys, newest first.
    pub fn from_stored(stored: &[KeyMaterial]) -> Result<Self, KeyError> {
        let mut signing = HashMap::new();
        let mut verifying = HashMap::new();
        let mut jwks = Vec::new();
        for key in stored {
            let corrupt = || KeyError::Corrupt(key.kid.clone());
            let alg = SigningAlg::parse(&key.alg).ok_or_else(corrupt)?;
            let der = STANDARD.decode(&key.private_der).map_err(|_| corrupt())?;
            let (pair, jwk, decoding) = match alg {
                SigningAlg::RS256 => {
                    let pair = RsaKeyPair::from_pkcs8(&der).map_err(|_| corrupt())?;
                    let public = pair.public_key();
                    let n =
                        URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
                    let e =
                        URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
                    let decoding =
                        DecodingKey::from_rsa_components(&n, &e).map_err(|_| corrupt())?;
                    let jwk = serde_json::json!({"kty": "RSA", "n": n, "e": e});
                    (Pair::Rsa(pair), jwk, decoding)
                }
                SigningAlg::ES256 => {
                    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der)
                        .map_err(|_| corrupt())?;
                    // Uncompressed point: 0x04 || x || y.
                    let point = pair.public_key().as_ref();
                    if point.len() != 65 {
                        return Err(corrupt());
                    }
                    let x = URL_SAFE_NO_PAD.encode(&point[1..33]);
                    let y = URL_SAFE_NO_PAD.encode(&point[33..65]);
                    let decoding =
                        DecodingKey::from_ec_components(&x, &y).map_err(|_| corrupt())?;
                    let jwk = serde_json::json!({"kty": "EC", "crv": "P-256", "x": x, "y": y});
                    (Pair::Ec(pair), jwk, decoding)
                }
                SigningAlg::EdDSA => {
                    let pair = Ed25519KeyPair::from_pkcs8(&der).map_err(|_| corrupt())?;
                    let x = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
                    let decoding = DecodingKey::from_ed_components(&x).map_err(|_| corrupt())?;
                    let jwk = serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": x});
                    (Pair::Ed(pair), jwk, decoding)
                }
            };
            let mut jwk = jwk;
            jwk["kid"] = key.kid.clone().into();
            jwk["alg"] = alg.as_str().into();
            jwk["use"] = "sig".into();
            jwks.push(jwk);
            verifying.insert(key.kid.clone(), (alg, decoding));
            if key.retired_at.is_none() && !signing.contains_key(&alg) {
                let header = |typ: &str| {
                    let json = serde_json::json!({"alg": alg.as_str(), "typ": typ, "kid": key.kid});
                    URL_SAFE_NO_PAD.encode(json.to_string())
                };
                signing.insert(
                    alg,
                    SigningKey {
                        pair,
                        header_jwt: header("JWT"),
                        header_at_jwt: header("at+jwt"),
                    },
                );
            }
        }
        let jwks = serde_json::to_vec(&serde_json::json!({ "keys": jwks }))?;
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
}
