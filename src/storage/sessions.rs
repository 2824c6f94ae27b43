use diesel::prelude::*;

use super::DbConnection;
use super::grants::{self, CodeRecord};
use super::schema::{authorization_codes, sessions};
use super::statement::{Prepare, together};

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

fn insert_session(conn: &mut DbConnection, session: &SessionRecord) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(session)
        .returning(sessions::id)
        .prepared()
        .get_result::<String>(conn)
        .map(drop)
}

/// Starts a session (replacing the browser's `previous` one) and stores the authorization code
/// it completes with: both or neither. The common case, no previous session, is one statement
/// on PostgreSQL.
pub fn start_with_code(
    conn: &mut DbConnection,
    previous: Option<&str>,
    session: &SessionRecord,
    code: &CodeRecord,
) -> QueryResult<()> {
    if let (DbConnection::Postgres(pg), None) = (&mut *conn, previous) {
        let session_row = diesel::insert_into(sessions::table).values(session);
        let code_row = diesel::insert_into(authorization_codes::table)
            .values(code)
            .returning(authorization_codes::code_hash);
        return together(session_row, code_row)
            .get_result::<String>(pg)
            .map(drop);
    }
    conn.transaction(|conn| {
        if let Some(previous) = previous {
            delete_session(conn, previous)?;
        }
        insert_session(conn, session)?;
        grants::insert_code(conn, code)
    })
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
