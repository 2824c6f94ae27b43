//! Hosted sign-in links ("Email me a sign-in link" on the sign-in page): one row per
//! interaction. Sending again replaces the row's token and code, so one link and one code are
//! live at a time, and the wrong codes typed stay counted across sends.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::DbConnection;
use super::schema::hosted_links;

/// Wrong codes after which the request is dead (its link too): with 10^6 codes, this limit is
/// the protection against guessing.
pub const MAX_ATTEMPTS: i32 = 5;

/// A row. Its `Debug` leaves out the hashes and the sealed interaction id.
#[derive(Clone, Queryable, QueryableByName, Insertable)]
#[diesel(table_name = hosted_links)]
pub struct HostedLinkRecord {
    pub id: String,
    /// SHA-256 of the interaction's id, as in `interactions.id_hash`.
    pub interaction_hash: String,
    /// The interaction's id, readable only with the link's token.
    pub sealed_uid: String,
    pub email: String,
    /// SHA-256 of the link's token.
    pub token_hash: String,
    /// SHA-256 of the 6-digit code (with the row's id).
    pub code_hash: String,
    /// Wrong codes typed so far.
    pub attempts: i32,
    pub created_at: i64,
    pub expires_at: i64,
    pub consumed_at: Option<i64>,
    pub last_sent_at: i64,
}

impl std::fmt::Debug for HostedLinkRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostedLinkRecord")
            .field("id", &self.id)
            .field("attempts", &self.attempts)
            .field("expires_at", &self.expires_at)
            .field("consumed_at", &self.consumed_at)
            .finish_non_exhaustive()
    }
}

/// Where a request stands at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    Live,
    Expired,
    /// Spent: signed in (or on to the next step) with it.
    Used,
    /// [`MAX_ATTEMPTS`] wrong codes.
    Blocked,
}

impl HostedLinkRecord {
    pub fn state(&self, now: i64) -> LinkState {
        if self.consumed_at.is_some() {
            LinkState::Used
        } else if self.attempts >= MAX_ATTEMPTS {
            LinkState::Blocked
        } else if self.expires_at <= now {
            LinkState::Expired
        } else {
            LinkState::Live
        }
    }
}

/// What [`send`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// The row is new, or now holds the new token and code.
    Sent,
    /// Sent less than the cooldown ago (`last_sent_at`), or spent, or blocked: nothing changed.
    Refused,
}

/// Stores `record` as the interaction's request: a new row, or the existing one's token, code,
/// address and expiry replaced, when it was last sent at or before `cooldown_edge` and is
/// neither spent nor blocked. One statement, so two sends racing cannot both pass the cooldown.
pub fn send(
    conn: &mut DbConnection,
    record: &HostedLinkRecord,
    cooldown_edge: i64,
) -> QueryResult<Sent> {
    // Parameters first appear in order ($1 ... $12): SQLite numbers them so.
    let changed = diesel::sql_query(
        "INSERT INTO hosted_links (id, interaction_hash, sealed_uid, email, token_hash, \
           code_hash, attempts, created_at, expires_at, consumed_at, last_sent_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10) \
         ON CONFLICT (interaction_hash) DO UPDATE SET \
           sealed_uid = excluded.sealed_uid, email = excluded.email, \
           token_hash = excluded.token_hash, code_hash = excluded.code_hash, \
           expires_at = excluded.expires_at, last_sent_at = excluded.last_sent_at \
         WHERE hosted_links.consumed_at IS NULL AND hosted_links.attempts < $11 \
           AND hosted_links.last_sent_at <= $12",
    )
    .bind::<Text, _>(&record.id)
    .bind::<Text, _>(&record.interaction_hash)
    .bind::<Text, _>(&record.sealed_uid)
    .bind::<Text, _>(&record.email)
    .bind::<Text, _>(&record.token_hash)
    .bind::<Text, _>(&record.code_hash)
    .bind::<Integer, _>(record.attempts)
    .bind::<BigInt, _>(record.created_at)
    .bind::<BigInt, _>(record.expires_at)
    .bind::<BigInt, _>(record.last_sent_at)
    .bind::<Integer, _>(MAX_ATTEMPTS)
    .bind::<BigInt, _>(cooldown_edge)
    .execute(conn)?;
    Ok(if changed == 1 {
        Sent::Sent
    } else {
        Sent::Refused
    })
}

