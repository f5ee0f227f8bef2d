//! Stripe, through its REST API (`{base}/v1/...`, `Authorization: Bearer`
//! with a secret or restricted key; optionally pinned with `Stripe-Version`).
//!
//! What the documentation asks for, and how this follows it:
//!
//! - **Streams**: `customers`, `charges`, `refunds`.
//! - **Pagination**: list endpoints take `limit` (1–100) and
//!   `starting_after` (the last object's id) and answer
//!   `{"object":"list","data":[…],"has_more":…}`, newest first.
//! - **Incremental**: objects carry `created` but no updated-at, so changes
//!   come from the Events API: `GET /v1/events` with `types[]` (at most 20)
//!   and `created[gt]`, each event holding the object's state at that time in
//!   `data.object`. Events are kept for 30 days, so a watermark older than 29
//!   days falls back to a full listing. A full listing vouches for every
//!   change before its pass began (the page watermark), so the next sync asks
//!   for events from then, minus the look-back. Events also list newest
//!   first; the engine keeps the newest version when one object changed
//!   several times.
//! - **Rate limits**: 100 requests/s in live mode, 25 in a sandbox; 429
//!   responses are retried with back-off (and `Retry-After` when sent). A
//!   `Stripe-Should-Retry: false` header forbids retrying.
//! - **Errors**: `{"error": {"type", "code", "message"}}`; 401 means the key
//!   was rejected (Stripe echoes a masked key in the message, which we never
//!   show anyway).

use std::num::NonZeroU32;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parlance_warehouse::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::connector::{ConnectionInfo, Connector, FetchedRecord, Page, PageRequest};
use crate::error::{FetchError, FetchProblem};
use crate::http::{ApiDialect, ApiRequest, Credential, HttpClient, HttpSettings, accept_any};
use crate::json::canonical_json;
use crate::secrets::Token;
use crate::time::TimeSources;

pub const KIND: &str = "stripe";

/// Events older than this may already be gone: list everything instead.
const EVENTS_WINDOW: Duration = Duration::from_secs(29 * 24 * 3600);

/// A Stripe source's configuration, stored in `sources.config_json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StripeConfig {
    /// `https://api.stripe.com`, or a proxy or test server.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Pins the `Stripe-Version` header; the account's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default = "default_page_size")]
    pub page_size: u32,
}

fn default_base_url() -> String {
    "https://api.stripe.com".into()
}

fn default_page_size() -> u32 {
    100
}

impl Default for StripeConfig {
    fn default() -> Self {
        Self { base_url: default_base_url(), api_version: None, page_size: default_page_size() }
    }
}

impl StripeConfig {
    pub fn validate(&self) -> Result<(), FetchProblem> {
        if !(self.base_url.starts_with("https://") || self.base_url.starts_with("http://")) {
            return Err(FetchProblem::InvalidConfig(format!(
                "base_url {:?} must start with https:// or http://",
                self.base_url
            )));
        }
        if !(1..=100).contains(&self.page_size) {
            return Err(FetchProblem::InvalidConfig(format!(
                "page_size {} must be between 1 and 100",
                self.page_size
            )));
        }
        Ok(())
    }
}

/// HTTP defaults for Stripe: below the sandbox's 25 requests per second.
pub fn default_http_settings() -> HttpSettings {
    HttpSettings {
        requests_per_second: NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN),
        burst: NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN),
        ..HttpSettings::default()
    }
}

/// One Stripe resource: where to list it and which events change it.
struct Resource {
    stream: &'static str,
    list_path: &'static str,
    object: &'static str,
    event_types: &'static [&'static str],
}

const RESOURCES: &[Resource] = &[
    Resource {
        stream: "customers",
        list_path: "/v1/customers",
        object: "customer",
        event_types: &["customer.created", "customer.updated", "customer.deleted"],
    },
    Resource {
        stream: "charges",
        list_path: "/v1/charges",
        object: "charge",
        event_types: &[
            "charge.captured",
            "charge.expired",
            "charge.failed",
            "charge.pending",
            "charge.refunded",
            "charge.succeeded",
            "charge.updated",
        ],
    },
    Resource {
        stream: "refunds",
        list_path: "/v1/refunds",
        object: "refund",
        event_types: &["refund.created", "refund.updated", "refund.failed", "charge.refund.updated"],
    },
];

const STREAMS: &[&str] = &["customers", "charges", "refunds"];

/// Where a pass is: listing objects, or reading the event feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
enum Position {
    List { starting_after: Option<String> },
    Events { starting_after: Option<String> },
}

/// The Stripe connector of one source.
#[derive(Debug)]
pub struct StripeConnector {
    config: StripeConfig,
    http: HttpClient,
}

