//! `/api/organizations`: organizations, their members and the roles members hold, and the
//! default roles of just-in-time members, shaped as Logto's Management API has them.
//!
//! Also what the organization role and scope resources share: body parsing, and reading,
//! listing, changing and deleting a resource that is a name and a description.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use diesel::QueryResult;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Caller, deleted, invalid, json_object, list_paging, not_found, page, search_param};
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::organizations::{
    self as queries, MemberRecord, NamedChanges, NamedRecord, OrganizationChanges,
    OrganizationRecord, Refused, RoleRef,
};
use crate::storage::{DbConnection, StorageError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations", web::post().to(create))
        .route("/organizations", web::get().to(list))
        .route("/organizations/{id}", web::get().to(get))
        .route("/organizations/{id}", web::patch().to(update))
        .route("/organizations/{id}", web::delete().to(delete))
        .route("/organizations/{id}/users", web::post().to(add_members))
        .route("/organizations/{id}/users", web::get().to(list_members))
        .route(
            "/organizations/{id}/users/{user_id}",
            web::delete().to(remove_member),
        )
        .route(
            "/organizations/{id}/users/{user_id}/roles",
            web::get().to(member_roles),
        )
        .route(
            "/organizations/{id}/users/{user_id}/roles",
            web::post().to(add_member_roles),
        )
        .route(
            "/organizations/{id}/users/{user_id}/roles",
            web::put().to(replace_member_roles),
        )
        .route(
            "/organizations/{id}/users/{user_id}/roles/{role_id}",
            web::delete().to(remove_member_role),
        )
        .route("/organizations/{id}/jit/roles", web::get().to(jit_roles))
        .route(
            "/organizations/{id}/jit/roles",
            web::post().to(add_jit_roles),
        )
        .route(
            "/organizations/{id}/jit/roles",
            web::put().to(replace_jit_roles),
        )
        .route(
            "/organizations/{id}/jit/roles/{role_id}",
            web::delete().to(remove_jit_role),
        );
}

// ---------------------------------------------------------------------------------------------
// Shared with organization roles and scopes
// ---------------------------------------------------------------------------------------------

pub(super) const MAX_NAME_CHARS: usize = 128;
pub(super) const MAX_DESCRIPTION_CHARS: usize = 2048;
/// How many ids one request may name.
pub(super) const MAX_IDS: usize = 1000;

pub(super) fn name_in_use(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "name_in_use",
        format!("an {what} with this name already exists"),
    )
}

/// A 400 naming the ids in `field` that name nothing.
pub(super) fn unknown_ids(field: &str, what: &str, ids: &[String]) -> ApiError {
    invalid(field, format!("no {what} with id {}", ids.join(", ")))
}

/// `name`: a non-blank string, stored without surrounding spaces.
pub(super) fn parse_name(value: &Value) -> Result<String, ApiError> {
    let name = value
        .as_str()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| invalid("name", "must be a non-empty string"))?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(name.to_owned())
}

pub(super) fn required_name(body: &Map<String, Value>) -> Result<String, ApiError> {
    match body.get("name") {
        None | Some(Value::Null) => Err(invalid("name", "is required")),
        Some(value) => parse_name(value),
    }
}

/// A new organization role or scope from the `name` and `description` of a `POST`.
pub(super) fn new_named_record(
    body: &Map<String, Value>,
    now: i64,
) -> Result<NamedRecord, ApiError> {
    Ok(NamedRecord {
        id: queries::new_id(),
        name: required_name(body)?,
        description: description(body)?.flatten(),
        created_at: now,
    })
}

/// `name` in a `PATCH`: absent leaves it; present must be valid.
pub(super) fn changed_name(body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    body.get("name").map(parse_name).transpose()
}

/// `description`: absent (`None`), `null` (`Some(None)`) or a string.
pub(super) fn description(body: &Map<String, Value>) -> Result<Option<Option<String>>, ApiError> {
    match body.get("description") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) if s.chars().count() <= MAX_DESCRIPTION_CHARS => {
            Ok(Some(Some(s.clone())))
        }
        Some(Value::String(_)) => Err(invalid(
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        )),
        Some(_) => Err(invalid("description", "must be a string or null")),
    }
}

/// A list of ids in `field`, without repeats, in the order given. `required` makes an absent
/// field an error; `non_empty` an empty list.
pub(super) fn id_list(
    body: &Map<String, Value>,
    field: &str,
    required: bool,
    non_empty: bool,
) -> Result<Vec<String>, ApiError> {
    let items = match body.get(field) {
        None | Some(Value::Null) if required => return Err(invalid(field, "is required")),
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid(field, "must be a list of ids")),
    };
    if non_empty && items.is_empty() {
        return Err(invalid(field, "must name at least one id"));
    }
    if items.len() > MAX_IDS {
        return Err(invalid(field, format!("must name at most {MAX_IDS} ids")));
    }
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let id = item
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid(field, "must be a list of non-empty string ids"))?;
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_owned());
        }
    }
    Ok(ids)
}

