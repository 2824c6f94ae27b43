//! Nothing half done: a link is spent in the same transaction that stores what it signs in
//! with (the account it registers, the session and the code). A fault between the two (here
//! the database refusing the code's row, as a full disk or a lost connection would) leaves the
//! link unspent, so the person's next click works; before, it left a spent link and no code.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::common::rp;
use crate::common::{Backend, TestApp, browser, input_value, location, no_redirects, page_html};

/// Makes the database refuse every new authorization code until [`allow_codes`].
fn refuse_codes(app: &TestApp) {
    match app.backend {
        Backend::Sqlite => sqlite(app)
            .batch_execute(
                "CREATE TRIGGER refuse_codes BEFORE INSERT ON authorization_codes \
                 BEGIN SELECT RAISE(ABORT, 'no space left'); END;",
            )
            .expect("trigger"),
        Backend::Postgres => postgres(app)
            .batch_execute(
                "CREATE FUNCTION refuse_codes() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'no space left'; END $$; \
                 CREATE TRIGGER refuse_codes BEFORE INSERT ON authorization_codes \
                 FOR EACH ROW EXECUTE FUNCTION refuse_codes();",
            )
            .expect("trigger"),
    }
}

fn allow_codes(app: &TestApp) {
    match app.backend {
        Backend::Sqlite => sqlite(app).batch_execute("DROP TRIGGER refuse_codes;"),
        Backend::Postgres => postgres(app).batch_execute(
            "DROP TRIGGER refuse_codes ON authorization_codes; DROP FUNCTION refuse_codes();",
        ),
    }
    .expect("drop trigger");
}

fn sqlite(app: &TestApp) -> SqliteConnection {
    SqliteConnection::establish(app.db.url.trim_start_matches("sqlite://")).expect("open")
}

fn postgres(app: &TestApp) -> PgConnection {
    PgConnection::establish(&app.db.url).expect("connect")
}

async fn users_named(w: &rp::World, email: &str) -> usize {
    let (status, body) = w
        .api(
            reqwest::Method::GET,
            &format!("/api/users?search={email}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().expect("array").len()
}

async fn a_failed_code_write_leaves_the_link_unspent(backend: Backend) {
    let w = rp::World::spawn(backend).await;
    w.app.create_user("ada@example.com");
    let (signing_in, sign_in) = w.new_link("ada@example.com", &[]).await;
    let (registering, registration) = w.new_link("new@example.com", &[]).await;

    refuse_codes(&w.app);
    for url in [&sign_in.url, &registration.url] {
        let r = no_redirects().get(url).send().await.expect("authorize");
        assert!(r.status().is_server_error(), "{}", r.status());
    }
    assert_eq!(w.token_status(&signing_in).await, "active");
    assert_eq!(w.token_status(&registering).await, "active");
    assert_eq!(users_named(&w, "new@example.com").await, 0, "no account");

    // The fault is over: the same links work, once each.
    allow_codes(&w.app);
    for (id, pending) in [(signing_in, sign_in), (registering, registration)] {
        let r = no_redirects()
            .get(&pending.url)
            .send()
            .await
            .expect("authorize");
        assert_eq!(r.status(), 303);
        let callback = location(&r);
        let claims = w.claims(&callback, pending).await;
        assert_eq!(claims.email_verified(), Some(true));
        assert_eq!(w.token_status(&id).await, "consumed");
    }
}

/// The same through the confirmation page: the button's POST spends the link only with the
/// code, and the page can be answered again once the fault is over.
async fn a_failed_code_write_leaves_the_confirmed_link_unspent(backend: Backend) {
    let w = rp::World::spawn(backend).await;
    w.require_link_confirmation().await;
    w.app.create_user("ada@example.com");
    let (id, pending) = w.new_link("ada@example.com", &[]).await;
    let b = browser();
    let r = b.get(&pending.url).send().await.expect("click");
    assert_eq!(r.status(), 303, "to the confirmation page");
    let page = w.app.url(&location(&r));
    let html = page_html(&b, &page).await;
    let csrf = input_value(&html, "csrf").expect("csrf field");
    let press = || {
        b.post(format!("{page}/confirm"))
            .form(&[("csrf", csrf.as_str())])
            .send()
    };

    refuse_codes(&w.app);
    let r = press().await.expect("confirm");
    assert!(r.status().is_server_error(), "{}", r.status());
    assert_eq!(w.token_status(&id).await, "active");

    allow_codes(&w.app);
    let r = press().await.expect("confirm");
    assert_eq!(r.status(), 303, "back to the application");
    let callback = location(&r);
    assert!(callback.starts_with(rp::CALLBACK), "{callback}");
    let claims = w.claims(&callback, pending).await;
    assert_eq!(claims.email().map(|e| e.as_str()), Some("ada@example.com"));
    assert_eq!(w.token_status(&id).await, "consumed");
}

on_both_backends!(
    a_failed_code_write_leaves_the_link_unspent,
    a_failed_code_write_leaves_the_confirmed_link_unspent,
);
