//! `/api/organizations`: organizations, their members and the roles members hold, and the
//! default roles of just-in-time members, shaped as Logto's Management API has them.
//!
//! Also what the organization role and scope resources share: their request and response
//! types, and reading, listing, changing and deleting a resource that is a name and a
//! description.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use diesel::QueryResult;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::{self, de};
use super::{Caller, deleted, invalid, not_found, page, paging, search_term};
use crate::error::{ApiError, ApiErrorCode};
use crate::state::AppState;
use crate::storage::organizations::{
    self as queries, MemberRecord, NamedChanges, NamedRecord, OrganizationChanges,
    OrganizationRecord, Refused, RoleRef,
};
use crate::storage::{DbConnection, StorageError};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(get_one)
        .service(update)
        .service(delete_one)
        .service(add_members)
        .service(list_members)
        .service(remove_member)
        .service(member_roles)
        .service(add_member_roles)
        .service(replace_member_roles)
        .service(remove_member_role)
        .service(jit_roles)
        .service(add_jit_roles)
        .service(replace_jit_roles)
        .service(remove_jit_role);
}

// ---------------------------------------------------------------------------------------------
// Shared with organization roles and scopes
// ---------------------------------------------------------------------------------------------

const TAG: &str = "Organizations";
pub(super) const MAX_NAME_CHARS: usize = 128;
pub(super) const MAX_DESCRIPTION_CHARS: usize = 2048;

pub(super) fn name_in_use(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ApiErrorCode::NameInUse,
        format!("an {what} with this name already exists"),
    )
}

/// A 400 naming the ids in `field` that name nothing.
pub(super) fn unknown_ids(field: &str, what: &str, ids: &[String]) -> ApiError {
    invalid(field, format!("no {what} with id {}", ids.join(", ")))
}

/// `name`: a non-blank string, stored without surrounding spaces.
fn parse_name(value: &Value) -> Result<String, String> {
    let name = value
        .as_str()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or("must be a non-empty string")?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("must be at most {MAX_NAME_CHARS} characters"));
    }
    Ok(name.to_owned())
}

/// `name` of a new resource: null is "is required".
pub(super) fn required_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Err(serde::de::Error::custom("is required")),
        value => parse_name(&value).map_err(serde::de::Error::custom),
    }
}

/// `name` in a `PATCH`: absent leaves it; present must be valid.
pub(super) fn changed_name<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    parse_name(&Value::deserialize(d)?)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// `description`: null (`Some(None)`) or a string of at most 2048 characters.
pub(super) fn description<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(Some(None)),
        Value::String(s) if s.chars().count() <= MAX_DESCRIPTION_CHARS => Ok(Some(Some(s))),
        Value::String(_) => Err(serde::de::Error::custom(format!(
            "must be at most {MAX_DESCRIPTION_CHARS} characters"
        ))),
        _ => Err(serde::de::Error::custom("must be a string or null")),
    }
}

/// A list of ids a request must give (deserialized by `de::id_list`); `non_empty` refuses an
/// empty one.
pub(super) fn required_ids(
    field: &str,
    ids: Option<Vec<String>>,
    non_empty: bool,
) -> Result<Vec<String>, ApiError> {
    let ids = ids.ok_or_else(|| invalid(field, "is required"))?;
    if non_empty && ids.is_empty() {
        return Err(invalid(field, "must name at least one id"));
    }
    Ok(ids)
}

/// A new organization scope (or, with its scopes, role).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"name": "read:projects", "description": "Read projects"}))]
pub(super) struct CreateNamed {
    #[serde(deserialize_with = "required_name")]
    #[schema(min_length = 1, max_length = 128)]
    pub name: String,
    #[serde(default, deserialize_with = "description")]
    #[schema(value_type = Option<String>, max_length = 2048)]
    pub description: Option<Option<String>>,
}

impl CreateNamed {
    pub(super) fn record(self, now: i64) -> NamedRecord {
        NamedRecord {
            id: queries::new_id(),
            name: self.name,
            description: self.description.flatten(),
            created_at: now,
        }
    }
}

