//! The `sesame` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use sesame::clock::Clock;
use sesame::config::Settings;
use sesame::crypto::keys::generate_key;
use sesame::crypto::{Secret, SigningAlg};
use sesame::identity::applications::{AppType, NewApplication, register};
use sesame::identity::{Email, NewUser, SignInExperience, users};
use sesame::startup::{Application, open_storage};
use sesame::storage::{applications, keys as key_queries};

#[derive(Parser)]
#[command(
    name = "sesame",
    version,
    about = "An OpenID Connect provider with magic links"
)]
struct Cli {
    /// A TOML configuration file (defaults < file < SESAME_* environment < flags).
    #[arg(long, global = true, env = "SESAME_CONFIG")]
    config: Option<PathBuf>,
    /// `postgres://...`, or a SQLite file (default: sesame.db in the working directory).
    #[arg(long, global = true, env = "DATABASE_URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP (migrates the database and creates signing keys on first start).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Delete expired and finished rows once (as `serve` does every `cleanup_interval_secs`);
    /// prints the rows removed per table as JSON.
    Cleanup,
    /// Manage applications (OAuth clients).
    #[command(subcommand)]
    App(AppCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SESAME_BIND")]
    bind: Option<String>,
    /// The public base URL; the issuer is `<public-url>/oidc` (default: http:// and the address
    /// listened on, 127.0.0.1 for 0.0.0.0).
    #[arg(long, env = "SESAME_PUBLIC_URL")]
    public_url: Option<String>,
    /// Serve `GET /metrics` (Prometheus) only on this address, not on `--bind` (default: on
    /// `--bind`). Keep it private.
    #[arg(long, env = "SESAME_METRICS_BIND")]
    metrics_bind: Option<String>,
    /// Send mail over SMTP: `smtp://host:port` (plain), `smtp://host:port?tls=required`
    /// (STARTTLS), `smtps://host:port` (implicit TLS), credentials as `smtp://user:pass@host`
    /// or in `smtp_password`. Default: none, mails are written as .eml files to --mail-dir.
    #[arg(long, env = "SESAME_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of Sesame's mails, `Name <address>` or an address.
    #[arg(long, env = "SESAME_MAIL_FROM")]
    mail_from: Option<String>,
    /// Where mails are written as .eml files when no SMTP server is set (default: ./mail).
    #[arg(long, env = "SESAME_MAIL_DIR")]
    mail_dir: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum AppKind {
    Spa,
    Traditional,
    M2m,
}

#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "verbatim")]
enum Alg {
    RS256,
    ES256,
    EdDSA,
}

impl From<Alg> for SigningAlg {
    fn from(a: Alg) -> Self {
        match a {
            Alg::RS256 => SigningAlg::RS256,
            Alg::ES256 => SigningAlg::ES256,
            Alg::EdDSA => SigningAlg::EdDSA,
        }
    }
}

#[derive(Subcommand)]
enum AppCommand {
    /// Register an application; prints {"id", "secret"} (the secret is shown only once).
    Create(AppCreateArgs),
}

#[derive(Args)]
struct AppCreateArgs {
    #[arg(long)]
    name: String,
    #[arg(long = "type", value_enum)]
    app_type: AppKind,
    /// An exact redirect URI (repeatable).
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// An exact post-logout redirect URI (repeatable).
    #[arg(long = "post-logout-redirect-uri")]
    post_logout_redirect_uris: Vec<String>,
    /// A landing page Sesame may mail magic links to (`send` of a one-time token): an exact
    /// http(s) URL without query or fragment (repeatable).
    #[arg(long = "landing-uri")]
    landing_uris: Vec<String>,
    /// ID token signing algorithm.
    #[arg(long, value_enum, default_value = "RS256")]
    id_token_alg: Alg,
    /// Let this m2m application obtain Management API tokens.
    #[arg(long)]
    management_api: bool,
    /// Let this confidential application introspect the tokens of every application, not only
    /// its own (a resource server).
    #[arg(long)]
    introspection: bool,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; prints the user as JSON.
    Create(UserCreateArgs),
}

#[derive(Args)]
struct UserCreateArgs {
    #[arg(long)]
    email: String,
    #[arg(long)]
    password: Option<String>,
    #[arg(long)]
    name: Option<String>,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Replace the active signing key of an algorithm; the old one stays published for the
    /// grace period so tokens it signed still verify.
    Rotate {
        #[arg(long, value_enum, default_value = "RS256")]
        alg: Alg,
    },
}

fn main() -> ExitCode {
    sesame::telemetry::init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type AnyError = Box<dyn std::error::Error>;

fn run(cli: Cli) -> Result<(), AnyError> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    if let Some(url) = cli.database_url {
        settings.database_url = url;
    }
    match cli.command {
        Command::Serve(args) => serve_command(settings, args),
        Command::Migrate => migrate(&settings),
        Command::Cleanup => cleanup(&settings),
        Command::App(AppCommand::Create(args)) => create_app(&settings, args),
        Command::User(UserCommand::Create(args)) => create_user(&settings, args),
        Command::Keys(KeysCommand::Rotate { alg }) => rotate_key(&settings, alg),
    }
}

fn serve_command(mut settings: Settings, args: ServeArgs) -> Result<(), AnyError> {
    if let Some(bind) = args.bind {
        settings.bind = bind;
    }
    if let Some(url) = args.public_url {
        settings.public_url = url;
    }
    if let Some(address) = args.metrics_bind {
        settings.metrics_bind = address;
    }
    if let Some(url) = args.smtp_url {
        settings.smtp_url = sesame::config::Redacted::new(url);
    }
    if let Some(from) = args.mail_from {
        settings.mail_from = from;
    }
    if let Some(dir) = args.mail_dir {
        settings.mail_dir = dir;
    }
    serve(settings.validated()?)
}

fn migrate(settings: &Settings) -> Result<(), AnyError> {
    open_storage(settings)?;
    println!("database is up to date");
    Ok(())
}

fn cleanup(settings: &Settings) -> Result<(), AnyError> {
    let storage = open_storage(settings)?;
    let cutoffs = sesame::cleanup::cutoffs(settings, Clock::system().now_ms());
    match storage.run_blocking(|c| sesame::storage::cleanup::run_pass(c, &cutoffs, |_| ()))? {
        Some(removed) => {
            println!("{}", serde_json::to_string(&removed)?);
            Ok(())
        }
        None => Err("another instance is cleaning up right now; try again later".into()),
    }
}

fn create_app(settings: &Settings, args: AppCreateArgs) -> Result<(), AnyError> {
    let storage = open_storage(settings)?;
    let registered = register(
        NewApplication {
            name: args.name,
            app_type: match args.app_type {
                AppKind::Spa => AppType::Spa,
                AppKind::Traditional => AppType::Traditional,
                AppKind::M2m => AppType::M2m,
            },
            redirect_uris: args.redirect_uris,
            post_logout_redirect_uris: args.post_logout_redirect_uris,
            landing_uris: args.landing_uris,
            id_token_alg: args.id_token_alg.into(),
            management_api: args.management_api,
            introspection: args.introspection,
        },
        Clock::system().now_ms(),
    )?;
    storage.run_blocking(|c| {
        applications::insert_application(c, &registered.app, &registered.origins)
    })?;
    let mut out = serde_json::json!({ "id": registered.app.id });
    if let Some(secret) = registered.secret {
        out["secret"] = secret.into_inner().into();
    }
    println!("{out}");
    Ok(())
}

fn create_user(settings: &Settings, args: UserCreateArgs) -> Result<(), AnyError> {
    let storage = open_storage(settings)?;
    let email = Email::parse(&args.email)?;
    if let Some(p) = &args.password {
        let experience = storage.run_blocking(|c| SignInExperience::load_on(c, settings))?;
        experience.check_password(p).map_err(|e| e.to_string())?;
    }
    let user = users::create_user_blocking(
        &storage,
        NewUser {
            email,
            password: args.password.map(Secret::new),
            name: args.name,
            email_verified: true,
            locale: None,
        },
        Clock::system().now_ms(),
    )?;
    println!("{}", serde_json::to_string(&user)?);
    Ok(())
}

fn rotate_key(settings: &Settings, alg: Alg) -> Result<(), AnyError> {
    let storage = open_storage(settings)?;
    let now = Clock::system().now_ms();
    let key = generate_key(alg.into(), now)?;
    storage.run_blocking(|c| key_queries::rotate_key(c, &key, now))?;
    println!("{}", serde_json::json!({ "kid": key.kid, "alg": key.alg }));
    Ok(())
}

fn serve(settings: Settings) -> Result<(), AnyError> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings.clone()).await?;
        // The port is logged on its own so `--bind 127.0.0.1:0` can be used (tests, supervisors).
        tracing::info!(bind = %settings.bind, port = app.port, issuer = %app.state.issuer, "sesame is serving");
        if let Some(port) = app.metrics_port {
            tracing::info!(metrics_bind = %settings.metrics_bind, metrics_port = port, "metrics are served there only");
        }
        // Ends on SIGTERM once in-flight requests are answered (`shutdown_timeout_secs`).
        app.server.await?;
        app.mail.stop().await;
        app.state.storage.close();
        tracing::info!("sesame stopped");
        Ok(())
    })
}
