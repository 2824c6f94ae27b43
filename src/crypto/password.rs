//! argon2id for human passwords only (it costs ~16 ms by design); callers run it off the executor.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::Secret;

pub fn hash_password(password: &Secret) -> Result<String, argon2::password_hash::Error> {
    Ok(Argon2::default()
        .hash_password(password.expose().as_bytes())?
        .to_string())
}

pub fn verify_password(password: &Secret, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.expose().as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Verifies against a fixed hash when the account does not exist, so that the response time
/// does not tell whether an email is registered.
pub fn verify_dummy(password: &Secret) {
    use std::sync::OnceLock;
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(hash) =
        DUMMY.get_or_init(|| hash_password(&Secret::new("not-a-real-password")).ok())
    {
        let _ = verify_password(password, hash);
    }
}