impl StripeConnector {
    pub fn new(
        source_name: &str,
        config: StripeConfig,
        token: Token,
        settings: HttpSettings,
        time: TimeSources,
    ) -> Result<Self, FetchError> {
        config.validate().map_err(|p| FetchError::new(source_name, p))?;
        let credential = Credential::bearer(token);
        let dialect = ApiDialect {
            error_message: stripe_error_message,
            should_retry_header: Some("Stripe-Should-Retry"),
        };
        let http = HttpClient::new(source_name, settings, credential, dialect, time)?;
        Ok(Self { config, http })
    }

    fn fail(&self, problem: FetchProblem) -> FetchError {
        FetchError::new(self.http.source_name(), problem)
    }

    fn unexpected(&self, endpoint: &str, detail: String) -> FetchError {
        self.fail(FetchProblem::UnexpectedResponse { endpoint: endpoint.to_owned(), detail })
    }

    fn get(&self, request: ApiRequest, cancel: &AtomicBool) -> Result<Value, FetchError> {
        let request = match &self.config.api_version {
            Some(version) => request.header("Stripe-Version", version.clone()),
            None => request,
        };
        self.http.send_json(&request, cancel, &accept_any)
    }

    /// The position to fetch from: the cursor's, or for a new pass the event
    /// feed when the watermark is recent enough, else a full listing.
    fn position(&self, request: &PageRequest<'_>) -> Result<Position, FetchError> {
        if let Some(cursor) = request.cursor {
            return serde_json::from_value(cursor.clone()).map_err(|e| {
                self.fail(FetchProblem::InvalidConfig(format!("unreadable stream cursor: {e}")))
            });
        }
        let window_start = request.pass_started_at.unix() - EVENTS_WINDOW.as_secs() as i64;
        Ok(match request.updated_since {
            Some(since) if since.unix() >= window_start => Position::Events { starting_after: None },
            _ => Position::List { starting_after: None },
        })
    }

    fn list_page(
        &self,
        resource: &Resource,
        starting_after: Option<&str>,
        request: &PageRequest<'_>,
    ) -> Result<Page, FetchError> {
        let mut api = ApiRequest::get(&self.config.base_url, resource.list_path)
            .query("limit", self.config.page_size.to_string());
        if let Some(id) = starting_after {
            api = api.query("starting_after", id);
        }
        let body = self.get(api, request.cancel)?;
        let (objects, has_more) = self.list_body(resource.list_path, &body)?;
        let records = objects
            .iter()
            .map(|o| self.object_record(resource.list_path, o, None))
            .collect::<Result<_, _>>()?;
        let last_id = self.last_id(resource.list_path, objects, has_more)?;
        let page = match last_id {
            Some(id) => Page::more(records, position_json(&Position::List { starting_after: Some(id) })),
            None => Page::last(records),
        };
        // A full listing vouches for every change made before it began.
        Ok(page.with_watermark(Some(request.pass_started_at)))
    }

    fn events_page(
        &self,
        resource: &Resource,
        starting_after: Option<&str>,
        request: &PageRequest<'_>,
    ) -> Result<Page, FetchError> {
        const PATH: &str = "/v1/events";
        let since = request.updated_since.map_or(0, Timestamp::unix);
        let mut api = ApiRequest::get(&self.config.base_url, PATH)
            .query("limit", self.config.page_size.to_string())
            .query("created[gt]", since.to_string());
        for event_type in resource.event_types {
            api = api.query("types[]", *event_type);
        }
        if let Some(id) = starting_after {
            api = api.query("starting_after", id);
        }
        let body = self.get(api, request.cancel)?;
        let (events, has_more) = self.list_body(PATH, &body)?;
        let mut records = Vec::with_capacity(events.len());
        for event in events {
            if let Some(record) = self.event_record(resource, event)? {
                records.push(record);
            }
        }
        Ok(match self.last_id(PATH, events, has_more)? {
            Some(id) => Page::more(records, position_json(&Position::Events { starting_after: Some(id) })),
            None => Page::last(records),
        })
    }

