//! Shopify, through the Admin GraphQL API (`POST
//! {base}/admin/api/{version}/graphql.json`, token in
//! `X-Shopify-Access-Token`).
//!
//! What the documentation asks for, and how this follows it:
//!
//! - **Streams**: `customers` and `orders` (each order with its line items and
//!   `refunds`). Customer email and phone come from `defaultEmailAddress` and
//!   `defaultPhoneNumber` (the `email`/`phone` fields are deprecated since
//!   2025-04).
//! - **Pagination**: connections with `first`/`after` and
//!   `pageInfo { hasNextPage endCursor }`; the stream cursor is
//!   `{"after": endCursor}`.
//! - **Incremental**: `query: "updated_at:>='…'"` (search syntax: dates are
//!   quoted) with `sortKey: UPDATED_AT`, so a pass walks oldest change first
//!   and a record updated mid-pass reappears later rather than being skipped.
//! - **Rate limits** are a leaky bucket of query cost, reported in every
//!   response under `extensions.cost` (`requestedQueryCost`,
//!   `throttleStatus { maximumAvailable currentlyAvailable restoreRate }`).
//!   When the bucket holds less than the last query cost, the next request
//!   first waits `(cost − available) / restoreRate`; a `THROTTLED` error
//!   (which arrives with HTTP 200) is retried after the same wait. A single
//!   query may cost at most 1,000 points, which bounds the page sizes
//!   (orders: 10 orders × ≤20 line items × ≤10 refunds ≈ 850 points).
//! - **Errors**: 401/403 is a rejected token; GraphQL `errors` with HTTP 200
//!   (e.g. `ACCESS_DENIED` for a missing `read_orders` scope) fail the page
//!   with Shopify's message. Orders older than 60 days need the
//!   `read_all_orders` scope.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parlance_warehouse::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::connector::{ConnectionInfo, Connector, FetchedRecord, Page, PageRequest};
use crate::error::{FetchError, FetchProblem};
use crate::http::{ApiDialect, ApiRequest, Credential, HttpClient, HttpSettings, Verdict};
use crate::json::canonical_json;
use crate::secrets::Token;
use crate::time::TimeSources;

pub const KIND: &str = "shopify";

/// A Shopify source's configuration, stored in `sources.config_json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShopifyConfig {
    /// The shop's subdomain: `acme` for `acme.myshopify.com`.
    pub shop: String,
    /// The Admin API version, e.g. `2026-10` (versions are quarterly and
    /// supported for at least a year).
    #[serde(default = "default_api_version")]
    pub api_version: String,
    /// Replaces `https://{shop}.myshopify.com`: a proxy, a sandbox, a test
    /// server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(default = "default_customers_page_size")]
    pub customers_page_size: u32,
    #[serde(default = "default_orders_page_size")]
    pub orders_page_size: u32,
}

fn default_api_version() -> String {
    "2026-10".into()
}

fn default_customers_page_size() -> u32 {
    100
}

fn default_orders_page_size() -> u32 {
    10
}

impl ShopifyConfig {
    pub fn new(shop: &str) -> Self {
        Self {
            shop: shop.to_owned(),
            api_version: default_api_version(),
            base_url: None,
            customers_page_size: default_customers_page_size(),
            orders_page_size: default_orders_page_size(),
        }
    }

    pub fn base_url(&self) -> String {
        self.base_url.clone().unwrap_or_else(|| format!("https://{}.myshopify.com", self.shop))
    }

    pub fn graphql_path(&self) -> String {
        format!("/admin/api/{}/graphql.json", self.api_version)
    }

    pub fn validate(&self) -> Result<(), FetchProblem> {
        let invalid = |what: String| Err(FetchProblem::InvalidConfig(what));
        let shop_ok = !self.shop.is_empty()
            && self.shop.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !shop_ok {
            return invalid(format!("shop {:?} must be the myshopify subdomain (a-z, 0-9, -)", self.shop));
        }
        if !is_api_version(&self.api_version) {
            return invalid(format!(
                "api_version {:?} must look like 2026-10 (or be \"unstable\")",
                self.api_version
            ));
        }
        if let Some(base) = &self.base_url
            && !(base.starts_with("https://") || base.starts_with("http://"))
        {
            return invalid(format!("base_url {base:?} must start with https:// or http://"));
        }
        for (name, size) in
            [("customers_page_size", self.customers_page_size), ("orders_page_size", self.orders_page_size)]
        {
            if !(1..=250).contains(&size) {
                return invalid(format!("{name} {size} must be between 1 and 250"));
            }
        }
        Ok(())
    }
}

