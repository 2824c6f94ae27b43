//! Six languages: every text in every language, and the hosted pages in the language the
//! request (`ui_locales`), the account (its stored `locale`) or the browser (`Accept-Language`)
//! asks for, in that order, else English.

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::Method;

use crate::common::rp::World;
use crate::common::{Backend, browser, location, page_html, sign_in};

/// Each language's tag and a phrase of each page we look for: the sign-in button, the switch
/// page's title, the explanation of a link that does not exist.
const LANGUAGES: &[(&str, &str, &str, &str)] = &[
    (
        "en",
        "Sign in",
        "Switch account?",
        "This sign-in link is not valid.",
    ),
    (
        "de",
        "Anmelden",
        "Konto wechseln?",
        "Dieser Anmeldelink ist ungültig.",
    ),
    (
        "es",
        "Iniciar sesión",
        "¿Cambiar de cuenta?",
        "Este enlace de inicio de sesión no es válido.",
    ),
    (
        "ko",
        "로그인",
        "계정을 전환하시겠습니까?",
        "유효하지 않은 로그인 링크입니다.",
    ),
    (
        "sv",
        "Logga in",
        "Byta konto?",
        "Inloggningslänken är inte giltig.",
    ),
    ("zh-TW", "登入", "要切換帳號嗎？", "這個登入連結無效"),
];

/// The message keys of one language's `.ftl` files.
fn keys(dir: &Path) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("language dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "ftl") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("ftl");
        for line in text.lines() {
            let Some((key, _)) = line.split_once(" =") else {
                continue;
            };
            if !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                assert!(keys.insert(key.to_owned()), "{path:?}: {key} twice");
            }
        }
    }
    keys
}

fn locales_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("locales")
}

#[test]
fn every_language_has_every_key_and_no_other() {
    let dir = locales_dir();
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .expect("locales/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut spoken: Vec<String> = sesame::i18n::Locale::ALL
        .iter()
        .map(|l| l.as_str().to_owned())
        .collect();
    spoken.sort();
    assert_eq!(found, spoken, "a folder in locales/ for each language");
    let english = keys(&dir.join("en"));
    assert!(english.len() > 50, "{english:?}");
    for locale in sesame::i18n::Locale::ALL {
        let theirs = keys(&dir.join(locale.as_str()));
        let missing: Vec<_> = english.difference(&theirs).collect();
        let extra: Vec<_> = theirs.difference(&english).collect();
        assert!(
            missing.is_empty(),
            "{}: missing {missing:?}",
            locale.as_str()
        );
        assert!(
            extra.is_empty(),
            "{}: not in English {extra:?}",
            locale.as_str()
        );
        // And each parses and answers in its own language, not by falling back.
        for key in &english {
            assert!(
                sesame::i18n::has(locale, key),
                "{}: {key} does not load",
                locale.as_str()
            );
        }
    }
}

/// Every key named in a template or in the code exists (a typo would show its name).
#[test]
fn every_key_used_exists() {
    let english = keys(&locales_dir().join("en"));
    let prefixes: BTreeSet<&str> = english.iter().filter_map(|k| k.split('-').next()).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["templates", "src"] {
        collect(&root.join(dir), &mut files);
    }
    let mut used = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        for literal in text.split('"').skip(1).step_by(2) {
            let is_key = literal.contains('-')
                && literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
                && literal
                    .split('-')
                    .next()
                    .is_some_and(|p| prefixes.contains(p));
            if is_key && !NOT_KEYS.contains(&literal) {
                used += 1;
                assert!(english.contains(literal), "{file:?}: no message {literal}");
            }
        }
    }
    assert!(used > 50, "{used} keys found in use");
    // Mail templates name their messages as `{{t:key}}`.
    let mut mail_keys = 0;
    for entry in std::fs::read_dir(root.join("templates/mail")).expect("mail templates") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("template");
        for piece in text.split("{{t:").skip(1) {
            let key = piece.split("}}").next().expect("split").trim();
            mail_keys += 1;
            assert!(english.contains(key), "{path:?}: no message {key}");
        }
    }
    assert!(mail_keys > 5, "{mail_keys} mail messages found in use");
}

/// Strings in the code that look like keys but are not.
const NOT_KEYS: &[&str] = &[
    "sign-in",
    "one-time-code",
    "current-password",
    "new-password",
    "error-code",
    "error-detail",
    "sign-out",
    "backup-codes",
    "totp-secret",
];

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
            out.push(path);
        }
    }
}

/// A browser that asks for `accept_language`.
fn browser_speaking(accept_language: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        accept_language.parse().expect("header"),
    );
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client")
}

