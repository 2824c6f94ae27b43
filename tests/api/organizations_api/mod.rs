//! The Management API for organizations, over HTTP against a real Sesame on both backends:
//! organizations (create, read, list with search and paging, update, delete), their members and
//! the roles members hold, the default roles of just-in-time members, organization roles and
//! the scopes they grant, organization scopes; authentication, validation, 404s and the
//! cascades that deleting an organization, role or scope sets off.

use std::collections::BTreeSet;

use crate::common::Backend;
use crate::common::api::{
    self, Api, Reply, assert_error, assert_invalid_mentioning, assert_not_found, assert_status,
    id_of,
};
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};
use sesame::storage::memberships;
use sesame::storage::schema::{organization_jit_roles, organization_member_roles};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Calls on the Management API with the caller's token.
impl Api {
    async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(&body)).await
    }

    async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(&body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(&body)).await
    }

    async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None).await
    }

    /// A raw (possibly non-JSON) body.
    async fn send_raw(&self, method: Method, path: &str, body: &str) -> Reply {
        let request = self
            .http
            .request(method, self.app.url(&format!("/api{path}")))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body.to_owned());
        api::send(request).await
    }

    /// POSTs `body` to `path`, expects 201 and returns the created object.
    async fn create(&self, path: &str, body: Value) -> Value {
        let reply = self.post(path, body.clone()).await;
        assert_eq!(reply.status, 201, "create {body} at {path}: {}", reply.text);
        reply.json
    }

    async fn organization(&self, name: &str) -> String {
        id_of(&self.create("/organizations", json!({ "name": name })).await)
    }

    async fn role(&self, name: &str) -> String {
        id_of(
            &self
                .create("/organization-roles", json!({ "name": name }))
                .await,
        )
    }

    async fn scope(&self, name: &str) -> String {
        id_of(
            &self
                .create("/organization-scopes", json!({ "name": name }))
                .await,
        )
    }

    fn user(&self, email: &str) -> String {
        self.app.create_user(email).id
    }

    async fn add_members(&self, org: &str, user_ids: &[&str]) {
        let reply = self
            .post(
                &format!("/organizations/{org}/users"),
                json!({ "userIds": user_ids }),
            )
            .await;
        assert_status(&reply, 201);
    }

    /// The ids of the organization's members (first page, up to 100).
    async fn member_ids(&self, org: &str) -> Vec<String> {
        let reply = self
            .get(&format!("/organizations/{org}/users?page_size=100"))
            .await;
        assert_status(&reply, 200);
        sorted(reply.ids())
    }

    async fn member_role_ids(&self, org: &str, user: &str) -> Vec<String> {
        let reply = self
            .get(&format!("/organizations/{org}/users/{user}/roles"))
            .await;
        assert_status(&reply, 200);
        sorted(reply.ids())
    }

    async fn jit_role_ids(&self, org: &str) -> Vec<String> {
        let reply = self.get(&format!("/organizations/{org}/jit/roles")).await;
        assert_status(&reply, 200);
        sorted(reply.ids())
    }

    async fn role_scope_ids(&self, role: &str) -> Vec<String> {
        let reply = self
            .get(&format!("/organization-roles/{role}/scopes"))
            .await;
        assert_status(&reply, 200);
        sorted(reply.ids())
    }

    /// Rows in a table for one organization, read from the database itself.
    fn count_rows(&self, table: &str, org: &str) -> i64 {
        let org = org.to_owned();
        let table = table.to_owned();
        self.app
            .storage
            .run_blocking(move |c| match table.as_str() {
                "member_roles" => organization_member_roles::table
                    .filter(organization_member_roles::organization_id.eq(&org))
                    .count()
                    .get_result(c),
                "jit_roles" => organization_jit_roles::table
                    .filter(organization_jit_roles::organization_id.eq(&org))
                    .count()
                    .get_result(c),
                other => panic!("unknown table {other}"),
            })
            .expect("count")
    }
}

fn expect_ids(mut got: Vec<String>, want: &[&String]) {
    got.sort();
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
}

const UNKNOWN: &str = "0000000000000000000000000000dead";

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Organizations
// ---------------------------------------------------------------------------------------------

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
    let keys: BTreeSet<&str> = created
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
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
        let reply = api.send_raw(Method::POST, "/organizations", raw).await;
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
        &api.send_raw(Method::PATCH, &path, "nope").await,
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
        &api.send_raw(Method::POST, &users, "[]").await,
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
    let keys: BTreeSet<&str> = created
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
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
    let keys: BTreeSet<&str> = created
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
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
    every_route_requires_a_bearer_token,
    create_and_get_an_organization,
    organization_bodies_are_validated,
    unknown_organizations_are_not_found,
    organizations_list_newest_first_with_paging_and_search,
    organizations_can_be_updated,
    deleting_an_organization_removes_its_memberships,
    members_are_added_listed_and_removed,
    member_bodies_are_validated,
    member_roles_are_added_replaced_and_removed,
    roles_given_by_the_api_grant_their_scopes,
    jit_roles_are_set_replaced_and_removed,
    organization_roles_crud,
    organization_roles_list_with_paging_and_search,
    role_scopes_are_added_replaced_and_removed,
    deleting_a_role_removes_it_from_members_and_jit_defaults,
    organization_scopes_crud,
);
