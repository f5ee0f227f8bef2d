//! One blocking HTTP client per source: a configurable base URL, a rate
//! limiter, retries with exponential back-off and jitter that honour
//! `Retry-After` (both forms) up to a retry cap, a response-size limit,
//! timeouts, and errors that name the source and never contain the token.
//!
//! Status handling: 2xx is read (size-limited) and must be JSON — an HTML
//! page, even with status 200, or malformed JSON is an error; 401/403 mean the
//! token was rejected; 429, 408 and 5xx are retried (unless the API says not
//! to); other 4xx fail with the API's own message. A connector can inspect a
//! 2xx body and ask for a retry too (Shopify's `THROTTLED` arrives as 200).

use std::num::NonZeroU32;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use serde_json::Value;
use ureq::http::Response;

use crate::error::{FetchError, FetchProblem};
use crate::rate_limit::RateLimiter;
use crate::retry_after::RetryAfter;
use crate::secrets::Token;
use crate::time::TimeSources;

/// Limits and timeouts of one source's client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpSettings {
    pub connect_timeout: Duration,
    /// The whole exchange, response body included.
    pub request_timeout: Duration,
    pub max_response_bytes: u64,
    pub requests_per_second: NonZeroU32,
    pub burst: NonZeroU32,
    /// Attempts per request, the first included: the retry cap.
    pub max_attempts: u32,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// A `Retry-After` asking for longer than this fails the request.
    pub max_retry_wait: Duration,
    /// For APIs limited per minute (Zendesk's incremental exports: 10 a
    /// minute): when set, replaces `requests_per_second`; `burst` still
    /// applies.
    pub requests_per_minute: Option<NonZeroU32>,
    /// An explicit proxy URL; `None` uses `HTTPS_PROXY`/`NO_PROXY` if set.
    pub proxy: Option<String>,
    pub user_agent: String,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(90),
            max_response_bytes: 32 * 1024 * 1024,
            requests_per_second: NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN),
            burst: NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN),
            max_attempts: 6,
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            max_retry_wait: Duration::from_secs(600),
            requests_per_minute: None,
            proxy: None,
            user_agent: format!("Parlance/{} (marketing-operations console)", env!("CARGO_PKG_VERSION")),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One API call, before authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiRequest {
    pub method: Method,
    pub url: String,
    /// The path, shown in errors and logs (never the query or credentials).
    pub endpoint: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub json_body: Option<String>,
}

impl ApiRequest {
    pub fn get(base_url: &str, path: &str) -> Self {
        Self::new(Method::Get, base_url, path, None)
    }

    pub fn post_json(base_url: &str, path: &str, body: String) -> Self {
        Self::new(Method::Post, base_url, path, Some(body)).header("Content-Type", "application/json")
    }

    fn new(method: Method, base_url: &str, path: &str, json_body: Option<String>) -> Self {
        Self {
            method,
            url: format!("{}{path}", base_url.trim_end_matches('/')),
            endpoint: path.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            json_body,
        }
    }

    pub fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_owned(), value.into()));
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// How a source authenticates: the token goes in `header`, after `prefix`
/// (e.g. `Authorization: Bearer …`).
#[derive(Clone, Debug)]
pub struct Credential {
    pub header: &'static str,
    pub prefix: &'static str,
    pub token: Token,
    /// The secret the user gave, when `token` is derived from it (HTTP Basic
    /// credentials): scrubbed from messages too.
    pub raw: Option<Token>,
}

impl Credential {
    /// `Authorization: Bearer <token>`.
    pub fn bearer(token: Token) -> Self {
        Self::header("Authorization", "Bearer ", token)
    }

    /// The token in `header`, after `prefix`.
    pub fn header(header: &'static str, prefix: &'static str, token: Token) -> Self {
        Self { header, prefix, token, raw: None }
    }

    /// HTTP Basic (RFC 7617): `Authorization: Basic base64(user:secret)`.
    pub fn basic(user: &str, secret: Token) -> Self {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", secret.expose()));
        Self { header: "Authorization", prefix: "Basic ", token: Token::new(encoded), raw: Some(secret) }
    }
}

/// The few things about an API's error conventions the client must know.
#[derive(Clone, Copy, Debug)]
pub struct ApiDialect {
    /// The human message inside an error body, e.g. Stripe's
    /// `error.message`.
    pub error_message: fn(&Value) -> Option<String>,
    /// A response header that, when `false`, forbids retrying a failure
    /// (Stripe's `Stripe-Should-Retry`).
    pub should_retry_header: Option<&'static str>,
}

