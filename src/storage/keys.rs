use diesel::prelude::*;

use super::DbConnection;
use super::schema::signing_keys;
use crate::crypto::keys::KeyMaterial;

/// A signing key's row: the PKCS#8 DER, base64. Only `crypto::keys` interprets it.
#[derive(Queryable, Insertable)]
#[diesel(table_name = signing_keys)]
struct StoredKey {
    kid: String,
    alg: String,
    private_der: String,
    created_at: i64,
    retired_at: Option<i64>,
}

impl From<StoredKey> for KeyMaterial {
    fn from(k: StoredKey) -> Self {
        KeyMaterial {
            kid: k.kid,
            alg: k.alg,
            private_der: k.private_der,
            created_at: k.created_at,
            retired_at: k.retired_at,
        }
    }
}

impl From<&KeyMaterial> for StoredKey {
    fn from(k: &KeyMaterial) -> Self {
        StoredKey {
            kid: k.kid.clone(),
            alg: k.alg.clone(),
            private_der: k.private_der.clone(),
            created_at: k.created_at,
            retired_at: k.retired_at,
        }
    }
}

/// Active keys and keys retired after `retired_after` (still published for verification).
pub fn list_publishable_keys(
    conn: &mut DbConnection,
    retired_after: i64,
) -> QueryResult<Vec<KeyMaterial>> {
    let rows: Vec<StoredKey> = signing_keys::table
        .filter(
            signing_keys::retired_at
                .is_null()
                .or(signing_keys::retired_at.gt(retired_after)),
        )
        .order(signing_keys::created_at.desc())
        .load(conn)?;
    Ok(rows.into_iter().map(KeyMaterial::from).collect())
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
pub fn rotate_key(conn: &mut DbConnection, key: &KeyMaterial, now: i64) -> QueryResult<()> {
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
            .values(StoredKey::from(key))
            .execute(conn)?;
        Ok(())
    })
}
