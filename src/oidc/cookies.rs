//! Sesame's cookies, named and scoped in one place. Behind an https public URL each carries
//! the `__Host-` prefix: a browser accepts such a cookie only from a secure origin, with
//! `Secure`, `Path=/` and no `Domain`, so neither a sibling subdomain nor a plain-http page
//! can plant or shadow one (cookie tossing, session fixation). Over http (development, tests)
//! the names and paths stay plain, since browsers drop `Secure` cookies there.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};

use crate::config::Settings;

/// Every cookie Sesame sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SesameCookie {
    /// The browser's sign-in session (its random value; the database holds the hash).
    Session,
    /// The secret of the sign-in in progress, which its hosted pages check.
    Interaction,
}

impl SesameCookie {
    /// The name under `settings`: `__Host-` prefixed behind https.
    pub fn name(self, settings: &Settings) -> &'static str {
        match (self, settings.is_https()) {
            (Self::Session, true) => "__Host-sesame_session",
            (Self::Session, false) => "sesame_session",
            (Self::Interaction, true) => "__Host-sesame_interaction",
            (Self::Interaction, false) => "sesame_interaction",
        }
    }

    /// The path: `/` for every `__Host-` cookie, the hosted pages only for the interaction's
    /// over http.
    fn path(self, settings: &Settings) -> &'static str {
        match (self, settings.is_https()) {
            (Self::Interaction, false) => "/interaction",
            _ => "/",
        }
    }

    /// This cookie as the browser sent it, under its current name only.
    pub fn read(self, req: &HttpRequest, settings: &Settings) -> Option<Cookie<'static>> {
        req.cookie(self.name(settings))
    }

    /// The cookie holding `value` for `max_age_secs`: HttpOnly, SameSite=Lax, Secure behind
    /// https, never a `Domain`.
    pub fn build(self, settings: &Settings, value: String, max_age_secs: i64) -> Cookie<'static> {
        Cookie::build(self.name(settings), value)
            .path(self.path(settings))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(settings.is_https())
            .max_age(CookieDuration::seconds(max_age_secs))
            .finish()
    }

    /// The cookie that deletes this one (same name and path).
    pub fn removal(self, settings: &Settings) -> Cookie<'static> {
        let mut c = self.build(settings, String::new(), 0);
        c.make_removal();
        c
    }
}

#[cfg(test)]
mod tests {
    use super::SesameCookie;
    use crate::config::Settings;

    #[test]
    fn host_prefixed_behind_https_only() {
        let http = Settings::default();
        let https = Settings {
            public_url: "https://id.example.com".into(),
            ..Settings::default()
        };
        for kind in [SesameCookie::Session, SesameCookie::Interaction] {
            let c = kind.build(&https, "v".into(), 60);
            assert!(c.name().starts_with("__Host-"));
            assert_eq!(
                (c.secure(), c.path(), c.domain()),
                (Some(true), Some("/"), None)
            );
            let c = kind.build(&http, "v".into(), 60);
            assert!(!c.name().starts_with("__"));
            assert_eq!(c.secure(), Some(false));
        }
        let c = SesameCookie::Interaction.removal(&http);
        assert_eq!(
            (c.name(), c.path()),
            ("sesame_interaction", Some("/interaction"))
        );
    }
}
