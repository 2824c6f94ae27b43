//! Attack: secrets in logs. The real `sesame serve`, logging at `debug`, is driven through
//! every flow a relying party and a browser use (Management API token, magic link, code,
//! refresh, userinfo, revocation, logout with `id_token_hint`, password sign-in); none of the
//! secrets used may appear in what it logged.

use serde_json::Value;
use sesame::crypto::{random_token, sha256_b64url};

use crate::common::api::send;
use crate::common::process::{Instance, create_m2m, start_with};
use crate::common::{
    Backend, PASSWORD, TestDatabase, browser, create_one_time_token, input_value, location,
    management_token_for, query_param, run_sesame,
};

const CALLBACK: &str = "http://127.0.0.1:9999/callback";
const LOGGED_OUT: &str = "http://127.0.0.1:9999/logged-out";
const ADA: &str = "ada@example.com";
const BOB: &str = "bob@example.com";

fn sesame_json(args: &[&str]) -> Value {
    let out = run_sesame(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn field(v: &Value, name: &str) -> String {
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} in {v}"))
        .to_owned()
}

/// An authorization URL with PKCE; returns it and the verifier.
fn authorize_url(server: &Instance, client_id: &str, extra: &[(&str, &str)]) -> (String, String) {
    let verifier = random_token(32);
    let challenge = sha256_b64url(&verifier);
    let mut url = url::Url::parse(&server.url("/oidc/auth")).expect("url");
    url.query_pairs_mut()
        .extend_pairs([
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", CALLBACK),
            ("scope", "openid email offline_access"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("state", "st4te"),
            ("nonce", "n0nce"),
        ])
        .extend_pairs(extra);
    (url.to_string(), verifier)
}

/// The landing page the web app registered for links Sesame mails.
const LANDING: &str = "http://127.0.0.1:9999/welcome";

async fn no_secret_reaches_the_log(backend: Backend) {
    let db = TestDatabase::new(backend);
    let url = db.url.as_str();
    let backend_app = create_m2m(url);
    let web = sesame_json(&[
        "--database-url",
        url,
        "app",
        "create",
        "--name",
        "web",
        "--type",
        "traditional",
        "--redirect-uri",
        CALLBACK,
        "--post-logout-redirect-uri",
        LOGGED_OUT,
        "--landing-uri",
        LANDING,
    ]);
    sesame_json(&[
        "--database-url",
        url,
        "user",
        "create",
        "--email",
        BOB,
        "--password",
        PASSWORD,
    ]);
    let (client_id, client_secret) = (field(&web, "id"), field(&web, "secret"));
    let m2m_secret = field(&backend_app, "secret");

    let smtp = crate::common::smtp::SmtpServer::start();
    let smtp_url = smtp.url();
    let server = start_with(url, &[], "debug", &[("SESAME_SMTP_URL", &smtp_url)]);
    let http = reqwest::Client::new();
    // Every secret the flows below use or receive.
    let mut secrets: Vec<(&str, String)> = vec![
        ("the password", PASSWORD.to_owned()),
        ("the client secret", client_secret.clone()),
        ("the m2m client secret", m2m_secret.clone()),
    ];

    // The Management API: a token, then a magic link.
    let bearer = management_token_for(
        &server.base,
        &server.base,
        &field(&backend_app, "id"),
        &m2m_secret,
    )
    .await;
    secrets.push(("the Management API token", bearer.clone()));
    let (status, created) =
        create_one_time_token(&server.base, &bearer, serde_json::json!({ "email": ADA })).await;
    assert_eq!(status, 201, "{created}");
    let one_time_token = field(&created, "token");
    secrets.push(("the one-time token", one_time_token.clone()));

    // A link Sesame mails itself: its token is in the mailbox, and nowhere else.
    let (status, mailed) = create_one_time_token(
        &server.base,
        &bearer,
        serde_json::json!({ "email": ADA, "send": { "landingUri": LANDING } }),
    )
    .await;
    assert_eq!(status, 201, "{mailed}");
    let mails = smtp.wait_for(1, std::time::Duration::from_secs(20)).await;
    let mailed_token = query_param(&mails[0].link(LANDING), "token").expect("a token");
    secrets.push(("the mailed one-time token", mailed_token));

    // A refused request (an RP asking for a response mode we do not offer) carrying the link:
    // sent back to the client, and logged. The link is not used by a refused request.
    let ada = browser();
    let (refused, _) = authorize_url(
        &server,
        &client_id,
        &[
            ("one_time_token", &one_time_token),
            ("login_hint", ADA),
            ("response_mode", "fragment"),
        ],
    );
    let r = ada.get(&refused).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    assert_eq!(
        query_param(&location(&r), "error").as_deref(),
        Some("invalid_request")
    );

    // The magic link: straight back to the client with a code.
    let (link, verifier) = authorize_url(
        &server,
        &client_id,
        &[("one_time_token", &one_time_token), ("login_hint", ADA)],
    );
    let r = ada.get(&link).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let code = query_param(&location(&r), "code").expect("a code");
    secrets.push(("the link's code", code.clone()));
    secrets.push(("the link's code verifier", verifier.clone()));

    // The code for tokens (client_secret_post).
    let reply = send(http.post(server.url("/oidc/token")).form(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", &verifier),
        ("client_id", &client_id),
        ("client_secret", &client_secret),
    ]))
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let (access, refresh, id_token) = (
        reply.str("access_token"),
        reply.str("refresh_token"),
        reply.str("id_token"),
    );
    secrets.push(("the access token", access.clone()));
    secrets.push(("the refresh token", refresh.clone()));
    secrets.push(("the ID token", id_token.clone()));

    // Userinfo, in the header and in a form body.
    let r = send(http.get(server.url("/oidc/me")).bearer_auth(&access)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = send(
        http.post(server.url("/oidc/me"))
            .form(&[("access_token", access.as_str())]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Refresh (client_secret_basic), then revoke the new refresh token.
    let reply = send(
        http.post(server.url("/oidc/token"))
            .basic_auth(&client_id, Some(&client_secret))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)]),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let rotated = reply.str("refresh_token");
    secrets.push(("the refreshed access token", reply.str("access_token")));
    secrets.push(("the rotated refresh token", rotated.clone()));
    secrets.push(("the refreshed ID token", reply.str("id_token")));
    let r = send(
        http.post(server.url("/oidc/token/revocation"))
            .basic_auth(&client_id, Some(&client_secret))
            .form(&[("token", rotated.as_str())]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Logout with id_token_hint, in the query string: refused once (a post-logout URI not
    // registered), then done.
    let mut wrong = url::Url::parse(&server.url("/oidc/session/end")).expect("url");
    wrong.query_pairs_mut().extend_pairs([
        ("id_token_hint", id_token.as_str()),
        (
            "post_logout_redirect_uri",
            "http://127.0.0.1:9999/elsewhere",
        ),
    ]);
    let r = ada.get(wrong.as_str()).send().await.expect("logout");
    assert_eq!(r.status(), 400);
    let mut logout = url::Url::parse(&server.url("/oidc/session/end")).expect("url");
    logout.query_pairs_mut().extend_pairs([
        ("id_token_hint", id_token.as_str()),
        ("post_logout_redirect_uri", LOGGED_OUT),
        ("state", "bye"),
    ]);
    let r = ada.get(logout.as_str()).send().await.expect("logout");
    assert_eq!(r.status(), 303);
    assert!(location(&r).starts_with(LOGGED_OUT));

    // A password sign-in on the hosted page.
    let bob = browser();
    let (start, verifier) = authorize_url(&server, &client_id, &[("login_hint", BOB)]);
    let r = bob.get(&start).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let page = server.url(&location(&r));
    let html = bob
        .get(&page)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let csrf = input_value(&html, "csrf").expect("csrf");
    let r = bob
        .post(format!("{page}/sign-in"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", BOB),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.status(), 303);
    let code = query_param(&location(&r), "code").expect("a code");
    secrets.push(("the sign-in's code", code.clone()));
    secrets.push(("the sign-in's code verifier", verifier.clone()));
    let reply = send(
        http.post(server.url("/oidc/token"))
            .basic_auth(&client_id, Some(&client_secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", &verifier),
            ]),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    secrets.push(("the sign-in's access token", reply.str("access_token")));
    secrets.push(("the sign-in's refresh token", reply.str("refresh_token")));
    secrets.push(("the sign-in's ID token", reply.str("id_token")));

    let log = server.stop();
    let leaked: Vec<&str> = secrets
        .iter()
        .filter(|(_, value)| log.contains(value.as_str()))
        .map(|(name, _)| *name)
        .collect();
    assert!(leaked.is_empty(), "the log holds {leaked:?}:\n{log}");
    // The log is the one we think it is: at debug, every request is seen, by its path.
    for path in [
        "/oidc/auth",
        "/oidc/token",
        "/oidc/token/revocation",
        "/oidc/me",
        "/oidc/session/end",
        "/api/one-time-tokens",
        "/interaction/",
    ] {
        assert!(log.contains(path), "{path} is logged: {log}");
    }
}

on_both_backends!(no_secret_reaches_the_log);
