//! The state every request handler shares. It sits below all the handlers and above nothing
//! but the domain, crypto and storage layers, so handlers never import the module that wires
//! the routes.

use std::net::IpAddr;
use std::sync::Arc;

use actix_web::HttpRequest;
use actix_web::http::header::X_FORWARDED_FOR;

use crate::clock::Clock;
use crate::config::Settings;
use crate::crypto::PasswordHasher;
use crate::crypto::keys::Keys;
use crate::identity::applications::ClientCache;
use crate::storage::Storage;

/// Everything a request handler may need, shared by all workers.
pub struct AppState {
    pub settings: Settings,
    pub storage: Storage,
    pub keys: Keys,
    pub clients: ClientCache,
    pub issuer: String,
    /// The discovery document, serialized once.
    pub discovery: Arc<[u8]>,
    /// The one source of "now": tests move it forward instead of sleeping.
    pub clock: Arc<Clock>,
    /// The password threads: argon2id a few at a time, off the executor.
    pub passwords: PasswordHasher,
    /// Wakes this instance's mail sender when a request queued a mail.
    pub mail_queued: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// The address of the client that sent `req`, as `trusted_proxies` lets us know it; the
    /// one source of a client IP for rate limits and the audit log.
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let forwarded: Vec<&str> = req
            .headers()
            .get_all(X_FORWARDED_FOR)
            .filter_map(|v| v.to_str().ok())
            .collect();
        let peer = req.peer_addr().map(|a| a.ip());
        self.settings.trusted_proxies.client_ip(peer, &forwarded)
    }
}

/// [`AppState::client_ip`] for code that holds only the request.
pub fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    let state = req.app_data::<actix_web::web::Data<AppState>>()?;
    state.client_ip(req)
}
