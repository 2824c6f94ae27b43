//! Mail templates: a plain-text part (its first line `Subject: ...`) and an HTML part per kind,
//! `<kind>.txt` / `.html`, optionally per locale, `<kind>.<locale>.txt`. The built-in ones are
//! `templates/mail/`, one per kind, their words Fluent messages (`locales/<lang>/mail.ftl`,
//! in every language Sesame speaks); files of `mail_templates_dir` replace them file by file.
//! `{{name}}` is replaced by the mail's value of that name, `{{t:key}}` by the message `key`
//! in the mail's language with the mail's values as its arguments (both HTML-escaped in the
//! HTML part).

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use crate::i18n::{self, Locale, escape_html};
use crate::storage::outbox::MailKind;

/// The built-in templates, by file name.
const BUILT_IN: &[(&str, &str)] = &[
    (
        "sign_in_link.txt",
        include_str!("../../templates/mail/sign_in_link.txt"),
    ),
    (
        "sign_in_link.html",
        include_str!("../../templates/mail/sign_in_link.html"),
    ),
    (
        "hosted_sign_in.txt",
        include_str!("../../templates/mail/hosted_sign_in.txt"),
    ),
    (
        "hosted_sign_in.html",
        include_str!("../../templates/mail/hosted_sign_in.html"),
    ),
    (
        "hosted_no_account.txt",
        include_str!("../../templates/mail/hosted_no_account.txt"),
    ),
    (
        "hosted_no_account.html",
        include_str!("../../templates/mail/hosted_no_account.html"),
    ),
    (
        "sign_up_code.txt",
        include_str!("../../templates/mail/sign_up_code.txt"),
    ),
    (
        "sign_up_code.html",
        include_str!("../../templates/mail/sign_up_code.html"),
    ),
    (
        "sign_up_existing.txt",
        include_str!("../../templates/mail/sign_up_existing.txt"),
    ),
    (
        "sign_up_existing.html",
        include_str!("../../templates/mail/sign_up_existing.html"),
    ),
    (
        "password_reset.txt",
        include_str!("../../templates/mail/password_reset.txt"),
    ),
    (
        "password_reset.html",
        include_str!("../../templates/mail/password_reset.html"),
    ),
];

/// The largest template file read, and how many files of a directory are read at most.
const MAX_TEMPLATE_BYTES: u64 = 256 * 1024;
const MAX_TEMPLATE_FILES: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read the mail templates in {dir}: {cause}")]
    Read { dir: String, cause: String },
    #[error("no {0} mail template")]
    Missing(String),
    #[error("the mail template {0} has no `Subject:` first line")]
    NoSubject(String),
}

/// A mail ready to be composed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// The templates in force, by file name.
#[derive(Clone, Debug)]
pub struct Templates {
    files: HashMap<String, String>,
}

impl Templates {
    pub fn built_in() -> Self {
        Self {
            files: BUILT_IN
                .iter()
                .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
                .collect(),
        }
    }

    /// The built-in templates, with the `.txt` and `.html` files of `dir` (if given) in place
    /// of theirs. Every text template is checked to have its subject line.
    pub fn load(dir: Option<&Path>) -> Result<Self, TemplateError> {
        let mut templates = Self::built_in();
        if let Some(dir) = dir {
            let failed = |cause: std::io::Error| TemplateError::Read {
                dir: dir.display().to_string(),
                cause: cause.to_string(),
            };
            for entry in std::fs::read_dir(dir)
                .map_err(failed)?
                .take(MAX_TEMPLATE_FILES)
            {
                let path = entry.map_err(failed)?.path();
                let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                if !(name.ends_with(".txt") || name.ends_with(".html")) {
                    continue;
                }
                if std::fs::metadata(&path).map_err(failed)?.len() > MAX_TEMPLATE_BYTES {
                    continue;
                }
                let text = std::fs::read_to_string(&path).map_err(failed)?;
                templates.files.insert(name.to_owned(), text);
            }
        }
        for (name, text) in &templates.files {
            if name.ends_with(".txt") && split_subject(text).is_none() {
                return Err(TemplateError::NoSubject(name.clone()));
            }
        }
        Ok(templates)
    }

    /// The mail of `kind` in `locale` (else its language, else English) with `values`.
    pub fn render(
        &self,
        kind: MailKind,
        locale: &str,
        values: &Map<String, Value>,
    ) -> Result<Rendered, TemplateError> {
        let stem = stems(kind, locale)
            .into_iter()
            .find(|stem| self.files.contains_key(&format!("{stem}.txt")))
            .ok_or_else(|| TemplateError::Missing(kind.as_str().to_owned()))?;
        let name = format!("{stem}.txt");
        let (subject, body) = self
            .files
            .get(&name)
            .and_then(|text| split_subject(text))
            .ok_or(TemplateError::NoSubject(name))?;
        let language = crate::i18n::choose(Some(locale), None, None);
        Ok(Rendered {
            // A subject is one line, whatever a value holds.
            subject: fill(subject, language, values, |v| v.replace(['\r', '\n'], " ")),
            text: fill(body, language, values, str::to_owned),
            html: self
                .files
                .get(&format!("{stem}.html"))
                .map(|html| fill(html, language, values, escape_html)),
        })
    }
}