fn assert_language(html: &str, tag: &str, phrase: &str, what: &str) {
    assert!(
        html.contains(&format!("<html lang=\"{tag}\">")),
        "{what} in {tag}: {html}"
    );
    assert!(
        html.contains(phrase),
        "{what} in {tag}: {phrase:?} in {html}"
    );
}

/// The hosted page an authorization request sends `b` to.
async fn hosted_page(w: &World, b: &reqwest::Client, url: &str) -> String {
    let r = b.get(url).send().await.expect("authorize");
    assert_eq!(r.status(), 303, "{url}");
    page_html(b, &w.app.url(&location(&r))).await
}

/// The switch page for a link to b@example.com, in a browser signed in as a@example.com.
async fn switch_page(w: &World, b: &reqwest::Client, extra: &[(&str, &str)]) -> String {
    let (_, pending) = w.new_link("b@example.com", extra).await;
    hosted_page(w, b, &pending.url).await
}

/// The page of a link whose token does not exist.
async fn unknown_link_page(w: &World, b: &reqwest::Client, extra: &[(&str, &str)]) -> String {
    let pending = w.link_request("no-such-token", "a@example.com", &[], extra);
    let r = b.get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 404);
    r.text().await.expect("html")
}

/// A world with a@example.com and b@example.com (whose id comes along), and a browser signed
/// in as a@example.com.
async fn signed_in_world(backend: Backend, b: &reqwest::Client) -> (World, String) {
    let w = World::spawn(backend).await;
    w.app.create_user("a@example.com");
    let id = w.app.create_user("b@example.com").id;
    let pending = w.rp.authorize(&[], &[]);
    sign_in(&w.app, b, &pending.url, "a@example.com").await;
    (w, id)
}

async fn each_language_by_ui_locales(backend: Backend) {
    let b = browser();
    let (w, _) = signed_in_world(backend, &b).await;
    let fresh = browser();
    for (tag, sign_in_phrase, switch_phrase, link_phrase) in LANGUAGES {
        let extra = [("ui_locales", *tag)];
        let pending =
            w.rp.authorize(&[], &[("ui_locales", tag), ("prompt", "login")]);
        let html = hosted_page(&w, &fresh, &pending.url).await;
        assert_language(&html, tag, sign_in_phrase, "the sign-in page");
        let html = switch_page(&w, &b, &extra).await;
        assert_language(&html, tag, switch_phrase, "the switch page");
        assert!(html.contains("b@example.com"), "{html}");
        let html = unknown_link_page(&w, &fresh, &extra).await;
        assert_language(&html, tag, link_phrase, "a link error page");
        assert!(html.contains(">token_not_found<"), "{html}");
    }
    // The first tag we speak wins; the ones before it are passed over.
    let extra = [("ui_locales", "fr-CA ko de")];
    let html = switch_page(&w, &b, &extra).await;
    assert_language(&html, "ko", "계정을 전환하시겠습니까?", "fr-CA ko de");
}

async fn the_browser_language_comes_next(backend: Backend) {
    let w = World::spawn(backend).await;
    w.app.create_user("a@example.com");
    let swedish = browser_speaking("fr-FR, sv-SE;q=0.9, en;q=0.5");
    let pending = w.rp.authorize(&[], &[]);
    let html = hosted_page(&w, &swedish, &pending.url).await;
    assert_language(&html, "sv", "Logga in", "the sign-in page");
    let html = unknown_link_page(&w, &browser_speaking("zh-Hant-TW"), &[]).await;
    assert_language(&html, "zh-TW", "這個登入連結無效", "a link error page");
    // An error before any interaction is known: the browser's language too.
    let r = browser_speaking("de-AT")
        .get(w.app.url("/interaction/no-such-interaction"))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 400);
    let html = r.text().await.expect("html");
    assert_language(&html, "de", "Diese Anmeldung ist abgelaufen", "expired");
    assert!(html.contains(">interaction_expired<"), "error codes stay");
}

