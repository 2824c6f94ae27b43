//! The OpenAPI description of the Management API (`/api/openapi.json`) against the server: it
//! is served publicly; it is a well-formed OpenAPI 3.1 document; every route it documents exists
//! and answers only the status codes it documents, with bodies that fit the documented schemas;
//! every route the server answers under `/api` is documented; and a happy path through every
//! operation gets the documented success answer.
//!
//! The document is generated from the handlers as they are registered (`utoipa` and
//! `utoipa-actix-web`), so these tests check the server against what it says of itself.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::api::{self, Reply};
use crate::common::{Backend, TestApp};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use serde_json::{Value, json};
use sesame::crypto::SigningAlg;
use sesame::crypto::keys::{JwtType, KeySet};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

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

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Whether `reply` is the answer to a route the server does not have.
fn is_unknown_route(reply: &Reply) -> bool {
    reply.status == 404 && reply.json == json!({"code": "not_found", "message": "no such route"})
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> Reply {
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
    api::call(&reqwest::Client::new(), app, bearer, method, path, body).await
}

async fn fetch_document(app: &TestApp) -> Value {
    let reply = call(app, "get", "/openapi.json", None, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    serde_json::from_str(&reply.text).expect("the document is JSON")
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

fn template_params(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_owned)
        .collect()
}

/// `path` with its parameters taken from `values`.
fn fill(path: &str, values: &BTreeMap<String, String>) -> String {
    path.split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => values
                    .get(name)
                    .unwrap_or_else(|| panic!("no value for {{{name}}} in {path}"))
                    .clone(),
                None => s.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
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

/// Every operation of the document: (path, method, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if METHODS.contains(&method.as_str()) {
                out.push((path.clone(), method.clone(), op.clone()));
            }
        }
    }
    out
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("not a local reference: {reference}"));
            let target = doc
                .pointer(pointer)
                .unwrap_or_else(|| panic!("dangling reference {reference}"));
            resolve(doc, target)
        }
        None => value,
    }
}

/// Every `$ref` in `value`.
fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => references(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        other => panic!("unknown schema type {other}"),
    }
}

