//! The "type the code we mailed" page, shared by the verified sign-up and the password reset.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;

use crate::crypto::Secret;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::identity::email_codes::{self, CodeCheck, MAX_ATTEMPTS};
use crate::pages::render;
use crate::state::AppState;
use crate::storage::email_codes::{self as queries, EmailCodeRecord};

#[derive(Template)]
#[template(path = "email_code.html")]
pub struct CodePage<'a> {
    pub tr: Tr,
    pub csrf: &'a str,
    pub title: String,
    /// Markup of ours with the address escaped (a Fluent message marked html).
    pub intro_html: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// Where the code is posted; `None` once no code may be tried (no form then).
    pub action: Option<String>,
    pub submit: String,
    /// "Send again", where there is one.
    pub resend: Option<(String, String)>,
    /// The way to start over: its href and its words.
    pub restart: (String, String),
}

impl CodePage<'_> {
    pub fn response(&self, status: StatusCode) -> HttpResponse {
        render(status, self)
    }
}

/// A typed code (its handler is held to `MAX_FORM_BYTES`; only the first digits count).
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub code: Secret,
}

/// A form with nothing but its CSRF value ("send again").
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// What a code typed against a mailed row came to.
pub enum Typed {
    /// No attempt was left (before, or used up by racing submissions), or the row was spent:
    /// the row as it stands, with no attempt left.
    Dead(EmailCodeRecord),
    /// Counted and wrong; `left` more may be tried.
    Wrong { record: EmailCodeRecord, left: i32 },
    /// Counted and right.
    Right(EmailCodeRecord),
}

/// Counts `typed` against `record` first, in one statement (so racing submissions get
/// [`MAX_ATTEMPTS`] comparisons in all), then compares it.
pub async fn count_and_check(
    state: &AppState,
    record: EmailCodeRecord,
    typed: &str,
) -> Result<Typed, PageError> {
    let dead = |mut record: EmailCodeRecord| {
        record.attempts = MAX_ATTEMPTS;
        Typed::Dead(record)
    };
    if email_codes::is_dead(&record) {
        return Ok(dead(record));
    }
    let id = record.id.clone();
    let counted = state
        .storage
        .run(move |c| queries::count_attempt(c, &id, MAX_ATTEMPTS))
        .await?;
    let Some(counted) = counted else {
        return Ok(dead(record));
    };
    Ok(match email_codes::check(&counted, typed) {
        CodeCheck::Wrong { left } => Typed::Wrong {
            record: counted,
            left,
        },
        CodeCheck::Right => Typed::Right(counted),
    })
}
