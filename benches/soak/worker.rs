//! A worker: paced operations of the mix, each to the next instance in turn, with the
//! refresh tokens of its sign-ins kept for the refreshes, as the clients of those sign-ins
//! would.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::flow::{
    Answer, Ctx, Failure, M2mToken, Step, answer, fail, json_body, non_empty, unexpected,
};
use crate::minutes::{Outcome, Recorder};
use crate::mix::{Kind, Mix, Schedule};

/// Refresh-token families a worker's clients keep at once; a new sign-in beyond that ends the
/// oldest one (its user went away).
const FAMILIES: usize = 8;
/// One-time token ids kept for the Management API's reads.
const LINK_IDS: usize = 16;
/// Users per page of `GET /api/users`.
const PAGE_SIZE: usize = 20;

/// What every worker shares.
pub struct Shared {
    /// One per instance.
    pub ctxs: Vec<Ctx>,
    pub mix: Mix,
    /// Addresses signed in by magic link (registered before the run).
    pub link_users: Vec<String>,
    /// Addresses signed in with `password` (created before the run).
    pub password_users: Vec<String>,
    pub password: String,
    /// How many times a family is refreshed before its client stops.
    pub family_refreshes: u32,
    /// Time between two operations of one worker.
    pub pace: Duration,
    pub concurrency: usize,
    pub stop_at: Instant,
    pub recorder: Mutex<Recorder>,
}

/// A sign-in's refresh token and the refreshes its client still makes.
struct Family {
    refresh_token: String,
    left: u32,
}

struct Worker {
    id: usize,
    /// Operations started.
    n: usize,
    /// Operations started per kind: each kind takes the instances in turn, so that every
    /// instance gets its share of each (the schedule's order would otherwise line some kinds
    /// up with one instance).
    turns: [usize; 5],
    m2m: M2mToken,
    families: VecDeque<Family>,
    link_ids: VecDeque<String>,
}

pub async fn run(shared: Arc<Shared>, id: usize) {
    let mut worker = Worker {
        id,
        n: 0,
        turns: [0; 5],
        m2m: M2mToken::default(),
        families: VecDeque::new(),
        link_ids: VecDeque::new(),
    };
    let mut schedule = Schedule::new(shared.mix, id);
    // Workers start spread over one pace, not all at once.
    let offset = shared
        .pace
        .mul_f64(id as f64 / shared.concurrency.max(1) as f64);
    let mut next = Instant::now() + offset;
    loop {
        tokio::time::sleep_until(next.into()).await;
        let started = Instant::now();
        if started >= shared.stop_at {
            break;
        }
        // Behind the schedule (a slow server): the next one starts at once, with no burst.
        next = (next + shared.pace).max(started);
        let kind = schedule.next_kind();
        let turn = &mut worker.turns[kind as usize];
        let ctx = &shared.ctxs[(worker.id + *turn) % shared.ctxs.len()];
        *turn += 1;
        worker.n += 1;
        let result = worker.operate(&shared, ctx, kind).await;
        let ended = Instant::now();
        let mut recorder = shared.recorder.lock().unwrap_or_else(|p| p.into_inner());
        recorder.record(kind, started, ended, result);
    }
}

impl Worker {
    /// The `i`th address of `pool` for this worker, so workers spread over the pool.
    fn address<'a>(&self, shared: &Shared, pool: &'a [String]) -> &'a str {
        &pool[(self.id + self.n * shared.concurrency) % pool.len().max(1)]
    }

    fn keep_family(&mut self, shared: &Shared, refresh_token: Option<String>) {
        if let Some(refresh_token) = refresh_token {
            self.families.push_back(Family {
                refresh_token,
                left: shared.family_refreshes,
            });
            if self.families.len() > FAMILIES {
                self.families.pop_front();
            }
        }
    }

    async fn operate(
        &mut self,
        shared: &Shared,
        ctx: &Ctx,
        kind: Kind,
    ) -> Result<Outcome, Failure> {
        match kind {
            Kind::MagicLink => {
                let email = self.address(shared, &shared.link_users);
                let mut times = [0u32; 4];
                let done = ctx.flow(&mut self.m2m, email, &mut times).await?;
                self.keep_family(shared, done.refresh_token);
                self.link_ids.push_back(done.link_id);
                if self.link_ids.len() > LINK_IDS {
                    self.link_ids.pop_front();
                }
            }
            Kind::Password => {
                let email = self.address(shared, &shared.password_users);
                let tokens = ctx.password_sign_in(email, &shared.password).await?;
                self.keep_family(shared, tokens.refresh_token);
            }
            Kind::Refresh => {
                let Some(family) = self.families.pop_front() else {
                    return Ok(Outcome::Skipped);
                };
                let form = [
                    ("grant_type", "refresh_token"),
                    ("refresh_token", family.refresh_token.as_str()),
                ];
                let v = ctx.spa_token(Step::Refresh, &form).await?;
                let rotated = non_empty(&v, "refresh_token")
                    .ok_or_else(|| fail(Step::Refresh, "body", "no refresh_token"))?;
                if family.left > 1 {
                    self.families.push_back(Family {
                        refresh_token: rotated.to_owned(),
                        left: family.left - 1,
                    });
                }
            }
            Kind::ClientCredentials => {
                let v = ctx.client_credentials(Step::ClientCredentials).await?;
                if non_empty(&v, "access_token").is_none() {
                    return Err(fail(Step::ClientCredentials, "body", "no access_token"));
                }
            }
            Kind::ApiRead => self.api_read(shared, ctx).await?,
        }
        Ok(Outcome::Done)
    }

    /// One Management API read, in turn: a page of users, the applications, a one-time token
    /// made by an earlier link.
    async fn api_read(&mut self, shared: &Shared, ctx: &Ctx) -> Result<(), Failure> {
        let step = Step::ApiRead;
        ctx.m2m_token(&mut self.m2m).await?;
        let users = shared.link_users.len() + shared.password_users.len();
        let pages = users.div_ceil(PAGE_SIZE).max(1);
        let (path, want_list) = match (self.n % 3, self.link_ids.back()) {
            (1, _) => ("/api/applications".to_owned(), true),
            (2, Some(id)) => (format!("/api/one-time-tokens/{id}"), false),
            _ => {
                let page = 1 + (self.n / 3) % pages;
                (
                    format!("/api/users?page={page}&page_size={PAGE_SIZE}"),
                    true,
                )
            }
        };
        let get = ctx
            .http
            .get(format!("{}{path}", ctx.target.base_url))
            .bearer_auth(self.m2m.token());
        let Answer { status, body, .. } = answer(step, get).await?;
        if status == 401 {
            self.m2m = M2mToken::default(); // renewed on the next one
        }
        if status != 200 {
            return Err(unexpected(step, status, &body));
        }
        let v = json_body(step, &body)?;
        let fits = if want_list {
            v.as_array().is_some_and(|a| !a.is_empty())
        } else {
            v.get("id").and_then(Value::as_str).is_some()
        };
        if !fits {
            return Err(fail(step, "body", format!("unexpected answer to {path}")));
        }
        Ok(())
    }
}
