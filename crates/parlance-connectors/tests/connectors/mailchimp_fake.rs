//! A stateful fake of Mailchimp's Marketing API 3.0, as documented: HTTP
//! Basic with the API key as the password, collections paged with `count`
//! and `offset` and counted in `total_items`, list members filtered by
//! `since_last_changed` and sorted by `last_changed`, sent campaigns and
//! their email activity, and RFC 7807 problem documents for errors.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use parlance_connectors::Token;
use parlance_connectors::mailchimp::{MailchimpConfig, MailchimpConnector};
use parlance_warehouse::Timestamp;
use serde_json::{Value, json};

use crate::mock_server::{MockServer, Recorded, Reply};
use crate::support::{Fixture, NOW, at, test_http_settings};

pub const SOURCE: &str = "mailchimp-news";
pub const KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0-us21";
pub const LIST: &str = "a1b2c3d4e5";

#[derive(Debug)]
pub struct FakeMailchimp {
    pub key: String,
    pub members: Vec<Value>,
    /// (campaign id, send time, recipients' activity), oldest send first.
    pub campaigns: Vec<(String, i64, Vec<Value>)>,
    /// Ignore `offset` and `since_last_changed` (a broken proxy cache).
    pub stuck: bool,
    /// Once the first members page is served, member 0 changes (and so
    /// moves to the end of the `last_changed` order).
    pub change_member_0_after_first_page: bool,
}

pub struct MailchimpServer {
    pub server: MockServer,
    pub state: Arc<Mutex<FakeMailchimp>>,
}

pub fn member_changed(i: usize) -> i64 {
    NOW - 30 * 86_400 + 3_600 * i as i64
}

/// Mailchimp's own form of a time: `2026-10-23T10:00:00+00:00`.
pub fn mailchimp_time(unix: i64) -> String {
    at(unix).to_string().replace('Z', "+00:00")
}

pub fn member_id(i: usize) -> String {
    format!("{:032x}", 0xabc0_0000_u64 + i as u64)
}

pub fn member(i: usize, changed: i64, first_name: &str) -> Value {
    json!({
        "id": member_id(i), "email_address": format!("ada{i}@example.com"), "unique_email_id": format!("u{i:09}"),
        "contact_id": format!("c{i:09}"), "full_name": format!("{first_name} Lovelace"), "web_id": 1_000 + i,
        "email_type": "html", "status": if i == 2 { "unsubscribed" } else { "subscribed" },
        "unsubscribe_reason": if i == 2 { "N/A (Unsubscribed by admin)" } else { "" },
        "consents_to_one_to_one_messaging": true,
        "merge_fields": { "FNAME": first_name, "LNAME": "Lovelace", "PHONE": "" },
        "stats": { "avg_open_rate": 0.5, "avg_click_rate": 0.1 },
        "ip_signup": "", "timestamp_signup": "", "ip_opt": "198.51.100.7",
        "timestamp_opt": mailchimp_time(NOW - 200 * 86_400), "member_rating": 3,
        "last_changed": mailchimp_time(changed), "language": "en", "vip": false, "email_client": "",
        "location": { "latitude": 0, "longitude": 0, "gmtoff": 0, "dstoff": 0, "country_code": "", "timezone": "" },
        "source": "Admin Add", "tags_count": 0, "tags": [], "list_id": LIST,
    })
}

fn recipient(campaign: &str, i: usize, sent: i64) -> Value {
    json!({
        "campaign_id": campaign, "list_id": LIST, "list_is_active": true,
        "email_id": member_id(i), "email_address": format!("ada{i}@example.com"),
        "activity": [
            { "action": "open", "timestamp": mailchimp_time(sent + 600), "ip": "198.51.100.7" },
            { "action": "click", "timestamp": mailchimp_time(sent + 660), "url": "https://shop.example.com/tea", "ip": "198.51.100.7" },
        ],
    })
}

impl MailchimpServer {
    pub fn start(members: usize, campaigns: &[usize]) -> Self {
        let campaigns = campaigns
            .iter()
            .enumerate()
            .map(|(c, recipients)| {
                let id = format!("42694e9e{c:02}");
                let sent = NOW - 20 * 86_400 + 86_400 * c as i64;
                let activity = (0..*recipients).map(|i| recipient(&id, i, sent)).collect();
                (id, sent, activity)
            })
            .collect();
        let state = Arc::new(Mutex::new(FakeMailchimp {
            key: KEY.into(),
            members: (0..members).map(|i| member(i, member_changed(i), "Ada")).collect(),
            campaigns,
            stuck: false,
            change_member_0_after_first_page: false,
        }));
        let handler_state = state.clone();
        let server = MockServer::start(move |request| handle(&mut handler_state.lock().unwrap(), request));
        Self { server, state }
    }

