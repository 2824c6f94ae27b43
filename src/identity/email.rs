use serde::{Deserialize, Serialize};

/// An email address that passed a deliberately simple syntax check (one `@`, a dotted domain,
/// no spaces or control characters, RFC 5321 length). Kept as typed; compared lowercased.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim();
        let invalid = || format!("{email:?} is not a valid email address");
        if email.is_empty() || email.len() > 254 {
            return Err(invalid());
        }
        let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
        let bad_char =
            |c: char| c.is_whitespace() || c.is_control() || c == '@' || c == '<' || c == '>';
        if local.is_empty()
            || local.len() > 64
            || local.chars().any(bad_char)
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || domain
                .chars()
                .any(|c| bad_char(c) || !(c.is_alphanumeric() || c == '.' || c == '-'))
        {
            return Err(invalid());
        }
        Ok(Self(email.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for comparison and lookup.
    pub fn normalized(&self) -> String {
        Self::normalize(&self.0)
    }

    /// Whether both name the same mailbox (compared in their normalized form).
    pub fn same_address(&self, other: &Email) -> bool {
        self.normalized() == other.normalized()
    }

    /// The normalized form of text typed as an address, valid or not (e.g. to key a rate
    /// limit on what was typed): the one place an address is normalised.
    pub fn normalize(raw: &str) -> String {
        raw.trim().to_lowercase()
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in ["a@b.co", "First.Last+tag@Example.COM", "  x@y.org "] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            Email::parse("A@B.Co").map(|e| e.normalized()),
            Ok("a@b.co".into())
        );
        let (upper, lower) = (Email::parse("A@B.Co"), Email::parse("a@b.co"));
        assert!(matches!((upper, lower), (Ok(u), Ok(l)) if u.same_address(&l)));
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "", "plain", "@b.co", "a@", "a@b", "a b@c.de", "a@b..c", "a@.b.c", "a@b.c.", "a@@b.co",
            "a@b_c.de",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
