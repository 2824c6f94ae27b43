//! Attack: numbers that overflow. A `max_age` or a list's `page` / `page_size` large enough to
//! overflow the arithmetic done on it (a panic in debug builds, a wrapped value in release)
//! answers a clean 400, and the largest accepted values work.

use sesame::crypto::SigningAlg;
use sesame::identity::applications::AppType;

use crate::common::api::Api;
use crate::common::{
    Backend, TestApp, assert_error_page, browser, code_request, location, query_param, sign_in,
};

const CALLBACK: &str = "http://127.0.0.1:9999/callback";

async fn a_huge_max_age_is_refused_or_safe(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (client_id, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::RS256);
    app.create_user("ada@example.com");
    let b = browser();
    let (url, _) = code_request(&app, &client_id, CALLBACK, "openid", "s");
    let callback = sign_in(&app, &b, &url, "ada@example.com").await;
    assert!(callback.starts_with(CALLBACK));

    let with_max_age = |max_age: &str| {
        let (url, _) = code_request(&app, &client_id, CALLBACK, "openid", "s");
        format!("{url}&max_age={max_age}")
    };
    // Too long to be a number of seconds we act on: a page, nothing sent to the client.
    for max_age in [
        i64::MAX.to_string(),
        u64::MAX.to_string(),
        "99999999999999999999".to_owned(),
    ] {
        let r = b
            .get(with_max_age(&max_age))
            .send()
            .await
            .expect("authorize");
        let html = assert_error_page(r, 400, "invalid_request").await;
        assert!(html.contains("max_age"), "{max_age}: {html}");
    }
    // The largest accepted value (over 300 years) is simply satisfied by the session.
    for max_age in ["9999999999", "0000009999"] {
        let r = b
            .get(with_max_age(max_age))
            .send()
            .await
            .expect("authorize");
        assert_eq!(r.status(), 303, "{max_age}");
        let to = location(&r);
        assert!(to.starts_with(CALLBACK), "{max_age}: {to}");
        assert!(query_param(&to, "code").is_some(), "{max_age}: {to}");
    }
    // Not a number at all: back to the client with invalid_request.
    let r = b.get(with_max_age("-1")).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    assert_eq!(
        query_param(&location(&r), "error").as_deref(),
        Some("invalid_request")
    );
}

async fn huge_pages_are_refused(backend: Backend) {
    let api = Api::spawn(backend).await;
    let huge = [
        i64::MAX.to_string(),
        u64::MAX.to_string(),
        "99999999999999999999".to_owned(),
        "-9223372036854775808".to_owned(),
    ];
    for list in [
        "/users",
        "/applications",
        "/organizations",
        "/organization-roles",
        "/organization-scopes",
        "/one-time-tokens",
    ] {
        for value in &huge {
            for (name, query) in [
                ("page", format!("page={value}")),
                ("page_size", format!("page_size={value}")),
                ("page", format!("page={value}&page_size=100")),
            ] {
                let path = format!("{list}?{query}");
                let reply = api.call("GET", &path, None).await;
                assert_eq!(reply.status, 400, "{path}: {}", reply.text);
                assert_eq!(reply.json["code"], "invalid_input", "{path}");
                assert!(
                    reply.json["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with(&format!("{name}:"))),
                    "{path}: {}",
                    reply.text
                );
            }
        }
        // The largest page that can be reached is an empty page, not an error.
        let last = (i64::MAX / 100).to_string();
        let reply = api
            .call("GET", &format!("{list}?page={last}&page_size=100"), None)
            .await;
        assert_eq!(reply.status, 200, "{list}: {}", reply.text);
        assert_eq!(reply.json, serde_json::json!([]), "{list}");
    }
}

on_both_backends!(a_huge_max_age_is_refused_or_safe, huge_pages_are_refused);
