//! The Management API for users, over HTTP against a real Sesame on both backends: bearer
//! authentication, creation and its validation, duplicate emails in any case, the password
//! policy in force, listing with search and paging, profile and password changes, suspension
//! (which signs the user out everywhere) and deletion.

use std::collections::BTreeSet;

use crate::common::api::{
    self, Reply, assert_error, assert_invalid, id_of, object_keys, token_request,
};
use crate::common::rp::Rp;
use crate::common::{
    Backend, PASSWORD, TestApp, browser, location, open_page, post_sign_in, query_param,
    start_interaction,
};
use diesel::prelude::*;
use serde_json::{Value, json};
use sesame::crypto::SigningAlg;
use sesame::identity::applications::AppType;
use sesame::storage::schema::{access_tokens, refresh_tokens, sessions};

const CALLBACK: &str = "http://127.0.0.1:9999/callback";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// What a list of users shows.
trait UserList {
    /// The primary emails, in order.
    fn emails(&self) -> Vec<String>;
}

impl UserList for Reply {
    fn emails(&self) -> Vec<String> {
        self.items()
            .iter()
            .map(|u| u["primaryEmail"].as_str().expect("primaryEmail").to_owned())
            .collect()
    }
}

extends! {
    /// A Management API caller that works on `/api/users`.
    struct Api(api::Api);
}

/// Calls on the users of the Management API.
impl Api {
    async fn spawn(backend: Backend) -> Self {
        Api(api::Api::spawn(backend).await)
    }

    /// Creates a user and expects 201; returns it.
    async fn create_user(&self, body: Value) -> Value {
        self.create("/users", body).await
    }

    async fn create_with_password(&self, email: &str) -> Value {
        self.create_user(json!({"primaryEmail": email, "password": PASSWORD}))
            .await
    }
}

/// A single-page app to sign in to, and its relying party.
async fn spa(app: &TestApp) -> Rp {
    let (client_id, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::ES256);
    Rp::discover(app, &client_id, None, CALLBACK).await
}

/// Submits the hosted sign-in form with `email` and `password` in a fresh browser; returns
/// the status and, for a redirect, where to.
async fn password_sign_in(app: &TestApp, rp: &Rp, email: &str, password: &str) -> (u16, String) {
    let b = browser();
    let page = start_interaction(app, &b, &rp.authorize(&["email"], &[]).url).await;
    let (_, csrf) = open_page(&b, &page).await;
    let r = post_sign_in(&b, &page, &csrf, email, password).await;
    let to = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (r.status().as_u16(), to)
}

/// Whether `email` and `password` get the client an authorization code.
async fn signs_in(app: &TestApp, rp: &Rp, email: &str, password: &str) -> bool {
    let (status, to) = password_sign_in(app, rp, email, password).await;
    status == 303 && to.starts_with(CALLBACK) && query_param(&to, "code").is_some()
}

fn stored_user(app: &TestApp, id: &str) -> Option<sesame::identity::User> {
    let id = id.to_owned();
    app.storage
        .run_blocking(move |c| sesame::storage::users::find_user(c, &id))
        .expect("find user")
}

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

async fn every_route_requires_a_bearer_token(backend: Backend) {
    let api = Api::spawn(backend).await;
    let user = api.create_with_password("ada@example.com").await;
    let id = id_of(&user);
    let routes: Vec<(&str, String, Option<Value>)> = vec![
        (
            "POST",
            "/users".into(),
            Some(json!({"primaryEmail": "x@example.com"})),
        ),
        ("GET", "/users".into(), None),
        ("GET", format!("/users/{id}"), None),
        (
            "PATCH",
            format!("/users/{id}"),
            Some(json!({"name": "Mallory"})),
        ),
        (
            "PATCH",
            format!("/users/{id}/password"),
            Some(json!({"password": "another long password"})),
        ),
        (
            "PATCH",
            format!("/users/{id}/is-suspended"),
            Some(json!({"isSuspended": true})),
        ),
        ("DELETE", format!("/users/{id}"), None),
    ];
    for (method, path, body) in &routes {
        for bearer in [None, Some("not-a-token")] {
            let reply = api.call_as(bearer, method, path, body.as_ref()).await;
            assert_error(&reply, 401, "unauthorized");
        }
    }
    // Nothing changed.
    assert_eq!(*api.get(&format!("/users/{id}")).await.ok(200), user);
    assert_eq!(api.get("/users").await.total_number(), 1);
}

