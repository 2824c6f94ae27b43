//! Hosted passwordless sign-in (`magicLink.hostedSignIn`): "Email me a sign-in link" on the
//! sign-in page mails a link and a 6-digit code, and the browser waits on a page of its
//! interaction. The link never spends anything on GET. Opened in the browser that asked (it
//! carries the interaction's cookie), its page posts back and signs in: one click, or none
//! with the page's script. Opened anywhere else (another device, a mail scanner), it shows the
//! code to type on the device that asked, and signs nothing in there. Five wrong codes kill
//! the request. Spending it signs in as a magic link does (`finish`).

mod decide;
mod finish;
mod secrets;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use self::finish::{Finished, Key, Refusal};
use super::{Interaction, Step, add_cookie, expired, load, page_of, see_other, started_here};
use crate::config::Settings;
use crate::crypto::{Secret, sha256_b64url};
use crate::error::PageError;
use crate::i18n::{self, Tr};
use crate::identity::{Email, SignInExperience};
use crate::oidc::cookies::SesameCookie;
use crate::oidc::session::Amr;
use crate::pages::render;
use crate::state::AppState;
use crate::storage::hosted_links::{self as queries, HostedLinkRecord, LinkState, Sent};
use crate::storage::interactions::find_live_interaction;
use crate::storage::outbox::{self, MailKind, OutboxRecord};
use crate::storage::rate_limits::{self, Verdict};
use crate::storage::users::find_user_by_email;
use crate::telemetry::metrics;

/// How long a mailed link and code work.
pub const TTL_MS: i64 = 15 * 60 * 1000;
/// How long "Send again" waits after a mail.
pub const COOLDOWN_MS: i64 = 60 * 1000;
/// The window of the per-address and per-IP limits.
const LIMIT_WINDOW_MS: i64 = 3_600_000;
/// Where the mailed link points: under the hosted pages' path, which the interaction's cookie
/// is scoped to over http; its token in the query (paths are logged, queries are not).
pub const LINK_PATH: &str = "/interaction/sign-in-link";

/// Register these before the `/interaction` scope (which would take their paths).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/interaction/{uid}/email-link", web::get().to(waiting_page))
        .route("/interaction/{uid}/email-link", web::post().to(ask))
        .route(
            "/interaction/{uid}/email-link/again",
            web::post().to(send_again),
        )
        .route(
            "/interaction/{uid}/email-link/code",
            web::post().to(type_code),
        )
        .route(LINK_PATH, web::get().to(open_link))
        .route(LINK_PATH, web::post().to(follow_link));
}

/// Whether the sign-in page offers it.
pub fn offered(experience: &SignInExperience) -> bool {
    experience.magic_link.hosted_sign_in
}

fn turned_off() -> PageError {
    PageError::new(
        StatusCode::NOT_FOUND,
        "hosted_sign_in_disabled",
        "hosted-off-title",
        "hosted-off",
    )
    .with_next_step("error-next-sign-in-again")
}

async fn require_offered(state: &AppState) -> Result<(), PageError> {
    let experience = SignInExperience::load(&state.storage, &state.settings).await?;
    if offered(&experience) {
        Ok(())
    } else {
        Err(turned_off())
    }
}

/// The page of a link that can no longer be used, by what became of its request.
fn link_gone(state: LinkState) -> PageError {
    let (code, message) = match state {
        LinkState::Used => ("hosted_link_used", "hosted-link-used"),
        LinkState::Blocked => ("hosted_link_blocked", "hosted-link-blocked"),
        LinkState::Expired => ("hosted_link_expired", "hosted-link-expired"),
        LinkState::Live => ("hosted_link_not_found", "hosted-link-not-found"),
    };
    let status = match state {
        LinkState::Live => StatusCode::NOT_FOUND,
        _ => StatusCode::GONE,
    };
    PageError::new(status, code, "hosted-link-gone-title", message)
        .with_next_step("error-next-sign-in-again")
}

