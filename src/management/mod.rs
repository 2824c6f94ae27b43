//! The Management API under `/api`: JSON in camelCase, errors as `{"code", "message"}`,
//! callers authenticated by a Management API access token.

mod applications;
mod auth;
mod one_time_tokens;
mod openapi;
mod organization_roles;
mod organization_scopes;
mod organizations;
mod sign_in_exp;
mod users;

pub use auth::Caller;

use actix_web::http::StatusCode;
use actix_web::web;
use serde_json::Value;

use crate::error::ApiError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .configure(one_time_tokens::routes)
            .configure(organizations::routes)
            .configure(organization_roles::routes)
            .configure(organization_scopes::routes)
            .configure(users::routes)
            .configure(applications::routes)
            .configure(sign_in_exp::routes)
            .configure(openapi::routes)
            .default_service(web::to(|| async {
                Err::<actix_web::HttpResponse, _>(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "no such route",
                ))
            })),
    );
}

pub fn invalid(field: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_input",
        format!("{field}: {message}"),
    )
}

/// The request body as a JSON object.
pub fn json_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "the body must be a JSON object",
        )),
    }
}

/// Paging from `page` (from 1) and `page_size` (1 to 100, default 20): (offset, limit).
pub fn paging(page: Option<&str>, page_size: Option<&str>) -> Result<(i64, i64, i64), ApiError> {
    let page = match page {
        None => 1,
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| invalid("page", "must be an integer from 1"))?,
    };
    let size = match page_size {
        None => 20,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|s| (1..=100).contains(s))
            .ok_or_else(|| invalid("page_size", "must be an integer from 1 to 100"))?,
    };
    Ok(((page - 1) * size, size, page))
}
