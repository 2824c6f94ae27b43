//! The authorization request (`GET|POST /oidc/auth`): the encoded parameters are parsed and put
//! through every check (`oidc::authorize::validate`) against three registered applications,
//! then decided on with and without a session; a refusal sent back to the client is built
//! into its redirect.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use sesame::crypto::keys::generate_key;
use sesame::crypto::{KeySet, SigningAlg};
use sesame::identity::applications::{AppType, Application, NewApplication, register};
use sesame::oidc::authorize::{self, AuthorizeError};
use sesame::oidc::params::Params;
use sesame::storage::sessions::SessionRecord;

const NOW: i64 = 1_700_000_000_000;

/// A registered client of each kind, under a fixed id (the seeds use them).
static APPS: LazyLock<Vec<Application>> = LazyLock::new(|| {
    [
        (
            "spa",
            AppType::Spa,
            vec!["https://spa.example/cb".to_owned()],
        ),
        (
            "web",
            AppType::Traditional,
            vec![
                "https://web.example/cb".to_owned(),
                "http://127.0.0.1:8080/cb?x=1".to_owned(),
            ],
        ),
        ("m2m", AppType::M2m, Vec::new()),
    ]
    .into_iter()
    .map(|(id, app_type, redirect_uris)| {
        let new = NewApplication {
            name: id.to_owned(),
            app_type,
            redirect_uris,
            post_logout_redirect_uris: Vec::new(),
            landing_uris: Vec::new(),
            id_token_alg: SigningAlg::ES256,
            management_api: false,
            introspection: false,
        };
        let mut app = register(new, NOW).expect("a valid registration").app;
        app.id = id.to_owned();
        app
    })
    .collect()
});

static KEYS: LazyLock<KeySet> = LazyLock::new(|| {
    let key = generate_key(SigningAlg::ES256, NOW).expect("a key");
    KeySet::from_stored(&[key]).expect("a key set")
});

static SESSION: LazyLock<SessionRecord> = LazyLock::new(|| SessionRecord {
    id: "session".into(),
    token_hash: "hash".into(),
    user_id: "user".into(),
    auth_time: NOW - 60_000,
    amr: "pwd".into(),
    created_at: NOW - 60_000,
    expires_at: NOW + 3_600_000,
});

fuzz_target!(|data: &[u8]| {
    let Ok(params) = Params::parse(data) else {
        return;
    };
    // As the handler does: the client is looked up by `client_id`.
    let app = params
        .get("client_id")
        .and_then(|id| APPS.iter().find(|a| a.id == id));
    match authorize::validate(&params, app, &KEYS) {
        Ok(request) => {
            authorize::decide(&request, None, NOW);
            authorize::decide(&request, Some(&SESSION), NOW);
        }
        Err(AuthorizeError::Redirect {
            redirect_uri,
            state,
            code,
            description,
        }) => {
            let mut pairs = vec![
                ("error", code.as_str()),
                ("error_description", description.as_str()),
            ];
            if let Some(s) = &state {
                pairs.push(("state", s));
            }
            let response = authorize::redirect(&redirect_uri, &pairs);
            assert_eq!(response.status().as_u16(), 303, "{redirect_uri:?}");
        }
        Err(AuthorizeError::Page(_)) => {}
    }
});
