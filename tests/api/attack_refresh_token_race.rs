//! Attack: the refresh / code reuse race. A stolen refresh token (or authorization code) is
//! presented by the attacker and the victim at the same time. One use wins; every other use is
//! a replay that revokes the whole grant (RFC 9700 4.14.2, RFC 6749 4.1.2). The redemption and
//! the successor tokens used to be two separate writes, so a replay landing between them
//! revoked the grant before the successors existed, and they stayed alive. Afterwards no token
//! of the family may be active: not the originals, and not whatever any racer was given.

use std::future::Future;

use serde_json::json;
use sesame::crypto::SigningAlg;
use sesame::identity::applications::AppType;

use crate::common::api::{Reply, send, str_of, token_request};
use crate::common::{Backend, TestApp, browser, code_request, query_param, sign_in};

const CALLBACK: &str = "http://127.0.0.1:9999/callback";
const EMAIL: &str = "ada@example.com";
/// Parallel uses of one artifact per round.
const RACERS: usize = 20;
/// Rounds per test: one race can miss the window, a few do not.
const ROUNDS: usize = 4;

/// A confidential client: its id and secret.
#[derive(Clone)]
struct Client {
    id: String,
    secret: String,
}

impl Client {
    fn new(app: &TestApp) -> Self {
        let (id, secret) = app.create_app(AppType::Traditional, &[CALLBACK], SigningAlg::RS256);
        Client {
            id,
            secret: secret.expect("a confidential client has a secret"),
        }
    }

    async fn token(&self, base: &str, form: &[(&str, &str)]) -> Reply {
        send(
            reqwest::Client::new()
                .post(format!("{base}/oidc/token"))
                .basic_auth(&self.id, Some(&self.secret))
                .form(form),
        )
        .await
    }

    async fn refresh(&self, base: &str, refresh_token: &str) -> Reply {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        self.token(base, &form).await
    }

    async fn exchange(&self, base: &str, code: &str, verifier: &str) -> Reply {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier),
        ];
        self.token(base, &form).await
    }

    /// Asserts that `token` introspects as exactly `{"active": false}` for its own client.
    async fn assert_inactive(&self, app: &TestApp, token: &str, what: &str) {
        let reply = send(
            reqwest::Client::new()
                .post(app.url("/oidc/token/introspection"))
                .basic_auth(&self.id, Some(&self.secret))
                .form(&[("token", token)]),
        )
        .await;
        assert_eq!(reply.ok(200), &json!({"active": false}), "{what}");
    }
}

/// A fresh sign-in with `openid offline_access`: the code and its PKCE verifier.
async fn code_of(app: &TestApp, client: &Client) -> (String, String) {
    let (url, verifier) = code_request(app, &client.id, CALLBACK, "openid offline_access", "s");
    let callback = sign_in(app, &browser(), &url, EMAIL).await;
    let code = query_param(&callback, "code").unwrap_or_else(|| panic!("no code: {callback}"));
    (code, verifier)
}

