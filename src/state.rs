//! The state every request handler shares. It sits below all the handlers and above nothing
//! but the domain, crypto and storage layers, so handlers never import the module that wires
//! the routes.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Settings;
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
}