/// A connector's judgement of a 2xx JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    /// Throttled or otherwise asked to come back: retry after `wait`.
    RetryAfter {
        wait: Duration,
        reason: String,
    },
    Reject(FetchProblem),
}

/// The verdict for APIs whose 2xx bodies are always usable.
pub fn accept_any(_: &Value) -> Verdict {
    Verdict::Accept
}

/// The HTTP client of one source.
#[derive(Debug)]
pub struct HttpClient {
    source_name: String,
    settings: HttpSettings,
    agent: ureq::Agent,
    limiter: RateLimiter,
    time: TimeSources,
    credential: Credential,
    dialect: ApiDialect,
}

enum Attempt {
    Done(Value),
    Retry { hint: Option<Duration>, reason: String },
    Fail(FetchProblem),
}

const ERROR_BODY_LIMIT: u64 = 64 * 1024;

impl HttpClient {
    pub fn new(
        source_name: &str,
        settings: HttpSettings,
        credential: Credential,
        dialect: ApiDialect,
        time: TimeSources,
    ) -> Result<Self, FetchError> {
        let agent = build_agent(&settings).map_err(|p| FetchError::new(source_name, p))?;
        let limiter = match settings.requests_per_minute {
            Some(per_minute) => RateLimiter::per_minute(per_minute, settings.burst, time.sleeper.clone()),
            None => RateLimiter::new(settings.requests_per_second, settings.burst, time.sleeper.clone()),
        };
        Ok(Self { source_name: source_name.to_owned(), settings, agent, limiter, time, credential, dialect })
    }

    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// Sends `request` until it yields JSON that `inspect` accepts, retrying
    /// what can be retried up to the cap.
    pub fn send_json(
        &self,
        request: &ApiRequest,
        cancel: &AtomicBool,
        inspect: &dyn Fn(&Value) -> Verdict,
    ) -> Result<Value, FetchError> {
        let mut backoff = self.backoff_schedule();
        let mut attempts = 0_u32;
        loop {
            attempts += 1;
            if !self.limiter.until_ready(cancel) {
                return Err(self.error(FetchProblem::Cancelled));
            }
            let (hint, reason) = match self.attempt(request) {
                Attempt::Done(value) => match inspect(&value) {
                    Verdict::Accept => return Ok(value),
                    Verdict::RetryAfter { wait, reason } => (Some(wait), reason),
                    Verdict::Reject(problem) => return Err(self.error(problem)),
                },
                Attempt::Retry { hint, reason } => (hint, reason),
                Attempt::Fail(problem) => return Err(self.error(problem)),
            };
            let Some(backoff_wait) = backoff.next() else {
                let endpoint = request.endpoint.clone();
                return Err(self.error(FetchProblem::RetriesExhausted { endpoint, attempts, last: reason }));
            };
            let wait = self.retry_wait(request, hint, backoff_wait)?;
            log::warn!(
                "source {}: {} failed ({reason}); attempt {} of {} in {wait:?}",
                self.source_name,
                request.endpoint,
                attempts + 1,
                self.settings.max_attempts
            );
            self.pause(wait, cancel)?;
        }
    }

    /// Waits `wait` unless cancelled (e.g. to let a query-cost bucket refill).
    pub fn pause(&self, wait: Duration, cancel: &AtomicBool) -> Result<(), FetchError> {
        if self.time.sleeper.sleep(wait, cancel) { Ok(()) } else { Err(self.error(FetchProblem::Cancelled)) }
    }

    fn backoff_schedule(&self) -> impl Iterator<Item = Duration> {
        let retries = usize::try_from(self.settings.max_attempts.saturating_sub(1)).unwrap_or(usize::MAX);
        ExponentialBuilder::new()
            .with_min_delay(self.settings.first_backoff)
            .with_max_delay(self.settings.max_backoff)
            .with_max_times(retries)
            .with_jitter()
            .build()
    }

    /// The server's `Retry-After` when it gave one (refusing absurd ones),
    /// else our back-off.
    fn retry_wait(
        &self,
        request: &ApiRequest,
        hint: Option<Duration>,
        backoff: Duration,
    ) -> Result<Duration, FetchError> {
        match hint {
            Some(asked) if asked > self.settings.max_retry_wait => {
                Err(self.error(FetchProblem::WaitTooLong {
                    endpoint: request.endpoint.clone(),
                    asked_seconds: asked.as_secs(),
                    limit_seconds: self.settings.max_retry_wait.as_secs(),
                }))
            }
            Some(asked) => Ok(asked),
            None => Ok(backoff),
        }
    }

