//! The OpenID Connect endpoints under `/oidc`.

pub mod authorize;
pub mod claims;
pub mod cookies;
mod cors;
pub mod discovery;
mod introspection;
mod jwks;
mod logout;
pub mod params;
mod revocation;
pub mod scope;
pub mod session;
pub mod token;
mod userinfo;

use actix_web::middleware::from_fn;
use actix_web::{HttpResponse, web};

async fn preflight() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Endpoints a single-page app calls from its own origin answer CORS (with preflight);
    // /auth never does (RFC 9700 2.6). /auth itself is wired by the interaction layer, which
    // carries out what `authorize::check` returns (`interaction::authorization_endpoint`).
    let cors = || from_fn(cors::cors);
    cfg.service(
        web::scope("/oidc")
            .service(
                web::resource("/.well-known/openid-configuration")
                    .wrap(cors())
                    .route(web::get().to(discovery::discovery))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(preflight)),
            )
            .service(
                web::resource("/jwks")
                    .wrap(cors())
                    .route(web::get().to(jwks::jwks))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(preflight)),
            )
            .service(
                web::resource("/token")
                    .wrap(cors())
                    .route(web::post().to(token::token))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(preflight)),
            )
            .service(
                web::resource("/me")
                    .wrap(cors())
                    .route(web::get().to(userinfo::get))
                    .route(web::post().to(userinfo::post))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(preflight)),
            )
            .service(
                web::resource("/token/revocation")
                    .wrap(cors())
                    .route(web::post().to(revocation::revoke))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(preflight)),
            )
            .service(
                web::resource("/token/introspection")
                    .route(web::post().to(introspection::introspect)),
            )
            .service(
                web::resource("/session/end")
                    .route(web::get().to(logout::get))
                    .route(web::post().to(logout::post)),
            ),
    );
}
