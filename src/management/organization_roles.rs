//! `/api/organization-roles`: the roles members hold in organizations and the organization
//! scopes each grants, shaped as Logto's Management API has them.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::{self, de};
use super::organizations::{
    CreateNamed, NamedResource, NamedView, SearchQuery, UpdateNamed, description, required_ids,
    required_name, unknown_ids,
};
use super::{Caller, not_found};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use crate::storage::organizations::{self as queries, NamedRecord, Refused};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(get_one)
        .service(update)
        .service(delete_one)
        .service(scopes)
        .service(add_scopes)
        .service(replace_scopes)
        .service(remove_scope);
}

const TAG: &str = "Organization roles";
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

/// An organization scope a role grants.
#[derive(Serialize, ToSchema)]
#[schema(as = OrganizationScopeRef)]
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

/// A new organization role and the organization scopes it grants.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "name": "admin", "description": "Administers the organization", "organizationScopeIds": []
}))]
pub(super) struct CreateRole {
    #[serde(deserialize_with = "required_name")]
    #[schema(min_length = 1, max_length = 128)]
    name: String,
    #[serde(default, deserialize_with = "description")]
    #[schema(value_type = Option<String>, max_length = 2048)]
    description: Option<Option<String>>,
    /// Absent or null: none.
    #[serde(default, deserialize_with = "de::id_list")]
    #[schema(value_type = Option<Vec<String>>, max_items = 1000)]
    organization_scope_ids: Option<Vec<String>>,
}

/// Organization scopes to grant, or to grant instead of the current ones.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"organizationScopeIds": []}))]
pub(super) struct ScopeIds {
    #[serde(default, deserialize_with = "de::id_list")]
    #[schema(value_type = Vec<String>, required = true, max_items = 1000)]
    organization_scope_ids: Option<Vec<String>>,
}

impl ScopeIds {
    /// The scopes named: at least one, unless they are to `replace` the current ones.
    pub(super) fn ids(self, replace: bool) -> Result<Vec<String>, ApiError> {
        required_ids(SCOPE_IDS, self.organization_scope_ids, !replace)
    }
}

fn refused(refused: Refused) -> ApiError {
    match refused {
        Refused::Unknown(ids) => unknown_ids(SCOPE_IDS, SCOPE, &ids),
        Refused::NotLinked => not_found("organization scope granted by this role"),
        Refused::NotFound | Refused::NotMember => not_found(ROLE),
    }
}

/// Create an organization role
#[utoipa::path(
    operation_id = "createOrganizationRole",
    tag = TAG,
    request_body = CreateRole,
    responses(
        (status = 201, description = "The role.", body = NamedView),
        (status = 422, description = "`name_in_use`.", body = ApiErrorBody),
    ),
)]
#[post("/organization-roles")]
async fn create(
    _caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: CreateRole = body::parse(&body)?;
    let named = CreateNamed {
        name: request.name,
        description: request.description,
    };
    let role = named.record(state.clock.now_ms());
    let scope_ids = request.organization_scope_ids.unwrap_or_default();
    let created = state
        .storage
        .run(move |c| queries::insert_role(c, &role, &scope_ids))
        .await
        .map_err(|e| ROLES.storage_error(e))?
        .map_err(refused)?;
    Ok(HttpResponse::Created().json(NamedView::from(created)))
}

/// List organization roles
#[utoipa::path(
    operation_id = "listOrganizationRoles",
    tag = TAG,
    params(SearchQuery),
    responses(
        (status = 200, description = "A page of roles.", body = Vec<NamedView>,
         headers(("Total-Number" = i64, description = "How many match in all."))),
    ),
)]
#[get("/organization-roles")]
async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    ROLES.list(&state, &query).await
}

/// Get an organization role
#[utoipa::path(
    operation_id = "getOrganizationRole",
    tag = TAG,
    params(("id" = String, Path, description = "The role's id.")),
    responses((status = 200, description = "The role.", body = NamedView)),
)]
#[get("/organization-roles/{id}")]
async fn get_one(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    ROLES.get(&state, id.into_inner()).await
}

/// Change an organization role
#[utoipa::path(
    operation_id = "updateOrganizationRole",
    tag = TAG,
    params(("id" = String, Path, description = "The role's id.")),
    request_body = UpdateNamed,
    responses(
        (status = 200, description = "The changed role.", body = NamedView),
        (status = 422, description = "`name_in_use`.", body = ApiErrorBody),
    ),
)]
#[patch("/organization-roles/{id}")]
async fn update(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    ROLES.update(&state, id.into_inner(), &body).await
}

/// Delete an organization role
#[utoipa::path(
    operation_id = "deleteOrganizationRole",
    tag = TAG,
    params(("id" = String, Path, description = "The role's id.")),
    responses((status = 204, description = "Deleted; members no longer hold it.")),
)]
#[delete("/organization-roles/{id}")]
async fn delete_one(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    ROLES.delete(&state, id.into_inner()).await
}

/// List the organization scopes a role grants
#[utoipa::path(
    operation_id = "listOrganizationRoleScopes",
    tag = TAG,
    params(("id" = String, Path, description = "The role's id.")),
    responses((status = 200, description = "The scopes.", body = Vec<ScopeView>)),
)]
#[get("/organization-roles/{id}/scopes")]
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
    let request: ScopeIds = body::parse(&body)?;
    let scope_ids = request.ids(replace)?;
    let id = id.into_inner();
    state
        .storage
        .run(move |c| queries::set_role_scopes(c, &id, &scope_ids, replace))
        .await?
        .map_err(refused)
}

/// Grant organization scopes with a role
#[utoipa::path(
    operation_id = "addOrganizationRoleScopes",
    tag = TAG,
    params(("id" = String, Path, description = "The role's id.")),
    request_body(content = ScopeIds, description = "At least one scope."),
    responses((status = 201, description = "Added (scopes already granted stay).")),
)]
#[post("/organization-roles/{id}/scopes")]
async fn add_scopes(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    set_scopes(state, id, body, false).await?;
    Ok(HttpResponse::Created().finish())
}

/// Replace the organization scopes a role grants
#[utoipa::path(
    operation_id = "replaceOrganizationRoleScopes",
    tag = TAG,
    params(("id" = String, Path, description = "The role's id.")),
    request_body(content = ScopeIds, description = "The scopes to grant; may be empty."),
    responses((status = 204, description = "Replaced.")),
)]
#[put("/organization-roles/{id}/scopes")]
async fn replace_scopes(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    set_scopes(state, id, body, true).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Stop granting an organization scope with a role
#[utoipa::path(
    operation_id = "removeOrganizationRoleScope",
    tag = TAG,
    params(
        ("id" = String, Path, description = "The role's id."),
        ("scopeId" = String, Path, description = "The scope's id."),
    ),
    responses((status = 204, description = "Removed.")),
)]
#[delete("/organization-roles/{id}/scopes/{scopeId}")]
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
