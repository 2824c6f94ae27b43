//! Prometheus metrics: every name Sesame exports, the one recorder they go to, and the text
//! `GET /metrics` answers with.
//!
//! The recorder is process-wide (`metrics` has one global recorder): it is installed once, by
//! the first server built, and every server in the process renders the same one. Until it is
//! installed (the one-shot commands never install it) recording does nothing. Label values
//! come from closed sets (the route patterns, an enum's `as_str()`), never from request input,
//! so the number of series stays bounded whatever clients send.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ::metrics::{
    Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// `Content-Type` of the Prometheus text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// HTTP requests answered, by `method`, `route` (the matched pattern) and `status`.
pub const HTTP_REQUESTS: &str = "sesame_http_requests_total";
/// Time from a request's arrival to its answer, same labels.
pub const HTTP_REQUEST_DURATION: &str = "sesame_http_request_duration_seconds";
/// Magic links opened (or continued after a question), by `result`.
pub const MAGIC_LINK_OUTCOMES: &str = "sesame_magic_link_outcomes_total";
pub const ONE_TIME_TOKENS_CREATED: &str = "sesame_one_time_tokens_created_total";
pub const ONE_TIME_TOKENS_RATE_LIMITED: &str = "sesame_one_time_tokens_rate_limited_total";
/// Sign-ins completed (a session started), by first-factor `method` and `mfa`.
pub const SIGN_INS: &str = "sesame_sign_ins_total";
/// Hosted sign-in by email, by event (`mailed`, `rate_limited`, `code_shown`, `code_wrong`,
/// `blocked`, `signed_in`).
pub const HOSTED_SIGN_IN: &str = "sesame_hosted_sign_in_total";
/// Database jobs waiting for a database thread.
pub const DB_QUEUE_JOBS: &str = "sesame_db_queue_jobs";
/// Time from a job's enqueueing to a database thread starting it.
pub const DB_QUEUE_WAIT: &str = "sesame_db_queue_wait_seconds";
pub const DB_POOL_CONNECTIONS: &str = "sesame_db_pool_connections";
pub const DB_POOL_IDLE_CONNECTIONS: &str = "sesame_db_pool_idle_connections";
/// Rows the clean-up deleted, by `table`.
pub const CLEANUP_ROWS_DELETED: &str = "sesame_cleanup_rows_deleted_total";
/// Mails queued in the outbox, by `kind`.
pub const MAILS_QUEUED: &str = "sesame_mails_queued_total";
/// Mails handed to the SMTP server (or written to `mail_dir`), by `kind`.
pub const MAILS_SENT: &str = "sesame_mails_sent_total";
/// Failed attempts to send a mail that will be tried again, by `kind`.
pub const MAILS_RETRIED: &str = "sesame_mails_retried_total";
/// Mails given up on, by `kind`.
pub const MAILS_FAILED: &str = "sesame_mails_failed_total";

/// The route label of a request that matched no route: one label for all of them.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Upper bounds of the request latency buckets, in seconds.
const HTTP_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Upper bounds of the database queue wait buckets, in seconds: a job usually starts within
/// microseconds; anything near `db_timeout_ms` is an overloaded or unreachable database.
const DB_WAIT_BUCKETS: &[f64] = &[
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    2.5,
];

/// How often histogram samples are folded into their buckets when nobody scrapes (a scrape
/// folds them too); without it they would pile up in memory.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Installs the recorder on first use and returns its handle (the same one ever after).
pub fn install() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_REQUEST_DURATION.into()), HTTP_BUCKETS)
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Full(DB_QUEUE_WAIT.into()), DB_WAIT_BUCKETS)
            });
        let recorder = match builder {
            Ok(builder) => builder.build_recorder(),
            // Only an empty bucket list is refused, and ours are constants.
            Err(e) => {
                tracing::warn!(error = %e, "metric buckets refused; histograms become summaries");
                PrometheusBuilder::new().build_recorder()
            }
        };
        let handle = recorder.handle();
        if let Err(e) = ::metrics::set_global_recorder(recorder) {
            // Another recorder was installed by whoever embeds Sesame: /metrics stays empty.
            tracing::warn!(error = %e, "metrics recorder not installed");
        }
        describe();
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("sesame-metrics".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_EVERY);
                    upkeep.run_upkeep();
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot start the metrics upkeep thread");
        }
        handle
    })
}

/// The `# HELP` lines.
fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by method, route and status"
    );
    describe_histogram!(
        HTTP_REQUEST_DURATION,
        Unit::Seconds,
        "Time to answer an HTTP request, by method, route and status"
    );
    describe_counter!(
        MAGIC_LINK_OUTCOMES,
        "Magic links opened or continued, by what they led to or the error code"
    );
    describe_counter!(ONE_TIME_TOKENS_CREATED, "One-time tokens created");
    describe_counter!(
        ONE_TIME_TOKENS_RATE_LIMITED,
        "One-time token creations refused by a rate limit"
    );
    describe_counter!(
        SIGN_INS,
        "Sign-ins completed, by first-factor method (amr) and whether a second factor was used"
    );
    describe_gauge!(DB_QUEUE_JOBS, "Database jobs waiting for a database thread");
    describe_histogram!(
        DB_QUEUE_WAIT,
        Unit::Seconds,
        "Time from enqueueing a database job to a database thread starting it"
    );
    describe_gauge!(DB_POOL_CONNECTIONS, "Database connections open");
    describe_gauge!(
        DB_POOL_IDLE_CONNECTIONS,
        "Database connections open and idle"
    );
    describe_counter!(
        CLEANUP_ROWS_DELETED,
        "Rows deleted by the clean-up, by table"
    );
    describe_counter!(
        HOSTED_SIGN_IN,
        "Hosted sign-in by email: mails, codes shown and typed, sign-ins, by event"
    );
    describe_counter!(MAILS_QUEUED, "Mails queued in the outbox, by kind");
    describe_counter!(MAILS_SENT, "Mails sent, by kind");
    describe_counter!(
        MAILS_RETRIED,
        "Failed attempts to send a mail that is tried again later, by kind"
    );
    describe_counter!(MAILS_FAILED, "Mails given up on, by kind");
}

