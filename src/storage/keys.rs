use diesel::prelude::*;

use super::DbConnection;
use super::schema::signing_keys;

/// A signing key as stored: the PKCS#8 DER, base64. Only `crypto::keys` interprets it.
#[derive(Clone, Queryable, Insertable)]
#[diesel(table_name = signing_keys)]
pub struct StoredKey {
    pub kid: String,
    pub alg: String,
    pub private_der: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

/// Active keys and keys retired after `retired_after` (still published for verification).
pub fn list_publishable_keys(
    conn: &mut DbConnection,
    retired_after: i64,
) -> QueryResult<Vec<StoredKey>> {
    signing_keys::table
        .filter(
            signing_keys::retired_at
                .is_null()
                .or(signing_keys::retired_at.gt(retired_after)),
        )
        .order(signing_keys::created_at.desc())
        .load(conn)
}

pub fn count_active_keys(conn: &mut DbConnection, alg: &str) -> QueryResult<i64> {
    signing_keys::table
        .filter(
            signing_keys::alg
                .eq(alg)
                .and(signing_keys::retired_at.is_null()),
        )
        .count()
        .get_result(conn)
}

/// Retires the active keys of `alg` and stores the new one, in one transaction.
pub fn rotate_key(conn: &mut DbConnection, key: &StoredKey, now: i64) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::update(
            signing_keys::table.filter(
                signing_keys::alg
                    .eq(&key.alg)
                    .and(signing_keys::retired_at.is_null()),
            ),
        )
        .set(signing_keys::retired_at.eq(now))
        .execute(conn)?;
        diesel::insert_into(signing_keys::table)
            .values(key)
            .execute(conn)?;
        Ok(())
    })
}
