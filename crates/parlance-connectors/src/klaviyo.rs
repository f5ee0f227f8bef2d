//! Klaviyo, through its JSON:API REST API (`{base}/api/...`, a private key
//! in `Authorization: Klaviyo-API-Key …`, the API version in the `revision`
//! header).
//!
//! What the documentation asks for, and how this follows it:
//!
//! - **Streams**: `profiles` (`GET /api/profiles`) and `events` (`GET
//!   /api/events`). An event names its metric only by id, so events are
//!   requested with `include=metric` and each landed event carries its
//!   metric resource (from the response's `included`) under `metric`: the
//!   metric's name ("Opened Email", "Placed Order") is what the event means.
//! - **Pagination**: cursor based; the next page is `links.next`, whose
//!   `page[cursor]` is kept as the stream cursor (the link's host is not
//!   followed, so a configured base URL or proxy stays in the path).
//!   Profiles take `page[size]` up to 100; events come 200 a page.
//! - **Incremental**: `filter=greater-than(updated,…)` with `sort=updated`
//!   for profiles, `filter=greater-than(datetime,…)` with `sort=datetime`
//!   for events (events never change, so their time is their updated-at).
//! - **Versioning**: every request sends `revision` (default `2026-04-15`;
//!   configurable) — Klaviyo's date-versioned API keeps each revision's
//!   behaviour for two years.
//! - **Rate limits**: per account, fixed windows — profiles 75/s burst and
//!   700/min steady, events 350/s and 3,500/min; a 429 carries
//!   `Retry-After` (seconds), which we honour.
//! - **Errors**: `{"errors": [{"id", "status", "code", "title", "detail",
//!   "source"}]}`; 401 is a missing or invalid key, 403 a key without the
//!   `profiles:read` / `events:read` scope.

use std::num::NonZeroU32;
use std::sync::atomic::AtomicBool;

use parlance_warehouse::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::connector::{ConnectionInfo, Connector, FetchedRecord, Page, PageRequest};
use crate::error::{FetchError, FetchProblem};
use crate::http::{
    ApiDialect, ApiRequest, Credential, HttpClient, HttpSettings, accept_any, check_base_url, check_page_size,
};
use crate::json::config_text;
use crate::secrets::Token;
use crate::time::TimeSources;

pub const KIND: &str = "klaviyo";

/// A Klaviyo source's configuration, stored in `sources.config_json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KlaviyoConfig {
    /// `https://a.klaviyo.com`, or a proxy or test server.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// The API revision sent in the `revision` header, `YYYY-MM-DD`.
    #[serde(default = "default_revision")]
    pub revision: String,
    /// Profiles per page, 1–100.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
}

fn default_base_url() -> String {
    "https://a.klaviyo.com".into()
}

fn default_revision() -> String {
    "2026-04-15".into()
}

fn default_page_size() -> u32 {
    100
}

impl Default for KlaviyoConfig {
    fn default() -> Self {
        Self { base_url: default_base_url(), revision: default_revision(), page_size: default_page_size() }
    }
}

impl KlaviyoConfig {
    pub fn validate(&self) -> Result<(), FetchProblem> {
        check_base_url("base_url", &self.base_url)?;
        let bytes = self.revision.as_bytes();
        let revision_ok = bytes.len() >= 10
            && bytes
                .iter()
                .take(10)
                .enumerate()
                .all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
        if !revision_ok {
            return Err(FetchProblem::InvalidConfig(format!(
                "revision {:?} must be an API revision date like 2026-04-15",
                self.revision
            )));
        }
        check_page_size("page_size", self.page_size, 1..=100)
    }
}

/// HTTP defaults for Klaviyo: under the profiles endpoint's steady 700 a
/// minute.
pub fn default_http_settings() -> HttpSettings {
    HttpSettings {
        requests_per_second: NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN),
        burst: NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN),
        ..HttpSettings::default()
    }
}

struct Resource {
    stream: &'static str,
    path: &'static str,
    /// The time attribute filtered and sorted on.
    time_field: &'static str,
    sized: bool,
}

