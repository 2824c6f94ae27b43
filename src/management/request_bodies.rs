//! Every request body of the API by name, for the fuzz target `management_bodies` (fuzz/): a
//! body is parsed into its operation's request type by [`body::parse`], as the handler does,
//! and put through the checks the handler runs before it touches the database.

use super::organization_roles::{CreateRole, ScopeIds};
use super::organizations::{
    CreateNamed, CreateOrganization, RoleIds, UpdateNamed, UpdateOrganization, UserIds,
};
use super::users::{CreateUser, SetUserPassword, SetUserSuspended, UpdateUser};
use super::{applications, body, one_time_tokens, sign_in_exp, users};
use crate::config::Settings;
use crate::crypto::SigningAlg;
use crate::error::ApiError;
use crate::identity::SignInExperience;
use crate::identity::applications::{AppType, NewApplication, register};

/// The request body of one or more operations (named by their `operationId`s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestBody {
    /// `createApplication`
    CreateApplication,
    /// `updateApplication`
    UpdateApplication,
    /// `createOneTimeToken`
    CreateOneTimeToken,
    /// `verifyOneTimeToken`
    VerifyOneTimeToken,
    /// `setOneTimeTokenStatus`
    SetOneTimeTokenStatus,
    /// `createOrganization`
    CreateOrganization,
    /// `updateOrganization`
    UpdateOrganization,
    /// `addOrganizationMembers`
    OrganizationUserIds,
    /// `addOrganizationMemberRoles`, `replaceOrganizationMemberRoles` and the JIT roles'
    OrganizationRoleIds,
    /// `createOrganizationRole`
    CreateOrganizationRole,
    /// `addOrganizationRoleScopes`, `replaceOrganizationRoleScopes`
    OrganizationScopeIds,
    /// `createOrganizationScope`
    CreateOrganizationScope,
    /// `updateOrganizationRole`, `updateOrganizationScope`
    UpdateOrganizationRoleOrScope,
    /// `updateSignInExperience`
    UpdateSignInExperience,
    /// `createUser`
    CreateUser,
    /// `updateUser`
    UpdateUser,
    /// `setUserPassword`
    SetUserPassword,
    /// `setUserSuspended`
    SetUserSuspended,
}

impl RequestBody {
    pub const ALL: [Self; 18] = [
        Self::CreateApplication,
        Self::UpdateApplication,
        Self::CreateOneTimeToken,
        Self::VerifyOneTimeToken,
        Self::SetOneTimeTokenStatus,
        Self::CreateOrganization,
        Self::UpdateOrganization,
        Self::OrganizationUserIds,
        Self::OrganizationRoleIds,
        Self::CreateOrganizationRole,
        Self::OrganizationScopeIds,
        Self::CreateOrganizationScope,
        Self::UpdateOrganizationRoleOrScope,
        Self::UpdateSignInExperience,
        Self::CreateUser,
        Self::UpdateUser,
        Self::SetUserPassword,
        Self::SetUserSuspended,
    ];

