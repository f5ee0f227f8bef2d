//! Mailchimp, through the Marketing API 3.0 (`{base}/3.0/...`, HTTP Basic
//! with any user name and the API key as the password).
//!
//! What the documentation asks for, and how this follows it:
//!
//! - **Base URL**: each account lives in one data center, named by the API
//!   key's suffix (`…-us21` → `https://us21.api.mailchimp.com`); a
//!   configured `base_url` replaces it (proxies, test servers).
//! - **Streams**: `members` — the members of one audience (`GET
//!   /lists/{list_id}/members`) — and `email_activity` — per sent campaign
//!   (`GET /campaigns?status=sent`), each recipient's opens, clicks and
//!   bounces (`GET /reports/{campaign_id}/email-activity`), one record per
//!   campaign and recipient.
//! - **Pagination**: `count` (at most 1,000) and `offset`, with
//!   `total_items` in every collection.
//! - **Incremental members**: `since_last_changed` with
//!   `sort_field=last_changed&sort_dir=ASC`. Plain offsets shift when a
//!   member changes mid-pass (it moves to the end and every later member
//!   moves up one, so one would be skipped); so each page re-anchors the
//!   filter just before the last `last_changed` it saw and skips, by
//!   `offset`, the members already read at that instant. Whether Mailchimp
//!   compares inclusively or not, nothing is skipped; at worst a few members
//!   are read twice and land as unchanged.
//! - **Incremental activity**: activity has no updated-at and a recipient's
//!   record grows for weeks after a send, so each pass re-reads the activity
//!   of campaigns sent since the watermark minus `activity_window_days`
//!   (`since_send_time`); unchanged records are not rewritten. The last page
//!   vouches for the stream up to when the pass began.
//! - **Rate limits**: at most 10 simultaneous connections (we use one);
//!   a 429 is retried with back-off and `Retry-After` when sent.
//! - **Errors** are RFC 7807 problem documents (`application/problem+json`:
//!   `type`, `title`, `status`, `detail`, `instance`); 401 is an invalid or
//!   revoked key.

use std::num::NonZeroU32;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parlance_warehouse::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::connector::{ConnectionInfo, Connector, FetchedRecord, Page, PageRequest};
use crate::error::{FetchError, FetchProblem};
use crate::http::{
    ApiDialect, ApiRequest, Credential, HttpClient, HttpSettings, accept_any, check_base_url, check_page_size,
};
use crate::json::config_text;
use crate::secrets::Token;
use crate::time::TimeSources;

pub const KIND: &str = "mailchimp";

/// A Mailchimp source's configuration, stored in `sources.config_json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailchimpConfig {
    /// The audience (list) whose members are synced.
    pub list_id: String,
    /// Replaces `https://{dc}.api.mailchimp.com` (the data center from the
    /// API key's suffix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Records per page, 1–1,000.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// How long after a send a campaign's activity is re-read.
    #[serde(default = "default_activity_window_days")]
    pub activity_window_days: u32,
}

fn default_page_size() -> u32 {
    500
}

fn default_activity_window_days() -> u32 {
    30
}

impl MailchimpConfig {
    pub fn new(list_id: &str) -> Self {
        Self {
            list_id: list_id.to_owned(),
            base_url: None,
            page_size: default_page_size(),
            activity_window_days: default_activity_window_days(),
        }
    }

    pub fn validate(&self) -> Result<(), FetchProblem> {
        let list_ok = !self.list_id.is_empty() && self.list_id.chars().all(|c| c.is_ascii_alphanumeric());
        if !list_ok {
            return Err(FetchProblem::InvalidConfig(format!(
                "list_id {:?} must be the audience id (letters and digits)",
                self.list_id
            )));
        }
        if let Some(base) = &self.base_url {
            check_base_url("base_url", base)?;
        }
        check_page_size("page_size", self.page_size, 1..=1_000)
    }

