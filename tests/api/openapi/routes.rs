//! The document against the routes the server serves: it lists exactly the operations of
//! [`OPERATIONS`], every route it documents exists and answers as documented (with a token,
//! without one and with one lacking the `all` scope), and nothing it leaves out is served.

use super::*;
use crate::common::jwt_part;
use sesame::crypto::SigningAlg;
use sesame::crypto::keys::{JwtType, KeySet};

/// The operations of the Management API (method, path). The document must list exactly these:
/// a new route is documented or this test fails, and a change to the API shows here.
const OPERATIONS: &[(&str, &str)] = &[
    ("get", "/openapi.json"),
    ("post", "/one-time-tokens"),
    ("get", "/one-time-tokens"),
    ("post", "/one-time-tokens/verify"),
    ("get", "/one-time-tokens/{id}"),
    ("delete", "/one-time-tokens/{id}"),
    ("put", "/one-time-tokens/{id}/status"),
    ("post", "/organizations"),
    ("get", "/organizations"),
    ("get", "/organizations/{id}"),
    ("patch", "/organizations/{id}"),
    ("delete", "/organizations/{id}"),
    ("post", "/organizations/{id}/users"),
    ("get", "/organizations/{id}/users"),
    ("delete", "/organizations/{id}/users/{userId}"),
    ("get", "/organizations/{id}/users/{userId}/roles"),
    ("post", "/organizations/{id}/users/{userId}/roles"),
    ("put", "/organizations/{id}/users/{userId}/roles"),
    (
        "delete",
        "/organizations/{id}/users/{userId}/roles/{roleId}",
    ),
    ("get", "/organizations/{id}/jit/roles"),
    ("post", "/organizations/{id}/jit/roles"),
    ("put", "/organizations/{id}/jit/roles"),
    ("delete", "/organizations/{id}/jit/roles/{roleId}"),
    ("post", "/organization-roles"),
    ("get", "/organization-roles"),
    ("get", "/organization-roles/{id}"),
    ("patch", "/organization-roles/{id}"),
    ("delete", "/organization-roles/{id}"),
    ("get", "/organization-roles/{id}/scopes"),
    ("post", "/organization-roles/{id}/scopes"),
    ("put", "/organization-roles/{id}/scopes"),
    ("delete", "/organization-roles/{id}/scopes/{scopeId}"),
    ("post", "/organization-scopes"),
    ("get", "/organization-scopes"),
    ("get", "/organization-scopes/{id}"),
    ("patch", "/organization-scopes/{id}"),
    ("delete", "/organization-scopes/{id}"),
    ("post", "/users"),
    ("get", "/users"),
    ("get", "/users/{id}"),
    ("patch", "/users/{id}"),
    ("delete", "/users/{id}"),
    ("patch", "/users/{id}/password"),
    ("patch", "/users/{id}/is-suspended"),
    ("post", "/applications"),
    ("get", "/applications"),
    ("get", "/applications/{id}"),
    ("patch", "/applications/{id}"),
    ("delete", "/applications/{id}"),
    ("get", "/sign-in-exp"),
    ("patch", "/sign-in-exp"),
];

/// Paths a Logto-shaped API might serve and Sesame does not: they must be unknown routes, and
/// any that the server starts to serve must be documented.
const OTHER_PATHS: &[&str] = &[
    "",
    "/",
    "/roles",
    "/resources",
    "/scopes",
    "/logs",
    "/hooks",
    "/connectors",
    "/configs",
    "/custom-phrases",
    "/sign-in-exp/default",
    "/swagger.json",
    "/openapi.yaml",
    "/status",
    "/health",
    "/me",
    "/users/{id}/roles",
    "/users/{id}/organizations",
    "/users/{id}/identities",
    "/organizations/{id}/roles",
    "/organizations/{id}/invitations",
    "/organization-invitations",
    "/organization-roles/{id}/users",
    "/applications/{id}/roles",
    "/applications/{id}/secrets",
    "/one-time-tokens/{id}/verify",
];

/// Whether `reply` is the answer to a route the server does not have.
fn is_unknown_route(reply: &Reply) -> bool {
    reply.status == 404 && reply.json == json!({"code": "not_found", "message": "no such route"})
}

/// A path with every `{param}` replaced by `{}`, to compare templates whatever the names.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether a concrete path matches a template.
fn matches(template: &str, concrete: &str) -> bool {
    let (t, c): (Vec<&str>, Vec<&str>) =
        (template.split('/').collect(), concrete.split('/').collect());
    t.len() == c.len()
        && t.iter()
            .zip(&c)
            .all(|(t, c)| t == c || (t.starts_with('{') && !c.is_empty()))
}

/// A Management API token signed by the server but without the `all` scope.
fn narrow_token(api: &Api) -> String {
    let mut claims = jwt_part(&api.token, 1);
    claims["scope"] = json!("read");
    let stored = api
        .app
        .storage
        .run_blocking(|c| sesame::storage::keys::list_publishable_keys(c, 0))
        .expect("stored keys");
    KeySet::from_stored(&stored)
        .expect("key set")
        .sign(SigningAlg::ES256, JwtType::AccessToken, &claims)
        .expect("sign")
}

/// The document lists the operations of [`OPERATIONS`], no more and no fewer.
#[actix_rt::test]
async fn the_document_lists_every_operation() {
    let api = Api::spawn(Backend::Sqlite).await;
    let doc = fetch_document(&api).await;
    let documented: BTreeSet<(String, String)> = operations(&doc)
        .into_iter()
        .map(|(path, method, _)| (method, shape(&path)))
        .collect();
    let listed: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|(m, p)| (m.to_string(), shape(p)))
        .collect();
    assert_eq!(listed.len(), OPERATIONS.len(), "OPERATIONS repeats one");
    let missing: Vec<_> = listed.difference(&documented).collect();
    assert!(missing.is_empty(), "operations not documented: {missing:?}");
    let extra: Vec<_> = documented.difference(&listed).collect();
    assert!(
        extra.is_empty(),
        "documented operations not in OPERATIONS (add them there): {extra:?}"
    );
}