/// The current values, in the Prometheus text format.
pub fn render() -> String {
    install().render()
}

/// Counts and times every request. Wrapped around the whole app, so the time includes the
/// other middleware; the route is the pattern matched (`/api/one-time-tokens/{id}`), never
/// the path.
pub async fn record_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    let route = req.match_pattern();
    let result = next.call(req).await;
    let status = match &result {
        Ok(response) => response.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    http_request(method, route, status.as_u16(), started.elapsed());
    result
}

/// One answered request.
pub fn http_request(method: &'static str, route: Option<String>, status: u16, took: Duration) {
    let route: Cow<'static, str> = route.map_or(Cow::Borrowed(UNMATCHED_ROUTE), Cow::Owned);
    let status = status_label(status);
    counter!(HTTP_REQUESTS, "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    histogram!(HTTP_REQUEST_DURATION, "method" => method, "route" => route, "status" => status)
        .record(took.as_secs_f64());
}

/// The method as a label: the standard ones by name, any other (clients may send anything)
/// as `other`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The status code as a label, without formatting one per request.
pub fn status_label(status: u16) -> &'static str {
    static LABELS: OnceLock<Vec<String>> = OnceLock::new();
    let labels = LABELS.get_or_init(|| (100..600).map(|code| code.to_string()).collect());
    usize::from(status)
        .checked_sub(100)
        .and_then(|i| labels.get(i))
        .map_or("other", String::as_str)
}

/// A magic link led to `result` (`signed_in`, `registered`, ... or its error code).
pub fn magic_link_outcome(result: &'static str) {
    counter!(MAGIC_LINK_OUTCOMES, "result" => result).increment(1);
}

pub fn one_time_token_created() {
    counter!(ONE_TIME_TOKENS_CREATED).increment(1);
}

pub fn one_time_token_rate_limited() {
    counter!(ONE_TIME_TOKENS_RATE_LIMITED).increment(1);
}

/// A sign-in completed with first factor `method` (an `amr` value), and a second factor or not.
pub fn sign_in(method: &'static str, mfa: bool) {
    let mfa = if mfa { "true" } else { "false" };
    counter!(SIGN_INS, "method" => method, "mfa" => mfa).increment(1);
}

/// A hosted sign-in by email came to `event` (a fixed label, never request input).
pub fn hosted_sign_in(event: &'static str) {
    counter!(HOSTED_SIGN_IN, "event" => event).increment(1);
}

/// A database thread started a job that waited `waited` in the queue.
pub fn db_job_started(waited: Duration) {
    histogram!(DB_QUEUE_WAIT).record(waited.as_secs_f64());
}

/// The database's load now: jobs queued, connections open and idle (set when scraped).
pub fn db_load(queued: usize, connections: u32, idle: u32) {
    // Gauges are f64; these counts are far below 2^53.
    gauge!(DB_QUEUE_JOBS).set(queued as f64);
    gauge!(DB_POOL_CONNECTIONS).set(f64::from(connections));
    gauge!(DB_POOL_IDLE_CONNECTIONS).set(f64::from(idle));
}

/// The clean-up deleted `rows` rows of `table`.
pub fn rows_deleted(table: &'static str, rows: usize) {
    counter!(CLEANUP_ROWS_DELETED, "table" => table).increment(rows as u64);
}

/// A mail of `kind` (a `MailKind` name) was queued.
pub fn mail_queued(kind: &'static str) {
    counter!(MAILS_QUEUED, "kind" => kind).increment(1);
}

pub fn mail_sent(kind: &'static str) {
    counter!(MAILS_SENT, "kind" => kind).increment(1);
}

pub fn mail_retried(kind: &'static str) {
    counter!(MAILS_RETRIED, "kind" => kind).increment(1);
}

pub fn mail_failed(kind: &'static str) {
    counter!(MAILS_FAILED, "kind" => kind).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_closed_sets() {
        assert_eq!(method_label(&Method::GET), "GET");
        let odd = Method::from_bytes(b"BREW").expect("an extension method");
        assert_eq!(method_label(&odd), "other");
        assert_eq!(status_label(200), "200");
        assert_eq!(status_label(599), "599");
        assert_eq!(status_label(100), "100");
        assert_eq!(status_label(99), "other");
        assert_eq!(status_label(600), "other");
    }

    #[test]
    fn what_is_recorded_is_rendered() {
        install();
        http_request("GET", None, 404, Duration::from_millis(3));
        http_request(
            "GET",
            Some("/api/one-time-tokens/{id}".into()),
            200,
            Duration::from_millis(3),
        );
        db_load(2, 4, 1);
        db_job_started(Duration::from_micros(80));
        let text = render();
        assert!(
            text.contains(
                r#"sesame_http_requests_total{method="GET",route="unmatched",status="404"}"#
            ),
            "{text}"
        );
        assert!(text.contains(
            r#"sesame_http_request_duration_seconds_bucket{method="GET",route="/api/one-time-tokens/{id}",status="200",le="0.005"}"#
        ), "{text}");
        assert!(text.contains("sesame_db_pool_connections 4"), "{text}");
        assert!(
            text.contains("# TYPE sesame_db_queue_wait_seconds histogram"),
            "buckets, not a summary: {text}"
        );
    }
}
