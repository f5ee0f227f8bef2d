//! A stateful fake of Shopify's Admin GraphQL API, as documented: one POST
//! endpoint per API version, the token in `X-Shopify-Access-Token`,
//! connections paged with `first`/`after` and `pageInfo { hasNextPage
//! endCursor }`, the `query` search argument (`updated_at:>='…'`) with
//! `sortKey: UPDATED_AT`, and query-cost figures in `extensions.cost`.

use std::sync::{Arc, Mutex};

use parlance_connectors::Token;
use parlance_connectors::shopify::{ShopifyConfig, ShopifyConnector};
use serde_json::{Value, json};

use crate::mock_server::{MockServer, Recorded, Reply};
use crate::support::{Fixture, NOW, at, test_http_settings};

pub const SOURCE: &str = "shopify-main";
pub const TOKEN: &str = "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";
pub const API_PATH: &str = "/admin/api/2026-10/graphql.json";

#[derive(Debug)]
pub struct FakeShopify {
    pub token: String,
    pub customers: Vec<Value>,
    pub orders: Vec<Value>,
    pub currently_available: f64,
    pub requested_cost: f64,
    /// Answer every page with the same `endCursor` (a broken API).
    pub stuck_cursor: bool,
}

pub struct ShopifyServer {
    pub server: MockServer,
    pub state: Arc<Mutex<FakeShopify>>,
}

impl ShopifyServer {
    pub fn start(customers: usize, orders: usize) -> Self {
        let state = Arc::new(Mutex::new(FakeShopify {
            token: TOKEN.into(),
            customers: (0..customers).map(|i| customer(i, customer_updated(i), "Ada")).collect(),
            orders: (0..orders).map(|i| order(i, order_updated(i))).collect(),
            currently_available: 1_000.0,
            requested_cost: 52.0,
            stuck_cursor: false,
        }));
        let handler_state = state.clone();
        let server = MockServer::start(move |request| handle(&handler_state.lock().unwrap(), request));
        Self { server, state }
    }

    pub fn config(&self) -> ShopifyConfig {
        let mut config = ShopifyConfig::new("parlance-test");
        config.base_url = Some(self.server.base_url.clone());
        config.customers_page_size = 2;
        config.orders_page_size = 2;
        config
    }

    pub fn connector(&self, fixture: &Fixture, token: &str) -> ShopifyConnector {
        ShopifyConnector::new(SOURCE, self.config(), Token::new(token), test_http_settings(), fixture.time())
            .unwrap()
    }

    /// Changes customer `index`: a new last name and updated-at.
    pub fn update_customer(&self, index: usize, updated: i64, first_name: &str) {
        self.state.lock().unwrap().customers[index] = customer(index, updated, first_name);
    }
}

pub fn customer_updated(i: usize) -> i64 {
    NOW - 10 * 86_400 + 3_600 * i as i64
}

pub fn order_updated(i: usize) -> i64 {
    NOW - 5 * 86_400 + 1_800 * i as i64
}

pub fn customer_gid(i: usize) -> String {
    format!("gid://shopify/Customer/{}", 7_000 + i)
}

pub fn order_gid(i: usize) -> String {
    format!("gid://shopify/Order/{}", 90_000 + i)
}

/// A `Customer` node shaped as the query asks for it.
pub fn customer(i: usize, updated: i64, first_name: &str) -> Value {
    json!({
        "id": customer_gid(i),
        "firstName": first_name,
        "lastName": format!("Lovelace{i}"),
        "createdAt": at(NOW - 400 * 86_400).to_string(),
        "updatedAt": at(updated).to_string(),
        "state": "ENABLED",
        "tags": ["vip"],
        "locale": "en",
        "note": null,
        "verifiedEmail": true,
        "numberOfOrders": "2",
        "amountSpent": { "amount": "120.50", "currencyCode": "GBP" },
        "defaultEmailAddress": {
            "emailAddress": format!("ada{i}@example.com"),
            "marketingState": "SUBSCRIBED",
            "marketingOptInLevel": "SINGLE_OPT_IN",
            "marketingUpdatedAt": at(NOW - 300 * 86_400).to_string(),
        },
        "defaultPhoneNumber": { "phoneNumber": format!("+447700900{i:03}"), "marketingState": "NOT_SUBSCRIBED", "marketingUpdatedAt": null },
        "defaultAddress": { "city": "London", "province": null, "country": "United Kingdom", "countryCodeV2": "GB", "zip": "N1 9GU" },
    })
}

