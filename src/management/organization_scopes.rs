//! `/api/organization-scopes`: the permissions organization roles grant, shaped as Logto's
//! Management API has them.

use actix_web::{HttpResponse, web};

use super::organizations::{NamedResource, NamedView, new_named_record};
use super::{Caller, json_object};
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::organizations as queries;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organization-scopes", web::post().to(create))
        .route("/organization-scopes", web::get().to(list))
        .route("/organization-scopes/{id}", web::get().to(get))
        .route("/organization-scopes/{id}", web::patch().to(update))
        .route("/organization-scopes/{id}", web::delete().to(delete));
}

const SCOPE: &str = "organization scope";

const SCOPES: NamedResource = NamedResource {
    what: SCOPE,
    find: queries::find_scope,
    list: queries::list_scopes,
    update: queries::update_scope,
    delete: queries::delete_scope,
};

async fn create(
    _caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    let scope = new_named_record(&body, state.clock.now_ms())?;
    let created = state
        .storage
        .run(move |c| queries::insert_scope(c, &scope))
        .await
        .map_err(|e| SCOPES.storage_error(e))?;
    Ok(HttpResponse::Created().json(NamedView::from(created)))
}

async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    SCOPES.list(&state, &query).await
}

async fn get(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    SCOPES.get(&state, id.into_inner()).await
}

async fn update(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    SCOPES.update(&state, id.into_inner(), &body).await
}

async fn delete(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    SCOPES.delete(&state, id.into_inner()).await
}