const PROFILES: Resource =
    Resource { stream: "profiles", path: "/api/profiles", time_field: "updated", sized: true };
const EVENTS: Resource =
    Resource { stream: "events", path: "/api/events", time_field: "datetime", sized: false };

const STREAMS: &[&str] = &[PROFILES.stream, EVENTS.stream];

/// The Klaviyo connector of one source.
#[derive(Debug)]
pub struct KlaviyoConnector {
    config: KlaviyoConfig,
    http: HttpClient,
}

impl KlaviyoConnector {
    pub fn new(
        source_name: &str,
        config: KlaviyoConfig,
        token: Token,
        settings: HttpSettings,
        time: TimeSources,
    ) -> Result<Self, FetchError> {
        config.validate().map_err(|p| FetchError::new(source_name, p))?;
        let credential = Credential::header("Authorization", "Klaviyo-API-Key ", token);
        let dialect = ApiDialect { error_message: klaviyo_error_message, should_retry_header: None };
        let http = HttpClient::new(source_name, settings, credential, dialect, time)?;
        Ok(Self { config, http })
    }

    fn unexpected(&self, endpoint: &str, detail: String) -> FetchError {
        self.http.fail(FetchProblem::UnexpectedResponse { endpoint: endpoint.to_owned(), detail })
    }

    fn request(&self, path: &str) -> ApiRequest {
        ApiRequest::get(&self.config.base_url, path)
            .header("revision", self.config.revision.clone())
            .header("Accept", "application/vnd.api+json")
    }

    fn page(&self, resource: &Resource, request: &PageRequest<'_>) -> Result<Page, FetchError> {
        let mut api = self.request(resource.path).query("sort", resource.time_field);
        if resource.sized {
            api = api.query("page[size]", self.config.page_size.to_string());
        }
        if resource.stream == EVENTS.stream {
            api = api.query("include", "metric").query("fields[metric]", "name,integration");
        }
        if let Some(since) = request.updated_since {
            api = api.query("filter", format!("greater-than({},{since})", resource.time_field));
        }
        if let Some(cursor) = request.cursor {
            let page_cursor = cursor["page_cursor"].as_str().ok_or_else(|| {
                self.http.fail(FetchProblem::InvalidConfig("unreadable stream cursor: no page_cursor".into()))
            })?;
            api = api.query("page[cursor]", page_cursor);
        }
        let body = self.http.send_json(&api, request.cancel, &accept_any)?;
        let data =
            body["data"].as_array().ok_or_else(|| self.unexpected(resource.path, "no data list".into()))?;
        let included = body["included"].as_array().map(Vec::as_slice).unwrap_or_default();
        let records =
            data.iter().map(|item| self.record(resource, item, included)).collect::<Result<Vec<_>, _>>()?;
        let next = match &body["links"]["next"] {
            Value::Null => None,
            Value::String(link) => Some(
                page_cursor_of(link)
                    .ok_or_else(|| self.unexpected(resource.path, "links.next has no page[cursor]".into()))?,
            ),
            _ => return Err(self.unexpected(resource.path, "links.next is not a link".into())),
        };
        Ok(match next {
            Some(cursor) => Page::more(records, json!({ "page_cursor": cursor })),
            None => Page::last(records),
        })
    }

    fn record(
        &self,
        resource: &Resource,
        item: &Value,
        included: &[Value],
    ) -> Result<FetchedRecord, FetchError> {
        let id = item["id"]
            .as_str()
            .ok_or_else(|| self.unexpected(resource.path, "a resource without an id".into()))?;
        let at = match item["attributes"][resource.time_field].as_str() {
            Some(text) => Some(
                Timestamp::parse(text).map_err(|e| self.unexpected(resource.path, format!("{id}: {e}")))?,
            ),
            None => None,
        };
        if resource.stream != EVENTS.stream {
            return Ok(FetchedRecord::new(id, at, item));
        }
        let metric_id = &item["relationships"]["metric"]["data"]["id"];
        let metric = included.iter().find(|i| i["type"] == "metric" && &i["id"] == metric_id);
        let mut payload = item.clone();
        if let (Some(metric), Value::Object(map)) = (metric, &mut payload) {
            map.insert("metric".into(), metric.clone());
        }
        Ok(FetchedRecord::new(id, at, &payload))
    }
}