    /// The base URL: configured, or the data center named by the key.
    fn base_url_for(&self, key: &Token) -> Result<String, FetchProblem> {
        if let Some(base) = &self.base_url {
            return Ok(base.trim_end_matches('/').to_owned());
        }
        data_center(key.expose()).map(|dc| format!("https://{dc}.api.mailchimp.com")).ok_or_else(|| {
            FetchProblem::InvalidConfig(
                "the API key has no data-center suffix (like -us21); set base_url".to_owned(),
            )
        })
    }
}

/// The data center of an API key: the part after the last `-`, `us21`.
fn data_center(key: &str) -> Option<&str> {
    let (_, dc) = key.rsplit_once('-')?;
    let valid = !dc.is_empty() && dc.len() <= 8 && dc.chars().all(|c| c.is_ascii_alphanumeric());
    valid.then_some(dc)
}

/// HTTP defaults for Mailchimp: one connection, a modest pace.
pub fn default_http_settings() -> HttpSettings {
    HttpSettings {
        requests_per_second: NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN),
        burst: NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN),
        ..HttpSettings::default()
    }
}

const STREAMS: &[&str] = &["members", "email_activity"];

/// Where a members pass is: the `since_last_changed` sent (RFC 3339, or
/// none for everything) and how many members to skip from there.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MembersPosition {
    since: Option<String>,
    offset: u64,
    /// The id of the first member of the page this position follows: the
    /// same page again under the same filter means the API ignored `offset`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first_id: Option<String>,
}

/// Where an activity pass is: the campaign (by its place among sent
/// campaigns, oldest first) and the offset in its activity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityPosition {
    campaign_offset: u64,
    campaign_id: Option<String>,
    offset: u64,
}

/// The Mailchimp connector of one source.
#[derive(Debug)]
pub struct MailchimpConnector {
    config: MailchimpConfig,
    base_url: String,
    http: HttpClient,
}

impl MailchimpConnector {
    pub fn new(
        source_name: &str,
        config: MailchimpConfig,
        token: Token,
        settings: HttpSettings,
        time: TimeSources,
    ) -> Result<Self, FetchError> {
        let fail = |p| FetchError::new(source_name, p);
        config.validate().map_err(fail)?;
        let base_url = config.base_url_for(&token).map_err(fail)?;
        let dialect = ApiDialect { error_message: problem_detail_message, should_retry_header: None };
        let http =
            HttpClient::new(source_name, settings, Credential::basic("parlance", token), dialect, time)?;
        Ok(Self { config, base_url, http })
    }

    fn unexpected(&self, endpoint: &str, detail: String) -> FetchError {
        self.http.fail(FetchProblem::UnexpectedResponse { endpoint: endpoint.to_owned(), detail })
    }

    fn cursor<T: serde::de::DeserializeOwned + Default>(
        &self,
        cursor: Option<&Value>,
    ) -> Result<T, FetchError> {
        match cursor {
            Some(value) => serde_json::from_value(value.clone()).map_err(|e| {
                self.http.fail(FetchProblem::InvalidConfig(format!("unreadable stream cursor: {e}")))
            }),
            None => Ok(T::default()),
        }
    }

    fn get(&self, api: ApiRequest, cancel: &AtomicBool) -> Result<Value, FetchError> {
        self.http.send_json(&api, cancel, &accept_any)
    }

    fn total_items(&self, endpoint: &str, body: &Value) -> Result<u64, FetchError> {
        body["total_items"].as_u64().ok_or_else(|| self.unexpected(endpoint, "no total_items".into()))
    }