/// Changes to an organization role or scope; absent fields stay, a null description is
/// removed.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"description": "Renamed"}))]
pub(super) struct UpdateNamed {
    #[serde(default, deserialize_with = "changed_name")]
    #[schema(min_length = 1, max_length = 128)]
    name: Option<String>,
    #[serde(default, deserialize_with = "description")]
    #[schema(value_type = Option<String>, max_length = 2048)]
    description: Option<Option<String>>,
}

/// Query parameters of a list: `q` (blank is no search), `page` and `page_size`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct SearchQuery {
    /// Only items whose name (or a member's email or name) contains this, without regard to
    /// case.
    q: Option<String>,
    /// The page, from 1 (default 1).
    #[param(value_type = Option<i64>, minimum = 1)]
    page: Option<String>,
    /// Items per page, from 1 to 100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    page_size: Option<String>,
}

/// A search query checked: (search, offset, limit).
type Search = (Option<String>, i64, i64);

impl SearchQuery {
    pub(super) fn check(&self) -> Result<Search, ApiError> {
        let (offset, limit) = paging(self.page.as_deref(), self.page_size.as_deref())?;
        Ok((search_term(self.q.as_deref()), offset, limit))
    }
}

/// An organization role or scope as the API shows it.
#[derive(Serialize, ToSchema)]
#[schema(as = OrganizationRoleOrScope)]
#[serde(rename_all = "camelCase")]
pub(super) struct NamedView {
    id: String,
    name: String,
    description: Option<String>,
    /// Milliseconds since the Unix epoch.
    created_at: i64,
}

impl From<NamedRecord> for NamedView {
    fn from(record: NamedRecord) -> Self {
        Self {
            id: record.id,
            name: record.name,
            description: record.description,
            created_at: record.created_at,
        }
    }
}

/// A page of named records and how many there are in all.
pub(super) type NamedPage = (Vec<NamedRecord>, i64);

/// A resource that is a unique name and a description (organization roles and scopes): what
/// its errors call one, and its queries.
pub(super) struct NamedResource {
    pub what: &'static str,
    pub find: fn(&mut DbConnection, &str) -> QueryResult<Option<NamedRecord>>,
    /// A page (search, offset, limit) and the total.
    pub list: fn(&mut DbConnection, Option<&str>, i64, i64) -> QueryResult<NamedPage>,
    pub update: fn(&mut DbConnection, &str, &NamedChanges) -> QueryResult<Option<NamedRecord>>,
    pub delete: fn(&mut DbConnection, &str) -> QueryResult<bool>,
}

impl NamedResource {
    /// A taken name is a 422; other storage errors stay what they are.
    pub(super) fn storage_error(&self, e: StorageError) -> ApiError {
        if e.is_unique_violation() {
            name_in_use(self.what)
        } else {
            e.into()
        }
    }

    pub(super) async fn list(
        &self,
        state: &AppState,
        query: &SearchQuery,
    ) -> Result<HttpResponse, ApiError> {
        let (search, offset, limit) = query.check()?;
        let query = self.list;
        let (rows, total) = state
            .storage
            .run(move |c| query(c, search.as_deref(), offset, limit))
            .await?;
        Ok(page(rows.into_iter().map(NamedView::from).collect(), total))
    }

    pub(super) async fn get(&self, state: &AppState, id: String) -> Result<HttpResponse, ApiError> {
        let find = self.find;
        let record = state
            .storage
            .run(move |c| find(c, &id))
            .await?
            .ok_or_else(|| not_found(self.what))?;
        Ok(HttpResponse::Ok().json(NamedView::from(record)))
    }

    /// A `PATCH` of the name and description.
    pub(super) async fn update(
        &self,
        state: &AppState,
        id: String,
        body: &[u8],
    ) -> Result<HttpResponse, ApiError> {
        let request: UpdateNamed = body::parse(body)?;
        let changes = NamedChanges {
            name: request.name,
            description: request.description,
        };
        let query = self.update;
        let record = state
            .storage
            .run(move |c| query(c, &id, &changes))
            .await
            .map_err(|e| self.storage_error(e))?
            .ok_or_else(|| not_found(self.what))?;
        Ok(HttpResponse::Ok().json(NamedView::from(record)))
    }

