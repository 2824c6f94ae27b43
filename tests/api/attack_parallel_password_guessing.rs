//! Parallel password guessing: an attacker fires many wrong passwords at once, so that all of
//! them pass the failure limit before the first failure is counted; spoofs `X-Forwarded-For`
//! to get a fresh per-address counter for every guess; registers account after account; or
//! floods the argon2 work until the server runs out of memory; or replays one magic link's
//! registration form many times at once to fill the password threads.

use std::time::Duration;

use diesel::prelude::*;
use sesame::config::{Settings, TrustedProxies};
use sesame::crypto::SigningAlg;
use sesame::identity::applications::AppType;
use sesame::storage::schema::rate_limits;

use crate::common::process::{cli_json, start};
use crate::common::rp::World;
use crate::common::{
    Backend, PASSWORD, TestApp, TestDatabase, browser, code_request, input_value, location,
    magic_link_token, open_page, page_html, post_sign_in, start_interaction,
};

const CALLBACK: &str = "http://127.0.0.1:9999/callback";
const ADA: &str = "ada@example.com";

/// A hosted sign-in page on `app` for its single-page app, and the browser that holds it.
async fn sign_in_page(app: &TestApp, client_id: &str) -> (reqwest::Client, String, String) {
    let browser = browser();
    let (url, _) = code_request(app, client_id, CALLBACK, "openid", "s");
    let page = start_interaction(app, &browser, &url).await;
    let (_, csrf) = open_page(&browser, &page).await;
    (browser, page, csrf)
}

fn spa(app: &TestApp) -> String {
    app.create_app(AppType::Spa, &[CALLBACK], SigningAlg::ES256)
        .0
}

/// Fires `guesses` wrong passwords for Ada at once, spread over `apps`; returns how many were
/// answered "wrong password" (401: a verification ran) and how many "too many attempts" (429).
async fn guess_in_parallel(apps: &[&TestApp], client_id: &str, guesses: usize) -> (usize, usize) {
    let mut pages = Vec::new();
    for app in apps {
        pages.push(sign_in_page(app, client_id).await);
    }
    let handles: Vec<_> = (0..guesses)
        .map(|i| {
            let (browser, page, csrf) = pages[i % pages.len()].clone();
            actix_rt::spawn(async move {
                let guess = format!("guess number {i}");
                post_sign_in(&browser, &page, &csrf, ADA, &guess)
                    .await
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let (mut wrong, mut limited) = (0, 0);
    for h in handles {
        match h.await.expect("task") {
            401 => wrong += 1,
            429 => limited += 1,
            other => panic!("a guess answered {other}"),
        }
    }
    (wrong, limited)
}

async fn forty_parallel_guesses_get_at_most_five_verifications(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(ADA);
    let client_id = spa(&app);
    let (wrong, limited) = guess_in_parallel(&[&app], &client_id, 40).await;
    assert!(
        wrong <= 5,
        "{wrong} of 40 parallel guesses reached password verification (limit 5)"
    );
    assert_eq!(wrong + limited, 40);
    // The account is locked for the window, even for the right password.
    let (browser, page, csrf) = sign_in_page(&app, &client_id).await;
    let r = post_sign_in(&browser, &page, &csrf, ADA, PASSWORD).await;
    assert_eq!(r.status(), 429);
    // When the window is over, the right password works, and resets the account's count.
    app.clock.advance(Duration::from_secs(901));
    let r = post_sign_in(&browser, &page, &csrf, ADA, PASSWORD).await;
    assert_eq!(r.status(), 303);
}

/// Two instances on one database count the same attempts.
async fn two_instances_share_the_limit(backend: Backend) {
    let a = TestApp::spawn(backend).await;
    let b = TestApp::spawn_on(a.db.clone(), backend, |_| {}).await;
    a.create_user(ADA);
    let client_id = spa(&a);
    let (wrong, limited) = guess_in_parallel(&[&a, &b], &client_id, 40).await;
    assert!(
        wrong <= 5,
        "{wrong} of 40 parallel guesses across two instances reached verification (limit 5)"
    );
    assert_eq!(wrong + limited, 40);
}

/// Signs in as `email` with a wrong password, `X-Forwarded-For: forwarded`; the status.
async fn guess_as(app: &TestApp, client_id: &str, email: &str, forwarded: &str) -> u16 {
    let (browser, page, csrf) = sign_in_page(app, client_id).await;
    browser
        .post(format!("{page}/sign-in"))
        .header("X-Forwarded-For", forwarded)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", "nope"),
        ])
        .send()
        .await
        .expect("sign in")
        .status()
        .as_u16()
}

fn per_ip_limit_of_three(s: &mut Settings) {
    s.sign_in_failures_per_ip = 3;
    s.sign_in_failures_per_account = 100;
}

async fn a_spoofed_forwarded_for_does_not_change_the_address(backend: Backend) {
    let app = TestApp::spawn_with(backend, per_ip_limit_of_three).await;
    let client_id = spa(&app);
    let mut statuses = Vec::new();
    for i in 0..4 {
        let email = format!("victim{i}@example.com");
        let spoofed = format!("203.0.113.{i}");
        statuses.push(guess_as(&app, &client_id, &email, &spoofed).await);
    }
    assert_eq!(
        statuses,
        [401, 401, 401, 429],
        "the peer is no trusted proxy: its header is not believed"
    );
}

async fn a_trusted_proxy_names_the_client(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        per_ip_limit_of_three(s);
        s.trusted_proxies = TrustedProxies::parse("127.0.0.1/32").expect("cidr");
    })
    .await;
    let client_id = spa(&app);
    // Four clients behind the proxy: each has its own count.
    for i in 0..4 {
        let email = format!("victim{i}@example.com");
        let client = format!("203.0.113.{i}");
        assert_eq!(guess_as(&app, &client_id, &email, &client).await, 401);
    }
    // One client spoofing the part of the header it controls is still one client.
    let mut statuses = Vec::new();
    for i in 0..4 {
        let email = format!("other{i}@example.com");
        let forwarded = format!("10.9.9.{i}, 198.51.100.9");
        statuses.push(guess_as(&app, &client_id, &email, &forwarded).await);
    }
    assert_eq!(statuses, [401, 401, 401, 429]);
}

