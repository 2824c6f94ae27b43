//! The Management API under `/api`: JSON in camelCase, errors as `{"code", "message"}`,
//! callers authenticated by a Management API access token.
//!
//! Every operation is a handler annotated with `#[utoipa::path]` and registered through
//! `utoipa_actix_web`, so the routes served and the OpenAPI description (`openapi.rs`) come
//! from the same registration.

mod applications;
mod auth;
mod body;
mod one_time_tokens;
mod openapi;
mod organization_roles;
mod organization_scopes;
mod organizations;
mod request_bodies;
mod sign_in_exp;
mod users;

pub use auth::Caller;
pub use openapi::document;
pub use request_bodies::RequestBody;

use std::collections::HashSet;
use std::rc::Rc;

use actix_web::dev::{Service, ServiceRequest};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, ApiErrorCode};

pub fn routes(cfg: &mut web::ServiceConfig) {
    let scope = utoipa_actix_web::scope(web::scope("/api")).configure(operations);
    let document = openapi::Document::from_scope(&scope);
    let documented = Rc::new(document.patterns.clone());
    cfg.service(scope.map(|scope| {
        scope
            .app_data(web::Data::new(document))
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(ApiError::new(
                    StatusCode::NOT_FOUND,
                    ApiErrorCode::NotFound,
                    "no such route",
                ))
            }))
            .wrap_fn(move |req, srv| match undocumented(&documented, &req) {
                Some(refusal) => Box::pin(std::future::ready(Ok(req.error_response(refusal)))),
                None => srv.call(req),
            })
    }));
}

/// A route registered on the scope but missing from the document (only possible by going
/// around `operations`) is refused with a 500 in debug builds, so that its first test fails;
/// release builds log it and serve it.
fn undocumented(documented: &HashSet<String>, req: &ServiceRequest) -> Option<ApiError> {
    let pattern = req.match_pattern()?;
    if pattern == "/api" || documented.contains(&pattern) {
        return None;
    }
    tracing::error!(%pattern, "a Management API route is missing from the OpenAPI document");
    cfg!(debug_assertions).then(|| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiErrorCode::InternalError,
            format!("{pattern} is not in the OpenAPI document"),
        )
    })
}

/// Every operation of the API, with its documentation.
fn operations(cfg: &mut ServiceConfig) {
    cfg.configure(one_time_tokens::routes)
        .configure(organizations::routes)
        .configure(organization_roles::routes)
        .configure(organization_scopes::routes)
        .configure(users::routes)
        .configure(applications::routes)
        .configure(sign_in_exp::routes)
        .configure(openapi::routes);
}

pub fn invalid(field: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ApiErrorCode::InvalidInput,
        format!("{field}: {message}"),
    )
}

/// A 404 for an id that names no `what`.
pub fn not_found(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ApiErrorCode::NotFound,
        format!("no {what} with this id"),
    )
}

/// `page` and `page_size` of a list, as given (checked by [`paging`]).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The page, from 1 (default 1).
    #[param(value_type = Option<i64>, minimum = 1)]
    pub page: Option<String>,
    /// Items per page, from 1 to 100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub page_size: Option<String>,
}

/// Paging from `page` (from 1) and `page_size` (1 to 100, default 20): (offset, limit).
pub fn paging(page: Option<&str>, page_size: Option<&str>) -> Result<(i64, i64), ApiError> {
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
    // A page far beyond any list would overflow the offset (a panic in debug builds).
    let offset = (page - 1)
        .checked_mul(size)
        .ok_or_else(|| invalid("page", "is too large"))?;
    Ok((offset, size))
}

/// A search term, trimmed; blank is no search.
pub fn search_term(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
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
