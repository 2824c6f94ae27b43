//! The hosted pages' form bodies (`POST /interaction/{uid}/...`): the first byte picks the
//! form, the rest is its body, read and checked as the form's handler does
//! (`interaction::HostedForm::check`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame::interaction::HostedForm;

/// The interaction's CSRF value the seeds carry.
const CSRF: &str = "csrf";
const NOW_SECS: i64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let form = HostedForm::ALL[usize::from(pick) % HostedForm::ALL.len()];
    let _ = form.check(body, CSRF, NOW_SECS);
});
