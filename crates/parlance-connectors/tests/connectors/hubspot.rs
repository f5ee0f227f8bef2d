//! The HubSpot connector against the fake CRM search API.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parlance_connectors::{Connector, SyncOptions, stored_cursor};
use serde_json::{Value, json};

use crate::faults::{assert_landed_payloads_normalise, bad_gateway, html_page, truncated_json};
use crate::hubspot_fake::{HubSpotServer, SOURCE, TOKEN, contact, contact_id, contact_modified_ms};
use crate::mock_server::{Fault, Reply};
use crate::support::{Fixture, at};

const CONTACTS_PATH: &str = "/crm/v3/objects/contacts/search";

#[test]
fn a_full_sync_pages_through_contacts_and_deals_with_their_contacts() {
    let hubspot = HubSpotServer::start(5, 3);
    let fixture = Fixture::new();
    let report =
        fixture.sync(SOURCE, &mut hubspot.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();

    assert_eq!(report.totals().inserted, 8);
    assert_eq!(fixture.ids("contacts"), (0..5).map(contact_id).collect::<Vec<_>>());
    assert_eq!(fixture.ids("deals"), vec!["50000", "50001", "50002"]);
    let searches = hubspot.searches("contacts");
    let pages: Vec<(Value, Value, Value)> = searches
        .iter()
        .map(|b| (b["limit"].clone(), b["after"].clone(), b["filterGroups"].clone()))
        .collect();
    assert_eq!(
        pages,
        vec![
            (json!(2), Value::Null, Value::Null),
            (json!(2), json!("2"), Value::Null),
            (json!(2), json!("4"), Value::Null)
        ],
        "a first sync asks for everything, continuing with paging.next.after"
    );
    assert!(searches[0]["properties"].as_array().unwrap().contains(&json!("email")));
    assert!(
        hubspot
            .server
            .requests()
            .iter()
            .all(|r| r.header("Authorization") == Some(&format!("Bearer {TOKEN}")))
    );
    assert_eq!(
        fixture.payload("deals", "50001")["associations"],
        json!({ "contacts": { "results": [{ "id": "1001", "type": "deal_to_contact" }] } }),
        "each deal lands with its associated contacts"
    );
    assert_eq!(assert_landed_payloads_normalise(&fixture, SOURCE, "hubspot"), 8);
    let cursor = stored_cursor(&fixture.warehouse, SOURCE, "contacts").unwrap().unwrap();
    assert_eq!(cursor, json!({ "watermark": at(contact_modified_ms(4) / 1000).to_string(), "pass": null }));
    fixture.assert_healthy();
}

#[test]
fn a_second_sync_filters_on_lastmodifieddate_and_lands_exactly_the_changes() {
    let hubspot = HubSpotServer::start(6, 2);
    let fixture = Fixture::new();
    fixture.sync(SOURCE, &mut hubspot.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();
    let before = fixture.landing();
    let watermark = contact_modified_ms(5) / 1000;
    {
        let mut state = hubspot.state.lock().unwrap();
        state.contacts[1] = contact(1, (watermark + 600) * 1000, "Ada");
        state.contacts[3] = contact(3, (watermark + 900) * 1000, "Ada");
    }
    hubspot.server.clear_requests();
    fixture.clock.advance(Duration::from_secs(3_600));

    let report =
        fixture.sync(SOURCE, &mut hubspot.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();

    let filter = &hubspot.searches("contacts")[0]["filterGroups"];
    assert_eq!(
        filter,
        &json!([{ "filters": [{ "propertyName": "lastmodifieddate", "operator": "GTE",
                                "value": ((watermark - 120) * 1000).to_string() }] }]),
        "the watermark minus two minutes, in epoch milliseconds"
    );
    assert_eq!(
        hubspot.searches("deals")[0]["filterGroups"][0]["filters"][0]["propertyName"],
        "hs_lastmodifieddate"
    );
    let contacts = &report.streams[0];
    // The two changed contacts, plus contact 5 inside the look-back window.
    assert_eq!((contacts.landed.inserted, contacts.landed.updated, contacts.landed.unchanged), (0, 2, 1));
    let changed: Vec<_> =
        fixture.landing().into_iter().filter(|row| !before.contains(row)).map(|row| row.source_id).collect();
    assert_eq!(changed, vec![contact_id(1), contact_id(3)]);
    assert_eq!(fixture.payload("contacts", &contact_id(3))["properties"]["firstname"], "Ada");
}

#[test]
fn the_ten_thousand_result_cap_is_passed_by_re_anchoring_on_the_last_modification() {
    let hubspot = HubSpotServer::start(10_050, 0);
    let fixture = Fixture::new();
    let report = fixture
        .sync(SOURCE, &mut hubspot.connector_with(&fixture, TOKEN, 200), &SyncOptions::default())
        .unwrap();

    assert_eq!(fixture.ids("contacts").len(), 10_050, "nothing lost past the cap");
    let searches = hubspot.searches("contacts");
    assert_eq!(searches.len(), 51);
    assert_eq!(searches[49]["after"], json!("9800"), "the last page below the cap");
    assert_eq!(searches[50]["after"], Value::Null, "a new query…");
    assert_eq!(
        searches[50]["filterGroups"][0]["filters"][0]["value"],
        json!(contact_modified_ms(9_999).to_string()),
        "…anchored on the last modification seen"
    );
    // The one contact at the anchor instant comes again, unchanged.
    assert_eq!(report.streams[0].landed.unchanged, 1);
    assert_eq!(report.streams[0].landed.inserted, 10_050);
}

#[test]
fn a_429_with_retry_after_waits_that_long_then_succeeds() {
    let hubspot = HubSpotServer::start(3, 0);
    let fixture = Fixture::new();
    let limited = Reply::json(
        429,
        &json!({ "status": "error", "message": "You have reached your secondly limit.", "errorType": "RATE_LIMIT",
                 "correlationId": "c033cdaa", "policyName": "SECONDLY", "category": "RATE_LIMITS" }),
    )
    .with_header("Retry-After", "2");
    hubspot.server.inject(Fault { after: 1, times: 1, reply: limited });
    fixture.sync(SOURCE, &mut hubspot.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.sleeper.waits(), vec![Duration::from_secs(2)]);
    assert_eq!(fixture.ids("contacts").len(), 3);
}

#[test]
fn a_burst_of_server_errors_is_retried() {
    let hubspot = HubSpotServer::start(3, 2);
    let fixture = Fixture::new();
    hubspot.server.inject(Fault { after: 1, times: 3, reply: bad_gateway() });
    fixture.sync(SOURCE, &mut hubspot.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.sleeper.waits().len(), 3);
    assert_eq!(fixture.ids("contacts").len() + fixture.ids("deals").len(), 5);
}

#[test]
fn an_html_page_with_status_200_is_a_clear_error() {
    let hubspot = HubSpotServer::start(3, 0);
    let fixture = Fixture::new();
    hubspot.server.inject(Fault { after: 0, times: 1, reply: html_page() });
    let error =
        fixture.sync(SOURCE, &mut hubspot.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "source {SOURCE}: {CONTACTS_PATH} returned an HTML page instead of JSON (HTTP 200); check the base URL and any proxy in between"
        )
    );
}

#[test]
fn malformed_json_is_a_clear_error() {
    let hubspot = HubSpotServer::start(3, 0);
    let fixture = Fixture::new();
    hubspot.server.inject(Fault { after: 0, times: 1, reply: truncated_json() });
    let error =
        fixture.sync(SOURCE, &mut hubspot.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with(&format!("source {SOURCE}: {CONTACTS_PATH} returned malformed JSON: EOF")),
        "{error}"
    );
}

#[test]
fn a_repeating_after_is_stopped_as_a_pagination_loop() {
    let hubspot = HubSpotServer::start(6, 0);
    hubspot.state.lock().unwrap().stuck = true;
    let fixture = Fixture::new();
    let error =
        fixture.sync(SOURCE, &mut hubspot.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            r#"source {SOURCE}: {CONTACTS_PATH} answered in an unexpected shape: pagination loop: paging.next.after "2" came back a second time"#
        )
    );
    assert_eq!(hubspot.server.request_count(), 2);
}

#[test]
fn an_expired_token_is_a_clear_error_naming_the_source() {
    let hubspot = HubSpotServer::start(3, 0);
    let fixture = Fixture::new();
    let error = fixture
        .sync(SOURCE, &mut hubspot.connector(&fixture, "pat-eu1-expired"), &SyncOptions::default())
        .unwrap_err();
    assert_eq!(error.to_string(), "source hubspot-crm: the token was rejected (401) — reconnect it");
    assert_eq!(hubspot.server.request_count(), 1, "a rejected token is not retried");
    assert_eq!(fixture.last_run().status, "failed");
}

#[test]
fn a_validation_error_reports_hubspots_own_message() {
    let hubspot = HubSpotServer::start(3, 0);
    let fixture = Fixture::new();
    let bad = Reply::json(
        400,
        &json!({ "status": "error", "message": "Invalid input JSON on line 1", "correlationId": "x", "category": "VALIDATION_ERROR" }),
    );
    hubspot.server.inject(Fault { after: 0, times: 1, reply: bad });
    let error =
        fixture.sync(SOURCE, &mut hubspot.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "source {SOURCE}: {CONTACTS_PATH} answered HTTP 400: VALIDATION_ERROR: Invalid input JSON on line 1"
        )
    );
}

#[test]
fn the_connection_test_names_the_account() {
    let hubspot = HubSpotServer::start(0, 0);
    let fixture = Fixture::new();
    let info = hubspot.connector(&fixture, TOKEN).test_connection(&AtomicBool::new(false)).unwrap();
    assert_eq!(info.account, "HubSpot account 62515 (app-eu1.hubspot.com)");
}
