//! `GET|POST /oidc/session/end` (OpenID Connect RP-Initiated Logout 1.0). With a valid
//! `id_token_hint` the session ends at once; without one, a cross-site request (an `<img>`, a
//! form) could sign anyone out, so the end-user confirms first: a page whose form POSTs back
//! with a CSRF token, as the hosted sign-in pages do. The token is bound to this browser's
//! session cookie (HttpOnly: no other site can read it) and compared in constant time.
//! The browser returns to `post_logout_redirect_uri` only when it is registered, exactly, for
//! the client named by `id_token_hint` or `client_id`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::crypto::sha256_b64url;
use crate::error::PageError;
use crate::i18n::{self, Tr};
use crate::oidc::authorize::redirect;
use crate::oidc::cookies::SesameCookie;
use crate::oidc::params::Params;
use crate::oidc::session;
use crate::pages::render;
use crate::state::AppState;
use crate::storage::applications::find_application;

#[derive(Template)]
#[template(path = "signed_out.html")]
struct SignedOutPage {
    tr: Tr,
}

#[derive(Template)]
#[template(path = "logout_confirm.html")]
struct ConfirmPage<'a> {
    tr: Tr,
    csrf: &'a str,
    client_id: Option<&'a str>,
    post_logout_redirect_uri: Option<&'a str>,
    state: Option<&'a str>,
    /// Carried to the signed-out page.
    ui_locales: Option<&'a str>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

/// The confirmation form's CSRF token for the session cookie `cookie`: only a page served to
/// this browser carries it, and it reveals nothing of the cookie nor of its stored hash.
fn confirmation_csrf(cookie: &str) -> String {
    sha256_b64url(&format!("sesame-logout-confirmation.{cookie}"))
}

#[derive(Deserialize)]
struct HintClaims {
    aud: serde_json::Value,
}

pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    end_session(&req, &state, req.query_string().as_bytes(), Method::Get).await
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    end_session(&req, &state, &body, Method::Post).await
}

async fn end_session(
    req: &HttpRequest,
    state: &AppState,
    encoded: &[u8],
    method: Method,
) -> Result<HttpResponse, PageError> {
    let params =
        Params::parse(encoded).map_err(|e| PageError::bad_request("invalid_request", e))?;
    let locale = i18n::choose(
        params.get("ui_locales"),
        None,
        crate::pages::accept_language(req),
    );
    crate::pages::set_locale(req, locale);
    // A hint that does not verify is refused just below: past that, `hinted` means valid.
    let hinted = params.get("id_token_hint").is_some();
    let hinted_client = match params.get("id_token_hint") {
        Some(hint) => {
            let claims: HintClaims = state.keys.current().verify(hint).map_err(|_| {
                PageError::bad_request("invalid_request", "The id_token_hint is not valid.")
            })?;
            match claims.aud {
                serde_json::Value::String(aud) => Some(aud),
                _ => None,
            }
        }
        None => None,
    };
    let client_id = match (hinted_client, params.get("client_id")) {
        (Some(hinted), Some(given)) if hinted != given => {
            return Err(PageError::bad_request(
                "invalid_request",
                "The client_id does not match the id_token_hint.",
            ));
        }
        (Some(hinted), _) => Some(hinted),
        (None, given) => given.map(str::to_owned),
    };
    let destination = match (params.get("post_logout_redirect_uri"), client_id) {
        (Some(uri), Some(client_id)) => {
            let app = state
                .storage
                .run(move |c| find_application(c, &client_id))
                .await?;
            match app {
                Some(app) if app.has_post_logout_redirect_uri(uri) => Some(uri.to_owned()),
                _ => {
                    return Err(PageError::bad_request(
                        "invalid_request",
                        "The post_logout_redirect_uri is not registered for this application.",
                    ));
                }
            }
        }
        (Some(_), None) => {
            return Err(PageError::bad_request(
                "invalid_request",
                "A post_logout_redirect_uri needs an id_token_hint or a client_id.",
            ));
        }
        (None, _) => None,
    };
    // Without a valid hint, only a confirmed POST from this browser's page ends a session.
    if !hinted && let Some(cookie) = SesameCookie::Session.read(req, &state.settings) {
        let expected = confirmation_csrf(cookie.value());
        match (method, params.get("csrf")) {
            (Method::Post, Some(presented)) => PageError::check_csrf(&expected, presented)?,
            _ => {
                let page = ConfirmPage {
                    tr: Tr(locale),
                    csrf: &expected,
                    client_id: params.get("client_id"),
                    post_logout_redirect_uri: destination.as_deref(),
                    state: params.get("state"),
                    ui_locales: params.get("ui_locales"),
                };
                return Ok(render(StatusCode::OK, &page));
            }
        }
    }
    let clear = session::end(req, state).await?;
    let mut response = match destination {
        Some(uri) => {
            let mut pairs = Vec::new();
            if let Some(s) = params.get("state") {
                pairs.push(("state", s));
            }
            redirect(&uri, &pairs)
        }
        None => render(StatusCode::OK, &SignedOutPage { tr: Tr(locale) }),
    };
    let _ = response.add_cookie(&clear);
    Ok(response)
}
