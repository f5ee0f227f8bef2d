//! A stateful fake of Klaviyo's JSON:API REST API, as documented:
//! `Authorization: Klaviyo-API-Key`, a required `revision` header, cursor
//! pagination through `links.next` (`page[cursor]`), `page[size]` for
//! profiles, `filter=greater-than(updated|datetime,…)`, `sort`,
//! `include=metric` with `included`, and errors as `{"errors": [...]}`.

use std::sync::{Arc, Mutex};

use parlance_connectors::Token;
use parlance_connectors::klaviyo::{KlaviyoConfig, KlaviyoConnector};
use parlance_warehouse::Timestamp;
use serde_json::{Value, json};

use crate::mock_server::{MockServer, Recorded, Reply};
use crate::support::{Fixture, NOW, at, test_http_settings};

pub const SOURCE: &str = "klaviyo-us";
pub const KEY: &str = "pk_5f0e1d2c3b4a59687766a5b4c3d2e1f0a9";
pub const REVISION: &str = "2026-04-15";

#[derive(Debug)]
pub struct FakeKlaviyo {
    pub key: String,
    pub profiles: Vec<Value>,
    pub events: Vec<Value>,
    pub metrics: Vec<Value>,
    /// Events per page (Klaviyo's is 200).
    pub events_page_size: usize,
    /// Answer every page with the same `links.next`.
    pub stuck: bool,
}

pub struct KlaviyoServer {
    pub server: MockServer,
    pub state: Arc<Mutex<FakeKlaviyo>>,
}

pub fn profile_id(i: usize) -> String {
    format!("01GDDKASAP8TKDDA2GRZDS{i:04}")
}

pub fn profile_updated(i: usize) -> i64 {
    NOW - 60 * 86_400 + 3_600 * i as i64
}

fn klaviyo_time(unix: i64) -> String {
    at(unix).to_string().replace('Z', "+00:00")
}

pub fn profile(i: usize, updated: i64, first_name: &str) -> Value {
    json!({
        "type": "profile", "id": profile_id(i),
        "attributes": {
            "email": format!("sarah{i}@example.com"), "phone_number": null, "external_id": null,
            "first_name": first_name, "last_name": "Mason", "organization": null, "locale": "en-GB", "title": null,
            "image": null, "created": klaviyo_time(NOW - 300 * 86_400), "updated": klaviyo_time(updated),
            "last_event_date": null,
            "location": { "address1": null, "city": "Bristol", "country": "United Kingdom", "region": null, "zip": null, "timezone": "Europe/London" },
            "properties": {},
        },
        "relationships": {},
        "links": { "self": format!("https://a.klaviyo.com/api/profiles/{}/", profile_id(i)) },
    })
}

pub fn event(i: usize, datetime: i64, metric: &str) -> Value {
    json!({
        "type": "event", "id": format!("4sDShKQj{i:04}"),
        "attributes": {
            "timestamp": datetime, "datetime": klaviyo_time(datetime), "uuid": format!("4c8a3480-2a65-11ee-8001-{i:012}"),
            "event_properties": { "Campaign Name": "July newsletter", "$value": 12.5 },
        },
        "relationships": {
            "profile": { "data": { "type": "profile", "id": profile_id(i % 3) } },
            "metric": { "data": { "type": "metric", "id": metric } },
        },
        "links": { "self": format!("https://a.klaviyo.com/api/events/4sDShKQj{i:04}/") },
    })
}

impl KlaviyoServer {
    pub fn start(profiles: usize, events: usize) -> Self {
        let metrics = vec![
            json!({ "type": "metric", "id": "R3Vh3d", "attributes": { "name": "Opened Email", "integration": { "name": "Klaviyo" } } }),
            json!({ "type": "metric", "id": "Y6Hmxj", "attributes": { "name": "Placed Order", "integration": { "name": "Shopify" } } }),
        ];
        let state = Arc::new(Mutex::new(FakeKlaviyo {
            key: KEY.into(),
            profiles: (0..profiles).map(|i| profile(i, profile_updated(i), "Sarah")).collect(),
            events: (0..events)
                .map(|i| {
                    event(
                        i,
                        NOW - 5 * 86_400 + 60 * i as i64,
                        if i.is_multiple_of(2) { "R3Vh3d" } else { "Y6Hmxj" },
                    )
                })
                .collect(),
            metrics,
            events_page_size: 2,
            stuck: false,
        }));
        let handler_state = state.clone();
        let server = MockServer::start(move |request| handle(&handler_state.lock().unwrap(), request));
        Self { server, state }
    }