/// Registers `email` on a fresh sign-in; the status.
async fn register(app: &TestApp, client_id: &str, email: &str) -> u16 {
    let (browser, page, _) = sign_in_page(app, client_id).await;
    let (_, csrf) = open_page(&browser, &format!("{page}/register")).await;
    browser
        .post(format!("{page}/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("register")
        .status()
        .as_u16()
}

async fn registration_is_limited_per_address(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.sign_ups_per_ip_per_hour = 3).await;
    let client_id = spa(&app);
    let mut statuses = Vec::new();
    for i in 0..4 {
        statuses.push(register(&app, &client_id, &format!("new{i}@example.com")).await);
    }
    assert_eq!(statuses, [303, 303, 303, 429]);
    app.clock.advance(Duration::from_secs(3601));
    assert_eq!(register(&app, &client_id, "later@example.com").await, 303);
}

/// What is typed into the email field reaches the rate-limit table only once it is a valid
/// address, in its normalised form.
async fn invalid_emails_never_reach_the_rate_limit_table(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client_id = spa(&app);
    let (browser, page, csrf) = sign_in_page(&app, &client_id).await;
    let huge = format!("{}@example.com", "a".repeat(5000));
    for typed in ["not an email", huge.as_str(), "x@y"] {
        let r = post_sign_in(&browser, &page, &csrf, typed, "nope").await;
        assert_eq!(r.status(), 401, "the usual answer");
    }
    let keys = || {
        app.storage.run(|c| {
            rate_limits::table
                .select(rate_limits::key)
                .order(rate_limits::key)
                .load::<String>(c)
        })
    };
    assert_eq!(keys().await.expect("keys"), Vec::<String>::new());
    let r = post_sign_in(&browser, &page, &csrf, "  Ada@Example.COM ", "nope").await;
    assert_eq!(r.status(), 401);
    let keys = keys().await.expect("keys");
    assert!(
        keys.iter().any(|k| k == "sign-in:account:ada@example.com"),
        "{keys:?}"
    );
}

/// Kibibytes in `field` of /proc/<pid>/status.
fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| {
            l.strip_prefix(field)?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

const MAX_RSS_KIB: u64 = 256 * 1024;

/// 200 registrations at once against the real binary: the argon2 work (19 MiB each) runs a few
/// at a time, the rest wait in a bounded queue or are told to come back, and the process
/// stays under 256 MiB.
async fn two_hundred_parallel_registrations_stay_under_256_mib(backend: Backend) {
    let db = TestDatabase::new(backend);
    let instance = start(
        &db.url,
        &[
            ("SESAME_SIGN_UPS_PER_IP_PER_HOUR", "1000"),
            ("SESAME_SIGN_IN_FAILURES_PER_IP", "1000"),
        ],
    );
    let spa = cli_json(
        &db.url,
        &[
            "app",
            "create",
            "--name",
            "spa",
            "--type",
            "spa",
            "--redirect-uri",
            CALLBACK,
        ],
    );
    let client_id = spa["id"].as_str().expect("id").to_owned();
    let base = instance.base.clone();
    let pid = instance.child.id();
    // Registrations that create their accounts at once (hash, then insert), as an operator
    // may set it: with `verifyEmail` on, the code mails' limits would refuse most of them
    // before any hashing.
    let m2m = crate::common::process::create_m2m(&db.url);
    let bearer = crate::common::management_token_for(
        &base,
        crate::common::process::PUBLIC_URL,
        m2m["id"].as_str().expect("id"),
        m2m["secret"].as_str().expect("secret"),
    )
    .await;
    let r = reqwest::Client::new()
        .patch(format!("{base}/api/sign-in-exp"))
        .bearer_auth(bearer)
        .json(&serde_json::json!({"signUp": {"verifyEmail": false}}))
        .send()
        .await
        .expect("sign-in experience");
    assert_eq!(r.status(), 200);

    // 200 people on the registration page...
    let mut forms = Vec::new();
    for _ in 0..200 {
        let browser = browser();
        let url = reqwest::Url::parse_with_params(
            &format!("{base}/oidc/auth"),
            &[
                ("response_type", "code"),
                ("client_id", client_id.as_str()),
                ("redirect_uri", CALLBACK),
                ("scope", "openid"),
                (
                    "code_challenge",
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                ),
                ("code_challenge_method", "S256"),
            ],
        )
        .expect("url");
        let r = browser.get(url).send().await.expect("authorize");
        let page = format!("{base}{}/register", location(&r));
        let (_, csrf) = open_page(&browser, &page).await;
        forms.push((browser, page, csrf));
    }
    let before = proc_status_kib(pid, "VmRSS:");
    // ...press "Create account" at once.
    let handles: Vec<_> = forms
        .into_iter()
        .enumerate()
        .map(|(i, (browser, page, csrf))| {
            actix_rt::spawn(async move {
                let email = format!("person{i}@example.com");
                let r = browser
                    .post(&page)
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("email", email.as_str()),
                        ("password", PASSWORD),
                    ])
                    .send()
                    .await
                    .expect("register");
                let busy_retry = r.headers().contains_key("retry-after");
                (r.status().as_u16(), busy_retry)
            })
        })
        .collect();
    let sampler = std::thread::spawn(move || {
        let mut peak = 0;
        for _ in 0..400 {
            peak = peak.max(proc_status_kib(pid, "VmRSS:"));
            std::thread::sleep(Duration::from_millis(25));
        }
        peak
    });
    let (mut registered, mut busy) = (0, 0);
    for h in handles {
        match h.await.expect("task") {
            (303, _) => registered += 1,
            (503, true) => busy += 1,
            other => panic!("a registration answered {other:?}"),
        }
    }
    let high_water = proc_status_kib(pid, "VmHWM:");
    let sampled = sampler.join().expect("sampler");
    eprintln!(
        "{backend:?}: RSS before the burst {before} KiB, sampled peak {sampled} KiB, \
         VmHWM {high_water} KiB; {registered} registered, {busy} told to retry"
    );
    assert!(registered > 0);
    assert!(
        high_water < MAX_RSS_KIB,
        "VmHWM {high_water} KiB after 200 parallel registrations"
    );
}

