//! Settings: defaults < file (`--config`, TOML) < environment (`SESAME_<FIELD>`) < flags.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;

use chrono::TimeDelta;
use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP server listens on.
    pub bind: String,
    /// Address `GET /metrics` (Prometheus) is served on, alone; empty (the default): on `bind`
    /// with everything else. Operators keep it on a private address.
    pub metrics_bind: String,
    /// The URL browsers and clients use to reach Sesame; the issuer is `<public_url>/oidc`.
    /// Empty (the default): `http://<the address listened on>`, see [`public_url_for`].
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
    /// Seconds between clean-up passes (expired and finished rows deleted); 0 disables them.
    pub cleanup_interval_secs: i64,
    /// Days a finished (consumed, revoked, expired) one-time token is kept; 0 keeps it forever.
    pub one_time_token_retention_days: i64,
    /// Days an audit entry is kept; 0 keeps it forever.
    pub audit_retention_days: i64,
    /// Registrations on the hosted sign-up page per client IP per hour.
    pub sign_ups_per_ip_per_hour: i32,
    /// Hosted sign-in mails ("Email me a sign-in link", and "send again") per address, and
    /// per client IP, per hour.
    pub hosted_links_per_email_per_hour: i32,
    pub hosted_links_per_ip_per_hour: i32,
    /// Reverse proxies (CIDRs) whose `X-Forwarded-For` names the client; empty: trust none,
    /// the TCP peer is the client. In the environment, separated by commas or spaces.
    pub trusted_proxies: TrustedProxies,
    /// Threads hashing and verifying passwords (argon2id, ~19 MiB each); 0 means one per core.
    pub password_hashing_threads: usize,
    /// Passwords waiting for a hashing thread; beyond that a page answers 503 "busy".
    pub password_hashing_queue: usize,
    /// Where mail goes: `smtp://host:port` (plain), `smtp://host:port?tls=required` (STARTTLS),
    /// `smtps://host:port` (implicit TLS), credentials as `smtp://user:password@host`. Empty
    /// (the default): mails are written as `.eml` files to `mail_dir` instead.
    pub smtp_url: Redacted,
    /// The SMTP password, when it is not in `smtp_url` (it replaces the URL's).
    pub smtp_password: Redacted,
    /// The sender of every mail, `Name <address>` or an address.
    pub mail_from: String,
    /// Where mails are written as `<id>.eml` files when no `smtp_url` is set.
    pub mail_dir: String,
    /// A directory of mail templates (`<kind>[.<locale>].txt` / `.html`) that replace the
    /// built-in ones file by file; empty: the built-in ones (`templates/mail/`).
    pub mail_templates_dir: String,
    /// How often the sender looks for due mails (it is woken at once for this instance's own).
    pub mail_poll_interval_ms: u64,
    /// Mails one instance sends at the same time.
    pub mail_concurrency: usize,
    /// Attempts before a mail is given up on (`failed`).
    pub mail_max_attempts: i32,
    /// The wait after the first failed attempt; it doubles after each, up to the maximum.
    pub mail_retry_min_secs: i64,
    pub mail_retry_max_secs: i64,
    /// Days a sent or failed mail's row (without its link) is kept; 0 keeps it forever.
    pub mail_retention_days: i64,
}

/// A setting that may hold a secret (a password, a URL with credentials): its `Debug` prints
/// nothing of it, so logging the settings never leaks it.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Redacted(String);

impl<'de> Deserialize<'de> for Redacted {
    /// Text; a password of digits or `true` comes from the environment as a number or a
    /// boolean (see [`scalar`]) and is taken as its text.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Given {
            Text(String),
            Number(i64),
            Flag(bool),
        }
        Ok(Self(match Given::deserialize(deserializer)? {
            Given::Text(text) => text,
            Given::Number(n) => n.to_string(),
            Given::Flag(b) => b.to_string(),
        }))
    }
}

