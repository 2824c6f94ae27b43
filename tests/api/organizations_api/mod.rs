//! The Management API for organizations, over HTTP against a real Sesame on both backends:
//! organizations (create, read, list with search and paging, update, delete), their members and
//! the roles members hold, the default roles of just-in-time members, organization roles and
//! the scopes they grant, organization scopes; authentication, validation, 404s and the
//! cascades that deleting an organization, role or scope sets off.

use std::collections::BTreeSet;

use crate::common::Backend;
use crate::common::api::{
    Api, assert_error, assert_invalid_mentioning, assert_not_found, assert_status, id_of,
    object_keys,
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

/// The organizations, roles and scopes tests create.
impl Api {
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

mod authentication;
mod members;
mod organizations;
mod roles_and_scopes;
