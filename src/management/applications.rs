//! `/api/applications`: the OAuth clients, shaped as Logto's Management API has them. The
//! secret of a confidential application is shown once, in the answer to its creation; only its
//! SHA-256 is kept.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::{self, de};
use super::{Caller, PageQuery, deleted, invalid, not_found, page, paging};
use crate::crypto::SigningAlg;
use crate::error::ApiError;
use crate::identity::applications::{
    AppType, Application, NewApplication, Registered, RegistrationError, register,
};
use crate::state::AppState;
use crate::storage::applications as queries;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(get_one)
        .service(update)
        .service(delete_one);
}

const TAG: &str = "Applications";
const REDIRECT_URIS: &str = "oidcClientMetadata.redirectUris";
const POST_LOGOUT_REDIRECT_URIS: &str = "oidcClientMetadata.postLogoutRedirectUris";

/// Logto's names for the kinds of application (`spa`, `traditional` and `m2m` are accepted too).
#[derive(Clone, Copy, Serialize, ToSchema)]
enum ApplicationType {
    #[serde(rename = "SPA")]
    Spa,
    Traditional,
    MachineToMachine,
}

impl From<AppType> for ApplicationType {
    fn from(app_type: AppType) -> Self {
        match app_type {
            AppType::Spa => Self::Spa,
            AppType::Traditional => Self::Traditional,
            AppType::M2m => Self::MachineToMachine,
        }
    }
}

/// `type`: Logto's names, or the command line's.
fn app_type<'de, D: serde::Deserializer<'de>>(d: D) -> Result<AppType, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Err(serde::de::Error::custom("is required")),
        Value::String(s) if matches!(s.as_str(), "SPA" | "spa") => Ok(AppType::Spa),
        Value::String(s) if matches!(s.as_str(), "Traditional" | "traditional") => {
            Ok(AppType::Traditional)
        }
        Value::String(s) if matches!(s.as_str(), "MachineToMachine" | "m2m") => Ok(AppType::M2m),
        _ => Err(serde::de::Error::custom(
            "must be one of SPA, Traditional, MachineToMachine",
        )),
    }
}

/// The algorithm of the application's ID tokens.
#[derive(ToSchema)]
#[allow(dead_code, clippy::upper_case_acronyms)] // Documentation only: see `SigningAlg`.
enum IdTokenAlg {
    RS256,
    ES256,
    EdDSA,
}

/// `idTokenSignedResponseAlg`: null is `None`.
fn id_token_alg<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<SigningAlg>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        value => value
            .as_str()
            .and_then(SigningAlg::parse)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("must be one of RS256, ES256, EdDSA")),
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct OidcClientMetadata {
    redirect_uris: Vec<String>,
    post_logout_redirect_uris: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CustomClientMetadata {
    #[schema(value_type = IdTokenAlg)]
    id_token_signed_response_alg: &'static str,
}

/// An application as the API shows it; `secret` only in the answer to its creation.
#[derive(Serialize, ToSchema)]
#[schema(as = Application)]
#[serde(rename_all = "camelCase")]
struct ApplicationView {
    id: String,
    name: String,
    #[serde(rename = "type")]
    app_type: ApplicationType,
    oidc_client_metadata: OidcClientMetadata,
    custom_client_metadata: CustomClientMetadata,
    /// Whether the application may call this API.
    is_management_api: bool,
    /// Whether the application may introspect the tokens of every application; any other
    /// application learns only of its own tokens.
    is_introspector: bool,
    /// Landing pages Sesame may mail magic links to (`send` of a one-time token).
    landing_uris: Vec<String>,
    /// Milliseconds since the Unix epoch.
    created_at: i64,
    /// The client secret of a Traditional or MachineToMachine application, shown only when it
    /// is created.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

impl ApplicationView {
    fn new(app: Application, secret: Option<String>) -> Self {
        Self {
            app_type: app.app_type.into(),
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
            is_introspector: app.introspection,
            landing_uris: app.landing_uris,
            created_at: app.created_at,
            secret,
        }
    }
}

/// `oidcClientMetadata` in a request: each list given replaces the stored one (null: empty).
#[derive(Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OidcMetadataInput {
    #[serde(default, deserialize_with = "de::uri_list")]
    #[schema(value_type = Option<Vec<String>>)]
    redirect_uris: Option<Vec<String>>,
    #[serde(default, deserialize_with = "de::uri_list")]
    #[schema(value_type = Option<Vec<String>>)]
    post_logout_redirect_uris: Option<Vec<String>>,
}

/// `customClientMetadata` in a request.
#[derive(Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CustomMetadataInput {
    /// Absent or null: RS256 for a new application, unchanged for an existing one.
    #[serde(default, deserialize_with = "id_token_alg")]
    #[schema(value_type = Option<IdTokenAlg>)]
    id_token_signed_response_alg: Option<SigningAlg>,
}