impl Redacted {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "[redacted]"
        })
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:3000".into(),
            metrics_bind: String::new(),
            public_url: String::new(),
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
            cleanup_interval_secs: 300,
            one_time_token_retention_days: 30,
            audit_retention_days: 90,
            sign_ups_per_ip_per_hour: 20,
            hosted_links_per_email_per_hour: 5,
            hosted_links_per_ip_per_hour: 30,
            trusted_proxies: TrustedProxies::default(),
            password_hashing_threads: 0,
            password_hashing_queue: 32,
            smtp_url: Redacted::default(),
            smtp_password: Redacted::default(),
            mail_from: "Sesame <sesame@localhost>".into(),
            mail_dir: "mail".into(),
            mail_templates_dir: String::new(),
            mail_poll_interval_ms: 2000,
            mail_concurrency: 4,
            mail_max_attempts: 10,
            mail_retry_min_secs: 30,
            mail_retry_max_secs: 3600,
            mail_retention_days: 7,
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
    #[error("invalid {field} = {value}: a number of days from 0 to {MAX_DURATION_DAYS}")]
    Days { field: &'static str, value: i64 },
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
/// The same bound in days, for the `*_days` settings.
pub const MAX_DURATION_DAYS: i64 = 100 * 366;

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
    /// Time between clean-up passes; zero: no clean-up.
    cleanup_interval => cleanup_interval_secs,
    /// How long in-flight requests may take to finish on SIGTERM.
    shutdown_timeout => shutdown_timeout_secs,
    /// The wait after a mail's first failed attempt.
    mail_retry_min => mail_retry_min_secs,
    /// The longest wait between two attempts of a mail.
    mail_retry_max => mail_retry_max_secs,
}

impl Settings {
    /// How long finished one-time tokens are kept; `None`: forever.
    pub fn one_time_token_retention(&self) -> Option<TimeDelta> {
        days(self.one_time_token_retention_days)
    }

    /// How long audit entries are kept; `None`: forever.
    pub fn audit_retention(&self) -> Option<TimeDelta> {
        days(self.audit_retention_days)
    }

    /// How long a settled mail's row is kept; `None`: forever.
    pub fn mail_retention(&self) -> Option<TimeDelta> {
        days(self.mail_retention_days)
    }

