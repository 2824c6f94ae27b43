//! Organizations as the Management API administers them: organizations, their members and the
//! roles members hold, organization roles and the scopes they grant, and the default roles of
//! just-in-time members. Membership reads and writes that sign-in also needs live in
//! [`super::memberships`] and are reused here.
//!
//! Deleting an organization, role or scope removes what hangs off it (memberships, member roles,
//! default roles, role scopes) through the schema's `ON DELETE CASCADE` foreign keys.

use diesel::prelude::*;

use super::DbConnection;
use super::memberships;
use super::pool::MultiBackend;
use super::schema::{
    organization_jit_roles, organization_member_roles, organization_members,
    organization_role_scopes, organization_roles, organization_scopes, organizations, users,
};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

diesel::define_sql_function! {
    #[sql_name = "lower"]
    fn lower_nullable(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>
}

/// A fresh id for an organization, role or scope.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// Why a write that names other rows was not made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The organization or role the request addresses does not exist.
    NotFound,
    /// The user is not a member of the organization.
    NotMember,
    /// These ids from the request name nothing.
    Unknown(Vec<String>),
    /// The role or scope to take away is not held or granted.
    NotLinked,
}

/// The result of a write that may be refused: the query ran, but the change may not have.
pub type Outcome<T> = Result<T, Refused>;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Insertable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRecord {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// A JSON object, as text.
    pub custom_data: String,
    pub created_at: i64,
}

/// What a `PATCH` changes; `None` leaves a column as it is.
#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = organizations)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    pub custom_data: Option<String>,
}

impl OrganizationChanges {
    fn is_empty(&self) -> bool {
        self.name.is_none() && self.description.is_none() && self.custom_data.is_none()
    }
}

/// An organization role or an organization scope: both have these columns.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct NamedRecord {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: i64,
}

/// What a `PATCH` of a role or scope changes.
#[derive(Clone, Debug, Default)]
pub struct NamedChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
}

impl NamedChanges {
    fn is_empty(&self) -> bool {
        self.name.is_none() && self.description.is_none()
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = organization_roles)]
struct RoleChangeset<'a> {
    name: Option<&'a str>,
    description: Option<Option<&'a str>>,
}

#[derive(AsChangeset)]
#[diesel(table_name = organization_scopes)]
struct ScopeChangeset<'a> {
    name: Option<&'a str>,
    description: Option<Option<&'a str>>,
}

/// A role as members and defaults show it.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct RoleRef {
    pub id: String,
    pub name: String,
}

/// A member of an organization with the roles held in it (sorted by name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRecord {
    pub user_id: String,
    pub email: String,
    pub name: Option<String>,
    pub roles: Vec<RoleRef>,
}

/// `%text%` for a case-insensitive LIKE, with LIKE's wildcards in `text` taken literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Ids in `wanted` that are not in `found`, in the order asked.
fn missing(wanted: &[String], found: &[String]) -> Vec<String> {
    wanted
        .iter()
        .filter(|id| !found.contains(id))
        .cloned()
        .collect()
}

fn organization_exists(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(organizations::table.find(id))).get_result(conn)
}

fn role_exists(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(organization_roles::table.find(id))).get_result(conn)
}

