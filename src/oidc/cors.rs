//! CORS for the endpoints a single-page app calls, limited to the origins of registered SPA
//! redirect URIs (as Logto does). Requests without `Origin` pass untouched.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};

use crate::state::AppState;
use crate::storage::applications::is_allowed_origin;

pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, Error> {
    let Some(origin) = req.headers().get(header::ORIGIN).cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let allowed = match (origin.to_str(), req.app_data::<web::Data<AppState>>()) {
        (Ok(o), Some(state)) => {
            let o = o.to_owned();
            state
                .storage
                .run(move |c| is_allowed_origin(c, &o))
                .await
                .unwrap_or(false)
        }
        _ => false,
    };
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let mut response = if allowed {
            HttpResponse::NoContent()
        } else {
            HttpResponse::build(StatusCode::FORBIDDEN)
        };
        if allowed {
            response
                .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS"))
                .insert_header((
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    "Authorization, Content-Type",
                ))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"));
        }
        response.insert_header((header::VARY, "Origin"));
        let (http_req, _) = req.into_parts();
        return Ok(ServiceResponse::new(http_req, response.finish()));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    let headers = res.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    Ok(res)
}
