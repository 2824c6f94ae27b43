//! `/api/one-time-tokens`: the magic-link tokens, shaped as Logto's Management API has them.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::{self, de};
use super::{Caller, invalid, page, paging};
use crate::config::Settings;
use crate::error::{ApiError, ApiErrorBody, ApiErrorCode};
use crate::identity::Email;
use crate::identity::applications::check_landing_uri;
use crate::identity::organizations::{JitTarget, first_unknown_on, jit_targets};
use crate::one_time_token::{
    self, CreateError, CreationLimits, DEFAULT_LOCALE, HandedOver, LinkMail, NewToken, RedeemError,
    TokenError, parse_locale,
};
use crate::state::AppState;
use crate::storage::one_time_tokens::{
    self as queries, ListFilter, OneTimeTokenRecord, TokenStatus,
};
use crate::storage::outbox::{Delivery, delivery_of_token};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(verify)
        .service(get_one)
        .service(delete_one)
        .service(set_status);
}

const TAG: &str = "One-time tokens";

/// The status of a token; an active token whose expiry has passed shows as `expired`.
#[derive(ToSchema)]
#[schema(as = OneTimeTokenStatus)]
#[allow(dead_code)] // Documentation only: the status is a string in the views.
#[serde(rename_all = "lowercase")]
enum StatusSchema {
    Active,
    Consumed,
    Revoked,
    Expired,
}

/// What a token can be set to.
#[derive(ToSchema)]
#[schema(as = NewOneTimeTokenStatus)]
#[allow(dead_code)] // Documentation only: checked by `set_status`.
#[serde(rename_all = "lowercase")]
enum NewStatusSchema {
    Consumed,
    Revoked,
    Expired,
}

/// Free-form context kept with the token and given back as is. Two keys have a meaning: the
/// organizations a person signing in with the token joins just in time.
#[derive(ToSchema)]
#[schema(as = OneTimeTokenContext)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // Documentation only: the context is kept as JSON.
struct ContextSchema {
    /// Organizations to join with their default just-in-time roles; each must exist.
    jit_organization_ids: Option<Vec<String>>,
    /// Organizations to join (keys) with these organization roles (values: role ids) instead
    /// of the defaults; every id must exist.
    jit_organization_roles: Option<HashMap<String, Vec<String>>>,
    /// Any other keys are kept.
    #[serde(flatten)]
    other: HashMap<String, Value>,
}

/// Where the mail of a token Sesame sends stands.
#[derive(ToSchema)]
#[schema(as = MailDeliveryStatus)]
#[allow(dead_code)] // Documentation only: the status is a string in the views.
#[serde(rename_all = "lowercase")]
enum DeliveryStatusSchema {
    Pending,
    Sending,
    Sent,
    Failed,
}

/// The delivery of the mail Sesame sent with a token (`send`).
#[derive(Serialize, ToSchema)]
#[schema(as = MailDelivery)]
#[serde(rename_all = "camelCase")]
struct DeliveryView {
    /// `pending` (waiting, maybe after failed attempts), `sending`, `sent` or `failed` (given
    /// up on).
    #[schema(value_type = DeliveryStatusSchema)]
    status: &'static str,
    /// Attempts made so far.
    attempts: i32,
    /// Why the last attempt failed, if one did.
    last_error: Option<String>,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        Self {
            status: d.status.as_str(),
            attempts: d.attempts,
            last_error: d.last_error,
        }
    }
}

/// A one-time token; `token` (the secret) only in the answer to its creation, and not even
/// there when Sesame mails it (`send`).
#[derive(Serialize, ToSchema)]
#[schema(as = OneTimeToken)]
#[serde(rename_all = "camelCase")]
struct TokenView {
    id: String,
    /// The address the token was issued for, as given.
    email: String,
    /// The secret token (the magic link's credential). Shown only when the token is created;
    /// only its hash is stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[schema(value_type = ContextSchema)]
    context: Value,
    #[schema(value_type = StatusSchema)]
    status: String,
    /// Milliseconds since the Unix epoch.
    created_at: i64,
    /// Milliseconds since the Unix epoch.
    expires_at: i64,
    /// The mail Sesame sent with the token (`send`); absent for a token created without.
    /// Shown by the creation and by `GET /api/one-time-tokens/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery: Option<DeliveryView>,
}