    pub(super) async fn delete(
        &self,
        state: &AppState,
        id: String,
    ) -> Result<HttpResponse, ApiError> {
        let delete = self.delete;
        let done = state.storage.run(move |c| delete(c, &id)).await?;
        deleted(done, self.what)
    }
}

/// An organization role, briefly.
#[derive(Serialize, ToSchema)]
#[schema(as = OrganizationRoleRef)]
pub(super) struct RoleView {
    id: String,
    name: String,
}

impl From<RoleRef> for RoleView {
    fn from(role: RoleRef) -> Self {
        Self {
            id: role.id,
            name: role.name,
        }
    }
}

pub(super) fn role_views(roles: Vec<RoleRef>) -> Vec<RoleView> {
    roles.into_iter().map(RoleView::from).collect()
}

/// Organization roles to add, or to have instead of the current ones.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"organizationRoleIds": []}))]
pub(super) struct RoleIds {
    #[serde(default, deserialize_with = "de::id_list")]
    #[schema(value_type = Vec<String>, required = true, max_items = 1000)]
    organization_role_ids: Option<Vec<String>>,
}

impl RoleIds {
    /// The roles named: at least one, unless they are to `replace` the current ones.
    pub(super) fn ids(self, replace: bool) -> Result<Vec<String>, ApiError> {
        required_ids(ROLE_IDS, self.organization_role_ids, !replace)
    }
}

// ---------------------------------------------------------------------------------------------
// Organizations
// ---------------------------------------------------------------------------------------------

const ORGANIZATION: &str = "organization";
const ROLE_IDS: &str = "organizationRoleIds";

#[derive(Serialize, ToSchema)]
#[schema(as = Organization)]
#[serde(rename_all = "camelCase")]
struct OrganizationView {
    id: String,
    name: String,
    description: Option<String>,
    /// Free-form data kept with the organization.
    #[schema(value_type = Object)]
    custom_data: Value,
    /// Milliseconds since the Unix epoch.
    created_at: i64,
}

impl From<OrganizationRecord> for OrganizationView {
    fn from(record: OrganizationRecord) -> Self {
        Self {
            custom_data: serde_json::from_str(&record.custom_data)
                .unwrap_or_else(|_| Value::Object(Map::new())),
            id: record.id,
            name: record.name,
            description: record.description,
            created_at: record.created_at,
        }
    }
}

/// A new organization.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "name": "Acme", "description": "The Acme company", "customData": {"plan": "gold"}
}))]
pub(super) struct CreateOrganization {
    #[serde(deserialize_with = "required_name")]
    #[schema(min_length = 1, max_length = 128)]
    name: String,
    #[serde(default, deserialize_with = "description")]
    #[schema(value_type = Option<String>, max_length = 2048)]
    description: Option<Option<String>>,
    /// Absent or null: `{}`.
    #[serde(default, deserialize_with = "de::optional_object")]
    #[schema(value_type = Option<Object>)]
    custom_data: Option<Map<String, Value>>,
}

/// Changes to an organization; absent fields stay, a null description is removed, a null
/// `customData` is `{}`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"description": "Renamed"}))]
pub(super) struct UpdateOrganization {
    #[serde(default, deserialize_with = "changed_name")]
    #[schema(min_length = 1, max_length = 128)]
    name: Option<String>,
    #[serde(default, deserialize_with = "description")]
    #[schema(value_type = Option<String>, max_length = 2048)]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_object")]
    #[schema(value_type = Option<Object>)]
    custom_data: Option<Option<Map<String, Value>>>,
}

/// Create an organization
#[utoipa::path(
    operation_id = "createOrganization",
    tag = TAG,
    request_body = CreateOrganization,
    responses((status = 201, description = "The organization.", body = OrganizationView)),
)]
#[post("/organizations")]
async fn create(
    _caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: CreateOrganization = body::parse(&body)?;
    let record = OrganizationRecord {
        id: queries::new_id(),
        name: request.name,
        description: request.description.flatten(),
        custom_data: Value::Object(request.custom_data.unwrap_or_default()).to_string(),
        created_at: state.clock.now_ms(),
    };
    let created = state
        .storage
        .run(move |c| queries::insert_organization(c, &record))
        .await?;
    Ok(HttpResponse::Created().json(OrganizationView::from(created)))
}

