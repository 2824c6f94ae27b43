//! Every organization route of the Management API requires a bearer token.

use super::*;

async fn every_route_requires_a_bearer_token(backend: Backend) {
    let api = Api::spawn(backend).await;
    let org = api.organization("Acme").await;
    let role = api.role("admin").await;
    let scope = api.scope("read:docs").await;
    let user = api.user("ada@example.com");
    api.add_members(&org, &[&user]).await;

    let ids = json!({ "userIds": [user], "organizationRoleIds": [role], "organizationScopeIds": [scope] });
    let routes: Vec<(Method, String)> = vec![
        (Method::POST, "/organizations".into()),
        (Method::GET, "/organizations".into()),
        (Method::GET, format!("/organizations/{org}")),
        (Method::PATCH, format!("/organizations/{org}")),
        (Method::DELETE, format!("/organizations/{org}")),
        (Method::POST, format!("/organizations/{org}/users")),
        (Method::GET, format!("/organizations/{org}/users")),
        (Method::DELETE, format!("/organizations/{org}/users/{user}")),
        (
            Method::GET,
            format!("/organizations/{org}/users/{user}/roles"),
        ),
        (
            Method::POST,
            format!("/organizations/{org}/users/{user}/roles"),
        ),
        (
            Method::PUT,
            format!("/organizations/{org}/users/{user}/roles"),
        ),
        (
            Method::DELETE,
            format!("/organizations/{org}/users/{user}/roles/{role}"),
        ),
        (Method::GET, format!("/organizations/{org}/jit/roles")),
        (Method::POST, format!("/organizations/{org}/jit/roles")),
        (Method::PUT, format!("/organizations/{org}/jit/roles")),
        (
            Method::DELETE,
            format!("/organizations/{org}/jit/roles/{role}"),
        ),
        (Method::POST, "/organization-roles".into()),
        (Method::GET, "/organization-roles".into()),
        (Method::GET, format!("/organization-roles/{role}")),
        (Method::PATCH, format!("/organization-roles/{role}")),
        (Method::DELETE, format!("/organization-roles/{role}")),
        (Method::GET, format!("/organization-roles/{role}/scopes")),
        (Method::POST, format!("/organization-roles/{role}/scopes")),
        (Method::PUT, format!("/organization-roles/{role}/scopes")),
        (
            Method::DELETE,
            format!("/organization-roles/{role}/scopes/{scope}"),
        ),
        (Method::POST, "/organization-scopes".into()),
        (Method::GET, "/organization-scopes".into()),
        (Method::GET, format!("/organization-scopes/{scope}")),
        (Method::PATCH, format!("/organization-scopes/{scope}")),
        (Method::DELETE, format!("/organization-scopes/{scope}")),
    ];
    for (method, path) in &routes {
        let body = json!({ "name": "Changed" });
        let body = if path.ends_with("users") || path.ends_with("roles") || path.ends_with("scopes")
        {
            &ids
        } else {
            &body
        };
        for bearer in [None, Some("garbage"), Some("a.b.c")] {
            let reply = api.call_as(bearer, method.clone(), path, Some(body)).await;
            assert_error(&reply, 401, "unauthorized");
        }
    }
    // Nothing changed: the organization, role, scope and membership are all still there.
    let reply = api.get(&format!("/organizations/{org}")).await;
    assert_eq!(reply.json["name"], "Acme");
    assert_eq!(api.get("/organizations").await.total_number(), 1);
    assert_eq!(
        api.get(&format!("/organization-roles/{role}")).await.status,
        200
    );
    assert_eq!(
        api.get(&format!("/organization-scopes/{scope}"))
            .await
            .status,
        200
    );
    assert_eq!(api.member_ids(&org).await, vec![user.clone()]);
    assert!(api.member_role_ids(&org, &user).await.is_empty());
    assert!(api.jit_role_ids(&org).await.is_empty());
    assert!(api.role_scope_ids(&role).await.is_empty());
}

on_both_backends!(every_route_requires_a_bearer_token,);
