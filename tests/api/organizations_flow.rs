//! Organizations end to end, as a SaaS application uses them: its backend sets up organizations,
//! roles, permissions and just-in-time defaults through the Management API and sends magic-link
//! invitations; the `openidconnect` crate as relying party signs the invited person in and reads
//! the organization claims; the refresh token then buys organization tokens.

use crate::common::api;
use crate::common::rp::{self, CALLBACK, Pending, Rp};
use crate::common::{
    Backend, browser, create_one_time_token, jwt_part, location, magic_link_token, page_error_code,
    token_status,
};
use openidconnect::OAuth2TokenResponse;
use openidconnect::core::{CoreIdTokenClaims, CoreTokenResponse};
use serde_json::{Value, json};

const ORGANIZATIONS: &str = "urn:sesame:scope:organizations";
const ORGANIZATION_ROLES: &str = "urn:sesame:scope:organization_roles";

extends! {
    /// The shared world, with the organization set-up and sign-ins of this module.
    struct World(rp::World);
}

/// What the application's backend set up: one organization, two roles, two permissions.
struct Setup {
    org: String,
    /// The default role of just-in-time members: grants `read:docs`.
    viewer: String,
    /// Grants `read:docs` and `write:docs`.
    editor: String,
}

/// The ID token, verified, with its raw payload for the custom claims.
struct SignedIn {
    claims: CoreIdTokenClaims,
    payload: Value,
    response: CoreTokenResponse,
}

async fn world(backend: Backend) -> World {
    World(rp::World::spawn(backend).await)
}

impl World {
    async fn create(&self, path: &str, body: Value) -> String {
        let (status, created) = self.api(reqwest::Method::POST, path, Some(body)).await;
        assert_eq!(status, 201, "POST {path}: {created}");
        api::id_of(&created)
    }

    async fn setup(&self) -> Setup {
        let read = self
            .create("/api/organization-scopes", json!({"name": "read:docs"}))
            .await;
        let write = self
            .create("/api/organization-scopes", json!({"name": "write:docs"}))
            .await;
        let viewer = self
            .create(
                "/api/organization-roles",
                json!({"name": "viewer", "organizationScopeIds": [read]}),
            )
            .await;
        let editor = self
            .create(
                "/api/organization-roles",
                json!({"name": "editor", "organizationScopeIds": [read, write]}),
            )
            .await;
        let org = self
            .create("/api/organizations", json!({"name": "Acme"}))
            .await;
        let (status, body) = self
            .api(
                reqwest::Method::PUT,
                &format!("/api/organizations/{org}/jit/roles"),
                Some(json!({"organizationRoleIds": [viewer]})),
            )
            .await;
        assert_eq!(status, 204, "JIT roles: {body}");
        Setup {
            org,
            viewer,
            editor,
        }
    }

