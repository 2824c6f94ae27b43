//! `/api/users`: the people who can sign in, shaped as Logto's Management API has them.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::{self, de};
use super::{Caller, deleted, invalid, not_found, page, paging, search_term};
use crate::crypto::{Admission, Secret};
use crate::error::{ApiError, ApiErrorBody, ApiErrorCode};
use crate::i18n::Locale;
use crate::identity::{Email, NewUser, SignInExperience, User, UserError, users};
use crate::state::AppState;
use crate::storage::users::{self as queries, ProfileChanges};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(get_one)
        .service(update)
        .service(delete_one)
        .service(set_password)
        .service(set_suspended);
}

const TAG: &str = "Users";

/// A user as the API shows it; the password hash never leaves the server.
#[derive(Serialize, ToSchema)]
#[schema(as = User)]
#[serde(rename_all = "camelCase")]
struct UserView {
    id: String,
    primary_email: String,
    /// Whether the person proved they hold the address (a magic link redeemed); until then
    /// the first such proof ends every earlier session, token, password and MFA enrollment.
    email_verified: bool,
    name: Option<String>,
    /// A suspended user cannot sign in.
    is_suspended: bool,
    has_password: bool,
    /// The language of the user's pages and mails: `en`, `de`, `es`, `ko`, `sv` or `zh-TW`;
    /// null: the language the application or the browser asks for.
    locale: Option<String>,
    /// Milliseconds since the Unix epoch.
    created_at: i64,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        Self {
            has_password: user.password_hash.is_some(),
            id: user.id,
            primary_email: user.email,
            email_verified: user.email_verified,
            name: user.name,
            is_suspended: user.suspended,
            locale: user.locale,
            created_at: user.created_at,
        }
    }
}

/// A new user. The address is not taken as verified.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"primaryEmail": "grace@example.com", "name": "Grace Hopper"}))]
pub(super) struct CreateUser {
    #[serde(deserialize_with = "de::string")]
    #[schema(format = "email")]
    primary_email: String,
    /// Checked against the password policy; absent or null: no password (magic links only).
    #[serde(default, deserialize_with = "de::optional_string")]
    password: Option<String>,
    /// Null or blank: no name.
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    name: Option<Option<String>>,
    /// `en`, `de`, `es`, `ko`, `sv` or `zh-TW`; absent or null: none.
    #[serde(default, deserialize_with = "de::optional_string")]
    #[schema(example = "de")]
    locale: Option<String>,
}

/// Changes to a user's profile; absent fields stay.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"name": "Grace B. Hopper"}))]
pub(super) struct UpdateUser {
    /// Null or blank removes the name.
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    name: Option<Option<String>>,
    /// Cannot be null.
    #[serde(default, deserialize_with = "de::some_optional_string")]
    #[schema(value_type = String, format = "email")]
    primary_email: Option<Option<String>>,
    /// `en`, `de`, `es`, `ko`, `sv` or `zh-TW`; null removes it.
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>, example = "zh-TW")]
    locale: Option<Option<String>>,
}

/// A new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "correct horse battery staple"}))]
pub(super) struct SetUserPassword {
    /// Checked against the password policy.
    #[serde(deserialize_with = "de::string")]
    password: String,
}

/// Suspends or reinstates a user.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"isSuspended": true}))]
pub(super) struct SetUserSuspended {
    #[serde(deserialize_with = "de::flag")]
    is_suspended: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UserListQuery {
    /// Only users whose email or name contains this (without regard to case).
    search: Option<String>,
    /// The page, from 1 (default 1).
    #[param(value_type = Option<i64>, minimum = 1)]
    page: Option<String>,
    /// Items per page, from 1 to 100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    page_size: Option<String>,
}

const USER: &str = "user";

fn email_in_use() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ApiErrorCode::EmailInUse,
        "another user already has this email address",
    )
}

pub(super) fn primary_email(value: &str) -> Result<Email, ApiError> {
    Email::parse(value).map_err(|m| invalid("primaryEmail", m))
}

/// One of the languages Sesame speaks, by its tag (any case), stored as written in
/// `i18n::Locale`.
pub(super) fn locale(value: &str) -> Result<Locale, ApiError> {
    Locale::parse(value)
        .ok_or_else(|| invalid("locale", "must be one of en, de, es, ko, sv, zh-TW"))
}

/// A name, or `None` for blank (no name).
fn name(value: Option<String>) -> Option<String> {
    value.map(|s| s.trim().to_owned()).filter(|n| !n.is_empty())
}

/// A new password, checked against the password policy in force now; from here on a Secret.
async fn new_password(state: &AppState, password: String) -> Result<Secret, ApiError> {
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    experience
        .check_password(&password)
        .map_err(|m| invalid("password", m))?;
    Ok(Secret::new(password))
}

