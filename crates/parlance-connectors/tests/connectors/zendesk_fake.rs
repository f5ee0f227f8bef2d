//! A stateful fake of Zendesk's cursor-based incremental exports, as
//! documented: `GET /api/v2/incremental/{users|tickets}/cursor.json` with
//! `start_time` (unix seconds; items updated at or after it) or `cursor`,
//! `per_page` up to 1,000, `after_cursor` and `end_of_stream`, a
//! `start_time` within the last minute refused, API-token Basic auth
//! (`{email}/token:{token}`), and errors shaped `{"error", "description"}`.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use parlance_connectors::Token;
use parlance_connectors::zendesk::{ZendeskConfig, ZendeskConnector};
use parlance_warehouse::Timestamp;
use serde_json::{Value, json};

use crate::mock_server::{MockServer, Recorded, Reply};
use crate::support::{Fixture, NOW, at, test_http_settings};

pub const SOURCE: &str = "zendesk-support";
pub const TOKEN: &str = "wK3bQ9vR2mX7pL4nT8sY1cF6hJ0dG5aZ";
pub const AGENT: &str = "ops@parlance.example";

#[derive(Debug)]
pub struct FakeZendesk {
    pub token: String,
    pub users: Vec<Value>,
    pub tickets: Vec<Value>,
    /// Answer every page with the same `after_cursor`.
    pub stuck: bool,
}

pub struct ZendeskServer {
    pub server: MockServer,
    pub state: Arc<Mutex<FakeZendesk>>,
}

pub fn user_updated(i: usize) -> i64 {
    NOW - 90 * 86_400 + 3_600 * i as i64
}

pub fn user(i: usize, updated: i64, name: &str) -> Value {
    json!({
        "id": 360_000_000 + i as u64, "url": format!("https://parlance.zendesk.com/api/v2/users/{}.json", 360_000_000 + i as u64),
        "name": name, "email": format!("anna{i}@example.com"), "created_at": at(NOW - 400 * 86_400).to_string(),
        "updated_at": at(updated).to_string(), "time_zone": "London", "iana_time_zone": "Europe/London",
        "phone": null, "shared_phone_number": null, "locale": "en-GB", "organization_id": null, "role": "end-user",
        "verified": true, "external_id": null, "tags": [], "active": true, "suspended": false, "user_fields": {},
    })
}

pub fn ticket(i: usize, updated: i64) -> Value {
    json!({
        "id": 100 + i, "url": format!("https://parlance.zendesk.com/api/v2/tickets/{}.json", 100 + i),
        "external_id": null, "via": { "channel": if i.is_multiple_of(2) { "web" } else { "voice" }, "source": { "from": {}, "to": {}, "rel": null } },
        "created_at": at(updated - 3_600).to_string(), "updated_at": at(updated).to_string(), "generated_timestamp": updated,
        "type": "question", "subject": "Where is my parcel?", "raw_subject": "Where is my parcel?", "description": "…",
        "priority": "normal", "status": "solved", "requester_id": 360_000_000 + i as u64, "submitter_id": 360_000_000 + i as u64,
        "assignee_id": 9001, "organization_id": null, "group_id": 77, "tags": ["delivery"], "custom_fields": [],
        "satisfaction_rating": null,
    })
}

impl ZendeskServer {
    pub fn start(users: usize, tickets: usize) -> Self {
        let state = Arc::new(Mutex::new(FakeZendesk {
            token: TOKEN.into(),
            users: (0..users).map(|i| user(i, user_updated(i), "Anna Müller")).collect(),
            tickets: (0..tickets).map(|i| ticket(i, NOW - 30 * 86_400 + 600 * i as i64)).collect(),
            stuck: false,
        }));
        let handler_state = state.clone();
        let server = MockServer::start(move |request| handle(&handler_state.lock().unwrap(), request));
        Self { server, state }
    }

    pub fn config(&self) -> ZendeskConfig {
        ZendeskConfig {
            email: Some(AGENT.into()),
            base_url: Some(self.server.base_url.clone()),
            page_size: 2,
            ..ZendeskConfig::new("parlance")
        }
    }

    pub fn connector(&self, fixture: &Fixture, token: &str) -> ZendeskConnector {
        ZendeskConnector::new(SOURCE, self.config(), Token::new(token), test_http_settings(), fixture.time())
            .unwrap()
    }

    pub fn requests_to(&self, stream: &str) -> Vec<Recorded> {
        let path = format!("/api/v2/incremental/{stream}/cursor.json");
        self.server.requests().into_iter().filter(|r| r.path == path).collect()
    }
}

fn authorised(state: &FakeZendesk, request: &Recorded) -> bool {
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{AGENT}/token:{}", state.token));
    request.header("Authorization") == Some(format!("Basic {expected}").as_str())
}

fn handle(state: &FakeZendesk, request: &Recorded) -> Reply {
    if !authorised(state, request) {
        return Reply::json(401, &json!({ "error": "Couldn't authenticate you" }));
    }
    match request.path.as_str() {
        "/api/v2/incremental/users/cursor.json" => export(state, request, "users", &state.users),
        "/api/v2/incremental/tickets/cursor.json" => export(state, request, "tickets", &state.tickets),
        "/api/v2/users/me.json" => Reply::json(
            200,
            &json!({ "user": { "id": 9001, "name": "Ops Agent", "email": AGENT, "role": "admin" } }),
        ),
        _ => Reply::json(404, &json!({ "error": "InvalidEndpoint", "description": "Not found" })),
    }
}

fn export(state: &FakeZendesk, request: &Recorded, key: &str, items: &[Value]) -> Reply {
    let per_page = request.param("per_page").map_or(1_000, |p| p.parse::<usize>().unwrap());
    if per_page > 1_000 {
        return Reply::json(
            400,
            &json!({ "error": "InvalidValue", "description": "per_page must be at most 1000" }),
        );
    }
    // The cursor carries the query: the start time and the position.
    let (start_time, position) = match (request.param("start_time"), request.param("cursor")) {
        (Some(start), None) => {
            let start = start.parse::<i64>().unwrap();
            if start > NOW - 60 {
                return Reply::json(
                    400,
                    &json!({ "error": "InvalidValue", "description": "Too recent start_time. Use a start_time older than 1 minute" }),
                );
            }
            (start, 0)
        }
        (None, Some(cursor)) if state.stuck => (cursor.split_once(':').unwrap().0.parse::<i64>().unwrap(), 0),
        (None, Some(cursor)) => {
            let (start, position) = cursor.split_once(':').unwrap();
            (start.parse().unwrap(), position.parse().unwrap())
        }
        _ => {
            return Reply::json(
                400,
                &json!({ "error": "InvalidValue", "description": "start_time or cursor is required" }),
            );
        }
    };
    let updated = |i: &Value| Timestamp::parse(i["updated_at"].as_str().unwrap()).unwrap().unix();
    let mut matching: Vec<&Value> = items.iter().filter(|i| updated(i) >= start_time).collect();
    matching.sort_by_key(|i| (updated(i), i["id"].as_u64().unwrap()));
    let page: Vec<Value> = matching.iter().skip(position).take(per_page).map(|i| (*i).clone()).collect();
    let end = position + page.len();
    let end_of_stream = end >= matching.len() && !state.stuck;
    let after = if state.stuck { format!("{start_time}:stuck") } else { format!("{start_time}:{end}") };
    let after_url = format!("https://parlance.zendesk.com{}?cursor={after}", request.path);
    Reply::json(
        200,
        &json!({ key: page, "after_url": after_url, "after_cursor": after, "before_url": null, "before_cursor": null,
                 "end_of_stream": end_of_stream }),
    )
}
