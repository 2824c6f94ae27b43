//! `GET|POST /oidc/auth`: the protocol part (`oidc::authorize::check`) says what the request
//! calls for; this carries it out: a magic link first, then the code at once, an error back
//! to the client, or an interaction.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{Step, magic_link, start};
use crate::i18n;
use crate::oidc::authorize::{self, AuthorizationRequest, AuthorizeError, Checked, Next};
use crate::state::AppState;

pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    respond(&req, &state, req.query_string().as_bytes()).await
}

pub async fn post(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    respond(&req, &state, &body).await
}

async fn respond(req: &HttpRequest, state: &AppState, encoded: &[u8]) -> HttpResponse {
    let now = state.clock.now_ms();
    let outcome = match authorize::check(req, state, encoded, now).await {
        Ok(checked) => carry_out(req, state, checked, now).await,
        Err(e) => Err(e),
    };
    outcome.unwrap_or_else(|e| authorize::error_response(state, e))
}

async fn carry_out(
    req: &HttpRequest,
    state: &AppState,
    checked: Checked,
    now: i64,
) -> Result<HttpResponse, AuthorizeError> {
    let Checked {
        request,
        session,
        link,
        next,
    } = checked;
    // No interaction, no account yet: the request's `ui_locales`, else the browser's.
    let locale = i18n::choose(
        request.ui_locales.as_deref(),
        None,
        crate::pages::accept_language(req),
    );
    crate::pages::set_locale(req, locale);
    let request = match link {
        Some(token) => {
            match magic_link::begin(req, state, request, &token, session.as_ref(), now).await {
                Ok(magic_link::Begun::Answered(response)) => return Ok(response),
                Ok(magic_link::Begun::Ignored(request)) => request,
                Err(page) => return Ok(HttpResponse::from_error(page)),
            }
        }
        None => request,
    };
    proceed(state, request, next, now).await
}

/// Carries out what the session alone calls for: for a request without a link, and for one
/// whose link was set aside ("stay" on the switch page), so both pass the same checks.
pub(super) async fn proceed(
    state: &AppState,
    request: AuthorizationRequest,
    next: Next,
    now: i64,
) -> Result<HttpResponse, AuthorizeError> {
    match next {
        Next::Complete(auth) => authorize::complete(state, &request, &auth, now)
            .await
            .map_err(AuthorizeError::Page),
        Next::Fail(code, description) => Err(authorize::refusal(request, code, description)),
        Next::SignIn => start(state, request, Step::SignIn, now)
            .await
            .map_err(AuthorizeError::Page),
    }
}
