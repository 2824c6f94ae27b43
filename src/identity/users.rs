use serde::Serialize;

use super::Email;
use crate::crypto::{Admission, HashingError, PasswordHasher, Secret, password};
use crate::i18n::Locale;
use crate::storage::{DbConnection, Storage, StorageError, users as queries};

/// A person who can sign in.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub email: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub name: Option<String>,
    pub email_verified: bool,
    pub created_at: i64,
    /// Suspended users cannot sign in by any method.
    pub suspended: bool,
    /// The language of their pages and mails (an `i18n::Locale` tag), if they chose one.
    pub locale: Option<String>,
}

pub struct NewUser {
    pub email: Email,
    pub password: Option<Secret>,
    pub name: Option<String>,
    pub email_verified: bool,
    pub locale: Option<Locale>,
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("password hashing failed")]
    Hash,
    #[error(transparent)]
    Hashing(#[from] HashingError),
}

/// Hashes the password (argon2id, ~16 ms: callers keep it off the async executor).
fn prepare(new: NewUser, now: i64) -> Result<User, UserError> {
    let password_hash = match new.password {
        Some(p) => Some(password::hash_password(&p).map_err(|_| UserError::Hash)?),
        None => None,
    };
    Ok(User {
        id: uuid::Uuid::now_v7().to_string(),
        email: new.email.as_str().to_owned(),
        password_hash,
        name: new
            .name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        email_verified: new.email_verified,
        created_at: now,
        suspended: false,
        locale: new.locale.map(|l| l.as_str().to_owned()),
    })
}

fn insert_error(e: StorageError) -> UserError {
    if e.is_unique_violation() {
        UserError::EmailTaken
    } else {
        UserError::Storage(e)
    }
}

/// Creates an account; its password is hashed on the password threads, admitted as `admission`.
pub async fn create_user(
    storage: &Storage,
    passwords: &PasswordHasher,
    admission: Admission,
    mut new: NewUser,
    now: i64,
) -> Result<User, UserError> {
    let password_hash = match new.password.take() {
        Some(p) => Some(passwords.hash(p, admission).await?.ok_or(UserError::Hash)?),
        None => None,
    };
    let user = User {
        password_hash,
        ..prepare(new, now)?
    };
    storage
        .run(move |conn| queries::insert_user(conn, &user).map(|_| user))
        .await
        .map_err(insert_error)
}

/// Registers the account of an address a link just proved, inside the caller's transaction (the
/// one that spends the link): verified, no password (no hashing, so no wait for a password
/// thread). A concurrent registration of the address makes this fail with a unique violation.
pub fn register_proven_on(
    c: &mut DbConnection,
    email: &Email,
    now: i64,
) -> diesel::QueryResult<User> {
    let user = User {
        id: uuid::Uuid::now_v7().to_string(),
        email: email.as_str().to_owned(),
        password_hash: None,
        name: None,
        email_verified: true,
        created_at: now,
        suspended: false,
        locale: None,
    };
    queries::insert_user(c, &user)?;
    Ok(user)
}

/// For the command line, outside any runtime.
pub fn create_user_blocking(storage: &Storage, new: NewUser, now: i64) -> Result<User, UserError> {
    let user = prepare(new, now)?;
    storage
        .run_blocking(|conn| queries::insert_user(conn, &user))
        .map_err(insert_error)?;
    Ok(user)
}

/// The first proof that the person signing in holds the account's address (a redeemed link;
/// any other email verification calls this too). Until then the account may have been set up
/// by someone else who typed that address (public sign-up proves nothing): a pre-hijacker
/// holding a password, an authenticator, sessions and tokens, waiting for the owner to start
/// using it. So proving an unverified address marks it verified and ends everything set up
/// before (sessions, codes, access and refresh tokens, the password, TOTP and backup codes),
/// in one transaction; the owner sets a password and MFA again. A verified account is
/// returned as it is, with no write.
pub fn prove_email_on(c: &mut DbConnection, user: User, now: i64) -> diesel::QueryResult<User> {
    if user.email_verified {
        return Ok(user);
    }
    match queries::take_over_unverified(c, &user.id, now)? {
        Some(proven) => {
            tracing::info!(user_id = %proven.id, "first proof of the email: earlier access ended");
            Ok(proven)
        }
        // Proven concurrently, or gone: the account as it is now.
        None => Ok(queries::find_user(c, &user.id)?.unwrap_or(user)),
    }
}

/// The account registered with `email`, just proven to be the caller's (see
/// [`prove_email_on`]); `None` when there is none.
pub fn find_proven_on(
    c: &mut DbConnection,
    email: &Email,
    now: i64,
) -> diesel::QueryResult<Option<User>> {
    match queries::find_user_by_email(c, email.as_str())? {
        Some(user) => prove_email_on(c, user, now).map(Some),
        None => Ok(None),
    }
}