/// An `Order` node with line items, and a refund on every odd order.
pub fn order(i: usize, updated: i64) -> Value {
    let money = |amount: &str| json!({ "shopMoney": { "amount": amount, "currencyCode": "GBP" } });
    let refunds = if i % 2 == 1 {
        json!([{ "id": format!("gid://shopify/Refund/{}", 500 + i), "createdAt": at(updated).to_string(),
                 "note": "damaged", "totalRefundedSet": money("10.00") }])
    } else {
        json!([])
    };
    json!({
        "id": order_gid(i),
        "name": format!("#{}", 1_000 + i),
        "email": format!("ada{i}@example.com"),
        "createdAt": at(updated - 86_400).to_string(),
        "processedAt": at(updated - 86_400).to_string(),
        "updatedAt": at(updated).to_string(),
        "cancelledAt": null,
        "closedAt": null,
        "test": false,
        "customer": { "id": customer_gid(i) },
        "currencyCode": "GBP",
        "displayFinancialStatus": if i % 2 == 1 { "PARTIALLY_REFUNDED" } else { "PAID" },
        "displayFulfillmentStatus": "FULFILLED",
        "totalPriceSet": money("42.00"),
        "currentTotalPriceSet": money(if i % 2 == 1 { "32.00" } else { "42.00" }),
        "totalRefundedSet": money(if i % 2 == 1 { "10.00" } else { "0.00" }),
        "lineItems": { "pageInfo": { "hasNextPage": false }, "nodes": [
            { "id": format!("gid://shopify/LineItem/{}", 300 + i), "title": "Tea", "sku": "TEA-1", "quantity": 2,
              "originalUnitPriceSet": money("21.00") }
        ] },
        "refunds": refunds,
    })
}

fn handle(state: &FakeShopify, request: &Recorded) -> Reply {
    if request.method != "POST" || request.path != API_PATH {
        return Reply::json(404, &json!({ "errors": "Not Found" }));
    }
    if request.header("X-Shopify-Access-Token") != Some(state.token.as_str()) {
        let body = json!({ "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)" });
        return Reply::json(401, &body);
    }
    let body = request.json();
    let query = body["query"].as_str().unwrap_or_default();
    let variables = &body["variables"];
    let data = if query.contains("shop {") {
        json!({ "shop": { "name": "Parlance Test Shop", "myshopifyDomain": "parlance-test.myshopify.com" } })
    } else if query.contains("customers(") {
        json!({ "customers": connection(state, &state.customers, query, variables) })
    } else if query.contains("orders(") {
        json!({ "orders": connection(state, &state.orders, query, variables) })
    } else {
        return Reply::json(
            200,
            &json!({ "errors": [{ "message": "unknown field", "extensions": { "code": "undefinedField" } }] }),
        );
    };
    Reply::json(200, &json!({ "data": data, "extensions": cost(state) }))
}

pub fn cost(state: &FakeShopify) -> Value {
    json!({ "cost": {
        "requestedQueryCost": state.requested_cost,
        "actualQueryCost": state.requested_cost,
        "throttleStatus": { "maximumAvailable": 1000.0, "currentlyAvailable": state.currently_available, "restoreRate": 50.0 },
    } })
}

/// A connection page over `nodes`, honouring `query`, `first` and `after`.
fn connection(state: &FakeShopify, nodes: &[Value], document: &str, variables: &Value) -> Value {
    assert!(document.contains("sortKey: UPDATED_AT"), "the connector sorts by updated_at");
    let since = variables["query"].as_str().map(|q| {
        let quoted = q.strip_prefix("updated_at:>=").unwrap_or_else(|| panic!("unsupported search {q:?}"));
        quoted.trim_matches('\'').to_owned()
    });
    let mut matching: Vec<&Value> = nodes
        .iter()
        .filter(|n| since.as_deref().is_none_or(|s| n["updatedAt"].as_str().unwrap() >= s))
        .collect();
    matching.sort_by_key(|n| sort_key(n));
    let after = variables["after"].as_str();
    let start = after.map_or(0, |cursor| {
        matching.iter().position(|n| sort_key(n).as_str() > cursor).unwrap_or(matching.len())
    });
    let first = variables["first"].as_u64().unwrap() as usize;
    let page: Vec<Value> = matching.iter().skip(start).take(first).map(|n| (*n).clone()).collect();
    let has_next = start + page.len() < matching.len() || state.stuck_cursor;
    let end_cursor = if state.stuck_cursor { Some("stuck".to_owned()) } else { page.last().map(sort_key) };
    json!({ "pageInfo": { "hasNextPage": has_next, "endCursor": end_cursor }, "nodes": page })
}

/// The opaque cursor of a node: its position in updated-at order.
fn sort_key(node: &Value) -> String {
    format!("{}|{}", node["updatedAt"].as_str().unwrap(), node["id"].as_str().unwrap())
}
