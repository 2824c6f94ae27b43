//! The sign-in experience as changed through the Management API: one JSON row (id 1), read
//! whenever a flow needs it, so a change applies at once on every instance.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::sign_in_experience as sie;

const ROW: i32 = 1;

pub fn get(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    sie::table
        .find(ROW)
        .select(sie::settings)
        .get_result(conn)
        .optional()
}

pub fn put(conn: &mut DbConnection, settings: &str, now: i64) -> QueryResult<()> {
    let updated = diesel::update(sie::table.find(ROW))
        .set((sie::settings.eq(settings), sie::updated_at.eq(now)))
        .execute(conn)?;
    if updated == 0 {
        let inserted = diesel::insert_into(sie::table)
            .values((
                sie::id.eq(ROW),
                sie::settings.eq(settings),
                sie::updated_at.eq(now),
            ))
            .execute(conn);
        match inserted {
            // Another instance wrote the first row meanwhile: last writer wins.
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {
                diesel::update(sie::table.find(ROW))
                    .set((sie::settings.eq(settings), sie::updated_at.eq(now)))
                    .execute(conn)?;
            }
            other => {
                other?;
            }
        }
    }
    Ok(())
}
