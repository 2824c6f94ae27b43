//! The outbox: mails queued in the transaction of what they announce, and claimed, sent and
//! settled by the sender of whichever instance gets to them first. A claim is a lease
//! (`claimed_by`, `claimed_until`): a sender that dies mid-send leaves a claim that runs out,
//! and the mail is due again.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::DbConnection;
use super::schema::outbox;

/// What a mail is about; its templates are named after it (`templates/mail/<kind>.txt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MailKind {
    /// A magic link to a landing page (`POST /api/one-time-tokens` with `send`).
    SignInLink,
    /// "Email me a sign-in link" on the hosted sign-in page: a link and a 6-digit code.
    HostedSignIn,
    /// The same request for an address with no account while sign-up is closed: says so,
    /// carries nothing usable (the page looks the same either way).
    HostedNoAccount,
    /// The code of a public registration (`signUp.verifyEmail`).
    SignUpCode,
    /// To the owner of an address someone tried to register again: no code, a notice.
    SignUpExisting,
    /// A password reset: a link and a code.
    PasswordReset,
}

impl MailKind {
    pub const ALL: [MailKind; 6] = [
        MailKind::SignInLink,
        MailKind::HostedSignIn,
        MailKind::HostedNoAccount,
        MailKind::SignUpCode,
        MailKind::SignUpExisting,
        MailKind::PasswordReset,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SignInLink => "sign_in_link",
            Self::HostedSignIn => "hosted_sign_in",
            Self::HostedNoAccount => "hosted_no_account",
            Self::SignUpCode => "sign_up_code",
            Self::SignUpExisting => "sign_up_existing",
            Self::PasswordReset => "password_reset",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// Where a mail is: waiting (maybe after failed attempts), being sent by a claimed sender,
/// sent, or given up on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    Pending,
    Sending,
    Sent,
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Sending,
        DeliveryStatus::Sent,
        DeliveryStatus::Failed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

const SENDING: &str = DeliveryStatus::Sending.as_str();

/// The longest `last_error` kept, in characters (an SMTP server's answer can be long).
pub const MAX_ERROR_CHARS: usize = 500;

/// A row of the outbox. Its `Debug` leaves out the payload, which holds a link with a token.
#[derive(Clone, Queryable, QueryableByName, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRecord {
    pub id: String,
    /// A [`MailKind`] name.
    pub kind: String,
    pub recipient: String,
    pub locale: String,
    /// The template's values, a JSON object of strings; empty once the mail is settled.
    pub payload: String,
    /// A [`DeliveryStatus`] name.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: i64,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<i64>,
    pub one_time_token_id: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

impl std::fmt::Debug for OutboxRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxRecord")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl OutboxRecord {
    /// A new pending mail, due at once.
    pub fn pending(
        kind: MailKind,
        recipient: &str,
        locale: &str,
        payload: String,
        one_time_token_id: Option<String>,
        now: i64,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().simple().to_string(),
            kind: kind.as_str().to_owned(),
            recipient: recipient.to_owned(),
            locale: locale.to_owned(),
            payload,
            status: DeliveryStatus::Pending.as_str().to_owned(),
            attempts: 0,
            last_error: None,
            next_attempt_at: now,
            claimed_by: None,
            claimed_until: None,
            one_time_token_id,
            created_at: now,
            finished_at: None,
        }
    }

    /// The stored status; anything else (written by hand) reads as failed: never sent again.
    pub fn delivery(&self) -> Delivery {
        Delivery {
            status: DeliveryStatus::parse(&self.status).unwrap_or(DeliveryStatus::Failed),
            attempts: self.attempts,
            last_error: self.last_error.clone(),
        }
    }
}

/// How a mail's delivery stands, as `GET /api/one-time-tokens/{id}` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
}

pub fn enqueue(conn: &mut DbConnection, mail: &OutboxRecord) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(mail)
        .execute(conn)
        .map(drop)
}