/// One link, spent on a registration page that asks for a password, and its form posted 24
/// times at once: each post would hash a password. Waiting in line would let one link hold
/// every place, and the public sign-in (refused when the line is full) would get 503 for as
/// long as the attacker keeps posting; so a post that finds no place is told to come back.
async fn one_link_cannot_fill_the_password_threads(backend: Backend) {
    let w = World::spawn_with(backend, |s| {
        s.sign_up_require_password = true;
        s.password_hashing_threads = 1;
        s.password_hashing_queue = 0;
    })
    .await;
    let email = "grace@example.com";
    let token = magic_link_token(&w.app, &w.bearer, email).await;
    let pending = w.link_request(&token, email, &["email"], &[]);
    let b = browser();
    let r = b.get(&pending.url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let page = w.app.url(&location(&r));
    let csrf = input_value(&page_html(&b, &page).await, "csrf").expect("csrf");
    let handles: Vec<_> = (0..24)
        .map(|_| {
            let (b, page, csrf) = (b.clone(), page.clone(), csrf.clone());
            actix_rt::spawn(async move {
                let r = b
                    .post(format!("{page}/register"))
                    .form(&[("csrf", csrf.as_str()), ("password", PASSWORD)])
                    .send()
                    .await
                    .expect("register");
                (r.status().as_u16(), r.headers().contains_key("retry-after"))
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for h in handles {
        statuses.push(h.await.expect("task"));
    }
    let busy = statuses.iter().filter(|s| **s == (503, true)).count();
    assert!(
        busy > 0,
        "24 parallel posts of one link's form all waited for the one password thread: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| s.0 != 500),
        "no post fails inside: {statuses:?}"
    );
}

on_both_backends!(
    one_link_cannot_fill_the_password_threads,
    forty_parallel_guesses_get_at_most_five_verifications,
    two_instances_share_the_limit,
    a_spoofed_forwarded_for_does_not_change_the_address,
    a_trusted_proxy_names_the_client,
    registration_is_limited_per_address,
    invalid_emails_never_reach_the_rate_limit_table,
    two_hundred_parallel_registrations_stay_under_256_mib,
);
