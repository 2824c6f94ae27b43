//! Organizations: create, read, validation, 404s, list with search and paging, update, and the
//! memberships that go with a deleted organization.

use super::*;

async fn create_and_get_an_organization(backend: Backend) {
    let api = Api::spawn(backend).await;
    let before = crate::common::now_ms();
    let created = api
        .create(
            "/organizations",
            json!({
                "name": "Acme",
                "description": "Rockets and anvils",
                "customData": {"plan": "pro", "seats": 5, "tags": ["a"]},
            }),
        )
        .await;
    let keys = object_keys(&created);
    assert_eq!(
        keys,
        BTreeSet::from(["id", "name", "description", "customData", "createdAt"])
    );
    assert_eq!(created["name"], "Acme");
    assert_eq!(created["description"], "Rockets and anvils");
    assert_eq!(
        created["customData"],
        json!({"plan": "pro", "seats": 5, "tags": ["a"]})
    );
    let created_at = created["createdAt"].as_i64().expect("createdAt in ms");
    assert!(created_at >= before && created_at <= crate::common::now_ms());
    let id = id_of(&created);
    assert!(!id.is_empty());

    let got = api.get(&format!("/organizations/{id}")).await;
    assert_status(&got, 200);
    assert_eq!(got.json, created);

    // Only a name: no description, empty custom data; the name is stored trimmed.
    let minimal = api
        .create("/organizations", json!({ "name": "  Globex  " }))
        .await;
    assert_eq!(minimal["name"], "Globex");
    assert_eq!(minimal["description"], Value::Null);
    assert_eq!(minimal["customData"], json!({}));
    assert_ne!(id_of(&minimal), id, "every organization gets its own id");
    // Names need not be unique.
    api.create("/organizations", json!({ "name": "Acme" }))
        .await;
    assert_eq!(api.get("/organizations").await.total_number(), 3);
}

async fn organization_bodies_are_validated(backend: Backend) {
    let api = Api::spawn(backend).await;
    for (body, field) in [
        (json!({}), "name"),
        (json!({ "name": null }), "name"),
        (json!({ "name": "" }), "name"),
        (json!({ "name": "   " }), "name"),
        (json!({ "name": 7 }), "name"),
        (json!({ "name": "x".repeat(129) }), "name"),
        (json!({ "name": "Acme", "description": 5 }), "description"),
        (json!({ "name": "Acme", "customData": [1] }), "customData"),
        (json!({ "name": "Acme", "customData": "x" }), "customData"),
    ] {
        let reply = api.post("/organizations", body.clone()).await;
        assert_invalid_mentioning(&reply, field, &[]);
    }
    for raw in ["", "not json", "[1]", "\"Acme\""] {
        let reply = api.call_raw(Method::POST, "/organizations", raw).await;
        assert_error(&reply, 400, "invalid_input");
    }
    assert_eq!(
        api.get("/organizations").await.total_number(),
        0,
        "no invalid body created anything"
    );

    let org = api.organization("Acme").await;
    let path = format!("/organizations/{org}");
    for (body, field) in [
        (json!({ "name": "" }), "name"),
        (json!({ "name": null }), "name"),
        (json!({ "description": [] }), "description"),
        (json!({ "customData": 3 }), "customData"),
    ] {
        assert_invalid_mentioning(&api.patch(&path, body).await, field, &[]);
    }
    assert_error(
        &api.call_raw(Method::PATCH, &path, "nope").await,
        400,
        "invalid_input",
    );
    assert_eq!(api.get(&path).await.json["name"], "Acme");
    // The list's paging is validated too.
    assert_invalid_mentioning(&api.get("/organizations?page=0").await, "page", &[]);
    assert_invalid_mentioning(
        &api.get("/organizations?page_size=101").await,
        "page_size",
        &[],
    );
}

async fn unknown_organizations_are_not_found(backend: Backend) {
    let api = Api::spawn(backend).await;
    let user = api.user("ada@example.com");
    let role = api.role("admin").await;
    let base = format!("/organizations/{UNKNOWN}");
    assert_not_found(&api.get(&base).await);
    assert_not_found(&api.patch(&base, json!({ "name": "X" })).await);
    assert_not_found(&api.delete(&base).await);
    assert_not_found(&api.get(&format!("{base}/users")).await);
    assert_not_found(
        &api.post(&format!("{base}/users"), json!({ "userIds": [user] }))
            .await,
    );
    assert_not_found(&api.delete(&format!("{base}/users/{user}")).await);
    assert_not_found(&api.get(&format!("{base}/users/{user}/roles")).await);
    assert_not_found(
        &api.post(
            &format!("{base}/users/{user}/roles"),
            json!({ "organizationRoleIds": [role] }),
        )
        .await,
    );
    assert_not_found(&api.get(&format!("{base}/jit/roles")).await);
    assert_not_found(
        &api.post(
            &format!("{base}/jit/roles"),
            json!({ "organizationRoleIds": [role] }),
        )
        .await,
    );
    assert_not_found(
        &api.put(
            &format!("{base}/jit/roles"),
            json!({ "organizationRoleIds": [] }),
        )
        .await,
    );
    assert_not_found(&api.delete(&format!("{base}/jit/roles/{role}")).await);
    // A route that does not exist at all is a 404 too, not a 405 or an empty page.
    assert_not_found(&api.get("/organizations/a/b/c/d/e/f").await);
}

