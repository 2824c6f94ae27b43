use diesel::prelude::*;

use super::DbConnection;
use super::schema::sessions;

/// A signed-in browser: found by the hash of its cookie.
#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRecord {
    pub id: String,
    pub token_hash: String,
    pub user_id: String,
    pub auth_time: i64,
    pub amr: String,
    pub created_at: i64,
    pub expires_at: i64,
}

pub fn insert_session(conn: &mut DbConnection, session: &SessionRecord) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)
        .map(drop)
}

pub fn find_live_session(
    conn: &mut DbConnection,
    token_hash: &str,
    now: i64,
) -> QueryResult<Option<SessionRecord>> {
    sessions::table
        .filter(
            sessions::token_hash
                .eq(token_hash)
                .and(sessions::expires_at.gt(now)),
        )
        .first(conn)
        .optional()
}

pub fn delete_session(conn: &mut DbConnection, token_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash))).execute(conn)
}