impl TokenView {
    fn new(record: OneTimeTokenRecord, token: Option<String>, now: i64) -> Self {
        Self {
            delivery: None,
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

/// A new one-time token.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"email": "ada@example.com", "expiresIn": 900, "context": {}}))]
pub(super) struct CreateOneTimeToken {
    /// Whom the token is for.
    #[serde(deserialize_with = "de::required_text")]
    #[schema(format = "email")]
    email: String,
    /// Lifetime in seconds, from 1 to the configured maximum (30 days by default); absent or
    /// null: the configured default (10 minutes by default).
    #[serde(default, deserialize_with = "seconds")]
    #[schema(minimum = 1)]
    expires_in: Option<i64>,
    /// Absent or null: `{}`.
    #[serde(default, deserialize_with = "de::optional_object")]
    #[schema(value_type = Option<ContextSchema>)]
    context: Option<Map<String, Value>>,
    /// Sesame mails the link itself: `landingUri?token=...&email=...`, to `email`. The answer
    /// then carries no `token` (the plaintext goes only to the mailbox) but `delivery`.
    /// Absent or null: the token is returned, nothing is mailed.
    #[serde(default, deserialize_with = "de::object")]
    send: Option<SendLink>,
}

/// How Sesame mails a token's link.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = OneTimeTokenSend)]
pub(super) struct SendLink {
    /// A landing URI registered on an application (`landingUris`), exactly; otherwise 400
    /// `landing_uri_not_registered`.
    #[serde(deserialize_with = "de::required_text")]
    #[schema(format = "uri")]
    landing_uri: String,
    /// The language of the mail, a BCP 47 tag (`de`, `pt-BR`); absent or null: `en`. Without
    /// templates for it, its language (`pt`), then English.
    #[serde(default)]
    locale: Option<String>,
}

/// `expiresIn`: null is the default; a value that is not an integer is 0, which the range check
/// refuses with the message that names the bounds.
fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        value => Some(value.as_i64().unwrap_or(0)),
    })
}

/// The redemption of a token.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"token": "not-a-real-token", "email": "ada@example.com"}))]
pub(super) struct VerifyOneTimeToken {
    #[serde(deserialize_with = "de::non_empty_text")]
    #[schema(min_length = 1)]
    token: String,
    /// Compared with the token's address without regard to case.
    #[serde(deserialize_with = "de::non_empty_text")]
    #[schema(min_length = 1)]
    email: String,
}

/// A change of status. A token cannot be set back to `active` (400 `cannot_reactivate_token`).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"status": "revoked"}))]
pub(super) struct SetOneTimeTokenStatus {
    #[serde(default, deserialize_with = "any_text")]
    #[schema(value_type = NewStatusSchema, required = true)]
    status: Option<String>,
}

/// Text, or `None` for anything else (refused later with the list of statuses).
fn any_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TokenListQuery {
    /// Only tokens for this address (exact, without regard to case; blank is no filter).
    email: Option<String>,
    /// Only tokens with this status (expiry taken into account).
    #[param(value_type = Option<StatusSchema>)]
    status: Option<String>,
    /// The page, from 1 (default 1).
    #[param(value_type = Option<i64>, minimum = 1)]
    page: Option<String>,
    /// Items per page, from 1 to 100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    page_size: Option<String>,
}

fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ApiErrorCode::TokenNotFound,
        "no one-time token with this id",
    )
}

pub fn token_error(e: TokenError) -> ApiError {
    let (status, code) = match e {
        TokenError::NotFound => (StatusCode::NOT_FOUND, ApiErrorCode::TokenNotFound),
        TokenError::EmailMismatch => (StatusCode::BAD_REQUEST, ApiErrorCode::EmailMismatch),
        TokenError::Expired => (StatusCode::BAD_REQUEST, ApiErrorCode::TokenExpired),
        TokenError::Consumed => (StatusCode::BAD_REQUEST, ApiErrorCode::TokenConsumed),
        TokenError::Revoked => (StatusCode::BAD_REQUEST, ApiErrorCode::TokenRevoked),
    };
    ApiError::new(status, code, e.explanation())
}

