//! The `Authorization` header of the token, revocation and introspection endpoints: the
//! bytes are taken as a header value, as the HTTP parser hands it over, and read by
//! `oidc::token::client_auth::basic_credentials`.
#![no_main]

use actix_web::http::header::HeaderValue;
use libfuzzer_sys::fuzz_target;
use sesame::oidc::token::client_auth::basic_credentials;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let _ = basic_credentials(&value);
});