/// Claims up to `limit` due mails for the sender `by` until `until` (epoch ms), counting an
/// attempt each: pending mails whose time has come, and mails whose sender's lease ran out.
/// On PostgreSQL, rows another sender is claiming right now are skipped, not waited for; SQLite
/// has one writer anyway. Each mail is claimed by one sender at a time.
pub fn claim(
    conn: &mut DbConnection,
    by: &str,
    until: i64,
    now: i64,
    limit: i64,
) -> QueryResult<Vec<OutboxRecord>> {
    let skip_locked = match conn {
        DbConnection::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        DbConnection::Sqlite(_) => "",
    };
    // Parameters first appear in order ($1, $2, $3, $4): SQLite numbers them so.
    diesel::sql_query(format!(
        "UPDATE outbox SET status = 'sending', claimed_by = $1, claimed_until = $2, \
           next_attempt_at = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM outbox \
           WHERE status IN ('pending', 'sending') AND next_attempt_at <= $3 \
           ORDER BY next_attempt_at LIMIT $4{skip_locked}) \
         RETURNING *"
    ))
    .bind::<Text, _>(by)
    .bind::<BigInt, _>(until)
    .bind::<BigInt, _>(now)
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// The row of `id` while still claimed by `by` (a claim that ran out and was taken over is
/// not `by`'s any more).
macro_rules! claimed_by {
    ($id:expr, $by:expr) => {
        outbox::table.filter(
            outbox::id
                .eq($id)
                .and(outbox::claimed_by.eq($by))
                .and(outbox::status.eq(SENDING)),
        )
    };
}

/// The mail went out: sent, its payload (the link) blanked. `false` when the claim was lost.
pub fn mark_sent(conn: &mut DbConnection, id: &str, by: &str, now: i64) -> QueryResult<bool> {
    diesel::update(claimed_by!(id, by))
        .set((
            outbox::status.eq(DeliveryStatus::Sent.as_str()),
            outbox::payload.eq(""),
            outbox::finished_at.eq(Some(now)),
            outbox::claimed_by.eq(None::<String>),
            outbox::claimed_until.eq(None::<i64>),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// The attempt failed and another is due at `next_attempt_at`.
pub fn mark_retry(
    conn: &mut DbConnection,
    id: &str,
    by: &str,
    error: &str,
    next_attempt_at: i64,
) -> QueryResult<bool> {
    diesel::update(claimed_by!(id, by))
        .set((
            outbox::status.eq(DeliveryStatus::Pending.as_str()),
            outbox::last_error.eq(Some(bounded(error))),
            outbox::next_attempt_at.eq(next_attempt_at),
            outbox::claimed_by.eq(None::<String>),
            outbox::claimed_until.eq(None::<i64>),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// The mail is given up on: failed, its payload blanked.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: &str,
    by: &str,
    error: &str,
    now: i64,
) -> QueryResult<bool> {
    diesel::update(claimed_by!(id, by))
        .set((
            outbox::status.eq(DeliveryStatus::Failed.as_str()),
            outbox::payload.eq(""),
            outbox::last_error.eq(Some(bounded(error))),
            outbox::finished_at.eq(Some(now)),
            outbox::claimed_by.eq(None::<String>),
            outbox::claimed_until.eq(None::<i64>),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// At most [`MAX_ERROR_CHARS`] characters of `error`.
pub fn bounded(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}

/// The delivery of the mail that announced a one-time token, if one was sent for it.
pub fn delivery_of_token(conn: &mut DbConnection, token_id: &str) -> QueryResult<Option<Delivery>> {
    let row: Option<OutboxRecord> = outbox::table
        .filter(outbox::one_time_token_id.eq(token_id))
        .order(outbox::created_at.desc())
        .first(conn)
        .optional()?;
    Ok(row.map(|r| r.delivery()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_are_their_names() {
        for kind in MailKind::ALL {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
        }
        for status in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(status.as_str()), Some(status));
        }
        let mut odd =
            OutboxRecord::pending(MailKind::SignInLink, "a@x.io", "en", "{}".into(), None, 0);
        odd.status = "bogus".into();
        assert_eq!(odd.delivery().status, DeliveryStatus::Failed);
    }

    #[test]
    fn errors_are_bounded_and_payloads_never_printed() {
        assert_eq!(bounded(&"é".repeat(2000)).chars().count(), MAX_ERROR_CHARS);
        let mail = OutboxRecord::pending(
            MailKind::SignInLink,
            "a@x.io",
            "en",
            r#"{"link":"https://app.example/landing?token=SECRET"}"#.into(),
            None,
            0,
        );
        assert!(!format!("{mail:?}").contains("SECRET"));
    }
}