/// The roles among `ids` that do not exist, or nothing.
fn unknown_roles(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Outcome<()>> {
    let unknown = missing(ids, &memberships::existing_roles(conn, ids)?);
    Ok(if unknown.is_empty() {
        Ok(())
    } else {
        Err(Refused::Unknown(unknown))
    })
}

fn unknown_scopes(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Outcome<()>> {
    let found: Vec<String> = organization_scopes::table
        .filter(organization_scopes::id.eq_any(ids))
        .select(organization_scopes::id)
        .load(conn)?;
    let unknown = missing(ids, &found);
    Ok(if unknown.is_empty() {
        Ok(())
    } else {
        Err(Refused::Unknown(unknown))
    })
}

// ---------------------------------------------------------------------------------------------
// Organizations
// ---------------------------------------------------------------------------------------------

pub fn insert_organization(
    conn: &mut DbConnection,
    organization: &OrganizationRecord,
) -> QueryResult<OrganizationRecord> {
    diesel::insert_into(organizations::table)
        .values(organization)
        .returning(organizations::all_columns)
        .get_result(conn)
}

pub fn find_organization(
    conn: &mut DbConnection,
    id: &str,
) -> QueryResult<Option<OrganizationRecord>> {
    organizations::table.find(id).get_result(conn).optional()
}

fn organizations_matching(
    search: Option<&str>,
) -> organizations::BoxedQuery<'static, MultiBackend> {
    let mut query = organizations::table.into_boxed();
    if let Some(text) = search {
        query = query.filter(
            lower(organizations::name)
                .like(contains_pattern(text))
                .escape('\\'),
        );
    }
    query
}

/// A page of organizations whose name contains `search` (any case), newest first, and how
/// many match in all.
pub fn list_organizations(
    conn: &mut DbConnection,
    search: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<OrganizationRecord>, i64)> {
    let total = organizations_matching(search).count().get_result(conn)?;
    let rows = organizations_matching(search)
        .order((organizations::created_at.desc(), organizations::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

/// Applies `changes`; `None` when there is no such organization.
pub fn update_organization(
    conn: &mut DbConnection,
    id: &str,
    changes: &OrganizationChanges,
) -> QueryResult<Option<OrganizationRecord>> {
    if changes.is_empty() {
        return find_organization(conn, id);
    }
    diesel::update(organizations::table.find(id))
        .set(changes)
        .returning(organizations::all_columns)
        .get_result(conn)
        .optional()
}

/// Deletes the organization with its memberships, member roles and default roles.
pub fn delete_organization(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    Ok(diesel::delete(organizations::table.find(id)).execute(conn)? == 1)
}

// ---------------------------------------------------------------------------------------------
// Members
// ---------------------------------------------------------------------------------------------

/// Makes each of `user_ids` a member of the organization (those already members stay as they
/// are). Nothing changes when the organization or any user does not exist.
pub fn add_members(
    conn: &mut DbConnection,
    organization_id: &str,
    user_ids: &[String],
    now: i64,
) -> QueryResult<Outcome<()>> {
    conn.transaction(|conn| {
        if !organization_exists(conn, organization_id)? {
            return Ok(Err(Refused::NotFound));
        }
        let found: Vec<String> = users::table
            .filter(users::id.eq_any(user_ids))
            .select(users::id)
            .load(conn)?;
        let unknown = missing(user_ids, &found);
        if !unknown.is_empty() {
            return Ok(Err(Refused::Unknown(unknown)));
        }
        for user_id in user_ids {
            memberships::add_member_with_roles(conn, organization_id, user_id, &[], now)?;
        }
        Ok(Ok(()))
    })
}

/// Members joined to their users, boxed so a search can be added.
type MembersQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Filter<
        diesel::dsl::InnerJoin<organization_members::table, users::table>,
        diesel::dsl::Eq<organization_members::organization_id, String>,
    >,
    MultiBackend,
>;

fn members_matching(organization_id: &str, search: Option<&str>) -> MembersQuery {
    let mut query = organization_members::table
        .inner_join(users::table)
        .filter(organization_members::organization_id.eq(organization_id.to_owned()))
        .into_boxed();
    if let Some(text) = search {
        let pattern = contains_pattern(text);
        query = query.filter(
            users::email_lower
                .like(pattern.clone())
                .escape('\\')
                .or(lower_nullable(users::name).like(pattern).escape('\\')),
        );
    }
    query
}

/// A page of the organization's members whose email or name contains `search` (any case),
/// newest members first, with how many match in all; `None` when there is no such
/// organization.
pub fn list_members(
    conn: &mut DbConnection,
    organization_id: &str,
    search: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<Option<(Vec<MemberRecord>, i64)>> {
    if !organization_exists(conn, organization_id)? {
        return Ok(None);
    }
    let total = members_matching(organization_id, search)
        .count()
        .get_result(conn)?;
    let people: Vec<(String, String, Option<String>)> = members_matching(organization_id, search)
        .select((users::id, users::email, users::name))
        .order((
            organization_members::created_at.desc(),
            organization_members::user_id.asc(),
        ))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    let ids: Vec<&String> = people.iter().map(|(id, _, _)| id).collect();
    let held: Vec<(String, String, String)> = organization_member_roles::table
        .inner_join(organization_roles::table)
        .filter(
            organization_member_roles::organization_id
                .eq(organization_id)
                .and(organization_member_roles::user_id.eq_any(ids)),
        )
        .select((
            organization_member_roles::user_id,
            organization_roles::id,
            organization_roles::name,
        ))
        .order((organization_roles::name.asc(), organization_roles::id.asc()))
        .load(conn)?;
    let members = people
        .into_iter()
        .map(|(user_id, email, name)| {
            let roles = held
                .iter()
                .filter(|(holder, _, _)| *holder == user_id)
                .map(|(_, id, name)| RoleRef {
                    id: id.clone(),
                    name: name.clone(),
                })
                .collect();
            MemberRecord {
                user_id,
                email,
                name,
                roles,
            }
        })
        .collect();
    Ok(Some((members, total)))
}

/// Ends a membership with the roles held in it.
pub fn remove_member(
    conn: &mut DbConnection,
    organization_id: &str,
    user_id: &str,
) -> QueryResult<Outcome<()>> {
    conn.transaction(|conn| {
        if !organization_exists(conn, organization_id)? {
            return Ok(Err(Refused::NotFound));
        }
        let deleted = diesel::delete(
            organization_members::table.filter(
                organization_members::organization_id
                    .eq(organization_id)
                    .and(organization_members::user_id.eq(user_id)),
            ),
        )
        .execute(conn)?;
        Ok(if deleted == 1 {
            Ok(())
        } else {
            Err(Refused::NotMember)
        })
    })
}

/// Refuses unless the organization exists and `user_id` is a member of it.
fn check_member(
    conn: &mut DbConnection,
    organization_id: &str,
    user_id: &str,
) -> QueryResult<Outcome<()>> {
    if !organization_exists(conn, organization_id)? {
        return Ok(Err(Refused::NotFound));
    }
    Ok(if memberships::is_member(conn, organization_id, user_id)? {
        Ok(())
    } else {
        Err(Refused::NotMember)
    })
}

/// The roles a member holds in the organization, by name.
pub fn member_roles(
    conn: &mut DbConnection,
    organization_id: &str,
    user_id: &str,
) -> QueryResult<Outcome<Vec<RoleRef>>> {
    if let Err(refused) = check_member(conn, organization_id, user_id)? {
        return Ok(Err(refused));
    }
    organization_member_roles::table
        .inner_join(organization_roles::table)
        .filter(
            organization_member_roles::organization_id
                .eq(organization_id)
                .and(organization_member_roles::user_id.eq(user_id)),
        )
        .select((organization_roles::id, organization_roles::name))
        .order((organization_roles::name.asc(), organization_roles::id.asc()))
        .load(conn)
        .map(Ok)
}

/// Gives a member `role_ids` besides those already held (`replace` = false) or instead of
/// them (`replace` = true). Nothing changes when any role does not exist.
pub fn set_member_roles(
    conn: &mut DbConnection,
    organization_id: &str,
    user_id: &str,
    role_ids: &[String],
    replace: bool,
    now: i64,
) -> QueryResult<Outcome<()>> {
    conn.transaction(|conn| {
        if let Err(refused) = check_member(conn, organization_id, user_id)? {
            return Ok(Err(refused));
        }
        if let Err(refused) = unknown_roles(conn, role_ids)? {
            return Ok(Err(refused));
        }
        if replace {
            diesel::delete(
                organization_member_roles::table.filter(
                    organization_member_roles::organization_id
                        .eq(organization_id)
                        .and(organization_member_roles::user_id.eq(user_id)),
                ),
            )
            .execute(conn)?;
        }
        memberships::add_member_with_roles(conn, organization_id, user_id, role_ids, now)?;
        Ok(Ok(()))
    })
}

/// Takes one role from a member; refused as `NotLinked` when the member does not hold it.
pub fn remove_member_role(
    conn: &mut DbConnection,
    organization_id: &str,
    user_id: &str,
    role_id: &str,
) -> QueryResult<Outcome<()>> {
    conn.transaction(|conn| {
        if let Err(refused) = check_member(conn, organization_id, user_id)? {
            return Ok(Err(refused));
        }
        let deleted = diesel::delete(
            organization_member_roles::table.filter(
                organization_member_roles::organization_id
                    .eq(organization_id)
                    .and(organization_member_roles::user_id.eq(user_id))
                    .and(organization_member_roles::role_id.eq(role_id)),
            ),
        )
        .execute(conn)?;
        Ok(if deleted == 1 {
            Ok(())
        } else {
            Err(Refused::NotLinked)
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Default (just-in-time) roles
// ---------------------------------------------------------------------------------------------

/// The roles a just-in-time member of the organization receives, by name; `None` when there
/// is no such organization.
pub fn list_jit_roles(
    conn: &mut DbConnection,
    organization_id: &str,
) -> QueryResult<Option<Vec<RoleRef>>> {
    if !organization_exists(conn, organization_id)? {
        return Ok(None);
    }
    organization_jit_roles::table
        .inner_join(organization_roles::table)
        .filter(organization_jit_roles::organization_id.eq(organization_id))
        .select((organization_roles::id, organization_roles::name))
        .order((organization_roles::name.asc(), organization_roles::id.asc()))
        .load(conn)
        .map(Some)
}

/// Adds `role_ids` to the organization's default roles, or (`replace`) makes them the only
/// ones. Nothing changes when any role does not exist.
pub fn set_jit_roles(
    conn: &mut DbConnection,
    organization_id: &str,
    role_ids: &[String],
    replace: bool,
) -> QueryResult<Outcome<()>> {
    conn.transaction(|conn| {
        if !organization_exists(conn, organization_id)? {
            return Ok(Err(Refused::NotFound));
        }
        if let Err(refused) = unknown_roles(conn, role_ids)? {
            return Ok(Err(refused));
        }
        if replace {
            diesel::delete(
                organization_jit_roles::table
                    .filter(organization_jit_roles::organization_id.eq(organization_id)),
            )
            .execute(conn)?;
        }
        let held = memberships::jit_role_ids(conn, organization_id)?;
        for role_id in role_ids.iter().filter(|r| !held.contains(r)) {
            diesel::insert_into(organization_jit_roles::table)
                .values((
                    organization_jit_roles::organization_id.eq(organization_id),
                    organization_jit_roles::role_id.eq(role_id),
                ))
                .execute(conn)?;
        }
        Ok(Ok(()))
    })
}

/// Removes one default role; refused as `NotLinked` when it is not one of them.
pub fn remove_jit_role(
    conn: &mut DbConnection,
    organization_id: &str,
    role_id: &str,
) -> QueryResult<Outcome<()>> {
    conn.transaction(|conn| {
        if !organization_exists(conn, organization_id)? {
            return Ok(Err(Refused::NotFound));
        }
        let deleted = diesel::delete(
            organization_jit_roles::table.filter(
                organization_jit_roles::organization_id
                    .eq(organization_id)
                    .and(organization_jit_roles::role_id.eq(role_id)),
            ),
        )
        .execute(conn)?;
        Ok(if deleted == 1 {
            Ok(())
        } else {
            Err(Refused::NotLinked)
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Organization roles
// ---------------------------------------------------------------------------------------------

/// Creates a role granting `scope_ids`. A name in use is a unique violation; an unknown scope
/// refuses the whole creation.
pub fn insert_role(
    conn: &mut DbConnection,
    role: &NamedRecord,
    scope_ids: &[String],
) -> QueryResult<Outcome<NamedRecord>> {
    conn.transaction(|conn| {
        if let Err(refused) = unknown_scopes(conn, scope_ids)? {
            return Ok(Err(refused));
        }
        let created: NamedRecord = diesel::insert_into(organization_roles::table)
            .values((
                organization_roles::id.eq(&role.id),
                organization_roles::name.eq(&role.name),
                organization_roles::description.eq(&role.description),
                organization_roles::created_at.eq(role.created_at),
            ))
            .returning(organization_roles::all_columns)
            .get_result(conn)?;
        for scope_id in scope_ids {
            diesel::insert_into(organization_role_scopes::table)
                .values((
                    organization_role_scopes::role_id.eq(&created.id),
                    organization_role_scopes::scope_id.eq(scope_id),
                ))
                .execute(conn)?;
        }
        Ok(Ok(created))
    })
}

pub fn find_role(conn: &mut DbConnection, id: &str) -> QueryResult<Option<NamedRecord>> {
    organization_roles::table
        .find(id)
        .get_result(conn)
        .optional()
}

fn roles_matching(search: Option<&str>) -> organization_roles::BoxedQuery<'static, MultiBackend> {
    let mut query = organization_roles::table.into_boxed();
    if let Some(text) = search {
        query = query.filter(
            lower(organization_roles::name)
                .like(contains_pattern(text))
                .escape('\\'),
        );
    }
    query
}

/// A page of roles whose name contains `search` (any case), newest first, and the total.
pub fn list_roles(
    conn: &mut DbConnection,
    search: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<NamedRecord>, i64)> {
    let total = roles_matching(search).count().get_result(conn)?;
    let rows = roles_matching(search)
        .order((
            organization_roles::created_at.desc(),
            organization_roles::id.desc(),
        ))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

/// Applies `changes`; `None` when there is no such role. A name in use is a unique violation.
pub fn update_role(
    conn: &mut DbConnection,
    id: &str,
    changes: &NamedChanges,
) -> QueryResult<Option<NamedRecord>> {
    if changes.is_empty() {
        return find_role(conn, id);
    }
    diesel::update(organization_roles::table.find(id))
        .set(RoleChangeset {
            name: changes.name.as_deref(),
            description: changes.description.as_ref().map(Option::as_deref),
        })
        .returning(organization_roles::all_columns)
        .get_result(conn)
        .optional()
}

/// Deletes the role; members holding it and organizations giving it by default lose it.
pub fn delete_role(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    Ok(diesel::delete(organization_roles::table.find(id)).execute(conn)? == 1)
}

/// The scopes a role grants, by name; `None` when there is no such role.
pub fn role_scopes(
    conn: &mut DbConnection,
    role_id: &str,
) -> QueryResult<Option<Vec<NamedRecord>>> {
    if !role_exists(conn, role_id)? {
        return Ok(None);
    }
    organization_role_scopes::table
        .inner_join(organization_scopes::table)
        .filter(organization_role_scopes::role_id.eq(role_id))
        .select(organization_scopes::all_columns)
        .order((
            organization_scopes::name.asc(),
            organization_scopes::id.asc(),
        ))
        .load(conn)
        .map(Some)
}

/// Adds `scope_ids` to what the role grants, or (`replace`) makes them all it grants. Nothing
/// changes when the role or any scope does not exist.
pub fn set_role_scopes(
    conn: &mut DbConnection,
    role_id: &str,
    scope_ids: &[String],
    replace: bool,
) -> QueryResult<Outcome<()>> {
    conn.transaction(|conn| {
        if !role_exists(conn, role_id)? {
            return Ok(Err(Refused::NotFound));
        }
        if let Err(refused) = unknown_scopes(conn, scope_ids)? {
            return Ok(Err(refused));
        }
        if replace {
            diesel::delete(
                organization_role_scopes::table
                    .filter(organization_role_scopes::role_id.eq(role_id)),
            )
            .execute(conn)?;
        }
        let held: Vec<String> = organization_role_scopes::table
            .filter(organization_role_scopes::role_id.eq(role_id))
            .select(organization_role_scopes::scope_id)
            .load(conn)?;
        for scope_id in scope_ids.iter().filter(|s| !held.contains(s)) {
            diesel::insert_into(organization_role_scopes::table)
                .values((
                    organization_role_scopes::role_id.eq(role_id),
                    organization_role_scopes::scope_id.eq(scope_id),
                ))
                .execute(conn)?;
        }
        Ok(Ok(()))
    })
}

/// Stops the role granting one scope; refused as `NotLinked` when it does not grant it.
pub fn remove_role_scope(
    conn: &mut DbConnection,
    role_id: &str,
    scope_id: &str,
) -> QueryResult<Outcome<()>> {
    conn.transaction(|conn| {
        if !role_exists(conn, role_id)? {
            return Ok(Err(Refused::NotFound));
        }
        let deleted = diesel::delete(
            organization_role_scopes::table.filter(
                organization_role_scopes::role_id
                    .eq(role_id)
                    .and(organization_role_scopes::scope_id.eq(scope_id)),
            ),
        )
        .execute(conn)?;
        Ok(if deleted == 1 {
            Ok(())
        } else {
            Err(Refused::NotLinked)
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Organization scopes
// ---------------------------------------------------------------------------------------------

/// Creates a scope; a name in use is a unique violation.
pub fn insert_scope(conn: &mut DbConnection, scope: &NamedRecord) -> QueryResult<NamedRecord> {
    diesel::insert_into(organization_scopes::table)
        .values((
            organization_scopes::id.eq(&scope.id),
            organization_scopes::name.eq(&scope.name),
            organization_scopes::description.eq(&scope.description),
            organization_scopes::created_at.eq(scope.created_at),
        ))
        .returning(organization_scopes::all_columns)
        .get_result(conn)
}

pub fn find_scope(conn: &mut DbConnection, id: &str) -> QueryResult<Option<NamedRecord>> {
    organization_scopes::table
        .find(id)
        .get_result(conn)
        .optional()
}

fn scopes_matching(search: Option<&str>) -> organization_scopes::BoxedQuery<'static, MultiBackend> {
    let mut query = organization_scopes::table.into_boxed();
    if let Some(text) = search {
        query = query.filter(
            lower(organization_scopes::name)
                .like(contains_pattern(text))
                .escape('\\'),
        );
    }
    query
}

/// A page of scopes whose name contains `search` (any case), newest first, and the total.
pub fn list_scopes(
    conn: &mut DbConnection,
    search: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<NamedRecord>, i64)> {
    let total = scopes_matching(search).count().get_result(conn)?;
    let rows = scopes_matching(search)
        .order((
            organization_scopes::created_at.desc(),
            organization_scopes::id.desc(),
        ))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

/// Applies `changes`; `None` when there is no such scope. A name in use is a unique violation.
pub fn update_scope(
    conn: &mut DbConnection,
    id: &str,
    changes: &NamedChanges,
) -> QueryResult<Option<NamedRecord>> {
    if changes.is_empty() {
        return find_scope(conn, id);
    }
    diesel::update(organization_scopes::table.find(id))
        .set(ScopeChangeset {
            name: changes.name.as_deref(),
            description: changes.description.as_ref().map(Option::as_deref),
        })
        .returning(organization_scopes::all_columns)
        .get_result(conn)
        .optional()
}

/// Deletes the scope; roles granting it stop granting it.
pub fn delete_scope(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    Ok(diesel::delete(organization_scopes::table.find(id)).execute(conn)? == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_patterns_take_wildcards_literally() {
        assert_eq!(contains_pattern("Acme"), "%acme%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn missing_keeps_the_order_asked() {
        let wanted = ["c".to_owned(), "a".to_owned(), "b".to_owned()];
        assert_eq!(missing(&wanted, &["a".to_owned()]), ["c", "b"]);
    }
}