/// The file stems tried for `kind` in `locale`, most specific first: `sign_in_link.pt-br`,
/// `sign_in_link.pt`, `sign_in_link`.
fn stems(kind: MailKind, locale: &str) -> Vec<String> {
    let kind = kind.as_str();
    let mut stems = Vec::new();
    let locale = locale.to_ascii_lowercase();
    if !locale.is_empty() {
        stems.push(format!("{kind}.{locale}"));
        if let Some((language, _)) = locale.split_once('-') {
            stems.push(format!("{kind}.{language}"));
        }
    }
    stems.push(kind.to_owned());
    stems
}

/// The subject (first line, after `Subject:`) and the body (after the blank line below it).
fn split_subject(text: &str) -> Option<(&str, &str)> {
    let (first, rest) = text.split_once('\n')?;
    let subject = first
        .trim_end_matches('\r')
        .strip_prefix("Subject:")?
        .trim();
    Some((subject, rest.trim_start_matches(['\r', '\n'])))
}

/// `template` with each `{{name}}` replaced by `values[name]` (an unknown name by nothing) and
/// each `{{t:key}}` by the message in `language`, both passed through `escape`.
fn fill(
    template: &str,
    language: Locale,
    values: &Map<String, Value>,
    escape: impl Fn(&str) -> String,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = rest[start + 2..start + 2 + len].trim();
        if let Some(key) = name.strip_prefix("t:") {
            let args = values
                .iter()
                .filter_map(|(name, value)| Some((name.as_str(), value.as_str()?)));
            out.push_str(&escape(&i18n::t_values(language, key.trim(), args)));
        } else if let Some(value) = values.get(name).and_then(Value::as_str) {
            out.push_str(&escape(value));
        }
        rest = &rest[start + 2 + len + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Map<String, Value> {
        serde_json::json!({
            "link": "https://app.example/in?token=t&email=a%40x.io",
            "email": "a@x.io",
            "expires_in_minutes": "10",
        })
        .as_object()
        .cloned()
        .expect("object")
    }

    #[test]
    fn the_built_in_sign_in_link_mail_has_both_parts_in_each_language() {
        let templates = Templates::load(None).expect("built-in templates are valid");
        let en = templates
            .render(MailKind::SignInLink, "en", &values())
            .expect("en");
        assert_eq!(en.subject, "Your sign-in link");
        assert!(
            en.text
                .contains("https://app.example/in?token=t&email=a%40x.io")
        );
        let html = en.html.expect("html part");
        assert!(
            html.contains(r#"href="https://app.example/in?token=t&amp;email=a%40x.io""#),
            "{html}"
        );
        let de = templates
            .render(MailKind::SignInLink, "de-at", &values())
            .expect("de");
        assert_eq!(
            de.subject, "Ihr Anmeldelink",
            "the language of a regional tag"
        );
        let unknown = templates
            .render(MailKind::SignInLink, "fr", &values())
            .expect("fallback");
        assert_eq!(unknown.subject, "Your sign-in link", "English otherwise");
        for locale in Locale::ALL {
            let mail = templates
                .render(MailKind::SignInLink, locale.as_str(), &values())
                .expect("each language");
            let html = mail.html.expect("html part");
            assert!(mail.text.contains("10"), "{locale:?}: {}", mail.text);
            assert!(
                html.contains(&format!(r#"lang="{}""#, locale.as_str())),
                "{html}"
            );
            if locale != Locale::En {
                assert_ne!(mail.subject, en.subject, "{locale:?} is translated");
            }
        }
    }

    #[test]
    fn values_are_escaped_for_html_and_kept_on_one_line_in_the_subject() {
        let v = serde_json::json!({"x": "<b>\"a\" & 'b'\r\nBcc: evil</b>"});
        let v = v.as_object().expect("object");
        assert_eq!(
            fill("[{{x}}]", Locale::En, v, escape_html),
            "[&lt;b&gt;&quot;a&quot; &amp; &#39;b&#39;\r\nBcc: evil&lt;/b&gt;]"
        );
        assert_eq!(
            fill("{{ x }}", Locale::En, v, |s| s.replace(['\r', '\n'], " ")),
            "<b>\"a\" & 'b'  Bcc: evil</b>"
        );
        assert_eq!(
            fill("a {{unknown}} b {{", Locale::En, v, str::to_owned),
            "a  b {{"
        );
        let email = serde_json::json!({"email": "<a@x.io>"});
        assert_eq!(
            fill(
                "{{t:sign-in-link-intro}}",
                Locale::En,
                email.as_object().expect("object"),
                escape_html
            ),
            "use this link to sign in as &lt;a@x.io&gt;:",
            "a message's arguments are escaped with it"
        );
    }

    #[test]
    fn a_directory_replaces_templates_file_by_file() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(
            dir.path().join("sign_in_link.txt"),
            "Subject: Welcome to Acme\n\nClick {{link}}\n",
        )
        .expect("write");
        let templates = Templates::load(Some(dir.path())).expect("valid");
        let en = templates
            .render(MailKind::SignInLink, "en", &values())
            .expect("en");
        assert_eq!(en.subject, "Welcome to Acme");
        assert_eq!(
            en.text,
            "Click https://app.example/in?token=t&email=a%40x.io\n"
        );
        assert!(en.html.is_some(), "the built-in HTML part stays");
        std::fs::write(dir.path().join("sign_in_link.fr.txt"), "no subject\n").expect("write");
        assert!(matches!(
            Templates::load(Some(dir.path())),
            Err(TemplateError::NoSubject(_))
        ));
        assert!(Templates::load(Some(&dir.path().join("missing"))).is_err());
    }
}
