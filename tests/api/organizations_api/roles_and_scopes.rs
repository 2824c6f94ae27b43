//! Organization roles and organization scopes: CRUD, listing, the scopes a role grants, and the
//! cascades of deleting a role or scope.

use super::*;

// ---------------------------------------------------------------------------------------------
// Organization roles
// ---------------------------------------------------------------------------------------------

async fn organization_roles_crud(backend: Backend) {
    let api = Api::spawn(backend).await;
    let before = crate::common::now_ms();
    let created = api
        .create(
            "/organization-roles",
            json!({ "name": "admin", "description": "Does everything" }),
        )
        .await;
    let keys = object_keys(&created);
    assert_eq!(
        keys,
        BTreeSet::from(["id", "name", "description", "createdAt"])
    );
    assert_eq!(created["name"], "admin");
    assert_eq!(created["description"], "Does everything");
    assert!(created["createdAt"].as_i64().expect("createdAt") >= before);
    let id = id_of(&created);
    let path = format!("/organization-roles/{id}");
    assert_eq!(api.get(&path).await.json, created);

    // Names are unique.
    let taken = api
        .post("/organization-roles", json!({ "name": "admin" }))
        .await;
    assert_error(&taken, 422, "name_in_use");
    let viewer = api.role("viewer").await;
    assert_error(
        &api.patch(
            &format!("/organization-roles/{viewer}"),
            json!({ "name": "admin" }),
        )
        .await,
        422,
        "name_in_use",
    );
    assert_eq!(api.get("/organization-roles").await.total_number(), 2);

    // Validation.
    for (body, field) in [
        (json!({}), "name"),
        (json!({ "name": "" }), "name"),
        (json!({ "name": ["admin"] }), "name"),
        (json!({ "name": "x", "description": {} }), "description"),
        (
            json!({ "name": "x", "organizationScopeIds": "s" }),
            "organizationScopeIds",
        ),
        (
            json!({ "name": "x", "organizationScopeIds": [1] }),
            "organizationScopeIds",
        ),
    ] {
        assert_invalid_mentioning(&api.post("/organization-roles", body).await, field, &[]);
    }
    assert_invalid_mentioning(&api.patch(&path, json!({ "name": " " })).await, "name", &[]);

    // Update.
    let renamed = api
        .patch(&path, json!({ "name": "owner", "description": null }))
        .await;
    assert_status(&renamed, 200);
    assert_eq!(renamed.json["name"], "owner");
    assert_eq!(renamed.json["description"], Value::Null);
    assert_eq!(renamed.json["createdAt"], created["createdAt"]);
    let described = api.patch(&path, json!({ "description": "Owns" })).await;
    assert_eq!(described.json["name"], "owner");
    assert_eq!(described.json["description"], "Owns");
    // The old name is free again.
    api.role("admin").await;

    // Delete.
    assert_status(&api.delete(&path).await, 204);
    assert_not_found(&api.get(&path).await);
    assert_not_found(&api.delete(&path).await);
    assert_not_found(&api.patch(&path, json!({ "name": "x" })).await);
    assert_not_found(&api.get(&format!("{path}/scopes")).await);
    let scope = api.scope("read").await;
    assert_not_found(
        &api.post(
            &format!("{path}/scopes"),
            json!({ "organizationScopeIds": [scope] }),
        )
        .await,
    );
    assert_not_found(
        &api.put(
            &format!("{path}/scopes"),
            json!({ "organizationScopeIds": [] }),
        )
        .await,
    );
    assert_not_found(&api.delete(&format!("{path}/scopes/{scope}")).await);
}

async fn organization_roles_list_with_paging_and_search(backend: Backend) {
    let api = Api::spawn(backend).await;
    let mut ids = Vec::new();
    for name in ["Admin", "viewer", "billing admin", "editor", "ADMIN_ro"] {
        ids.push(api.role(name).await);
    }
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();
    let all = api.get("/organization-roles").await;
    assert_eq!(all.total_number(), 5);
    assert_eq!(all.ids(), newest_first);
    let page2 = api.get("/organization-roles?page=2&page_size=2").await;
    assert_eq!(page2.total_number(), 5);
    assert_eq!(page2.ids(), newest_first[2..4].to_vec());
    let admins = api.get("/organization-roles?q=admin").await;
    assert_eq!(admins.total_number(), 3);
    assert_eq!(admins.names(), vec!["ADMIN_ro", "billing admin", "Admin"]);
    let admins_page = api
        .get("/organization-roles?q=admin&page_size=1&page=3")
        .await;
    assert_eq!(admins_page.total_number(), 3);
    assert_eq!(admins_page.names(), vec!["Admin"]);
    assert_eq!(
        api.get("/organization-roles?q=_").await.names(),
        vec!["ADMIN_ro"]
    );
    assert_invalid_mentioning(&api.get("/organization-roles?page=x").await, "page", &[]);
}