/// The access and refresh token of a fresh sign-in.
async fn user_tokens(app: &TestApp, client: &Client) -> (String, String) {
    let (code, verifier) = code_of(app, client).await;
    let reply = token_request(
        app,
        Some((&client.id, &client.secret)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    let body = reply.ok(200);
    (str_of(body, "access_token"), str_of(body, "refresh_token"))
}

/// Runs `make(i)` for every racer at once, as truly parallel HTTP requests; their replies.
async fn race<F, Fut>(make: F) -> Vec<Reply>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Reply> + 'static,
{
    let handles: Vec<_> = (0..RACERS).map(|i| actix_rt::spawn(make(i))).collect();
    let mut replies = Vec::with_capacity(RACERS);
    for handle in handles {
        replies.push(handle.await.expect("racer"));
    }
    replies
}

/// At most one racer won; the others were told `invalid_grant`. The winners' token responses.
fn winners(replies: Vec<Reply>, what: &str) -> Vec<Reply> {
    let (won, lost): (Vec<_>, Vec<_>) = replies.into_iter().partition(|r| r.status == 200);
    assert!(won.len() <= 1, "{what}: {} racers won", won.len());
    for reply in &lost {
        reply.assert_oauth_error(400, "invalid_grant");
    }
    won
}

/// Every token of the family is dead: each introspects inactive, and each refresh token,
/// presented at the token endpoint, is refused.
async fn assert_family_dead(
    app: &TestApp,
    client: &Client,
    access: &[String],
    refresh: &[String],
    round: usize,
) {
    for token in access {
        let what = format!("round {round}: an access token of the family");
        client.assert_inactive(app, token, &what).await;
    }
    for token in refresh {
        let what = format!("round {round}: a refresh token of the family");
        client.assert_inactive(app, token, &what).await;
        let base = app.url("");
        client
            .refresh(&base, token)
            .await
            .assert_oauth_error(400, "invalid_grant");
    }
}

async fn parallel_refreshes_leave_no_token_of_the_family_alive(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let client = Client::new(&app);
    let base = app.url("");
    for round in 0..ROUNDS {
        let (access, refresh) = user_tokens(&app, &client).await;
        let replies = race(|_| {
            let (client, base, refresh) = (client.clone(), base.clone(), refresh.clone());
            async move { client.refresh(&base, &refresh).await }
        })
        .await;
        let (mut access_tokens, mut refresh_tokens) = (vec![access], vec![refresh]);
        for won in winners(replies, "refresh") {
            access_tokens.push(won.str("access_token"));
            refresh_tokens.push(won.str("refresh_token"));
        }
        assert_family_dead(&app, &client, &access_tokens, &refresh_tokens, round).await;
    }
}

/// The victim refreshes the successor while the attacker replays the token it replaced: the
/// revocation must not miss what the victim's refresh issues at that moment.
async fn a_replay_racing_a_refresh_of_the_successor_leaves_nothing_alive(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let client = Client::new(&app);
    let base = app.url("");
    for round in 0..ROUNDS {
        let (first_access, replayed) = user_tokens(&app, &client).await;
        let rotated = client.refresh(&base, &replayed).await;
        rotated.ok(200);
        let (access, successor) = (rotated.str("access_token"), rotated.str("refresh_token"));
        let replies = race(|i| {
            let (client, base) = (client.clone(), base.clone());
            let presented = if i == RACERS / 2 {
                &successor
            } else {
                &replayed
            }
            .clone();
            async move { client.refresh(&base, &presented).await }
        })
        .await;
        let mut access_tokens = vec![first_access, access];
        let mut refresh_tokens = vec![replayed, successor];
        for won in winners(replies, "refresh of the successor") {
            access_tokens.push(won.str("access_token"));
            refresh_tokens.push(won.str("refresh_token"));
        }
        assert_family_dead(&app, &client, &access_tokens, &refresh_tokens, round).await;
    }
}

async fn parallel_code_redemptions_leave_nothing_of_the_code_alive(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user(EMAIL);
    let client = Client::new(&app);
    let base = app.url("");
    for round in 0..ROUNDS {
        let (code, verifier) = code_of(&app, &client).await;
        let replies = race(|_| {
            let (client, base) = (client.clone(), base.clone());
            let (code, verifier) = (code.clone(), verifier.clone());
            async move { client.exchange(&base, &code, &verifier).await }
        })
        .await;
        let (mut access_tokens, mut refresh_tokens) = (vec![], vec![]);
        for won in winners(replies, "code") {
            access_tokens.push(won.str("access_token"));
            refresh_tokens.push(won.str("refresh_token"));
        }
        assert_family_dead(&app, &client, &access_tokens, &refresh_tokens, round).await;
    }
}

on_both_backends!(
    parallel_refreshes_leave_no_token_of_the_family_alive,
    a_replay_racing_a_refresh_of_the_successor_leaves_nothing_alive,
    parallel_code_redemptions_leave_nothing_of_the_code_alive,
);
