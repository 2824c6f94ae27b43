//! An authenticator app for the tests: TOTP codes computed from a secret as a phone computes
//! them (wall clock), and the secret read off the enrollment page.

use sesame::identity::mfa::current_code;

pub fn now_secs() -> i64 {
    super::now_ms() / 1000
}

/// The code an authenticator app shows now for `secret`.
pub fn code_now(secret: &str) -> String {
    code_at(secret, now_secs())
}

/// The code for `secret` at `secs` (a step ahead is still within the server's skew).
pub fn code_at(secret: &str, secs: i64) -> String {
    current_code(secret, secs).expect("TOTP code")
}

/// The TOTP secret an enrollment page shows, if it shows one.
pub fn totp_secret(html: &str) -> Option<String> {
    let marker = "<code id=\"totp-secret\">";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('<')?;
    Some(html[start..start + end].trim().to_owned())
}