pub fn find_by_token(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<HostedLinkRecord>> {
    hosted_links::table
        .filter(hosted_links::token_hash.eq(token_hash))
        .get_result(conn)
        .optional()
}

pub fn find_for_interaction(
    conn: &mut DbConnection,
    interaction_hash: &str,
) -> QueryResult<Option<HostedLinkRecord>> {
    hosted_links::table
        .filter(hosted_links::interaction_hash.eq(interaction_hash))
        .get_result(conn)
        .optional()
}

/// Spends the live request holding `token_hash`: of racing callers exactly one gets `true`.
pub fn spend_by_token(conn: &mut DbConnection, token_hash: &str, now: i64) -> QueryResult<bool> {
    let live = hosted_links::table.filter(
        hosted_links::token_hash
            .eq(token_hash)
            .and(hosted_links::consumed_at.is_null())
            .and(hosted_links::attempts.lt(MAX_ATTEMPTS))
            .and(hosted_links::expires_at.gt(now)),
    );
    Ok(diesel::update(live)
        .set(hosted_links::consumed_at.eq(Some(now)))
        .execute(conn)?
        == 1)
}

/// Counts one code typed for the interaction's live request, before it is compared: the row
/// as it is now, or `None` when there is no live request (then nothing is compared). Counting
/// first, in one statement, holds parallel guesses to [`MAX_ATTEMPTS`] comparisons in all.
pub fn count_attempt(
    conn: &mut DbConnection,
    interaction_hash: &str,
    now: i64,
) -> QueryResult<Option<HostedLinkRecord>> {
    diesel::sql_query(
        "UPDATE hosted_links SET attempts = attempts + 1 \
         WHERE interaction_hash = $1 AND consumed_at IS NULL AND attempts < $2 \
           AND expires_at > $3 \
         RETURNING *",
    )
    .bind::<Text, _>(interaction_hash)
    .bind::<Integer, _>(MAX_ATTEMPTS)
    .bind::<BigInt, _>(now)
    .get_result(conn)
    .optional()
}

/// The code was right: the request is spent, and the attempt [`count_attempt`] counted is
/// given back (it was not a wrong one). `token_hash` names the version of the row compared.
pub fn spend_after_right_code(
    conn: &mut DbConnection,
    id: &str,
    token_hash: &str,
    now: i64,
) -> QueryResult<bool> {
    let compared = hosted_links::table.filter(
        hosted_links::id
            .eq(id)
            .and(hosted_links::token_hash.eq(token_hash))
            .and(hosted_links::consumed_at.is_null()),
    );
    Ok(diesel::update(compared)
        .set((
            hosted_links::consumed_at.eq(Some(now)),
            hosted_links::attempts.eq(hosted_links::attempts - 1),
        ))
        .execute(conn)?
        == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> HostedLinkRecord {
        HostedLinkRecord {
            id: "i".into(),
            interaction_hash: "h".into(),
            sealed_uid: "SEALED".into(),
            email: "a@x.io".into(),
            token_hash: "TOKENHASH".into(),
            code_hash: "CODEHASH".into(),
            attempts: 0,
            created_at: 0,
            expires_at: 100,
            consumed_at: None,
            last_sent_at: 0,
        }
    }

    #[test]
    fn states_in_order_and_nothing_secret_in_debug() {
        let r = record();
        assert_eq!(r.state(50), LinkState::Live);
        assert_eq!(r.state(100), LinkState::Expired);
        let blocked = HostedLinkRecord {
            attempts: MAX_ATTEMPTS,
            ..record()
        };
        assert_eq!(blocked.state(50), LinkState::Blocked);
        let used = HostedLinkRecord {
            consumed_at: Some(5),
            attempts: MAX_ATTEMPTS,
            ..record()
        };
        assert_eq!(used.state(500), LinkState::Used);
        let debug = format!("{r:?}");
        for secret in ["SEALED", "TOKENHASH", "CODEHASH"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }
}
