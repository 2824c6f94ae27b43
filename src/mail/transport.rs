//! How a composed mail leaves: over SMTP (`smtp_url`), or, with none configured, as an `.eml`
//! file in `mail_dir` that a developer can open.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::backoff::Attempt;
use super::templates::Rendered;
use crate::config::Settings;

/// The longest an SMTP conversation may take; far below the claim's lease, so a mail is never
/// still being sent when another sender may take it over.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("invalid smtp_url: {0}")]
    SmtpUrl(String),
    #[error("invalid mail_from {0:?}: {1}")]
    From(String, String),
}

/// Where mails go.
pub enum Transport {
    Smtp(InRuntime<AsyncSmtpTransport<Tokio1Executor>>),
    Files {
        files: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
    },
}

impl Transport {
    /// The transport the settings name. SMTP connections are pooled (up to `concurrency`):
    /// build it on the runtime that will use it (the pool runs a task there).
    pub fn from_settings(settings: &Settings, concurrency: usize) -> Result<Self, TransportError> {
        let url = settings.smtp_url.expose();
        if url.is_empty() {
            let dir = PathBuf::from(&settings.mail_dir);
            return Ok(Self::Files {
                files: AsyncFileTransport::new(&dir),
                dir,
            });
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| TransportError::SmtpUrl(e.to_string()))?
            .timeout(Some(SMTP_TIMEOUT))
            .pool_config(PoolConfig::new().max_size(concurrency.clamp(1, 100) as u32));
        if !settings.smtp_password.is_empty() {
            let user = url::Url::parse(url)
                .map(|u| percent_decoded(u.username()))
                .map_err(|e| TransportError::SmtpUrl(e.to_string()))?;
            builder = builder.credentials(Credentials::new(
                user,
                settings.smtp_password.expose().to_owned(),
            ));
        }
        Ok(Self::Smtp(InRuntime(Some(builder.build()))))
    }

    /// What the startup log says: the server (without credentials) or the directory.
    pub fn describe(&self, settings: &Settings) -> String {
        match self {
            Self::Smtp(_) => url::Url::parse(settings.smtp_url.expose())
                .map(|u| {
                    format!(
                        "{}://{}:{}",
                        u.scheme(),
                        u.host_str().unwrap_or_default(),
                        u.port().map_or_else(|| "default".into(), |p| p.to_string())
                    )
                })
                .unwrap_or_default(),
            Self::Files { dir, .. } => format!("{} (.eml files)", dir.display()),
        }
    }

    /// One attempt to hand `message` over.
    pub async fn send(&self, message: Message) -> Attempt {
        match self {
            Self::Smtp(InRuntime(Some(smtp))) => match smtp.send(message).await {
                Ok(_) => Attempt::Sent,
                Err(e) if e.is_permanent() => Attempt::Refused(e.to_string()),
                Err(e) => Attempt::Failed(e.to_string()),
            },
            Self::Smtp(InRuntime(None)) => Attempt::Failed("the mail transport is gone".into()),
            Self::Files { files, dir } => {
                if let Err(e) = tokio::fs::create_dir_all(dir).await {
                    return Attempt::Failed(format!("cannot create {}: {e}", dir.display()));
                }
                match files.send(message).await {
                    Ok(_) => Attempt::Sent,
                    Err(e) => Attempt::Failed(e.to_string()),
                }
            }
        }
    }
}

/// A value whose `Drop` needs the Tokio runtime (the SMTP pool spawns its shutdown there):
/// dropped outside of one (a runtime being torn down), it is forgotten instead of panicking.
pub struct InRuntime<T>(Option<T>);

impl<T> Drop for InRuntime<T> {
    fn drop(&mut self) {
        if tokio::runtime::Handle::try_current().is_err() {
            std::mem::forget(self.0.take());
        }
    }
}

/// `mail_from` as a mailbox; checked at start.
pub fn sender_mailbox(settings: &Settings) -> Result<Mailbox, TransportError> {
    settings
        .mail_from
        .parse()
        .map_err(|e: lettre::address::AddressError| {
            TransportError::From(settings.mail_from.clone(), e.to_string())
        })
}

/// The message of `rendered` from `from` to `recipient`: plain text and, if the template has
/// one, an HTML alternative. Its Message-ID names the outbox row, so a mail's copies (the rare
/// resend after a lost "sent" mark) are recognisably the same mail.
pub fn compose(
    from: &Mailbox,
    recipient: &str,
    outbox_id: &str,
    rendered: Rendered,
) -> Result<Message, String> {
    let to: Mailbox = recipient
        .parse()
        .map_err(|e| format!("the recipient cannot be mailed: {e}"))?;
    let domain = from.email.domain().to_owned();
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(rendered.subject)
        .message_id(Some(format!("<{outbox_id}@{domain}>")));
    let built = match rendered.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(rendered.text, html)),
        None => builder.singlepart(SinglePart::plain(rendered.text)),
    };
    built.map_err(|e| format!("the mail cannot be composed: {e}"))
}

/// `%XX` sequences decoded (a user name in a URL); anything malformed is kept as it is.
fn percent_decoded(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_percent_decoded() {
        assert_eq!(percent_decoded("me%40example.com"), "me@example.com");
        assert_eq!(percent_decoded("a%zz%4"), "a%zz%4");
    }

    #[test]
    fn a_mail_has_both_parts_and_names_its_outbox_row() {
        let from = sender_mailbox(&Settings::default()).expect("default sender");
        let message = compose(
            &from,
            "ada@example.com",
            "0192abc",
            Rendered {
                subject: "Hi".into(),
                text: "text".into(),
                html: Some("<p>html</p>".into()),
            },
        )
        .expect("composed");
        let raw = String::from_utf8(message.formatted()).expect("utf-8");
        assert!(raw.contains("Message-ID: <0192abc@localhost>"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(
            compose(
                &from,
                "not an address",
                "x",
                Rendered {
                    subject: "s".into(),
                    text: "t".into(),
                    html: None,
                }
            )
            .is_err()
        );
    }

    #[test]
    fn bad_settings_are_refused() {
        let bad_from = Settings {
            mail_from: "not an address".into(),
            ..Settings::default()
        };
        assert!(sender_mailbox(&bad_from).is_err());
    }
}