/// List organizations
#[utoipa::path(
    operation_id = "listOrganizations",
    tag = TAG,
    params(SearchQuery),
    responses(
        (status = 200, description = "A page of organizations.", body = Vec<OrganizationView>,
         headers(("Total-Number" = i64, description = "How many match in all."))),
    ),
)]
#[get("/organizations")]
async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let (search, offset, limit) = query.check()?;
    let (rows, total) = state
        .storage
        .run(move |c| queries::list_organizations(c, search.as_deref(), offset, limit))
        .await?;
    Ok(page(
        rows.into_iter().map(OrganizationView::from).collect(),
        total,
    ))
}

/// Get an organization
#[utoipa::path(
    operation_id = "getOrganization",
    tag = TAG,
    params(("id" = String, Path, description = "The organization's id.")),
    responses((status = 200, description = "The organization.", body = OrganizationView)),
)]
#[get("/organizations/{id}")]
async fn get_one(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = state
        .storage
        .run(move |c| queries::find_organization(c, &id))
        .await?
        .ok_or_else(|| not_found(ORGANIZATION))?;
    Ok(HttpResponse::Ok().json(OrganizationView::from(record)))
}

/// Change an organization
#[utoipa::path(
    operation_id = "updateOrganization",
    tag = TAG,
    params(("id" = String, Path, description = "The organization's id.")),
    request_body = UpdateOrganization,
    responses((status = 200, description = "The changed organization.",
               body = OrganizationView)),
)]
#[patch("/organizations/{id}")]
async fn update(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: UpdateOrganization = body::parse(&body)?;
    let changes = OrganizationChanges {
        name: request.name,
        description: request.description,
        custom_data: request
            .custom_data
            .map(|data| Value::Object(data.unwrap_or_default()).to_string()),
    };
    let id = id.into_inner();
    let record = state
        .storage
        .run(move |c| queries::update_organization(c, &id, &changes))
        .await?
        .ok_or_else(|| not_found(ORGANIZATION))?;
    Ok(HttpResponse::Ok().json(OrganizationView::from(record)))
}

/// Delete an organization
#[utoipa::path(
    operation_id = "deleteOrganization",
    tag = TAG,
    params(("id" = String, Path, description = "The organization's id.")),
    responses((status = 204, description = "Deleted.")),
)]
#[delete("/organizations/{id}")]
async fn delete_one(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let done = state
        .storage
        .run(move |c| queries::delete_organization(c, &id))
        .await?;
    deleted(done, ORGANIZATION)
}

// ---------------------------------------------------------------------------------------------
// Members
// ---------------------------------------------------------------------------------------------

/// A member of an organization with the organization roles they hold there.
#[derive(Serialize, ToSchema)]
#[schema(as = OrganizationMember)]
#[serde(rename_all = "camelCase")]
struct MemberView {
    id: String,
    primary_email: String,
    name: Option<String>,
    organization_roles: Vec<RoleView>,
}

impl From<MemberRecord> for MemberView {
    fn from(member: MemberRecord) -> Self {
        Self {
            id: member.user_id,
            primary_email: member.email,
            name: member.name,
            organization_roles: role_views(member.roles),
        }
    }
}

/// Users to add as members.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"userIds": ["a-user-id"]}))]
pub(super) struct UserIds {
    #[serde(default, deserialize_with = "de::id_list")]
    #[schema(value_type = Vec<String>, required = true, min_items = 1, max_items = 1000)]
    user_ids: Option<Vec<String>>,
}

impl UserIds {
    /// The users named: at least one.
    pub(super) fn ids(self) -> Result<Vec<String>, ApiError> {
        required_ids("userIds", self.user_ids, true)
    }
}

/// The API error for a refused change; `field` names the ids of the body.
fn refused(refused: Refused, field: &str, what: &str) -> ApiError {
    match refused {
        Refused::NotFound => not_found(ORGANIZATION),
        Refused::NotMember => ApiError::new(
            StatusCode::NOT_FOUND,
            ApiErrorCode::NotFound,
            "the user is not a member of this organization",
        ),
        Refused::Unknown(ids) => unknown_ids(field, what, &ids),
        Refused::NotLinked => ApiError::new(
            StatusCode::NOT_FOUND,
            ApiErrorCode::NotFound,
            format!("the {what} is not assigned here"),
        ),
    }
}