async fn the_account_language_beats_the_browser(backend: Backend) {
    let b = browser_speaking("es");
    let (w, id) = signed_in_world(backend, &b).await;
    let (status, user) = w.api(Method::GET, &format!("/api/users/{id}"), None).await;
    assert_eq!(
        (status, &user["locale"]),
        (200, &serde_json::Value::Null),
        "{user}"
    );
    let html = switch_page(&w, &b, &[]).await;
    assert_language(
        &html,
        "es",
        "¿Cambiar de cuenta?",
        "before the account has one",
    );
    let (status, user) = w
        .api(
            Method::PATCH,
            &format!("/api/users/{id}"),
            Some(serde_json::json!({"locale": "de"})),
        )
        .await;
    assert_eq!(
        (status, &user["locale"]),
        (200, &serde_json::json!("de")),
        "{user}"
    );
    let html = switch_page(&w, &b, &[]).await;
    assert_language(&html, "de", "Konto wechseln?", "the account's language");
    // The application's ui_locales still come first.
    let html = switch_page(&w, &b, &[("ui_locales", "sv")]).await;
    assert_language(&html, "sv", "Byta konto?", "ui_locales over the account's");
    // An error after the interaction is loaded speaks its language too.
    let (_, pending) = w.new_link("b@example.com", &[]).await;
    let r = b.get(&pending.url).send().await.expect("authorize");
    let page = w.app.url(&location(&r));
    let r = b
        .post(format!("{page}/switch"))
        .form(&[("csrf", "forged"), ("action", "continue")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    let html = r.text().await.expect("html");
    assert_language(
        &html,
        "de",
        "Dieses Formular ist abgelaufen",
        "csrf_mismatch",
    );
}

async fn an_unknown_language_is_english(backend: Backend) {
    let w = World::spawn(backend).await;
    let french = browser_speaking("fr-FR, fr;q=0.9, *;q=0.1");
    let pending = w.rp.authorize(&[], &[("ui_locales", "fr x-klingon")]);
    let html = hosted_page(&w, &french, &pending.url).await;
    assert_language(&html, "en", "Sign in", "the sign-in page");
    let html = unknown_link_page(&w, &french, &[("ui_locales", "it")]).await;
    assert_language(&html, "en", "This sign-in link is not valid.", "link error");
}

async fn the_api_takes_only_the_six(backend: Backend) {
    let w = World::spawn(backend).await;
    let (status, user) = w
        .api(
            Method::POST,
            "/api/users",
            Some(serde_json::json!({"primaryEmail": "c@example.com", "locale": "zh-tw"})),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["locale"], "zh-TW", "stored as the tag is written");
    let id = user["id"].as_str().expect("id");
    for bad in [
        serde_json::json!({"locale": "fr"}),
        serde_json::json!({"locale": "de-AT"}),
        serde_json::json!({"locale": 7}),
    ] {
        let (status, body) = w
            .api(
                Method::PATCH,
                &format!("/api/users/{id}"),
                Some(bad.clone()),
            )
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["code"], "invalid_input", "{body}");
        assert!(
            body["message"]
                .as_str()
                .expect("message")
                .starts_with("locale")
        );
    }
    let (status, user) = w
        .api(
            Method::PATCH,
            &format!("/api/users/{id}"),
            Some(serde_json::json!({"locale": null})),
        )
        .await;
    assert_eq!(
        (status, &user["locale"]),
        (200, &serde_json::Value::Null),
        "{user}"
    );
    let (status, user) = w
        .api(
            Method::POST,
            "/api/users",
            Some(serde_json::json!({"primaryEmail": "d@example.com", "locale": "klingon"})),
        )
        .await;
    assert_eq!(status, 400, "{user}");
}

async fn discovery_names_the_six(backend: Backend) {
    let w = World::spawn(backend).await;
    let doc: serde_json::Value = reqwest::get(w.app.url("/oidc/.well-known/openid-configuration"))
        .await
        .expect("discovery")
        .json()
        .await
        .expect("json");
    assert_eq!(
        doc["ui_locales_supported"],
        serde_json::json!(["en", "de", "es", "ko", "sv", "zh-TW"])
    );
}

async fn sign_out_speaks_the_request_language(backend: Backend) {
    let b = browser();
    let (w, _) = signed_in_world(backend, &b).await;
    let html = page_html(&b, &w.app.url("/oidc/session/end?ui_locales=ko")).await;
    assert_language(
        &html,
        "ko",
        "로그아웃하시겠습니까?",
        "the sign-out question",
    );
    let csrf = crate::common::input_value(&html, "csrf").expect("csrf");
    let r = b
        .post(w.app.url("/oidc/session/end"))
        .form(&[("csrf", csrf.as_str()), ("ui_locales", "ko")])
        .send()
        .await
        .expect("sign out");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    assert_language(&html, "ko", "로그아웃되었습니다", "signed out");
}

on_both_backends!(
    each_language_by_ui_locales,
    the_browser_language_comes_next,
    the_account_language_beats_the_browser,
    an_unknown_language_is_english,
    the_api_takes_only_the_six,
    discovery_names_the_six,
    sign_out_speaks_the_request_language,
);