fn is_api_version(text: &str) -> bool {
    let bytes = text.as_bytes();
    text == "unstable"
        || (bytes.len() == 7
            && bytes[4] == b'-'
            && bytes.iter().enumerate().all(|(i, b)| i == 4 || b.is_ascii_digit()))
}

/// HTTP defaults for Shopify: cost-based throttling does the real pacing;
/// the request limiter only smooths bursts.
pub fn default_http_settings() -> HttpSettings {
    HttpSettings {
        requests_per_second: std::num::NonZeroU32::new(4).unwrap_or(std::num::NonZeroU32::MIN),
        burst: std::num::NonZeroU32::new(4).unwrap_or(std::num::NonZeroU32::MIN),
        ..HttpSettings::default()
    }
}

struct StreamQuery {
    name: &'static str,
    root: &'static str,
    document: &'static str,
}

const CUSTOMERS: StreamQuery = StreamQuery {
    name: "customers",
    root: "customers",
    document: "query ParlanceCustomers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id firstName lastName createdAt updatedAt state tags locale note verifiedEmail numberOfOrders
      amountSpent { amount currencyCode }
      defaultEmailAddress { emailAddress marketingState marketingOptInLevel marketingUpdatedAt }
      defaultPhoneNumber { phoneNumber marketingState marketingUpdatedAt }
      defaultAddress { city province country countryCodeV2 zip }
    }
  }
}",
};

const ORDERS: StreamQuery = StreamQuery {
    name: "orders",
    root: "orders",
    document: "query ParlanceOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name email createdAt processedAt updatedAt cancelledAt closedAt test
      customer { id }
      currencyCode
      displayFinancialStatus displayFulfillmentStatus
      totalPriceSet { shopMoney { amount currencyCode } }
      currentTotalPriceSet { shopMoney { amount currencyCode } }
      totalRefundedSet { shopMoney { amount currencyCode } }
      lineItems(first: 20) {
        pageInfo { hasNextPage }
        nodes { id title sku quantity originalUnitPriceSet { shopMoney { amount currencyCode } } }
      }
      refunds(first: 10) { id createdAt note totalRefundedSet { shopMoney { amount currencyCode } } }
    }
  }
}",
};

const SHOP_QUERY: &str = "query ParlanceShop { shop { name myshopifyDomain } }";

const STREAMS: &[&str] = &[CUSTOMERS.name, ORDERS.name];

/// The Shopify connector of one source.
#[derive(Debug)]
pub struct ShopifyConnector {
    config: ShopifyConfig,
    http: HttpClient,
    /// How long the cost bucket needs before the next query fits.
    bucket_wait: Duration,
}

impl ShopifyConnector {
    pub fn new(
        source_name: &str,
        config: ShopifyConfig,
        token: Token,
        settings: HttpSettings,
        time: TimeSources,
    ) -> Result<Self, FetchError> {
        config.validate().map_err(|p| FetchError::new(source_name, p))?;
        let credential = Credential::header("X-Shopify-Access-Token", "", token);
        let dialect = ApiDialect { error_message: shopify_error_message, should_retry_header: None };
        let http = HttpClient::new(source_name, settings, credential, dialect, time)?;
        Ok(Self { config, http, bucket_wait: Duration::ZERO })
    }

    fn query(&mut self, document: &str, variables: Value, cancel: &AtomicBool) -> Result<Value, FetchError> {
        if !self.bucket_wait.is_zero() {
            self.http.pause(self.bucket_wait, cancel)?;
        }
        let body = json!({ "query": document, "variables": variables });
        let request = ApiRequest::post_json(
            &self.config.base_url(),
            &self.config.graphql_path(),
            canonical_json(&body),
        );
        let response = self.http.send_json(&request, cancel, &graphql_verdict)?;
        self.bucket_wait = ThrottleStatus::of(&response).map_or(Duration::ZERO, |t| t.wait_for_next_query());
        Ok(response)
    }