async fn organizations_list_newest_first_with_paging_and_search(backend: Backend) {
    let api = Api::spawn(backend).await;
    let names = [
        "Acme Rockets",
        "Globex",
        "acme anvils",
        "Initech",
        "ACME Labs",
        "100% Pure",
    ];
    let mut ids = Vec::new();
    for name in names {
        ids.push(api.organization(name).await);
    }
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();

    let all = api.get("/organizations").await;
    assert_status(&all, 200);
    assert_eq!(all.total_number(), 6);
    assert_eq!(all.ids(), newest_first, "newest first");
    assert!(all.items().iter().all(|o| o["customData"] == json!({})));

    // Pages of two, in order, the total counting everything.
    let mut paged = Vec::new();
    for page in 1..=3 {
        let reply = api
            .get(&format!("/organizations?page={page}&page_size=2"))
            .await;
        assert_eq!(reply.total_number(), 6);
        assert_eq!(reply.items().len(), 2);
        paged.extend(reply.ids());
    }
    assert_eq!(paged, newest_first);
    let beyond = api.get("/organizations?page=4&page_size=2").await;
    assert!(beyond.items().is_empty());
    assert_eq!(beyond.total_number(), 6);

    // Search: a case-insensitive substring of the name; the total counts the matches.
    let acme = api.get("/organizations?q=aCmE").await;
    assert_eq!(acme.total_number(), 3);
    assert_eq!(
        acme.names(),
        vec!["ACME Labs", "acme anvils", "Acme Rockets"]
    );
    let acme_page = api.get("/organizations?q=acme&page=2&page_size=2").await;
    assert_eq!(acme_page.total_number(), 3);
    assert_eq!(acme_page.names(), vec!["Acme Rockets"]);
    assert_eq!(api.get("/organizations?q=nomatch").await.total_number(), 0);
    // LIKE wildcards in the search are plain characters.
    assert_eq!(
        api.get("/organizations?q=%25").await.names(),
        vec!["100% Pure"]
    );
    assert_eq!(api.get("/organizations?q=_").await.total_number(), 0);
    // A blank search is no search.
    assert_eq!(api.get("/organizations?q=%20").await.total_number(), 6);
}

async fn organizations_can_be_updated(backend: Backend) {
    let api = Api::spawn(backend).await;
    let created = api
        .create(
            "/organizations",
            json!({"name": "Acme", "description": "old", "customData": {"a": 1}}),
        )
        .await;
    let id = id_of(&created);
    let path = format!("/organizations/{id}");

    let renamed = api.patch(&path, json!({ "name": "Acme Corp" })).await;
    assert_status(&renamed, 200);
    assert_eq!(renamed.json["name"], "Acme Corp");
    assert_eq!(renamed.json["description"], "old", "untouched fields stay");
    assert_eq!(renamed.json["customData"], json!({"a": 1}));
    assert_eq!(renamed.json["createdAt"], created["createdAt"]);

    let replaced = api
        .patch(
            &path,
            json!({ "description": "new", "customData": {"b": [true]} }),
        )
        .await;
    assert_status(&replaced, 200);
    assert_eq!(replaced.json["description"], "new");
    assert_eq!(
        replaced.json["customData"],
        json!({"b": [true]}),
        "customData is replaced"
    );

    let cleared = api.patch(&path, json!({ "description": null })).await;
    assert_eq!(cleared.json["description"], Value::Null);
    assert_eq!(cleared.json["name"], "Acme Corp");

    // An empty patch changes nothing and still answers with the organization.
    let same = api.patch(&path, json!({})).await;
    assert_status(&same, 200);
    assert_eq!(same.json, cleared.json);
    assert_eq!(api.get(&path).await.json, cleared.json);
}

async fn deleting_an_organization_removes_its_memberships(backend: Backend) {
    let api = Api::spawn(backend).await;
    let org = api.organization("Acme").await;
    let other = api.organization("Globex").await;
    let role = api.role("admin").await;
    let ada = api.user("ada@example.com");
    api.add_members(&org, &[&ada]).await;
    api.add_members(&other, &[&ada]).await;
    for o in [&org, &other] {
        let reply = api
            .post(
                &format!("/organizations/{o}/users/{ada}/roles"),
                json!({ "organizationRoleIds": [role] }),
            )
            .await;
        assert_status(&reply, 201);
        let reply = api
            .post(
                &format!("/organizations/{o}/jit/roles"),
                json!({ "organizationRoleIds": [role] }),
            )
            .await;
        assert_status(&reply, 201);
    }
    assert_eq!(api.count_rows("member_roles", &org), 1);
    assert_eq!(api.count_rows("jit_roles", &org), 1);

    assert_status(&api.delete(&format!("/organizations/{org}")).await, 204);
    assert_not_found(&api.get(&format!("/organizations/{org}")).await);
    assert_not_found(&api.delete(&format!("/organizations/{org}")).await);
    assert_eq!(api.get("/organizations").await.ids(), vec![other.clone()]);

    // The user belongs only to the other organization now, with its role there intact.
    let ada_id = ada.clone();
    let held = api
        .app
        .storage
        .run_blocking(move |c| memberships::memberships(c, &ada_id))
        .expect("memberships");
    assert_eq!(held, vec![(other.clone(), vec!["admin".to_owned()])]);
    assert_eq!(api.count_rows("member_roles", &org), 0);
    assert_eq!(api.count_rows("jit_roles", &org), 0);
    assert_eq!(api.count_rows("member_roles", &other), 1);
    assert_eq!(api.count_rows("jit_roles", &other), 1);
    // The role itself and the user are untouched.
    assert_status(&api.get(&format!("/organization-roles/{role}")).await, 200);
    assert_eq!(api.member_ids(&other).await, vec![ada]);
}

on_both_backends!(
    create_and_get_an_organization,
    organization_bodies_are_validated,
    unknown_organizations_are_not_found,
    organizations_list_newest_first_with_paging_and_search,
    organizations_can_be_updated,
    deleting_an_organization_removes_its_memberships,
);