async fn role_scopes_are_added_replaced_and_removed(backend: Backend) {
    let api = Api::spawn(backend).await;
    let read = api.scope("read").await;
    let write = api
        .create(
            "/organization-scopes",
            json!({ "name": "write", "description": "Change things" }),
        )
        .await;
    let write = id_of(&write);
    let delete = api.scope("delete").await;

    // A role can be created with scopes; an unknown scope refuses the whole creation.
    let refused = api
        .post(
            "/organization-roles",
            json!({ "name": "editor", "organizationScopeIds": [read, "ghost-scope"] }),
        )
        .await;
    assert_invalid_mentioning(&refused, "organizationScopeIds", &["ghost-scope"]);
    assert_eq!(api.get("/organization-roles").await.total_number(), 0);
    let editor = id_of(
        &api.create(
            "/organization-roles",
            json!({ "name": "editor", "organizationScopeIds": [write, read, read] }),
        )
        .await,
    );
    let scopes = format!("/organization-roles/{editor}/scopes");
    let listed = api.get(&scopes).await;
    assert_status(&listed, 200);
    assert_eq!(
        listed.json,
        json!([
            {"id": read, "name": "read", "description": null},
            {"id": write, "name": "write", "description": "Change things"},
        ])
    );
    let other = api.role("viewer").await;
    assert!(api.role_scope_ids(&other).await.is_empty());

    // POST adds (keeping one copy of each).
    assert_status(
        &api.post(&scopes, json!({ "organizationScopeIds": [delete, read] }))
            .await,
        201,
    );
    expect_ids(api.role_scope_ids(&editor).await, &[&read, &write, &delete]);
    // PUT replaces.
    assert_status(
        &api.put(&scopes, json!({ "organizationScopeIds": [write] }))
            .await,
        204,
    );
    assert_eq!(api.role_scope_ids(&editor).await, vec![write.clone()]);
    // DELETE one; one not granted is a 404.
    assert_status(&api.delete(&format!("{scopes}/{write}")).await, 204);
    assert!(api.role_scope_ids(&editor).await.is_empty());
    assert_not_found(&api.delete(&format!("{scopes}/{write}")).await);
    assert_not_found(&api.delete(&format!("{scopes}/{UNKNOWN}")).await);
    // The scope itself is still there.
    assert_status(
        &api.get(&format!("/organization-scopes/{write}")).await,
        200,
    );

    // Unknown scopes are named and change nothing; bodies are validated.
    api.put(&scopes, json!({ "organizationScopeIds": [read] }))
        .await;
    for reply in [
        api.post(
            &scopes,
            json!({ "organizationScopeIds": [write, "ghost-scope"] }),
        )
        .await,
        api.put(&scopes, json!({ "organizationScopeIds": ["ghost-scope"] }))
            .await,
    ] {
        assert_invalid_mentioning(&reply, "organizationScopeIds", &["ghost-scope"]);
    }
    assert_eq!(api.role_scope_ids(&editor).await, vec![read.clone()]);
    for body in [
        json!({}),
        json!({ "organizationScopeIds": [] }),
        json!({ "organizationScopeIds": [""] }),
    ] {
        assert_invalid_mentioning(&api.post(&scopes, body).await, "organizationScopeIds", &[]);
    }
    assert_status(
        &api.put(&scopes, json!({ "organizationScopeIds": [] }))
            .await,
        204,
    );
    assert!(api.role_scope_ids(&editor).await.is_empty());

    // Deleting a scope takes it from every role granting it.
    api.put(&scopes, json!({ "organizationScopeIds": [read, delete] }))
        .await;
    api.put(
        &format!("/organization-roles/{other}/scopes"),
        json!({ "organizationScopeIds": [delete] }),
    )
    .await;
    assert_status(
        &api.delete(&format!("/organization-scopes/{delete}")).await,
        204,
    );
    assert_eq!(api.role_scope_ids(&editor).await, vec![read.clone()]);
    assert!(api.role_scope_ids(&other).await.is_empty());
}

