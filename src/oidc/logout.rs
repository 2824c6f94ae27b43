//! `GET|POST /oidc/session/end` (OpenID Connect RP-Initiated Logout 1.0). The session ends; the
//! browser returns to `post_logout_redirect_uri` only when it is registered, exactly, for the
//! client named by `id_token_hint` or `client_id`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::error::PageError;
use crate::oidc::authorize::redirect;
use crate::oidc::params::Params;
use crate::oidc::session;
use crate::pages::render;
use crate::state::AppState;
use crate::storage::applications::find_application;

#[derive(Template)]
#[template(path = "signed_out.html")]
struct SignedOutPage;

#[derive(Deserialize)]
struct HintClaims {
    aud: serde_json::Value,
}

pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    end_session(&req, &state, req.query_string().as_bytes()).await
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    end_session(&req, &state, &body).await
}

async fn end_session(
    req: &HttpRequest,
    state: &AppState,
    encoded: &[u8],
) -> Result<HttpResponse, PageError> {
    let params =
        Params::parse(encoded).map_err(|e| PageError::bad_request("invalid_request", e))?;
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
    let clear = session::end(req, state).await?;
    let mut response = match destination {
        Some(uri) => {
            let mut pairs = Vec::new();
            if let Some(s) = params.get("state") {
                pairs.push(("state", s));
            }
            redirect(&uri, &pairs)
        }
        None => render(StatusCode::OK, &SignedOutPage),
    };
    let _ = response.add_cookie(&clear);
    Ok(response)
}
