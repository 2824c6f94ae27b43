//! Mailed codes and links that prove an address (`email_codes`): a registration waiting for
//! its code, a password reset. Only hashes of codes and links are stored.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::email_codes;

/// A row of `email_codes`. Its `Debug` shows no hash.
#[derive(Clone, Queryable, Insertable)]
#[diesel(table_name = email_codes)]
pub struct EmailCodeRecord {
    pub id: String,
    /// A `identity::email_codes::Purpose` name.
    pub purpose: String,
    /// The interaction (its id hash) whose browser asked, where the code is typed.
    pub interaction_hash: String,
    pub email: String,
    /// Password reset: the account, when there is one for the address.
    pub user_id: Option<String>,
    pub code_hash: String,
    /// Password reset: the mailed link's token, hashed.
    pub link_hash: Option<String>,
    /// Sign-up: the name given on the form.
    pub name: Option<String>,
    /// Sign-up: the argon2 hash of the password chosen on the form.
    pub password_hash: Option<String>,
    /// Codes typed so far.
    pub attempts: i32,
    /// Password reset: when the right code was typed (the new password may be set).
    pub verified_at: Option<i64>,
    /// When the code was last mailed (the "send again" cooldown).
    pub sent_at: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub consumed_at: Option<i64>,
}

impl std::fmt::Debug for EmailCodeRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailCodeRecord")
            .field("id", &self.id)
            .field("purpose", &self.purpose)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

pub fn insert(conn: &mut DbConnection, record: &EmailCodeRecord) -> QueryResult<()> {
    diesel::insert_into(email_codes::table)
        .values(record)
        .execute(conn)
        .map(drop)
}

/// The interaction's latest unspent, unexpired row of `purpose` (through
/// `email_codes_interaction`).
pub fn latest_for_interaction(
    conn: &mut DbConnection,
    interaction_hash: &str,
    purpose: &str,
    now: i64,
) -> QueryResult<Option<EmailCodeRecord>> {
    email_codes::table
        .filter(
            email_codes::interaction_hash
                .eq(interaction_hash)
                .and(email_codes::purpose.eq(purpose)),
        )
        .order(email_codes::created_at.desc())
        .select(email_codes::all_columns)
        .first::<EmailCodeRecord>(conn)
        .optional()
        .map(|row| row.filter(|r| r.consumed_at.is_none() && r.expires_at > now))
}

/// Counts one typed code against row `id`, atomically: the row as counted, or `None` when it
/// has no attempt left (`max` reached), is spent or gone. Racing submissions each count, so
/// no more than `max` codes are ever compared.
pub fn count_attempt(
    conn: &mut DbConnection,
    id: &str,
    max: i32,
) -> QueryResult<Option<EmailCodeRecord>> {
    diesel::update(
        email_codes::table.filter(
            email_codes::id
                .eq(id)
                .and(email_codes::attempts.lt(max))
                .and(email_codes::consumed_at.is_null()),
        ),
    )
    .set(email_codes::attempts.eq(email_codes::attempts + 1))
    .returning(email_codes::all_columns)
    .get_result(conn)
    .optional()
}

/// Spends row `id`: `false` when it was spent already (a racing submission won).
pub fn consume(conn: &mut DbConnection, id: &str, now: i64) -> QueryResult<bool> {
    diesel::update(
        email_codes::table.filter(
            email_codes::id
                .eq(id)
                .and(email_codes::consumed_at.is_null()),
        ),
    )
    .set(email_codes::consumed_at.eq(now))
    .execute(conn)
    .map(|n| n == 1)
}

/// Spends every unspent row of `purpose` for account `user_id` (through `email_codes_user`):
/// a password reset ends the others, so an older mail cannot set the password again.
pub fn spend_all_of_user(
    conn: &mut DbConnection,
    user_id: &str,
    purpose: &str,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(
        email_codes::table.filter(
            email_codes::user_id
                .eq(user_id)
                .and(email_codes::purpose.eq(purpose))
                .and(email_codes::consumed_at.is_null()),
        ),
    )
    .set(email_codes::consumed_at.eq(now))
    .execute(conn)
}

/// The right code was typed for reset `id`: its new password may be set.
pub fn mark_verified(conn: &mut DbConnection, id: &str, now: i64) -> QueryResult<bool> {
    diesel::update(
        email_codes::table.filter(
            email_codes::id
                .eq(id)
                .and(email_codes::consumed_at.is_null()),
        ),
    )
    .set(email_codes::verified_at.eq(now))
    .execute(conn)
    .map(|n| n == 1)
}

/// A new code mailed for row `id` ("send again"); the attempts already made stay counted.
pub fn replace_code(
    conn: &mut DbConnection,
    id: &str,
    code_hash: &str,
    now: i64,
) -> QueryResult<bool> {
    diesel::update(
        email_codes::table.filter(
            email_codes::id
                .eq(id)
                .and(email_codes::consumed_at.is_null()),
        ),
    )
    .set((
        email_codes::code_hash.eq(code_hash),
        email_codes::sent_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// The unspent, unexpired row whose link token hashes to `link_hash` (through
/// `email_codes_link`).
pub fn find_by_link(
    conn: &mut DbConnection,
    link_hash: &str,
    now: i64,
) -> QueryResult<Option<EmailCodeRecord>> {
    email_codes::table
        .filter(email_codes::link_hash.eq(link_hash))
        .select(email_codes::all_columns)
        .first::<EmailCodeRecord>(conn)
        .optional()
        .map(|row| row.filter(|r| r.consumed_at.is_none() && r.expires_at > now))
}
