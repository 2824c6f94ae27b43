//! `/api/organization-roles`: the roles members hold in organizations and the organization
//! scopes each grants, shaped as Logto's Management API has them.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::organizations::{NamedResource, NamedView, id_list, new_named_record, unknown_ids};
use super::{Caller, json_object, not_found};
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::organizations::{self as queries, NamedRecord, Refused};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organization-roles", web::post().to(create))
        .route("/organization-roles", web::get().to(list))
        .route("/organization-roles/{id}", web::get().to(get))
        .route("/organization-roles/{id}", web::patch().to(update))
        .route("/organization-roles/{id}", web::delete().to(delete))
        .route("/organization-roles/{id}/scopes", web::get().to(scopes))
        .route(
            "/organization-roles/{id}/scopes",
            web::post().to(add_scopes),
        )
        .route(
            "/organization-roles/{id}/scopes",
            web::put().to(replace_scopes),
        )
        .route(
            "/organization-roles/{id}/scopes/{scope_id}",
            web::delete().to(remove_scope),
        );
}

const ROLE: &str = "organization role";
const SCOPE: &str = "organization scope";
const SCOPE_IDS: &str = "organizationScopeIds";

const ROLES: NamedResource = NamedResource {
    what: ROLE,
    find: queries::find_role,
    list: queries::list_roles,
    update: queries::update_role,
    delete: queries::delete_role,
};

#[derive(Serialize)]
struct ScopeView {
    id: String,
    name: String,
    description: Option<String>,
}

impl From<NamedRecord> for ScopeView {
    fn from(record: NamedRecord) -> Self {
        Self {
            id: record.id,
            name: record.name,
            description: record.description,
        }
    }
}

fn refused(refused: Refused) -> ApiError {
    match refused {
        Refused::Unknown(ids) => unknown_ids(SCOPE_IDS, SCOPE, &ids),
        Refused::NotLinked => not_found("organization scope granted by this role"),
        Refused::NotFound | Refused::NotMember => not_found(ROLE),
    }
}

async fn create(
    _caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    let role = new_named_record(&body, state.clock.now_ms())?;
    let scope_ids = id_list(&body, SCOPE_IDS, false, false)?;
    let created = state
        .storage
        .run(move |c| queries::insert_role(c, &role, &scope_ids))
        .await
        .map_err(|e| ROLES.storage_error(e))?
        .map_err(refused)?;
    Ok(HttpResponse::Created().json(NamedView::from(created)))
}

async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    ROLES.list(&state, &query).await
}

async fn get(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    ROLES.get(&state, id.into_inner()).await
}

async fn update(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    ROLES.update(&state, id.into_inner(), &body).await
}

async fn delete(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    ROLES.delete(&state, id.into_inner()).await
}

async fn scopes(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scopes = state
        .storage
        .run(move |c| queries::role_scopes(c, &id))
        .await?
        .ok_or_else(|| not_found(ROLE))?;
    Ok(HttpResponse::Ok().json(scopes.into_iter().map(ScopeView::from).collect::<Vec<_>>()))
}

async fn set_scopes(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
    replace: bool,
) -> Result<(), ApiError> {
    let scope_ids = id_list(&json_object(&body)?, SCOPE_IDS, true, !replace)?;
    let id = id.into_inner();
    state
        .storage
        .run(move |c| queries::set_role_scopes(c, &id, &scope_ids, replace))
        .await?
        .map_err(refused)
}

async fn add_scopes(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    set_scopes(state, id, body, false).await?;
    Ok(HttpResponse::Created().finish())
}

async fn replace_scopes(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    set_scopes(state, id, body, true).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn remove_scope(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, scope_id) = path.into_inner();
    state
        .storage
        .run(move |c| queries::remove_role_scope(c, &id, &scope_id))
        .await?
        .map_err(refused)?;
    Ok(HttpResponse::NoContent().finish())
}
