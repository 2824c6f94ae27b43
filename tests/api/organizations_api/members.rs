//! Members of an organization, the roles they hold and the scopes those grant, and the default
//! roles of just-in-time members.

use super::*;

// ---------------------------------------------------------------------------------------------
// Members
// ---------------------------------------------------------------------------------------------

async fn members_are_added_listed_and_removed(backend: Backend) {
    let api = Api::spawn(backend).await;
    let org = api.organization("Acme").await;
    let other = api.organization("Globex").await;
    let ada = api.user("ada@example.com");
    let bob = api.user("bob@example.com");
    let cy = api.user("cy@example.com");
    let users = format!("/organizations/{org}/users");

    let empty = api.get(&users).await;
    assert_status(&empty, 200);
    assert!(empty.items().is_empty());
    assert_eq!(empty.total_number(), 0);

    let added = api.post(&users, json!({ "userIds": [ada, bob] })).await;
    assert_status(&added, 201);
    // Adding again, or with repeats, is harmless.
    api.add_members(&org, &[&bob, &bob, &cy]).await;

    let list = api.get(&users).await;
    assert_status(&list, 200);
    assert_eq!(list.total_number(), 3);
    expect_ids(list.ids(), &[&ada, &bob, &cy]);
    let first = list
        .items()
        .iter()
        .find(|m| m["id"] == json!(ada))
        .expect("ada listed");
    assert_eq!(first["primaryEmail"], "ada@example.com");
    assert_eq!(first["name"], "Test Person");
    assert_eq!(first["organizationRoles"], json!([]));
    // Membership is per organization.
    assert!(api.member_ids(&other).await.is_empty());

    // Paging: pages of two hold everyone once; the total counts all members.
    let page1 = api.get(&format!("{users}?page=1&page_size=2")).await;
    let page2 = api.get(&format!("{users}?page=2&page_size=2")).await;
    assert_eq!(page1.total_number(), 3);
    assert_eq!(page2.total_number(), 3);
    assert_eq!(page1.items().len(), 2);
    assert_eq!(page2.items().len(), 1);
    let mut both = page1.ids();
    both.extend(page2.ids());
    expect_ids(both, &[&ada, &bob, &cy]);
    assert_invalid_mentioning(
        &api.get(&format!("{users}?page_size=0")).await,
        "page_size",
        &[],
    );
    // Search on email.
    let found = api.get(&format!("{users}?q=BOB@")).await;
    assert_eq!(found.ids(), vec![bob.clone()]);
    assert_eq!(found.total_number(), 1);

    // Removal.
    assert_status(&api.delete(&format!("{users}/{bob}")).await, 204);
    expect_ids(api.member_ids(&org).await, &[&ada, &cy]);
    assert_not_found(&api.delete(&format!("{users}/{bob}")).await);
    assert_not_found(&api.delete(&format!("{users}/{UNKNOWN}")).await);
    // The user still exists and can be added back.
    api.add_members(&org, &[&bob]).await;
    expect_ids(api.member_ids(&org).await, &[&ada, &bob, &cy]);
}

async fn member_bodies_are_validated(backend: Backend) {
    let api = Api::spawn(backend).await;
    let org = api.organization("Acme").await;
    let ada = api.user("ada@example.com");
    let users = format!("/organizations/{org}/users");
    for body in [
        json!({}),
        json!({ "userIds": null }),
        json!({ "userIds": [] }),
        json!({ "userIds": ada }),
        json!({ "userIds": [1] }),
        json!({ "userIds": [""] }),
        json!({ "userIds": [ada, null] }),
    ] {
        assert_invalid_mentioning(&api.post(&users, body).await, "userIds", &[]);
    }
    assert_error(
        &api.call_raw(Method::POST, &users, "[]").await,
        400,
        "invalid_input",
    );
    // An unknown user id is named, and nobody is added: not even the known user.
    let reply = api
        .post(&users, json!({ "userIds": [ada, "ghost-user"] }))
        .await;
    assert_invalid_mentioning(&reply, "userIds", &["ghost-user"]);
    assert!(!reply.json["message"].as_str().unwrap().contains(&ada));
    assert!(api.member_ids(&org).await.is_empty());
}