fn role_refused(r: Refused) -> ApiError {
    refused(r, ROLE_IDS, "organization role")
}

/// Add members to an organization
#[utoipa::path(
    operation_id = "addOrganizationMembers",
    tag = TAG,
    params(("id" = String, Path, description = "The organization's id.")),
    request_body = UserIds,
    responses((status = 201, description = "Added (members already there stay).")),
)]
#[post("/organizations/{id}/users")]
async fn add_members(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: UserIds = body::parse(&body)?;
    let user_ids = request.ids()?;
    let id = id.into_inner();
    let now = state.clock.now_ms();
    state
        .storage
        .run(move |c| queries::add_members(c, &id, &user_ids, now))
        .await?
        .map_err(|r| refused(r, "userIds", "user"))?;
    Ok(HttpResponse::Created().finish())
}

/// List the members of an organization
#[utoipa::path(
    operation_id = "listOrganizationMembers",
    tag = TAG,
    params(("id" = String, Path, description = "The organization's id."), SearchQuery),
    responses(
        (status = 200, description = "A page of members with their roles.",
         body = Vec<MemberView>,
         headers(("Total-Number" = i64, description = "How many match in all."))),
    ),
)]
#[get("/organizations/{id}/users")]
async fn list_members(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let (search, offset, limit) = query.check()?;
    let id = id.into_inner();
    let (members, total) = state
        .storage
        .run(move |c| queries::list_members(c, &id, search.as_deref(), offset, limit))
        .await?
        .ok_or_else(|| not_found(ORGANIZATION))?;
    Ok(page(
        members.into_iter().map(MemberView::from).collect(),
        total,
    ))
}

/// Remove a member from an organization
#[utoipa::path(
    operation_id = "removeOrganizationMember",
    tag = TAG,
    params(
        ("id" = String, Path, description = "The organization's id."),
        ("userId" = String, Path, description = "The member's user id."),
    ),
    responses((status = 204, description = "Removed, with their roles here.")),
)]
#[delete("/organizations/{id}/users/{userId}")]
async fn remove_member(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id) = path.into_inner();
    state
        .storage
        .run(move |c| queries::remove_member(c, &id, &user_id))
        .await?
        .map_err(|r| refused(r, "userId", "user"))?;
    Ok(HttpResponse::NoContent().finish())
}

/// List a member's organization roles
#[utoipa::path(
    operation_id = "listOrganizationMemberRoles",
    tag = TAG,
    params(
        ("id" = String, Path, description = "The organization's id."),
        ("userId" = String, Path, description = "The member's user id."),
    ),
    responses((status = 200, description = "The member's roles here.", body = Vec<RoleView>)),
)]
#[get("/organizations/{id}/users/{userId}/roles")]
async fn member_roles(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id) = path.into_inner();
    let roles = state
        .storage
        .run(move |c| queries::member_roles(c, &id, &user_id))
        .await?
        .map_err(role_refused)?;
    Ok(HttpResponse::Ok().json(role_views(roles)))
}

async fn set_member_roles(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    replace: bool,
) -> Result<(), ApiError> {
    let request: RoleIds = body::parse(&body)?;
    let role_ids = request.ids(replace)?;
    let (id, user_id) = path.into_inner();
    let now = state.clock.now_ms();
    state
        .storage
        .run(move |c| queries::set_member_roles(c, &id, &user_id, &role_ids, replace, now))
        .await?
        .map_err(role_refused)
}

/// Give a member organization roles
#[utoipa::path(
    operation_id = "addOrganizationMemberRoles",
    tag = TAG,
    params(
        ("id" = String, Path, description = "The organization's id."),
        ("userId" = String, Path, description = "The member's user id."),
    ),
    request_body(content = RoleIds, description = "At least one role."),
    responses((status = 201, description = "Added (roles already held stay).")),
)]
#[post("/organizations/{id}/users/{userId}/roles")]
async fn add_member_roles(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    set_member_roles(state, path, body, false).await?;
    Ok(HttpResponse::Created().finish())
}