    pub fn config(&self) -> MailchimpConfig {
        MailchimpConfig {
            base_url: Some(self.server.base_url.clone()),
            page_size: 2,
            ..MailchimpConfig::new(LIST)
        }
    }

    pub fn connector(&self, fixture: &Fixture, key: &str) -> MailchimpConnector {
        MailchimpConnector::new(SOURCE, self.config(), Token::new(key), test_http_settings(), fixture.time())
            .unwrap()
    }

    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.server.requests().into_iter().filter(|r| r.path == path).collect()
    }
}

fn problem(status: u16, title: &str, detail: &str) -> Reply {
    let body = json!({ "type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": title,
                       "status": status, "detail": detail, "instance": "995c5cb0-3280-4a6e-808b-3b096d0bb219" });
    Reply::text(status, "application/problem+json", &body.to_string())
}

fn authorised(state: &FakeMailchimp, request: &Recorded) -> bool {
    let Some(encoded) = request.header("Authorization").and_then(|h| h.strip_prefix("Basic ")) else {
        return false;
    };
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap_or_default();
    let text = String::from_utf8(decoded).unwrap_or_default();
    text.split_once(':').is_some_and(|(_, key)| key == state.key)
}

fn handle(state: &mut FakeMailchimp, request: &Recorded) -> Reply {
    if !authorised(state, request) {
        return problem(
            401,
            "API Key Invalid",
            "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
        );
    }
    let count = request.param("count").map_or(10, |c| c.parse::<usize>().unwrap());
    if count > 1_000 {
        return problem(400, "Invalid Resource", "count must be at most 1000");
    }
    let offset =
        if state.stuck { 0 } else { request.param("offset").map_or(0, |o| o.parse::<usize>().unwrap()) };
    let path = request.path.clone();
    if path == format!("/3.0/lists/{LIST}/members") {
        assert_eq!(
            (request.param("sort_field"), request.param("sort_dir")),
            (Some("last_changed"), Some("ASC"))
        );
        let since = request
            .param("since_last_changed")
            .filter(|_| !state.stuck)
            .map(|s| Timestamp::parse(s).unwrap());
        let changed = |m: &Value| Timestamp::parse(m["last_changed"].as_str().unwrap()).unwrap();
        let mut matching: Vec<Value> =
            state.members.iter().filter(|m| since.is_none_or(|s| changed(m) > s)).cloned().collect();
        matching.sort_by_key(|m| (changed(m), m["id"].as_str().unwrap().to_owned()));
        let page: Vec<Value> = matching.iter().skip(offset).take(count).cloned().collect();
        let total = if state.stuck { 1_000 } else { matching.len() };
        if state.change_member_0_after_first_page {
            state.change_member_0_after_first_page = false;
            state.members[0] = member(0, NOW - 60, "Grace");
        }
        return Reply::json(
            200,
            &json!({ "members": page, "list_id": LIST, "total_items": total, "_links": [] }),
        );
    }
    if path == "/3.0/campaigns" {
        assert_eq!(request.param("status"), Some("sent"));
        assert_eq!(
            (request.param("sort_field"), request.param("sort_dir")),
            (Some("send_time"), Some("ASC"))
        );
        let since = request.param("since_send_time").map(|s| Timestamp::parse(s).unwrap().unix());
        let matching: Vec<Value> = state
            .campaigns
            .iter()
            .filter(|(_, sent, _)| since.is_none_or(|s| *sent > s))
            .map(|(id, sent, _)| json!({ "id": id, "send_time": mailchimp_time(*sent) }))
            .collect();
        let page: Vec<Value> = matching.iter().skip(offset).take(count).cloned().collect();
        return Reply::json(200, &json!({ "campaigns": page, "total_items": matching.len() }));
    }
    if let Some(campaign) = path.strip_prefix("/3.0/reports/").and_then(|p| p.strip_suffix("/email-activity"))
    {
        let Some((_, _, emails)) = state.campaigns.iter().find(|(id, _, _)| id == campaign) else {
            return problem(404, "Resource Not Found", "The requested resource could not be found.");
        };
        let page: Vec<Value> = emails.iter().skip(offset).take(count).cloned().collect();
        return Reply::json(
            200,
            &json!({ "emails": page, "campaign_id": campaign, "total_items": emails.len(), "_links": [] }),
        );
    }
    if path == format!("/3.0/lists/{LIST}") {
        return Reply::json(
            200,
            &json!({ "id": LIST, "name": "Newsletter", "stats": { "member_count": state.members.len() } }),
        );
    }
    problem(404, "Resource Not Found", "The requested resource could not be found.")
}