    fn attempt(&self, request: &ApiRequest) -> Attempt {
        let endpoint = &request.endpoint;
        let mut response = match self.call(request) {
            Ok(response) => response,
            Err(error) => return transport_failure(endpoint, &error),
        };
        let status = response.status().as_u16();
        log::debug!("source {}: {} {endpoint} -> HTTP {status}", self.source_name, request.method.as_str());
        match status {
            200..=299 => self.read_json(&mut response, endpoint, status),
            401 | 403 => Attempt::Fail(FetchProblem::TokenRejected { status }),
            429 => Attempt::Retry {
                hint: self.retry_after(&response),
                reason: "HTTP 429 Too Many Requests".into(),
            },
            408 | 500..=599 if !self.server_forbids_retry(&response) => {
                Attempt::Retry { hint: self.retry_after(&response), reason: format!("HTTP {status}") }
            }
            _ => {
                let message = self.error_message(&mut response);
                Attempt::Fail(FetchProblem::Api { endpoint: endpoint.clone(), status, message })
            }
        }
    }

    fn call(&self, request: &ApiRequest) -> Result<Response<ureq::Body>, ureq::Error> {
        let auth = format!("{}{}", self.credential.prefix, self.credential.token.expose());
        let query = request.query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        match request.method {
            Method::Get => {
                let mut builder =
                    self.agent.get(&request.url).query_pairs(query).header(self.credential.header, &auth);
                for (name, value) in &request.headers {
                    builder = builder.header(*name, value);
                }
                builder.call()
            }
            Method::Post => {
                let mut builder =
                    self.agent.post(&request.url).query_pairs(query).header(self.credential.header, &auth);
                for (name, value) in &request.headers {
                    builder = builder.header(*name, value);
                }
                builder.send(request.json_body.as_deref().unwrap_or_default())
            }
        }
    }

    fn read_json(&self, response: &mut Response<ureq::Body>, endpoint: &str, status: u16) -> Attempt {
        let limit = self.settings.max_response_bytes;
        let too_large =
            || Attempt::Fail(FetchProblem::TooLarge { endpoint: endpoint.to_owned(), limit_bytes: limit });
        if response.body().content_length().is_some_and(|length| length > limit) {
            return too_large();
        }
        let html_type = response.body().mime_type().is_some_and(|m| m.eq_ignore_ascii_case("text/html"));
        let text = match response.body_mut().with_config().limit(limit).read_to_string() {
            Ok(text) => text,
            Err(ureq::Error::BodyExceedsLimit(_)) => return too_large(),
            Err(error) if is_transient(&error) => {
                return Attempt::Retry { hint: None, reason: format!("reading the response: {error}") };
            }
            Err(error) => {
                let detail = format!("unreadable body: {error}");
                return Attempt::Fail(FetchProblem::MalformedJson { endpoint: endpoint.to_owned(), detail });
            }
        };
        if html_type || looks_like_html(&text) {
            return Attempt::Fail(FetchProblem::HtmlInsteadOfJson { endpoint: endpoint.to_owned(), status });
        }
        match serde_json::from_str(&text) {
            Ok(value) => Attempt::Done(value),
            Err(error) => Attempt::Fail(FetchProblem::MalformedJson {
                endpoint: endpoint.to_owned(),
                detail: error.to_string(),
            }),
        }
    }

    fn retry_after(&self, response: &Response<ureq::Body>) -> Option<Duration> {
        let value = response.headers().get("retry-after")?.to_str().ok()?;
        Some(RetryAfter::parse(value)?.wait_from(self.time.clock.now()))
    }

    fn server_forbids_retry(&self, response: &Response<ureq::Body>) -> bool {
        self.dialect
            .should_retry_header
            .and_then(|name| response.headers().get(name))
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.trim().eq_ignore_ascii_case("false"))
    }

    /// The API's message for an error response, kept short.
    fn error_message(&self, response: &mut Response<ureq::Body>) -> String {
        let text =
            response.body_mut().with_config().limit(ERROR_BODY_LIMIT).lossy_utf8(true).read_to_string();
        let text = text.unwrap_or_default();
        if looks_like_html(&text) {
            return "an HTML error page".into();
        }
        let from_json =
            serde_json::from_str::<Value>(&text).ok().and_then(|v| (self.dialect.error_message)(&v));
        let message = from_json.unwrap_or_else(|| text.trim().to_owned());
        let message = if message.is_empty() { "no message".to_owned() } else { message };
        abbreviate(&message, 300)
    }

    /// An error naming this source, with the token scrubbed from any text the
    /// API echoed back.
    fn error(&self, problem: FetchProblem) -> FetchError {
        let problem = scrub_problem(problem, &self.credential.token);
        let problem = match &self.credential.raw {
            Some(raw) => scrub_problem(problem, raw),
            None => problem,
        };
        FetchError::new(&self.source_name, problem)
    }

    /// An error of this source (for connectors that find a problem in a
    /// response they accepted), scrubbed like the client's own.
    pub fn fail(&self, problem: FetchProblem) -> FetchError {
        self.error(problem)
    }
}

