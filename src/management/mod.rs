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
use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::{Map, Value};

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

/// A 404 for an id that names no `what`.
pub fn not_found(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no {what} with this id"),
    )
}

/// A 400 for a field the resource does not have.
pub fn unknown_field(field: &str) -> ApiError {
    invalid(field, "is not a known field")
}

/// Refuses fields this resource does not have, so that a misspelt field is not silently ignored;
/// `prefix` goes before the field's name in the error (for nested objects).
pub fn reject_unknown(
    body: &Map<String, Value>,
    known: &[&str],
    prefix: &str,
) -> Result<(), ApiError> {
    match body.keys().find(|k| !known.contains(&k.as_str())) {
        Some(field) => Err(unknown_field(&format!("{prefix}{field}"))),
        None => Ok(()),
    }
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

/// The value of the query parameter `name` (the first, if repeated).
pub fn query_param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A search term in the query parameter `name`, trimmed; blank is no search.
pub fn search_param(query: &[(String, String)], name: &str) -> Option<String> {
    query_param(query, name)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Paging from the `page` and `page_size` query parameters: (offset, limit).
pub fn list_paging(query: &[(String, String)]) -> Result<(i64, i64), ApiError> {
    let (offset, limit, _) = paging(query_param(query, "page"), query_param(query, "page_size"))?;
    Ok((offset, limit))
}

/// A page of a list with its `Total-Number` header.
pub fn page<T: Serialize>(items: Vec<T>, total: i64) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Total-Number", total.to_string()))
        .json(items)
}

/// The answer to a `DELETE`: 204 when something was deleted, else a 404 for `what`.
pub fn deleted(deleted: bool, what: &str) -> Result<HttpResponse, ApiError> {
    if deleted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(not_found(what))
    }
}