/// A new application, checked by the rules of `sesame app create`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "name": "Portal",
    "type": "Traditional",
    "oidcClientMetadata": {
        "redirectUris": ["https://portal.example.com/callback"],
        "postLogoutRedirectUris": []
    },
    "customClientMetadata": {"idTokenSignedResponseAlg": "ES256"}
}))]
pub(super) struct CreateApplication {
    #[serde(deserialize_with = "de::string")]
    name: String,
    #[serde(rename = "type", deserialize_with = "app_type")]
    #[schema(value_type = ApplicationType)]
    app_type: AppType,
    #[serde(default, deserialize_with = "de::object")]
    oidc_client_metadata: Option<OidcMetadataInput>,
    #[serde(default, deserialize_with = "de::object")]
    custom_client_metadata: Option<CustomMetadataInput>,
    /// Only a MachineToMachine application may call this API.
    #[serde(default, deserialize_with = "de::optional_flag")]
    is_management_api: Option<bool>,
    /// Lets a Traditional or MachineToMachine application (a resource server) introspect the
    /// tokens of every application, not only its own.
    #[serde(default, deserialize_with = "de::optional_flag")]
    is_introspector: Option<bool>,
    /// Exact http(s) URLs without query or fragment of the pages Sesame may mail magic links
    /// to (`send` of a one-time token); absent or null: none.
    #[serde(default, deserialize_with = "de::uri_list")]
    #[schema(value_type = Option<Vec<String>>)]
    landing_uris: Option<Vec<String>>,
}

/// Changes to an application; its kind, secret, Management API access and introspection
/// permission stay.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"name": "Portal (renamed)"}))]
pub(super) struct UpdateApplication {
    #[serde(default, deserialize_with = "de::some_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "de::object")]
    oidc_client_metadata: Option<OidcMetadataInput>,
    #[serde(default, deserialize_with = "de::object")]
    custom_client_metadata: Option<CustomMetadataInput>,
    /// Replaces the landing pages (null: none); absent: unchanged.
    #[serde(default, deserialize_with = "de::uri_list")]
    #[schema(value_type = Option<Vec<String>>)]
    landing_uris: Option<Vec<String>>,
}

const APPLICATION: &str = "application";

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
        RegistrationError::IntrospectionNotConfidential => "isIntrospector",
        RegistrationError::BadLandingUri(_) => "landingUris",
    };
    invalid(field, e)
}

/// Validates through the same rules as `sesame app create`.
fn validate(new: NewApplication, now: i64) -> Result<Registered, ApiError> {
    let redirect_uris = new.redirect_uris.clone();
    register(new, now).map_err(|e| registration_error(e, &redirect_uris))
}

/// The application a creation asks for, checked and given its id and secret.
pub(super) fn registration(request: CreateApplication, now: i64) -> Result<Registered, ApiError> {
    let oidc = request.oidc_client_metadata.unwrap_or_default();
    let custom = request.custom_client_metadata.unwrap_or_default();
    validate(
        NewApplication {
            name: request.name,
            app_type: request.app_type,
            redirect_uris: oidc.redirect_uris.unwrap_or_default(),
            post_logout_redirect_uris: oidc.post_logout_redirect_uris.unwrap_or_default(),
            landing_uris: request.landing_uris.unwrap_or_default(),
            id_token_alg: custom
                .id_token_signed_response_alg
                .unwrap_or(SigningAlg::RS256),
            management_api: request.is_management_api.unwrap_or(false),
            introspection: request.is_introspector.unwrap_or(false),
        },
        now,
    )
}