    fn problem(&self, detail: String) -> FetchError {
        let endpoint = self.config.graphql_path();
        FetchError::new(self.http.source_name(), FetchProblem::UnexpectedResponse { endpoint, detail })
    }

    fn page_from(&self, stream: &StreamQuery, response: &Value) -> Result<Page, FetchError> {
        let connection = &response["data"][stream.root];
        let nodes = connection["nodes"]
            .as_array()
            .ok_or_else(|| self.problem(format!("no data.{}.nodes list", stream.root)))?;
        let records = nodes.iter().map(|node| self.record(node)).collect::<Result<Vec<_>, _>>()?;
        let page_info = &connection["pageInfo"];
        let has_next = page_info["hasNextPage"]
            .as_bool()
            .ok_or_else(|| self.problem(format!("no data.{}.pageInfo.hasNextPage", stream.root)))?;
        if !has_next {
            return Ok(Page::last(records));
        }
        let end_cursor = page_info["endCursor"]
            .as_str()
            .ok_or_else(|| self.problem("hasNextPage is true but endCursor is missing".into()))?;
        Ok(Page::more(records, json!({ "after": end_cursor })))
    }

    fn record(&self, node: &Value) -> Result<FetchedRecord, FetchError> {
        let id = node["id"].as_str().ok_or_else(|| self.problem("a node without an id".into()))?;
        let updated_at = match node["updatedAt"].as_str() {
            Some(text) => Some(Timestamp::parse(text).map_err(|e| self.problem(format!("node {id}: {e}")))?),
            None => None,
        };
        Ok(FetchedRecord::new(id, updated_at, node))
    }
}

impl Connector for ShopifyConnector {
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
        let (query, page_size) = match stream {
            "customers" => (&CUSTOMERS, self.config.customers_page_size),
            "orders" => (&ORDERS, self.config.orders_page_size),
            other => {
                return Err(FetchError::new(
                    self.http.source_name(),
                    FetchProblem::UnknownStream(other.into()),
                ));
            }
        };
        let after = request.cursor.and_then(|c| c["after"].as_str()).map(str::to_owned);
        let search = request.updated_since.map(|since| format!("updated_at:>='{since}'"));
        let variables = json!({ "first": page_size, "after": after, "query": search });
        let response = self.query(query.document, variables, request.cancel)?;
        self.page_from(query, &response)
    }

    fn test_connection(&mut self, cancel: &AtomicBool) -> Result<ConnectionInfo, FetchError> {
        let response = self.query(SHOP_QUERY, json!({}), cancel)?;
        let shop = &response["data"]["shop"];
        let name = shop["name"].as_str().ok_or_else(|| self.problem("no data.shop.name".into()))?;
        let domain = shop["myshopifyDomain"].as_str().unwrap_or_default();
        Ok(ConnectionInfo {
            account: format!("Shopify shop {name} ({domain}), Admin API {}", self.config.api_version),
        })
    }
}

/// The query-cost bucket as reported in `extensions.cost`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct ThrottleStatus {
    requested: f64,
    available: f64,
    restore_rate: f64,
}

impl ThrottleStatus {
    fn of(response: &Value) -> Option<Self> {
        let cost = &response["extensions"]["cost"];
        let status = &cost["throttleStatus"];
        Some(Self {
            requested: cost["requestedQueryCost"].as_f64()?,
            available: status["currentlyAvailable"].as_f64()?,
            restore_rate: status["restoreRate"].as_f64()?,
        })
    }

    /// Time for the bucket to hold another query of the same cost.
    fn wait_for_next_query(self) -> Duration {
        let missing = self.requested - self.available;
        if missing <= 0.0 {
            return Duration::ZERO;
        }
        let rate = if self.restore_rate > 0.0 { self.restore_rate } else { 50.0 };
        Duration::try_from_secs_f64(missing / rate).unwrap_or(Duration::from_secs(60))
    }
}