    fn days_fields(&self) -> [(&'static str, i64); 3] {
        [
            ("mail_retention_days", self.mail_retention_days),
            (
                "one_time_token_retention_days",
                self.one_time_token_retention_days,
            ),
            ("audit_retention_days", self.audit_retention_days),
        ]
    }
}

/// A retention in days; 0 means "keep forever".
fn days(days: i64) -> Option<TimeDelta> {
    (days > 0)
        .then(|| TimeDelta::try_days(days.min(MAX_DURATION_DAYS)).unwrap_or(TimeDelta::zero()))
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
    /// An empty `public_url` stays empty: it follows the address listened on, known only once
    /// the server has bound it (`--bind` may still change, and port 0 picks one).
    pub fn validated(mut self) -> Result<Self, ConfigError> {
        self.public_url = self.public_url.trim_end_matches('/').to_owned();
        if !self.public_url.is_empty() {
            match url::Url::parse(&self.public_url) {
                Ok(u)
                    if (u.scheme() == "http" || u.scheme() == "https")
                        && u.query().is_none()
                        && u.fragment().is_none() => {}
                _ => return Err(ConfigError::PublicUrl(self.public_url)),
            }
        }
        for (field, value) in self.duration_fields() {
            if !(0..=MAX_DURATION_SECS).contains(&value) {
                return Err(ConfigError::Duration { field, value });
            }
        }
        for (field, value) in self.days_fields() {
            if !(0..=MAX_DURATION_DAYS).contains(&value) {
                return Err(ConfigError::Days { field, value });
            }
        }
        for (field, value, min, max) in [
            ("db_timeout_ms", self.db_timeout_ms, 100, 600_000),
            ("db_queue_size", self.db_queue_size as u64, 1, 1_000_000),
            (
                "mail_poll_interval_ms",
                self.mail_poll_interval_ms,
                50,
                3_600_000,
            ),
            ("mail_concurrency", self.mail_concurrency as u64, 1, 100),
            (
                "mail_max_attempts",
                u64::try_from(self.mail_max_attempts).unwrap_or(0),
                1,
                1000,
            ),
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

    /// Fills an unset `public_url` from the address the server listens on; says how.
    pub fn with_public_url_for(mut self, listening: SocketAddr) -> (Self, PublicUrl) {
        if !self.public_url.is_empty() {
            return (self, PublicUrl::Configured);
        }
        let (url, derived) = public_url_for(listening);
        self.public_url = url;
        (self, derived)
    }

    /// The public URL; unset, the one `bind` gives (the server fills it in from the address it
    /// actually listens on, see [`Settings::with_public_url_for`]).
    pub fn public_base(&self) -> String {
        if !self.public_url.is_empty() {
            return self.public_url.clone();
        }
        match self.bind.parse::<SocketAddr>() {
            Ok(addr) => public_url_for(addr).0,
            Err(_) => format!("http://{}", self.bind),
        }
    }

    pub fn issuer(&self) -> String {
        format!("{}/oidc", self.public_base())
    }

    /// The resource indicator of the Management API (RFC 8707).
    pub fn management_api_resource(&self) -> String {
        format!("{}/api", self.public_base())
    }

    /// How the database is used (see `storage::Limits`).
    pub fn db_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.db_timeout_ms)
    }

    pub fn mail_poll_interval(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.mail_poll_interval_ms)
    }

    /// Whether browsers reach Sesame over https: cookies are then `Secure` and `__Host-`
    /// prefixed, and answers carry `Strict-Transport-Security`.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Where the public URL came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublicUrl {
    /// Set in the file, the environment or by `--public-url`.
    Configured,
    /// `http://` and the address listened on.
    FollowsBind,
    /// The server listens on every interface (0.0.0.0 or ::), which no client can connect
    /// to: the URL names the loopback address instead.
    Loopback,
}

/// The public URL of a server listening on `addr` when none is configured: plain HTTP on that
/// address, or on loopback when it is the unspecified address of all interfaces.
pub fn public_url_for(addr: SocketAddr) -> (String, PublicUrl) {
    let (ip, derived) = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            (IpAddr::V4(Ipv4Addr::LOCALHOST), PublicUrl::Loopback)
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            (IpAddr::V6(Ipv6Addr::LOCALHOST), PublicUrl::Loopback)
        }
        ip => (ip, PublicUrl::FollowsBind),
    };
    (
        format!("http://{}", SocketAddr::new(ip, addr.port())),
        derived,
    )
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

/// The reverse proxies whose `X-Forwarded-For` is believed, as CIDRs (`10.0.0.0/8`) or single
/// addresses. In a file, a list of strings or one string; in the environment, one string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn parse(text: &str) -> Result<Self, String> {
        let entries = text.split([',', ' ']).filter(|s| !s.is_empty());
        entries.map(parse_net).collect::<Result<_, _>>().map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client address of a request from `peer` carrying the `X-Forwarded-For` headers
    /// `forwarded_for` (in order): the peer itself unless it is a trusted proxy; then the hops
    /// read right to left (the nearest proxy appends last), and the first one that is not a
    /// trusted proxy is the client. Anything left of it was written by the client and is not
    /// believed; a hop that is not an address ends the walk at the proxy that passed it on.
    pub fn client_ip(&self, peer: Option<IpAddr>, forwarded_for: &[&str]) -> Option<IpAddr> {
        let mut client = peer?.to_canonical();
        if !self.trusts(client) {
            return Some(client);
        }
        for hop in forwarded_for.iter().rev().flat_map(|h| h.rsplit(',')) {
            let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                break;
            };
            client = ip.to_canonical();
            if !self.trusts(client) {
                break;
            }
        }
        Some(client)
    }
}