/// Query parameters of a list: `q` (blank is no search), `page` and `page_size`.
pub(super) struct ListQuery {
    pub search: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

impl ListQuery {
    pub(super) fn parse(query: &[(String, String)]) -> Result<Self, ApiError> {
        let (offset, limit) = list_paging(query)?;
        Ok(Self {
            search: search_param(query, "q"),
            offset,
            limit,
        })
    }
}

/// An organization role or scope as the API shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct NamedView {
    id: String,
    name: String,
    description: Option<String>,
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
        query: &[(String, String)],
    ) -> Result<HttpResponse, ApiError> {
        let ListQuery {
            search,
            offset,
            limit,
        } = ListQuery::parse(query)?;
        let list = self.list;
        let (rows, total) = state
            .storage
            .run(move |c| list(c, search.as_deref(), offset, limit))
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
        let body = json_object(body)?;
        let changes = NamedChanges {
            name: changed_name(&body)?,
            description: description(&body)?,
        };
        let update = self.update;
        let record = state
            .storage
            .run(move |c| update(c, &id, &changes))
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

#[derive(Serialize)]
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

// ---------------------------------------------------------------------------------------------
// Organizations
// ---------------------------------------------------------------------------------------------

const ORGANIZATION: &str = "organization";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrganizationView {
    id: String,
    name: String,
    description: Option<String>,
    custom_data: Value,
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

/// `customData`: an object, stored as JSON text.
fn custom_data(value: &Value) -> Result<String, ApiError> {
    match value {
        Value::Object(_) => Ok(value.to_string()),
        _ => Err(invalid("customData", "must be an object")),
    }
}

async fn create(
    _caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    let record = OrganizationRecord {
        id: queries::new_id(),
        name: required_name(&body)?,
        description: description(&body)?.flatten(),
        custom_data: match body.get("customData") {
            None | Some(Value::Null) => "{}".to_owned(),
            Some(value) => custom_data(value)?,
        },
        created_at: state.clock.now_ms(),
    };
    let created = state
        .storage
        .run(move |c| queries::insert_organization(c, &record))
        .await?;
    Ok(HttpResponse::Created().json(OrganizationView::from(created)))
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
        .run(move |c| queries::list_organizations(c, search.as_deref(), offset, limit))
        .await?;
    Ok(page(
        rows.into_iter().map(OrganizationView::from).collect(),
        total,
    ))
}

async fn get(
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

async fn update(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    let changes = OrganizationChanges {
        name: changed_name(&body)?,
        description: description(&body)?,
        custom_data: match body.get("customData") {
            None => None,
            Some(Value::Null) => Some("{}".to_owned()),
            Some(value) => Some(custom_data(value)?),
        },
    };
    let id = id.into_inner();
    let record = state
        .storage
        .run(move |c| queries::update_organization(c, &id, &changes))
        .await?
        .ok_or_else(|| not_found(ORGANIZATION))?;
    Ok(HttpResponse::Ok().json(OrganizationView::from(record)))
}

async fn delete(
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

#[derive(Serialize)]
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

const ROLE_IDS: &str = "organizationRoleIds";

/// The API error for a refused change; `field` names the ids of the body.
fn refused(refused: Refused, field: &str, what: &str) -> ApiError {
    match refused {
        Refused::NotFound => not_found(ORGANIZATION),
        Refused::NotMember => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "the user is not a member of this organization",
        ),
        Refused::Unknown(ids) => unknown_ids(field, what, &ids),
        Refused::NotLinked => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("the {what} is not assigned here"),
        ),
    }
}

async fn add_members(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let user_ids = id_list(&json_object(&body)?, "userIds", true, true)?;
    let id = id.into_inner();
    let now = state.clock.now_ms();
    state
        .storage
        .run(move |c| queries::add_members(c, &id, &user_ids, now))
        .await?
        .map_err(|r| refused(r, "userIds", "user"))?;
    Ok(HttpResponse::Created().finish())
}

async fn list_members(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let ListQuery {
        search,
        offset,
        limit,
    } = ListQuery::parse(&query)?;
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
        .map_err(|r| refused(r, ROLE_IDS, "organization role"))?;
    Ok(HttpResponse::Ok().json(role_views(roles)))
}

async fn set_member_roles(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    replace: bool,
) -> Result<(), ApiError> {
    let role_ids = id_list(&json_object(&body)?, ROLE_IDS, true, !replace)?;
    let (id, user_id) = path.into_inner();
    let now = state.clock.now_ms();
    state
        .storage
        .run(move |c| queries::set_member_roles(c, &id, &user_id, &role_ids, replace, now))
        .await?
        .map_err(|r| refused(r, ROLE_IDS, "organization role"))
}

async fn add_member_roles(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    set_member_roles(state, path, body, false).await?;
    Ok(HttpResponse::Created().finish())
}

async fn replace_member_roles(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    set_member_roles(state, path, body, true).await?;
    Ok(HttpResponse::NoContent().finish())
}

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
        .map_err(|r| refused(r, ROLE_IDS, "organization role"))?;
    Ok(HttpResponse::NoContent().finish())
}

// ---------------------------------------------------------------------------------------------
// Default roles of just-in-time members
// ---------------------------------------------------------------------------------------------

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
    let role_ids = id_list(&json_object(&body)?, ROLE_IDS, true, !replace)?;
    let id = id.into_inner();
    state
        .storage
        .run(move |c| queries::set_jit_roles(c, &id, &role_ids, replace))
        .await?
        .map_err(|r| refused(r, ROLE_IDS, "organization role"))
}

async fn add_jit_roles(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    set_jit_roles(state, id, body, false).await?;
    Ok(HttpResponse::Created().finish())
}

async fn replace_jit_roles(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    set_jit_roles(state, id, body, true).await?;
    Ok(HttpResponse::NoContent().finish())
}

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
        .map_err(|r| refused(r, ROLE_IDS, "organization role"))?;
    Ok(HttpResponse::NoContent().finish())
}
