//! The authorization endpoint's protocol part: the pipeline of checks, what the session calls
//! for, issuing the code and sending errors back. It returns what to do next as a value; the
//! `GET|POST /oidc/auth` handlers (in the interaction layer, which renders the pages) carry
//! it out.

mod checks;
mod decide;
mod request;

pub use checks::{AuthorizeError, is_pkce_value, validate};
pub use decide::{Next, decide};
pub use request::{AuthorizationRequest, Prompt};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use crate::crypto::{Secret, random_token, sha256_b64url};
use crate::error::{OAuthErrorCode, PageError};
use crate::oidc::params::Params;
use crate::oidc::session::{self, Amr, Authentication};
use crate::state::AppState;
use crate::storage::grants::{CodeRecord, insert_code};
use crate::storage::sessions::SessionRecord;

/// An authorization request that passed every check, and what the session alone calls for.
/// The caller (the interaction layer, which renders pages) carries it out.
#[derive(Debug)]
pub struct Checked {
    pub request: AuthorizationRequest,
    /// This browser's live session, if any.
    pub session: Option<SessionRecord>,
    /// A magic link (`one_time_token`), taken out of the request: decided about first.
    pub link: Option<Secret>,
    /// What to do when there is no link, or the link is ignored.
    pub next: Next,
}

/// Runs the pipeline of checks on an encoded request (query string or form body) and reads
/// the session. Errors are sent back to the client, or shown, by [`error_response`].
pub async fn check(
    req: &HttpRequest,
    state: &AppState,
    encoded: &[u8],
    now: i64,
) -> Result<Checked, AuthorizeError> {
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
    let session = session::current(req, state, now)
        .await
        .map_err(|e| AuthorizeError::Page(e.into()))?;
    let link = request.one_time_token.take();
    let next = decide(&request, session.as_ref(), now);
    Ok(Checked {
        request,
        session,
        link,
        next,
    })
}

/// The refusal [`Next::Fail`] stands for, to send back to the client.
pub fn refusal(
    request: AuthorizationRequest,
    code: OAuthErrorCode,
    description: &str,
) -> AuthorizeError {
    AuthorizeError::Redirect {
        redirect_uri: request.redirect_uri,
        state: request.state,
        code,
        description: description.into(),
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
    let draft = draft_code(state, now);
    (draft.record(request, auth), draft.response(state, request))
}

/// A code drawn before its user is known (a link is resolved, and maybe registers the account,
/// in the transaction that stores the code): [`CodeDraft::record`] completes it, and
/// [`CodeDraft::response`] delivers it once stored.
pub struct CodeDraft {
    code: String,
    grant_id: String,
    created_at: i64,
    expires_at: i64,
}

pub fn draft_code(state: &AppState, now: i64) -> CodeDraft {
    CodeDraft {
        code: random_token(32),
        grant_id: uuid::Uuid::now_v7().to_string(),
        created_at: now,
        expires_at: now + state.settings.authorization_code_ttl().num_milliseconds(),
    }
}

impl CodeDraft {
    /// The row to store for `request`, signed in as `auth`.
    pub fn record(&self, request: &AuthorizationRequest, auth: &Authentication) -> CodeRecord {
        CodeRecord {
            code_hash: sha256_b64url(&self.code),
            grant_id: self.grant_id.clone(),
            application_id: request.client_id.clone(),
            user_id: auth.user_id.clone(),
            redirect_uri: request.redirect_uri.clone(),
            scope: request.scope.to_string(),
            nonce: request.nonce.clone(),
            code_challenge: request.code_challenge.clone(),
            auth_time: auth.auth_time,
            amr: Amr::join(&auth.amr),
            created_at: self.created_at,
            expires_at: self.expires_at,
            consumed_at: None,
        }
    }

    /// The redirect that delivers the code (with `state` and `iss`) to the client.
    pub fn response(&self, state: &AppState, request: &AuthorizationRequest) -> HttpResponse {
        let mut pairs = vec![("code", self.code.as_str())];
        if let Some(s) = &request.state {
            pairs.push(("state", s));
        }
        pairs.push(("iss", &state.issuer));
        redirect(&request.redirect_uri, &pairs)
    }
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

/// The response for a refused request: a page before the redirect URI is trusted, a redirect
/// with `error`, `state` and `iss` after.
pub fn error_response(state: &AppState, error: AuthorizeError) -> HttpResponse {
    match error {
        // Carried with the response: `pages::localize_errors` shows it in the request's language.
        AuthorizeError::Page(page) => HttpResponse::from_error(page),
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
