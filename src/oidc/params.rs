//! Request parameters from a query string or a form body, with RFC 6749 3.1's rule that a
//! parameter must not appear twice.

use std::collections::HashMap;

/// The parameters of one request. They may carry secrets (`client_secret`, `code`,
/// `refresh_token`, `code_verifier`, ...), so `Debug` shows the names only.
#[derive(Default)]
pub struct Params {
    values: HashMap<String, String>,
    repeated: Vec<String>,
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&str> = self.values.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("Params")
            .field("names", &names)
            .field("repeated", &self.repeated)
            .finish()
    }
}

impl Params {
    /// Parses `application/x-www-form-urlencoded` text (a query string or a form body).
    pub fn parse(encoded: &[u8]) -> Result<Self, String> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(encoded)
            .map_err(|_| "the parameters are not valid form encoding".to_owned())?;
        let mut params = Params::default();
        for (name, value) in pairs {
            match params.values.entry(name) {
                std::collections::hash_map::Entry::Occupied(seen) => {
                    if !params.repeated.contains(seen.key()) {
                        params.repeated.push(seen.key().clone());
                    }
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
            }
        }
        Ok(params)
    }

    /// The value of `name`; empty values count as absent (RFC 6749 3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn is_repeated(&self, name: &str) -> bool {
        self.repeated.iter().any(|r| r == name)
    }

    pub fn first_repeated(&self) -> Option<&str> {
        self.repeated.first().map(String::as_str)
    }

    /// The first parameter, in name order, whose name is longer than `max_name` bytes or whose
    /// value is longer than `cap(name)` bytes; for length caps checked before any value is used.
    pub fn first_too_long(&self, max_name: usize, cap: impl Fn(&str) -> usize) -> Option<&str> {
        let mut names: Vec<&str> = self.values.keys().map(String::as_str).collect();
        names.sort_unstable();
        names.into_iter().find(|name| {
            name.len() > max_name || self.values.get(*name).is_some_and(|v| v.len() > cap(name))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Params;

    #[test]
    fn reads_values_and_notices_repeats() {
        let p = Params::parse(b"a=1&b=x%20y&a=2&c=").expect("parse");
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), Some("x y"));
        assert_eq!(p.get("c"), None);
        assert!(p.is_repeated("a"));
        assert_eq!(p.first_repeated(), Some("a"));
    }

    #[test]
    fn finds_the_first_parameter_over_its_cap() {
        let p = Params::parse(b"a=12&b=1234&c=123456&long_name=1").expect("parse");
        let cap = |name: &str| if name == "c" { 6 } else { 3 };
        assert_eq!(p.first_too_long(16, cap), Some("b"));
        assert_eq!(p.first_too_long(16, |_| 6), None);
        assert_eq!(p.first_too_long(4, |_| 6), Some("long_name"));
    }

    #[test]
    fn debug_output_names_parameters_but_shows_no_value() {
        let p = Params::parse(b"client_id=web&client_secret=hunter2&code=c0de").expect("parse");
        let shown = format!("{p:?}");
        assert!(shown.contains("client_secret"), "{shown}");
        for value in ["web", "hunter2", "c0de"] {
            assert!(!shown.contains(value), "{shown}");
        }
    }
}
