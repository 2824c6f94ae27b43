use actix_web::{HttpResponse, web};
use diesel::connection::SimpleConnection;

use crate::error::retry_after;
use crate::state::AppState;
use crate::storage::StorageError;

/// `GET /health`: 200 when the database answers; 503 with `Retry-After` and what is wrong
/// (`"database": "unavailable"` or `"overloaded"`) otherwise, within `db_timeout_ms`.
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    match state
        .storage
        .run(|conn| conn.batch_execute("SELECT 1"))
        .await
    {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({"status": "ok"})),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            let database = match e {
                StorageError::Overloaded => "overloaded",
                _ => "unavailable",
            };
            let mut response = HttpResponse::ServiceUnavailable();
            retry_after(
                &mut response,
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            );
            response.json(serde_json::json!({"status": "unavailable", "database": database}))
        }
    }
}