/// Checks `value` against a schema, strictly: an object schema that lists `properties` admits
/// no other property unless `additionalProperties` allows it, so that an undocumented field in
/// an answer is caught.
fn validate(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let fits = options
            .iter()
            .filter(|s| validate(doc, s, value, at).is_ok())
            .count();
        if fits != 1 {
            return Err(format!("{at}: {value} fits {fits} of the oneOf schemas"));
        }
    }
    if let Some(types) = schema.get("type") {
        let names: Vec<&str> = match types {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            other => return Err(format!("{at}: bad type {other}")),
        };
        if !names.iter().any(|n| type_matches(n, value)) {
            return Err(format!("{at}: {value} is not of type {types}"));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let Some(n) = value.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            return Err(format!("{at}: {n} < minimum {min}"));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            return Err(format!("{at}: {n} > maximum {max}"));
        }
    }
    if let (Some(s), Some(min)) = (
        value.as_str(),
        schema.get("minLength").and_then(Value::as_u64),
    ) && (s.chars().count() as u64) < min
    {
        return Err(format!("{at}: {s:?} is shorter than {min}"));
    }
    if let Value::Object(map) = value {
        for field in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !map.contains_key(field) {
                return Err(format!(
                    "{at}: required field {field} is missing in {value}"
                ));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        for (key, v) in map {
            let here = format!("{at}.{key}");
            match (properties.and_then(|p| p.get(key)), additional) {
                (Some(s), _) => validate(doc, s, v, &here)?,
                (None, Some(Value::Bool(false))) => {
                    return Err(format!("{here}: not a documented field"));
                }
                (None, Some(extra @ Value::Object(_))) => validate(doc, extra, v, &here)?,
                (None, Some(Value::Bool(true))) => {}
                (None, None) if properties.is_some() => {
                    return Err(format!("{here}: not a documented field"));
                }
                (None, _) => {}
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            validate(doc, item_schema, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

/// Checks a reply against what `op` documents: the status is one of its responses, the body
/// fits the response's JSON schema (or is empty when it has none) and documented headers
/// are present.
fn check_documented(doc: &Value, what: &str, op: &Value, reply: &Reply) {
    let responses = op["responses"].as_object().expect("responses");
    let response = responses
        .get(&reply.status.to_string())
        .map(|r| resolve(doc, r))
        .unwrap_or_else(|| {
            panic!(
                "{what}: answered {} (undocumented; documented: {:?}): {}",
                reply.status,
                responses.keys().collect::<Vec<_>>(),
                reply.text
            )
        });
    match response.pointer("/content/application~1json/schema") {
        Some(schema) => {
            assert!(
                reply
                    .header("content-type")
                    .is_some_and(|c| c.starts_with("application/json")),
                "{what}: {} should be JSON, got {:?}",
                reply.status,
                reply.header("content-type")
            );
            if let Err(e) = validate(doc, schema, &reply.json, "body") {
                panic!("{what}: {} {}: {e}", reply.status, reply.text);
            }
        }
        None => assert!(
            reply.text.is_empty(),
            "{what}: {} is documented without a body, got {}",
            reply.status,
            reply.text
        ),
    }
    for (name, header) in response
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let value = reply
            .header(name)
            .unwrap_or_else(|| panic!("{what}: {} lacks the header {name}", reply.status));
        let schema = &resolve(doc, header)["schema"];
        if schema["type"] == "integer" {
            assert!(
                value.parse::<i64>().is_ok(),
                "{what}: {name}: {value:?} is not an integer"
            );
        }
    }
}

/// The documented example of an operation's request body.
fn example_body(doc: &Value, op: &Value) -> Option<Value> {
    let schema = op.pointer("/requestBody/content/application~1json/schema")?;
    Some(
        resolve(doc, schema)
            .get("example")
            .cloned()
            .unwrap_or_else(|| json!({})),
    )
}

/// A Management API token signed by the server but without the `all` scope.
fn narrow_token(app: &TestApp, real: &str) -> String {
    let part = real.split('.').nth(1).expect("JWT claims");
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON");
    claims["scope"] = json!("read");
    let stored = app
        .storage
        .run_blocking(|c| sesame::storage::keys::list_publishable_keys(c, 0))
        .expect("stored keys");
    KeySet::from_stored(&stored)
        .expect("key set")
        .sign(SigningAlg::ES256, JwtType::AccessToken, &claims)
        .expect("sign")
}

fn random_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

// ---------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------

#[actix_rt::test]
async fn the_document_is_served_publicly() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let reply = call(&app, "get", "/openapi.json", None, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("cache-control"), Some("public, max-age=300"));
    let doc: Value = serde_json::from_str(&reply.text).expect("JSON");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));

    // A bearer token is not needed, and one that is wrong does no harm.
    let with_bad_token = call(&app, "get", "/openapi.json", Some("nonsense"), None).await;
    assert_eq!(with_bad_token.status, 200);
    assert_eq!(with_bad_token.text, reply.text);
}

#[actix_rt::test]
async fn the_document_is_well_formed() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = fetch_document(&app).await;

    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "Sesame Management API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["servers"][0]["url"], "/api");
    let scheme = &doc["components"]["securitySchemes"]["bearerAuth"];
    assert_eq!(
        (&scheme["type"], &scheme["scheme"], &scheme["bearerFormat"]),
        (&json!("http"), &json!("bearer"), &json!("JWT"))
    );
    assert_eq!(doc["security"], json!([{"bearerAuth": []}]));
    let error = &doc["components"]["schemas"]["Error"];
    assert_eq!(error["required"], json!(["code", "message"]));
    for header in ["Total-Number", "Retry-After"] {
        assert!(doc["components"]["headers"][header].is_object(), "{header}");
    }

    let mut refs = Vec::new();
    references(&doc, &mut refs);
    for reference in refs {
        resolve(&doc, &json!({ "$ref": reference }));
    }

    let ops = operations(&doc);
    assert!(!ops.is_empty());
    let mut ids = BTreeSet::new();
    for (path, method, op) in &ops {
        let what = format!("{} {path}", method.to_uppercase());
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: operationId"));
        assert!(ids.insert(id.to_owned()), "{what}: operationId {id} twice");
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{what}: summary"
        );
        // Path parameters: exactly those of the template, each required.
        let declared: BTreeSet<String> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| resolve(&doc, p))
            .filter(|p| p["in"] == "path")
            .map(|p| {
                assert_eq!(p["required"], true, "{what}: path parameters are required");
                p["name"].as_str().expect("name").to_owned()
            })
            .collect();
        let in_template: BTreeSet<String> = template_params(path).into_iter().collect();
        assert_eq!(declared, in_template, "{what}: path parameters");

        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{what}: a success response"
        );
        let public = op.get("security") == Some(&json!([]));
        assert_eq!(
            public,
            path == "/openapi.json",
            "{what}: only the document is public"
        );
        if !public {
            for status in ["401", "403"] {
                let r = resolve(&doc, &responses[status]);
                assert_eq!(
                    resolve(&doc, &r["content"]["application/json"]["schema"]),
                    error,
                    "{what}: {status} is an Error"
                );
            }
        }
        for (status, response) in responses {
            let response = resolve(&doc, response);
            assert!(response["description"].is_string(), "{what} {status}");
            if status.starts_with('4') {
                let schema = &response["content"]["application/json"]["schema"];
                assert_eq!(resolve(&doc, schema), error, "{what}: {status} is an Error");
            }
        }
        if let Some(body) = op.get("requestBody") {
            assert!(
                responses.contains_key("400"),
                "{what}: a body can be invalid"
            );
            let schema = &body["content"]["application/json"]["schema"];
            let schema = resolve(&doc, schema);
            assert_eq!(schema["type"], "object", "{what}: bodies are JSON objects");
            if let Some(example) = schema.get("example")
                && let Err(e) = validate(&doc, schema, example, "example")
            {
                panic!("{what}: the example does not fit the schema: {e}");
            }
        }
        // Lists say how many there are in all.
        if method == "get"
            && let Some(success) = responses.get("200")
            && resolve(&doc, success)["content"]["application/json"]["schema"]["type"] == "array"
            && op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| resolve(&doc, p)["name"] == "page_size"))
        {
            assert!(
                resolve(&doc, success)["headers"]["Total-Number"].is_object(),
                "{what}: Total-Number"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The document against the code
// ---------------------------------------------------------------------------------------------

/// The document lists the operations of [`OPERATIONS`], no more and no fewer.
#[actix_rt::test]
async fn the_document_lists_every_operation() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = fetch_document(&app).await;
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
    let app = TestApp::spawn(Backend::Sqlite).await;
    let bearer = crate::common::management_token(&app).await;
    let doc = fetch_document(&app).await;
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
            let reply = call(&app, method, &concrete, Some(&bearer), Some(&json!({}))).await;
            let what = format!("{} /api{concrete}", method.to_uppercase());
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
    let app = TestApp::spawn(Backend::Sqlite).await;
    let bearer = crate::common::management_token(&app).await;
    let narrow = narrow_token(&app, &bearer);
    let doc = fetch_document(&app).await;
    let ops = operations(&doc);

    for (path, method, op) in &ops {
        let values: BTreeMap<String, String> = template_params(path)
            .into_iter()
            .map(|name| (name, random_id()))
            .collect();
        let concrete = fill(path, &values);
        let what = format!("{} /api{concrete} ({path})", method.to_uppercase());

        // With the documented example, an empty object and a body that is not an object.
        let bodies: Vec<Option<Value>> = match example_body(&doc, op) {
            Some(example) => vec![Some(example), Some(json!({})), Some(json!([]))],
            None => vec![None],
        };
        for body in &bodies {
            let reply = call(&app, method, &concrete, Some(&bearer), body.as_ref()).await;
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

        let anonymous = call(&app, method, &concrete, None, bodies[0].as_ref()).await;
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

        let limited = call(&app, method, &concrete, Some(&narrow), bodies[0].as_ref()).await;
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
            let reply = call(&app, other, &concrete, Some(&bearer), Some(&json!({}))).await;
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

/// Every list refuses a page it could never reach (the offset would overflow) with a
/// documented 400 that names `page`.
#[actix_rt::test]
async fn lists_refuse_pages_beyond_reach() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let bearer = crate::common::management_token(&app).await;
    let doc = fetch_document(&app).await;
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
        let reply = call(&app, &method, &concrete, Some(&bearer), None).await;
        let what = format!("{} /api{concrete}", method.to_uppercase());
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

// ---------------------------------------------------------------------------------------------
// A happy path through every operation
// ---------------------------------------------------------------------------------------------

struct Walk<'a> {
    app: &'a TestApp,
    bearer: String,
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
        let reply = call(
            self.app,
            &method,
            &concrete,
            Some(&self.bearer),
            body.as_ref(),
        )
        .await;
        let what = format!("{id}: {} /api{concrete}", method.to_uppercase());
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
        let id = value["id"].as_str().expect("an id").to_owned();
        self.ids.insert(key, id);
    }
}

#[actix_rt::test]
async fn every_operation_succeeds_as_documented() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let bearer = crate::common::management_token(&app).await;
    let doc = fetch_document(&app).await;
    let mut w = Walk {
        app: &app,
        bearer,
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
    let email = user["primaryEmail"].as_str().expect("email").to_owned();
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
    let secret = token["token"].as_str().expect("token").to_owned();
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

// ---------------------------------------------------------------------------------------------
// The rarer documented errors
// ---------------------------------------------------------------------------------------------

/// Conflicts, rate limits and the one-time token errors answer as documented.
#[actix_rt::test]
async fn conflicts_and_limits_answer_as_documented() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.one_time_tokens_per_email_per_hour = 1;
    })
    .await;
    let bearer = crate::common::management_token(&app).await;
    let doc = fetch_document(&app).await;
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
        let reply = call(&app, &method, path, Some(&bearer), Some(&body)).await;
        let what = format!("{id}: {} /api{path} with {body}", method.to_uppercase());
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
    let scope_path = format!("/organization-scopes/{}", scope["id"].as_str().expect("id"));
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
    let role_path = format!("/organization-roles/{}", role["id"].as_str().expect("id"));
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
    let user_path = format!("/users/{}", user["id"].as_str().expect("id"));
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
    let token = created["token"].as_str().expect("token");
    let id_path = format!("/one-time-tokens/{}", created["id"].as_str().expect("id"));
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