#[derive(Template)]
#[template(path = "hosted_wait.html")]
struct WaitPage<'a> {
    tr: Tr,
    uid: &'a str,
    csrf: &'a str,
    email: &'a str,
    /// What just happened (a new mail sent), or what is wrong.
    notice: Option<String>,
    error: Option<String>,
    /// The code can still be typed.
    live: bool,
    /// Seconds until "Send again" works; 0: now.
    wait_secs: i64,
    /// Five wrong codes: only starting again helps.
    blocked: bool,
}

fn show_wait(
    interaction: &Interaction,
    record: &HostedLinkRecord,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<String>,
    now: i64,
) -> HttpResponse {
    let tr = Tr(interaction.locale);
    let link_state = record.state(now);
    let error = error.or_else(|| match link_state {
        LinkState::Blocked => Some(tr.t("hosted-blocked")),
        LinkState::Expired => Some(tr.t("hosted-expired")),
        LinkState::Used | LinkState::Live => None,
    });
    let wait_secs = ((record.last_sent_at + COOLDOWN_MS - now).max(0) + 999) / 1000;
    render(
        status,
        &WaitPage {
            tr,
            uid: &interaction.uid,
            csrf: &interaction.csrf,
            email: &record.email,
            notice: notice.map(|key| tr.t(key)),
            error,
            live: link_state == LinkState::Live,
            wait_secs,
            blocked: link_state == LinkState::Blocked,
        },
    )
}

/// Loads the interaction for a hosted sign-in page: offered, at the sign-in step.
async fn at_sign_in(
    req: &HttpRequest,
    state: &AppState,
    uid: &str,
    now: i64,
) -> Result<Result<Interaction, HttpResponse>, PageError> {
    let interaction = load(req, state, uid, now).await?;
    require_offered(state).await?;
    Ok(match interaction.step {
        Step::SignIn => Ok(interaction),
        // Moved on (second factor, registration): that page.
        _ => Err(see_other(&page_of(uid))),
    })
}

async fn request_of(
    state: &AppState,
    interaction: &Interaction,
) -> Result<Option<HostedLinkRecord>, PageError> {
    let hash = interaction.id_hash.clone();
    Ok(state
        .storage
        .run(move |c| queries::find_for_interaction(c, &hash))
        .await?)
}

/// `GET /interaction/{uid}/email-link`: "Check your mail", the code field, "Send again".
async fn waiting_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = match at_sign_in(&req, &state, &uid, now).await? {
        Ok(interaction) => interaction,
        Err(elsewhere) => return Ok(elsewhere),
    };
    Ok(match request_of(&state, &interaction).await? {
        Some(record) => show_wait(&interaction, &record, StatusCode::OK, None, None, now),
        None => see_other(&page_of(&uid)),
    })
}

