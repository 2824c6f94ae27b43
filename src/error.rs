//! Errors as the edge shows them: OAuth JSON on OAuth endpoints, `{code, message}` JSON on the
//! Management API and other JSON routes, a readable page in the browser. Each carries a public
//! face; causes are logged, never sent.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use serde::Serialize;

use crate::i18n::{self, Locale, Tr};
use crate::storage::StorageError;

/// What a 503 says, on every face.
const UNAVAILABLE: &str = "the service is temporarily unavailable; try again shortly";

/// Seconds a client is told to wait before trying a 503 again: a database restart or a burst
/// of load is over in about this long.
pub const RETRY_AFTER_SECS: u32 = 2;

/// `Retry-After` on every 503.
pub fn retry_after(response: &mut actix_web::HttpResponseBuilder, status: StatusCode) {
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS));
    }
}

/// Whether a storage failure is an outage or overload (logged as a warning, answered 503).
fn temporary(e: &StorageError) -> bool {
    if e.is_temporary() {
        tracing::warn!(error = %e, "database unavailable; answered 503");
        true
    } else {
        false
    }
}

/// RFC 6749 5.2 (and RFC 6750, RFC 8707, RFC 7009) error codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    InvalidTarget,
    InvalidToken,
    AccessDenied,
    LoginRequired,
    ConsentRequired,
    InteractionRequired,
    RequestNotSupported,
    RequestUriNotSupported,
    UnsupportedTokenType,
    ServerError,
    /// RFC 6749 4.1.2.1: the server cannot handle the request now (503, see `Retry-After`).
    TemporarilyUnavailable,
}

impl OAuthErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidTarget => "invalid_target",
            Self::InvalidToken => "invalid_token",
            Self::AccessDenied => "access_denied",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::InteractionRequired => "interaction_required",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }
}

/// An error answered as RFC 6749 JSON.
#[derive(Debug, Clone)]
pub struct OAuthError {
    pub code: OAuthErrorCode,
    pub description: String,
    pub challenge: Challenge,
}

/// The `WWW-Authenticate` challenge sent with a 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// The default for the error code (`Bearer error="invalid_token"` for invalid tokens).
    Default,
    /// The client tried HTTP Basic authentication (RFC 6749 5.2).
    Basic,
    /// No credentials at all: a bare `Bearer` challenge without an error (RFC 6750 3.1).
    BearerWithoutError,
}

impl OAuthError {
    pub fn new(code: OAuthErrorCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            challenge: Challenge::Default,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(OAuthErrorCode::InvalidRequest, description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(OAuthErrorCode::InvalidGrant, description)
    }

    pub fn invalid_client() -> Self {
        Self::new(
            OAuthErrorCode::InvalidClient,
            "client authentication failed",
        )
    }

    pub fn server_error() -> Self {
        Self::new(
            OAuthErrorCode::ServerError,
            "the server could not complete the request",
        )
    }

    pub fn temporarily_unavailable() -> Self {
        Self::new(OAuthErrorCode::TemporarilyUnavailable, UNAVAILABLE)
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.description)
    }
}

impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        match self.code {
            OAuthErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
            OAuthErrorCode::InvalidToken => StatusCode::UNAUTHORIZED,
            OAuthErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            OAuthErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        retry_after(&mut response, self.status_code());
        if self.code == OAuthErrorCode::InvalidClient && self.challenge == Challenge::Basic {
            response.insert_header((header::WWW_AUTHENTICATE, r#"Basic realm="sesame""#));
        }
        if self.challenge == Challenge::BearerWithoutError {
            response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="sesame""#));
        } else if self.code == OAuthErrorCode::InvalidToken {
            // RFC 6750 3: the challenge names the error; the description is ASCII we wrote.
            let challenge = format!(
                r#"Bearer error="invalid_token", error_description="{}""#,
                self.description.replace('"', "'")
            );
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response.insert_header((header::WWW_AUTHENTICATE, value));
            }
        }
        response.json(serde_json::json!({
            "error": self.code.as_str(),
            "error_description": self.description,
        }))
    }
}

impl From<StorageError> for OAuthError {
    fn from(e: StorageError) -> Self {
        if temporary(&e) {
            return Self::temporarily_unavailable();
        }
        tracing::error!(error = %e, "storage failure");
        Self::server_error()
    }
}

impl From<crate::crypto::KeyError> for OAuthError {
    fn from(e: crate::crypto::KeyError) -> Self {
        tracing::error!(error = %e, "signing failure");
        Self::server_error()
    }
}

