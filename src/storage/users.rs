use diesel::prelude::*;

use super::DbConnection;
use super::pool::MultiBackend;
use super::schema::{access_tokens, authorization_codes, grants, refresh_tokens, sessions, users};
use crate::identity::User;

#[derive(Queryable, Insertable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    email: String,
    email_lower: String,
    password_hash: Option<String>,
    name: Option<String>,
    email_verified: bool,
    created_at: i64,
    updated_at: i64,
    suspended: bool,
    /// Read only by [`may_finish_sign_in`].
    credentials_changed_at: Option<i64>,
    locale: Option<String>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            email: row.email,
            password_hash: row.password_hash,
            name: row.name,
            email_verified: row.email_verified,
            created_at: row.created_at,
            suspended: row.suspended,
            locale: row.locale,
        }
    }
}

/// Inserts a user; a second user with the same email (any case) is a unique violation.
pub fn insert_user(conn: &mut DbConnection, user: &User) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(&UserRow {
            id: user.id.clone(),
            email: user.email.clone(),
            email_lower: user.email.to_lowercase(),
            password_hash: user.password_hash.clone(),
            name: user.name.clone(),
            email_verified: user.email_verified,
            created_at: user.created_at,
            updated_at: user.created_at,
            suspended: user.suspended,
            credentials_changed_at: None,
            locale: user.locale.clone(),
        })
        .execute(conn)
        .map(drop)
}

pub fn find_user(conn: &mut DbConnection, id: &str) -> QueryResult<Option<User>> {
    Ok(users::table
        .find(id)
        .get_result::<UserRow>(conn)
        .optional()?
        .map(User::from))
}

/// Emails are compared case-insensitively: the lookup goes through the lowered, unique column.
pub fn find_user_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<User>> {
    Ok(users::table
        .filter(users::email_lower.eq(email.to_lowercase()))
        .get_result::<UserRow>(conn)
        .optional()?
        .map(User::from))
}

/// What a profile update changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct ProfileChanges {
    /// `Some(None)` clears the name.
    pub name: Option<Option<String>>,
    pub email: Option<String>,
    /// `Some(None)` clears the language.
    pub locale: Option<Option<String>>,
}

#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct UserChangeset {
    name: Option<Option<String>>,
    email: Option<String>,
    email_lower: Option<String>,
    email_verified: Option<bool>,
    locale: Option<Option<String>>,
    updated_at: i64,
}

/// Escapes `%`, `_` and the escape character itself for a `LIKE ... ESCAPE '\'` pattern.
fn like_pattern_containing(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

fn matching_users(email_contains: Option<&str>) -> users::BoxedQuery<'static, MultiBackend> {
    let mut query = users::table.into_boxed();
    if let Some(term) = email_contains {
        query = query.filter(
            users::email_lower
                .like(like_pattern_containing(&term.to_lowercase()))
                .escape('\\'),
        );
    }
    query
}

/// A page of users, newest first, whose email contains `email_contains` (any case), and how
/// many match in all.
pub fn list_users(
    conn: &mut DbConnection,
    email_contains: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<User>, i64)> {
    let total = matching_users(email_contains).count().get_result(conn)?;
    let rows: Vec<UserRow> = matching_users(email_contains)
        .order((users::created_at.desc(), users::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows.into_iter().map(User::from).collect(), total))
}

/// Changes a user's name and/or email; a new address (not merely a change of case) is no
/// longer verified. `None` when no such user; a taken email is a unique violation.
pub fn update_user_profile(
    conn: &mut DbConnection,
    id: &str,
    changes: &ProfileChanges,
    now: i64,
) -> QueryResult<Option<User>> {
    conn.transaction(|conn| {
        let Some(current) = find_user(conn, id)? else {
            return Ok(None);
        };
        let email_lower = changes.email.as_ref().map(|e| e.to_lowercase());
        let new_address = email_lower
            .as_ref()
            .is_some_and(|lower| *lower != current.email.to_lowercase());
        let row: UserRow = diesel::update(users::table.find(id))
            .set(&UserChangeset {
                name: changes.name.clone(),
                email: changes.email.clone(),
                email_lower,
                email_verified: new_address.then_some(false),
                locale: changes.locale.clone(),
                updated_at: now,
            })
            .returning(users::all_columns)
            .get_result(conn)?;
        Ok(Some(row.into()))
    })
}

/// Replaces a user's password hash. `None` when no such user.
pub fn set_user_password(
    conn: &mut DbConnection,
    id: &str,
    password_hash: &str,
    now: i64,
) -> QueryResult<Option<User>> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::updated_at.eq(now),
        ))
        .returning(users::all_columns)
        .get_result::<UserRow>(conn)
        .optional()
        .map(|row| row.map(User::from))
}

/// Suspends or reinstates a user. Suspending also ends what the user holds already: every
/// session, every unused authorization code, every access and refresh token.
pub fn set_user_suspended(
    conn: &mut DbConnection,
    id: &str,
    suspended: bool,
    now: i64,
) -> QueryResult<Option<User>> {
    conn.transaction(|conn| {
        let row: Option<UserRow> = diesel::update(users::table.find(id))
            .set((users::suspended.eq(suspended), users::updated_at.eq(now)))
            .returning(users::all_columns)
            .get_result(conn)
            .optional()?;
        if row.is_some() && suspended {
            end_user_sessions_and_tokens(conn, id, now)?;
        }
        Ok(row.map(User::from))
    })
}

