//! Attack: a pre-hijacked account (Sudhodanan & Paverd, USENIX Security 2022, "classic
//! federated merge"). Public sign-up does not prove the email, so an attacker registers the
//! victim's address first, with a password of his own (and a TOTP authenticator, while the
//! policy asks for one), and keeps a browser session and a refresh token. When the owner later
//! signs in with a magic link for that address (an invitation to an organization), the link
//! proves the address for the first time: the account becomes the owner's, and everything set
//! up before the proof must end with it (sessions, access and refresh tokens, the password,
//! the authenticator and backup codes). The owner is then signed in and joins the
//! organization as with any link; the attacker keeps nothing.

use serde_json::{Value, json};
use sesame::config::Settings;
use sesame::crypto::SigningAlg;
use sesame::identity::applications::AppType;

use crate::common::api::{Reply, send, str_of, token_request};
use crate::common::smtp::SmtpServer;
use crate::common::totp::{code_now, totp_secret};
use crate::common::{
    Backend, PASSWORD, TestApp, browser, code_request, input_value, location, management_token,
    open_page, post_sign_in, query_param, start_interaction,
};

const CALLBACK: &str = "http://127.0.0.1:9999/callback";
const VICTIM: &str = "victim@example.com";
const ATTACKERS_PASSWORD: &str = "attacker's own passphrase";

/// A confidential client (a web application with a backend): it may introspect its tokens.
struct Client {
    id: String,
    secret: String,
}

struct Tokens {
    access: String,
    refresh: String,
}

struct World {
    app: TestApp,
    bearer: String,
    client: Client,
}

impl World {
    async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Self {
        let app = TestApp::spawn_with(backend, configure).await;
        let bearer = management_token(&app).await;
        let (id, secret) = app.create_app(AppType::Traditional, &[CALLBACK], SigningAlg::RS256);
        let client = Client {
            id,
            secret: secret.expect("a traditional application has a secret"),
        };
        World {
            app,
            bearer,
            client,
        }
    }