    fn members_page(&self, request: &PageRequest<'_>) -> Result<Page, FetchError> {
        let path = format!("/3.0/lists/{}/members", self.config.list_id);
        let position = match request.cursor {
            Some(_) => self.cursor::<MembersPosition>(request.cursor)?,
            None => MembersPosition {
                since: request.updated_since.map(|t| t.to_string()),
                offset: 0,
                first_id: None,
            },
        };
        let mut api = ApiRequest::get(&self.base_url, &path)
            .query("count", self.config.page_size.to_string())
            .query("offset", position.offset.to_string())
            .query("sort_field", "last_changed")
            .query("sort_dir", "ASC");
        if let Some(since) = &position.since {
            api = api.query("since_last_changed", since.clone());
        }
        let body = self.get(api, request.cancel)?;
        let members =
            body["members"].as_array().ok_or_else(|| self.unexpected(&path, "no members list".into()))?;
        let total = self.total_items(&path, &body)?;
        let mut records = Vec::with_capacity(members.len());
        let mut changed = Vec::with_capacity(members.len());
        for member in members {
            let id = member["id"]
                .as_str()
                .ok_or_else(|| self.unexpected(&path, "a member without an id".into()))?;
            let last_changed = match member["last_changed"].as_str().filter(|t| !t.is_empty()) {
                Some(text) => {
                    Some(Timestamp::parse(text).map_err(|e| self.unexpected(&path, e.to_string()))?)
                }
                None => None,
            };
            changed.push(last_changed);
            records.push(FetchedRecord::new(id, last_changed, member));
        }
        let read_all = members.is_empty() || position.offset + members.len() as u64 >= total;
        if read_all {
            return Ok(Page::last(records));
        }
        // Re-anchor just before the last change seen and skip the members
        // already read at that instant.
        let first_id = records.first().map(|r| r.source_id.clone());
        let anchor = match changed.last().copied().flatten() {
            Some(last) => Some(Timestamp::from_unix_clamped(last.unix() - 1).to_string()),
            None => position.since.clone(),
        };
        let next = if anchor == position.since {
            if position.first_id.is_some() && position.first_id == first_id {
                return Err(self.unexpected(
                    &path,
                    format!(
                        "pagination loop: offset {} returned the same members as the page before",
                        position.offset
                    ),
                ));
            }
            MembersPosition { since: anchor, offset: position.offset + members.len() as u64, first_id }
        } else {
            let last = changed.last().copied().flatten();
            let at_last = changed.iter().filter(|c| **c == last).count() as u64;
            MembersPosition { since: anchor, offset: at_last, first_id }
        };
        Ok(Page::more(records, serde_json::to_value(next).unwrap_or(Value::Null)))
    }

    fn activity_page(&self, request: &PageRequest<'_>) -> Result<Page, FetchError> {
        let mut position = self.cursor::<ActivityPosition>(request.cursor)?;
        let campaign_id = match position.campaign_id.clone() {
            Some(id) => id,
            None => match self.sent_campaign(position.campaign_offset, request)? {
                Some(id) => id,
                None => return Ok(Page::last(Vec::new()).with_watermark(Some(request.pass_started_at))),
            },
        };
        let path = format!("/3.0/reports/{campaign_id}/email-activity");
        let api = ApiRequest::get(&self.base_url, &path)
            .query("count", self.config.page_size.to_string())
            .query("offset", position.offset.to_string());
        let body = self.get(api, request.cancel)?;
        let emails =
            body["emails"].as_array().ok_or_else(|| self.unexpected(&path, "no emails list".into()))?;
        let total = self.total_items(&path, &body)?;
        let mut records = Vec::with_capacity(emails.len());
        for email in emails {
            let email_id = email["email_id"]
                .as_str()
                .ok_or_else(|| self.unexpected(&path, "an entry without email_id".into()))?;
            let mut payload = email.clone();
            if payload["campaign_id"].is_null()
                && let Value::Object(map) = &mut payload
            {
                map.insert("campaign_id".into(), Value::from(campaign_id.clone()));
            }
            records.push(FetchedRecord::new(format!("{campaign_id}:{email_id}"), None, &payload));
        }
        if !emails.is_empty() && position.offset + (emails.len() as u64) < total {
            position = ActivityPosition {
                campaign_id: Some(campaign_id),
                offset: position.offset + emails.len() as u64,
                ..position
            };
        } else {
            position = ActivityPosition {
                campaign_offset: position.campaign_offset + 1,
                campaign_id: None,
                offset: 0,
            };
        }
        Ok(Page::more(records, serde_json::to_value(position).unwrap_or(Value::Null)))
    }