/// Marks the user's unverified address verified and ends everything set up on the account
/// before: every session, code, access and refresh token, the password and the MFA
/// enrollment, in one transaction. `None` when there is no such unverified account (already
/// verified, e.g. concurrently, or gone): then nothing changes.
pub fn take_over_unverified(
    conn: &mut DbConnection,
    id: &str,
    now: i64,
) -> QueryResult<Option<User>> {
    conn.transaction(|conn| {
        let row: Option<UserRow> = diesel::update(
            users::table.filter(users::id.eq(id).and(users::email_verified.eq(false))),
        )
        .set((
            users::email_verified.eq(true),
            users::password_hash.eq(None::<String>),
            users::updated_at.eq(now),
            users::credentials_changed_at.eq(now),
        ))
        .returning(users::all_columns)
        .get_result(conn)
        .optional()?;
        if row.is_some() {
            end_user_sessions_and_tokens(conn, id, now)?;
            super::mfa::remove_enrollment(conn, id)?;
        }
        Ok(row.map(User::from))
    })
}

/// Whether a sign-in of `user_id` whose first factor was proven at `auth_time` may still
/// finish: the user exists, is not suspended, and no takeover ended the credentials since
/// (a sign-in parked part-way, e.g. at the second factor, holds an older proof). On
/// PostgreSQL the row is locked for share until commit, so a takeover or suspension racing
/// the sign-in either waits for it (and then ends the new session) or wins (and is seen).
pub fn may_finish_sign_in(
    conn: &mut DbConnection,
    user_id: &str,
    auth_time: i64,
) -> QueryResult<bool> {
    let query = users::table
        .filter(
            users::id.eq(user_id).and(users::suspended.eq(false)).and(
                users::credentials_changed_at
                    .is_null()
                    .or(users::credentials_changed_at.le(auth_time)),
            ),
        )
        .select(users::id);
    let found = match conn {
        DbConnection::Postgres(pg) => query.for_share().get_result::<String>(pg).optional()?,
        DbConnection::Sqlite(sqlite) => query.get_result::<String>(sqlite).optional()?,
    };
    Ok(found.is_some())
}

/// Signs a user out everywhere: deletes their sessions and pending authorization codes and
/// revokes their access and refresh tokens.
pub fn end_user_sessions_and_tokens(
    conn: &mut DbConnection,
    user_id: &str,
    now: i64,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        // The grants first, as `grants::revoke_grant` does: a refresh racing this takes the
        // same grant row, so it either finishes before (and its successors are revoked by the
        // statements below) or finds the grant revoked and issues nothing.
        let live_grants = refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .select(refresh_tokens::grant_id);
        diesel::update(
            grants::table.filter(
                grants::revoked_at
                    .is_null()
                    .and(grants::id.eq_any(live_grants)),
            ),
        )
        .set(grants::revoked_at.eq(now))
        .execute(conn)?;
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
        diesel::delete(authorization_codes::table.filter(authorization_codes::user_id.eq(user_id)))
            .execute(conn)?;
        diesel::update(
            access_tokens::table.filter(
                access_tokens::user_id
                    .eq(user_id)
                    .and(access_tokens::revoked_at.is_null()),
            ),
        )
        .set(access_tokens::revoked_at.eq(now))
        .execute(conn)?;
        diesel::update(
            refresh_tokens::table.filter(
                refresh_tokens::user_id
                    .eq(user_id)
                    .and(refresh_tokens::revoked_at.is_null()),
            ),
        )
        .set(refresh_tokens::revoked_at.eq(now))
        .execute(conn)?;
        Ok(())
    })
}

/// Deletes a user with their sessions, codes and tokens (which have no foreign key on
/// PostgreSQL, to keep sign-ins cheap) and their memberships and MFA (foreign keys).
pub fn delete_user(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    conn.transaction(|conn| {
        diesel::delete(sessions::table.filter(sessions::user_id.eq(id))).execute(conn)?;
        diesel::delete(authorization_codes::table.filter(authorization_codes::user_id.eq(id)))
            .execute(conn)?;
        diesel::delete(access_tokens::table.filter(access_tokens::user_id.eq(id))).execute(conn)?;
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::user_id.eq(id)))
            .execute(conn)?;
        Ok(diesel::delete(users::table.find(id)).execute(conn)? == 1)
    })
}

/// A password reset by the address's owner (a mailed code or link): the new password hash,
/// the address marked verified, and every session, code, access and refresh token of the
/// account ended (other devices, and whoever held the old password), in one transaction.
/// Sign-ins parked part-way with an older proof may not finish (`credentials_changed_at`).
/// `None` when there is no such user.
pub fn reset_password(
    conn: &mut DbConnection,
    id: &str,
    password_hash: &str,
    now: i64,
) -> QueryResult<Option<User>> {
    conn.transaction(|conn| {
        let row: Option<UserRow> = diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(password_hash),
                users::email_verified.eq(true),
                users::updated_at.eq(now),
                users::credentials_changed_at.eq(now),
            ))
            .returning(users::all_columns)
            .get_result(conn)
            .optional()?;
        if row.is_some() {
            end_user_sessions_and_tokens(conn, id, now)?;
        }
        Ok(row.map(User::from))
    })
}
