//! The "type the code we mailed" page, shared by the verified sign-up and the password reset.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;

use crate::crypto::Secret;
use crate::i18n::Tr;
use crate::pages::render;

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