/// Refuses a base URL that is not http(s) (`field` names the setting).
pub fn check_base_url(field: &str, url: &str) -> Result<(), FetchProblem> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(FetchProblem::InvalidConfig(format!("{field} {url:?} must start with https:// or http://")))
    }
}

/// Refuses a page size outside `range` (`field` names the setting).
pub fn check_page_size(
    field: &str,
    size: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<(), FetchProblem> {
    if range.contains(&size) {
        Ok(())
    } else {
        Err(FetchProblem::InvalidConfig(format!(
            "{field} {size} must be between {} and {}",
            range.start(),
            range.end()
        )))
    }
}

fn build_agent(settings: &HttpSettings) -> Result<ureq::Agent, FetchProblem> {
    let mut config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(settings.connect_timeout))
        .timeout_global(Some(settings.request_timeout))
        .user_agent(settings.user_agent.as_str())
        .max_redirects(3);
    if let Some(proxy) = &settings.proxy {
        let proxy =
            ureq::Proxy::new(proxy).map_err(|e| FetchProblem::InvalidConfig(format!("proxy: {e}")))?;
        config = config.proxy(Some(proxy));
    }
    Ok(ureq::Agent::new_with_config(config.build()))
}

fn transport_failure(endpoint: &str, error: &ureq::Error) -> Attempt {
    if is_transient(error) {
        return Attempt::Retry { hint: None, reason: error.to_string() };
    }
    let problem = match error {
        ureq::Error::BadUri(_) | ureq::Error::InvalidProxyUrl | ureq::Error::Http(_) => {
            FetchProblem::InvalidConfig(format!("{endpoint}: {error}"))
        }
        ureq::Error::HostNotFound => FetchProblem::Unreachable {
            endpoint: endpoint.to_owned(),
            detail: "host not found — check the base URL".into(),
        },
        other => FetchProblem::Unreachable { endpoint: endpoint.to_owned(), detail: other.to_string() },
    };
    Attempt::Fail(problem)
}

/// Failures worth another attempt: the network, not the request.
fn is_transient(error: &ureq::Error) -> bool {
    matches!(
        error,
        ureq::Error::Timeout(_)
            | ureq::Error::Io(_)
            | ureq::Error::ConnectionFailed
            | ureq::Error::Protocol(_)
    )
}

/// HTML where JSON was promised: a login wall, a proxy's or a CDN's error
/// page, a captive portal.
fn looks_like_html(text: &str) -> bool {
    let start = text.trim_start();
    let head: String = start.chars().take(15).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<head")
        || head.starts_with("<body")
}

fn abbreviate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn scrub_problem(problem: FetchProblem, token: &Token) -> FetchProblem {
    use FetchProblem::*;
    match problem {
        MalformedJson { endpoint, detail } => MalformedJson { endpoint, detail: token.scrub(&detail) },
        RetriesExhausted { endpoint, attempts, last } => {
            RetriesExhausted { endpoint, attempts, last: token.scrub(&last) }
        }
        Api { endpoint, status, message } => Api { endpoint, status, message: token.scrub(&message) },
        UnexpectedResponse { endpoint, detail } => {
            UnexpectedResponse { endpoint, detail: token.scrub(&detail) }
        }
        Unreachable { endpoint, detail } => Unreachable { endpoint, detail: token.scrub(&detail) },
        InvalidConfig(detail) => InvalidConfig(token.scrub(&detail)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_recognised_whatever_the_case_and_leading_space() {
        assert!(looks_like_html("\n  <!DOCTYPE html><html>"));
        assert!(looks_like_html("<HTML><body>Bad gateway"));
        assert!(!looks_like_html(r#"{"html": "<p>"}"#));
        assert!(!looks_like_html(""));
    }

    #[test]
    fn scrubbing_reaches_every_text_field() {
        let token = Token::new("sk_test_secret");
        let problem = FetchProblem::Api {
            endpoint: "/v1/x".into(),
            status: 400,
            message: "bad key sk_test_secret".into(),
        };
        assert_eq!(
            scrub_problem(problem, &token),
            FetchProblem::Api { endpoint: "/v1/x".into(), status: 400, message: "bad key [redacted]".into() }
        );
    }
}
