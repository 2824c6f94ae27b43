//! The Management API's request bodies: the first byte picks the operation's body, the rest
//! is the JSON, parsed and checked as the handlers do (`management::RequestBody::check`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame::management::RequestBody;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let kind = RequestBody::ALL[usize::from(pick) % RequestBody::ALL.len()];
    if let Err(e) = kind.check(body) {
        // Every refusal is a 4xx (a 5xx here would be a bug on a request path).
        assert!(
            e.status.is_client_error(),
            "{kind:?}: {} {}",
            e.status,
            e.message
        );
    }
});
