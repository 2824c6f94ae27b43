use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::state::AppState;

/// `GET /oidc/jwks`: the public keys, serialized once per key set.
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    let jwks = state.keys.current().jwks();
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/jwk-set+json"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(web::Bytes::copy_from_slice(&jwks))
}