// ---------------------------------------------------------------------------------------------
// Creation
// ---------------------------------------------------------------------------------------------

async fn creates_a_user_who_can_sign_in(backend: Backend) {
    let api = Api::spawn(backend).await;
    let before = crate::common::now_ms();
    let user = api
        .create_user(json!({
            "primaryEmail": "Ada@Example.com",
            "password": PASSWORD,
            "name": "  Ada Lovelace ",
        }))
        .await;
    let keys = object_keys(&user);
    assert_eq!(
        keys,
        BTreeSet::from([
            "id",
            "primaryEmail",
            "emailVerified",
            "name",
            "isSuspended",
            "locale",
            "hasPassword",
            "createdAt"
        ])
    );
    assert_eq!(user["primaryEmail"], "Ada@Example.com");
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(user["isSuspended"], false);
    assert_eq!(user["hasPassword"], true);
    assert_eq!(user["locale"], json!(null), "none until one is chosen");
    assert_eq!(
        user["emailVerified"], false,
        "an address typed in is not proven"
    );
    let created_at = user["createdAt"].as_i64().expect("createdAt");
    assert!((before..=crate::common::now_ms()).contains(&created_at));
    assert_eq!(
        *api.get(&format!("/users/{}", id_of(&user))).await.ok(200),
        user
    );

    // The password is kept as an argon2id hash, and it works on the hosted sign-in page.
    let stored = stored_user(&api.app, &id_of(&user)).expect("stored");
    let hash = stored.password_hash.expect("a password hash");
    assert!(hash.starts_with("$argon2id$") && !hash.contains(PASSWORD));
    let rp = spa(&api.app).await;
    assert!(signs_in(&api.app, &rp, "ada@example.com", PASSWORD).await);
    assert!(!signs_in(&api.app, &rp, "ada@example.com", "not the password").await);

    // Without a password or a name.
    let bare = api
        .create_user(json!({"primaryEmail": "bob@example.com"}))
        .await;
    assert_eq!(bare["hasPassword"], false);
    assert_eq!(bare["name"], Value::Null);
    let blank = api
        .create_user(json!({"primaryEmail": "cy@example.com", "name": "  ", "password": null}))
        .await;
    assert_eq!(blank["name"], Value::Null);
    assert_eq!(blank["hasPassword"], false);
    assert!(!signs_in(&api.app, &rp, "bob@example.com", "").await);
}

async fn creation_validates_the_body(backend: Backend) {
    let api = Api::spawn(backend).await;
    for (body, field) in [
        (json!({}), "primaryEmail"),
        (json!({"primaryEmail": null}), "primaryEmail"),
        (json!({"primaryEmail": "not an email"}), "primaryEmail"),
        (json!({"primaryEmail": "a@b"}), "primaryEmail"),
        (json!({"primaryEmail": 42}), "primaryEmail"),
        (
            json!({"primaryEmail": "a@example.com", "password": "short"}),
            "password",
        ),
        (
            json!({"primaryEmail": "a@example.com", "password": 12345678}),
            "password",
        ),
        (json!({"primaryEmail": "a@example.com", "name": 7}), "name"),
        (
            json!({"primaryEmail": "a@example.com", "username": "ada"}),
            "username",
        ),
    ] {
        assert_invalid(&api.post("/users", body).await, field);
    }
    for raw in ["", "not json", "[1, 2]", "\"a@example.com\""] {
        let reply = api.call_raw("POST", "/users", raw).await;
        assert_error(&reply, 400, "invalid_input");
    }
    assert_eq!(
        api.get("/users").await.total_number(),
        0,
        "nothing was created"
    );
}