/// Every path the server might answer near the documented ones (each documented path, its
/// prefixes, each with one more segment, and the paths of [`OTHER_PATHS`]), with every method:
/// what the document does not list is an unknown route (404 "no such route"), so the server
/// serves nothing under `/api` that the document leaves out.
#[actix_rt::test]
async fn every_route_served_is_documented() {
    let api = Api::spawn(Backend::Sqlite).await;
    let doc = fetch_document(&api).await;
    let ops = operations(&doc);
    let mut probes: BTreeSet<String> = OTHER_PATHS.iter().map(|p| p.to_string()).collect();
    for (path, _, _) in &ops {
        let segments: Vec<&str> = path.split('/').collect();
        for end in 2..=segments.len() {
            probes.insert(segments[..end].join("/"));
        }
        probes.insert(format!("{path}/extra"));
    }
    let values: BTreeMap<String, String> = probes
        .iter()
        .flat_map(|p| template_params(p))
        .map(|name| (name, random_id()))
        .collect();
    let mut answered = 0;
    for probe in &probes {
        let concrete = fill(probe, &values);
        for method in METHODS {
            let documented = ops
                .iter()
                .any(|(p, m, _)| m == method && matches(p, &concrete));
            let upper = method.to_uppercase();
            let reply = api.call(&upper, &concrete, Some(&json!({}))).await;
            let what = format!("{upper} /api{concrete}");
            if documented {
                assert!(!is_unknown_route(&reply), "{what}: documented, yet unknown");
                answered += 1;
            } else {
                assert!(
                    is_unknown_route(&reply),
                    "{what}: not documented, yet answered {} {}",
                    reply.status,
                    reply.text
                );
            }
        }
    }
    assert!(answered >= OPERATIONS.len(), "{answered} documented calls");
}

/// For every documented operation, with random ids: the route exists (no 404 "no such
/// route", no 405), the server does not fail, and each answer is one the operation documents.
/// Without a token every operation but the document itself is refused with 401, and with a
/// token lacking the `all` scope with 403. Methods the document does not list on a path are
/// unknown routes.
#[actix_rt::test]
async fn every_documented_route_exists_and_answers_as_documented() {
    let api = Api::spawn(Backend::Sqlite).await;
    let narrow = narrow_token(&api);
    let doc = fetch_document(&api).await;
    let ops = operations(&doc);

    for (path, method, op) in &ops {
        let values: BTreeMap<String, String> = template_params(path)
            .into_iter()
            .map(|name| (name, random_id()))
            .collect();
        let concrete = fill(path, &values);
        let method = method.to_uppercase();
        let what = format!("{method} /api{concrete} ({path})");

        // With the documented example, an empty object and a body that is not an object.
        let bodies: Vec<Option<Value>> = match example_body(&doc, op) {
            Some(example) => vec![Some(example), Some(json!({})), Some(json!([]))],
            None => vec![None],
        };
        for body in &bodies {
            let reply = api.call(&method, &concrete, body.as_ref()).await;
            let what = format!("{what} with {}", body.as_ref().unwrap_or(&Value::Null));
            assert!(!is_unknown_route(&reply), "{what}: no such route");
            assert_ne!(reply.status, 405, "{what}: method not allowed");
            assert!(
                reply.status < 500,
                "{what}: {} {}",
                reply.status,
                reply.text
            );
            check_documented(&doc, &what, op, &reply);
            if body.as_ref().is_some_and(Value::is_array) {
                assert_eq!(reply.status, 400, "{what}: {}", reply.text);
            }
        }

        let anonymous = api
            .call_as(None, &method, &concrete, bodies[0].as_ref())
            .await;
        if op.get("security") == Some(&json!([])) {
            assert_eq!(anonymous.status, 200, "{what} without a token");
        } else {
            assert_eq!(
                anonymous.status, 401,
                "{what} without a token: {}",
                anonymous.text
            );
            assert_eq!(anonymous.json["code"], "unauthorized");
            assert_eq!(
                anonymous.header("www-authenticate"),
                Some(r#"Bearer realm="sesame""#)
            );
        }
        check_documented(&doc, &format!("{what} without a token"), op, &anonymous);

        let limited = api
            .call_as(Some(&narrow), &method, &concrete, bodies[0].as_ref())
            .await;
        if op.get("security") == Some(&json!([])) {
            assert_eq!(limited.status, 200, "{what} with a narrow token");
        } else {
            assert_eq!(
                limited.status, 403,
                "{what} with a narrow token: {}",
                limited.text
            );
            assert_eq!(limited.json["code"], "forbidden");
        }
        check_documented(&doc, &format!("{what} with a narrow token"), op, &limited);

        // Other methods on this path: unknown, unless another documented template matches.
        for other in METHODS {
            let documented_elsewhere = ops
                .iter()
                .any(|(p, m, _)| m == other && matches(p, &concrete));
            if documented_elsewhere {
                continue;
            }
            let reply = api
                .call(other.to_uppercase(), &concrete, Some(&json!({})))
                .await;
            assert!(
                is_unknown_route(&reply),
                "{} /api{concrete}: undocumented, yet answered {} {}",
                other.to_uppercase(),
                reply.status,
                reply.text
            );
        }
    }
}
