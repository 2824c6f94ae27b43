//! `/api/users`: the people who can sign in, shaped as Logto's Management API has them.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::Value;

use super::{
    Caller, deleted, invalid, json_object, list_paging, not_found, page, reject_unknown,
    search_param,
};
use crate::crypto::password;
use crate::error::ApiError;
use crate::identity::{Email, NewUser, SignInExperience, User, UserError, users};
use crate::state::AppState;
use crate::storage::users::{self as queries, ProfileChanges};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/users", web::post().to(create))
        .route("/users", web::get().to(list))
        .route("/users/{id}", web::get().to(get))
        .route("/users/{id}", web::patch().to(update))
        .route("/users/{id}", web::delete().to(delete))
        .route("/users/{id}/password", web::patch().to(set_password))
        .route("/users/{id}/is-suspended", web::patch().to(set_suspended));
}

/// A user as the API shows it; the password hash never leaves the server.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserView {
    id: String,
    primary_email: String,
    name: Option<String>,
    is_suspended: bool,
    has_password: bool,
    created_at: i64,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        Self {
            has_password: user.password_hash.is_some(),
            id: user.id,
            primary_email: user.email,
            name: user.name,
            is_suspended: user.suspended,
            created_at: user.created_at,
        }
    }
}

const USER: &str = "user";

fn email_in_use() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "email_in_use",
        "another user already has this email address",
    )
}

fn primary_email(value: Option<&Value>) -> Result<Email, ApiError> {
    match value {
        None | Some(Value::Null) => Err(invalid("primaryEmail", "is required")),
        Some(Value::String(s)) => Email::parse(s).map_err(|m| invalid("primaryEmail", m)),
        Some(_) => Err(invalid("primaryEmail", "must be a string")),
    }
}

/// A name, or `None` for null or blank (no name).
fn name(value: &Value) -> Result<Option<String>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.trim().to_owned()).filter(|n| !n.is_empty())),
        _ => Err(invalid("name", "must be a string or null")),
    }
}

/// A new password, checked against the password policy in force now.
async fn new_password(state: &AppState, value: Option<&Value>) -> Result<String, ApiError> {
    let password = match value {
        Some(Value::String(p)) => p.clone(),
        None | Some(Value::Null) => return Err(invalid("password", "is required")),
        Some(_) => return Err(invalid("password", "must be a string")),
    };
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    experience
        .check_password(&password)
        .map_err(|m| invalid("password", m))?;
    Ok(password)
}

pub async fn create(
    _caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    reject_unknown(&body, &["primaryEmail", "password", "name"], "")?;
    let email = primary_email(body.get("primaryEmail"))?;
    let name = body.get("name").map(name).transpose()?.flatten();
    let password = match body.get("password") {
        None | Some(Value::Null) => None,
        given => Some(new_password(&state, given).await?),
    };
    // An address typed in by an administrator is not proven to belong to the person.
    let new = NewUser {
        email,
        password,
        name,
        email_verified: false,
    };
    match users::create_user(&state.storage, new, state.clock.now_ms()).await {
        Ok(user) => Ok(HttpResponse::Created().json(UserView::from(user))),
        Err(UserError::EmailTaken) => Err(email_in_use()),
        Err(UserError::Storage(e)) => Err(e.into()),
        Err(e) => {
            tracing::error!(error = %e, "creating a user failed");
            Err(ApiError::internal())
        }
    }
}

pub async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let search = search_param(&query, "search");
    let (offset, limit) = list_paging(&query)?;
    let (users, total) = state
        .storage
        .run(move |c| queries::list_users(c, search.as_deref(), offset, limit))
        .await?;
    Ok(page(users.into_iter().map(UserView::from).collect(), total))
}

pub async fn get(
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

pub async fn update(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    reject_unknown(&body, &["name", "primaryEmail"], "")?;
    let changes = ProfileChanges {
        name: body.get("name").map(name).transpose()?,
        email: match body.get("primaryEmail") {
            None => None,
            Some(Value::Null) => return Err(invalid("primaryEmail", "cannot be removed")),
            given => Some(primary_email(given)?.as_str().to_owned()),
        },
    };
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

pub async fn set_password(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    reject_unknown(&body, &["password"], "")?;
    let password = new_password(&state, body.get("password")).await?;
    // argon2id takes a while by design: off the executor.
    let hash = web::block(move || password::hash_password(&password))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|_| ApiError::internal())?;
    let id = id.into_inner();
    let now = state.clock.now_ms();
    let user = state
        .storage
        .run(move |c| queries::set_user_password(c, &id, &hash, now))
        .await?
        .ok_or_else(|| not_found(USER))?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// Suspending a user also signs them out everywhere: sessions end and tokens are revoked.
pub async fn set_suspended(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    reject_unknown(&body, &["isSuspended"], "")?;
    let suspended = match body.get("isSuspended") {
        Some(Value::Bool(b)) => *b,
        None => return Err(invalid("isSuspended", "is required")),
        Some(_) => return Err(invalid("isSuspended", "must be true or false")),
    };
    let id = id.into_inner();
    let now = state.clock.now_ms();
    let user = state
        .storage
        .run(move |c| queries::set_user_suspended(c, &id, suspended, now))
        .await?
        .ok_or_else(|| not_found(USER))?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

pub async fn delete(
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