    /// The id of the sent campaign at `offset` (oldest send first) among
    /// those whose activity this pass reads.
    fn sent_campaign(&self, offset: u64, request: &PageRequest<'_>) -> Result<Option<String>, FetchError> {
        const PATH: &str = "/3.0/campaigns";
        let mut api = ApiRequest::get(&self.base_url, PATH)
            .query("status", "sent")
            .query("sort_field", "send_time")
            .query("sort_dir", "ASC")
            .query("count", "1")
            .query("offset", offset.to_string())
            .query("fields", "campaigns.id,campaigns.send_time,total_items");
        if let Some(since) = request.updated_since {
            let window = Duration::from_secs(u64::from(self.config.activity_window_days) * 86_400);
            let from = Timestamp::from_unix_clamped(since.unix() - window.as_secs() as i64);
            api = api.query("since_send_time", from.to_string());
        }
        let body = self.get(api, request.cancel)?;
        let campaigns =
            body["campaigns"].as_array().ok_or_else(|| self.unexpected(PATH, "no campaigns list".into()))?;
        match campaigns.first() {
            None => Ok(None),
            Some(campaign) => campaign["id"]
                .as_str()
                .map(|id| Some(id.to_owned()))
                .ok_or_else(|| self.unexpected(PATH, "a campaign without an id".into())),
        }
    }
}

impl Connector for MailchimpConnector {
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
            "members" => self.members_page(request),
            "email_activity" => self.activity_page(request),
            other => Err(self.http.fail(FetchProblem::UnknownStream(other.to_owned()))),
        }
    }

    fn test_connection(&mut self, cancel: &AtomicBool) -> Result<ConnectionInfo, FetchError> {
        let path = format!("/3.0/lists/{}", self.config.list_id);
        let api = ApiRequest::get(&self.base_url, &path).query("fields", "id,name,stats.member_count");
        let body = self.get(api, cancel)?;
        let name = body["name"].as_str().ok_or_else(|| self.unexpected(&path, "no audience name".into()))?;
        let members = body["stats"]["member_count"].as_u64().unwrap_or(0);
        Ok(ConnectionInfo { account: format!("Mailchimp audience {name} ({members} members)") })
    }
}

/// An RFC 7807 problem document: `title: detail`.
fn problem_detail_message(body: &Value) -> Option<String> {
    let title = body["title"].as_str();
    let detail = body["detail"].as_str();
    match (title, detail) {
        (Some(title), Some(detail)) => Some(format!("{title}: {detail}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_data_center_comes_from_the_key_suffix() {
        assert_eq!(data_center("0123456789abcdef0123456789abcdef-us21"), Some("us21"));
        assert_eq!(data_center("0123456789abcdef"), None);
        let config = MailchimpConfig::new("a1b2c3");
        assert_eq!(
            config.base_url_for(&Token::new("abc-us6")).ok().as_deref(),
            Some("https://us6.api.mailchimp.com")
        );
        let error = config.base_url_for(&Token::new("nosuffix")).err().map(|p| p.to_string());
        assert_eq!(
            error.as_deref(),
            Some("invalid configuration: the API key has no data-center suffix (like -us21); set base_url")
        );
    }

    #[test]
    fn problem_documents_give_title_and_detail() {
        let body = json!({"type": "https://mailchimp.com/developer/marketing/docs/errors/",
            "title": "API Key Invalid", "status": 401, "detail": "Your API key may be invalid, or you've attempted to access the wrong datacenter.", "instance": "995c5cb0"});
        assert_eq!(
            problem_detail_message(&body).as_deref(),
            Some(
                "API Key Invalid: Your API key may be invalid, or you've attempted to access the wrong datacenter."
            )
        );
    }

    #[test]
    fn config_is_validated() {
        assert!(MailchimpConfig::new("a1b2c3d4e5").validate().is_ok());
        assert!(MailchimpConfig::new("").validate().is_err());
        assert!(MailchimpConfig { page_size: 1_001, ..MailchimpConfig::new("abc") }.validate().is_err());
    }
}