/// Create an application
#[utoipa::path(
    operation_id = "createApplication",
    tag = TAG,
    request_body = CreateApplication,
    responses(
        (status = 201, description = "The application, with its `secret` (shown only now) \
         unless it is a SPA.", body = ApplicationView),
    ),
)]
#[post("/applications")]
async fn create(
    _caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: CreateApplication = body::parse(&body)?;
    let registered = registration(request, state.clock.now_ms())?;
    let (app, origins) = (registered.app.clone(), registered.origins);
    state
        .storage
        .run(move |c| queries::insert_application(c, &app, &origins))
        .await?;
    let secret = registered.secret.map(|s| s.into_inner());
    Ok(HttpResponse::Created().json(ApplicationView::new(registered.app, secret)))
}

/// List applications
#[utoipa::path(
    operation_id = "listApplications",
    tag = TAG,
    params(PageQuery),
    responses(
        (status = 200, description = "A page of applications (without secrets).",
         body = Vec<ApplicationView>,
         headers(("Total-Number" = i64, description = "How many applications there are."))),
    ),
)]
#[get("/applications")]
async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (offset, limit) = paging(query.page.as_deref(), query.page_size.as_deref())?;
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

/// Get an application
#[utoipa::path(
    operation_id = "getApplication",
    tag = TAG,
    params(("id" = String, Path, description = "The application's id (its client id).")),
    responses((status = 200, description = "The application.", body = ApplicationView)),
)]
#[get("/applications/{id}")]
async fn get_one(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let app = find(&state, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::new(app, None)))
}

/// The application `current` with the changes of `request`, checked as a new one is; also
/// its browser origins, which `register` derives from the URIs of a single-page app.
pub(super) fn changed(
    current: Application,
    request: UpdateApplication,
    now: i64,
) -> Result<(Application, Vec<String>), ApiError> {
    let oidc = request.oidc_client_metadata.unwrap_or_default();
    let custom = request.custom_client_metadata.unwrap_or_default();
    let checked = validate(
        NewApplication {
            name: request.name.unwrap_or_else(|| current.name.clone()),
            app_type: current.app_type,
            redirect_uris: oidc
                .redirect_uris
                .unwrap_or_else(|| current.redirect_uris.clone()),
            post_logout_redirect_uris: oidc
                .post_logout_redirect_uris
                .unwrap_or_else(|| current.post_logout_redirect_uris.clone()),
            landing_uris: request
                .landing_uris
                .unwrap_or_else(|| current.landing_uris.clone()),
            id_token_alg: custom
                .id_token_signed_response_alg
                .unwrap_or(current.id_token_alg),
            management_api: current.management_api,
            introspection: current.introspection,
        },
        now,
    )?;
    let app = Application {
        name: checked.app.name,
        redirect_uris: checked.app.redirect_uris,
        post_logout_redirect_uris: checked.app.post_logout_redirect_uris,
        landing_uris: checked.app.landing_uris,
        id_token_alg: checked.app.id_token_alg,
        ..current
    };
    Ok((app, checked.origins))
}

/// Change an application
///
/// Changes the name, the redirect and landing URIs (each list given replaces the stored one)
/// and the ID token algorithm; the kind, secret, Management API access and introspection permission stay.
#[utoipa::path(
    operation_id = "updateApplication",
    tag = TAG,
    params(("id" = String, Path, description = "The application's id (its client id).")),
    request_body = UpdateApplication,
    responses((status = 200, description = "The changed application.", body = ApplicationView)),
)]
#[patch("/applications/{id}")]
async fn update(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: UpdateApplication = body::parse(&body)?;
    let current = find(&state, id.into_inner()).await?;
    let (app, origins) = changed(current, request, state.clock.now_ms())?;
    let saved = app.clone();
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

/// Delete an application
///
/// Its tokens stop working for the Management API at once (within the client cache's
/// lifetime on other instances).
#[utoipa::path(
    operation_id = "deleteApplication",
    tag = TAG,
    params(("id" = String, Path, description = "The application's id (its client id).")),
    responses((status = 204, description = "Deleted.")),
)]
#[delete("/applications/{id}")]
async fn delete_one(
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
