//! `/api/openapi.json`: the OpenAPI 3.1 description of the Management API, generated from the
//! request and response types and the annotated handlers as they are registered (see
//! `routes` in `mod.rs`), and served publicly.

use std::collections::{BTreeMap, HashSet};

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, Header, ObjectBuilder, Ref, RefOr, Response, ResponseBuilder, Type,
};
use utoipa_actix_web::OpenApiFactory;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiErrorBody, ApiErrorCode};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(openapi_json);
}

/// The document's fixed parts; the paths and their schemas come from the registration.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sesame Management API",
        description = "Manage Sesame, an OpenID Connect provider: one-time tokens (magic \
            links), users, applications, organizations with their members, roles and scopes, \
            and the sign-in experience. Shaped as Logto's Management API.\n\n\
            Bodies are JSON objects with camelCase fields. Errors are `{\"code\", \"message\"}` \
            (see `Error`); an unknown route answers 404 `{\"code\": \"not_found\", \
            \"message\": \"no such route\"}`. Lists take `page` (from 1) and `page_size` (1 to \
            100, default 20) and give the total in the `Total-Number` header. Times are \
            milliseconds since the Unix epoch.\n\n\
            Authentication: a bearer access token (a JWT this issuer signs) for the Management \
            API resource with the `all` scope, obtained with the client credentials grant by a \
            machine-to-machine application registered for the Management API (`sesame app \
            create --type m2m --management-api`): `POST /oidc/token` with \
            `grant_type=client_credentials`, `resource=<public URL>/api` and `scope=all`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "/api")),
    security(("bearerAuth" = [])),
    components(schemas(ApiErrorBody, ApiErrorCode)),
    tags(
        (name = "One-time tokens"),
        (name = "Organizations"),
        (name = "Organization roles"),
        (name = "Organization scopes"),
        (name = "Users"),
        (name = "Applications"),
        (name = "Sign-in experience"),
        (name = "Meta"),
    ),
)]
struct ApiDoc;

/// The operation that needs no token.
const PUBLIC_OPERATION: &str = "getOpenApiDocument";

/// The description of the operations registered on `scope` (its paths are taken out of it).
pub fn build<T>(scope: &utoipa_actix_web::scope::Scope<T>) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.paths = scope.paths();
    let mut schemas = Vec::new();
    scope.schemas(&mut schemas);
    let components = doc.components.get_or_insert_with(Default::default);
    components.schemas.extend(schemas);
    add_shared_components(components);
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            add_error_responses(op);
        }
    }
    doc
}

/// The description of the whole Management API.
pub fn document() -> utoipa::openapi::OpenApi {
    build(&utoipa_actix_web::scope(web::scope("/api")).configure(super::operations))
}

/// The document as served, serialized once per worker, and the routes it documents.
pub struct Document {
    json: web::Bytes,
    /// The documented paths as actix patterns (`/api/users/{id}`).
    pub patterns: HashSet<String>,
}

impl Document {
    pub fn from_scope<T>(scope: &utoipa_actix_web::scope::Scope<T>) -> Self {
        let doc = build(scope);
        let patterns = doc.paths.paths.keys().map(|p| format!("/api{p}")).collect();
        // Serializing our own types cannot fail; an empty body would fail the tests loudly.
        let json = doc.to_json().unwrap_or_default();
        Self {
            json: web::Bytes::from(json),
            patterns,
        }
    }
}

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Error")))
                .build(),
        )
        .build()
}

fn integer_header(description: &str) -> Header {
    let mut header = Header::new(ObjectBuilder::new().schema_type(Type::Integer));
    header.description = Some(description.to_owned());
    header
}

/// The error responses most operations share, the bearer scheme and the headers of lists and
/// rate limits.
fn add_shared_components(components: &mut utoipa::openapi::Components) {
    let responses: BTreeMap<&str, &str> = BTreeMap::from([
        (
            "BadRequest",
            "`invalid_input`: the body or a parameter is not valid; the message starts with the \
             offending field.",
        ),
        (
            "Unauthorized",
            "`unauthorized`: no bearer token, or one that is invalid, expired or not for the \
             Management API.",
        ),
        ("Forbidden", "`forbidden`: the token lacks the `all` scope."),
        ("NotFound", "`not_found`: no resource with this id."),
        (
            "InternalError",
            "`internal_error`: the server could not complete the request.",
        ),
    ]);
    for (name, description) in responses {
        components
            .responses
            .insert(name.to_owned(), RefOr::T(error_response(description)));
    }
    components.security_schemes.insert(
        "bearerAuth".to_owned(),
        RefOr::T(SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "An access token from `POST /oidc/token` (`grant_type=client_credentials`, \
                     `resource=<public URL>/api`, `scope=all`) for an m2m application \
                     registered for the Management API.",
                ))
                .build(),
        )),
    );
    components.headers.insert(
        "Total-Number".to_owned(),
        RefOr::T(integer_header("How many items there are in all.")),
    );
    components.headers.insert(
        "Retry-After".to_owned(),
        RefOr::T(integer_header("Seconds to wait before trying again.")),
    );
}

/// Adds the errors an operation can answer without saying so in its annotation: 401, 403
/// and 500 for every operation but the public one, 400 where it takes a body or query
/// parameters, 404 where its path names a resource.
fn add_error_responses(op: &mut Operation) {
    if op.operation_id.as_deref() == Some(PUBLIC_OPERATION) {
        op.security = Some(Vec::new());
        return;
    }
    let parameters = op.parameters.iter().flatten().filter_map(|p| match p {
        RefOr::T(p) => Some(p.parameter_in.clone()),
        RefOr::Ref(_) => None,
    });
    let (mut query, mut path) = (false, false);
    for place in parameters {
        query |= matches!(place, ParameterIn::Query);
        path |= matches!(place, ParameterIn::Path);
    }
    let mut shared = vec![
        ("401", "Unauthorized"),
        ("403", "Forbidden"),
        ("500", "InternalError"),
    ];
    if query || op.request_body.is_some() {
        shared.push(("400", "BadRequest"));
    }
    if path {
        shared.push(("404", "NotFound"));
    }
    for (status, name) in shared {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    }
}

/// The description of this API (OpenAPI 3.1).
#[utoipa::path(
    operation_id = "getOpenApiDocument",
    tag = "Meta",
    responses(
        (status = 200, description = "This document.", content_type = "application/json",
         body = Object),
    ),
)]
#[get("/openapi.json")]
async fn openapi_json(document: web::Data<Document>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(document.json.clone())
}

#[cfg(test)]
mod tests {
    use super::document;

    #[test]
    fn is_openapi_3_1_with_the_crate_version() {
        let doc = serde_json::to_value(document()).expect("serializes");
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        assert!(doc["paths"]["/openapi.json"]["get"].is_object());
    }
}
