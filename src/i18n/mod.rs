//! The languages of the hosted pages (and of mails): a closed set, the choice among them
//! ([`choose`]), and the texts, Fluent messages under `locales/<language>/`, looked up by key.
//! Nothing of Sesame's is used here; callers pass in what the request and the account say.

mod negotiate;

pub use negotiate::{choose, first_supported};

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: they would land inside attribute
        // values and break a search for the text on the page.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language Sesame speaks. English is the default and the fallback of every other.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    #[default]
    En,
    De,
    Es,
    Ko,
    Sv,
    /// Traditional Chinese as written in Taiwan.
    ZhTw,
}

static EN: LanguageIdentifier = langid!("en");
static DE: LanguageIdentifier = langid!("de");
static ES: LanguageIdentifier = langid!("es");
static KO: LanguageIdentifier = langid!("ko");
static SV: LanguageIdentifier = langid!("sv");
static ZH_TW: LanguageIdentifier = langid!("zh-TW");

impl Locale {
    pub const ALL: [Locale; 6] = [
        Locale::En,
        Locale::De,
        Locale::Es,
        Locale::Ko,
        Locale::Sv,
        Locale::ZhTw,
    ];

    /// The BCP 47 tag, as in `ui_locales_supported`, `<html lang>` and the `locales/` folder.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Es => "es",
            Self::Ko => "ko",
            Self::Sv => "sv",
            Self::ZhTw => "zh-TW",
        }
    }

    /// One of the six tags exactly (without regard to case), as stored and as the Management
    /// API takes it.
    pub fn parse(tag: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(tag))
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Self::En => &EN,
            Self::De => &DE,
            Self::Es => &ES,
            Self::Ko => &KO,
            Self::Sv => &SV,
            Self::ZhTw => &ZH_TW,
        }
    }
}

/// The message `key` in `locale` (English when the language lacks it, the key's name when
/// English lacks it too: a test keeps every language complete).
pub fn t(locale: Locale, key: &str) -> String {
    LOCALES.lookup(locale.id(), key)
}

/// The message `key` in `locale` with its arguments filled in.
pub fn t_args(locale: Locale, key: &str, args: &[(&'static str, &dyn Display)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.to_string())))
        .collect();
    LOCALES.lookup_with_args(locale.id(), key, &args)
}

/// The message `key` in `locale` with arguments named at run time (a mail's values).
pub fn t_values<'a>(
    locale: Locale,
    key: &str,
    args: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .into_iter()
        .map(|(name, value)| (Cow::Owned(name.to_owned()), FluentValue::from(value)))
        .collect();
    LOCALES.lookup_with_args(locale.id(), key, &args)
}

/// Every argument name a message takes (pages and mails).
pub const ARGUMENTS: [&str; 10] = [
    "app",
    "email",
    "min",
    "max",
    "link",
    "expires_in_minutes",
    "seconds",
    "left",
    "code",
    "minutes",
];

/// Whether `locale` itself (not its fallback) has the message `key`, and it comes out whole
/// with [`ARGUMENTS`] given (a misspelt argument would not).
pub fn has(locale: Locale, key: &str) -> bool {
    let args: HashMap<&str, FluentValue> = ARGUMENTS
        .iter()
        .map(|name| (*name, FluentValue::from("x")))
        .collect();
    LOCALES
        .lookup_single_language(locale.id(), key, Some(&args))
        .is_ok()
}

/// The texts of one page in one language, for templates: `{{ tr.t("sign-in-title") }}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tr(pub Locale);

impl Tr {
    /// For `<html lang="...">`.
    pub fn lang(&self) -> &'static str {
        self.0.as_str()
    }

    pub fn t(&self, key: &str) -> String {
        t(self.0, key)
    }

    /// A message with one argument (escaped by the template like any other text).
    pub fn t1(&self, key: &str, name: &'static str, value: impl Display) -> String {
        t_args(self.0, key, &[(name, &value)])
    }

    /// A message with two arguments.
    pub fn t2(
        &self,
        key: &str,
        name1: &'static str,
        value1: impl Display,
        name2: &'static str,
        value2: impl Display,
    ) -> String {
        t_args(self.0, key, &[(name1, &value1), (name2, &value2)])
    }

    /// A message marked (html), which holds markup of ours, with one argument: the argument
    /// is escaped here, so the template shows the result as it is (`|safe`).
    pub fn html1(&self, key: &str, name: &'static str, value: impl Display) -> String {
        self.t1(key, name, escape_html(&value.to_string()))
    }

    /// A message marked (html) with two arguments, escaped here.
    pub fn html2(
        &self,
        key: &str,
        name1: &'static str,
        value1: impl Display,
        name2: &'static str,
        value2: impl Display,
    ) -> String {
        let (value1, value2) = (
            escape_html(&value1.to_string()),
            escape_html(&value2.to_string()),
        );
        self.t2(key, name1, value1, name2, value2)
    }
}

/// `text` safe inside HTML text and attribute values of ours (messages marked (html), the
/// HTML part of a mail).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_read_as_they_are_written() {
        for locale in Locale::ALL {
            assert_eq!(Locale::parse(locale.as_str()), Some(locale));
            assert_eq!(locale.id().to_string(), locale.as_str());
        }
        assert_eq!(Locale::parse("ZH-tw"), Some(Locale::ZhTw));
        assert_eq!(Locale::parse("fr"), None);
        assert_eq!(Locale::parse("de-AT"), None);
    }

    #[test]
    fn messages_are_found_in_each_language() {
        assert_eq!(t(Locale::En, "sign-in-title"), "Sign in");
        assert_eq!(t(Locale::De, "sign-in-title"), "Anmelden");
        assert_eq!(t(Locale::ZhTw, "sign-in-title"), "登入");
        for locale in Locale::ALL {
            assert!(has(locale, "link-error-token_expired"), "{locale:?}");
        }
        assert!(!has(Locale::En, "no-such-key"));
    }

    #[test]
    fn arguments_are_put_in_without_isolation_marks() {
        let text = t_args(Locale::En, "continue-as", &[("email", &"a@b.io")]);
        assert_eq!(text, "Continue as a@b.io");
    }

    #[test]
    fn html_messages_escape_their_arguments() {
        let tr = Tr(Locale::En);
        let text = tr.html1("switch-signed-in-as", "email", "<b>\"x\"</b>");
        assert_eq!(
            text,
            "You are signed in as <strong>&lt;b&gt;&quot;x&quot;&lt;/b&gt;</strong>."
        );
    }
}
