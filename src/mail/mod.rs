//! Mail: the templates, the transport (SMTP, or `.eml` files without one) and the sender that
//! empties the outbox. Whatever Sesame mails is queued in the outbox (`storage::outbox`) in
//! the transaction of what it announces, and leaves through here: at least once, in practice
//! exactly once, whichever instance gets to it, whatever restarts in between.

pub mod backoff;
pub mod sender;
pub mod templates;
pub mod transport;

pub use sender::{Running, spawn};
pub use templates::Templates;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(transparent)]
    Transport(#[from] transport::TransportError),
    #[error(transparent)]
    Templates(#[from] templates::TemplateError),
}

/// The templates the settings name (built-in, or replaced from `mail_templates_dir`).
pub fn load_templates(settings: &crate::config::Settings) -> Result<Templates, MailError> {
    let dir = (!settings.mail_templates_dir.is_empty())
        .then(|| std::path::Path::new(&settings.mail_templates_dir));
    Ok(Templates::load(dir)?)
}
