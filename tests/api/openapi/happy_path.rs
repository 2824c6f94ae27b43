//! A happy path through every operation: each is called as a client would, with its
//! documented example where it can be used as it is, and gets its one documented success
//! answer, with a body that fits the documented schema.

use super::*;

/// A walk through the operations: the caller, the document, the ids of what the walk created
/// (by the names it keeps them under) and the operations called so far.
struct Walk<'a> {
    api: &'a Api,
    doc: Value,
    ids: BTreeMap<&'static str, String>,
    done: BTreeSet<String>,
}

impl Walk<'_> {
    /// The operation with this id: (path, method, operation).
    fn operation(&self, id: &str) -> (String, String, Value) {
        operations(&self.doc)
            .into_iter()
            .find(|(_, _, op)| op["operationId"] == id)
            .unwrap_or_else(|| panic!("no operation {id}"))
    }

    /// Calls the operation with `params` for its path and `body` (`None`: its example, if it
    /// takes a body), expects its one documented success status and checks the answer.
    async fn run(&mut self, id: &str, params: &[(&str, &str)], body: Option<Value>) -> Value {
        let (path, method, op) = self.operation(id);
        let values: BTreeMap<String, String> = params
            .iter()
            .map(|(name, key)| (name.to_string(), self.ids[key].clone()))
            .collect();
        let concrete = fill(&path, &values);
        let body = body.or_else(|| example_body(&self.doc, &op));
        let method = method.to_uppercase();
        let reply = self.api.call(&method, &concrete, body.as_ref()).await;
        let what = format!("{id}: {method} /api{concrete}");
        let successes: Vec<&String> = op["responses"]
            .as_object()
            .expect("responses")
            .keys()
            .filter(|s| s.starts_with('2'))
            .collect();
        assert_eq!(successes.len(), 1, "{what}: one success status");
        assert_eq!(
            reply.status.to_string(),
            *successes[0],
            "{what} with {body:?}: {}",
            reply.text
        );
        check_documented(&self.doc, &what, &op, &reply);
        self.done.insert(id.to_owned());
        reply.json
    }

    fn keep(&mut self, key: &'static str, value: &Value) {
        self.ids.insert(key, id_of(value));
    }
}

