//! Load on a running Sesame: clients creating one-time tokens in a loop, every answer kept with
//! when it was sent and how long it took (the outage and shutdown tests judge them).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// One request: when it was sent, how long it took, and what came back.
#[derive(Debug)]
pub struct Outcome {
    /// The email the token was asked for (unique per request).
    pub email: String,
    pub sent: Duration,
    pub took: Duration,
    /// `None`: no complete HTTP answer (see `error`).
    pub status: Option<u16>,
    pub retry_after: bool,
    pub body: Value,
    /// Why there was no complete answer.
    pub error: Option<String>,
    /// The connection was refused: the server never accepted this request.
    pub refused: bool,
}

/// `POST /api/one-time-tokens` in a loop (a fresh email each time, keep-alive connection) until
/// `stop`, or until a connection is refused when `until_refused`; times are from `start`.
pub async fn create_tokens(
    base: String,
    bearer: String,
    worker: usize,
    start: Instant,
    stop: Arc<AtomicBool>,
    until_refused: bool,
) -> Vec<Outcome> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let mut outcomes = Vec::new();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let sent = start.elapsed();
        let email = format!("w{worker}-{n}@example.com");
        let answer = client
            .post(format!("{base}/api/one-time-tokens"))
            .bearer_auth(&bearer)
            .json(&json!({ "email": email }))
            .send()
            .await;
        let outcome = match answer {
            Ok(r) => {
                let status = r.status().as_u16();
                let retry_after = r.headers().get("retry-after").is_some();
                // A body cut short is an error here, not an answer.
                match r.text().await {
                    Ok(text) => Outcome {
                        email,
                        sent,
                        took: start.elapsed() - sent,
                        status: Some(status),
                        retry_after,
                        body: serde_json::from_str(&text).unwrap_or(Value::Null),
                        error: None,
                        refused: false,
                    },
                    Err(e) => failed(email, sent, start, &e),
                }
            }
            Err(e) => failed(email, sent, start, &e),
        };
        let refused = outcome.refused;
        outcomes.push(outcome);
        if refused && until_refused {
            break;
        }
        actix_rt::time::sleep(Duration::from_millis(5)).await;
    }
    outcomes
}

fn failed(email: String, sent: Duration, start: Instant, e: &reqwest::Error) -> Outcome {
    Outcome {
        email,
        sent,
        took: start.elapsed() - sent,
        status: None,
        retry_after: false,
        body: Value::Null,
        error: Some(format!("{e:?}")),
        refused: e.is_connect(),
    }
}

/// The ids of the tokens acknowledged with 201.
pub fn acknowledged(outcomes: &[Outcome]) -> Vec<String> {
    outcomes
        .iter()
        .filter(|o| o.status == Some(201))
        .map(|o| {
            o.body["id"]
                .as_str()
                .expect("a created token has an id")
                .to_owned()
        })
        .collect()
}

/// Those of `ids` that are not in the one-time token table of the database at `url`, and those
/// of `emails` that are (requests that should have left no trace).
pub fn check_tokens(url: &str, ids: &[String], emails: &[String]) -> (Vec<String>, Vec<String>) {
    use diesel::prelude::*;
    use sesame::storage::schema::one_time_tokens::dsl;
    let url = sesame::storage::DatabaseUrl::parse(url);
    let storage = sesame::storage::Storage::connect(&url, sesame::storage::Limits::default())
        .expect("open the database");
    let (ids, emails) = (ids.to_vec(), emails.to_vec());
    storage
        .run_blocking(move |c| {
            let mut missing = Vec::new();
            for id in ids {
                if sesame::storage::one_time_tokens::find_by_id(c, &id)?.is_none() {
                    missing.push(id);
                }
            }
            let mut present = Vec::new();
            for email in emails {
                let n: i64 = dsl::one_time_tokens
                    .filter(dsl::email.eq(&email))
                    .count()
                    .get_result(c)?;
                if n > 0 {
                    present.push(email);
                }
            }
            Ok((missing, present))
        })
        .expect("look the tokens up")
}

/// Those of `ids` that are not in the one-time token table of the database at `url`.
pub fn missing_tokens(url: &str, ids: &[String]) -> Vec<String> {
    check_tokens(url, ids, &[]).0
}
