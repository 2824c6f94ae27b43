//! Sesame's integration tests: one binary, a module per capability. Every test starts a real
//! server on 127.0.0.1 (port 0) over a fresh SQLite file or PostgreSQL database and speaks HTTP
//! to it, as a user of the system would.

#[macro_use]
mod common;

mod applications_api;
mod attack_account_enumeration;
mod attack_ambiguous_amr;
mod attack_authenticator_replacement;
mod attack_cookie_tossing;
mod attack_interaction_race;
mod attack_introspection_by_anyone;
mod attack_logout_csrf;
mod attack_mail_links_to_any_site;
mod attack_mail_scanner;
mod attack_overflowing_numbers;
mod attack_parallel_password_guessing;
mod attack_pre_hijacked_account;
mod attack_refresh_token_race;
mod attack_secrets_in_logs;
mod attack_stay_skips_checks;
mod attack_stolen_interaction_url;
mod attack_unbounded_input;
mod attack_unreadable_mfa_settings;
mod authorize;
mod browsers;
mod cleanup;
mod cli;
mod db_outage;
mod first_start;
mod grants;
mod hosted_sign_in;
mod languages;
mod layers;
mod link_half_done;
mod magic_links;
mod mail;
mod metrics;
mod mfa;
mod multi_instance;
mod oidc_flow;
mod one_time_tokens_api;
mod openapi;
mod organizations_api;
mod organizations_flow;
mod password_reset;
mod rate_limits;
mod shutdown;
mod sign_in_exp_api;
mod users_api;
mod verified_sign_up;