/// Create a user
#[utoipa::path(
    operation_id = "createUser",
    tag = TAG,
    request_body = CreateUser,
    responses(
        (status = 201, description = "The user.", body = UserView),
        (status = 422, description = "`email_in_use`.", body = ApiErrorBody),
    ),
)]
#[post("/users")]
async fn create(
    _caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: CreateUser = body::parse(&body)?;
    let email = primary_email(&request.primary_email)?;
    let locale = request.locale.as_deref().map(locale).transpose()?;
    let password = match request.password {
        None => None,
        Some(given) => Some(new_password(&state, given).await?),
    };
    // An address typed in by an administrator is not proven to belong to the person.
    let new = NewUser {
        email,
        password,
        name: name(request.name.flatten()),
        email_verified: false,
        locale,
    };
    // Behind the Management API's bearer token: waits for a password thread, never refused.
    let (passwords, now) = (&state.passwords, state.clock.now_ms());
    match users::create_user(&state.storage, passwords, Admission::Wait, new, now).await {
        Ok(user) => Ok(HttpResponse::Created().json(UserView::from(user))),
        Err(UserError::EmailTaken) => Err(email_in_use()),
        Err(UserError::Storage(e)) => Err(e.into()),
        Err(e) => {
            tracing::error!(error = %e, "creating a user failed");
            Err(ApiError::internal())
        }
    }
}

/// List users
#[utoipa::path(
    operation_id = "listUsers",
    tag = TAG,
    params(UserListQuery),
    responses(
        (status = 200, description = "A page of users.", body = Vec<UserView>,
         headers(("Total-Number" = i64, description = "How many users match in all."))),
    ),
)]
#[get("/users")]
async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<UserListQuery>,
) -> Result<HttpResponse, ApiError> {
    let search = search_term(query.search.as_deref());
    let (offset, limit) = paging(query.page.as_deref(), query.page_size.as_deref())?;
    let (users, total) = state
        .storage
        .run(move |c| queries::list_users(c, search.as_deref(), offset, limit))
        .await?;
    Ok(page(users.into_iter().map(UserView::from).collect(), total))
}

/// Get a user
#[utoipa::path(
    operation_id = "getUser",
    tag = TAG,
    params(("id" = String, Path, description = "The user's id.")),
    responses((status = 200, description = "The user.", body = UserView)),
)]
#[get("/users/{id}")]
async fn get_one(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = state
        .storage
        .run(move |c| queries::find_user(c, &id))
        .await?
        .ok_or_else(|| not_found(USER))?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// The changes an update asks for, checked.
pub(super) fn profile_changes(request: UpdateUser) -> Result<ProfileChanges, ApiError> {
    Ok(ProfileChanges {
        name: request.name.map(name),
        email: match request.primary_email {
            None => None,
            Some(None) => return Err(invalid("primaryEmail", "cannot be removed")),
            Some(Some(given)) => Some(primary_email(&given)?.as_str().to_owned()),
        },
        locale: match request.locale {
            None => None,
            Some(None) => Some(None),
            Some(Some(given)) => Some(Some(locale(&given)?.as_str().to_owned())),
        },
    })
}

/// Change a user's name, email or language
#[utoipa::path(
    operation_id = "updateUser",
    tag = TAG,
    params(("id" = String, Path, description = "The user's id.")),
    request_body = UpdateUser,
    responses(
        (status = 200, description = "The changed user.", body = UserView),
        (status = 422, description = "`email_in_use`.", body = ApiErrorBody),
    ),
)]
#[patch("/users/{id}")]
async fn update(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let changes = profile_changes(body::parse(&body)?)?;
    let id = id.into_inner();
    let now = state.clock.now_ms();
    let user = state
        .storage
        .run(move |c| queries::update_user_profile(c, &id, &changes, now))
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                email_in_use()
            } else {
                e.into()
            }
        })?
        .ok_or_else(|| not_found(USER))?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// Set a user's password
#[utoipa::path(
    operation_id = "setUserPassword",
    tag = TAG,
    params(("id" = String, Path, description = "The user's id.")),
    request_body = SetUserPassword,
    responses((status = 200, description = "The user, with a password.", body = UserView)),
)]
#[patch("/users/{id}/password")]
async fn set_password(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: SetUserPassword = body::parse(&body)?;
    let password = new_password(&state, request.password).await?;
    // argon2id takes a while by design: on the password threads.
    let hash = state
        .passwords
        .hash(password, Admission::Wait)
        .await
        .map_err(|_| ApiError::internal())?
        .ok_or_else(ApiError::internal)?;
    let id = id.into_inner();
    let now = state.clock.now_ms();
    let user = state
        .storage
        .run(move |c| queries::set_user_password(c, &id, &hash, now))
        .await?
        .ok_or_else(|| not_found(USER))?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// Suspend or reinstate a user
///
/// Suspending a user also signs them out everywhere: sessions end and tokens are revoked.
#[utoipa::path(
    operation_id = "setUserSuspended",
    tag = TAG,
    params(("id" = String, Path, description = "The user's id.")),
    request_body = SetUserSuspended,
    responses((status = 200, description = "The user.", body = UserView)),
)]
#[patch("/users/{id}/is-suspended")]
async fn set_suspended(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: SetUserSuspended = body::parse(&body)?;
    let suspended = request.is_suspended;
    let id = id.into_inner();
    let now = state.clock.now_ms();
    let user = state
        .storage
        .run(move |c| queries::set_user_suspended(c, &id, suspended, now))
        .await?
        .ok_or_else(|| not_found(USER))?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// Delete a user
#[utoipa::path(
    operation_id = "deleteUser",
    tag = TAG,
    params(("id" = String, Path, description = "The user's id.")),
    responses((status = 204, description = "Deleted.")),
)]
#[delete("/users/{id}")]
async fn delete_one(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let done = state
        .storage
        .run(move |c| queries::delete_user(c, &id))
        .await?;
    deleted(done, USER)
}
