//! Builds the shared state and the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::{DefaultHeaders, Next, from_fn};
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::clock::Clock;
use crate::config::Settings;
use crate::crypto::keys::{KeySet, Keys, generate_key};
use crate::crypto::{KeyError, PasswordHasher, SigningAlg};
use crate::identity::applications::ClientCache;
use crate::state::AppState;
use crate::storage::{DatabaseUrl, Limits, Storage, StorageError, keys as key_queries};

mod first_start;
pub mod metrics;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open the database: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migration failed: {0}")]
    Migrate(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Mail(#[from] crate::mail::MailError),
}

/// How long an application read from the database is trusted before it is read again.
const CLIENT_CACHE_TTL_MS: i64 = 10_000;

/// The longest query string served, in bytes. No request of ours needs more (authorization
/// parameters have their own, smaller caps in `oidc::authorize`); longer ones are refused with
/// 414 before any handler runs.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;

/// Refuses a query string over [`MAX_QUERY_BYTES`] before any work is done on it.
async fn refuse_long_queries(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if req.query_string().len() > MAX_QUERY_BYTES {
        let page = crate::error::PageError::new(
            StatusCode::URI_TOO_LONG,
            "invalid_request",
            "error-cannot-complete-title",
            "error-query-too-long",
        )
        .with_arg("max", MAX_QUERY_BYTES);
        let locale = crate::i18n::choose(None, None, crate::pages::accept_language(req.request()));
        return Ok(req
            .into_response(page.response_in(locale))
            .map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// How long a browser keeps to https once told (`Strict-Transport-Security`): one year.
const HSTS_MAX_AGE_SECS: u32 = 365 * 24 * 3600;

/// The headers every answer carries; behind https, `Strict-Transport-Security` too, so a
/// browser never again reaches Sesame (and its cookies) over plain http.
fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Frame-Options", "DENY"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
        ));
    if https {
        headers.add((
            "Strict-Transport-Security",
            format!("max-age={HSTS_MAX_AGE_SECS}"),
        ))
    } else {
        headers
    }
}

/// Opens the database and applies pending migrations.
pub fn open_storage(settings: &Settings) -> Result<Storage, StartupError> {
    let url = DatabaseUrl::parse(&settings.database_url);
    let limits = Limits {
        pool_size: settings.db_pool_size,
        timeout: settings.db_timeout(),
        queue: settings.db_queue_size,
    };
    let storage = Storage::connect(&url, limits)?;
    let applied = storage
        .migrate()
        .map_err(|e| StartupError::Migrate(e.to_string()))?;
    if applied > 0 {
        tracing::info!(applied, "database migrated");
    }
    Ok(storage)
}

/// Generates a key for every algorithm that has none yet (first start).
pub fn ensure_signing_keys(storage: &Storage, now: i64) -> Result<(), StartupError> {
    for alg in SigningAlg::ALL {
        let active = storage.run_blocking(|c| key_queries::count_active_keys(c, alg.as_str()))?;
        if active == 0 {
            let key = generate_key(alg, now)?;
            storage.run_blocking(|c| key_queries::rotate_key(c, &key, now))?;
            tracing::info!(alg = alg.as_str(), kid = %key.kid, "generated signing key");
        }
    }
    Ok(())
}

pub fn load_key_set(
    storage: &Storage,
    settings: &Settings,
    now: i64,
) -> Result<KeySet, StartupError> {
    let retired_after = now - settings.key_rotation_grace().num_milliseconds();
    let stored = storage.run_blocking(|c| key_queries::list_publishable_keys(c, retired_after))?;
    Ok(KeySet::from_stored(&stored)?)
}

/// A built server and the port it listens on (tests bind port 0 and read it back).
pub struct Application {
    pub port: u16,
    /// The port `/metrics` is served on alone, when `metrics_bind` is set.
    pub metrics_port: Option<u16>,
    pub server: Server,
    pub state: web::Data<AppState>,
    /// The mail sender: stop it once the server has stopped, before the database closes.
    pub mail: crate::mail::Running,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let listener = TcpListener::bind(&settings.bind)?;
        Self::build_with_listener(settings, listener).await
    }

    pub async fn build_with_listener(
        settings: Settings,
        listener: TcpListener,
    ) -> Result<Self, StartupError> {
        let port = listener.local_addr()?.port();
        crate::telemetry::metrics::install();
        let metrics_listener = match settings.metrics_bind.as_str() {
            "" => None,
            address => Some(TcpListener::bind(address)?),
        };
        let metrics_address = match &metrics_listener {
            Some(l) => Some(metrics::MetricsListener(l.local_addr()?)),
            None => None,
        };
        let (settings, public_url) = settings.with_public_url_for(listener.local_addr()?);
        first_start::log_public_url(&settings, public_url);
        let clock = Arc::new(Clock::system());
        let prepared = {
            let (settings, now) = (settings.clone(), clock.now_ms());
            web::block(move || -> Result<_, StartupError> {
                let storage = open_storage(&settings)?;
                let first = first_start::is_first_start(&storage)?;
                ensure_signing_keys(&storage, now)?;
                let keys = load_key_set(&storage, &settings, now)?;
                let templates = crate::mail::load_templates(&settings)?;
                Ok((storage, keys, first, templates))
            })
            .await
            .map_err(|e| StartupError::Migrate(e.to_string()))??
        };
        let (storage, key_set, first, templates) = prepared;
        if first {
            first_start::log_hints(&settings);
        }
        let issuer = settings.issuer();
        let discovery = crate::oidc::discovery::document(&settings)?;
        let state = web::Data::new(AppState {
            settings: settings.clone(),
            storage,
            keys: Keys::new(key_set),
            clients: ClientCache::new(CLIENT_CACHE_TTL_MS),
            issuer,
            discovery,
            clock,
            passwords: PasswordHasher::new(
                threads_or_cores(settings.password_hashing_threads),
                settings.password_hashing_queue,
            ),
            mail_queued: Arc::new(tokio::sync::Notify::new()),
        });
        spawn_key_refresh(state.clone());
        crate::cleanup::spawn(state.storage.clone(), settings.clone(), state.clock.clone());
        let mail = crate::mail::spawn(
            state.storage.clone(),
            &settings,
            state.clock.clone(),
            templates,
            state.mail_queued.clone(),
        )?;

        let workers = threads_or_cores(settings.workers);
        let app_state = state.clone();
        let https = settings.is_https();
        let server = HttpServer::new(move || {
            let app = App::new()
                .app_data(app_state.clone())
                .app_data(
                    web::FormConfig::default()
                        .limit(crate::interaction::MAX_FORM_BYTES)
                        .error_handler(|e, _| crate::interaction::unreadable_form(e).into()),
                )
                .app_data(web::QueryConfig::default().error_handler(|e, _| {
                    crate::error::ApiError::new(
                        actix_web::http::StatusCode::BAD_REQUEST,
                        crate::error::ApiErrorCode::InvalidInput,
                        e.to_string(),
                    )
                    .into()
                }))
                .app_data(web::JsonConfig::default().limit(256 * 1024))
                .wrap(from_fn(crate::pages::localize_errors))
                .wrap(from_fn(refuse_long_queries))
                .wrap(security_headers(https))
                .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
                .wrap(from_fn(crate::telemetry::metrics::record_request))
                .wrap(from_fn(metrics::metrics_listener_serves_only_metrics))
                // Before the `/oidc` scope, which would otherwise take `/oidc/auth`.
                .configure(crate::interaction::authorization_endpoint)
                .configure(crate::oidc::routes)
                .configure(crate::interaction::routes)
                .configure(crate::management::routes)
                .route("/health", web::get().to(crate::health::health));
            match metrics_address {
                Some(address) => app.app_data(address),
                None => app.route(metrics::PATH, web::get().to(metrics::metrics)),
            }
        })
        .workers(workers)
        // SIGTERM: stop accepting, let in-flight requests finish (up to this), then stop.
        .shutdown_timeout(settings.shutdown_timeout().num_seconds().unsigned_abs())
        .listen(listener)?;
        let server = match metrics_listener {
            Some(l) => server.listen(l)?,
            None => server,
        }
        .run();
        Ok(Self {
            port,
            metrics_port: metrics_address.map(|a| a.0.port()),
            server,
            state,
            mail,
        })
    }
}

/// A configured thread count; 0 means one per core.
fn threads_or_cores(configured: usize) -> usize {
    if configured == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        configured
    }
}

/// Picks up keys rotated by another process (`sesame keys rotate`) without a restart.
fn spawn_key_refresh(state: web::Data<AppState>) {
    actix_web::rt::spawn(async move {
        let mut interval = actix_web::rt::time::interval(Duration::from_secs(30));
        interval.tick().await;
        loop {
            interval.tick().await;
            let storage = state.storage.clone();
            let (settings, now) = (state.settings.clone(), state.clock.now_ms());
            match web::block(move || load_key_set(&storage, &settings, now)).await {
                Ok(Ok(set)) => state.keys.replace(set),
                Ok(Err(e)) => tracing::warn!(error = %e, "key refresh failed"),
                Err(e) => tracing::warn!(error = %e, "key refresh failed"),
            }
        }
    });
}
