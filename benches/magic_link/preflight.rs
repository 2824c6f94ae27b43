//! Before the load: one registration then one sign-in of the same address, alone, checked
//! closely (the ES256 ID token verified against the JWKS, `aud`, `iss`, `nonce`, same `sub`).

use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::flow::{Ctx, Done, M2mToken, short};

fn jwt_part(jwt: &str, i: usize) -> Option<Value> {
    let part = jwt.split('.').nth(i)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// Verifies an ID token's signature against the JWKS and checks its claims.
fn verify_id_token(ctx: &Ctx, jwks: &Value, done: &Done) -> Result<Value, String> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header, jwk::JwkSet};
    let header = decode_header(&done.id_token).map_err(|e| format!("ID token header: {e}"))?;
    if header.alg != Algorithm::ES256 {
        return Err(format!("ID token alg is {:?}, want ES256", header.alg));
    }
    let set: JwkSet = serde_json::from_value(jwks.clone()).map_err(|e| format!("JWKS: {e}"))?;
    let kid = header.kid.ok_or("ID token has no kid")?;
    let jwk = set
        .find(&kid)
        .ok_or_else(|| format!("kid {kid} not in the JWKS"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("JWK: {e}"))?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[&ctx.target.spa_id]);
    validation.set_issuer(&[&ctx.issuer]);
    let claims = decode::<Value>(&done.id_token, &key, &validation)
        .map_err(|e| format!("ID token does not verify: {e}"))?
        .claims;
    if claims["nonce"].as_str() != Some(done.nonce.as_str()) {
        return Err(format!("nonce {} != {}", claims["nonce"], done.nonce));
    }
    Ok(claims)
}

pub async fn get_json(http: &reqwest::Client, url: &str) -> Result<Value, String> {
    let r = http
        .get(url)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let status = r.status();
    let body = r.bytes().await.map_err(|e| format!("{url}: {e}"))?;
    if status != 200 {
        return Err(format!("{url}: HTTP {status}: {}", short(&body)));
    }
    serde_json::from_slice(&body).map_err(|e| format!("{url}: {e}"))
}

/// One registration then one sign-in of the same address, alone, checked closely.
pub async fn preflight(ctx: &Ctx, tag: &str) -> Result<(), String> {
    let jwks = get_json(&ctx.http, &format!("{}/oidc/jwks", ctx.target.base_url)).await?;
    let email = format!("preflight.{tag}@bench.example");
    let mut cache = M2mToken::default();
    let mut subs = Vec::new();
    for what in ["registration", "sign-in"] {
        let mut times = [0u32; 4];
        let started = Instant::now();
        let done = ctx
            .flow(&mut cache, &email, &mut times)
            .await
            .map_err(|f| {
                format!(
                    "{what} flow failed at {}: {} {}",
                    f.step.name(),
                    f.class,
                    f.detail
                )
            })?;
        let claims = verify_id_token(ctx, &jwks, &done)?;
        let header = jwt_part(&done.id_token, 0).unwrap_or_default();
        eprintln!(
            "[magic_link] pre-flight {what}: OK in {:.1} ms; ID token {} kid={} verified, sub={} amr={} email={}",
            started.elapsed().as_secs_f64() * 1e3,
            header["alg"].as_str().unwrap_or("?"),
            header["kid"].as_str().unwrap_or("?"),
            claims["sub"],
            claims["amr"],
            claims["email"],
        );
        subs.push(claims["sub"].clone());
    }
    if subs[0] != subs[1] || subs[0].is_null() {
        return Err(format!(
            "the sign-in flow signed in another account ({} then {})",
            subs[0], subs[1]
        ));
    }
    Ok(())
}
