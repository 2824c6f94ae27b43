//! `/api/organization-scopes`: the permissions organization roles grant, shaped as Logto's
//! Management API has them.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::organizations::{
    ListQuery, changed_name, description, name_in_use, not_found, page, required_name,
};
use super::{Caller, json_object};
use crate::error::ApiError;
use crate::startup::AppState;
use crate::storage::StorageError;
use crate::storage::organizations::{self as queries, NamedChanges, NamedRecord};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organization-scopes", web::post().to(create))
        .route("/organization-scopes", web::get().to(list))
        .route("/organization-scopes/{id}", web::get().to(get))
        .route("/organization-scopes/{id}", web::patch().to(update))
        .route("/organization-scopes/{id}", web::delete().to(delete));
}

const SCOPE: &str = "organization scope";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScopeView {
    id: String,
    name: String,
    description: Option<String>,
    created_at: i64,
}

impl From<NamedRecord> for ScopeView {
    fn from(record: NamedRecord) -> Self {
        Self {
            id: record.id,
            name: record.name,
            description: record.description,
            created_at: record.created_at,
        }
    }
}

fn storage_error(e: StorageError) -> ApiError {
    if e.is_unique_violation() {
        name_in_use(SCOPE)
    } else {
        e.into()
    }
}

async fn create(
    _caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    let scope = NamedRecord {
        id: queries::new_id(),
        name: required_name(&body)?,
        description: description(&body)?.flatten(),
        created_at: crate::now_ms(),
    };
    let created = state
        .storage
        .run(move |c| queries::insert_scope(c, &scope))
        .await
        .map_err(storage_error)?;
    Ok(HttpResponse::Created().json(ScopeView::from(created)))
}

async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let ListQuery {
        search,
        offset,
        limit,
    } = ListQuery::parse(&query)?;
    let (rows, total) = state
        .storage
        .run(move |c| queries::list_scopes(c, search.as_deref(), offset, limit))
        .await?;
    Ok(page(rows.into_iter().map(ScopeView::from).collect(), total))
}

async fn get(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = state
        .storage
        .run(move |c| queries::find_scope(c, &id))
        .await?
        .ok_or_else(|| not_found(SCOPE))?;
    Ok(HttpResponse::Ok().json(ScopeView::from(record)))
}

async fn update(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    let changes = NamedChanges {
        name: changed_name(&body)?,
        description: description(&body)?,
    };
    let id = id.into_inner();
    let record = state
        .storage
        .run(move |c| queries::update_scope(c, &id, &changes))
        .await
        .map_err(storage_error)?
        .ok_or_else(|| not_found(SCOPE))?;
    Ok(HttpResponse::Ok().json(ScopeView::from(record)))
}

async fn delete(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if state
        .storage
        .run(move |c| queries::delete_scope(c, &id))
        .await?
    {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(not_found(SCOPE))
    }
}
