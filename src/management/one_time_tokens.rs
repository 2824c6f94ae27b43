//! `/api/one-time-tokens`: the magic-link tokens, shaped as Logto's Management API has them.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::Value;

use super::{Caller, invalid, json_object, paging};
use crate::error::ApiError;
use crate::identity::Email;
use crate::identity::organizations::{first_unknown_on, jit_targets};
use crate::one_time_token::{self, CreateError, CreationLimits, NewToken, RedeemError, TokenError};
use crate::state::AppState;
use crate::storage::one_time_tokens::{
    self as queries, ListFilter, OneTimeTokenRecord, TokenStatus,
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/one-time-tokens", web::post().to(create))
        .route("/one-time-tokens", web::get().to(list))
        .route("/one-time-tokens/verify", web::post().to(verify))
        .route("/one-time-tokens/{id}", web::get().to(get))
        .route("/one-time-tokens/{id}", web::delete().to(delete))
        .route("/one-time-tokens/{id}/status", web::put().to(set_status));
}

/// The token as the API shows it; `token` only in the response to its creation.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenView {
    id: String,
    email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    context: Value,
    status: String,
    created_at: i64,
    expires_at: i64,
}

impl TokenView {
    fn new(record: OneTimeTokenRecord, token: Option<String>, now: i64) -> Self {
        Self {
            status: record.effective_status(now).as_str().to_owned(),
            context: serde_json::from_str(&record.context).unwrap_or(Value::Null),
            id: record.id,
            email: record.email,
            token,
            created_at: record.created_at,
            expires_at: record.expires_at,
        }
    }
}

fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "token_not_found",
        "no one-time token with this id",
    )
}

pub fn token_error(e: TokenError) -> ApiError {
    let status = if e == TokenError::NotFound {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::BAD_REQUEST
    };
    ApiError::new(status, e.code(), e.explanation())
}

/// `context` must be an object; `jitOrganizationIds`, when present, a list of ids. Other keys
/// `context` must be an object; its JIT fields (`jitOrganizationIds`, `jitOrganizationRoles`)
/// must be well formed and name existing organizations and roles (Logto silently drops unknown
/// ids; an invitation that cannot do what it says is refused here instead). Other keys are kept.
async fn parse_context(state: &AppState, value: Option<&Value>) -> Result<Value, ApiError> {
    let context = match value {
        None | Some(Value::Null) => return Ok(Value::Object(Default::default())),
        Some(Value::Object(map)) => Value::Object(map.clone()),
        Some(_) => return Err(invalid("context", "must be an object")),
    };
    let targets = jit_targets(&context).map_err(|(field, message)| invalid(&field, message))?;
    if !targets.is_empty() {
        let unknown = state
            .storage
            .run(move |c| first_unknown_on(c, &targets))
            .await?;
        if let Some(id) = unknown {
            return Err(invalid(
                "context",
                format!("no organization or organization role with id {id:?}"),
            ));
        }
    }
    Ok(context)
}

pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    let settings = &state.settings;
    let email = body
        .get("email")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("email", "is required"))
        .and_then(|e| Email::parse(e).map_err(|m| invalid("email", m)))?;
    let max = settings.one_time_token_max_expires_in_secs;
    let expires_in_secs = match body.get("expiresIn") {
        None | Some(Value::Null) => settings.one_time_token_expires_in_secs.min(max),
        Some(v) => v
            .as_i64()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                invalid(
                    "expiresIn",
                    format!("must be an integer number of seconds from 1 to {max}"),
                )
            })?,
    };
    let context = parse_context(&state, body.get("context")).await?;
    let limits = CreationLimits {
        per_email: settings.one_time_tokens_per_email_per_hour,
        per_application: settings.one_time_tokens_per_application_per_hour,
        window_ms: 3600 * 1000,
    };
    let now = state.clock.now_ms();
    let new = NewToken {
        email,
        expires_in_secs,
        context,
    };
    match one_time_token::create(&state.storage, new, limits, caller.actor(), now).await {
        Ok((record, token)) => Ok(HttpResponse::Created().json(TokenView::new(record, Some(token), now))),
        Err(CreateError::RateLimited { retry_after_secs }) => Ok(HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", retry_after_secs.to_string()))
            .json(serde_json::json!({
                "code": "too_many_requests",
                "message": "too many one-time tokens were created for this email or by this application; retry later",
            }))),
        Err(CreateError::Storage(e)) => Err(e.into()),
    }
}

pub async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let status = match get("status") {
        None => None,
        Some(s) if TokenStatus::parse(s).is_some() => TokenStatus::parse(s),
        Some(_) => {
            return Err(invalid(
                "status",
                "must be one of active, consumed, revoked, expired",
            ));
        }
    };
    let email_lower = get("email")
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty());
    let (offset, limit, _) = paging(get("page"), get("page_size"))?;
    let filter = ListFilter {
        email_lower,
        status,
    };
    let now = state.clock.now_ms();
    let (rows, total) = state
        .storage
        .run(move |c| queries::list(c, &filter, offset, limit, now))
        .await?;
    let views: Vec<TokenView> = rows
        .into_iter()
        .map(|r| TokenView::new(r, None, now))
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Total-Number", total.to_string()))
        .json(views))
}

pub async fn get(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = state
        .storage
        .run(move |c| queries::find_by_id(c, &id))
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().json(TokenView::new(record, None, state.clock.now_ms())))
}

pub async fn set_status(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    let status = match body
        .get("status")
        .and_then(Value::as_str)
        .and_then(TokenStatus::parse)
    {
        Some(TokenStatus::Active) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "cannot_reactivate_token",
                "a one-time token cannot be set back to active",
            ));
        }
        Some(status) => status,
        None => {
            return Err(invalid(
                "status",
                "must be one of consumed, revoked, expired",
            ));
        }
    };
    let now = state.clock.now_ms();
    let record =
        one_time_token::set_status(&state.storage, id.into_inner(), status, caller.actor(), now)
            .await?
            .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().json(TokenView::new(record, None, now)))
}

pub async fn verify(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    let field = |name: &'static str| {
        body.get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid(name, "is required"))
    };
    let (token, email) = (field("token")?, field("email")?);
    let now = state.clock.now_ms();
    match one_time_token::redeem(&state.storage, token, email, caller.actor(), now).await {
        Ok(record) => Ok(HttpResponse::Ok().json(TokenView::new(record, None, now))),
        Err(RedeemError::Token(e)) => Err(token_error(e)),
        Err(RedeemError::Storage(e)) => Err(e.into()),
    }
}

pub async fn delete(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if one_time_token::delete(
        &state.storage,
        id.into_inner(),
        caller.actor(),
        state.clock.now_ms(),
    )
    .await?
    {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(not_found())
    }
}