/// Replace a member's organization roles
#[utoipa::path(
    operation_id = "replaceOrganizationMemberRoles",
    tag = TAG,
    params(
        ("id" = String, Path, description = "The organization's id."),
        ("userId" = String, Path, description = "The member's user id."),
    ),
    request_body(content = RoleIds, description = "The roles to hold; may be empty."),
    responses((status = 204, description = "Replaced.")),
)]
#[put("/organizations/{id}/users/{userId}/roles")]
async fn replace_member_roles(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    set_member_roles(state, path, body, true).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take an organization role from a member
#[utoipa::path(
    operation_id = "removeOrganizationMemberRole",
    tag = TAG,
    params(
        ("id" = String, Path, description = "The organization's id."),
        ("userId" = String, Path, description = "The member's user id."),
        ("roleId" = String, Path, description = "The organization role's id."),
    ),
    responses((status = 204, description = "Removed.")),
)]
#[delete("/organizations/{id}/users/{userId}/roles/{roleId}")]
async fn remove_member_role(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id, role_id) = path.into_inner();
    state
        .storage
        .run(move |c| queries::remove_member_role(c, &id, &user_id, &role_id))
        .await?
        .map_err(role_refused)?;
    Ok(HttpResponse::NoContent().finish())
}

// ---------------------------------------------------------------------------------------------
// Default roles of just-in-time members
// ---------------------------------------------------------------------------------------------

/// List the default roles of just-in-time members
#[utoipa::path(
    operation_id = "listOrganizationJitRoles",
    tag = TAG,
    params(("id" = String, Path, description = "The organization's id.")),
    responses((status = 200, description = "The roles people joining just in time get.",
               body = Vec<RoleView>)),
)]
#[get("/organizations/{id}/jit/roles")]
async fn jit_roles(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let roles = state
        .storage
        .run(move |c| queries::list_jit_roles(c, &id))
        .await?
        .ok_or_else(|| not_found(ORGANIZATION))?;
    Ok(HttpResponse::Ok().json(role_views(roles)))
}

async fn set_jit_roles(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
    replace: bool,
) -> Result<(), ApiError> {
    let request: RoleIds = body::parse(&body)?;
    let role_ids = request.ids(replace)?;
    let id = id.into_inner();
    state
        .storage
        .run(move |c| queries::set_jit_roles(c, &id, &role_ids, replace))
        .await?
        .map_err(role_refused)
}

/// Add default roles of just-in-time members
#[utoipa::path(
    operation_id = "addOrganizationJitRoles",
    tag = TAG,
    params(("id" = String, Path, description = "The organization's id.")),
    request_body(content = RoleIds, description = "At least one role."),
    responses((status = 201, description = "Added.")),
)]
#[post("/organizations/{id}/jit/roles")]
async fn add_jit_roles(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    set_jit_roles(state, id, body, false).await?;
    Ok(HttpResponse::Created().finish())
}

/// Replace the default roles of just-in-time members
#[utoipa::path(
    operation_id = "replaceOrganizationJitRoles",
    tag = TAG,
    params(("id" = String, Path, description = "The organization's id.")),
    request_body(content = RoleIds, description = "The roles to give; may be empty."),
    responses((status = 204, description = "Replaced.")),
)]
#[put("/organizations/{id}/jit/roles")]
async fn replace_jit_roles(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    set_jit_roles(state, id, body, true).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove a default role of just-in-time members
#[utoipa::path(
    operation_id = "removeOrganizationJitRole",
    tag = TAG,
    params(
        ("id" = String, Path, description = "The organization's id."),
        ("roleId" = String, Path, description = "The organization role's id."),
    ),
    responses((status = 204, description = "Removed.")),
)]
#[delete("/organizations/{id}/jit/roles/{roleId}")]
async fn remove_jit_role(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, role_id) = path.into_inner();
    state
        .storage
        .run(move |c| queries::remove_jit_role(c, &id, &role_id))
        .await?
        .map_err(role_refused)?;
    Ok(HttpResponse::NoContent().finish())
}