/// The codes of the Management API's (and other JSON routes') errors: a closed set, documented
/// in the OpenAPI description as the `code` of `Error`. `invalid_input` (400): a body, field or
/// query parameter is not valid, and the message starts with its name; `unauthorized` (401);
/// `forbidden` (403); `not_found` (404); `name_in_use`, `email_in_use` (422);
/// `too_many_requests` (429); `token_not_found` (404), `email_mismatch`, `token_expired`,
/// `token_consumed`, `token_revoked`, `cannot_reactivate_token` (400): one-time tokens;
/// `internal_error` (500); `temporarily_unavailable` (503, with `Retry-After`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorCode {
    /// A body, a field or a query parameter is not valid; the message starts with its name.
    InvalidInput,
    /// No valid bearer token for the Management API.
    Unauthorized,
    /// The token lacks the `all` scope.
    Forbidden,
    /// No such resource (or no such route).
    NotFound,
    /// Another organization role or scope already has this name.
    NameInUse,
    /// Another user already has this email address.
    EmailInUse,
    /// Too many one-time tokens were created recently; see `Retry-After`.
    TooManyRequests,
    /// No one-time token with this id or secret.
    TokenNotFound,
    /// The one-time token was issued for another email address.
    EmailMismatch,
    /// The one-time token has expired.
    TokenExpired,
    /// The one-time token was already used.
    TokenConsumed,
    /// The one-time token was revoked.
    TokenRevoked,
    /// A one-time token cannot be set back to `active`.
    CannotReactivateToken,
    /// `send.landingUri` is not a landing URI registered on any application.
    LandingUriNotRegistered,
    /// The server could not complete the request.
    InternalError,
    /// The database is unavailable or overloaded; try again after `Retry-After` seconds.
    TemporarilyUnavailable,
}

impl ApiErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::NameInUse => "name_in_use",
            Self::EmailInUse => "email_in_use",
            Self::TooManyRequests => "too_many_requests",
            Self::TokenNotFound => "token_not_found",
            Self::EmailMismatch => "email_mismatch",
            Self::TokenExpired => "token_expired",
            Self::TokenConsumed => "token_consumed",
            Self::TokenRevoked => "token_revoked",
            Self::CannotReactivateToken => "cannot_reactivate_token",
            Self::LandingUriNotRegistered => "landing_uri_not_registered",
            Self::InternalError => "internal_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }
}

/// The body of every Management API error.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ApiErrorBody {
    pub code: ApiErrorCode,
    /// What went wrong, in words. For `invalid_input` it starts with the offending field, e.g.
    /// `email: is required`.
    pub message: String,
}

/// An error answered as `{"code", "message"}` JSON (Management API and other JSON routes).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ApiErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ApiErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiErrorCode::InternalError,
            "the server could not complete the request",
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ApiErrorCode::TemporarilyUnavailable,
            UNAVAILABLE,
        )
    }

    /// The JSON body of this error.
    pub fn body(&self) -> ApiErrorBody {
        ApiErrorBody {
            code: self.code,
            message: self.message.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        retry_after(&mut response, self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            // RFC 6750 3: the Management API takes bearer tokens.
            response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="sesame""#));
        }
        response.json(self.body())
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        if temporary(&e) {
            return Self::unavailable();
        }
        tracing::error!(error = %e, "storage failure");
        if e.is_unreadable() {
            // As on the hosted pages: the request stops (503) until an operator repairs it.
            return Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ApiErrorCode::TemporarilyUnavailable,
                "stored settings this request needs cannot be read; an operator must repair them",
            );
        }
        Self::internal()
    }
}

/// The generic error page: a title, what happened, what to do next.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub tr: Tr,
    pub title: &'a str,
    pub message: &'a str,
    pub code: &'a str,
    pub next_step: &'a str,
    /// A technical detail for the application's developers, not translated.
    pub detail: Option<&'a str>,
}

/// Where a page's technical detail is kept among its arguments (no message takes it).
const DETAIL: &str = "detail";

/// An error shown to a person in the browser. Its texts are Fluent keys, put into words in the
/// language of the request when the page is rendered ([`PageError::response_in`]; the
/// middleware `pages::localize_errors` picks the language for errors handlers return).
#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    pub code: String,
    title: &'static str,
    message: &'static str,
    next_step: &'static str,
    /// The messages' arguments, and the [`DETAIL`] if any.
    args: Vec<(&'static str, String)>,
    /// Sent as `Retry-After` (seconds) with a 503.
    pub retry_after_secs: Option<u32>,
}

impl PageError {
    /// A hosted form's CSRF check: the token the page was given against the one posted,
    /// compared in constant time; a mismatch is the 403 `csrf_mismatch` page.
    pub fn check_csrf(expected: &str, presented: &str) -> Result<(), PageError> {
        if crate::crypto::constant_time_eq(expected, presented) {
            return Ok(());
        }
        Err(PageError::new(
            StatusCode::FORBIDDEN,
            "csrf_mismatch",
            "error-csrf-title",
            "error-csrf",
        )
        .with_next_step("error-next-reload"))
    }

