//! Just-in-time organization membership carried by a magic link's `context`:
//! `jitOrganizationIds` joins organizations with their default JIT roles, and
//! `jitOrganizationRoles: {orgId: [roleId, ..]}` joins with the roles chosen for this link.

use serde_json::Value;

use crate::storage::DbConnection;
use crate::storage::memberships;

/// One organization to join, with the link's own roles or `None` for the defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JitTarget {
    pub organization_id: String,
    pub role_ids: Option<Vec<String>>,
}

/// Reads the targets from a token context; the error names the offending field.
pub fn jit_targets(context: &Value) -> Result<Vec<JitTarget>, (String, String)> {
    let mut targets: Vec<JitTarget> = Vec::new();
    if let Some(ids) = context.get("jitOrganizationIds") {
        let ids = ids
            .as_array()
            .filter(|a| a.iter().all(|v| v.as_str().is_some_and(|s| !s.is_empty())))
            .ok_or_else(|| {
                (
                    "context.jitOrganizationIds".to_owned(),
                    "must be a list of organization ids".to_owned(),
                )
            })?;
        for id in ids.iter().filter_map(Value::as_str) {
            if !targets.iter().any(|t| t.organization_id == id) {
                targets.push(JitTarget {
                    organization_id: id.to_owned(),
                    role_ids: None,
                });
            }
        }
    }
    if let Some(roles) = context.get("jitOrganizationRoles") {
        let field = "context.jitOrganizationRoles".to_owned();
        let map = roles.as_object().ok_or_else(|| {
            (
                field.clone(),
                "must map organization ids to lists of role ids".to_owned(),
            )
        })?;
        for (org, role_ids) in map {
            let role_ids: Vec<String> = role_ids
                .as_array()
                .filter(|a| a.iter().all(|v| v.as_str().is_some_and(|s| !s.is_empty())))
                .ok_or_else(|| {
                    (
                        format!("{field}.{org}"),
                        "must be a list of role ids".to_owned(),
                    )
                })?
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            match targets.iter_mut().find(|t| t.organization_id == *org) {
                Some(t) => t.role_ids = Some(role_ids),
                None => targets.push(JitTarget {
                    organization_id: org.clone(),
                    role_ids: Some(role_ids),
                }),
            }
        }
    }
    Ok(targets)
}

/// The first organization or role id that does not exist, if any.
pub fn first_unknown_on(
    conn: &mut DbConnection,
    targets: &[JitTarget],
) -> diesel::QueryResult<Option<String>> {
    let org_ids: Vec<String> = targets.iter().map(|t| t.organization_id.clone()).collect();
    let known = memberships::existing_organizations(conn, &org_ids)?;
    if let Some(unknown) = org_ids.iter().find(|id| !known.contains(id)) {
        return Ok(Some(unknown.clone()));
    }
    let role_ids: Vec<String> = targets
        .iter()
        .flat_map(|t| t.role_ids.clone().unwrap_or_default())
        .collect();
    let known = memberships::existing_roles(conn, &role_ids)?;
    Ok(role_ids.into_iter().find(|id| !known.contains(id)))
}

/// Makes the user a member of every target organization with the link's or the default roles.
pub fn provision_on(
    conn: &mut DbConnection,
    user_id: &str,
    context: &Value,
    now: i64,
) -> diesel::QueryResult<()> {
    // The context was validated when the token was created; an organization deleted since is
    // skipped rather than failing the sign-in.
    let Ok(targets) = jit_targets(context) else {
        return Ok(());
    };
    for target in targets {
        if memberships::existing_organizations(conn, std::slice::from_ref(&target.organization_id))?
            .is_empty()
        {
            continue;
        }
        let roles = match target.role_ids {
            Some(ids) => memberships::existing_roles(conn, &ids)?,
            None => memberships::jit_role_ids(conn, &target.organization_id)?,
        };
        memberships::add_member_with_roles(conn, &target.organization_id, user_id, &roles, now)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_merge_ids_and_per_link_roles() {
        let ctx = serde_json::json!({
            "jitOrganizationIds": ["o1", "o2", "o1"],
            "jitOrganizationRoles": {"o2": ["r1"], "o3": ["r2", "r3"]},
            "campaign": "spring",
        });
        let t = jit_targets(&ctx).expect("valid");
        assert_eq!(t.len(), 3);
        assert_eq!(
            t[0],
            JitTarget {
                organization_id: "o1".into(),
                role_ids: None
            }
        );
        assert_eq!(t[1].role_ids, Some(vec!["r1".to_string()]));
        assert_eq!(t[2].organization_id, "o3");
    }

    #[test]
    fn malformed_targets_name_the_field() {
        let err =
            jit_targets(&serde_json::json!({"jitOrganizationIds": "o1"})).expect_err("invalid");
        assert_eq!(err.0, "context.jitOrganizationIds");
        let err = jit_targets(&serde_json::json!({"jitOrganizationRoles": {"o1": "r1"}}))
            .expect_err("invalid");
        assert_eq!(err.0, "context.jitOrganizationRoles.o1");
    }
}
