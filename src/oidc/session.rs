//! Browser sessions: a random cookie value, stored as its SHA-256 with the user and how and
//! when they authenticated.

use actix_web::HttpRequest;
use actix_web::cookie::Cookie;
use serde::{Deserialize, Serialize};

use crate::crypto::{random_token, sha256_b64url};
use crate::oidc::cookies::SesameCookie;
use crate::state::AppState;
use crate::storage::StorageError;
use crate::storage::sessions::{self as queries, SessionRecord};

/// The live session of this browser, if any.
pub async fn current(
    req: &HttpRequest,
    state: &AppState,
    now: i64,
) -> Result<Option<SessionRecord>, StorageError> {
    let Some(value) = SesameCookie::Session.read(req, &state.settings) else {
        return Ok(None);
    };
    let hash = sha256_b64url(value.value());
    state
        .storage
        .run(move |c| queries::find_live_session(c, &hash, now))
        .await
}

/// An authentication method reference, as the `amr` claim carries it: RFC 8176's values where
/// one fits, and `email` for a magic link, so that a relying party can tell each method apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Amr {
    /// "pwd" (RFC 8176): a password.
    Pwd,
    /// "email": a magic link, proof of access to the mailbox it was sent to. RFC 8176 has no
    /// value for it and allows others; `otp` would make it look like a TOTP code.
    Email,
    /// "otp" (RFC 8176): a one-time password of RFC 6238 (TOTP), or a backup code.
    Otp,
    /// "mfa" (RFC 8176): more than one factor.
    Mfa,
}

impl Amr {
    /// A password.
    pub const PASSWORD: Amr = Amr::Pwd;
    /// A magic link.
    pub const LINK: Amr = Amr::Email;
    /// A TOTP code (RFC 6238) or a backup code.
    pub const TOTP: Amr = Amr::Otp;

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pwd => "pwd",
            Self::Email => "email",
            Self::Otp => "otp",
            Self::Mfa => "mfa",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pwd, Self::Email, Self::Otp, Self::Mfa]
            .into_iter()
            .find(|a| a.as_str() == raw)
    }

    /// The space-separated form sessions and codes store.
    pub fn join(methods: &[Amr]) -> String {
        methods
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// How a user proved who they are, for a new session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authentication {
    pub user_id: String,
    pub auth_time: i64,
    pub amr: Vec<Amr>,
}

impl Authentication {
    /// Proven just now by `method` alone.
    pub fn by(user_id: String, method: Amr, now: i64) -> Self {
        Self {
            user_id,
            auth_time: now,
            amr: vec![method],
        }
    }

    /// Adds `method` unless an equal value is already there.
    pub fn add(&mut self, method: Amr) {
        if !self.amr.contains(&method) {
            self.amr.push(method);
        }
    }
}

/// A new session for `auth`: the record to store, the hash of the browser's previous session
/// (to delete in the same step: no session fixation), and the cookie to send.
pub struct NewSession {
    pub record: SessionRecord,
    pub previous: Option<String>,
    pub cookie: Cookie<'static>,
}

pub fn new_session(
    req: &HttpRequest,
    state: &AppState,
    auth: &Authentication,
    now: i64,
) -> NewSession {
    draft_session(req, state, now).for_user(auth)
}

/// A new session drawn before its user is known (a link is resolved, and maybe registers the
/// account, in the transaction that stores the session): [`SessionDraft::for_user`] completes it.
pub struct SessionDraft {
    token_hash: String,
    created_at: i64,
    expires_at: i64,
    previous: Option<String>,
    cookie: Cookie<'static>,
}

pub fn draft_session(req: &HttpRequest, state: &AppState, now: i64) -> SessionDraft {
    let token = random_token(32);
    SessionDraft {
        token_hash: sha256_b64url(&token),
        created_at: now,
        expires_at: now + state.settings.session_ttl().num_milliseconds(),
        previous: SesameCookie::Session
            .read(req, &state.settings)
            .map(|c| sha256_b64url(c.value())),
        cookie: SesameCookie::Session.build(
            &state.settings,
            token,
            state.settings.session_ttl().num_seconds(),
        ),
    }
}

impl SessionDraft {
    pub fn for_user(self, auth: &Authentication) -> NewSession {
        NewSession {
            record: SessionRecord {
                id: uuid::Uuid::now_v7().to_string(),
                token_hash: self.token_hash,
                user_id: auth.user_id.clone(),
                auth_time: auth.auth_time,
                amr: Amr::join(&auth.amr),
                created_at: self.created_at,
                expires_at: self.expires_at,
            },
            previous: self.previous,
            cookie: self.cookie,
        }
    }
}

impl NewSession {
    /// Stores the session, replacing the previous one, with the code it completes with;
    /// `false` (nothing stored) when the sign-in may no longer finish (suspended, or the
    /// credentials were ended by a takeover after the first factor was proven).
    pub fn store_with_code(
        &self,
        conn: &mut crate::storage::DbConnection,
        code: &crate::storage::grants::CodeRecord,
    ) -> diesel::QueryResult<bool> {
        queries::start_with_code(conn, self.previous.as_deref(), &self.record, code)
    }
}

/// Ends this browser's session; returns the cookie that clears it.
pub async fn end(req: &HttpRequest, state: &AppState) -> Result<Cookie<'static>, StorageError> {
    if let Some(value) = SesameCookie::Session.read(req, &state.settings) {
        let hash = sha256_b64url(value.value());
        state
            .storage
            .run(move |c| queries::delete_session(c, &hash))
            .await?;
    }
    Ok(SesameCookie::Session.removal(&state.settings))
}

impl From<&SessionRecord> for Authentication {
    fn from(s: &SessionRecord) -> Self {
        Authentication {
            user_id: s.user_id.clone(),
            auth_time: s.auth_time,
            // Only `Amr` values are ever stored.
            amr: s.amr.split(' ').filter_map(Amr::parse).collect(),
        }
    }
}
