//! Zendesk Support, through the incremental export API
//! (`{base}/api/v2/incremental/{users|tickets}/cursor.json`). With an
//! `email` configured the token is an API token (HTTP Basic,
//! `{email}/token:{api_token}`); without one it is an OAuth access token
//! (`Authorization: Bearer`).
//!
//! What the documentation asks for, and how this follows it:
//!
//! - **Streams**: `users` and `tickets`, through the cursor-based
//!   incremental exports — the method Zendesk recommends over time-based
//!   exports, which can repeat items.
//! - **Incremental**: the first request of a pass sends `start_time` (unix
//!   seconds: the watermark minus the look-back, or 0 for everything);
//!   later ones send only `cursor` (the previous page's `after_cursor`).
//!   Items changed within the last minute are held back by Zendesk, so a
//!   pass never races the present.
//! - **End of stream**: `end_of_stream: true` means this page holds the
//!   last changes up to now: the pass is complete. Its `after_cursor` is not
//!   kept; the next sync starts from the watermark (the latest
//!   `updated_at`), which is equivalent and survives a cursor expiring.
//! - **Page size**: `per_page` up to 1,000.
//! - **Rate limits**: 10 requests a minute to the export endpoints (30 with
//!   the High Volume add-on); a 429 carries `Retry-After` in seconds, which
//!   we honour.
//! - **Errors**: `{"error": "…", "description": "…"}` (or `"error": {"title",
//!   "message"}`); 401 `Couldn't authenticate you`.

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

pub const KIND: &str = "zendesk";

/// A Zendesk source's configuration, stored in `sources.config_json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZendeskConfig {
    /// The account's subdomain: `acme` for `acme.zendesk.com`.
    pub subdomain: String,
    /// The agent whose API token this is; without it the token is an OAuth
    /// access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Replaces `https://{subdomain}.zendesk.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Items per page, 1–1,000.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
}

fn default_page_size() -> u32 {
    1_000
}

impl ZendeskConfig {
    pub fn new(subdomain: &str) -> Self {
        Self { subdomain: subdomain.to_owned(), email: None, base_url: None, page_size: default_page_size() }
    }

    pub fn base_url(&self) -> String {
        self.base_url.clone().unwrap_or_else(|| format!("https://{}.zendesk.com", self.subdomain))
    }

    pub fn validate(&self) -> Result<(), FetchProblem> {
        let subdomain_ok = !self.subdomain.is_empty()
            && self.subdomain.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !subdomain_ok {
            return Err(FetchProblem::InvalidConfig(format!(
                "subdomain {:?} must be the zendesk.com subdomain (a-z, 0-9, -)",
                self.subdomain
            )));
        }
        if let Some(email) = &self.email
            && !email.contains('@')
        {
            return Err(FetchProblem::InvalidConfig(format!("email {email:?} is not an email address")));
        }
        if let Some(base) = &self.base_url {
            check_base_url("base_url", base)?;
        }
        check_page_size("page_size", self.page_size, 1..=1_000)
    }
}

/// HTTP defaults for Zendesk: the export endpoints' 10 requests a minute.
pub fn default_http_settings() -> HttpSettings {
    HttpSettings {
        requests_per_minute: NonZeroU32::new(10),
        burst: NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN),
        ..HttpSettings::default()
    }
}

const STREAMS: &[&str] = &["users", "tickets"];

/// The Zendesk connector of one source.
#[derive(Debug)]
pub struct ZendeskConnector {
    config: ZendeskConfig,
    http: HttpClient,
}

impl ZendeskConnector {
    pub fn new(
        source_name: &str,
        config: ZendeskConfig,
        token: Token,
        settings: HttpSettings,
        time: TimeSources,
    ) -> Result<Self, FetchError> {
        config.validate().map_err(|p| FetchError::new(source_name, p))?;
        let credential = match &config.email {
            Some(email) => Credential::basic(&format!("{email}/token"), token),
            None => Credential::bearer(token),
        };
        let dialect = ApiDialect { error_message: zendesk_error_message, should_retry_header: None };
        let http = HttpClient::new(source_name, settings, credential, dialect, time)?;
        Ok(Self { config, http })
    }

    fn unexpected(&self, endpoint: &str, detail: String) -> FetchError {
        self.http.fail(FetchProblem::UnexpectedResponse { endpoint: endpoint.to_owned(), detail })
    }

