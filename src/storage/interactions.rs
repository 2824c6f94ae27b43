use diesel::prelude::*;

use super::DbConnection;
use super::schema::interactions;

/// A sign-in in progress: the validated authorization request and what has been proven so far,
/// both as JSON owned by `crate::interaction`; and the SHA-256 of the secret in the cookie of
/// the browser that started it (none in rows written before there was one: they match nothing).
#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = interactions)]
pub struct InteractionRecord {
    pub id_hash: String,
    pub request: String,
    pub csrf: String,
    pub state: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub secret_hash: Option<String>,
}

pub fn insert_interaction(conn: &mut DbConnection, record: &InteractionRecord) -> QueryResult<()> {
    diesel::insert_into(interactions::table)
        .values(record)
        .execute(conn)
        .map(drop)
}

pub fn find_live_interaction(
    conn: &mut DbConnection,
    id_hash: &str,
    now: i64,
) -> QueryResult<Option<InteractionRecord>> {
    interactions::table
        .filter(
            interactions::id_hash
                .eq(id_hash)
                .and(interactions::expires_at.gt(now)),
        )
        .get_result(conn)
        .optional()
}

pub fn update_interaction_state(
    conn: &mut DbConnection,
    id_hash: &str,
    state: &str,
) -> QueryResult<usize> {
    diesel::update(interactions::table.find(id_hash))
        .set(interactions::state.eq(state))
        .execute(conn)
}

/// Finishes the interaction: one conditional delete, so of racing submissions (double clicks,
/// replays) exactly one sees the row go; only that one may carry the sign-in out.
pub fn consume_interaction(conn: &mut DbConnection, id_hash: &str, now: i64) -> QueryResult<bool> {
    let live = interactions::table.filter(
        interactions::id_hash
            .eq(id_hash)
            .and(interactions::expires_at.gt(now)),
    );
    Ok(diesel::delete(live).execute(conn)? == 1)
}