async fn deleting_a_role_removes_it_from_members_and_jit_defaults(backend: Backend) {
    let api = Api::spawn(backend).await;
    let org = api.organization("Acme").await;
    let admin = api.role("admin").await;
    let viewer = api.role("viewer").await;
    let scope = api.scope("read").await;
    api.put(
        &format!("/organization-roles/{admin}/scopes"),
        json!({ "organizationScopeIds": [scope] }),
    )
    .await;
    let ada = api.user("ada@example.com");
    api.add_members(&org, &[&ada]).await;
    api.post(
        &format!("/organizations/{org}/users/{ada}/roles"),
        json!({ "organizationRoleIds": [admin, viewer] }),
    )
    .await;
    api.post(
        &format!("/organizations/{org}/jit/roles"),
        json!({ "organizationRoleIds": [admin, viewer] }),
    )
    .await;
    assert_eq!(api.count_rows("member_roles", &org), 2);
    assert_eq!(api.count_rows("jit_roles", &org), 2);

    assert_status(
        &api.delete(&format!("/organization-roles/{admin}")).await,
        204,
    );
    assert_eq!(api.member_role_ids(&org, &ada).await, vec![viewer.clone()]);
    assert_eq!(api.jit_role_ids(&org).await, vec![viewer.clone()]);
    assert_eq!(api.count_rows("member_roles", &org), 1);
    assert_eq!(api.count_rows("jit_roles", &org), 1);
    // The member stays a member; the scope stays too.
    assert_eq!(api.member_ids(&org).await, vec![ada.clone()]);
    assert_status(
        &api.get(&format!("/organization-scopes/{scope}")).await,
        200,
    );
    let members = api.get(&format!("/organizations/{org}/users")).await;
    assert_eq!(
        members.items()[0]["organizationRoles"],
        json!([{"id": viewer, "name": "viewer"}])
    );
}

// ---------------------------------------------------------------------------------------------
// Organization scopes
// ---------------------------------------------------------------------------------------------

async fn organization_scopes_crud(backend: Backend) {
    let api = Api::spawn(backend).await;
    let created = api
        .create(
            "/organization-scopes",
            json!({ "name": "read:docs", "description": "Read documents" }),
        )
        .await;
    let keys = object_keys(&created);
    assert_eq!(
        keys,
        BTreeSet::from(["id", "name", "description", "createdAt"])
    );
    assert_eq!(created["name"], "read:docs");
    assert_eq!(created["description"], "Read documents");
    let id = id_of(&created);
    let path = format!("/organization-scopes/{id}");
    assert_eq!(api.get(&path).await.json, created);

    assert_error(
        &api.post("/organization-scopes", json!({ "name": "read:docs" }))
            .await,
        422,
        "name_in_use",
    );
    let write = api.scope("write:docs").await;
    assert_error(
        &api.patch(
            &format!("/organization-scopes/{write}"),
            json!({ "name": "read:docs" }),
        )
        .await,
        422,
        "name_in_use",
    );
    for (body, field) in [
        (json!({}), "name"),
        (json!({ "name": "" }), "name"),
        (json!({ "name": 1 }), "name"),
        (json!({ "name": "x", "description": false }), "description"),
    ] {
        assert_invalid_mentioning(&api.post("/organization-scopes", body).await, field, &[]);
    }
    assert_invalid_mentioning(&api.patch(&path, json!({ "name": "" })).await, "name", &[]);

    let updated = api
        .patch(&path, json!({ "name": "docs:read", "description": null }))
        .await;
    assert_status(&updated, 200);
    assert_eq!(updated.json["name"], "docs:read");
    assert_eq!(updated.json["description"], Value::Null);
    assert_eq!(updated.json["createdAt"], created["createdAt"]);
    assert_eq!(api.get(&path).await.json, updated.json);

    // List: newest first, paged, searched.
    let more = api.scope("Admin:Docs").await;
    let all = api.get("/organization-scopes").await;
    assert_eq!(all.total_number(), 3);
    assert_eq!(all.ids(), vec![more.clone(), write.clone(), id.clone()]);
    let page2 = api.get("/organization-scopes?page=2&page_size=2").await;
    assert_eq!(page2.ids(), vec![id.clone()]);
    assert_eq!(page2.total_number(), 3);
    let docs = api.get("/organization-scopes?q=DOCS:").await;
    assert_eq!(docs.ids(), vec![id.clone()]);
    assert_eq!(docs.total_number(), 1);
    assert_invalid_mentioning(
        &api.get("/organization-scopes?page_size=-1").await,
        "page_size",
        &[],
    );

    assert_status(&api.delete(&path).await, 204);
    assert_not_found(&api.get(&path).await);
    assert_not_found(&api.delete(&path).await);
    assert_not_found(&api.patch(&path, json!({ "name": "x" })).await);
    assert_eq!(api.get("/organization-scopes").await.total_number(), 2);
}

on_both_backends!(
    organization_roles_crud,
    organization_roles_list_with_paging_and_search,
    role_scopes_are_added_replaced_and_removed,
    deleting_a_role_removes_it_from_members_and_jit_defaults,
    organization_scopes_crud,
);