    /// A magic link carrying `context`.
    async fn invitation(&self, email: &str, context: Value) -> String {
        let (status, body) = create_one_time_token(
            &self.app.base,
            &self.bearer,
            json!({"email": email, "expiresIn": 86400, "context": context}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Opens the link in `b` and expects to land back at the application with a code.
    async fn follow_link(
        &self,
        b: &reqwest::Client,
        token: &str,
        email: &str,
        scopes: &[&str],
    ) -> SignedIn {
        let pending = self.link_request(token, email, scopes, &[]);
        let r = b.get(&pending.url).send().await.expect("authorize");
        assert_eq!(r.status(), 303, "straight back to the application");
        let callback = location(&r);
        assert!(
            callback.starts_with(CALLBACK),
            "no page in between: {callback}"
        );
        self.tokens(&callback, pending).await
    }

    async fn tokens(&self, callback: &str, pending: Pending) -> SignedIn {
        let nonce = pending.nonce.clone();
        let response = self.rp.callback(&self.app, callback, pending).await;
        let claims = self.rp.verify_id_token(&response, &nonce);
        let payload = Rp::id_token_payload(&response);
        SignedIn {
            claims,
            payload,
            response,
        }
    }

    /// `GET /oidc/me` with the access token.
    async fn userinfo(&self, signed_in: &SignedIn) -> Value {
        let token = signed_in.response.access_token().secret();
        api::userinfo(&self.app, token).await.ok(200).clone()
    }

    /// The members of `org` as `(email, sorted role names)`.
    async fn member_roles(&self, org: &str) -> Vec<(String, Vec<String>)> {
        self.members(org)
            .await
            .iter()
            .map(|m| {
                let mut roles: Vec<String> = m["organizationRoles"]
                    .as_array()
                    .expect("organizationRoles")
                    .iter()
                    .map(|r| r["name"].as_str().expect("role name").to_owned())
                    .collect();
                roles.sort();
                (
                    m["primaryEmail"].as_str().expect("primaryEmail").to_owned(),
                    roles,
                )
            })
            .collect()
    }

    /// `grant_type=refresh_token` with extra parameters, as a public client.
    async fn refresh(&self, refresh_token: &str, extra: &[(&str, &str)]) -> (u16, Value) {
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", self.client_id.as_str()),
        ];
        form.extend_from_slice(extra);
        let reply = api::token_request(&self.app, None, &form).await;
        (reply.status, reply.json)
    }
}

const ORG_SCOPES: [&str; 4] = ["email", "offline_access", ORGANIZATIONS, ORGANIZATION_ROLES];

async fn invitation_registers_a_new_member_with_the_default_roles(backend: Backend) {
    let w = world(backend).await;
    let s = w.setup().await;
    let token = w
        .invitation("new@example.com", json!({"jitOrganizationIds": [s.org]}))
        .await;
    let signed_in = w
        .follow_link(&browser(), &token, "new@example.com", &ORG_SCOPES)
        .await;
    assert_eq!(
        signed_in.claims.email().map(|e| e.as_str()),
        Some("new@example.com")
    );
    assert_eq!(signed_in.payload["organizations"], json!([s.org]));
    assert_eq!(
        signed_in.payload["organization_roles"],
        json!([format!("{}:viewer", s.org)])
    );
    let me = w.userinfo(&signed_in).await;
    assert_eq!(me["sub"], signed_in.claims.subject().as_str());
    assert_eq!(me["organizations"], json!([s.org]));
    assert_eq!(
        me["organization_roles"],
        json!([format!("{}:viewer", s.org)])
    );
    assert_eq!(
        w.member_roles(&s.org).await,
        vec![("new@example.com".to_owned(), vec!["viewer".to_owned()])]
    );
    assert_eq!(
        token_status(&w.app, &w.bearer, "new@example.com").await,
        vec!["consumed"]
    );
    // Without the organization scopes, the claims are not released.
    let b = browser();
    let token = magic_link_token(&w.app, &w.bearer, "new@example.com").await;
    let plain = w
        .follow_link(&b, &token, "new@example.com", &["email"])
        .await;
    assert!(
        plain.payload.get("organizations").is_none(),
        "{}",
        plain.payload
    );
    assert!(plain.payload.get("organization_roles").is_none());
}

async fn invitation_for_a_signed_in_member_joins_without_asking(backend: Backend) {
    let w = world(backend).await;
    let s = w.setup().await;
    let user = w.app.create_user("ada@example.com");
    let b = browser();
    // Signed in with a password first.
    let pending = w.rp.authorize(&["email"], &[]);
    let callback = crate::common::sign_in(&w.app, &b, &pending.url, "ada@example.com").await;
    let first = w.tokens(&callback, pending).await;
    assert_eq!(first.claims.subject().as_str(), user.id);
    assert!(w.member_roles(&s.org).await.is_empty());
    // The invitation, in the same browser: same account, no switch page.
    let token = w
        .invitation("ada@example.com", json!({"jitOrganizationIds": [s.org]}))
        .await;
    let signed_in = w
        .follow_link(&b, &token, "ada@example.com", &ORG_SCOPES)
        .await;
    assert_eq!(signed_in.claims.subject().as_str(), user.id);
    assert_eq!(signed_in.payload["organizations"], json!([s.org]));
    assert_eq!(
        signed_in.payload["organization_roles"],
        json!([format!("{}:viewer", s.org)])
    );
    let me = w.userinfo(&signed_in).await;
    assert_eq!(me["organizations"], json!([s.org]));
    assert_eq!(
        w.member_roles(&s.org).await,
        vec![("ada@example.com".to_owned(), vec!["viewer".to_owned()])]
    );
    assert_eq!(
        token_status(&w.app, &w.bearer, "ada@example.com").await,
        vec!["consumed"]
    );
}

async fn per_link_roles_replace_the_defaults(backend: Backend) {
    let w = world(backend).await;
    let s = w.setup().await;
    // With the organization listed and its roles chosen for this link.
    let token = w
        .invitation(
            "editor@example.com",
            json!({
                "jitOrganizationIds": [s.org],
                "jitOrganizationRoles": {s.org.clone(): [s.editor]},
            }),
        )
        .await;
    let signed_in = w
        .follow_link(&browser(), &token, "editor@example.com", &ORG_SCOPES)
        .await;
    assert_eq!(signed_in.payload["organizations"], json!([s.org]));
    assert_eq!(
        signed_in.payload["organization_roles"],
        json!([format!("{}:editor", s.org)]),
        "the link's role, not the default viewer"
    );
    // With the roles map alone.
    let token = w
        .invitation(
            "other@example.com",
            json!({"jitOrganizationRoles": {s.org.clone(): [s.editor]}}),
        )
        .await;
    let other = w
        .follow_link(&browser(), &token, "other@example.com", &ORG_SCOPES)
        .await;
    assert_eq!(
        other.payload["organization_roles"],
        json!([format!("{}:editor", s.org)])
    );
    let mut members = w.member_roles(&s.org).await;
    members.sort();
    assert_eq!(
        members,
        vec![
            ("editor@example.com".to_owned(), vec!["editor".to_owned()]),
            ("other@example.com".to_owned(), vec!["editor".to_owned()]),
        ]
    );
    // The defaults still apply to a link without its own roles.
    let token = w
        .invitation("viewer@example.com", json!({"jitOrganizationIds": [s.org]}))
        .await;
    let viewer = w
        .follow_link(&browser(), &token, "viewer@example.com", &ORG_SCOPES)
        .await;
    assert_eq!(
        viewer.payload["organization_roles"],
        json!([format!("{}:viewer", s.org)])
    );
}

/// Verifies an organization token against the JWKS; returns its claims.
async fn verify_organization_token(w: &World, jwt: &str, org: &str) -> Value {
    let header = jwt_part(jwt, 0);
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["typ"], "at+jwt");
    let kid = header["kid"].as_str().expect("kid");
    let jwks: Value = reqwest::get(w.app.url("/oidc/jwks"))
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    let jwk = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap_or_else(|| panic!("kid {kid} not in the JWKS {jwks}"))
        .clone();
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
    let key = DecodingKey::from_ec_components(
        jwk["x"].as_str().expect("x"),
        jwk["y"].as_str().expect("y"),
    )
    .expect("EC key");
    let audience = format!("urn:sesame:organization:{org}");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[audience.as_str()]);
    validation.set_issuer(&[w.app.issuer.as_str()]);
    let claims = decode::<Value>(jwt, &key, &validation)
        .expect("the organization token verifies")
        .claims;
    assert_eq!(claims["aud"], audience.as_str());
    assert_eq!(claims["organization_id"], org);
    assert_eq!(claims["client_id"], w.client_id.as_str());
    claims
}