    /// Parses and checks `body` as the handlers of this body do, up to their first database
    /// read: `Ok` when they would go on, else the error they answer with. Where a check needs
    /// something stored (the application being changed), a stand-in is used.
    pub fn check(self, body: &[u8]) -> Result<(), ApiError> {
        let settings = Settings::default();
        match self {
            Self::CreateApplication => {
                applications::registration(body::parse(body)?, 0)?;
            }
            Self::UpdateApplication => {
                applications::changed(stored_application()?, body::parse(body)?, 0)?;
            }
            Self::CreateOneTimeToken => {
                one_time_tokens::requested(&settings, body::parse(body)?)?;
            }
            Self::VerifyOneTimeToken => {
                body::parse::<one_time_tokens::VerifyOneTimeToken>(body)?;
            }
            Self::SetOneTimeTokenStatus => {
                one_time_tokens::new_status(body::parse(body)?)?;
            }
            Self::CreateOrganization => {
                body::parse::<CreateOrganization>(body)?;
            }
            Self::UpdateOrganization => {
                body::parse::<UpdateOrganization>(body)?;
            }
            Self::OrganizationUserIds => {
                body::parse::<UserIds>(body)?.ids()?;
            }
            Self::OrganizationRoleIds => {
                let replace = body::parse::<RoleIds>(body)?.ids(true);
                body::parse::<RoleIds>(body)?.ids(false).and(replace)?;
            }
            Self::CreateOrganizationRole => {
                body::parse::<CreateRole>(body)?;
            }
            Self::OrganizationScopeIds => {
                let replace = body::parse::<ScopeIds>(body)?.ids(true);
                body::parse::<ScopeIds>(body)?.ids(false).and(replace)?;
            }
            Self::CreateOrganizationScope => {
                body::parse::<CreateNamed>(body)?.record(0);
            }
            Self::UpdateOrganizationRoleOrScope => {
                body::parse::<UpdateNamed>(body)?;
            }
            Self::UpdateSignInExperience => {
                let current = SignInExperience::defaults(&settings);
                sign_in_exp::merge(current, body::parse(body)?);
            }
            Self::CreateUser => {
                body::parse::<CreateUser>(body)?;
            }
            Self::UpdateUser => {
                users::profile_changes(body::parse::<UpdateUser>(body)?)?;
            }
            Self::SetUserPassword => {
                body::parse::<SetUserPassword>(body)?;
            }
            Self::SetUserSuspended => {
                body::parse::<SetUserSuspended>(body)?;
            }
        }
        Ok(())
    }
}

/// The application an update is checked against: a SPA, whose redirect URIs also make its
/// CORS origins.
fn stored_application() -> Result<crate::identity::applications::Application, ApiError> {
    let new = NewApplication {
        name: "Stored".into(),
        app_type: AppType::Spa,
        redirect_uris: vec!["https://rp.example/callback".into()],
        post_logout_redirect_uris: Vec::new(),
        landing_uris: Vec::new(),
        id_token_alg: SigningAlg::ES256,
        management_api: false,
        introspection: false,
    };
    register(new, 0)
        .map(|registered| registered.app)
        .map_err(|_| ApiError::internal())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_body_is_parsed_and_checked_as_its_handlers_do() {
        for kind in RequestBody::ALL {
            assert!(kind.check(b"[]").is_err(), "{kind:?}: not an object");
        }
        for (kind, good, bad) in [
            (
                RequestBody::CreateApplication,
                r#"{"name": "A", "type": "MachineToMachine"}"#,
                r#"{"name": "A", "type": "SPA"}"#,
            ),
            (
                RequestBody::UpdateApplication,
                r#"{"oidcClientMetadata": {"redirectUris": ["https://b.example/cb"]}}"#,
                r#"{"oidcClientMetadata": {"redirectUris": ["not a url"]}}"#,
            ),
            (
                RequestBody::CreateOneTimeToken,
                r#"{"email": "a@b.io", "context": {"jitOrganizationIds": ["o"]}}"#,
                r#"{"email": "a@b.io", "context": {"jitOrganizationIds": "o"}}"#,
            ),
            (
                RequestBody::SetOneTimeTokenStatus,
                r#"{"status": "revoked"}"#,
                r#"{"status": "active"}"#,
            ),
            (
                RequestBody::OrganizationUserIds,
                r#"{"userIds": ["u"]}"#,
                r#"{"userIds": []}"#,
            ),
            (
                RequestBody::UpdateSignInExperience,
                r#"{"mfa": {"policy": "user"}}"#,
                r#"{"mfa": {"policy": "sometimes"}}"#,
            ),
            (
                RequestBody::UpdateUser,
                r#"{"primaryEmail": "a@b.io"}"#,
                r#"{"primaryEmail": null}"#,
            ),
        ] {
            assert!(kind.check(good.as_bytes()).is_ok(), "{kind:?} {good}");
            assert!(kind.check(bad.as_bytes()).is_err(), "{kind:?} {bad}");
        }
    }
}