/// The `page[cursor]` query parameter of a `links.next` URL, decoded.
fn page_cursor_of(link: &str) -> Option<String> {
    let (_, query) = link.split_once('?')?;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (percent_decode(key) == "page[cursor]").then(|| percent_decode(value))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let escaped = bytes
            .get(i + 1..i + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (byte, escaped) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (other, _) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Connector for KlaviyoConnector {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn config_json(&self) -> String {
        config_text(&self.config)
    }

    fn streams(&self) -> &'static [&'static str] {
        STREAMS
    }

    fn fetch_page(&mut self, stream: &str, request: &PageRequest<'_>) -> Result<Page, FetchError> {
        match stream {
            "profiles" => self.page(&PROFILES, request),
            "events" => self.page(&EVENTS, request),
            other => Err(self.http.fail(FetchProblem::UnknownStream(other.to_owned()))),
        }
    }

    fn test_connection(&mut self, cancel: &AtomicBool) -> Result<ConnectionInfo, FetchError> {
        const PATH: &str = "/api/accounts";
        let body = self.http.send_json(&self.request(PATH), cancel, &accept_any)?;
        let account = &body["data"][0];
        let id = account["id"].as_str().ok_or_else(|| self.unexpected(PATH, "no account".into()))?;
        let name =
            account["attributes"]["contact_information"]["organization_name"].as_str().unwrap_or("unnamed");
        Ok(ConnectionInfo {
            account: format!("Klaviyo account {name} ({id}), revision {}", self.config.revision),
        })
    }
}

/// `{"errors": [{"code": "…", "detail": "…"}]}`: each `code: detail`.
fn klaviyo_error_message(body: &Value) -> Option<String> {
    let errors = body["errors"].as_array()?;
    let messages: Vec<String> = errors
        .iter()
        .filter_map(|e| {
            let detail = e["detail"].as_str().or_else(|| e["title"].as_str())?;
            Some(match e["code"].as_str() {
                Some(code) => format!("{code}: {detail}"),
                None => detail.to_owned(),
            })
        })
        .collect();
    (!messages.is_empty()).then(|| messages.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_cursor_is_read_from_the_next_link() {
        let link = "https://a.klaviyo.com/api/profiles/?page%5Bcursor%5D=bmV4dDo6aWQ6OjQz&page%5Bsize%5D=2";
        assert_eq!(page_cursor_of(link).as_deref(), Some("bmV4dDo6aWQ6OjQz"));
        assert_eq!(
            page_cursor_of("https://a.klaviyo.com/api/profiles/?page[cursor]=a%2Bb").as_deref(),
            Some("a+b")
        );
        assert_eq!(page_cursor_of("https://a.klaviyo.com/api/profiles/"), None);
    }

    #[test]
    fn errors_follow_the_documented_shape() {
        let body = json!({"errors": [{"id": "e4eebb08", "status": 401, "code": "not_authenticated",
            "title": "Authentication credentials were not provided.", "detail": "Missing or invalid private key.",
            "source": {"pointer": "/data/"}}]});
        assert_eq!(
            klaviyo_error_message(&body).as_deref(),
            Some("not_authenticated: Missing or invalid private key.")
        );
    }

    #[test]
    fn config_is_validated() {
        assert!(KlaviyoConfig::default().validate().is_ok());
        assert!(KlaviyoConfig { revision: "latest".into(), ..KlaviyoConfig::default() }.validate().is_err());
        assert!(
            KlaviyoConfig { revision: "2026-04-15.pre".into(), ..KlaviyoConfig::default() }
                .validate()
                .is_ok()
        );
    }
}