fn parse_net(entry: &str) -> Result<IpNet, String> {
    let entry = entry.trim();
    entry
        .parse::<IpNet>()
        .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
        .map(|net| net.trunc())
        .map_err(|_| format!("trusted_proxies: {entry:?} is not an address or a CIDR"))
}

impl Serialize for TrustedProxies {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|net| net.to_string()))
    }
}

impl<'de> Deserialize<'de> for TrustedProxies {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Given {
            One(String),
            List(Vec<String>),
        }
        let text = match Given::deserialize(deserializer)? {
            Given::One(text) => text,
            Given::List(list) => list.join(","),
        };
        Self::parse(&text).map_err(serde::de::Error::custom)
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
        std::fs::write(
            &file,
            "workers = 3\npublic_url = \"https://id.example/\"\nmetrics_bind = \"127.0.0.1:9100\"\n",
        )
        .expect("write");
        let settings = Settings::load(Some(&file)).expect("valid file");
        assert_eq!(settings.workers, 3);
        assert_eq!(settings.metrics_bind, "127.0.0.1:9100");
        assert_eq!(Settings::default().metrics_bind, "", "off unless set");
        assert_eq!(
            settings.public_url, "https://id.example",
            "trailing slash trimmed"
        );
        assert_eq!(settings.issuer(), "https://id.example/oidc");
        assert!(settings.is_https());
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
    fn an_unset_public_url_follows_the_address_listened_on() {
        let addr = |s: &str| s.parse::<SocketAddr>().expect("address");
        assert_eq!(
            public_url_for(addr("127.0.0.1:3558")),
            ("http://127.0.0.1:3558".into(), PublicUrl::FollowsBind)
        );
        assert_eq!(
            public_url_for(addr("192.0.2.7:80")),
            ("http://192.0.2.7:80".into(), PublicUrl::FollowsBind)
        );
        assert_eq!(
            public_url_for(addr("0.0.0.0:3000")),
            ("http://127.0.0.1:3000".into(), PublicUrl::Loopback)
        );
        assert_eq!(
            public_url_for(addr("[::]:3000")),
            ("http://[::1]:3000".into(), PublicUrl::Loopback)
        );
        let unset = Settings::default()
            .validated()
            .expect("an empty public_url is valid");
        assert_eq!(
            unset.issuer(),
            "http://127.0.0.1:3000/oidc",
            "before listening, the configured bind address"
        );
        let (resolved, how) = unset.with_public_url_for(addr("127.0.0.1:4000"));
        assert_eq!(how, PublicUrl::FollowsBind);
        assert_eq!(resolved.issuer(), "http://127.0.0.1:4000/oidc");
        let configured = Settings {
            public_url: "https://id.example".into(),
            ..Settings::default()
        };
        let (kept, how) = configured.with_public_url_for(addr("0.0.0.0:4000"));
        assert_eq!(how, PublicUrl::Configured);
        assert_eq!(kept.issuer(), "https://id.example/oidc");
    }

    #[test]
    fn retentions_are_days_and_zero_keeps_forever() {
        let settings = Settings::default();
        assert_eq!(
            settings.one_time_token_retention(),
            Some(TimeDelta::days(30))
        );
        assert_eq!(settings.audit_retention(), Some(TimeDelta::days(90)));
        assert_eq!(settings.cleanup_interval(), TimeDelta::minutes(5));
        let forever = Settings {
            audit_retention_days: 0,
            ..Settings::default()
        };
        assert_eq!(forever.audit_retention(), None);
        let negative = Settings {
            one_time_token_retention_days: -1,
            ..Settings::default()
        };
        assert!(matches!(
            negative.validated(),
            Err(ConfigError::Days {
                field: "one_time_token_retention_days",
                ..
            })
        ));
    }

