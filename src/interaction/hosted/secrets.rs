//! What a hosted sign-in mail carries, all drawn from one random token: the link's token
//! itself (256 bits; only its SHA-256 is stored), the 6-digit code (an HMAC of the token, so
//! the link's page can show it in another browser without the code being stored anywhere),
//! and the key that seals the interaction's id in the row (the link's page needs the id to go
//! on; the database alone does not give it away).

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::crypto::{constant_time_eq, random_token, sha256_b64url};

/// The link's token: 32 random bytes, base64url.
pub fn new_token() -> String {
    random_token(32)
}

/// Longer than any token [`new_token`] draws; a longer `token` parameter is refused unread.
pub const MAX_TOKEN_CHARS: usize = 64;

fn mac(token: &str, purpose: &str) -> hmac::Tag {
    let key = hmac::Key::new(hmac::HMAC_SHA256, token.as_bytes());
    hmac::sign(&key, purpose.as_bytes())
}

/// The 6-digit code of `token` (leading zeros kept). 64 bits reduced modulo 10^6: the bias
/// is below 10^-13.
pub fn code_of(token: &str) -> String {
    let tag = mac(token, "sesame hosted sign-in: code");
    let mut first = [0u8; 8];
    first.copy_from_slice(&tag.as_ref()[..8]);
    format!("{:06}", u64::from_be_bytes(first) % 1_000_000)
}

/// What is stored of the code of row `id`.
pub fn code_hash(id: &str, code: &str) -> String {
    sha256_b64url(&format!("hosted-code:{id}:{code}"))
}

/// Whether `typed` (spaces ignored) is the code whose hash is `stored`, compared in constant
/// time. Anything but six digits matches nothing.
pub fn code_matches(id: &str, typed: &str, stored: &str) -> bool {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    typed.len() == 6
        && typed.chars().all(|c| c.is_ascii_digit())
        && constant_time_eq(&code_hash(id, &typed), stored)
}

/// `uid` sealed with `token`: XOR with an HMAC of the token (a one-time pad: each token seals
/// one id). `None` for an id longer than the pad (ids are 32 characters).
pub fn seal_uid(token: &str, uid: &str) -> Option<String> {
    let pad = mac(token, "sesame hosted sign-in: interaction id");
    let pad = pad.as_ref();
    (uid.len() <= pad.len()).then(|| {
        let sealed: Vec<u8> = uid.bytes().zip(pad).map(|(b, p)| b ^ p).collect();
        URL_SAFE_NO_PAD.encode(sealed)
    })
}

/// The interaction id sealed in `sealed`, checked against the stored `interaction_hash`.
pub fn open_uid(token: &str, sealed: &str, interaction_hash: &str) -> Option<String> {
    let pad = mac(token, "sesame hosted sign-in: interaction id");
    let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    let uid: Vec<u8> = bytes.iter().zip(pad.as_ref()).map(|(b, p)| b ^ p).collect();
    let uid = String::from_utf8(uid).ok()?;
    constant_time_eq(&sha256_b64url(&uid), interaction_hash).then_some(uid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_six_digits_of_the_token_and_checked_whole() {
        let token = new_token();
        let code = code_of(&token);
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(code_of(&token), code, "the same token, the same code");
        let stored = code_hash("row", &code);
        assert!(code_matches("row", &code, &stored));
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(code_matches("row", &spaced, &stored));
        assert!(!code_matches("other-row", &code, &stored));
        assert!(!code_matches("row", &code[..5], &stored));
        assert!(!code_matches("row", "", &stored));
        // Different tokens, different codes (almost always: 20 tokens, one collision in 10^4).
        let codes: std::collections::BTreeSet<String> =
            (0..20).map(|_| code_of(&new_token())).collect();
        assert!(codes.len() >= 19);
    }

    #[test]
    fn the_sealed_id_opens_only_with_its_token() {
        let (token, uid) = (new_token(), random_token(24));
        let sealed = seal_uid(&token, &uid).expect("fits");
        assert!(!sealed.contains(&uid));
        let hash = sha256_b64url(&uid);
        assert_eq!(
            open_uid(&token, &sealed, &hash).as_deref(),
            Some(uid.as_str())
        );
        assert_eq!(open_uid(&new_token(), &sealed, &hash), None);
        assert_eq!(open_uid(&token, "not base64!", &hash), None);
        assert_eq!(seal_uid(&token, &"x".repeat(33)), None);
    }
}