    fn export_page(&self, stream: &'static str, request: &PageRequest<'_>) -> Result<Page, FetchError> {
        let path = format!("/api/v2/incremental/{stream}/cursor.json");
        let mut api = ApiRequest::get(&self.config.base_url(), &path)
            .query("per_page", self.config.page_size.to_string());
        api = match request.cursor {
            Some(cursor) => {
                let after = cursor["cursor"].as_str().ok_or_else(|| {
                    self.http.fail(FetchProblem::InvalidConfig("unreadable stream cursor: no cursor".into()))
                })?;
                api.query("cursor", after)
            }
            None => api.query("start_time", request.updated_since.map_or(0, |t| t.unix().max(0)).to_string()),
        };
        let body = self.http.send_json(&api, request.cancel, &accept_any)?;
        let items =
            body[stream].as_array().ok_or_else(|| self.unexpected(&path, format!("no {stream} list")))?;
        let records = items.iter().map(|item| self.record(&path, item)).collect::<Result<Vec<_>, _>>()?;
        let end_of_stream = body["end_of_stream"]
            .as_bool()
            .ok_or_else(|| self.unexpected(&path, "no end_of_stream".into()))?;
        if end_of_stream {
            return Ok(Page::last(records));
        }
        let after = body["after_cursor"].as_str().ok_or_else(|| {
            self.unexpected(&path, "end_of_stream is false but after_cursor is missing".into())
        })?;
        Ok(Page::more(records, json!({ "cursor": after })))
    }

    fn record(&self, endpoint: &str, item: &Value) -> Result<FetchedRecord, FetchError> {
        let id = match &item["id"] {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            _ => return Err(self.unexpected(endpoint, "an item without an id".into())),
        };
        let updated_at = match item["updated_at"].as_str() {
            Some(text) => {
                Some(Timestamp::parse(text).map_err(|e| self.unexpected(endpoint, format!("{id}: {e}")))?)
            }
            None => None,
        };
        Ok(FetchedRecord::new(id, updated_at, item))
    }
}

impl Connector for ZendeskConnector {
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
            "users" => self.export_page("users", request),
            "tickets" => self.export_page("tickets", request),
            other => Err(self.http.fail(FetchProblem::UnknownStream(other.to_owned()))),
        }
    }

    fn test_connection(&mut self, cancel: &AtomicBool) -> Result<ConnectionInfo, FetchError> {
        const PATH: &str = "/api/v2/users/me.json";
        let body =
            self.http.send_json(&ApiRequest::get(&self.config.base_url(), PATH), cancel, &accept_any)?;
        let user = &body["user"];
        // Without valid credentials Zendesk may answer with the anonymous user.
        if user["id"].is_null() || user["role"] == "anonymous" {
            return Err(self.http.fail(FetchProblem::TokenRejected { status: 200 }));
        }
        let name = user["name"].as_str().unwrap_or("an agent");
        Ok(ConnectionInfo { account: format!("Zendesk {} as {name}", self.config.subdomain) })
    }
}

/// `{"error": "…", "description": "…"}` or `{"error": {"title", "message"}}`.
fn zendesk_error_message(body: &Value) -> Option<String> {
    match &body["error"] {
        Value::String(error) => Some(match body["description"].as_str() {
            Some(description) => format!("{error}: {description}"),
            None => error.clone(),
        }),
        Value::Object(error) => {
            let title = error.get("title").and_then(Value::as_str);
            let message = error.get("message").and_then(Value::as_str);
            match (title, message) {
                (Some(t), Some(m)) => Some(format!("{t}: {m}")),
                (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
                (None, None) => None,
            }
        }
        _ => body["description"].as_str().map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_error_shapes_are_read() {
        let flat = json!({"error": "InvalidValue", "description": "start_time is too recent"});
        assert_eq!(zendesk_error_message(&flat).as_deref(), Some("InvalidValue: start_time is too recent"));
        let nested = json!({"error": {"title": "Forbidden", "message": "You do not have access"}});
        assert_eq!(zendesk_error_message(&nested).as_deref(), Some("Forbidden: You do not have access"));
        assert_eq!(zendesk_error_message(&json!({"users": []})), None);
    }

    #[test]
    fn config_is_validated() {
        assert!(ZendeskConfig::new("acme").validate().is_ok());
        assert!(ZendeskConfig::new("acme.zendesk.com").validate().is_err());
        let config = ZendeskConfig { email: Some("not-an-email".into()), ..ZendeskConfig::new("acme") };
        assert!(config.validate().is_err());
        assert_eq!(ZendeskConfig::new("acme").base_url(), "https://acme.zendesk.com");
    }
}
