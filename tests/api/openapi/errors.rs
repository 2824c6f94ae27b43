//! The documented error answers: a page no list can reach, names and emails in use, invalid
//! bodies, the one-time token creation limit and the one-time token verification errors, each
//! answering as its operation documents.

use super::*;

/// Every list refuses a page it could never reach (the offset would overflow) with a
/// documented 400 that names `page`.
#[actix_rt::test]
async fn lists_refuse_pages_beyond_reach() {
    let api = Api::spawn(Backend::Sqlite).await;
    let doc = fetch_document(&api).await;
    let mut lists = 0;
    for (path, method, op) in operations(&doc) {
        let pages = op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| resolve(&doc, p)["name"] == "page"));
        if !pages {
            continue;
        }
        let values: BTreeMap<String, String> = template_params(&path)
            .into_iter()
            .map(|name| (name, random_id()))
            .collect();
        let concrete = format!("{}?page={}&page_size=100", fill(&path, &values), i64::MAX);
        let method = method.to_uppercase();
        let reply = api.call(&method, &concrete, None).await;
        let what = format!("{method} /api{concrete}");
        assert_eq!(reply.status, 400, "{what}: {}", reply.text);
        assert!(
            reply.json["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("page:")),
            "{what}: {}",
            reply.text
        );
        check_documented(&doc, &what, &op, &reply);
        lists += 1;
    }
    assert!(lists >= 6, "{lists} paged lists");
}

/// Conflicts, rate limits and the one-time token errors answer as documented.
#[actix_rt::test]
async fn conflicts_and_limits_answer_as_documented() {
    let api = Api::spawn_with(Backend::Sqlite, |s| {
        s.one_time_tokens_per_email_per_hour = 1;
    })
    .await;
    let doc = fetch_document(&api).await;
    let ops = operations(&doc);
    let op = |id: &str| {
        ops.iter()
            .find(|(_, _, op)| op["operationId"] == id)
            .unwrap_or_else(|| panic!("no operation {id}"))
            .clone()
    };
    // Calls the operation and checks the answer is `status` with `code`, as documented.
    let expect = async |id: &str, path: &str, body: Value, status: u16, code: &str| {
        let (_, method, operation) = op(id);
        let method = method.to_uppercase();
        let reply = api.call(&method, path, Some(&body)).await;
        let what = format!("{id}: {method} /api{path} with {body}");
        assert_eq!(reply.status, status, "{what}: {}", reply.text);
        check_documented(&doc, &what, &operation, &reply);
        if !code.is_empty() {
            assert_eq!(reply.json["code"], code, "{what}");
        }
        reply.json
    };

    // Names and emails in use: 422.
    expect(
        "createOrganizationScope",
        "/organization-scopes",
        json!({"name": "a"}),
        201,
        "",
    )
    .await;
    let scope = expect(
        "createOrganizationScope",
        "/organization-scopes",
        json!({"name": "b"}),
        201,
        "",
    )
    .await;
    let scope_path = format!("/organization-scopes/{}", id_of(&scope));
    expect(
        "createOrganizationScope",
        "/organization-scopes",
        json!({"name": "a"}),
        422,
        "name_in_use",
    )
    .await;
    expect(
        "updateOrganizationScope",
        &scope_path,
        json!({"name": "a"}),
        422,
        "name_in_use",
    )
    .await;
    expect(
        "createOrganizationRole",
        "/organization-roles",
        json!({"name": "a"}),
        201,
        "",
    )
    .await;
    let role = expect(
        "createOrganizationRole",
        "/organization-roles",
        json!({"name": "b"}),
        201,
        "",
    )
    .await;
    let role_path = format!("/organization-roles/{}", id_of(&role));
    expect(
        "createOrganizationRole",
        "/organization-roles",
        json!({"name": "a"}),
        422,
        "name_in_use",
    )
    .await;
    expect(
        "updateOrganizationRole",
        &role_path,
        json!({"name": "a"}),
        422,
        "name_in_use",
    )
    .await;
    expect(
        "createOrganizationRole",
        "/organization-roles",
        json!({"name": "c", "organizationScopeIds": ["nothing"]}),
        400,
        "invalid_input",
    )
    .await;
    expect(
        "createUser",
        "/users",
        json!({"primaryEmail": "a@example.com"}),
        201,
        "",
    )
    .await;
    let user = expect(
        "createUser",
        "/users",
        json!({"primaryEmail": "b@example.com"}),
        201,
        "",
    )
    .await;
    let user_path = format!("/users/{}", id_of(&user));
    expect(
        "createUser",
        "/users",
        json!({"primaryEmail": "A@example.com"}),
        422,
        "email_in_use",
    )
    .await;
    expect(
        "updateUser",
        &user_path,
        json!({"primaryEmail": "a@example.com"}),
        422,
        "email_in_use",
    )
    .await;
    expect(
        "createUser",
        "/users",
        json!({"primaryEmail": "c@example.com", "email": "x"}),
        400,
        "invalid_input",
    )
    .await;

    // One-time tokens: the per-email limit (429 with Retry-After), then the verification errors.
    let created = expect(
        "createOneTimeToken",
        "/one-time-tokens",
        json!({"email": "a@example.com"}),
        201,
        "",
    )
    .await;
    let limited = expect(
        "createOneTimeToken",
        "/one-time-tokens",
        json!({"email": "a@example.com"}),
        429,
        "too_many_requests",
    )
    .await;
    assert!(limited["message"].is_string());
    expect(
        "createOneTimeToken",
        "/one-time-tokens",
        json!({"email": "b@example.com", "expiresIn": 0}),
        400,
        "invalid_input",
    )
    .await;
    expect(
        "createOneTimeToken",
        "/one-time-tokens",
        json!({"email": "b@example.com", "expiresIn": 30 * 24 * 3600 + 1}),
        400,
        "invalid_input",
    )
    .await;
    expect(
        "createOneTimeToken",
        "/one-time-tokens",
        json!({"email": "b@example.com", "context": {"jitOrganizationIds": ["nothing"]}}),
        400,
        "invalid_input",
    )
    .await;
    let token = str_of(&created, "token");
    let id_path = format!("/one-time-tokens/{}", id_of(&created));
    expect(
        "verifyOneTimeToken",
        "/one-time-tokens/verify",
        json!({"token": token, "email": "b@example.com"}),
        400,
        "email_mismatch",
    )
    .await;
    expect(
        "verifyOneTimeToken",
        "/one-time-tokens/verify",
        json!({"token": "nope", "email": "a@example.com"}),
        404,
        "token_not_found",
    )
    .await;
    expect(
        "setOneTimeTokenStatus",
        &format!("{id_path}/status"),
        json!({"status": "active"}),
        400,
        "cannot_reactivate_token",
    )
    .await;
    expect(
        "verifyOneTimeToken",
        "/one-time-tokens/verify",
        json!({"token": token, "email": "a@example.com"}),
        200,
        "",
    )
    .await;
    expect(
        "verifyOneTimeToken",
        "/one-time-tokens/verify",
        json!({"token": token, "email": "a@example.com"}),
        400,
        "token_consumed",
    )
    .await;
}
