//! `GET /metrics` (Prometheus text format): on the main address, or, when `metrics_bind` is
//! set, only on that address, which then serves nothing else. Both addresses are listeners of
//! the one server (same workers, same graceful shutdown); a request is told apart by the local
//! address its connection was accepted on.

use std::net::SocketAddr;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use crate::state::AppState;
use crate::telemetry::metrics;

/// The path metrics are served at.
pub const PATH: &str = "/metrics";

/// The address `/metrics` is served on alone (app data, present when `metrics_bind` is set).
#[derive(Clone, Copy, Debug)]
pub struct MetricsListener(pub SocketAddr);

impl MetricsListener {
    /// Whether a connection accepted at the local address `local` came through this listener.
    /// A listener on every interface (`0.0.0.0:9100`) sees its connections at the interface's
    /// own address, so only its port tells; no other listener can have that port then.
    fn accepted(self, local: SocketAddr) -> bool {
        if self.0.ip().is_unspecified() {
            self.0.port() == local.port()
        } else {
            self.0 == local
        }
    }
}

/// The current metrics, with the database's load read just now.
fn answer(state: &AppState) -> HttpResponse {
    let load = state.storage.load();
    metrics::db_load(load.queued, load.connections, load.idle);
    HttpResponse::Ok()
        .content_type(metrics::CONTENT_TYPE)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(metrics::render())
}

/// `GET /metrics` on the main address (registered only when `metrics_bind` is not set).
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    answer(&state)
}

/// Outermost: a request that came through the metrics listener gets the metrics (`GET
/// /metrics`) or a 404, and never reaches the rest of the app; every other request goes on.
pub async fn metrics_listener_serves_only_metrics(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let ours = req
        .app_data::<MetricsListener>()
        .is_some_and(|listener| listener.accepted(req.app_config().local_addr()));
    if !ours {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let state = req.app_data::<web::Data<AppState>>();
    let response = match state {
        Some(state) if req.path() == PATH && req.method() == Method::GET => answer(state),
        _ => HttpResponse::NotFound().finish(),
    };
    Ok(req.into_response(response).map_into_right_body())
}
