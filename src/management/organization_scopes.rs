//! `/api/organization-scopes`: the permissions organization roles grant, shaped as Logto's
//! Management API has them.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::Caller;
use super::body;
use super::organizations::{CreateNamed, NamedResource, NamedView, SearchQuery, UpdateNamed};
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::organizations as queries;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(get_one)
        .service(update)
        .service(delete_one);
}

const TAG: &str = "Organization scopes";
const SCOPE: &str = "organization scope";

const SCOPES: NamedResource = NamedResource {
    what: SCOPE,
    find: queries::find_scope,
    list: queries::list_scopes,
    update: queries::update_scope,
    delete: queries::delete_scope,
};

/// Create an organization scope
#[utoipa::path(
    operation_id = "createOrganizationScope",
    tag = TAG,
    request_body = CreateNamed,
    responses(
        (status = 201, description = "The scope.", body = NamedView),
        (status = 422, description = "`name_in_use`.", body = crate::error::ApiErrorBody),
    ),
)]
#[post("/organization-scopes")]
async fn create(
    _caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: CreateNamed = body::parse(&body)?;
    let scope = request.record(state.clock.now_ms());
    let created = state
        .storage
        .run(move |c| queries::insert_scope(c, &scope))
        .await
        .map_err(|e| SCOPES.storage_error(e))?;
    Ok(HttpResponse::Created().json(NamedView::from(created)))
}

/// List organization scopes
#[utoipa::path(
    operation_id = "listOrganizationScopes",
    tag = TAG,
    params(SearchQuery),
    responses(
        (status = 200, description = "A page of scopes.", body = Vec<NamedView>,
         headers(("Total-Number" = i64, description = "How many match in all."))),
    ),
)]
#[get("/organization-scopes")]
async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    SCOPES.list(&state, &query).await
}

/// Get an organization scope
#[utoipa::path(
    operation_id = "getOrganizationScope",
    tag = TAG,
    params(("id" = String, Path, description = "The scope's id.")),
    responses((status = 200, description = "The scope.", body = NamedView)),
)]
#[get("/organization-scopes/{id}")]
async fn get_one(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    SCOPES.get(&state, id.into_inner()).await
}

/// Change an organization scope
#[utoipa::path(
    operation_id = "updateOrganizationScope",
    tag = TAG,
    params(("id" = String, Path, description = "The scope's id.")),
    request_body = UpdateNamed,
    responses(
        (status = 200, description = "The changed scope.", body = NamedView),
        (status = 422, description = "`name_in_use`.", body = crate::error::ApiErrorBody),
    ),
)]
#[patch("/organization-scopes/{id}")]
async fn update(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    SCOPES.update(&state, id.into_inner(), &body).await
}

/// Delete an organization scope
#[utoipa::path(
    operation_id = "deleteOrganizationScope",
    tag = TAG,
    params(("id" = String, Path, description = "The scope's id.")),
    responses((status = 204, description = "Deleted; roles no longer grant it.")),
)]
#[delete("/organization-scopes/{id}")]
async fn delete_one(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    SCOPES.delete(&state, id.into_inner()).await
}
