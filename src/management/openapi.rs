//! `/api/openapi.json`: the OpenAPI 3.1 description of the Management API, public and served
//! as it is in the binary. `tests/openapi.rs` checks it against the routes and the handlers.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// The document, compiled in.
pub const DOCUMENT: &str = include_str!("openapi.json");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(document));
}

/// No `Caller`: the description is public.
async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(web::Bytes::from_static(DOCUMENT.as_bytes()))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::DOCUMENT;

    #[test]
    fn is_json_with_the_crate_version() {
        let doc: Value = serde_json::from_str(DOCUMENT).expect("openapi.json is JSON");
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    }
}
