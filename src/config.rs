//! Settings: defaults < file (`--config`, TOML) < environment (`SESAME_<FIELD>`) < flags.

use std::path::Path;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP server listens on.
    pub bind: String,
    /// The URL browsers and clients use to reach Sesame; the issuer is `<public_url>/oidc`.
    pub public_url: String,
    /// `postgres://...` or a SQLite file (`sqlite://path` or a path).
    pub database_url: String,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    pub db_pool_size: u32,
    /// The longest a request waits for the database (queue, connection, lock) before it is
    /// answered 503 with `Retry-After`.
    pub db_timeout_ms: u64,
    /// Database work that may wait for a connection; beyond it requests are answered 503 at once.
    pub db_queue_size: usize,
    /// On SIGTERM, how long in-flight requests may take to finish before the server stops.
    pub shutdown_timeout_secs: i64,
    /// Whether the hosted registration page is open to everyone.
    pub sign_up_enabled: bool,
    pub access_token_ttl_secs: i64,
    pub id_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    pub authorization_code_ttl_secs: i64,
    pub session_ttl_secs: i64,
    pub interaction_ttl_secs: i64,
    /// How long a rotated-out signing key stays in the JWKS so tokens it signed still verify.
    pub key_rotation_grace_secs: i64,
    /// Failed sign-ins allowed per account, and per client IP, in one window.
    pub sign_in_failures_per_account: i32,
    pub sign_in_failures_per_ip: i32,
    pub sign_in_failure_window_secs: i64,
    pub password_min_length: usize,
    /// What registration through a magic link asks for besides the (proven) email.
    pub sign_up_require_password: bool,
    pub sign_up_require_name: bool,
    /// Default and maximum lifetime of a one-time token, in seconds.
    pub one_time_token_expires_in_secs: i64,
    pub one_time_token_max_expires_in_secs: i64,
    /// One-time tokens that may be created per email, and per calling application, per hour.
    pub one_time_tokens_per_email_per_hour: i32,
    pub one_time_tokens_per_application_per_hour: i32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:3000".into(),
            public_url: "http://127.0.0.1:3000".into(),
            database_url: "sqlite://sesame.db".into(),
            workers: 0,
            db_pool_size: 16,
            db_timeout_ms: 2000,
            db_queue_size: 1024,
            shutdown_timeout_secs: 30,
            sign_up_enabled: true,
            access_token_ttl_secs: 3600,
            id_token_ttl_secs: 3600,
            refresh_token_ttl_secs: 14 * 24 * 3600,
            authorization_code_ttl_secs: 60,
            session_ttl_secs: 14 * 24 * 3600,
            interaction_ttl_secs: 3600,
            key_rotation_grace_secs: 7 * 24 * 3600,
            sign_in_failures_per_account: 5,
            sign_in_failures_per_ip: 50,
            sign_in_failure_window_secs: 900,
            password_min_length: 8,
            sign_up_require_password: false,
            sign_up_require_name: false,
            one_time_token_expires_in_secs: 600,
            one_time_token_max_expires_in_secs: 30 * 24 * 3600,
            one_time_tokens_per_email_per_hour: 10,
            one_time_tokens_per_application_per_hour: 1000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Invalid(#[from] toml::de::Error),
    #[error("invalid configuration: {0}")]
    Defaults(#[from] toml::ser::Error),
    #[error(
        "invalid public URL {0:?}: it must be an absolute http(s) URL without query or fragment"
    )]
    PublicUrl(String),
    #[error("invalid {field} = {value}: a duration in seconds from 0 to {MAX_DURATION_SECS}")]
    Duration { field: &'static str, value: i64 },
    #[error("invalid {field} = {value}: from {min} to {max}")]
    Range {
        field: &'static str,
        value: u64,
        min: u64,
        max: u64,
    },
}

/// The longest duration a setting may hold: 100 years, so that `now + duration` in epoch
/// milliseconds can never overflow.
pub const MAX_DURATION_SECS: i64 = 100 * 366 * 24 * 3600;

