//! `/api/applications`: the OAuth clients, shaped as Logto's Management API has them. The
//! secret of a confidential application is shown once, in the answer to its creation; only its
//! SHA-256 is kept.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Caller, deleted, invalid, json_object, list_paging, not_found, page, reject_unknown};
use crate::crypto::SigningAlg;
use crate::error::ApiError;
use crate::identity::applications::{
    AppType, Application, NewApplication, Registered, RegistrationError, register,
};
use crate::state::AppState;
use crate::storage::applications as queries;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/applications", web::post().to(create))
        .route("/applications", web::get().to(list))
        .route("/applications/{id}", web::get().to(get))
        .route("/applications/{id}", web::patch().to(update))
        .route("/applications/{id}", web::delete().to(delete));
}

const REDIRECT_URIS: &str = "oidcClientMetadata.redirectUris";
const POST_LOGOUT_REDIRECT_URIS: &str = "oidcClientMetadata.postLogoutRedirectUris";
const ID_TOKEN_ALG: &str = "customClientMetadata.idTokenSignedResponseAlg";

/// Logto's names for the kinds of application; the command line's names are accepted too.
fn parse_type(value: Option<&Value>) -> Result<AppType, ApiError> {
    match value.and_then(Value::as_str) {
        Some("SPA" | "spa") => Ok(AppType::Spa),
        Some("Traditional" | "traditional") => Ok(AppType::Traditional),
        Some("MachineToMachine" | "m2m") => Ok(AppType::M2m),
        None if value.is_none_or(Value::is_null) => Err(invalid("type", "is required")),
        _ => Err(invalid(
            "type",
            "must be one of SPA, Traditional, MachineToMachine",
        )),
    }
}

fn type_name(app_type: AppType) -> &'static str {
    match app_type {
        AppType::Spa => "SPA",
        AppType::Traditional => "Traditional",
        AppType::M2m => "MachineToMachine",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OidcClientMetadata {
    redirect_uris: Vec<String>,
    post_logout_redirect_uris: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CustomClientMetadata {
    id_token_signed_response_alg: &'static str,
}

/// An application as the API shows it; `secret` only in the answer to its creation.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ApplicationView {
    id: String,
    name: String,
    #[serde(rename = "type")]
    app_type: &'static str,
    oidc_client_metadata: OidcClientMetadata,
    custom_client_metadata: CustomClientMetadata,
    is_management_api: bool,
    created_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

impl ApplicationView {
    fn new(app: Application, secret: Option<String>) -> Self {
        Self {
            app_type: type_name(app.app_type),
            oidc_client_metadata: OidcClientMetadata {
                redirect_uris: app.redirect_uris,
                post_logout_redirect_uris: app.post_logout_redirect_uris,
            },
            custom_client_metadata: CustomClientMetadata {
                id_token_signed_response_alg: app.id_token_alg.as_str(),
            },
            id: app.id,
            name: app.name,
            is_management_api: app.management_api,
            created_at: app.created_at,
            secret,
        }
    }
}

const APPLICATION: &str = "application";

/// A nested object such as `oidcClientMetadata`; absent or null is empty.
fn object<'a>(
    body: &'a Map<String, Value>,
    field: &str,
    known: &[&str],
) -> Result<Option<&'a Map<String, Value>>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => {
            reject_unknown(map, known, &format!("{field}."))?;
            Ok(Some(map))
        }
        Some(_) => Err(invalid(field, "must be an object")),
    }
}

fn uri_list(value: &Value, field: &str) -> Result<Vec<String>, ApiError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid(field, "must be a list of URLs"))
            })
            .collect(),
        _ => Err(invalid(field, "must be a list of URLs")),
    }
}

fn name(value: Option<&Value>) -> Result<String, ApiError> {
    match value {
        Some(Value::String(s)) => Ok(s.clone()),
        None | Some(Value::Null) => Err(invalid("name", "is required")),
        Some(_) => Err(invalid("name", "must be a string")),
    }
}

/// The parts of `oidcClientMetadata` and `customClientMetadata` a request sets.
#[derive(Default)]
struct Metadata {
    redirect_uris: Option<Vec<String>>,
    post_logout_redirect_uris: Option<Vec<String>>,
    id_token_alg: Option<SigningAlg>,
}

fn metadata(body: &Map<String, Value>) -> Result<Metadata, ApiError> {
    let mut out = Metadata::default();
    if let Some(oidc) = object(
        body,
        "oidcClientMetadata",
        &["redirectUris", "postLogoutRedirectUris"],
    )? {
        out.redirect_uris = oidc
            .get("redirectUris")
            .map(|v| uri_list(v, REDIRECT_URIS))
            .transpose()?;
        out.post_logout_redirect_uris = oidc
            .get("postLogoutRedirectUris")
            .map(|v| uri_list(v, POST_LOGOUT_REDIRECT_URIS))
            .transpose()?;
    }
    if let Some(custom) = object(body, "customClientMetadata", &["idTokenSignedResponseAlg"])? {
        out.id_token_alg = match custom.get("idTokenSignedResponseAlg") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_str()
                    .and_then(SigningAlg::parse)
                    .ok_or_else(|| invalid(ID_TOKEN_ALG, "must be one of RS256, ES256, EdDSA"))?,
            ),
        };
    }
    Ok(out)
}

