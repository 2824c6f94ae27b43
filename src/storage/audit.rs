//! The audit log: one row per lifecycle event, never updated.

use diesel::prelude::*;

use super::DbConnection;
use super::one_time_tokens::TokenStatus;
use super::schema::audit_log;
use super::statement::Prepare;

/// What happened to a token: its status changes, and the events that are not statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditEvent {
    Created,
    /// A check failed; the entry's `detail` says why.
    VerificationFailed,
    /// The token was set to this status (consumed by a redemption, or by the Management API).
    Status(TokenStatus),
    Deleted,
}

impl AuditEvent {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::VerificationFailed => "verification_failed",
            Self::Status(status) => status.as_str(),
            Self::Deleted => "deleted",
        }
    }
}

impl From<TokenStatus> for AuditEvent {
    fn from(status: TokenStatus) -> Self {
        Self::Status(status)
    }
}

#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRecord {
    pub id: String,
    /// An [`AuditEvent`] name.
    pub event: String,
    pub token_id: Option<String>,
    pub application_id: Option<String>,
    pub client_ip: Option<String>,
    pub detail: Option<String>,
    pub created_at: i64,
}

pub fn record(conn: &mut DbConnection, entry: &AuditRecord) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(entry)
        .returning(audit_log::id)
        .prepared()
        .get_result::<String>(conn)
        .map(drop)
}

pub fn for_token(conn: &mut DbConnection, token_id: &str) -> QueryResult<Vec<AuditRecord>> {
    audit_log::table
        .filter(audit_log::token_id.eq(token_id))
        .order((audit_log::created_at.asc(), audit_log::id.asc()))
        .load(conn)
}
