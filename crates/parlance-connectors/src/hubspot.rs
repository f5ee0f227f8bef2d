//! HubSpot, through the CRM v3 search API (`POST
//! {base}/crm/v3/objects/{object}/search`, a private-app or OAuth access
//! token in `Authorization: Bearer`).
//!
//! What the documentation asks for, and how this follows it:
//!
//! - **Streams**: `contacts` and `deals`. Each deal is landed with the
//!   contacts it is associated with, read per page from the v4 associations
//!   batch endpoint (`POST /crm/v4/associations/deals/contacts/batch/read`)
//!   and attached as `associations.contacts.results[{id, type}]` — the shape
//!   the objects API itself uses — because search results carry no
//!   associations and a deal must name a person to be unified.
//! - **Incremental**: a search filtered on the object's last-modified
//!   property (`lastmodifieddate` for contacts, `hs_lastmodifieddate` for
//!   deals) with `GTE` the watermark minus the look-back, in epoch
//!   milliseconds, sorted by that property `ASCENDING`, so a pass walks
//!   oldest change first.
//! - **Pagination**: `limit` (at most 200) and `after`, continuing with
//!   `paging.next.after` until the response has no `paging.next`.
//! - **The 10,000-result cap**: a search query returns at most 10,000
//!   results (paging further is a 400). Before a page would cross it, the
//!   pass re-anchors: the filter restarts at the last seen modification
//!   time (`GTE`, so records sharing that instant are fetched again — and
//!   land as unchanged) with `after` cleared.
//! - **Rate limits**: the search endpoints allow 5 requests a second per
//!   account (we send at most 4); a 429 (`"category": "RATE_LIMITS"`) is
//!   retried with back-off, honouring `Retry-After` when sent.
//! - **Errors**: `{"status": "error", "message", "category",
//!   "correlationId"}`, every field optional; 401 is an invalid or expired
//!   token, 403 a missing scope (`crm.objects.contacts.read`,
//!   `crm.objects.deals.read`).

use std::collections::HashSet;
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
use crate::json::{canonical_json, config_text};
use crate::secrets::Token;
use crate::time::TimeSources;

pub const KIND: &str = "hubspot";

/// A search query returns at most this many results.
pub const SEARCH_RESULT_CAP: u64 = 10_000;

/// A HubSpot source's configuration, stored in `sources.config_json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubSpotConfig {
    /// `https://api.hubapi.com`, or a proxy or test server.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Results per search page, 1–200.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
}

fn default_base_url() -> String {
    "https://api.hubapi.com".into()
}

fn default_page_size() -> u32 {
    100
}

impl Default for HubSpotConfig {
    fn default() -> Self {
        Self { base_url: default_base_url(), page_size: default_page_size() }
    }
}

impl HubSpotConfig {
    pub fn validate(&self) -> Result<(), FetchProblem> {
        check_base_url("base_url", &self.base_url)?;
        check_page_size("page_size", self.page_size, 1..=200)
    }
}

/// HTTP defaults for HubSpot: below the search API's 5 requests a second.
pub fn default_http_settings() -> HttpSettings {
    HttpSettings {
        requests_per_second: NonZeroU32::new(4).unwrap_or(NonZeroU32::MIN),
        burst: NonZeroU32::new(1).unwrap_or(NonZeroU32::MIN),
        ..HttpSettings::default()
    }
}

/// One CRM object type.
struct CrmObject {
    stream: &'static str,
    object: &'static str,
    /// The property that records the last change.
    modified: &'static str,
    properties: &'static [&'static str],
}

const CONTACTS: CrmObject = CrmObject {
    stream: "contacts",
    object: "contacts",
    modified: "lastmodifieddate",
    properties: &[
        "email",
        "firstname",
        "lastname",
        "phone",
        "mobilephone",
        "city",
        "country",
        "company",
        "lifecyclestage",
        "hs_lead_status",
        "createdate",
        "lastmodifieddate",
    ],
};

const DEALS: CrmObject = CrmObject {
    stream: "deals",
    object: "deals",
    modified: "hs_lastmodifieddate",
    properties: &[
        "dealname",
        "amount",
        "deal_currency_code",
        "dealstage",
        "pipeline",
        "closedate",
        "hs_is_closed_won",
        "createdate",
        "hs_lastmodifieddate",
    ],
};

const STREAMS: &[&str] = &[CONTACTS.stream, DEALS.stream];

/// Where a pass is: the filter's anchor (epoch milliseconds, `None` =
/// everything), how many results were read since that anchor, and
/// HubSpot's `after` within it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Position {
    since_ms: Option<i64>,
    read: u64,
    after: Option<String>,
}

