//! What an operator starting Sesame for the first time needs to read: which public URL (and so
//! which issuer) is announced, and, on an empty database, how to go on from there.

use crate::config::{PublicUrl, Settings};
use crate::crypto::SigningAlg;
use crate::storage::{Storage, StorageError, keys as key_queries};

/// The database has never been served from: no signing key exists yet (the first `serve`
/// creates them).
pub fn is_first_start(storage: &Storage) -> Result<bool, StorageError> {
    for alg in SigningAlg::ALL {
        if storage.run_blocking(|c| key_queries::count_active_keys(c, alg.as_str()))? > 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Says where an unset public URL came from: relying parties must reach the issuer there.
pub fn log_public_url(settings: &Settings, how: PublicUrl) {
    match how {
        PublicUrl::Configured => {}
        PublicUrl::FollowsBind => tracing::info!(
            public_url = %settings.public_url,
            "no public_url is configured: it follows the address listened on; set \
             --public-url (or SESAME_PUBLIC_URL) to the URL clients use"
        ),
        PublicUrl::Loopback => tracing::info!(
            public_url = %settings.public_url,
            bind = %settings.bind,
            "no public_url is configured and every interface is listened on: the public URL \
             names the loopback address, which only this machine reaches; set --public-url \
             (or SESAME_PUBLIC_URL) to the URL clients use"
        ),
    }
}

/// The first steps, as exact commands. The database URL is not repeated: it may hold a
/// password.
pub fn log_hints(settings: &Settings) {
    let base = &settings.public_url;
    tracing::info!("first start on an empty database; signing keys were created");
    tracing::info!(
        "discovery: {}/.well-known/openid-configuration",
        settings.issuer()
    );
    tracing::info!(
        "create an application (a single-page app here; --help lists the types): \
         sesame app create --name \"My app\" --type spa --redirect-uri http://127.0.0.1:5173/callback"
    );
    tracing::info!(
        "create a Management API client: sesame app create --name \"Management\" --type m2m \
         --management-api (prints its id and secret once)"
    );
    tracing::info!(
        "get a Management API token: POST {base}/oidc/token with \
         grant_type=client_credentials, resource={base}/api, scope=all and that client's id \
         and secret"
    );
    tracing::info!(
        "create a user: sesame user create --email you@example.com --password '...'; run these \
         commands with the same --config or --database-url as this server"
    );
}