async fn an_email_is_used_once_in_any_case(backend: Backend) {
    let api = Api::spawn(backend).await;
    api.create_user(json!({"primaryEmail": "ada@example.com"}))
        .await;
    for email in ["ada@example.com", "ADA@Example.COM", "  Ada@example.com "] {
        assert_error(
            &api.post(
                "/users",
                json!({"primaryEmail": email, "password": PASSWORD}),
            )
            .await,
            422,
            "email_in_use",
        );
    }
    // Nor can another user take it.
    let bob = api
        .create_user(json!({"primaryEmail": "bob@example.com"}))
        .await;
    let reply = api
        .patch(
            &format!("/users/{}", id_of(&bob)),
            json!({"primaryEmail": "Ada@EXAMPLE.com"}),
        )
        .await;
    assert_error(&reply, 422, "email_in_use");
    assert_eq!(
        api.get(&format!("/users/{}", id_of(&bob))).await.ok(200)["primaryEmail"],
        "bob@example.com"
    );
    assert_eq!(api.get("/users").await.total_number(), 2);
}

async fn the_password_policy_in_force_applies(backend: Backend) {
    let api = Api::spawn(backend).await;
    // The configured default (8 characters) until the sign-in experience changes.
    api.create_user(json!({"primaryEmail": "a@example.com", "password": "12345678"}))
        .await;
    api.patch(
        "/sign-in-exp",
        json!({"passwordPolicy": {"minLength": 20, "rejectBreached": true}}),
    )
    .await
    .ok(200);
    let reply = api
        .post(
            "/users",
            json!({"primaryEmail": "b@example.com", "password": "nineteen characters"}),
        )
        .await;
    assert_invalid(&reply, "password");
    assert!(
        reply.json["message"]
            .as_str()
            .unwrap_or_default()
            .contains("20")
    );
    let user = api
        .create_user(json!({"primaryEmail": "b@example.com", "password": "twenty characters, ok"}))
        .await;
    // The same policy guards a password change.
    let path = format!("/users/{}/password", id_of(&user));
    assert_invalid(
        &api.patch(&path, json!({"password": "too short"})).await,
        "password",
    );
    api.patch("/sign-in-exp", json!({"passwordPolicy": {"minLength": 8}}))
        .await
        .ok(200);
    assert_invalid(
        &api.patch(&path, json!({"password": "Password123"})).await,
        "password",
    );
    api.patch(&path, json!({"password": "an uncommon one"}))
        .await
        .ok(200);
}

// ---------------------------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------------------------

