//! Rendering askama pages with the headers every page carries, in the language of the request.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use askama::Template;

use crate::error::PageError;
use crate::i18n::{self, Locale};

/// Renders a page; a template failure becomes a plain 500 rather than a panic.
pub fn render(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::VARY, "Accept-Language"))
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            HttpResponse::InternalServerError().body("internal error")
        }
    }
}

/// The browser's `Accept-Language`, if readable.
pub fn accept_language(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
}

/// The language of a page that knows no account: the query's `ui_locales`, else the browser's.
pub fn request_locale(req: &HttpRequest) -> Locale {
    let ui_locales = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(name, _)| name == "ui_locales")
        .map(|(_, value)| value.into_owned());
    i18n::choose(ui_locales.as_deref(), None, accept_language(req))
}

/// Records the language chosen for this request (from what its handler knows: the stored
/// request, the account), for the error pages it may still return.
pub fn set_locale(req: &HttpRequest, locale: Locale) {
    req.extensions_mut().insert(locale);
}

/// The language recorded by [`set_locale`], else [`request_locale`].
pub fn locale_of(req: &HttpRequest) -> Locale {
    let recorded = req.extensions().get::<Locale>().copied();
    recorded.unwrap_or_else(|| request_locale(req))
}

/// Renders the error page a handler returned (in English, by `ResponseError`) again in the
/// language of the request, when that is not English.
pub async fn localize_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let res = next.call(req).await?;
    let localized = res
        .response()
        .error()
        .and_then(|e| e.as_error::<PageError>())
        .and_then(|page| {
            let locale = locale_of(res.request());
            (locale != Locale::En).then(|| page.response_in(locale).into_body())
        });
    // The same status and headers, and the error kept for the request log: only the words
    // change.
    Ok(match localized {
        Some(body) => res.map_body(|_, _| EitherBody::right(body)),
        None => res.map_into_left_body(),
    })
}
