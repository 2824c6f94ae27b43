//! `GET|POST /oidc/auth`: validate, then either answer at once (a live session that satisfies
//! the request) or hand over to an interaction (the hosted pages).

mod checks;
mod decide;
mod request;

pub use checks::{AuthorizeError, is_pkce_value};
pub use decide::{Next, decide};
pub use request::{AuthorizationRequest, Prompt};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::crypto::{Secret, random_token, sha256_b64url};
use crate::error::PageError;
use crate::interaction::{Step, magic_link};
use crate::oidc::params::Params;
use crate::oidc::session::{self, Amr, Authentication};
use crate::state::AppState;
use crate::storage::grants::{CodeRecord, insert_code};

pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    authorize(&req, &state, req.query_string().as_bytes()).await
}

pub async fn post(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    authorize(&req, &state, &body).await
}

async fn authorize(req: &HttpRequest, state: &AppState, encoded: &[u8]) -> HttpResponse {
    match run(req, state, encoded).await {
        Ok(response) => response,
        Err(e) => error_response(state, e),
    }
}

async fn run(
    req: &HttpRequest,
    state: &AppState,
    encoded: &[u8],
) -> Result<HttpResponse, AuthorizeError> {
    let now = state.clock.now_ms();
    let params = Params::parse(encoded)
        .map_err(|e| AuthorizeError::Page(PageError::bad_request("invalid_request", e)))?;
    let app = match params.get("client_id") {
        Some(id) => state
            .clients
            .get(&state.storage, id, now)
            .await
            .map_err(|e| AuthorizeError::Page(e.into()))?,
        None => None,
    };
    let mut request = checks::validate(&params, app.as_deref(), &state.keys.current())?;
    let current = session::current(req, state, now)
        .await
        .map_err(|e| AuthorizeError::Page(e.into()))?;
    if let Some(token) = request.one_time_token.take() {
        let token = Secret::new(token);
        let begun = magic_link::begin(req, state, request, &token, current.as_ref(), now)
            .await
            .map_err(AuthorizeError::Page)?;
        match begun {
            magic_link::Begun::Answered(response) => return Ok(response),
            magic_link::Begun::Ignored(ignored) => request = ignored,
        }
    }
    match decide(&request, current.as_ref(), now) {
        Next::Complete(auth) => complete(state, &request, &auth, now)
            .await
            .map_err(AuthorizeError::Page),
        Next::Fail(code, description) => Err(AuthorizeError::Redirect {
            redirect_uri: request.redirect_uri,
            state: request.state,
            code,
            description: description.into(),
        }),
        Next::SignIn => crate::interaction::start(state, request, Step::SignIn, now)
            .await
            .map_err(AuthorizeError::Page),
    }
}

/// Issues an authorization code for `auth` and sends the browser back to the client.
pub async fn complete(
    state: &AppState,
    request: &AuthorizationRequest,
    auth: &Authentication,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let (record, response) = new_code(state, request, auth, now);
    state.storage.run(move |c| insert_code(c, &record)).await?;
    Ok(response)
}

/// A fresh code for `auth` and the redirect that delivers it, to send once the code is stored.
pub fn new_code(
    state: &AppState,
    request: &AuthorizationRequest,
    auth: &Authentication,
    now: i64,
) -> (CodeRecord, HttpResponse) {
    let code = random_token(32);
    let record = CodeRecord {
        code_hash: sha256_b64url(&code),
        grant_id: uuid::Uuid::now_v7().to_string(),
        application_id: request.client_id.clone(),
        user_id: auth.user_id.clone(),
        redirect_uri: request.redirect_uri.clone(),
        scope: request.scope.to_string(),
        nonce: request.nonce.clone(),
        code_challenge: request.code_challenge.clone(),
        auth_time: auth.auth_time,
        amr: Amr::join(&auth.amr),
        created_at: now,
        expires_at: now + state.settings.authorization_code_ttl_secs * 1000,
        consumed_at: None,
    };
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = &request.state {
        pairs.push(("state", s));
    }
    pairs.push(("iss", &state.issuer));
    (record, redirect(&request.redirect_uri, &pairs))
}

/// A 303 to `base` with `pairs` appended to its query, each properly encoded.
pub fn redirect(base: &str, pairs: &[(&str, &str)]) -> HttpResponse {
    let location = match url::Url::parse(base) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(pairs);
            url.to_string()
        }
        // Registered redirect URIs were validated as absolute URLs; this cannot happen.
        Err(_) => return PageError::internal().error_response(),
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

fn error_response(state: &AppState, error: AuthorizeError) -> HttpResponse {
    match error {
        AuthorizeError::Page(page) => page.error_response(),
        AuthorizeError::Redirect {
            redirect_uri,
            state: client_state,
            code,
            description,
        } => {
            tracing::info!(error = code.as_str(), %description, "authorization request refused");
            let mut pairs = vec![
                ("error", code.as_str()),
                ("error_description", description.as_str()),
            ];
            if let Some(s) = &client_state {
                pairs.push(("state", s));
            }
            pairs.push(("iss", &state.issuer));
            redirect(&redirect_uri, &pairs)
        }
    }
}
