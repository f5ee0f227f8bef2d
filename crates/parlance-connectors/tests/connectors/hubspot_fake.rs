//! A stateful fake of HubSpot's CRM API, as documented: `Authorization:
//! Bearer` tokens, `POST /crm/v3/objects/{contacts|deals}/search` with
//! `filterGroups` (`GTE` on the last-modified property, epoch
//! milliseconds), `sorts`, `limit` ≤ 200 and `after`, `paging.next.after`,
//! the 10,000-result cap (a 400 past it), the v4 associations batch read,
//! and errors shaped `{"status": "error", "message", "category"}`.

use std::sync::{Arc, Mutex};

use parlance_connectors::Token;
use parlance_connectors::hubspot::{HubSpotConfig, HubSpotConnector};
use serde_json::{Value, json};

use crate::mock_server::{MockServer, Recorded, Reply};
use crate::support::{Fixture, NOW, test_http_settings};

pub const SOURCE: &str = "hubspot-crm";
pub const TOKEN: &str = "pat-eu1-7c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f";

#[derive(Debug)]
pub struct FakeHubSpot {
    pub token: String,
    pub contacts: Vec<Value>,
    pub deals: Vec<Value>,
    /// deal id → contact ids.
    pub deal_contacts: Vec<(String, Vec<u64>)>,
    /// Answer every page with the same `paging.next.after`.
    pub stuck: bool,
}

pub struct HubSpotServer {
    pub server: MockServer,
    pub state: Arc<Mutex<FakeHubSpot>>,
}

/// Contact `i` was last modified at this epoch millisecond.
pub fn contact_modified_ms(i: usize) -> i64 {
    (NOW - 500 * 86_400 + 3_600 * i as i64) * 1000 + 250
}

pub fn deal_modified_ms(i: usize) -> i64 {
    (NOW - 10 * 86_400 + 60 * i as i64) * 1000
}

pub fn contact_id(i: usize) -> String {
    (1_000 + i).to_string()
}

pub fn iso_ms(ms: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap();
    let whole = parlance_warehouse::Timestamp::new(at).to_string();
    format!("{}.{:03}Z", whole.trim_end_matches('Z'), ms.rem_euclid(1000))
}

/// A contact as the search endpoint returns it with our properties.
pub fn contact(i: usize, modified_ms: i64, first_name: &str) -> Value {
    json!({
        "id": contact_id(i),
        "properties": {
            "email": format!("grace{i}@example.com"), "firstname": first_name, "lastname": format!("Hopper{i}"),
            "phone": null, "mobilephone": format!("+4477009{i:05}"), "city": "Leeds", "country": "United Kingdom",
            "company": "Acme", "lifecyclestage": "lead", "hs_lead_status": null,
            "createdate": iso_ms((NOW - 400 * 86_400) * 1000), "lastmodifieddate": iso_ms(modified_ms),
            "hs_object_id": contact_id(i),
        },
        "createdAt": iso_ms((NOW - 400 * 86_400) * 1000),
        "updatedAt": iso_ms(modified_ms),
        "archived": false,
    })
}

pub fn deal(i: usize, modified_ms: i64, stage: &str) -> Value {
    json!({
        "id": (50_000 + i).to_string(),
        "properties": {
            "dealname": format!("Deal {i}"), "amount": "1200.00", "deal_currency_code": "GBP",
            "dealstage": stage, "pipeline": "default", "closedate": iso_ms((NOW - 9 * 86_400) * 1000),
            "hs_is_closed_won": if stage == "closedwon" { "true" } else { "false" },
            "createdate": iso_ms((NOW - 30 * 86_400) * 1000), "hs_lastmodifieddate": iso_ms(modified_ms),
            "hs_object_id": (50_000 + i).to_string(),
        },
        "createdAt": iso_ms((NOW - 30 * 86_400) * 1000),
        "updatedAt": iso_ms(modified_ms),
        "archived": false,
    })
}

impl HubSpotServer {
    pub fn start(contacts: usize, deals: usize) -> Self {
        let state = Arc::new(Mutex::new(FakeHubSpot {
            token: TOKEN.into(),
            contacts: (0..contacts).map(|i| contact(i, contact_modified_ms(i), "Grace")).collect(),
            deals: (0..deals)
                .map(|i| {
                    deal(
                        i,
                        deal_modified_ms(i),
                        if i.is_multiple_of(2) { "closedwon" } else { "qualifiedtobuy" },
                    )
                })
                .collect(),
            deal_contacts: (0..deals).map(|i| ((50_000 + i).to_string(), vec![1_000 + i as u64])).collect(),
            stuck: false,
        }));
        let handler_state = state.clone();
        let server = MockServer::start(move |request| handle(&handler_state.lock().unwrap(), request));
        Self { server, state }
    }

    pub fn config(&self, page_size: u32) -> HubSpotConfig {
        HubSpotConfig { base_url: self.server.base_url.clone(), page_size }
    }