    /// `data` and `has_more` of a list object.
    fn list_body<'v>(&self, endpoint: &str, body: &'v Value) -> Result<(&'v Vec<Value>, bool), FetchError> {
        let data = body["data"].as_array().ok_or_else(|| self.unexpected(endpoint, "no data list".into()))?;
        let has_more =
            body["has_more"].as_bool().ok_or_else(|| self.unexpected(endpoint, "no has_more".into()))?;
        Ok((data, has_more))
    }

    /// The id to continue after, when more pages follow.
    fn last_id(&self, endpoint: &str, data: &[Value], has_more: bool) -> Result<Option<String>, FetchError> {
        if !has_more {
            return Ok(None);
        }
        let last =
            data.last().ok_or_else(|| self.unexpected(endpoint, "has_more with an empty page".into()))?;
        let id =
            last["id"].as_str().ok_or_else(|| self.unexpected(endpoint, "an object without an id".into()))?;
        Ok(Some(id.to_owned()))
    }

    fn object_record(
        &self,
        endpoint: &str,
        object: &Value,
        changed_at: Option<Timestamp>,
    ) -> Result<FetchedRecord, FetchError> {
        let id = object["id"]
            .as_str()
            .ok_or_else(|| self.unexpected(endpoint, "an object without an id".into()))?;
        Ok(FetchedRecord::new(id, changed_at, object))
    }

    /// The object an event carries, stamped with the event's time; `None`
    /// for an event about another kind of object.
    fn event_record(&self, resource: &Resource, event: &Value) -> Result<Option<FetchedRecord>, FetchError> {
        const PATH: &str = "/v1/events";
        let object = &event["data"]["object"];
        if object["object"].as_str() != Some(resource.object) {
            return Ok(None);
        }
        let created = event["created"]
            .as_i64()
            .ok_or_else(|| self.unexpected(PATH, "an event without created".into()))?;
        let changed_at = Timestamp::from_unix(created).map_err(|e| self.unexpected(PATH, e.to_string()))?;
        let deleted = event["type"].as_str().is_some_and(|t| t.ends_with(".deleted"));
        if deleted && object.get("deleted").is_none() {
            let mut object = object.clone();
            object["deleted"] = json!(true);
            return self.object_record(PATH, &object, Some(changed_at)).map(Some);
        }
        self.object_record(PATH, object, Some(changed_at)).map(Some)
    }
}

fn position_json(position: &Position) -> Value {
    serde_json::to_value(position).unwrap_or(Value::Null)
}

impl Connector for StripeConnector {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn config_json(&self) -> String {
        serde_json::to_value(&self.config).map(|v| canonical_json(&v)).unwrap_or_else(|_| "{}".into())
    }

    fn streams(&self) -> &'static [&'static str] {
        STREAMS
    }

    fn fetch_page(&mut self, stream: &str, request: &PageRequest<'_>) -> Result<Page, FetchError> {
        let resource = RESOURCES
            .iter()
            .find(|r| r.stream == stream)
            .ok_or_else(|| self.fail(FetchProblem::UnknownStream(stream.to_owned())))?;
        match self.position(request)? {
            Position::List { starting_after } => self.list_page(resource, starting_after.as_deref(), request),
            Position::Events { starting_after } => {
                self.events_page(resource, starting_after.as_deref(), request)
            }
        }
    }

    fn test_connection(&mut self, cancel: &AtomicBool) -> Result<ConnectionInfo, FetchError> {
        let request = ApiRequest::get(&self.config.base_url, "/v1/customers").query("limit", "1");
        let body = self.get(request, cancel)?;
        self.list_body("/v1/customers", &body)?;
        let mode = match body["data"][0]["livemode"].as_bool() {
            Some(true) => "live mode",
            Some(false) => "test mode",
            None => "no customers yet",
        };
        Ok(ConnectionInfo { account: format!("Stripe account ({mode})") })
    }
}

/// `{"error": {"type": "invalid_request_error", "message": "…"}}`.
fn stripe_error_message(body: &Value) -> Option<String> {
    let error = body.get("error")?;
    let message = error["message"].as_str().unwrap_or("no message");
    Some(match error["type"].as_str() {
        Some(kind) => format!("{kind}: {message}"),
        None => message.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_stored_as_tagged_json() {
        let position = Position::Events { starting_after: Some("evt_1".into()) };
        assert_eq!(position_json(&position), json!({"mode": "events", "starting_after": "evt_1"}));
        let back: Position = serde_json::from_value(json!({"mode": "list", "starting_after": null}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, Position::List { starting_after: None });
    }

    #[test]
    fn error_messages_follow_the_documented_shape() {
        let body =
            json!({"error": {"type": "invalid_request_error", "message": "No such customer: 'cus_x'"}});
        assert_eq!(
            stripe_error_message(&body).as_deref(),
            Some("invalid_request_error: No such customer: 'cus_x'")
        );
        assert_eq!(stripe_error_message(&json!({"data": []})), None);
    }

    #[test]
    fn every_resource_asks_for_at_most_twenty_event_types() {
        assert!(RESOURCES.iter().all(|r| r.event_types.len() <= 20));
        assert_eq!(RESOURCES.iter().map(|r| r.stream).collect::<Vec<_>>(), STREAMS);
    }
}