async fn lists_newest_first_with_paging_and_search(backend: Backend) {
    let api = Api::spawn(backend).await;
    let emails = [
        "ada@example.org",
        "bob@example.com",
        "Carol@Example.ORG",
        "a_b@example.net",
        "axb@example.net",
        "100%@example.net",
    ];
    for email in emails {
        api.create_user(json!({"primaryEmail": email})).await;
    }
    let newest_first: Vec<String> = emails.iter().rev().map(|e| e.to_string()).collect();

    let all = api.get("/users").await;
    all.ok(200);
    assert_eq!(all.total_number(), 6);
    assert_eq!(all.emails(), newest_first);

    let mut paged = Vec::new();
    for page in 1..=3 {
        let reply = api.get(&format!("/users?page={page}&page_size=2")).await;
        assert_eq!(reply.total_number(), 6);
        assert_eq!(reply.emails().len(), 2);
        paged.extend(reply.emails());
    }
    assert_eq!(paged, newest_first);
    let beyond = api.get("/users?page=4&page_size=2").await;
    assert_eq!(beyond.total_number(), 6);
    assert!(beyond.emails().is_empty());

    // Case-insensitive substring of the email; the total counts the matches.
    let org = api.get("/users?search=EXAMPLE.org").await;
    assert_eq!(org.emails(), ["Carol@Example.ORG", "ada@example.org"]);
    assert_eq!(org.total_number(), 2);
    let page = api
        .get("/users?search=example.org&page=2&page_size=1")
        .await;
    assert_eq!(page.emails(), ["ada@example.org"]);
    assert_eq!(page.total_number(), 2);
    // LIKE wildcards are plain characters.
    assert_eq!(
        api.get("/users?search=a_b").await.emails(),
        ["a_b@example.net"]
    );
    assert_eq!(
        api.get("/users?search=%25").await.emails(),
        ["100%@example.net"]
    );
    let none = api.get("/users?search=nobody").await;
    assert!(none.emails().is_empty());
    assert_eq!(none.total_number(), 0);
    assert_eq!(api.get("/users?search=").await.total_number(), 6);

    for (query, field) in [
        ("page=0", "page"),
        ("page=x", "page"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
    ] {
        assert_invalid(&api.get(&format!("/users?{query}")).await, field);
    }
}

// ---------------------------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------------------------

async fn updates_the_name_and_the_email(backend: Backend) {
    let api = Api::spawn(backend).await;
    let user = api.create_with_password("ada@example.com").await;
    let id = id_of(&user);
    let path = format!("/users/{id}");
    let renamed = api.patch(&path, json!({"name": "Ada Lovelace"})).await;
    assert_eq!(renamed.ok(200)["name"], "Ada Lovelace");
    assert_eq!(renamed.json["primaryEmail"], "ada@example.com");
    assert_eq!(api.get(&path).await.json, renamed.json);
    let cleared = api.patch(&path, json!({"name": null})).await;
    assert_eq!(cleared.ok(200)["name"], Value::Null);

    // A verified address that changes is no longer verified; a change of case keeps it.
    api.app
        .storage
        .run_blocking(|c| {
            diesel::update(sesame::storage::schema::users::table)
                .set(sesame::storage::schema::users::email_verified.eq(true))
                .execute(c)
        })
        .expect("verify");
    let recased = api
        .patch(&path, json!({"primaryEmail": "Ada@Example.com"}))
        .await;
    assert_eq!(recased.ok(200)["primaryEmail"], "Ada@Example.com");
    assert!(stored_user(&api.app, &id).expect("user").email_verified);
    let moved = api
        .patch(
            &path,
            json!({"primaryEmail": "lovelace@example.org", "name": "Ada"}),
        )
        .await;
    assert_eq!(moved.ok(200)["primaryEmail"], "lovelace@example.org");
    assert_eq!(moved.json["name"], "Ada");
    assert!(!stored_user(&api.app, &id).expect("user").email_verified);

    // The new address signs in; the old one no longer does.
    let rp = spa(&api.app).await;
    assert!(signs_in(&api.app, &rp, "lovelace@example.org", PASSWORD).await);
    assert!(!signs_in(&api.app, &rp, "ada@example.com", PASSWORD).await);

    for (body, field) in [
        (json!({"primaryEmail": null}), "primaryEmail"),
        (json!({"primaryEmail": "nope"}), "primaryEmail"),
        (json!({"name": ["Ada"]}), "name"),
        (json!({"email": "x@example.com"}), "email"),
        (json!({"isSuspended": true}), "isSuspended"),
    ] {
        assert_invalid(&api.patch(&path, body).await, field);
    }
    assert_eq!(api.get(&path).await.json, moved.json, "nothing changed");
}

async fn sets_a_new_password(backend: Backend) {
    let api = Api::spawn(backend).await;
    let rp = spa(&api.app).await;
    let user = api
        .create_user(json!({"primaryEmail": "ada@example.com"}))
        .await;
    assert!(!signs_in(&api.app, &rp, "ada@example.com", PASSWORD).await);
    let path = format!("/users/{}/password", id_of(&user));
    for (body, field) in [
        (json!({}), "password"),
        (json!({"password": null}), "password"),
        (json!({"password": "short"}), "password"),
        (json!({"password": true}), "password"),
        (json!({"password": PASSWORD, "old": "x"}), "old"),
    ] {
        assert_invalid(&api.patch(&path, body).await, field);
    }
    let set = api.patch(&path, json!({"password": PASSWORD})).await;
    assert_eq!(set.ok(200)["hasPassword"], true);
    assert_eq!(set.json["id"], user["id"]);
    assert!(signs_in(&api.app, &rp, "ada@example.com", PASSWORD).await);

    let changed = api
        .patch(&path, json!({"password": "a different passphrase"}))
        .await;
    changed.ok(200);
    assert!(!signs_in(&api.app, &rp, "ada@example.com", PASSWORD).await);
    assert!(signs_in(&api.app, &rp, "ada@example.com", "a different passphrase").await);
}

// ---------------------------------------------------------------------------------------------
// Suspension
// ---------------------------------------------------------------------------------------------

fn count_for_user(app: &TestApp, user_id: &str) -> (i64, i64, i64) {
    let id = user_id.to_owned();
    app.storage
        .run_blocking(move |c| {
            let sessions = sessions::table
                .filter(sessions::user_id.eq(&id))
                .count()
                .get_result(c)?;
            let live_access = access_tokens::table
                .filter(
                    access_tokens::user_id
                        .eq(&id)
                        .and(access_tokens::revoked_at.is_null()),
                )
                .count()
                .get_result(c)?;
            let live_refresh = refresh_tokens::table
                .filter(
                    refresh_tokens::user_id
                        .eq(&id)
                        .and(refresh_tokens::revoked_at.is_null()),
                )
                .count()
                .get_result(c)?;
            Ok((sessions, live_access, live_refresh))
        })
        .expect("counts")
}

async fn suspension_signs_the_user_out_everywhere(backend: Backend) {
    let api = Api::spawn(backend).await;
    let rp = spa(&api.app).await;
    let client_id = rp.client.client_id().as_str().to_owned();
    let user = api.create_with_password("ada@example.com").await;
    let other = api.create_with_password("bob@example.com").await;
    let id = id_of(&user);

    // Ada signs in: a browser session, an access token and a refresh token.
    let b = browser();
    let pending = rp.authorize(&["email", "offline_access"], &[]);
    let callback = crate::common::sign_in(&api.app, &b, &pending.url, "ada@example.com").await;
    let tokens = rp.callback(&api.app, &callback, pending).await;
    use openidconnect::OAuth2TokenResponse;
    let access = tokens.access_token().secret().clone();
    let refresh = tokens
        .refresh_token()
        .expect("refresh token")
        .secret()
        .clone();
    assert_eq!(api::userinfo(&api.app, &access).await.status, 200);
    // The session signs her in silently, leaving an unused code behind.
    let silent = b
        .get(&rp.authorize(&["email"], &[]).url)
        .send()
        .await
        .expect("authorize");
    let unused = location(&silent);
    assert!(unused.starts_with(CALLBACK), "silent sign-in: {unused}");
    let unused_code = query_param(&unused, "code").expect("code");
    // Bob is signed in too and must stay so.
    let bob_browser = browser();
    let bob_pending = rp.authorize(&["email", "offline_access"], &[]);
    let bob_callback =
        crate::common::sign_in(&api.app, &bob_browser, &bob_pending.url, "bob@example.com").await;
    let bob_tokens = rp.callback(&api.app, &bob_callback, bob_pending).await;
    assert_eq!(count_for_user(&api.app, &id), (1, 1, 1));

    let path = format!("/users/{id}/is-suspended");
    for (body, field) in [
        (json!({}), "isSuspended"),
        (json!({"isSuspended": "true"}), "isSuspended"),
        (json!({"isSuspended": null}), "isSuspended"),
        (json!({"isSuspended": true, "reason": "x"}), "reason"),
    ] {
        assert_invalid(&api.patch(&path, body).await, field);
    }
    assert_eq!(
        count_for_user(&api.app, &id),
        (1, 1, 1),
        "nothing happened yet"
    );

    let suspended = api.patch(&path, json!({"isSuspended": true})).await;
    assert_eq!(suspended.ok(200)["isSuspended"], true);
    assert_eq!(suspended.json["id"], user["id"]);
    assert_eq!(api.get(&format!("/users/{id}")).await.json, suspended.json);

    // Every session ended, every token revoked, the pending code gone.
    assert_eq!(count_for_user(&api.app, &id), (0, 0, 0));
    assert_eq!(api::userinfo(&api.app, &access).await.status, 401);
    let refreshed = token_request(
        &api.app,
        None,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("client_id", client_id.as_str()),
        ],
    )
    .await;
    assert_eq!(
        (refreshed.status, refreshed.json["error"].as_str()),
        (400, Some("invalid_grant")),
        "{}",
        refreshed.text
    );
    let exchanged = token_request(
        &api.app,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("code", unused_code.as_str()),
            ("redirect_uri", CALLBACK),
            ("client_id", client_id.as_str()),
            ("code_verifier", "x".repeat(43).as_str()),
        ],
    )
    .await;
    assert_eq!(
        exchanged.json["error"], "invalid_grant",
        "{}",
        exchanged.text
    );
    // The browser's session no longer signs her in.
    let again = b
        .get(&rp.authorize(&["email"], &[]).url)
        .send()
        .await
        .expect("authorize");
    let to = location(&again);
    assert!(to.starts_with("/interaction/"), "back to sign-in, got {to}");
    // Bob is untouched.
    assert_eq!(
        api::userinfo(&api.app, bob_tokens.access_token().secret())
            .await
            .status,
        200
    );
    assert_eq!(count_for_user(&api.app, &id_of(&other)), (1, 1, 1));

    // The right password no longer gets the application a code: the page refuses.
    let (status, to) = password_sign_in(&api.app, &rp, "ada@example.com", PASSWORD).await;
    assert!(
        !(to.starts_with(CALLBACK) && query_param(&to, "code").is_some()),
        "a suspended user signed in: {status} {to}"
    );
    assert_eq!(
        (status, to.as_str()),
        (403, ""),
        "suspended: refused in place"
    );

    // Reinstated, she signs in again.
    let reinstated = api.patch(&path, json!({"isSuspended": false})).await;
    assert_eq!(reinstated.ok(200)["isSuspended"], false);
    assert!(signs_in(&api.app, &rp, "ada@example.com", PASSWORD).await);
}