#[actix_rt::test]
async fn every_operation_succeeds_as_documented() {
    let api = Api::spawn(Backend::Sqlite).await;
    let doc = fetch_document(&api).await;
    let mut w = Walk {
        api: &api,
        doc,
        ids: BTreeMap::new(),
        done: BTreeSet::new(),
    };
    let org = [("id", "org")];
    let member = [("id", "org"), ("userId", "user")];

    // Creation, with the documented examples where they can be used as they are.
    let scope = w.run("createOrganizationScope", &[], None).await;
    w.keep("scope", &scope);
    let role = w
        .run(
            "createOrganizationRole",
            &[],
            Some(json!({"name": "admin", "organizationScopeIds": [w.ids["scope"]]})),
        )
        .await;
    w.keep("role", &role);
    let organization = w.run("createOrganization", &[], None).await;
    w.keep("org", &organization);
    let user = w.run("createUser", &[], None).await;
    w.keep("user", &user);
    let email = str_of(&user, "primaryEmail");
    let application = w.run("createApplication", &[], None).await;
    assert!(
        application["secret"].is_string(),
        "a Traditional app has a secret"
    );
    w.keep("app", &application);
    let context = json!({
        "jitOrganizationIds": [w.ids["org"]],
        "jitOrganizationRoles": {w.ids["org"].clone(): [w.ids["role"]]},
        "invitedBy": "openapi test",
    });
    let token = w
        .run(
            "createOneTimeToken",
            &[],
            Some(json!({"email": email, "expiresIn": 900, "context": context})),
        )
        .await;
    assert_eq!(token["context"], context);
    w.keep("token", &token);
    let secret = str_of(&token, "token");
    let spare = w
        .run("createOneTimeToken", &[], Some(json!({"email": email})))
        .await;
    w.keep("spare", &spare);

    // Reading.
    w.run("getOpenApiDocument", &[], None).await;
    w.run("listOrganizationScopes", &[], None).await;
    w.run("getOrganizationScope", &[("id", "scope")], None)
        .await;
    w.run("listOrganizationRoles", &[], None).await;
    w.run("getOrganizationRole", &[("id", "role")], None).await;
    let scopes = w
        .run("listOrganizationRoleScopes", &[("id", "role")], None)
        .await;
    assert_eq!(scopes[0]["id"], w.ids["scope"].as_str());
    w.run("listOrganizations", &[], None).await;
    w.run("getOrganization", &org, None).await;
    let users = w.run("listUsers", &[], None).await;
    assert_eq!(users.as_array().map(Vec::len), Some(1));
    w.run("getUser", &[("id", "user")], None).await;
    let apps = w.run("listApplications", &[], None).await;
    assert_eq!(
        apps.as_array().map(Vec::len),
        Some(2),
        "with the test's m2m app"
    );
    w.run("getApplication", &[("id", "app")], None).await;
    w.run("listOneTimeTokens", &[], None).await;
    w.run("getOneTimeToken", &[("id", "token")], None).await;
    w.run("getSignInExperience", &[], None).await;

    // Members and their roles.
    w.run(
        "addOrganizationMembers",
        &org,
        Some(json!({"userIds": [w.ids["user"]]})),
    )
    .await;
    let roles = json!({"organizationRoleIds": [w.ids["role"]]});
    w.run("addOrganizationMemberRoles", &member, Some(roles.clone()))
        .await;
    let members = w.run("listOrganizationMembers", &org, None).await;
    assert_eq!(
        members[0]["organizationRoles"][0]["id"],
        w.ids["role"].as_str()
    );
    w.run("listOrganizationMemberRoles", &member, None).await;
    w.run(
        "replaceOrganizationMemberRoles",
        &member,
        Some(roles.clone()),
    )
    .await;
    w.run(
        "removeOrganizationMemberRole",
        &[("id", "org"), ("userId", "user"), ("roleId", "role")],
        None,
    )
    .await;

    // Default roles of just-in-time members.
    w.run("addOrganizationJitRoles", &org, Some(roles.clone()))
        .await;
    let jit = w.run("listOrganizationJitRoles", &org, None).await;
    assert_eq!(jit[0]["id"], w.ids["role"].as_str());
    w.run("replaceOrganizationJitRoles", &org, Some(roles.clone()))
        .await;
    w.run(
        "removeOrganizationJitRole",
        &[("id", "org"), ("roleId", "role")],
        None,
    )
    .await;

    // Scopes of roles.
    let scope_ids = json!({"organizationScopeIds": [w.ids["scope"]]});
    w.run(
        "replaceOrganizationRoleScopes",
        &[("id", "role")],
        Some(json!({"organizationScopeIds": []})),
    )
    .await;
    w.run(
        "addOrganizationRoleScopes",
        &[("id", "role")],
        Some(scope_ids.clone()),
    )
    .await;
    w.run(
        "replaceOrganizationRoleScopes",
        &[("id", "role")],
        Some(scope_ids),
    )
    .await;
    w.run(
        "removeOrganizationRoleScope",
        &[("id", "role"), ("scopeId", "scope")],
        None,
    )
    .await;

    // Changes, with the documented examples.
    w.run("updateOrganization", &org, None).await;
    w.run("updateOrganizationRole", &[("id", "role")], None)
        .await;
    w.run("updateOrganizationScope", &[("id", "scope")], None)
        .await;
    w.run("updateUser", &[("id", "user")], None).await;
    let with_password = w.run("setUserPassword", &[("id", "user")], None).await;
    assert_eq!(with_password["hasPassword"], true);
    w.run("setUserSuspended", &[("id", "user")], None).await;
    w.run("updateApplication", &[("id", "app")], None).await;
    w.run("updateSignInExperience", &[], None).await;

    // One-time tokens.
    let verified = w
        .run(
            "verifyOneTimeToken",
            &[],
            Some(json!({"token": secret, "email": email})),
        )
        .await;
    assert_eq!(verified["status"], "consumed");
    let revoked = w
        .run("setOneTimeTokenStatus", &[("id", "spare")], None)
        .await;
    assert_eq!(revoked["status"], "revoked");
    w.run("deleteOneTimeToken", &[("id", "spare")], None).await;

    // Deletion.
    w.run("removeOrganizationMember", &member, None).await;
    w.run("deleteOrganization", &org, None).await;
    w.run("deleteOrganizationRole", &[("id", "role")], None)
        .await;
    w.run("deleteOrganizationScope", &[("id", "scope")], None)
        .await;
    w.run("deleteUser", &[("id", "user")], None).await;
    w.run("deleteApplication", &[("id", "app")], None).await;

    let all: BTreeSet<String> = operations(&w.doc)
        .iter()
        .map(|(_, _, op)| op["operationId"].as_str().expect("id").to_owned())
        .collect();
    let skipped: Vec<_> = all.difference(&w.done).collect();
    assert!(
        skipped.is_empty(),
        "operations without a happy path here: {skipped:?}"
    );
}