    /// A page whose title and message are the Fluent messages `title` and `message`.
    pub fn new(
        status: StatusCode,
        code: impl Into<String>,
        title: &'static str,
        message: &'static str,
    ) -> Self {
        Self {
            status,
            code: code.into(),
            title,
            message,
            next_step: "error-next-start-again",
            args: Vec::new(),
            retry_after_secs: None,
        }
    }

    /// The Fluent message that says what to do next.
    pub fn with_next_step(mut self, next_step: &'static str) -> Self {
        self.next_step = next_step;
        self
    }

    /// An argument of the page's messages.
    pub fn with_arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// A technical detail, shown as it is (for the application's developers).
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.args.push((DETAIL, detail.into()));
        self
    }

    fn detail(&self) -> Option<&str> {
        self.args
            .iter()
            .find(|(name, _)| *name == DETAIL)
            .map(|(_, value)| value.as_str())
    }

    /// A request the application got wrong; `detail` says what, for its developers.
    pub fn bad_request(code: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            code,
            "error-cannot-complete-title",
            "error-bad-request",
        )
        .with_detail(detail)
    }

    /// A request that cannot go on at this step; `message` says why, in the person's words.
    pub fn refused(code: impl Into<String>, message: &'static str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            code,
            "error-cannot-complete-title",
            message,
        )
    }

    /// Every password thread is busy and the line is full (a burst of sign-ins or sign-ups):
    /// 503, come back in a moment.
    pub fn busy() -> Self {
        let mut page = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "error-busy-title",
            "error-busy",
        )
        .with_next_step("error-next-retry-seconds");
        page.retry_after_secs = Some(2);
        page
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "error-unavailable-title",
            "error-unavailable",
        )
        .with_next_step("error-next-retry-moment")
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "error-internal-title",
            "error-internal",
        )
        .with_next_step("error-next-retry-moment")
    }

    /// Stored data the request depends on (the sign-in experience, an authenticator) cannot be
    /// read: the request stops (503) until an operator repairs it.
    pub fn unreadable_settings() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "error-unreadable-title",
            "error-unreadable",
        )
        .with_next_step("error-next-retry-later")
    }

    /// One of the page's messages in `locale`, with the page's arguments.
    fn text(&self, locale: Locale, key: &str) -> String {
        let args: Vec<(&'static str, &dyn std::fmt::Display)> = self
            .args
            .iter()
            .map(|(name, value)| (*name, value as &dyn std::fmt::Display))
            .collect();
        i18n::t_args(locale, key, &args)
    }

    /// The page in `locale`, with its status and headers.
    pub fn response_in(&self, locale: Locale) -> HttpResponse {
        let (title, message, next_step) = (
            self.text(locale, self.title),
            self.text(locale, self.message),
            self.text(locale, self.next_step),
        );
        let page = ErrorPage {
            tr: Tr(locale),
            title: &title,
            message: &message,
            code: &self.code,
            next_step: &next_step,
            detail: self.detail(),
        };
        let mut response = crate::pages::render(self.status, &page);
        // Every 503 says when to come back; a page may name its own delay.
        let retry_after = self
            .retry_after_secs
            .or((self.status == StatusCode::SERVICE_UNAVAILABLE).then_some(RETRY_AFTER_SECS));
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(detail) = self.detail() {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    /// In English; `pages::localize_errors` renders it again in the request's language.
    fn error_response(&self) -> HttpResponse {
        self.response_in(Locale::En)
    }
}

impl From<crate::crypto::HashingError> for PageError {
    fn from(e: crate::crypto::HashingError) -> Self {
        match e {
            crate::crypto::HashingError::Busy => Self::busy(),
            crate::crypto::HashingError::Gone => {
                tracing::error!(error = %e, "password hashing failure");
                Self::internal()
            }
        }
    }
}

impl From<StorageError> for PageError {
    fn from(e: StorageError) -> Self {
        if temporary(&e) {
            return Self::unavailable();
        }
        tracing::error!(error = %e, "storage failure");
        if e.is_unreadable() {
            Self::unreadable_settings()
        } else {
            Self::internal()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ApiErrorCode;

    #[test]
    fn api_error_codes_read_as_they_serialize() {
        use ApiErrorCode::*;
        for code in [
            InvalidInput,
            Unauthorized,
            Forbidden,
            NotFound,
            NameInUse,
            EmailInUse,
            TooManyRequests,
            TokenNotFound,
            EmailMismatch,
            TokenExpired,
            TokenConsumed,
            TokenRevoked,
            CannotReactivateToken,
            InternalError,
            TemporarilyUnavailable,
        ] {
            assert_eq!(
                serde_json::to_value(code).expect("serializes"),
                code.as_str()
            );
        }
    }
}