    #[test]
    fn smtp_credentials_never_print() {
        let settings = Settings {
            smtp_url: Redacted::new("smtp://me:hunter2@mail.example:587"),
            smtp_password: Redacted::new("hunter3"),
            ..Settings::default()
        };
        let printed = format!("{settings:?}");
        assert!(!printed.contains("hunter"), "{printed}");
        assert_eq!(
            settings.smtp_url.expose(),
            "smtp://me:hunter2@mail.example:587"
        );
        let from_file: Settings =
            toml::from_str("smtp_url = \"smtps://mail.example\"").expect("a string");
        assert_eq!(from_file.smtp_url.expose(), "smtps://mail.example");
        assert_eq!(Settings::default().mail_dir, "mail");
        assert!(
            Settings::default().smtp_url.is_empty(),
            "files unless configured"
        );
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

    fn proxies(text: &str) -> TrustedProxies {
        TrustedProxies::parse(text).expect("valid")
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().expect("an address"))
    }

    #[test]
    fn the_client_address_is_the_peer_unless_a_trusted_proxy_forwards() {
        let none = TrustedProxies::default();
        let peer = ip("203.0.113.7");
        // No trusted proxy: a spoofed header changes nothing.
        assert_eq!(none.client_ip(peer, &["1.2.3.4"]), peer);
        assert_eq!(none.client_ip(peer, &[]), peer);
        assert_eq!(none.client_ip(None, &["1.2.3.4"]), None);
        // A peer outside the list is not believed either.
        let lb = proxies("10.0.0.0/8, 192.168.1.1");
        assert_eq!(lb.client_ip(peer, &["1.2.3.4"]), peer);
        // A trusted peer: the rightmost hop it did not add itself is the client; what the
        // client wrote further left is not believed.
        let from_lb = ip("10.1.2.3");
        assert_eq!(lb.client_ip(from_lb, &["1.2.3.4"]), ip("1.2.3.4"));
        assert_eq!(lb.client_ip(from_lb, &["6.6.6.6, 1.2.3.4"]), ip("1.2.3.4"));
        assert_eq!(
            lb.client_ip(from_lb, &["6.6.6.6", "1.2.3.4, 192.168.1.1"]),
            ip("1.2.3.4"),
            "several headers are one list, the trusted hop is skipped"
        );
        // Without a header, or with garbage, the proxy itself is all we know.
        assert_eq!(lb.client_ip(from_lb, &[]), from_lb);
        assert_eq!(lb.client_ip(from_lb, &["unknown"]), from_lb);
        assert_eq!(
            lb.client_ip(from_lb, &["1.2.3.4, junk, 10.0.0.9"]),
            ip("10.0.0.9")
        );
        // IPv4-mapped IPv6 peers match IPv4 CIDRs and key as IPv4.
        assert_eq!(
            lb.client_ip(ip("::ffff:10.0.0.1"), &["2001:db8::1"]),
            ip("2001:db8::1")
        );
        assert_eq!(none.client_ip(ip("::ffff:1.2.3.4"), &[]), ip("1.2.3.4"));
    }

    #[test]
    fn trusted_proxies_come_from_a_list_or_one_string() {
        assert_eq!(proxies(""), TrustedProxies::default());
        assert_eq!(proxies("10.0.0.0/8,::1"), proxies("10.0.0.0/8 ::1/128"));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
        let from_file: Settings =
            toml::from_str("trusted_proxies = [\"10.0.0.0/8\", \"::1\"]").expect("a list");
        assert_eq!(from_file.trusted_proxies, proxies("10.0.0.0/8,::1"));
        let from_env: Settings =
            toml::from_str("trusted_proxies = \"10.0.0.0/8, ::1\"").expect("one string");
        assert_eq!(from_env.trusted_proxies, proxies("10.0.0.0/8,::1"));
        assert!(toml::from_str::<Settings>("trusted_proxies = \"nope\"").is_err());
    }
}