/// The HubSpot connector of one source.
#[derive(Debug)]
pub struct HubSpotConnector {
    config: HubSpotConfig,
    http: HttpClient,
    /// Every (stream, anchor, `after`) answered in this sync: the stream
    /// cursor also counts results, so a repeating `after` would not repeat
    /// the cursor — this catches it.
    seen_after: HashSet<(&'static str, Option<i64>, String)>,
}

impl HubSpotConnector {
    pub fn new(
        source_name: &str,
        config: HubSpotConfig,
        token: Token,
        settings: HttpSettings,
        time: TimeSources,
    ) -> Result<Self, FetchError> {
        config.validate().map_err(|p| FetchError::new(source_name, p))?;
        let dialect = ApiDialect { error_message: hubspot_error_message, should_retry_header: None };
        let http = HttpClient::new(source_name, settings, Credential::bearer(token), dialect, time)?;
        Ok(Self { config, http, seen_after: HashSet::new() })
    }

    fn unexpected(&self, endpoint: &str, detail: String) -> FetchError {
        self.http.fail(FetchProblem::UnexpectedResponse { endpoint: endpoint.to_owned(), detail })
    }

    fn position(&self, request: &PageRequest<'_>) -> Result<Position, FetchError> {
        match request.cursor {
            Some(cursor) => serde_json::from_value(cursor.clone()).map_err(|e| {
                self.http.fail(FetchProblem::InvalidConfig(format!("unreadable stream cursor: {e}")))
            }),
            None => Ok(Position {
                since_ms: request.updated_since.map(|t| t.unix().saturating_mul(1000)),
                read: 0,
                after: None,
            }),
        }
    }

    fn search_body(&self, object: &CrmObject, position: &Position) -> Value {
        let mut body = json!({
            "sorts": [{ "propertyName": object.modified, "direction": "ASCENDING" }],
            "properties": object.properties,
            "limit": self.config.page_size,
        });
        if let Some(since) = position.since_ms {
            body["filterGroups"] = json!([{ "filters": [
                { "propertyName": object.modified, "operator": "GTE", "value": since.to_string() }
            ] }]);
        }
        if let Some(after) = &position.after {
            body["after"] = json!(after);
        }
        body
    }

    fn search_page(&mut self, object: &CrmObject, request: &PageRequest<'_>) -> Result<Page, FetchError> {
        let position = self.position(request)?;
        let path = format!("/crm/v3/objects/{}/search", object.object);
        let api = ApiRequest::post_json(
            &self.config.base_url,
            &path,
            canonical_json(&self.search_body(object, &position)),
        );
        let body = self.http.send_json(&api, request.cancel, &accept_any)?;
        let results =
            body["results"].as_array().ok_or_else(|| self.unexpected(&path, "no results list".into()))?;
        let mut records = Vec::with_capacity(results.len());
        let mut last_modified_ms = None;
        let mut objects = results.clone();
        if object.stream == DEALS.stream && !objects.is_empty() {
            self.attach_contacts(&mut objects, request.cancel)?;
        }
        for result in &objects {
            let (record, modified_ms) = self.record(&path, object, result)?;
            last_modified_ms = modified_ms.or(last_modified_ms);
            records.push(record);
        }
        let Some(after) = body["paging"]["next"]["after"].as_str() else {
            return Ok(Page::last(records));
        };
        if !self.seen_after.insert((object.stream, position.since_ms, after.to_owned())) {
            return Err(self.unexpected(
                &path,
                format!("pagination loop: paging.next.after {after:?} came back a second time"),
            ));
        }
        let read = position.read + results.len() as u64;
        let next = if read + u64::from(self.config.page_size) > SEARCH_RESULT_CAP {
            // The next page would cross the search cap: start a new query
            // at the last modification time seen.
            let since_ms = last_modified_ms.or(position.since_ms);
            Position { since_ms, read: 0, after: None }
        } else {
            Position { since_ms: position.since_ms, read, after: Some(after.to_owned()) }
        };
        Ok(Page::more(records, serde_json::to_value(next).unwrap_or(Value::Null)))
    }

    /// A landed record and its modification time in epoch milliseconds.
    fn record(
        &self,
        endpoint: &str,
        object: &CrmObject,
        result: &Value,
    ) -> Result<(FetchedRecord, Option<i64>), FetchError> {
        let id = result["id"]
            .as_str()
            .ok_or_else(|| self.unexpected(endpoint, "a result without an id".into()))?;
        let modified =
            result["properties"][object.modified].as_str().or_else(|| result["updatedAt"].as_str());
        let modified = match modified {
            Some(text) => Some(parse_hubspot_time(text).ok_or_else(|| {
                self.unexpected(endpoint, format!("result {id}: {} {text:?} is not a time", object.modified))
            })?),
            None => None,
        };
        let updated_at = modified.map(|ms| Timestamp::from_unix_clamped(ms.div_euclid(1000)));
        Ok((FetchedRecord::new(id, updated_at, result), modified))
    }