/// GraphQL reports failures in a 200 body: `THROTTLED` is retried after the
/// bucket refills; any other error fails the page with Shopify's message.
fn graphql_verdict(response: &Value) -> Verdict {
    let Some(errors) = response.get("errors").filter(|e| !e.is_null()) else { return Verdict::Accept };
    let codes: Vec<&str> =
        errors.as_array().into_iter().flatten().filter_map(|e| e["extensions"]["code"].as_str()).collect();
    if codes.contains(&"THROTTLED") {
        let wait = ThrottleStatus::of(response).map_or(Duration::from_secs(1), |t| t.wait_for_next_query());
        return Verdict::RetryAfter { wait, reason: "THROTTLED: the query-cost bucket is empty".into() };
    }
    let message = shopify_error_message(response).unwrap_or_else(|| "GraphQL errors".into());
    let hint = if codes.contains(&"ACCESS_DENIED") {
        " — the app needs the read_customers and read_orders scopes"
    } else {
        ""
    };
    Verdict::Reject(FetchProblem::Api {
        endpoint: "graphql".into(),
        status: 200,
        message: format!("{message}{hint}"),
    })
}

/// `errors` is either a string (`"[API] Invalid API key or access token"`),
/// an object, or a list of `{message, extensions: {code}}`.
fn shopify_error_message(body: &Value) -> Option<String> {
    match body.get("errors")? {
        Value::String(text) => Some(text.clone()),
        Value::Array(list) => {
            let messages: Vec<&str> = list.iter().filter_map(|e| e["message"].as_str()).collect();
            (!messages.is_empty()).then(|| messages.join("; "))
        }
        Value::Object(map) => Some(canonical_json(&Value::Object(map.clone()))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_the_missing_cost_over_the_restore_rate() {
        let response = json!({"extensions": {"cost": {"requestedQueryCost": 752, "actualQueryCost": null,
            "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 652, "restoreRate": 50.0}}}});
        let status = ThrottleStatus::of(&response).unwrap_or_else(|| panic!("parsed"));
        assert_eq!(status.wait_for_next_query(), Duration::from_secs(2));
        let plenty = json!({"extensions": {"cost": {"requestedQueryCost": 10,
            "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 990, "restoreRate": 50.0}}}});
        assert_eq!(
            ThrottleStatus::of(&plenty).map(ThrottleStatus::wait_for_next_query),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn throttled_is_retried_and_other_errors_are_not() {
        let throttled = json!({"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
            "extensions": {"cost": {"requestedQueryCost": 100, "throttleStatus":
                {"maximumAvailable": 1000.0, "currentlyAvailable": 0, "restoreRate": 100.0}}}});
        assert_eq!(
            graphql_verdict(&throttled),
            Verdict::RetryAfter {
                wait: Duration::from_secs(1),
                reason: "THROTTLED: the query-cost bucket is empty".into()
            }
        );
        let denied = json!({"errors": [{"message": "Access denied for orders field.", "extensions": {"code": "ACCESS_DENIED"}}]});
        let Verdict::Reject(FetchProblem::Api { message, .. }) = graphql_verdict(&denied) else {
            panic!("rejected")
        };
        assert!(message.contains("read_orders"), "{message}");
        assert_eq!(graphql_verdict(&json!({"data": {}})), Verdict::Accept);
    }

    #[test]
    fn config_is_validated() {
        assert!(ShopifyConfig::new("acme-2").validate().is_ok());
        assert!(ShopifyConfig::new("acme.myshopify.com").validate().is_err());
        let mut config = ShopifyConfig::new("acme");
        config.api_version = "latest".into();
        assert!(config.validate().is_err());
        config.api_version = "unstable".into();
        config.orders_page_size = 500;
        assert!(config.validate().is_err());
    }

    #[test]
    fn the_stored_config_has_no_secret_and_fills_defaults() {
        let config: ShopifyConfig =
            serde_json::from_str(r#"{"shop":"acme"}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config, ShopifyConfig::new("acme"));
    }
}