fn scope_set(scope: &Value) -> Vec<String> {
    let mut v: Vec<String> = scope
        .as_str()
        .unwrap_or_else(|| panic!("a scope string, got {scope}"))
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    v.sort();
    v
}

async fn organization_tokens_carry_the_roles_permissions(backend: Backend) {
    let w = world(backend).await;
    let s = w.setup().await;
    let token = w
        .invitation(
            "member@example.com",
            json!({"jitOrganizationRoles": {s.org.clone(): [s.editor]}}),
        )
        .await;
    let member = w
        .follow_link(&browser(), &token, "member@example.com", &ORG_SCOPES)
        .await;
    let refresh = member
        .response
        .refresh_token()
        .expect("a refresh token")
        .secret()
        .clone();

    // Every permission of the member's roles.
    let (status, body) = w.refresh(&refresh, &[("organization_id", &s.org)]).await;
    assert_eq!(status, 200, "{body}");
    let jwt = body["access_token"].as_str().expect("access_token");
    let claims = verify_organization_token(&w, jwt, &s.org).await;
    assert_eq!(claims["sub"], member.claims.subject().as_str());
    assert_eq!(scope_set(&claims["scope"]), vec!["read:docs", "write:docs"]);
    assert_eq!(scope_set(&body["scope"]), vec!["read:docs", "write:docs"]);
    assert!(claims["exp"].as_i64() > claims["iat"].as_i64());

    // Narrowed to the permission asked for.
    let refresh = body["refresh_token"]
        .as_str()
        .expect("a rotated refresh token");
    let (status, body) = w
        .refresh(
            refresh,
            &[("organization_id", &s.org), ("scope", "read:docs")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let claims = verify_organization_token(
        &w,
        body["access_token"].as_str().expect("access_token"),
        &s.org,
    )
    .await;
    assert_eq!(scope_set(&claims["scope"]), vec!["read:docs"]);

    // The refresh token still works for the ordinary tokens.
    let refresh = body["refresh_token"].as_str().expect("refresh token");
    let (status, body) = w.refresh(refresh, &[]).await;
    assert_eq!(status, 200, "{body}");
}

async fn organization_tokens_are_refused_to_non_members(backend: Backend) {
    let w = world(backend).await;
    let s = w.setup().await;
    // An outsider with the organizations scope.
    w.app.create_user("outsider@example.com");
    let token = magic_link_token(&w.app, &w.bearer, "outsider@example.com").await;
    let outsider = w
        .follow_link(&browser(), &token, "outsider@example.com", &ORG_SCOPES)
        .await;
    assert_eq!(outsider.payload["organizations"], json!([]));
    let refresh = outsider
        .response
        .refresh_token()
        .expect("refresh token")
        .secret()
        .clone();
    let (status, body) = w.refresh(&refresh, &[("organization_id", &s.org)]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    assert!(body.get("access_token").is_none());
    // The refused request consumed nothing: the same refresh token still works.
    let (status, body) = w.refresh(&refresh, &[]).await;
    assert_eq!(
        status, 200,
        "the refresh token survives the refusal: {body}"
    );
    assert!(body["access_token"].is_string());
}

async fn organization_tokens_need_the_organizations_scope(backend: Backend) {
    let w = world(backend).await;
    let s = w.setup().await;
    // A member, but this grant lacks the organizations scope.
    let token = w
        .invitation(
            "member@example.com",
            json!({"jitOrganizationRoles": {s.org.clone(): [s.editor]}}),
        )
        .await;
    let signed_in = w
        .follow_link(
            &browser(),
            &token,
            "member@example.com",
            &["email", "offline_access"],
        )
        .await;
    assert_eq!(
        w.member_roles(&s.org).await,
        vec![("member@example.com".to_owned(), vec!["editor".to_owned()])]
    );
    let refresh = signed_in
        .response
        .refresh_token()
        .expect("refresh token")
        .secret()
        .clone();
    let (status, body) = w.refresh(&refresh, &[("organization_id", &s.org)]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    let (status, body) = w.refresh(&refresh, &[]).await;
    assert_eq!(status, 200, "{body}");
}

async fn token_creation_checks_the_organizations_and_keeps_the_context(backend: Backend) {
    let w = world(backend).await;
    let s = w.setup().await;
    let refused = [
        (
            json!({"jitOrganizationIds": [s.org, "nosuchorg123"]}),
            "nosuchorg123",
        ),
        (
            json!({"jitOrganizationRoles": {s.org.clone(): [s.editor, "nosuchrole77"]}}),
            "nosuchrole77",
        ),
        (
            json!({"jitOrganizationRoles": {"nosuchorg456": [s.editor]}}),
            "nosuchorg456",
        ),
    ];
    for (context, unknown) in refused {
        let (status, body) = create_one_time_token(
            &w.app.base,
            &w.bearer,
            json!({"email": "ada@example.com", "context": context}),
        )
        .await;
        assert_eq!(status, 400, "{context}: {body}");
        let message = body["message"].as_str().expect("message");
        assert!(message.contains(unknown), "{message} should name {unknown}");
        assert!(body.get("token").is_none());
    }
    assert!(
        token_status(&w.app, &w.bearer, "ada@example.com")
            .await
            .is_empty(),
        "refused requests create nothing"
    );
    // Extra keys are kept, as given.
    let context = json!({
        "jitOrganizationIds": [s.org],
        "jitOrganizationRoles": {s.org.clone(): [s.viewer]},
        "campaign": "spring",
        "invitedBy": {"name": "Grace", "teams": [1, 2]},
    });
    let (status, body) = create_one_time_token(
        &w.app.base,
        &w.bearer,
        json!({"email": "ada@example.com", "context": context}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["context"], context);
    let id = body["id"].as_str().expect("id");
    let (status, read) = w
        .api(
            reqwest::Method::GET,
            &format!("/api/one-time-tokens/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(read["context"], context);
}

async fn a_suspended_accounts_link_is_refused_and_kept(backend: Backend) {
    let w = world(backend).await;
    let s = w.setup().await;
    let user = w.app.create_user("ada@example.com");
    let (status, body) = w
        .api(
            reqwest::Method::PATCH,
            &format!("/api/users/{}/is-suspended", user.id),
            Some(json!({"isSuspended": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["isSuspended"], true);
    let token = w
        .invitation("ada@example.com", json!({"jitOrganizationIds": [s.org]}))
        .await;
    let pending = w.link_request(&token, "ada@example.com", &ORG_SCOPES, &[]);
    let r = browser().get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("location").is_none(), "no redirect");
    let html = r.text().await.expect("html");
    assert_eq!(page_error_code(&html).as_deref(), Some("account_suspended"));
    assert!(!html.contains(&token), "the page never echoes the token");
    assert_eq!(
        token_status(&w.app, &w.bearer, "ada@example.com").await,
        vec!["active"],
        "nothing consumed"
    );
    assert!(w.member_roles(&s.org).await.is_empty(), "nobody joined");
}

on_both_backends!(
    invitation_registers_a_new_member_with_the_default_roles,
    invitation_for_a_signed_in_member_joins_without_asking,
    per_link_roles_replace_the_defaults,
    organization_tokens_carry_the_roles_permissions,
    organization_tokens_are_refused_to_non_members,
    organization_tokens_need_the_organizations_scope,
    token_creation_checks_the_organizations_and_keeps_the_context,
    a_suspended_accounts_link_is_refused_and_kept,
);