// ---------------------------------------------------------------------------------------------
// Deletion and unknown ids
// ---------------------------------------------------------------------------------------------

async fn deletes_a_user(backend: Backend) {
    let api = Api::spawn(backend).await;
    let rp = spa(&api.app).await;
    let user = api.create_with_password("ada@example.com").await;
    let keep = api.create_with_password("bob@example.com").await;
    let id = id_of(&user);
    // A session and tokens, which go with the user.
    let pending = rp.authorize(&["email", "offline_access"], &[]);
    let callback =
        crate::common::sign_in(&api.app, &browser(), &pending.url, "ada@example.com").await;
    rp.callback(&api.app, &callback, pending).await;
    assert_eq!(count_for_user(&api.app, &id), (1, 1, 1));

    let reply = api.delete(&format!("/users/{id}")).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert!(reply.text.is_empty());
    assert_error(&api.get(&format!("/users/{id}")).await, 404, "not_found");
    assert_error(&api.delete(&format!("/users/{id}")).await, 404, "not_found");
    assert_eq!(count_for_user(&api.app, &id), (0, 0, 0));
    assert!(!signs_in(&api.app, &rp, "ada@example.com", PASSWORD).await);
    // The address is free again; the other user stays.
    api.create_user(json!({"primaryEmail": "ada@example.com"}))
        .await;
    assert_eq!(
        *api.get(&format!("/users/{}", id_of(&keep))).await.ok(200),
        keep
    );
    assert_eq!(api.get("/users").await.total_number(), 2);
}