async fn member_roles_are_added_replaced_and_removed(backend: Backend) {
    let api = Api::spawn(backend).await;
    let org = api.organization("Acme").await;
    let other = api.organization("Globex").await;
    let admin = api.role("admin").await;
    let editor = api.role("editor").await;
    let viewer = api.role("viewer").await;
    let ada = api.user("ada@example.com");
    let bob = api.user("bob@example.com");
    api.add_members(&org, &[&ada, &bob]).await;
    api.add_members(&other, &[&ada]).await;
    let roles = format!("/organizations/{org}/users/{ada}/roles");

    let none = api.get(&roles).await;
    assert_status(&none, 200);
    assert_eq!(none.json, json!([]));

    assert_status(
        &api.post(&roles, json!({ "organizationRoleIds": [viewer, admin] }))
            .await,
        201,
    );
    let held = api.get(&roles).await;
    assert_eq!(
        held.json,
        json!([{"id": admin, "name": "admin"}, {"id": viewer, "name": "viewer"}]),
        "[{{id, name}}] sorted by name"
    );
    // Adding a held role again keeps one copy.
    assert_status(
        &api.post(&roles, json!({ "organizationRoleIds": [admin, editor] }))
            .await,
        201,
    );
    expect_ids(
        api.member_role_ids(&org, &ada).await,
        &[&admin, &editor, &viewer],
    );
    // Roles are per member and per organization.
    assert!(api.member_role_ids(&org, &bob).await.is_empty());
    assert!(api.member_role_ids(&other, &ada).await.is_empty());
    // The member list shows them.
    let list = api.get(&format!("/organizations/{org}/users")).await;
    let listed = list
        .items()
        .iter()
        .find(|m| m["id"] == json!(ada))
        .expect("ada");
    assert_eq!(
        listed["organizationRoles"],
        json!([
            {"id": admin, "name": "admin"},
            {"id": editor, "name": "editor"},
            {"id": viewer, "name": "viewer"},
        ])
    );

    // PUT replaces the set.
    assert_status(
        &api.put(&roles, json!({ "organizationRoleIds": [editor] }))
            .await,
        204,
    );
    assert_eq!(api.member_role_ids(&org, &ada).await, vec![editor.clone()]);
    // DELETE one.
    assert_status(&api.delete(&format!("{roles}/{editor}")).await, 204);
    assert!(api.member_role_ids(&org, &ada).await.is_empty());
    assert_not_found(&api.delete(&format!("{roles}/{editor}")).await);
    // PUT with an empty list clears; POST needs at least one role.
    api.post(&roles, json!({ "organizationRoleIds": [admin] }))
        .await;
    assert_status(
        &api.put(&roles, json!({ "organizationRoleIds": [] })).await,
        204,
    );
    assert!(api.member_role_ids(&org, &ada).await.is_empty());
    assert_invalid_mentioning(
        &api.post(&roles, json!({ "organizationRoleIds": [] })).await,
        "organizationRoleIds",
        &[],
    );
    for body in [
        json!({}),
        json!({ "organizationRoleIds": "x" }),
        json!({ "organizationRoleIds": [3] }),
    ] {
        assert_invalid_mentioning(&api.put(&roles, body).await, "organizationRoleIds", &[]);
    }

    // Unknown role ids are named and change nothing.
    api.post(&roles, json!({ "organizationRoleIds": [viewer] }))
        .await;
    for reply in [
        api.post(
            &roles,
            json!({ "organizationRoleIds": [admin, "no-such-role"] }),
        )
        .await,
        api.put(
            &roles,
            json!({ "organizationRoleIds": [admin, "no-such-role"] }),
        )
        .await,
    ] {
        assert_invalid_mentioning(&reply, "organizationRoleIds", &["no-such-role"]);
    }
    assert_eq!(api.member_role_ids(&org, &ada).await, vec![viewer.clone()]);

    // Someone who is not a member has no roles to read or change, and does not become one.
    let cy = api.user("cy@example.com");
    let cy_roles = format!("/organizations/{org}/users/{cy}/roles");
    assert_not_found(&api.get(&cy_roles).await);
    assert_not_found(
        &api.post(&cy_roles, json!({ "organizationRoleIds": [admin] }))
            .await,
    );
    assert_not_found(
        &api.put(&cy_roles, json!({ "organizationRoleIds": [admin] }))
            .await,
    );
    assert_not_found(&api.delete(&format!("{cy_roles}/{admin}")).await);
    assert_not_found(
        &api.get(&format!("/organizations/{org}/users/{UNKNOWN}/roles"))
            .await,
    );
    expect_ids(api.member_ids(&org).await, &[&ada, &bob]);

    // Removing a member drops the roles held; adding back starts with none.
    api.post(&roles, json!({ "organizationRoleIds": [admin] }))
        .await;
    assert_status(
        &api.delete(&format!("/organizations/{org}/users/{ada}"))
            .await,
        204,
    );
    assert_eq!(api.count_rows("member_roles", &org), 0);
    api.add_members(&org, &[&ada]).await;
    assert!(api.member_role_ids(&org, &ada).await.is_empty());
}

