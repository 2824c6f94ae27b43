//! Attack: racing "stay" on the switch page. Signed in as A, a magic link for B shows the
//! switch page; the same "stay signed in as A" form posted several times at once (a double
//! click, a replayed request) must finish the interaction once: one code, and the other posts
//! get the expired-interaction page. Finishing used to ignore whether its delete removed the
//! row, so every racer that had loaded the interaction got a code of its own.

use crate::common::rp;
use crate::common::{
    Backend, browser, input_value, location, magic_link_token, page_error_code, page_html,
    query_param, sign_in,
};

/// Racing posts per round, and rounds: one race can miss the window, a few do not.
const RACERS: usize = 4;
const ROUNDS: usize = 4;

async fn racing_stay_posts_get_one_code(backend: Backend) {
    let w = rp::World::spawn(backend).await;
    w.app.create_user("a@example.com");
    let b = browser();
    let pending = w.rp.authorize(&[], &[]);
    sign_in(&w.app, &b, &pending.url, "a@example.com").await;
    for round in 0..ROUNDS {
        let token = magic_link_token(&w.app, &w.bearer, "b@example.com").await;
        let pending = w.link_request(&token, "b@example.com", &[], &[]);
        let r = b.get(&pending.url).send().await.expect("authorize");
        assert_eq!(r.status(), 303);
        let page = w.app.url(&location(&r));
        let html = page_html(&b, &page).await;
        assert!(html.contains("Switch account?"), "the switch page: {html}");
        let csrf = input_value(&html, "csrf").expect("csrf");
        let handles: Vec<_> = (0..RACERS)
            .map(|_| {
                let (b, url, csrf) = (b.clone(), format!("{page}/switch"), csrf.clone());
                actix_rt::spawn(async move {
                    let form = [("csrf", csrf.as_str()), ("action", "back")];
                    let r = b.post(url).form(&form).send().await.expect("stay");
                    let status = r.status().as_u16();
                    let to = (status == 303).then(|| location(&r));
                    (status, to, r.text().await.unwrap_or_default())
                })
            })
            .collect();
        let mut codes = 0;
        for handle in handles {
            let (status, to, body) = handle.await.expect("racer");
            match to {
                Some(to) if query_param(&to, "code").is_some() => codes += 1,
                _ => {
                    assert_eq!(status, 400, "round {round}: {to:?} {body}");
                    assert_eq!(
                        page_error_code(&body).as_deref(),
                        Some("interaction_expired"),
                        "round {round}: {body}"
                    );
                }
            }
        }
        assert_eq!(codes, 1, "round {round}: codes issued by racing stays");
    }
}

on_both_backends!(racing_stay_posts_get_one_code);
