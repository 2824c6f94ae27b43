//! TOTP enrollments and backup codes. A TOTP step and a backup code are each accepted by one
//! conditional UPDATE, so a code replayed (or raced) is refused.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::{mfa_backup_codes, mfa_totp};

/// The user's TOTP secret (base32) and the newest step already accepted.
pub fn find_totp(conn: &mut DbConnection, user_id: &str) -> QueryResult<Option<(String, i64)>> {
    mfa_totp::table
        .find(user_id)
        .select((mfa_totp::secret, mfa_totp::last_step))
        .get_result(conn)
        .optional()
}

/// Stores a verified enrollment with fresh backup codes, only if the user has none: in one
/// transaction, the authenticator is inserted (never replaced: an existing row, or one a
/// concurrent enrollment commits first under the primary key, stops it) and the backup codes
/// only with it. `first_step` is the step the enrollment code was accepted at. Returns whether
/// this enrollment was stored (false: the user already has an authenticator).
pub fn enroll_totp(
    conn: &mut DbConnection,
    user_id: &str,
    secret: &str,
    first_step: i64,
    backup_code_hashes: &[String],
    now: i64,
) -> QueryResult<bool> {
    let stored = conn.transaction(|conn| {
        // The primary key makes this insert fail when the user has an authenticator.
        diesel::insert_into(mfa_totp::table)
            .values((
                mfa_totp::user_id.eq(user_id),
                mfa_totp::secret.eq(secret),
                mfa_totp::last_step.eq(first_step),
                mfa_totp::created_at.eq(now),
            ))
            .execute(conn)?;
        // Codes left from an authenticator removed earlier are not this enrollment's.
        diesel::delete(mfa_backup_codes::table.filter(mfa_backup_codes::user_id.eq(user_id)))
            .execute(conn)?;
        for hash in backup_code_hashes {
            diesel::insert_into(mfa_backup_codes::table)
                .values((
                    mfa_backup_codes::user_id.eq(user_id),
                    mfa_backup_codes::code_hash.eq(hash),
                ))
                .execute(conn)?;
        }
        QueryResult::Ok(())
    });
    match stored {
        Ok(()) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Removes the user's authenticator and backup codes (the user is asked to enroll again where
/// the policy wants a second factor).
pub fn remove_enrollment(conn: &mut DbConnection, user_id: &str) -> QueryResult<()> {
    diesel::delete(mfa_backup_codes::table.filter(mfa_backup_codes::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(mfa_totp::table.filter(mfa_totp::user_id.eq(user_id))).execute(conn)?;
    Ok(())
}

/// Accepts TOTP step `step` if it is newer than every step accepted before.
pub fn accept_totp_step(conn: &mut DbConnection, user_id: &str, step: i64) -> QueryResult<bool> {
    let updated = diesel::update(
        mfa_totp::table.filter(
            mfa_totp::user_id
                .eq(user_id)
                .and(mfa_totp::last_step.lt(step)),
        ),
    )
    .set(mfa_totp::last_step.eq(step))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Uses a backup code once.
pub fn use_backup_code(
    conn: &mut DbConnection,
    user_id: &str,
    code_hash: &str,
    now: i64,
) -> QueryResult<bool> {
    let updated = diesel::update(
        mfa_backup_codes::table.filter(
            mfa_backup_codes::user_id
                .eq(user_id)
                .and(mfa_backup_codes::code_hash.eq(code_hash))
                .and(mfa_backup_codes::used_at.is_null()),
        ),
    )
    .set(mfa_backup_codes::used_at.eq(now))
    .execute(conn)?;
    Ok(updated == 1)
}