/// The token a creation asks for, checked against the settings: `context` must be an object
/// whose JIT fields (`jitOrganizationIds`, `jitOrganizationRoles`) are well formed (other keys
/// are kept); the organizations and roles they name are returned for [`new_token`] to look up.
pub(super) fn requested(
    settings: &Settings,
    request: CreateOneTimeToken,
) -> Result<(NewToken, Vec<JitTarget>, Option<LinkMail>), ApiError> {
    let send = request.send.map(link_mail).transpose()?;
    let email = Email::parse(&request.email).map_err(|m| invalid("email", m))?;
    let max = settings.one_time_token_max_expires_in().num_seconds();
    let expires_in_secs = match request.expires_in {
        None => settings.one_time_token_expires_in().num_seconds().min(max),
        Some(n) if (1..=max).contains(&n) => n,
        Some(_) => {
            return Err(invalid(
                "expiresIn",
                format!("must be an integer number of seconds from 1 to {max}"),
            ));
        }
    };
    let context = Value::Object(request.context.unwrap_or_default());
    let targets = jit_targets(&context).map_err(|(field, message)| invalid(&field, message))?;
    let new = NewToken {
        email,
        expires_in_secs,
        context,
    };
    Ok((new, targets, send))
}

/// `send`, checked in form: a landing URI as applications register them, a locale tag.
fn link_mail(send: SendLink) -> Result<LinkMail, ApiError> {
    check_landing_uri(&send.landing_uri).map_err(|e| invalid("send.landingUri", e))?;
    let locale = match send.locale.as_deref() {
        None => DEFAULT_LOCALE.to_owned(),
        Some(raw) => parse_locale(raw)
            .ok_or_else(|| invalid("send.locale", "must be a language tag such as de or pt-BR"))?,
    };
    Ok(LinkMail {
        landing_uri: send.landing_uri,
        locale,
    })
}

/// The token to create: [`requested`], whose organizations and roles must exist (Logto silently
/// drops unknown ids; an invitation that cannot do what it says is refused here instead).
async fn new_token(
    state: &AppState,
    request: CreateOneTimeToken,
) -> Result<(NewToken, Option<LinkMail>), ApiError> {
    let (new, targets, send) = requested(&state.settings, request)?;
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
    Ok((new, send))
}

/// Create a one-time token (magic link)
#[utoipa::path(
    operation_id = "createOneTimeToken",
    tag = TAG,
    request_body = CreateOneTimeToken,
    responses(
        (status = 201, description = "The token, with its secret `token` (shown only now), or \
         with `send`, without it and with its `delivery`.", body = TokenView),
        (status = 400, description = "`invalid_input`, or `landing_uri_not_registered` when \
         `send.landingUri` is not registered on an application.", body = ApiErrorBody),
        (status = 429, description = "`too_many_requests`: too many tokens were created in the \
         last hour for this email or by this application.", body = ApiErrorBody,
         headers(("Retry-After" = i64, description = "Seconds to wait."))),
    ),
)]
#[post("/one-time-tokens")]
async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (new, send) = new_token(&state, body::parse(&body)?).await?;
    let settings = &state.settings;
    let limits = CreationLimits {
        per_email: settings.one_time_tokens_per_email_per_hour,
        per_application: settings.one_time_tokens_per_application_per_hour,
        window_ms: 3600 * 1000,
    };
    let now = state.clock.now_ms();
    match one_time_token::create(&state.storage, new, limits, caller.actor(), now, send).await {
        Ok(created) => {
            let view = match created.handed_over {
                HandedOver::ToCaller(token) => {
                    TokenView::new(created.record, Some(token.into_inner()), now)
                }
                HandedOver::Mailed(delivery) => {
                    state.mail_queued.notify_one();
                    TokenView {
                        delivery: Some(delivery.into()),
                        ..TokenView::new(created.record, None, now)
                    }
                }
            };
            Ok(HttpResponse::Created().json(view))
        }
        Err(CreateError::LandingUriNotRegistered) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ApiErrorCode::LandingUriNotRegistered,
            "send.landingUri: not a landing URI registered on an application \
             (`sesame app create --landing-uri`, or `landingUris` of an application)",
        )),
        Err(CreateError::RateLimited { retry_after_secs }) => Ok(HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", retry_after_secs.to_string()))
            .json(ApiErrorBody {
                code: ApiErrorCode::TooManyRequests,
                message: "too many one-time tokens were created for this email or by this \
                          application; retry later"
                    .into(),
            })),
        Err(CreateError::Storage(e)) => Err(e.into()),
    }
}

