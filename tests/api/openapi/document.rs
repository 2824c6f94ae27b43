//! The document itself: served publicly, and a well-formed OpenAPI 3.1 document whose
//! references resolve and whose operations are described alike (ids, summaries, parameters,
//! errors, examples that fit their schemas).

use super::*;

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

#[actix_rt::test]
async fn the_document_is_served_publicly() {
    let api = Api::spawn(Backend::Sqlite).await;
    let reply = api.call_as(None, "GET", "/openapi.json", None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("cache-control"), Some("public, max-age=300"));
    let doc: Value = serde_json::from_str(&reply.text).expect("JSON");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));

    // A bearer token is not needed, and one that is wrong does no harm.
    let with_bad_token = api
        .call_as(Some("nonsense"), "GET", "/openapi.json", None)
        .await;
    assert_eq!(with_bad_token.status, 200);
    assert_eq!(with_bad_token.text, reply.text);
}

#[actix_rt::test]
async fn the_document_is_well_formed() {
    let api = Api::spawn(Backend::Sqlite).await;
    let doc = fetch_document(&api).await;

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
