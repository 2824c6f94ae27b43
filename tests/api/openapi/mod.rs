//! The OpenAPI description of the Management API (`/api/openapi.json`) against the server: it
//! is served publicly; it is a well-formed OpenAPI 3.1 document; every route it documents exists
//! and answers only the status codes it documents, with bodies that fit the documented schemas;
//! every route the server answers under `/api` is documented; and a happy path through every
//! operation gets the documented success answer.
//!
//! The document is generated from the handlers as they are registered (`utoipa` and
//! `utoipa-actix-web`), so these tests check the server against what it says of itself.
//!
//! This file holds what the tests share: reading the document, filling in its path templates
//! and checking an answer against what its operation documents. The tests are in [`document`]
//! (the document's own shape), [`routes`] (the document against the routes the server
//! serves), [`happy_path`] (every operation called with success) and [`errors`] (the
//! documented error answers).

use std::collections::{BTreeMap, BTreeSet};

use crate::common::Backend;
use crate::common::api::{Api, Reply, id_of, str_of};
use serde_json::{Value, json};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The document, read without a token.
async fn fetch_document(api: &Api) -> Value {
    let reply = api.call_as(None, "GET", "/openapi.json", None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    serde_json::from_str(&reply.text).expect("the document is JSON")
}

/// The names of the parameters of a path template.
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

/// A random id, which names nothing on the server.
fn random_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

mod document;
mod errors;
mod happy_path;
mod routes;