    pub fn connector(&self, fixture: &Fixture, token: &str) -> HubSpotConnector {
        self.connector_with(fixture, token, 2)
    }

    pub fn connector_with(&self, fixture: &Fixture, token: &str, page_size: u32) -> HubSpotConnector {
        HubSpotConnector::new(
            SOURCE,
            self.config(page_size),
            Token::new(token),
            test_http_settings(),
            fixture.time(),
        )
        .unwrap()
    }

    /// The search bodies sent for `object`, in order.
    pub fn searches(&self, object: &str) -> Vec<Value> {
        let path = format!("/crm/v3/objects/{object}/search");
        self.server.requests().into_iter().filter(|r| r.path == path).map(|r| r.json()).collect()
    }
}

fn error(status: u16, category: &str, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({ "status": "error", "message": message, "correlationId": "a43683b0-5717-4ceb-80b4-104d02915d8c", "category": category }),
    )
}

fn handle(state: &FakeHubSpot, request: &Recorded) -> Reply {
    if request.header("Authorization") != Some(format!("Bearer {}", state.token).as_str()) {
        return error(
            401,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        );
    }
    match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/crm/v3/objects/contacts/search") => {
            search(state, &state.contacts, "lastmodifieddate", request)
        }
        ("POST", "/crm/v3/objects/deals/search") => {
            search(state, &state.deals, "hs_lastmodifieddate", request)
        }
        ("POST", "/crm/v4/associations/deals/contacts/batch/read") => associations(state, request),
        ("GET", "/account-info/v3/details") => Reply::json(
            200,
            &json!({ "portalId": 62515, "accountType": "STANDARD", "timeZone": "Europe/London",
                     "companyCurrency": "GBP", "uiDomain": "app-eu1.hubspot.com", "dataHostingLocation": "eu1" }),
        ),
        _ => Reply::json(
            404,
            &json!({ "status": "error", "message": "Not found", "category": "OBJECT_NOT_FOUND" }),
        ),
    }
}

fn millis(value: &Value, property: &str) -> i64 {
    let text = value["properties"][property].as_str().unwrap();
    let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap();
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

fn search(state: &FakeHubSpot, objects: &[Value], property: &str, request: &Recorded) -> Reply {
    let body = request.json();
    assert_eq!(
        body["sorts"],
        json!([{ "propertyName": property, "direction": "ASCENDING" }]),
        "sorted on {property}"
    );
    let limit = body["limit"].as_u64().unwrap_or(10) as usize;
    if limit > 200 {
        return error(400, "VALIDATION_ERROR", "limit must be at most 200");
    }
    let since = match &body["filterGroups"] {
        Value::Null => None,
        groups => {
            let filter = &groups[0]["filters"][0];
            assert_eq!(
                (filter["propertyName"].as_str(), filter["operator"].as_str()),
                (Some(property), Some("GTE"))
            );
            Some(filter["value"].as_str().unwrap().parse::<i64>().unwrap())
        }
    };
    let mut matching: Vec<&Value> =
        objects.iter().filter(|o| since.is_none_or(|s| millis(o, property) >= s)).collect();
    matching.sort_by_key(|o| (millis(o, property), o["id"].as_str().unwrap().to_owned()));
    let offset = match body["after"].as_str() {
        None => 0,
        Some(_) if state.stuck => 0,
        Some(after) => after.parse::<usize>().unwrap(),
    };
    if offset + limit > 10_000 {
        return error(400, "VALIDATION_ERROR", "There was a problem with the request.");
    }
    let page: Vec<Value> = matching.iter().skip(offset).take(limit).map(|o| (*o).clone()).collect();
    let mut reply = json!({ "total": matching.len(), "results": page });
    if offset + limit < matching.len() {
        let after = if state.stuck { "2".to_owned() } else { (offset + limit).to_string() };
        reply["paging"] = json!({ "next": { "after": after, "link": format!("?after={after}") } });
    }
    Reply::json(200, &reply)
}

fn associations(state: &FakeHubSpot, request: &Recorded) -> Reply {
    let inputs = request.json()["inputs"].as_array().unwrap().clone();
    let results: Vec<Value> = inputs
        .iter()
        .filter_map(|input| {
            let id = input["id"].as_str().unwrap();
            let (_, contacts) = state.deal_contacts.iter().find(|(deal, _)| deal == id)?;
            let to: Vec<Value> = contacts
                .iter()
                .map(|c| json!({ "toObjectId": c, "associationTypes": [{ "category": "HUBSPOT_DEFINED", "typeId": 3, "label": null }] }))
                .collect();
            Some(json!({ "from": { "id": id }, "to": to }))
        })
        .collect();
    Reply::json(
        200,
        &json!({ "status": "COMPLETE", "results": results, "startedAt": "2026-11-22T10:00:00.000Z", "completedAt": "2026-11-22T10:00:00.050Z" }),
    )
}
