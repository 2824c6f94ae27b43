//! Attack: cookie tossing and TLS stripping. Behind an https public URL, Sesame's cookies had
//! plain names, so a sibling subdomain (`Domain=` a parent domain) or a page served over plain
//! http could set a `sesame_session` or `sesame_interaction` of its choosing in the victim's
//! browser (a session fixation, an interaction swapped for the attacker's); and nothing told
//! the browser to refuse plain http next time. Now, when the public URL is https, every cookie
//! carries the `__Host-` prefix (the browser accepts it only with Secure, Path=/ and no
//! Domain, from a secure origin), only those names are read, and every answer carries
//! `Strict-Transport-Security`. Over http (development, tests) the names stay as they were.

use sesame::crypto::SigningAlg;
use sesame::identity::applications::AppType;

use crate::common::{
    Backend, PASSWORD, TestApp, code_request, input_value, location, no_redirects, query_param,
};

const CALLBACK: &str = "http://127.0.0.1:9999/callback";
const EMAIL: &str = "ada@example.com";

/// A Sesame whose public URL is https (a TLS proxy in front), reached here over http.
async fn behind_https(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |s| {
        s.public_url = s.public_url.replace("http://", "https://");
    })
    .await
}

/// The `Set-Cookie` headers of a response.
fn set_cookies(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

/// The `Set-Cookie` for `name`, and its value.
fn cookie<'a>(set: &'a [String], name: &str) -> (&'a str, String) {
    let header = set
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no cookie {name} in {set:?}"));
    let value = header[name.len() + 1..]
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    (header, value)
}

/// `Secure`, `Path=/`, no `Domain`: what a browser demands of a `__Host-` cookie.
fn assert_host_only(header: &str) {
    let attributes: Vec<String> = header
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    assert!(attributes.iter().any(|a| a == "secure"), "{header}");
    assert!(attributes.iter().any(|a| a == "path=/"), "{header}");
    assert!(attributes.iter().any(|a| a == "httponly"), "{header}");
    assert!(
        !attributes.iter().any(|a| a.starts_with("domain")),
        "{header}"
    );
}

fn hsts(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get("strict-transport-security")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Signs in with a password, sending cookies by hand (a cookie store would not send Secure
/// cookies over http); returns the answers to the authorization request and to the password.
async fn sign_in_by_hand(
    app: &TestApp,
    client_id: &str,
) -> (reqwest::Response, reqwest::Response, String) {
    let http = no_redirects();
    let (url, _) = code_request(app, client_id, CALLBACK, "openid", "s");
    let started = http.get(&url).send().await.expect("authorize");
    assert_eq!(started.status(), 303);
    let page = app.url(&location(&started));
    let interaction_cookie = {
        let set = set_cookies(&started);
        let name = set
            .first()
            .and_then(|c| c.split('=').next())
            .expect("an interaction cookie")
            .to_owned();
        format!("{name}={}", cookie(&set, &name).1)
    };
    let r = http
        .get(&page)
        .header("cookie", &interaction_cookie)
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 200);
    let csrf = input_value(&r.text().await.expect("html"), "csrf").expect("csrf");
    let signed_in = http
        .post(format!("{page}/sign-in"))
        .header("cookie", &interaction_cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", EMAIL),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), 303, "signed in");
    (started, signed_in, interaction_cookie)
}

/// A `prompt=none` request with `cookie`: whether the session it names is recognised.
async fn recognised(app: &TestApp, client_id: &str, cookie: &str) -> bool {
    let (url, _) = code_request(app, client_id, CALLBACK, "openid", "s");
    let r = no_redirects()
        .get(format!("{url}&prompt=none"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("authorize");
    assert_eq!(r.status(), 303);
    query_param(&location(&r), "code").is_some()
}

async fn https_cookies_are_host_only_and_hsts_is_sent(backend: Backend) {
    let app = behind_https(backend).await;
    let (client_id, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::RS256);
    app.create_user(EMAIL);
    let (started, signed_in, interaction) = sign_in_by_hand(&app, &client_id).await;

    let set = set_cookies(&started);
    let (header, _) = cookie(&set, "__Host-sesame_interaction");
    assert_host_only(header);
    assert!(
        hsts(&started).is_some_and(|h| h.starts_with("max-age=") && h != "max-age=0"),
        "{:?}",
        hsts(&started)
    );

    let set = set_cookies(&signed_in);
    let (header, session) = cookie(&set, "__Host-sesame_session");
    assert_host_only(header);
    // The interaction cookie is cleared under the name and path it was set with.
    let (cleared, _) = cookie(&set, "__Host-sesame_interaction");
    assert_host_only(cleared);
    assert!(
        cleared.to_ascii_lowercase().contains("max-age=0"),
        "{cleared}"
    );
    assert!(interaction.starts_with("__Host-sesame_interaction="));

    // Only the prefixed name is read: the same value under the plain name (a cookie a sibling
    // subdomain or an http page could plant) is no session.
    assert!(
        recognised(
            &app,
            &client_id,
            &format!("__Host-sesame_session={session}")
        )
        .await
    );
    assert!(!recognised(&app, &client_id, &format!("sesame_session={session}")).await);

    // Every answer says so, JSON and pages alike.
    for path in [
        "/health",
        "/oidc/.well-known/openid-configuration",
        "/api/users",
    ] {
        let r = no_redirects().get(app.url(path)).send().await.expect(path);
        assert!(hsts(&r).is_some(), "{path}: no Strict-Transport-Security");
    }
}

async fn http_keeps_the_plain_names(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (client_id, _) = app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::RS256);
    app.create_user(EMAIL);
    let (started, signed_in, _) = sign_in_by_hand(&app, &client_id).await;
    let set = set_cookies(&started);
    let (header, _) = cookie(&set, "sesame_interaction");
    assert!(!header.to_ascii_lowercase().contains("secure"), "{header}");
    assert!(header.contains("Path=/interaction"), "{header}");
    let set = set_cookies(&signed_in);
    let (_, session) = cookie(&set, "sesame_session");
    assert!(recognised(&app, &client_id, &format!("sesame_session={session}")).await);
    assert!(hsts(&started).is_none() && hsts(&signed_in).is_none());
}

on_both_backends!(
    https_cookies_are_host_only_and_hsts_is_sent,
    http_keeps_the_plain_names,
);