async fn unknown_ids_are_not_found(backend: Backend) {
    let api = Api::spawn(backend).await;
    api.create_with_password("ada@example.com").await;
    for id in ["0190d1b2-0000-7000-8000-000000000000", "nope", "%2e%2e"] {
        let user = format!("/users/{id}");
        assert_error(&api.get(&user).await, 404, "not_found");
        assert_error(
            &api.patch(&user, json!({"name": "x"})).await,
            404,
            "not_found",
        );
        assert_error(
            &api.patch(&format!("{user}/password"), json!({"password": PASSWORD}))
                .await,
            404,
            "not_found",
        );
        assert_error(
            &api.patch(
                &format!("{user}/is-suspended"),
                json!({"isSuspended": true}),
            )
            .await,
            404,
            "not_found",
        );
        assert_error(&api.delete(&user).await, 404, "not_found");
    }
    assert_eq!(api.get("/users").await.total_number(), 1);
}

on_both_backends!(
    every_route_requires_a_bearer_token,
    creates_a_user_who_can_sign_in,
    creation_validates_the_body,
    an_email_is_used_once_in_any_case,
    the_password_policy_in_force_applies,
    lists_newest_first_with_paging_and_search,
    updates_the_name_and_the_email,
    sets_a_new_password,
    suspension_signs_the_user_out_everywhere,
    deletes_a_user,
    unknown_ids_are_not_found,
);