/// Names the field a registration rule refers to.
fn registration_error(e: RegistrationError, new_redirect_uris: &[String]) -> ApiError {
    let field = match &e {
        RegistrationError::EmptyName => "name",
        RegistrationError::BadRedirectUri(uri) if !new_redirect_uris.contains(uri) => {
            POST_LOGOUT_REDIRECT_URIS
        }
        RegistrationError::BadRedirectUri(_)
        | RegistrationError::MissingRedirectUri(_)
        | RegistrationError::M2mRedirect => REDIRECT_URIS,
        RegistrationError::ManagementNotM2m => "isManagementApi",
    };
    invalid(field, e)
}

/// Validates through the same rules as `sesame app create`.
fn validate(new: NewApplication, now: i64) -> Result<Registered, ApiError> {
    let redirect_uris = new.redirect_uris.clone();
    register(new, now).map_err(|e| registration_error(e, &redirect_uris))
}

pub async fn create(
    _caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    reject_unknown(
        &body,
        &[
            "name",
            "type",
            "oidcClientMetadata",
            "customClientMetadata",
            "isManagementApi",
        ],
        "",
    )?;
    let name = name(body.get("name"))?;
    let app_type = parse_type(body.get("type"))?;
    let metadata = metadata(&body)?;
    let management_api = match body.get("isManagementApi") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(invalid("isManagementApi", "must be true or false")),
    };
    let registered = validate(
        NewApplication {
            name,
            app_type,
            redirect_uris: metadata.redirect_uris.unwrap_or_default(),
            post_logout_redirect_uris: metadata.post_logout_redirect_uris.unwrap_or_default(),
            id_token_alg: metadata.id_token_alg.unwrap_or(SigningAlg::RS256),
            management_api,
        },
        state.clock.now_ms(),
    )?;
    let (app, origins) = (registered.app.clone(), registered.origins);
    state
        .storage
        .run(move |c| queries::insert_application(c, &app, &origins))
        .await?;
    let secret = registered.secret.map(|s| s.into_inner());
    Ok(HttpResponse::Created().json(ApplicationView::new(registered.app, secret)))
}

pub async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let (offset, limit) = list_paging(&query)?;
    let (apps, total) = state
        .storage
        .run(move |c| queries::list_applications(c, offset, limit))
        .await?;
    Ok(page(
        apps.into_iter()
            .map(|a| ApplicationView::new(a, None))
            .collect(),
        total,
    ))
}

async fn find(state: &AppState, id: String) -> Result<Application, ApiError> {
    state
        .storage
        .run(move |c| queries::find_application(c, &id))
        .await?
        .ok_or_else(|| not_found(APPLICATION))
}

pub async fn get(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let app = find(&state, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::new(app, None)))
}

/// Changes the name, the redirect URIs (each list given replaces the stored one) and the ID
/// token algorithm; the kind, secret and Management API access stay.
pub async fn update(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&body)?;
    reject_unknown(
        &body,
        &["name", "oidcClientMetadata", "customClientMetadata"],
        "",
    )?;
    let new_name = body.get("name").map(|v| name(Some(v))).transpose()?;
    let metadata = metadata(&body)?;
    let current = find(&state, id.into_inner()).await?;
    // The changed application must pass the rules a new one does; `register` also derives the
    // browser origins of a single-page app from its URIs.
    let checked = validate(
        NewApplication {
            name: new_name.unwrap_or_else(|| current.name.clone()),
            app_type: current.app_type,
            redirect_uris: metadata
                .redirect_uris
                .unwrap_or_else(|| current.redirect_uris.clone()),
            post_logout_redirect_uris: metadata
                .post_logout_redirect_uris
                .unwrap_or_else(|| current.post_logout_redirect_uris.clone()),
            id_token_alg: metadata.id_token_alg.unwrap_or(current.id_token_alg),
            management_api: current.management_api,
        },
        state.clock.now_ms(),
    )?;
    let app = Application {
        name: checked.app.name,
        redirect_uris: checked.app.redirect_uris,
        post_logout_redirect_uris: checked.app.post_logout_redirect_uris,
        id_token_alg: checked.app.id_token_alg,
        ..current
    };
    let (saved, origins) = (app.clone(), checked.origins);
    let updated = state
        .storage
        .run(move |c| queries::update_application(c, &saved, &origins))
        .await?;
    state.clients.forget(&app.id);
    if !updated {
        return Err(not_found(APPLICATION));
    }
    Ok(HttpResponse::Ok().json(ApplicationView::new(app, None)))
}

pub async fn delete(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lookup = id.clone();
    let done = state
        .storage
        .run(move |c| queries::delete_application(c, &lookup))
        .await?;
    state.clients.forget(&id);
    deleted(done, APPLICATION)
}
