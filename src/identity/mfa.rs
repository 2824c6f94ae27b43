//! Second factor: TOTP (RFC 6238: SHA-1, 6 digits, 30 s steps, one step of clock skew either
//! way, each step accepted once) and single-use backup codes (stored as SHA-256).

use totp_rs::{Algorithm, Secret, Totp};

use crate::crypto::{random_token, sha256_b64url};
use crate::storage::{DbConnection, Storage, StorageError, Unreadable, mfa as queries};

const ISSUER: &str = "Sesame";
const BACKUP_CODES: usize = 10;

pub fn new_secret() -> String {
    Secret::generate().to_base32()
}

fn totp(secret: &str, account: &str) -> Option<Totp> {
    let bytes = Secret::try_from_base32(secret).ok()?;
    totp_rs::Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(bytes)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .ok()
}

/// The `otpauth://` URI an authenticator app imports.
pub fn otpauth_url(secret: &str, account: &str) -> Option<String> {
    totp(secret, account)?.to_url().ok()
}

/// The URI as an SVG QR code (markup we generate, safe to embed).
pub fn qr_svg(data: &str) -> Option<String> {
    let code = qrcode::QrCode::new(data.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build(),
    )
}

/// The time step `code` is valid for at `now_secs`, within the skew window.
pub fn matching_step(secret: &str, code: &str, now_secs: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let step = totp(secret, "user")?.check(&code, u64::try_from(now_secs).ok()?)?;
    i64::try_from(step).ok()
}

/// Fresh backup codes: the plaintext to show once, and the hashes to store.
pub fn new_backup_codes() -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..BACKUP_CODES)
        .map(|_| {
            random_token(8)
                .to_ascii_lowercase()
                .replace(['-', '_'], "x")
        })
        .collect();
    let hashes = codes.iter().map(|c| sha256_b64url(c)).collect();
    (codes, hashes)
}

pub async fn is_enrolled(storage: &Storage, user_id: &str) -> Result<bool, StorageError> {
    let id = user_id.to_owned();
    storage.run(move |c| is_enrolled_on(c, &id)).await
}

pub fn is_enrolled_on(c: &mut DbConnection, user_id: &str) -> diesel::QueryResult<bool> {
    Ok(queries::find_totp(c, user_id)?.is_some())
}

/// Verifies a TOTP code (each step once) or, failing that, a backup code (once).
pub async fn verify(
    storage: &Storage,
    user_id: &str,
    code: &str,
    now_ms: i64,
) -> Result<bool, StorageError> {
    let (id, code) = (user_id.to_owned(), code.trim().to_owned());
    storage
        .run(move |c| {
            let Some((secret, _)) = queries::find_totp(c, &id)? else {
                return Ok(false);
            };
            // A damaged authenticator stops the sign-in; it never lets a code through.
            if totp(&secret, "user").is_none() {
                return Err(Unreadable {
                    what: "TOTP secret",
                    cause: "not a valid base32 key".into(),
                }
                .into());
            }
            if let Some(step) = matching_step(&secret, &code, now_ms / 1000) {
                return queries::accept_totp_step(c, &id, step);
            }
            queries::use_backup_code(c, &id, &sha256_b64url(&code.to_ascii_lowercase()), now_ms)
        })
        .await
}

/// What became of an enrollment attempt.
#[derive(Debug)]
pub enum Enrollment {
    /// Stored: the backup codes, to show once.
    Enrolled(Vec<String>),
    /// The code does not match the pending secret.
    WrongCode,
    /// The user already has an authenticator (enrolled meanwhile): it is kept, not replaced.
    AlreadyEnrolled,
}

/// Completes an enrollment when `code` matches the pending secret and the user has no
/// authenticator yet (checked and stored in one transaction).
pub async fn enroll(
    storage: &Storage,
    user_id: &str,
    secret: &str,
    code: &str,
    now_ms: i64,
) -> Result<Enrollment, StorageError> {
    let Some(step) = matching_step(secret, code, now_ms / 1000) else {
        return Ok(Enrollment::WrongCode);
    };
    let (codes, hashes) = new_backup_codes();
    let (id, secret) = (user_id.to_owned(), secret.to_owned());
    let stored = storage
        .run(move |c| queries::enroll_totp(c, &id, &secret, step, &hashes, now_ms))
        .await?;
    Ok(if stored {
        Enrollment::Enrolled(codes)
    } else {
        Enrollment::AlreadyEnrolled
    })
}

/// The current code for a secret (tests and enrollment helpers act as an authenticator app).
pub fn current_code(secret: &str, now_secs: i64) -> Option<String> {
    Some(
        totp(secret, "user")?
            .generate(u64::try_from(now_secs).ok()?)
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_within_the_skew() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = current_code(&secret, now).expect("code");
        assert_eq!(matching_step(&secret, &code, now), Some(now / 30));
        assert_eq!(matching_step(&secret, &code, now + 30), Some(now / 30));
        assert_eq!(matching_step(&secret, &code, now + 90), None);
        assert!(otpauth_url(&secret, "a@x.io").is_some_and(|u| u.starts_with("otpauth://totp/")));
        assert!(qr_svg("otpauth://totp/x").is_some_and(|s| s.contains("<svg")));
    }
}