    /// A Management API call; its reply.
    async fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = reqwest::Client::new()
            .request(method, self.app.url(path))
            .bearer_auth(&self.bearer);
        if let Some(body) = body {
            request = request.json(&body);
        }
        send(request).await
    }

    async fn sign_in_experience(&self, patch: Value) {
        let reply = self
            .api(reqwest::Method::PATCH, "/api/sign-in-exp", Some(patch))
            .await;
        reply.ok(200);
    }

    /// An authorization request of the client for `openid email offline_access`, with
    /// `extra` parameters: its URL and PKCE verifier.
    fn request(&self, extra: &[(&str, &str)]) -> (String, String) {
        let (url, verifier) = code_request(
            &self.app,
            &self.client.id,
            CALLBACK,
            "openid email offline_access",
            "s",
        );
        let mut url = url::Url::parse(&url).expect("url");
        url.query_pairs_mut().extend_pairs(extra);
        (url.to_string(), verifier)
    }

    /// The client's backend exchanges the code of `callback`.
    async fn exchange(&self, callback: &str, verifier: &str) -> Tokens {
        let code = query_param(callback, "code").unwrap_or_else(|| panic!("no code: {callback}"));
        let reply = token_request(
            &self.app,
            Some((&self.client.id, &self.client.secret)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", verifier),
            ],
        )
        .await;
        let body = reply.ok(200);
        Tokens {
            access: str_of(body, "access_token"),
            refresh: str_of(body, "refresh_token"),
        }
    }

    async fn refresh(&self, refresh_token: &str) -> Reply {
        token_request(
            &self.app,
            Some((&self.client.id, &self.client.secret)),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        )
        .await
    }

    async fn introspect(&self, token: &str) -> Value {
        let reply = send(
            reqwest::Client::new()
                .post(self.app.url("/oidc/token/introspection"))
                .basic_auth(&self.client.id, Some(&self.client.secret))
                .form(&[("token", token)]),
        )
        .await;
        reply.ok(200).clone()
    }

    /// The attacker's public sign-up for the victim's address with his password, in `b`: the
    /// answer to the registration form, and the verifier of the authorization request it
    /// belongs to.
    async fn attacker_submits_registration(
        &self,
        b: &reqwest::Client,
    ) -> (reqwest::Response, String) {
        let (url, verifier) = self.request(&[]);
        let page = start_interaction(&self.app, b, &url).await;
        let (_, csrf) = open_page(b, &format!("{page}/register")).await;
        let r = b
            .post(format!("{page}/register"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", VICTIM),
                ("password", ATTACKERS_PASSWORD),
                ("name", "Not The Victim"),
            ])
            .send()
            .await
            .expect("register");
        (r, verifier)
    }

    /// Public sign-up on the hosted page in `b`, as the MFA policy in force then wants it
    /// (`mandatory`: the attacker enrolls an authenticator of his own). Returns his tokens.
    async fn attacker_registers(&self, b: &reqwest::Client) -> Tokens {
        let (r, verifier) = self.attacker_submits_registration(b).await;
        assert_eq!(r.status(), 303, "public sign-up is open");
        let to = location(&r);
        assert!(to.starts_with("/interaction/"), "enrollment is due: {to}");
        let mfa = self.app.url(&to);
        let (html, csrf) = open_page(b, &mfa).await;
        let secret = totp_secret(&html).unwrap_or_else(|| panic!("an enrollment page: {html}"));
        let r = b
            .post(format!("{mfa}/mfa"))
            .form(&[("csrf", csrf.as_str()), ("code", &code_now(&secret))])
            .send()
            .await
            .expect("enroll");
        assert_eq!(r.status(), 200, "the backup codes page");
        let r = b
            .post(format!("{mfa}/mfa/continue"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .expect("continue");
        assert_eq!(r.status(), 303);
        let callback = location(&r);
        assert!(callback.starts_with(CALLBACK), "{callback}");
        self.exchange(&callback, &verifier).await
    }

    /// Whether `b`'s session still signs in silently (`prompt=none` gives a code).
    async fn signs_in_silently(&self, b: &reqwest::Client) -> Option<String> {
        let (url, _) = self.request(&[("prompt", "none")]);
        let r = b.get(&url).send().await.expect("authorize");
        assert_eq!(r.status(), 303);
        let callback = location(&r);
        assert!(callback.starts_with(CALLBACK), "{callback}");
        match query_param(&callback, "code") {
            Some(_) => None,
            None => query_param(&callback, "error"),
        }
    }

    /// The status of a password sign-in on a fresh hosted page.
    async fn password_sign_in(&self, password: &str) -> u16 {
        let b = browser();
        let (url, _) = self.request(&[]);
        let page = start_interaction(&self.app, &b, &url).await;
        let (_, csrf) = open_page(&b, &page).await;
        post_sign_in(&b, &page, &csrf, VICTIM, password)
            .await
            .status()
            .as_u16()
    }
}

async fn a_link_ends_everything_the_pre_hijacker_set_up(backend: Backend) {
    let w = World::spawn(backend).await;
    // Public sign-up is open; while the attacker registers, MFA is mandatory, so he enrolls
    // an authenticator of his own.
    w.sign_in_experience(
        json!({"signUp": {"enabled": true, "verifyEmail": false}, "mfa": {"policy": "mandatory"}}),
    )
    .await;
    let attacker = browser();
    let stolen = w.attacker_registers(&attacker).await;
    assert_eq!(w.introspect(&stolen.access).await["active"], true);
    assert_eq!(w.signs_in_silently(&attacker).await, None, "his session");
    w.sign_in_experience(json!({"mfa": {"policy": "user"}}))
        .await;

    // The owner is invited to an organization: a link for the address, redeemed through the
    // authorization endpoint.
    let org = w
        .api(
            reqwest::Method::POST,
            "/api/organizations",
            Some(json!({"name": "Acme"})),
        )
        .await;
    let org = str_of(org.ok(201), "id");
    let link = w
        .api(
            reqwest::Method::POST,
            "/api/one-time-tokens",
            Some(json!({"email": VICTIM, "context": {"jitOrganizationIds": [org]}})),
        )
        .await;
    let token = str_of(link.ok(201), "token");
    let owner = browser();
    let (url, verifier) = w.request(&[("one_time_token", &token), ("login_hint", VICTIM)]);
    let r = owner.get(&url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    assert!(
        callback.starts_with(CALLBACK),
        "the owner is signed in by the link, never asked for the attacker's authenticator: \
         {callback}"
    );
    let owners = w.exchange(&callback, &verifier).await;
    let info = w.introspect(&owners.access).await;
    assert_eq!(info["active"], true);
    let user_id = str_of(&info, "sub");
    let members = w
        .api(
            reqwest::Method::GET,
            &format!("/api/organizations/{org}/users"),
            None,
        )
        .await;
    let members: Vec<String> = members
        .ok(200)
        .as_array()
        .expect("members")
        .iter()
        .map(|m| str_of(m, "id"))
        .collect();
    assert_eq!(
        members,
        vec![user_id.clone()],
        "the owner joined the organization"
    );

    // The attacker keeps nothing: his refresh token, access token and session are dead...
    w.refresh(&stolen.refresh)
        .await
        .assert_oauth_error(400, "invalid_grant");
    assert_eq!(w.introspect(&stolen.access).await, json!({"active": false}));
    assert_eq!(
        w.signs_in_silently(&attacker).await.as_deref(),
        Some("login_required"),
        "his browser session ended"
    );
    // ...his password no longer signs in...
    assert_eq!(w.password_sign_in(ATTACKERS_PASSWORD).await, 401);
    // ...and his authenticator and backup codes are gone.
    let id = user_id.clone();
    let totp = w
        .app
        .storage
        .run_blocking(move |c| sesame::storage::mfa::find_totp(c, &id))
        .expect("read");
    assert!(totp.is_none(), "the attacker's authenticator was removed");

    // The account is the owner's: verified, without a password until the owner sets one; the
    // owner's own tokens work.
    let user = w
        .api(reqwest::Method::GET, &format!("/api/users/{user_id}"), None)
        .await;
    let user = user.ok(200);
    assert_eq!(user["emailVerified"], true, "{user}");
    assert_eq!(user["hasPassword"], false, "{user}");
    assert_eq!(w.refresh(&owners.refresh).await.status, 200);
    assert_eq!(
        w.signs_in_silently(&owner).await,
        None,
        "the owner's session"
    );
}

/// A link that leads to the registration form (the settings ask a name) consumed the token
/// when no account had the address; the attacker registers it publicly before the owner
/// submits the form. The owner's registration then finds the attacker's account: it must not
/// sign into it as it stands, but take it over as the first proof of the address.
async fn a_link_registration_takes_over_an_account_registered_meanwhile(backend: Backend) {
    let w = World::spawn(backend).await;
    w.sign_in_experience(
        json!({"signUp": {"enabled": true, "requireName": true, "verifyEmail": false}}),
    )
    .await;
    let token = w
        .api(
            reqwest::Method::POST,
            "/api/one-time-tokens",
            Some(json!({"email": VICTIM})),
        )
        .await;
    let token = str_of(token.ok(201), "token");
    let owner = browser();
    let (url, verifier) = w.request(&[("one_time_token", &token), ("login_hint", VICTIM)]);
    let page = start_interaction(&w.app, &owner, &url).await;
    let (html, csrf) = open_page(&owner, &page).await;
    assert!(input_value(&html, "name").is_some(), "the form asks a name");

    // Meanwhile, the attacker registers the address with his password.
    let attacker = browser();
    let (r, attackers_verifier) = w.attacker_submits_registration(&attacker).await;
    assert_eq!(r.status(), 303);
    let stolen = w.exchange(&location(&r), &attackers_verifier).await;

    // The owner completes the link's registration.
    let r = owner
        .post(format!("{page}/register"))
        .form(&[("csrf", csrf.as_str()), ("name", "Victim")])
        .send()
        .await
        .expect("register by link");
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    assert!(callback.starts_with(CALLBACK), "{callback}");
    w.exchange(&callback, &verifier).await;

    w.refresh(&stolen.refresh)
        .await
        .assert_oauth_error(400, "invalid_grant");
    assert_eq!(w.introspect(&stolen.access).await, json!({"active": false}));
    assert_eq!(
        w.signs_in_silently(&attacker).await.as_deref(),
        Some("login_required")
    );
    assert_eq!(w.password_sign_in(ATTACKERS_PASSWORD).await, 401);
}

/// An account whose address is already verified is left as it is by a link: the password,
/// the sessions and the tokens it had keep working.
async fn a_link_leaves_a_verified_account_as_it_is(backend: Backend) {
    let w = World::spawn(backend).await;
    w.app.create_user(VICTIM);
    let first = browser();
    let (url, verifier) = w.request(&[]);
    let page = start_interaction(&w.app, &first, &url).await;
    let (_, csrf) = open_page(&first, &page).await;
    let r = post_sign_in(&first, &page, &csrf, VICTIM, PASSWORD).await;
    assert_eq!(r.status(), 303);
    let earlier = w.exchange(&location(&r), &verifier).await;

    let link = w
        .api(
            reqwest::Method::POST,
            "/api/one-time-tokens",
            Some(json!({"email": VICTIM})),
        )
        .await;
    let token = str_of(link.ok(201), "token");
    let (url, verifier) = w.request(&[("one_time_token", &token), ("login_hint", VICTIM)]);
    let r = browser().get(&url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    assert!(callback.starts_with(CALLBACK), "{callback}");
    w.exchange(&callback, &verifier).await;

    assert_eq!(w.introspect(&earlier.access).await["active"], true);
    assert_eq!(w.refresh(&earlier.refresh).await.status, 200);
    assert_eq!(w.signs_in_silently(&first).await, None);
    assert_eq!(w.password_sign_in(PASSWORD).await, 303);
}

/// The attacker signs in (here: registers) with his password, enrolls his authenticator and
/// parks on the backup-codes page without continuing: his interaction holds a proof of the
/// password for an hour. The owner redeems a link meanwhile, which ends the password and the
/// authenticator; continuing the parked sign-in afterwards must not give him a code or a
/// session for the now verified account.
async fn a_sign_in_parked_before_the_takeover_cannot_finish_after_it(backend: Backend) {
    let w = World::spawn(backend).await;
    w.sign_in_experience(
        json!({"signUp": {"enabled": true, "verifyEmail": false}, "mfa": {"policy": "mandatory"}}),
    )
    .await;
    let attacker = browser();
    let (r, _) = w.attacker_submits_registration(&attacker).await;
    assert_eq!(r.status(), 303, "public sign-up is open");
    let mfa = w.app.url(&location(&r));
    let (html, csrf) = open_page(&attacker, &mfa).await;
    let secret = totp_secret(&html).unwrap_or_else(|| panic!("an enrollment page: {html}"));
    let r = attacker
        .post(format!("{mfa}/mfa"))
        .form(&[("csrf", csrf.as_str()), ("code", &code_now(&secret))])
        .send()
        .await
        .expect("enroll");
    assert_eq!(r.status(), 200, "the backup codes page: he parks here");

    // A minute later the owner redeems a link for the address: the first proof of it.
    w.sign_in_experience(json!({"mfa": {"policy": "user"}}))
        .await;
    w.app.clock.advance(std::time::Duration::from_secs(60));
    let link = w
        .api(
            reqwest::Method::POST,
            "/api/one-time-tokens",
            Some(json!({"email": VICTIM})),
        )
        .await;
    let token = str_of(link.ok(201), "token");
    let (url, verifier) = w.request(&[("one_time_token", &token), ("login_hint", VICTIM)]);
    let owner = browser();
    let r = owner.get(&url).send().await.expect("authorize");
    assert_eq!(r.status(), 303);
    let callback = location(&r);
    assert!(callback.starts_with(CALLBACK), "{callback}");
    w.exchange(&callback, &verifier).await;

    // The attacker continues his parked sign-in.
    let r = attacker
        .post(format!("{mfa}/mfa/continue"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("continue");
    let to = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap_or("").to_owned());
    assert!(
        !to.as_deref().is_some_and(|to| to.contains("code=")),
        "no code for the attacker after the takeover: {to:?}"
    );
    assert_ne!(r.status(), 303, "a page telling him to sign in again");
    assert!(
        r.status().is_client_error(),
        "not a server error: {}",
        r.status()
    );
    assert_eq!(
        w.signs_in_silently(&attacker).await.as_deref(),
        Some("login_required"),
        "and no session"
    );
    // The owner's own sign-in is untouched.
    assert_eq!(
        w.signs_in_silently(&owner).await,
        None,
        "the owner's session"
    );
}

/// With `signUp.verifyEmail` (the default) the attack fails at its first step: the attacker's
/// registration of the victim's address creates nothing, its code goes to the victim's mailbox
/// (which he cannot read), his guesses end the registration, and the owner later registers the
/// address with a password of his own.
async fn pre_hijacking_is_refused_when_sign_up_verifies_email(backend: Backend) {
    let smtp = SmtpServer::start();
    let w = World::spawn_with(backend, |s| smtp.configure(s)).await;
    let account = || {
        w.app
            .storage
            .run_blocking(|c| sesame::storage::users::find_user_by_email(c, VICTIM))
            .expect("read")
    };
    let attacker = browser();
    let (r, _) = w.attacker_submits_registration(&attacker).await;
    assert_eq!(r.status(), 303);
    let code_page = w.app.url(&location(&r));
    assert!(code_page.ends_with("/sign-up/code"), "{code_page}");
    assert!(account().is_none(), "no account before the code");
    assert_eq!(w.password_sign_in(ATTACKERS_PASSWORD).await, 401);

    // The code went to the victim's mailbox; the attacker can only guess.
    let mails = smtp.wait_for(1, std::time::Duration::from_secs(20)).await;
    assert_eq!(mails[0].to, VICTIM);
    let code = mails[0].code().expect("a code in the mail");
    let (_, csrf) = open_page(&attacker, &code_page).await;
    let post = |typed: String| {
        attacker
            .post(&code_page)
            .form(&[("csrf", csrf.clone()), ("code", typed)])
            .send()
    };
    let guesses = (0..5u32).map(|i| {
        format!(
            "{:06}",
            (code.parse::<u32>().expect("digits") + 1 + i) % 1_000_000
        )
    });
    for guess in guesses {
        assert_eq!(post(guess).await.expect("guess").status(), 400);
    }
    let r = post(code.clone()).await.expect("the right code, too late");
    assert_eq!(r.status(), 400, "dead after five wrong codes");
    assert!(account().is_none(), "the attacker never got an account");

    // The owner registers the address later, with his own password, and reads his code.
    let owner = browser();
    let (url, verifier) = w.request(&[]);
    let page = start_interaction(&w.app, &owner, &url).await;
    let (_, csrf) = open_page(&owner, &format!("{page}/register")).await;
    let owners_password = "the owner's own passphrase";
    let r = owner
        .post(format!("{page}/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", VICTIM),
            ("password", owners_password),
        ])
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 303);
    let mails = smtp.wait_for(2, std::time::Duration::from_secs(20)).await;
    let code = mails[1].code().expect("the owner's code");
    let code_page = w.app.url(&location(&r));
    let (_, csrf) = open_page(&owner, &code_page).await;
    let r = owner
        .post(&code_page)
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .expect("code");
    assert_eq!(r.status(), 303);
    let tokens = w.exchange(&location(&r), &verifier).await;
    assert_eq!(w.introspect(&tokens.access).await["active"], true);
    let user = account().expect("the owner's account");
    assert!(user.email_verified);
    assert_eq!(w.password_sign_in(ATTACKERS_PASSWORD).await, 401);
    assert_eq!(w.password_sign_in(owners_password).await, 303);
}

on_both_backends!(
    pre_hijacking_is_refused_when_sign_up_verifies_email,
    a_link_ends_everything_the_pre_hijacker_set_up,
    a_link_registration_takes_over_an_account_registered_meanwhile,
    a_link_leaves_a_verified_account_as_it_is,
    a_sign_in_parked_before_the_takeover_cannot_finish_after_it
);
