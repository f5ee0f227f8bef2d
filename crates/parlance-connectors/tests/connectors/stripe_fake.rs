//! A stateful fake of Stripe's REST API, as documented: `Authorization:
//! Bearer` keys, list objects (`{"object":"list","data":[…],"has_more":…}`)
//! newest first with `limit` and `starting_after`, the Events API with
//! `types[]` and `created[gt]`, and errors shaped `{"error":{"type",
//! "message"}}`.

use std::sync::{Arc, Mutex};

use parlance_connectors::Token;
use parlance_connectors::stripe::{StripeConfig, StripeConnector};
use serde_json::{Value, json};

use crate::mock_server::{MockServer, Recorded, Reply};
use crate::support::{Fixture, NOW, test_http_settings};

pub const SOURCE: &str = "stripe-eu";
pub const KEY: &str = "sk_test_51Parlance0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1";

#[derive(Debug)]
pub struct FakeStripe {
    pub key: String,
    /// Each list newest first, as Stripe lists.
    pub customers: Vec<Value>,
    pub charges: Vec<Value>,
    pub refunds: Vec<Value>,
    pub events: Vec<Value>,
    /// Answer every list page with the same objects and `has_more: true`.
    pub stuck: bool,
}

pub struct StripeServer {
    pub server: MockServer,
    pub state: Arc<Mutex<FakeStripe>>,
}

impl StripeServer {
    pub fn start(customers: usize, charges: usize, refunds: usize) -> Self {
        let state = Arc::new(Mutex::new(FakeStripe {
            key: KEY.into(),
            customers: (0..customers).rev().map(|i| customer(i, "Ada")).collect(),
            charges: (0..charges).rev().map(charge).collect(),
            refunds: (0..refunds).rev().map(refund).collect(),
            events: Vec::new(),
            stuck: false,
        }));
        let handler_state = state.clone();
        let server = MockServer::start(move |request| handle(&handler_state.lock().unwrap(), request));
        Self { server, state }
    }

    pub fn config(&self) -> StripeConfig {
        StripeConfig { base_url: self.server.base_url.clone(), api_version: None, page_size: 2 }
    }

    pub fn connector(&self, fixture: &Fixture, key: &str) -> StripeConnector {
        StripeConnector::new(SOURCE, self.config(), Token::new(key), test_http_settings(), fixture.time())
            .unwrap()
    }

    /// Records an event (the feed is kept newest first).
    pub fn add_event(&self, id: &str, event_type: &str, created: i64, object: Value) {
        let event = json!({
            "id": id, "object": "event", "type": event_type, "created": created, "livemode": false,
            "api_version": "2026-10-28.clover", "pending_webhooks": 0,
            "request": { "id": null, "idempotency_key": null },
            "data": { "object": object },
        });
        let mut state = self.state.lock().unwrap();
        state.events.push(event);
        state.events.sort_by_key(|e| std::cmp::Reverse(e["created"].as_i64().unwrap()));
    }
}

pub fn customer_id(i: usize) -> String {
    format!("cus_{i:04}")
}

pub fn customer(i: usize, name: &str) -> Value {
    json!({
        "id": customer_id(i), "object": "customer", "created": NOW - 100 * 86_400 + 3_600 * i as i64,
        "email": format!("ada{i}@example.com"), "name": format!("{name} {i}"), "phone": null,
        "currency": "gbp", "delinquent": false, "livemode": false, "metadata": {},
    })
}

pub fn charge(i: usize) -> Value {
    json!({
        "id": format!("ch_{i:04}"), "object": "charge", "amount": 4_200, "amount_captured": 4_200,
        "amount_refunded": 0, "currency": "gbp", "customer": customer_id(i), "created": NOW - 50 * 86_400 + 60 * i as i64,
        "paid": true, "refunded": false, "status": "succeeded", "livemode": false, "metadata": {},
    })
}

pub fn refund(i: usize) -> Value {
    json!({
        "id": format!("re_{i:04}"), "object": "refund", "amount": 1_000, "charge": format!("ch_{i:04}"),
        "currency": "gbp", "created": NOW - 40 * 86_400 + 60 * i as i64, "reason": "requested_by_customer",
        "status": "succeeded", "metadata": {},
    })
}

fn error(status: u16, kind: &str, message: &str) -> Reply {
    Reply::json(status, &json!({ "error": { "type": kind, "message": message } }))
}

fn handle(state: &FakeStripe, request: &Recorded) -> Reply {
    if request.header("Authorization") != Some(format!("Bearer {}", state.key).as_str()) {
        let masked = "sk_test_********************wxyz";
        return error(401, "invalid_request_error", &format!("Invalid API Key provided: {masked}"));
    }
    let limit = request.param("limit").map_or(10, |l| l.parse::<usize>().unwrap_or(0));
    if !(1..=100).contains(&limit) {
        return error(400, "invalid_request_error", "Invalid integer: limit must be between 1 and 100");
    }
    let objects: Vec<&Value> = match request.path.as_str() {
        "/v1/customers" => state.customers.iter().collect(),
        "/v1/charges" => state.charges.iter().collect(),
        "/v1/refunds" => state.refunds.iter().collect(),
        "/v1/events" => matching_events(state, request),
        other => {
            return error(404, "invalid_request_error", &format!("Unrecognized request URL (GET: {other})"));
        }
    };
    list(state, request, &objects, limit)
}

fn matching_events<'s>(state: &'s FakeStripe, request: &Recorded) -> Vec<&'s Value> {
    let types = request.params("types[]");
    let created_gt = request.param("created[gt]").map(|c| c.parse::<i64>().unwrap());
    state
        .events
        .iter()
        .filter(|e| types.is_empty() || types.contains(&e["type"].as_str().unwrap()))
        .filter(|e| created_gt.is_none_or(|gt| e["created"].as_i64().unwrap() > gt))
        .collect()
}

fn list(state: &FakeStripe, request: &Recorded, objects: &[&Value], limit: usize) -> Reply {
    let start = match request.param("starting_after") {
        _ if state.stuck => 0,
        None => 0,
        Some(id) => match objects.iter().position(|o| o["id"] == id) {
            Some(index) => index + 1,
            None => return error(400, "invalid_request_error", &format!("No such object: '{id}'")),
        },
    };
    let data: Vec<&Value> = objects.iter().skip(start).take(limit).copied().collect();
    let has_more = state.stuck || start + data.len() < objects.len();
    Reply::json(200, &json!({ "object": "list", "url": request.path, "has_more": has_more, "data": data }))
}
