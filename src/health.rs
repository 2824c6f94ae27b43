use actix_web::{HttpResponse, web};
use diesel::connection::SimpleConnection;

use crate::state::AppState;

/// `GET /health`: 200 when the database answers, 503 otherwise.
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    match state
        .storage
        .run(|conn| conn.batch_execute("SELECT 1"))
        .await
    {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({"status": "ok"})),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "unavailable"}))
        }
    }
}