    /// Adds each deal's associated contacts as `associations.contacts`.
    fn attach_contacts(&self, deals: &mut [Value], cancel: &AtomicBool) -> Result<(), FetchError> {
        const PATH: &str = "/crm/v4/associations/deals/contacts/batch/read";
        let inputs: Vec<Value> = deals.iter().map(|d| json!({ "id": d["id"] })).collect();
        let api =
            ApiRequest::post_json(&self.config.base_url, PATH, canonical_json(&json!({ "inputs": inputs })));
        let body = self.http.send_json(&api, cancel, &accept_any)?;
        let results =
            body["results"].as_array().ok_or_else(|| self.unexpected(PATH, "no results list".into()))?;
        for deal in deals.iter_mut() {
            let id = deal["id"].clone();
            let contacts: Vec<Value> = results
                .iter()
                .filter(|r| r["from"]["id"] == id)
                .flat_map(|r| r["to"].as_array().cloned().unwrap_or_default())
                .filter_map(|to| match &to["toObjectId"] {
                    Value::Number(n) => Some(n.to_string()),
                    Value::String(s) => Some(s.clone()),
                    _ => None,
                })
                .map(|contact| json!({ "id": contact, "type": "deal_to_contact" }))
                .collect();
            if let Value::Object(map) = deal {
                map.insert("associations".into(), json!({ "contacts": { "results": contacts } }));
            }
        }
        Ok(())
    }
}

/// HubSpot times: ISO 8601 with milliseconds (`2019-12-07T16:50:06.678Z`)
/// or epoch milliseconds as text; as epoch milliseconds.
fn parse_hubspot_time(text: &str) -> Option<i64> {
    if let Ok(ms) = text.parse::<i64>() {
        return Some(ms);
    }
    let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

impl Connector for HubSpotConnector {
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
            "contacts" => self.search_page(&CONTACTS, request),
            "deals" => self.search_page(&DEALS, request),
            other => Err(self.http.fail(FetchProblem::UnknownStream(other.to_owned()))),
        }
    }

    fn test_connection(&mut self, cancel: &AtomicBool) -> Result<ConnectionInfo, FetchError> {
        const PATH: &str = "/account-info/v3/details";
        let body = self.http.send_json(&ApiRequest::get(&self.config.base_url, PATH), cancel, &accept_any)?;
        let portal = match &body["portalId"] {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            _ => return Err(self.unexpected(PATH, "no portalId".into())),
        };
        let domain = body["uiDomain"].as_str().unwrap_or("app.hubspot.com");
        Ok(ConnectionInfo { account: format!("HubSpot account {portal} ({domain})") })
    }
}

/// `{"status": "error", "message": "…", "category": "…"}`, fields optional.
fn hubspot_error_message(body: &Value) -> Option<String> {
    let message = body["message"].as_str()?;
    Some(match body["category"].as_str() {
        Some(category) => format!("{category}: {message}"),
        None => message.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hubspot_times_are_read_in_both_forms() {
        assert_eq!(parse_hubspot_time("2019-12-07T16:50:06.678Z"), Some(1_575_737_406_678));
        assert_eq!(parse_hubspot_time("1575737406678"), Some(1_575_737_406_678));
        assert_eq!(parse_hubspot_time("yesterday"), None);
    }

    #[test]
    fn error_messages_follow_the_documented_shape() {
        let body = json!({"status": "error", "message": "Authentication credentials not found.",
            "category": "INVALID_AUTHENTICATION", "correlationId": "a43683b0"});
        assert_eq!(
            hubspot_error_message(&body).as_deref(),
            Some("INVALID_AUTHENTICATION: Authentication credentials not found.")
        );
        assert_eq!(hubspot_error_message(&json!({"results": []})), None);
    }

    #[test]
    fn config_is_validated_and_defaults_fill_in() {
        let config: HubSpotConfig = serde_json::from_str("{}").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config, HubSpotConfig::default());
        assert!(HubSpotConfig { page_size: 201, ..HubSpotConfig::default() }.validate().is_err());
        assert!(
            HubSpotConfig { base_url: "api.hubapi.com".into(), ..HubSpotConfig::default() }
                .validate()
                .is_err()
        );
    }
}