#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// `POST /interaction/{uid}/email-link` (the sign-in page's "Email me a sign-in link").
async fn ask(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<AskForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = match at_sign_in(&req, &state, &uid, now).await? {
        Ok(interaction) => interaction,
        Err(elsewhere) => return Ok(elsewhere),
    };
    interaction.check_csrf(&form.csrf)?;
    let typed = super::pages::typed_email(&form.email);
    let Ok(email) = Email::parse(typed) else {
        let status = StatusCode::BAD_REQUEST;
        let error = Some("hosted-invalid-email");
        return super::pages::show_sign_in(&state, &interaction, status, typed, error, now).await;
    };
    match send(&req, &state, &interaction, &email, now).await? {
        Sending::Sent | Sending::Refused => Ok(see_other(&format!("{}/email-link", page_of(&uid)))),
        Sending::Limited => {
            let status = StatusCode::TOO_MANY_REQUESTS;
            let error = Some("hosted-too-many");
            super::pages::show_sign_in(&state, &interaction, status, typed, error, now).await
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /interaction/{uid}/email-link/again`: a new link and code to the same address (the
/// old ones stop working), once the cooldown is over.
async fn send_again(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = match at_sign_in(&req, &state, &uid, now).await? {
        Ok(interaction) => interaction,
        Err(elsewhere) => return Ok(elsewhere),
    };
    interaction.check_csrf(&form.csrf)?;
    let Some(record) = request_of(&state, &interaction).await? else {
        return Ok(see_other(&page_of(&uid)));
    };
    // Stored from a parsed address.
    let email = Email::parse(&record.email).map_err(|_| PageError::internal())?;
    let sending = send(&req, &state, &interaction, &email, now).await?;
    let record = request_of(&state, &interaction).await?.unwrap_or(record);
    let tr = Tr(interaction.locale);
    Ok(match sending {
        Sending::Sent => show_wait(
            &interaction,
            &record,
            StatusCode::OK,
            Some("hosted-sent-again"),
            None,
            now,
        ),
        Sending::Refused => {
            let error = (record.state(now) == LinkState::Live
                || record.state(now) == LinkState::Expired)
                .then(|| {
                    let secs = ((record.last_sent_at + COOLDOWN_MS - now).max(0) + 999) / 1000;
                    i18n::t_args(
                        interaction.locale,
                        "hosted-wait-before-again",
                        &[("seconds", &secs)],
                    )
                });
            show_wait(
                &interaction,
                &record,
                StatusCode::TOO_MANY_REQUESTS,
                None,
                error,
                now,
            )
        }
        Sending::Limited => show_wait(
            &interaction,
            &record,
            StatusCode::TOO_MANY_REQUESTS,
            None,
            Some(tr.t("hosted-too-many")),
            now,
        ),
    })
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: Secret,
}

/// `POST /interaction/{uid}/email-link/code`: the code from the mail, typed in the browser
/// that asked.
async fn type_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    let interaction = match at_sign_in(&req, &state, &uid, now).await? {
        Ok(interaction) => interaction,
        Err(elsewhere) => return Ok(elsewhere),
    };
    interaction.check_csrf(&form.csrf)?;
    // Longer than any code with spaces: compared as it is, it matches nothing.
    let typed: String = form.code.expose().chars().take(32).collect();
    let finished = finish::finish(&req, &state, &interaction, Key::Code(typed), now).await?;
    let wrong =
        |left: i32| i18n::t_args(interaction.locale, "hosted-wrong-code", &[("left", &left)]);
    match finished {
        Ok(Finished::WrongCode { left }) => {
            metrics::hosted_sign_in(if left == 0 { "blocked" } else { "code_wrong" });
            let Some(record) = request_of(&state, &interaction).await? else {
                return Ok(see_other(&page_of(&uid)));
            };
            let error = (left > 0).then(|| wrong(left));
            let status = StatusCode::BAD_REQUEST;
            Ok(show_wait(&interaction, &record, status, None, error, now))
        }
        Ok(Finished::NotLive) => match request_of(&state, &interaction).await? {
            Some(record) => Ok(show_wait(
                &interaction,
                &record,
                StatusCode::BAD_REQUEST,
                None,
                None,
                now,
            )),
            None => Ok(see_other(&page_of(&uid))),
        },
        finished => carry_out(&state, &interaction, finished),
    }
}

/// The answer to a spent request: the redirect with the code, or the interaction's next page.
fn carry_out(
    state: &AppState,
    interaction: &Interaction,
    finished: Result<Finished, Refusal>,
) -> Result<HttpResponse, PageError> {
    match finished {
        Ok(Finished::SignedIn(signed_in)) => {
            let finish::SignedIn { cookie, code } = *signed_in;
            metrics::sign_in(Amr::LINK.as_str(), false);
            metrics::hosted_sign_in("signed_in");
            let mut response = code.response(state, &interaction.request);
            add_cookie(&mut response, cookie);
            add_cookie(
                &mut response,
                SesameCookie::Interaction.removal(&state.settings),
            );
            Ok(response)
        }
        Ok(Finished::Next) => Ok(see_other(&page_of(&interaction.uid))),
        Ok(Finished::WrongCode { .. } | Finished::NotLive) => Err(expired()),
        Err(Refusal::Suspended) => Err(super::suspended()),
        Err(Refusal::SignUpClosed) => Err(super::pages::sign_up_closed()),
        Err(Refusal::InteractionFinished) => Err(expired()),
        Err(Refusal::SignInAgain | Refusal::EmailTaken) => Err(super::sign_in_again()),
    }
}

/// What asking for a mail came to.
enum Sending {
    Sent,
    /// Within the cooldown, or the request is spent or blocked: nothing sent.
    Refused,
    /// Over the per-address or per-IP limit.
    Limited,
}

/// The limits a mail is held to, shared by all instances.
fn limits(ip: Option<std::net::IpAddr>, settings: &Settings, email: &Email) -> Vec<(String, i32)> {
    vec![
        (
            format!("hosted-link:email:{}", email.normalized()),
            settings.hosted_links_per_email_per_hour,
        ),
        (
            format!("hosted-link:ip:{}", rate_limits::address(ip)),
            settings.hosted_links_per_ip_per_hour,
        ),
    ]
}

/// Mails a new link and code for `interaction` to `email`: counted against the limits, then
/// the request stored (or renewed) and its mail queued in one transaction.
async fn send(
    req: &HttpRequest,
    state: &AppState,
    interaction: &Interaction,
    email: &Email,
    now: i64,
) -> Result<Sending, PageError> {
    let counted = limits(state.client_ip(req), &state.settings, email);
    let verdict = state
        .storage
        .run(move |c| rate_limits::hit_all(c, &counted, LIMIT_WINDOW_MS, now))
        .await?;
    if verdict != Verdict::Allowed {
        metrics::hosted_sign_in("rate_limited");
        return Ok(Sending::Limited);
    }
    let token = secrets::new_token();
    let code = secrets::code_of(&token);
    let token_hash = sha256_b64url(&token);
    let sealed_uid = secrets::seal_uid(&token, &interaction.uid).ok_or_else(PageError::internal)?;
    let record = HostedLinkRecord {
        id: uuid::Uuid::now_v7().simple().to_string(),
        interaction_hash: interaction.id_hash.clone(),
        sealed_uid,
        email: email.as_str().to_owned(),
        code_hash: secrets::code_hash(&token_hash, &code),
        token_hash,
        attempts: 0,
        created_at: now,
        expires_at: now + TTL_MS,
        consumed_at: None,
        last_sent_at: now,
    };
    let link = {
        let mut url = url::Url::parse(&format!("{}{LINK_PATH}", state.settings.public_url))
            .map_err(|_| PageError::internal())?;
        url.query_pairs_mut().append_pair("token", &token);
        String::from(url)
    };
    let payload = json!({
        "link": link,
        "code": code,
        "email": email.as_str(),
        "minutes": (TTL_MS / 60_000).to_string(),
    })
    .to_string();
    let locale = interaction.locale.as_str().to_owned();
    let settings = state.settings.clone();
    let sent = state
        .storage
        .run(move |c| {
            use diesel::Connection;
            c.transaction(|c| {
                let account = find_user_by_email(c, &record.email)?.is_some();
                let experience = SignInExperience::load_on(c, &settings)?;
                let mut record = record;
                let (kind, payload) = match decide::mail_for(account, experience.sign_up.enabled) {
                    decide::Mail::SignIn => (MailKind::HostedSignIn, payload),
                    decide::Mail::NoAccount => {
                        // Nothing in the mail, and no code that could match.
                        record.code_hash = String::new();
                        let payload = json!({ "email": record.email }).to_string();
                        (MailKind::HostedNoAccount, payload)
                    }
                };
                if queries::send(c, &record, now - COOLDOWN_MS)? == Sent::Refused {
                    return Ok(None);
                }
                let mail = OutboxRecord::pending(kind, &record.email, &locale, payload, None, now);
                outbox::enqueue(c, &mail)?;
                Ok(Some(kind))
            })
        })
        .await?;
    Ok(match sent {
        Some(kind) => {
            metrics::mail_queued(kind.as_str());
            metrics::hosted_sign_in("mailed");
            state.mail_queued.notify_one();
            Sending::Sent
        }
        None => Sending::Refused,
    })
}

/// The token of a link's query or form, if it could be one.
fn token_of(raw: Option<&str>) -> Option<String> {
    raw.filter(|t| !t.is_empty() && t.len() <= secrets::MAX_TOKEN_CHARS)
        .map(str::to_owned)
}

/// A live request by its link's token, and its interaction's row (if it is still live).
async fn live_request(
    state: &AppState,
    token: &str,
    now: i64,
) -> Result<
    (
        HostedLinkRecord,
        crate::storage::interactions::InteractionRecord,
    ),
    PageError,
> {
    let token_hash = sha256_b64url(token);
    let found = state
        .storage
        .run(move |c| {
            let Some(record) = queries::find_by_token(c, &token_hash)? else {
                return Ok(None);
            };
            let interaction = find_live_interaction(c, &record.interaction_hash, now)?;
            Ok(Some((record, interaction)))
        })
        .await?;
    let (record, interaction) = found.ok_or_else(|| link_gone(LinkState::Live))?;
    match record.state(now) {
        LinkState::Live => {}
        gone => return Err(link_gone(gone)),
    }
    Ok((record, interaction.ok_or_else(expired)?))
}

#[derive(Template)]
#[template(path = "hosted_link.html")]
struct ContinuePage<'a> {
    tr: Tr,
    token: &'a str,
    csrf: &'a str,
    email: &'a str,
    script: &'static str,
}

#[derive(Template)]
#[template(path = "hosted_code.html")]
struct CodePage<'a> {
    tr: Tr,
    code: &'a str,
}

/// The script that presses the continue page's button, allowed by its hash alone.
const SCRIPT: &str = "document.getElementById('continue').click();";

fn script_policy() -> String {
    use base64::Engine;
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, SCRIPT.as_bytes());
    let hash = base64::engine::general_purpose::STANDARD.encode(hash.as_ref());
    format!(
        "default-src 'none'; script-src 'sha256-{hash}'; style-src 'unsafe-inline'; \
         img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// `GET /interaction/sign-in-link?token=...`: spends nothing. In the browser that asked, a page whose
/// form (pressed by its script, or by hand) posts back; anywhere else, the code to type there.
async fn open_link(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    require_offered(&state).await?;
    let token = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(name, _)| name == "token")
        .and_then(|(_, value)| token_of(Some(&value)));
    let token = token.ok_or_else(|| link_gone(LinkState::Live))?;
    let (record, interaction) = live_request(&state, &token, now).await?;
    if !started_here(&req, &state, &interaction) {
        metrics::hosted_sign_in("code_shown");
        let locale = crate::pages::request_locale(&req);
        crate::pages::set_locale(&req, locale);
        let code = secrets::code_of(&token);
        let page = CodePage {
            tr: Tr(locale),
            code: &code,
        };
        return Ok(render(StatusCode::OK, &page));
    }
    let uid = secrets::open_uid(&token, &record.sealed_uid, &record.interaction_hash)
        .ok_or_else(expired)?;
    let interaction = load(&req, &state, &uid, now).await?;
    let page = ContinuePage {
        tr: Tr(interaction.locale),
        token: &token,
        csrf: &interaction.csrf,
        email: &record.email,
        script: SCRIPT,
    };
    let mut response = render(StatusCode::OK, &page);
    if let Ok(policy) = header::HeaderValue::from_str(&script_policy()) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
}

/// `POST /interaction/sign-in-link`: the continue page's form. Spends the request only in the browser
/// that asked (its interaction's cookie and CSRF value); anywhere else, nothing.
async fn follow_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LinkForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now_ms();
    require_offered(&state).await?;
    let token = token_of(Some(&form.token)).ok_or_else(|| link_gone(LinkState::Live))?;
    let (record, interaction) = live_request(&state, &token, now).await?;
    if !started_here(&req, &state, &interaction) {
        return Err(super::other_browser());
    }
    let uid = secrets::open_uid(&token, &record.sealed_uid, &record.interaction_hash)
        .ok_or_else(expired)?;
    let interaction = match at_sign_in(&req, &state, &uid, now).await? {
        Ok(interaction) => interaction,
        Err(elsewhere) => return Ok(elsewhere),
    };
    interaction.check_csrf(&form.csrf)?;
    let key = Key::Token(sha256_b64url(&token));
    match finish::finish(&req, &state, &interaction, key, now).await? {
        Ok(Finished::NotLive) => Err(link_gone(LinkState::Used)),
        finished => carry_out(&state, &interaction, finished),
    }
}