async fn roles_given_by_the_api_grant_their_scopes(backend: Backend) {
    let api = Api::spawn(backend).await;
    let org = api.organization("Acme").await;
    let read = api.scope("read:docs").await;
    let write = api.scope("write:docs").await;
    let editor = api
        .create(
            "/organization-roles",
            json!({ "name": "editor", "organizationScopeIds": [read, write] }),
        )
        .await;
    let ada = api.user("ada@example.com");
    api.add_members(&org, &[&ada]).await;
    let scopes_of = |user: String, org: String| {
        api.app
            .storage
            .run_blocking(move |c| memberships::member_scopes(c, &org, &user))
            .expect("scopes")
    };
    assert_eq!(scopes_of(ada.clone(), org.clone()), Some(vec![]));
    api.post(
        &format!("/organizations/{org}/users/{ada}/roles"),
        json!({ "organizationRoleIds": [id_of(&editor)] }),
    )
    .await;
    assert_eq!(
        scopes_of(ada.clone(), org.clone()),
        Some(vec!["read:docs".to_owned(), "write:docs".to_owned()])
    );
    // Taking a scope from the role takes it from the member.
    assert_status(
        &api.delete(&format!(
            "/organization-roles/{}/scopes/{write}",
            id_of(&editor)
        ))
        .await,
        204,
    );
    assert_eq!(
        scopes_of(ada.clone(), org.clone()),
        Some(vec!["read:docs".to_owned()])
    );
}

// ---------------------------------------------------------------------------------------------
// Default roles of just-in-time members
// ---------------------------------------------------------------------------------------------

async fn jit_roles_are_set_replaced_and_removed(backend: Backend) {
    let api = Api::spawn(backend).await;
    let org = api.organization("Acme").await;
    let other = api.organization("Globex").await;
    let admin = api.role("admin").await;
    let member = api.role("member").await;
    let guest = api.role("guest").await;
    let jit = format!("/organizations/{org}/jit/roles");

    let none = api.get(&jit).await;
    assert_status(&none, 200);
    assert_eq!(none.json, json!([]));

    assert_status(
        &api.post(&jit, json!({ "organizationRoleIds": [member, guest] }))
            .await,
        201,
    );
    assert_eq!(
        api.get(&jit).await.json,
        json!([{"id": guest, "name": "guest"}, {"id": member, "name": "member"}])
    );
    // Adding again keeps one copy; other organizations are unaffected.
    assert_status(
        &api.post(&jit, json!({ "organizationRoleIds": [member] }))
            .await,
        201,
    );
    expect_ids(api.jit_role_ids(&org).await, &[&guest, &member]);
    assert!(api.jit_role_ids(&other).await.is_empty());
    // The runtime reads the same defaults.
    let org_id = org.clone();
    let runtime = api
        .app
        .storage
        .run_blocking(move |c| memberships::jit_role_ids(c, &org_id))
        .expect("jit roles");
    expect_ids(runtime, &[&guest, &member]);

    // PUT replaces.
    assert_status(
        &api.put(&jit, json!({ "organizationRoleIds": [admin] }))
            .await,
        204,
    );
    assert_eq!(api.jit_role_ids(&org).await, vec![admin.clone()]);
    // DELETE one; deleting one that is not a default is a 404.
    assert_status(&api.delete(&format!("{jit}/{admin}")).await, 204);
    assert!(api.jit_role_ids(&org).await.is_empty());
    assert_not_found(&api.delete(&format!("{jit}/{admin}")).await);
    assert_not_found(&api.delete(&format!("{jit}/{UNKNOWN}")).await);
    // The role itself is still there.
    assert_status(&api.get(&format!("/organization-roles/{admin}")).await, 200);

    // Unknown roles are named and change nothing; bodies are validated.
    api.put(&jit, json!({ "organizationRoleIds": [guest] }))
        .await;
    for reply in [
        api.post(&jit, json!({ "organizationRoleIds": [admin, "nope-role"] }))
            .await,
        api.put(&jit, json!({ "organizationRoleIds": ["nope-role"] }))
            .await,
    ] {
        assert_invalid_mentioning(&reply, "organizationRoleIds", &["nope-role"]);
    }
    assert_eq!(api.jit_role_ids(&org).await, vec![guest.clone()]);
    for body in [
        json!({}),
        json!({ "organizationRoleIds": [] }),
        json!({ "organizationRoleIds": {"id": admin} }),
    ] {
        assert_invalid_mentioning(&api.post(&jit, body).await, "organizationRoleIds", &[]);
    }
    assert_invalid_mentioning(
        &api.put(&jit, json!({ "organizationRoleIds": [false] }))
            .await,
        "organizationRoleIds",
        &[],
    );
    // PUT with an empty list clears.
    assert_status(
        &api.put(&jit, json!({ "organizationRoleIds": [] })).await,
        204,
    );
    assert!(api.jit_role_ids(&org).await.is_empty());
}

on_both_backends!(
    members_are_added_listed_and_removed,
    member_bodies_are_validated,
    member_roles_are_added_replaced_and_removed,
    roles_given_by_the_api_grant_their_scopes,
    jit_roles_are_set_replaced_and_removed,
);
