//! Organization membership as sign-in and tokens need it: provisioning members (just in time,
//! e.g. from a magic link), and reading what a member may do.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    organization_jit_roles, organization_member_roles, organization_members,
    organization_role_scopes, organization_roles, organization_scopes, organizations,
};

/// Ids among `ids` that name existing organizations.
pub fn existing_organizations(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<String>> {
    organizations::table
        .filter(organizations::id.eq_any(ids))
        .select(organizations::id)
        .load(conn)
}

/// Ids among `ids` that name existing organization roles.
pub fn existing_roles(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<String>> {
    organization_roles::table
        .filter(organization_roles::id.eq_any(ids))
        .select(organization_roles::id)
        .load(conn)
}

pub fn is_member(
    conn: &mut DbConnection,
    organization_id: &str,
    user_id: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        organization_members::table.filter(
            organization_members::organization_id
                .eq(organization_id)
                .and(organization_members::user_id.eq(user_id)),
        ),
    ))
    .get_result(conn)
}

/// Makes `user_id` a member (if not already) and adds `role_ids` it does not have yet.
pub fn add_member_with_roles(
    conn: &mut DbConnection,
    organization_id: &str,
    user_id: &str,
    role_ids: &[String],
    now: i64,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        if !is_member(conn, organization_id, user_id)? {
            diesel::insert_into(organization_members::table)
                .values((
                    organization_members::organization_id.eq(organization_id),
                    organization_members::user_id.eq(user_id),
                    organization_members::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        let held: Vec<String> = organization_member_roles::table
            .filter(
                organization_member_roles::organization_id
                    .eq(organization_id)
                    .and(organization_member_roles::user_id.eq(user_id)),
            )
            .select(organization_member_roles::role_id)
            .load(conn)?;
        for role_id in role_ids.iter().filter(|r| !held.contains(r)) {
            diesel::insert_into(organization_member_roles::table)
                .values((
                    organization_member_roles::organization_id.eq(organization_id),
                    organization_member_roles::user_id.eq(user_id),
                    organization_member_roles::role_id.eq(role_id),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// The default roles a just-in-time member of `organization_id` receives.
pub fn jit_role_ids(conn: &mut DbConnection, organization_id: &str) -> QueryResult<Vec<String>> {
    organization_jit_roles::table
        .filter(organization_jit_roles::organization_id.eq(organization_id))
        .select(organization_jit_roles::role_id)
        .load(conn)
}

/// A user's organizations with the names of the roles held in each, sorted by organization id.
pub fn memberships(
    conn: &mut DbConnection,
    user_id: &str,
) -> QueryResult<Vec<(String, Vec<String>)>> {
    let orgs: Vec<String> = organization_members::table
        .filter(organization_members::user_id.eq(user_id))
        .select(organization_members::organization_id)
        .order(organization_members::organization_id.asc())
        .load(conn)?;
    let roles: Vec<(String, String)> = organization_member_roles::table
        .inner_join(organization_roles::table)
        .filter(organization_member_roles::user_id.eq(user_id))
        .select((
            organization_member_roles::organization_id,
            organization_roles::name,
        ))
        .order((
            organization_member_roles::organization_id.asc(),
            organization_roles::name.asc(),
        ))
        .load(conn)?;
    Ok(orgs
        .into_iter()
        .map(|org| {
            let names = roles
                .iter()
                .filter(|(o, _)| *o == org)
                .map(|(_, n)| n.clone())
                .collect();
            (org, names)
        })
        .collect())
}

/// The organization scopes (permission names) a member's roles grant, or `None` when
/// `user_id` is not a member.
pub fn member_scopes(
    conn: &mut DbConnection,
    organization_id: &str,
    user_id: &str,
) -> QueryResult<Option<Vec<String>>> {
    if !is_member(conn, organization_id, user_id)? {
        return Ok(None);
    }
    let mut names: Vec<String> = organization_member_roles::table
        .inner_join(
            organization_role_scopes::table
                .on(organization_role_scopes::role_id.eq(organization_member_roles::role_id)),
        )
        .inner_join(
            organization_scopes::table
                .on(organization_scopes::id.eq(organization_role_scopes::scope_id)),
        )
        .filter(
            organization_member_roles::organization_id
                .eq(organization_id)
                .and(organization_member_roles::user_id.eq(user_id)),
        )
        .select(organization_scopes::name)
        .load(conn)?;
    names.sort();
    names.dedup();
    Ok(Some(names))
}