/// Typed accessors for the `*_secs` fields, plus the list `validated` checks. The fields keep
/// their names (and so the file keys, `SESAME_*` variables and flags); code reads the accessor.
macro_rules! durations {
    ($($(#[$doc:meta])* $name:ident => $field:ident,)*) => {
        impl Settings {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> TimeDelta {
                    seconds(self.$field)
                }
            )*

            fn duration_fields(&self) -> Vec<(&'static str, i64)> {
                vec![$((stringify!($field), self.$field)),*]
            }
        }
    };
}

durations! {
    /// Lifetime of an access token (`exp - iat`, `expires_in`).
    access_token_ttl => access_token_ttl_secs,
    /// Lifetime of an ID token.
    id_token_ttl => id_token_ttl_secs,
    refresh_token_ttl => refresh_token_ttl_secs,
    authorization_code_ttl => authorization_code_ttl_secs,
    /// Lifetime of a sign-in session (and of its cookie).
    session_ttl => session_ttl_secs,
    interaction_ttl => interaction_ttl_secs,
    /// How long a rotated-out signing key stays published.
    key_rotation_grace => key_rotation_grace_secs,
    /// The window in which failed sign-ins are counted.
    sign_in_failure_window => sign_in_failure_window_secs,
    /// Default lifetime of a one-time token.
    one_time_token_expires_in => one_time_token_expires_in_secs,
    /// Longest lifetime a caller may ask for a one-time token.
    one_time_token_max_expires_in => one_time_token_max_expires_in_secs,
    /// How long in-flight requests may take to finish on SIGTERM.
    shutdown_timeout => shutdown_timeout_secs,
}

/// `secs` as a duration; `validated` keeps settings within range, and anything else saturates
/// instead of panicking.
fn seconds(secs: i64) -> TimeDelta {
    TimeDelta::try_seconds(secs.clamp(0, MAX_DURATION_SECS)).unwrap_or(TimeDelta::zero())
}

impl Settings {
    /// Loads defaults, then the file, then `SESAME_*` environment variables.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                text.parse::<toml::Table>()?
            }
            None => toml::Table::new(),
        };
        let known = toml::Table::try_from(Settings::default())?;
        for (name, value) in std::env::vars() {
            if let Some(field) = name.strip_prefix("SESAME_") {
                let field = field.to_ascii_lowercase();
                if known.contains_key(&field) {
                    table.insert(field, scalar(&value));
                }
            }
        }
        let settings: Settings = toml::Value::Table(table).try_into()?;
        settings.validated()
    }

    /// Checks what cannot be expressed in types; call again after flags override fields.
    pub fn validated(mut self) -> Result<Self, ConfigError> {
        self.public_url = self.public_url.trim_end_matches('/').to_owned();
        match url::Url::parse(&self.public_url) {
            Ok(u)
                if (u.scheme() == "http" || u.scheme() == "https")
                    && u.query().is_none()
                    && u.fragment().is_none() => {}
            _ => return Err(ConfigError::PublicUrl(self.public_url)),
        }
        for (field, value) in self.duration_fields() {
            if !(0..=MAX_DURATION_SECS).contains(&value) {
                return Err(ConfigError::Duration { field, value });
            }
        }
        for (field, value, min, max) in [
            ("db_timeout_ms", self.db_timeout_ms, 100, 600_000),
            ("db_queue_size", self.db_queue_size as u64, 1, 1_000_000),
        ] {
            if !(min..=max).contains(&value) {
                return Err(ConfigError::Range {
                    field,
                    value,
                    min,
                    max,
                });
            }
        }
        Ok(self)
    }

    pub fn issuer(&self) -> String {
        format!("{}/oidc", self.public_url)
    }

    /// The resource indicator of the Management API (RFC 8707).
    pub fn management_api_resource(&self) -> String {
        format!("{}/api", self.public_url)
    }

    /// How the database is used (see `storage::Limits`).
    pub fn db_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.db_timeout_ms)
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Environment values are strings; read booleans and integers as such so `SESAME_WORKERS=4` works.
fn scalar(value: &str) -> toml::Value {
    if let Ok(b) = value.parse::<bool>() {
        toml::Value::Boolean(b)
    } else if let Ok(i) = value.parse::<i64>() {
        toml::Value::Integer(i)
    } else {
        toml::Value::String(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_overrides_defaults_and_unknown_fields_are_refused() {
        let dir = std::env::temp_dir().join(format!("sesame-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("sesame.toml");
        std::fs::write(&file, "workers = 3\npublic_url = \"https://id.example/\"\n")
            .expect("write");
        let settings = Settings::load(Some(&file)).expect("valid file");
        assert_eq!(settings.workers, 3);
        assert_eq!(
            settings.public_url, "https://id.example",
            "trailing slash trimmed"
        );
        assert_eq!(settings.issuer(), "https://id.example/oidc");
        assert!(settings.secure_cookies());
        assert_eq!(settings.db_pool_size, Settings::default().db_pool_size);
        std::fs::write(&file, "wrokers = 3\n").expect("write");
        assert!(
            Settings::load(Some(&file)).is_err(),
            "a typo is an error, not a silent default"
        );
        std::fs::write(&file, "public_url = \"ftp://x\"\n").expect("write");
        assert!(Settings::load(Some(&file)).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn durations_are_typed_and_kept_in_range() {
        let settings = Settings::default();
        assert_eq!(settings.access_token_ttl(), TimeDelta::hours(1));
        assert_eq!(settings.access_token_ttl().num_milliseconds(), 3_600_000);
        assert_eq!(settings.session_ttl(), TimeDelta::days(14));
        assert_eq!(settings.authorization_code_ttl().num_seconds(), 60);
        assert_eq!(
            settings.one_time_token_max_expires_in(),
            TimeDelta::days(30)
        );
        let zero = Settings {
            key_rotation_grace_secs: 0,
            ..Settings::default()
        };
        assert_eq!(zero.key_rotation_grace(), TimeDelta::zero());
        assert!(zero.validated().is_ok());
        for bad in [-1, MAX_DURATION_SECS + 1, i64::MAX] {
            let settings = Settings {
                session_ttl_secs: bad,
                ..Settings::default()
            };
            assert!(
                matches!(
                    settings.clone().validated(),
                    Err(ConfigError::Duration {
                        field: "session_ttl_secs",
                        ..
                    })
                ),
                "{bad} is refused"
            );
            assert!(
                settings.session_ttl() >= TimeDelta::zero(),
                "and never panics"
            );
        }
    }

    #[test]
    fn environment_values_keep_their_types() {
        assert_eq!(scalar("true"), toml::Value::Boolean(true));
        assert_eq!(scalar("8"), toml::Value::Integer(8));
        assert_eq!(
            scalar("127.0.0.1:3000"),
            toml::Value::String("127.0.0.1:3000".into())
        );
    }
}
