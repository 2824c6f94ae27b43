//! Sesame: an OpenID Connect provider whose stand-out feature is the magic link.

pub mod cleanup;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod error;
pub mod health;
pub mod i18n;
pub mod identity;
pub mod interaction;
pub mod mail;
pub mod management;
pub mod oidc;
pub mod one_time_token;
pub mod pages;
pub mod startup;
pub mod state;
pub mod storage;
pub mod telemetry;