/// List one-time tokens, newest first
#[utoipa::path(
    operation_id = "listOneTimeTokens",
    tag = TAG,
    params(TokenListQuery),
    responses(
        (status = 200, description = "A page of tokens (without their secrets).",
         body = Vec<TokenView>,
         headers(("Total-Number" = i64, description = "How many tokens match in all."))),
    ),
)]
#[get("/one-time-tokens")]
async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<TokenListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let status = match query.status.as_deref() {
        None => None,
        Some(s) if TokenStatus::parse(s).is_some() => TokenStatus::parse(s),
        Some(_) => {
            return Err(invalid(
                "status",
                "must be one of active, consumed, revoked, expired",
            ));
        }
    };
    let email_lower = query
        .email
        .map(|e| Email::normalize(&e))
        .filter(|e| !e.is_empty());
    let (offset, limit) = paging(query.page.as_deref(), query.page_size.as_deref())?;
    let filter = ListFilter {
        email_lower,
        status,
    };
    let now = state.clock.now_ms();
    let (rows, total) = state
        .storage
        .run(move |c| queries::list(c, &filter, offset, limit, now))
        .await?;
    let views = rows
        .into_iter()
        .map(|r| TokenView::new(r, None, now))
        .collect();
    Ok(page::<TokenView>(views, total))
}

/// Get a one-time token
#[utoipa::path(
    operation_id = "getOneTimeToken",
    tag = TAG,
    params(("id" = String, Path, description = "The token's id.")),
    responses(
        (status = 200, description = "The token (without its secret), with the `delivery` of \
         its mail when Sesame sent it.", body = TokenView),
        (status = 404, description = "`token_not_found`.", body = ApiErrorBody),
    ),
)]
#[get("/one-time-tokens/{id}")]
async fn get_one(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (record, delivery) = state
        .storage
        .run(move |c| {
            let Some(record) = queries::find_by_id(c, &id)? else {
                return Ok(None);
            };
            Ok(Some((record, delivery_of_token(c, &id)?)))
        })
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().json(TokenView {
        delivery: delivery.map(Into::into),
        ..TokenView::new(record, None, state.clock.now_ms())
    }))
}

/// Set the status of a one-time token
#[utoipa::path(
    operation_id = "setOneTimeTokenStatus",
    tag = TAG,
    params(("id" = String, Path, description = "The token's id.")),
    request_body = SetOneTimeTokenStatus,
    responses(
        (status = 200, description = "The token with its new status.", body = TokenView),
        (status = 400, description = "`invalid_input`, or `cannot_reactivate_token` for \
         `active`.", body = ApiErrorBody),
        (status = 404, description = "`token_not_found`.", body = ApiErrorBody),
    ),
)]
#[put("/one-time-tokens/{id}/status")]
async fn set_status(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let status = new_status(body::parse(&body)?)?;
    let now = state.clock.now_ms();
    let record =
        one_time_token::set_status(&state.storage, id.into_inner(), status, caller.actor(), now)
            .await?
            .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().json(TokenView::new(record, None, now)))
}

/// The status a change asks for: any but `active`.
pub(super) fn new_status(request: SetOneTimeTokenStatus) -> Result<TokenStatus, ApiError> {
    match request.status.as_deref().and_then(TokenStatus::parse) {
        Some(TokenStatus::Active) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ApiErrorCode::CannotReactivateToken,
            "a one-time token cannot be set back to active",
        )),
        Some(status) => Ok(status),
        None => Err(invalid(
            "status",
            "must be one of consumed, revoked, expired",
        )),
    }
}

/// Verify (redeem) a one-time token
#[utoipa::path(
    operation_id = "verifyOneTimeToken",
    tag = TAG,
    request_body = VerifyOneTimeToken,
    responses(
        (status = 200, description = "The token, now consumed.", body = TokenView),
        (status = 400, description = "`invalid_input`, `email_mismatch`, `token_expired`, \
         `token_consumed` or `token_revoked`.", body = ApiErrorBody),
        (status = 404, description = "`token_not_found`.", body = ApiErrorBody),
    ),
)]
#[post("/one-time-tokens/verify")]
async fn verify(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: VerifyOneTimeToken = body::parse(&body)?;
    let now = state.clock.now_ms();
    match one_time_token::redeem(
        &state.storage,
        &request.token,
        &request.email,
        caller.actor(),
        now,
    )
    .await
    {
        Ok(record) => Ok(HttpResponse::Ok().json(TokenView::new(record, None, now))),
        Err(RedeemError::Token(e)) => Err(token_error(e)),
        Err(RedeemError::Storage(e)) => Err(e.into()),
    }
}

/// Delete a one-time token
#[utoipa::path(
    operation_id = "deleteOneTimeToken",
    tag = TAG,
    params(("id" = String, Path, description = "The token's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "`token_not_found`.", body = ApiErrorBody),
    ),
)]
#[delete("/one-time-tokens/{id}")]
async fn delete_one(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now_ms();
    if one_time_token::delete(&state.storage, id.into_inner(), caller.actor(), now).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(not_found())
    }
}
