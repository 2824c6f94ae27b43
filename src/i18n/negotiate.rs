//! Which language a page is shown in: the `ui_locales` of the authorization request (OIDC
//! Core 3.1.2.1: space-separated BCP 47 tags, most preferred first), then the account's stored
//! language, then the browser's `Accept-Language` (RFC 9110 12.5.4: weighted by `q`), else
//! English. A tag matches by its language alone (`de-AT` is German); any Chinese is the
//! Traditional Chinese we have. A source that names nothing we speak passes to the next.

use super::Locale;

/// The language of a page, from what the request, the account and the browser say.
pub fn choose(
    ui_locales: Option<&str>,
    account_locale: Option<&str>,
    accept_language: Option<&str>,
) -> Locale {
    ui_locales
        .and_then(|list| first_supported(list.split_ascii_whitespace()))
        .or_else(|| account_locale.and_then(by_language))
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or_default()
}

/// The first of `tags` (most preferred first) that names a language we speak.
pub fn first_supported<'a>(tags: impl IntoIterator<Item = &'a str>) -> Option<Locale> {
    tags.into_iter().find_map(by_language)
}

/// The language of one BCP 47 tag, by its primary subtag.
fn by_language(tag: &str) -> Option<Locale> {
    let primary = tag.trim().split(['-', '_']).next()?;
    let locale = match primary.to_ascii_lowercase().as_str() {
        "en" => Locale::En,
        "de" => Locale::De,
        "es" => Locale::Es,
        "ko" => Locale::Ko,
        "sv" => Locale::Sv,
        "zh" => Locale::ZhTw,
        _ => return None,
    };
    Some(locale)
}

/// The most wanted language of an `Accept-Language` value we speak; among equal weights, the
/// one named first. `q=0` means "not this one"; `*` names nothing in particular.
fn from_accept_language(header: &str) -> Option<Locale> {
    let mut ranges: Vec<(u16, Locale)> = header
        .split(',')
        .take(MAX_RANGES)
        .filter_map(|range| {
            let mut parts = range.split(';');
            let locale = by_language(parts.next()?)?;
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(weight))
                .unwrap_or(Some(1000))?;
            (weight > 0).then_some((weight, locale))
        })
        .collect();
    // Stable: equal weights keep their order.
    ranges.sort_by_key(|(weight, _)| std::cmp::Reverse(*weight));
    ranges.first().map(|(_, locale)| *locale)
}

/// A header longer than this many ranges is read no further (no browser sends as many).
const MAX_RANGES: usize = 32;

/// A `q` value in thousandths (`0.8` is 800); `None` when it is not one.
fn weight(q: &str) -> Option<u16> {
    let q = q.trim();
    let (whole, fraction) = q.split_once('.').unwrap_or((q, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = match whole {
        "0" => format!("{fraction:0<3}").parse::<u16>().ok()?,
        "1" if fraction.bytes().all(|b| b == b'0') => 1000,
        _ => return None,
    };
    Some(thousandths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Locale::*;

    #[test]
    fn each_source_in_its_order() {
        // ui_locales, the account's, Accept-Language: the language.
        type Row<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, Locale);
        let rows: &[Row] = &[
            (None, None, None, En),
            (Some("de"), Some("ko"), Some("sv"), De),
            (Some("fr de-AT"), None, None, De),
            (Some("fr it"), Some("ko"), Some("sv"), Ko),
            (Some(""), Some("ko"), None, Ko),
            (None, Some("es"), Some("sv"), Es),
            (None, Some("fr"), Some("sv"), Sv),
            (None, None, Some("fr, it;q=0.5"), En),
            (Some("zh-TW"), None, None, ZhTw),
            (Some("zh-Hant"), None, None, ZhTw),
            (Some("zh-HK"), None, None, ZhTw),
            (Some("zh"), None, None, ZhTw),
            (Some("ZH_tw"), None, None, ZhTw),
            (Some("en-GB sv"), None, None, En),
            (Some("sv-FI"), None, None, Sv),
            (Some("es-419"), None, None, Es),
            (Some("ko-KR"), None, None, Ko),
            (Some("x-klingon"), None, None, En),
        ];
        for (ui, account, accept, expected) in rows {
            assert_eq!(
                choose(*ui, *account, *accept),
                *expected,
                "{ui:?} {account:?} {accept:?}"
            );
        }
    }

    #[test]
    fn accept_language_goes_by_weight() {
        let rows: &[(&str, Option<Locale>)] = &[
            ("de", Some(De)),
            ("fr-CH, fr;q=0.9, de;q=0.8, *;q=0.5", Some(De)),
            ("ko;q=0.5, sv;q=0.7", Some(Sv)),
            ("ko;q=0.5, sv;q=0.5", Some(Ko)),
            ("sv;q=0, es", Some(Es)),
            ("sv;q=0", None),
            ("sv;q=1.0", Some(Sv)),
            ("sv;q=0.001", Some(Sv)),
            ("de;q=2, es;q=0.1", Some(Es)),
            ("de;q=abc, es;q=0.1", Some(Es)),
            ("de;q=0.1234, es;q=0.1", Some(Es)),
            ("zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7", Some(ZhTw)),
            ("*", None),
            ("", None),
            (" , ;;, de ", Some(De)),
        ];
        for (header, expected) in rows {
            assert_eq!(from_accept_language(header), *expected, "{header:?}");
        }
    }

    #[test]
    fn a_long_header_is_read_only_so_far() {
        let header = format!("{}de", "fr, ".repeat(100));
        assert_eq!(from_accept_language(&header), None);
    }
}