    pub fn config(&self) -> KlaviyoConfig {
        KlaviyoConfig { base_url: self.server.base_url.clone(), revision: REVISION.into(), page_size: 2 }
    }

    pub fn connector(&self, fixture: &Fixture, key: &str) -> KlaviyoConnector {
        KlaviyoConnector::new(SOURCE, self.config(), Token::new(key), test_http_settings(), fixture.time())
            .unwrap()
    }

    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.server.requests().into_iter().filter(|r| r.path == path).collect()
    }
}

fn error(status: u16, code: &str, title: &str, detail: &str) -> Reply {
    Reply::json(
        status,
        &json!({ "errors": [{ "id": "e4eebb08-b055-4a6f-bb13-c8cb69c9eb94", "status": status, "code": code,
                              "title": title, "detail": detail, "source": { "pointer": "/data/" } }] }),
    )
}

fn handle(state: &FakeKlaviyo, request: &Recorded) -> Reply {
    if request.header("Authorization") != Some(format!("Klaviyo-API-Key {}", state.key).as_str()) {
        return error(
            401,
            "not_authenticated",
            "Authentication credentials were not provided.",
            "Missing or invalid private key.",
        );
    }
    if request.header("revision").is_none() {
        return error(400, "invalid", "Invalid input.", "The revision header is required.");
    }
    match request.path.as_str() {
        "/api/profiles" => {
            let size = request.param("page[size]").map_or(20, |s| s.parse::<usize>().unwrap());
            if size > 100 {
                return error(400, "invalid", "Invalid input.", "page[size] must be at most 100");
            }
            list(state, request, &state.profiles, "updated", size, &[])
        }
        "/api/events" => {
            assert_eq!(request.param("include"), Some("metric"));
            list(state, request, &state.events, "datetime", state.events_page_size, &state.metrics)
        }
        "/api/accounts" => Reply::json(
            200,
            &json!({ "data": [{ "type": "account", "id": "XyZ123",
                "attributes": { "contact_information": { "organization_name": "Parlance Tea Co", "default_sender_email": "hello@example.com" } } }] }),
        ),
        _ => error(404, "not_found", "Not found.", "The requested resource does not exist."),
    }
}

fn time_of(item: &Value, field: &str) -> Timestamp {
    Timestamp::parse(item["attributes"][field].as_str().unwrap()).unwrap()
}

fn list(
    state: &FakeKlaviyo,
    request: &Recorded,
    items: &[Value],
    field: &str,
    size: usize,
    metrics: &[Value],
) -> Reply {
    assert_eq!(request.param("sort"), Some(field), "sorted by {field}");
    let since = request.param("filter").map(|f| {
        let inner = f.strip_prefix(&format!("greater-than({field},")).and_then(|f| f.strip_suffix(')'));
        Timestamp::parse(inner.unwrap_or_else(|| panic!("unsupported filter {f:?}"))).unwrap()
    });
    let mut matching: Vec<&Value> =
        items.iter().filter(|i| since.is_none_or(|s| time_of(i, field) > s)).collect();
    matching.sort_by_key(|i| (time_of(i, field), i["id"].as_str().unwrap().to_owned()));
    let start = match request.param("page[cursor]") {
        None => 0,
        Some(_) if state.stuck => 0,
        Some(cursor) => cursor.strip_prefix("bmV4dDo6").unwrap().parse::<usize>().unwrap(),
    };
    let page: Vec<Value> = matching.iter().skip(start).take(size).map(|i| (*i).clone()).collect();
    let next = if start + size < matching.len() {
        let cursor =
            if state.stuck { "bmV4dDo6stuck".to_owned() } else { format!("bmV4dDo6{}", start + size) };
        json!(format!(
            "https://a.klaviyo.com{}/?page%5Bcursor%5D={cursor}&page%5Bsize%5D={size}",
            request.path
        ))
    } else {
        Value::Null
    };
    let used: Vec<&Value> = metrics
        .iter()
        .filter(|m| page.iter().any(|e| e["relationships"]["metric"]["data"]["id"] == m["id"]))
        .collect();
    let mut body = json!({ "data": page, "links": { "self": format!("https://a.klaviyo.com{}/", request.path), "next": next, "prev": null } });
    if !metrics.is_empty() {
        body["included"] = json!(used);
    }
    Reply::text(200, "application/vnd.api+json", &body.to_string())
}
