use diesel::prelude::*;

use super::DbConnection;
use super::schema::users;
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
        })
        .execute(conn)
        .map(drop)
}

pub fn find_user(conn: &mut DbConnection, id: &str) -> QueryResult<Option<User>> {
    Ok(users::table
        .find(id)
        .first::<UserRow>(conn)
        .optional()?
        .map(User::from))
}

/// Emails are compared case-insensitively: the lookup goes through the lowered, unique column.
pub fn find_user_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<User>> {
    Ok(users::table
        .filter(users::email_lower.eq(email.to_lowercase()))
        .first::<UserRow>(conn)
        .optional()?
        .map(User::from))
}
