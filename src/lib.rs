//! Sesame: an OpenID Connect provider whose stand-out feature is the magic link.

pub mod config;
pub mod crypto;
pub mod error;
pub mod health;
pub mod identity;
pub mod interaction;
pub mod management;
pub mod oidc;
pub mod one_time_token;
pub mod pages;
pub mod startup;
pub mod storage;
pub mod telemetry;

/// The current time in epoch milliseconds. Read here, at the edge, and passed into domain code
/// so that expiry logic can be tested without sleeping.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
