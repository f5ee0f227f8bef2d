//! The Zendesk connector against the fake incremental export API.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parlance_connectors::{Connector, SyncOptions, stored_cursor};
use serde_json::json;

use crate::faults::{assert_landed_payloads_normalise, bad_gateway, html_page, truncated_json};
use crate::mock_server::{Fault, Reply};
use crate::support::{Fixture, at};
use crate::zendesk_fake::{SOURCE, TOKEN, ZendeskServer, user, user_updated};

const USERS_PATH: &str = "/api/v2/incremental/users/cursor.json";

fn user_id(i: usize) -> String {
    (360_000_000 + i as u64).to_string()
}

#[test]
fn a_full_sync_exports_users_and_tickets_until_end_of_stream() {
    let zendesk = ZendeskServer::start(5, 3);
    let fixture = Fixture::new();
    let report =
        fixture.sync(SOURCE, &mut zendesk.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();

    assert_eq!(report.totals().inserted, 8);
    assert_eq!(fixture.ids("users"), (0..5).map(user_id).collect::<Vec<_>>());
    assert_eq!(fixture.ids("tickets"), vec!["100", "101", "102"]);
    let pages: Vec<_> = zendesk
        .requests_to("users")
        .iter()
        .map(|r| (r.param("start_time").map(str::to_owned), r.param("cursor").map(str::to_owned)))
        .collect();
    assert_eq!(
        pages,
        vec![(Some("0".into()), None), (None, Some("0:2".into())), (None, Some("0:4".into()))],
        "start_time 0 on a first sync, then after_cursor until end_of_stream"
    );
    assert!(
        zendesk
            .server
            .requests()
            .iter()
            .all(|r| r.param("per_page") == Some("2") || r.path.contains("me.json"))
    );
    assert_eq!(assert_landed_payloads_normalise(&fixture, SOURCE, "zendesk"), 8);
    let cursor = stored_cursor(&fixture.warehouse, SOURCE, "users").unwrap().unwrap();
    assert_eq!(cursor, json!({ "watermark": at(user_updated(4)).to_string(), "pass": null }));
    fixture.assert_healthy();
}

#[test]
fn a_second_sync_starts_at_the_watermark_and_lands_exactly_the_changes() {
    let zendesk = ZendeskServer::start(6, 2);
    let fixture = Fixture::new();
    fixture.sync(SOURCE, &mut zendesk.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();
    let before = fixture.landing();
    let watermark = user_updated(5);
    {
        let mut state = zendesk.state.lock().unwrap();
        state.users[1] = user(1, watermark + 600, "Anna Schmidt");
        state.users[3] = user(3, watermark + 900, "Anna Schmidt");
    }
    zendesk.server.clear_requests();
    fixture.clock.advance(Duration::from_secs(3_600));

    let report =
        fixture.sync(SOURCE, &mut zendesk.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();

    let first = &zendesk.requests_to("users")[0];
    assert_eq!(first.param("start_time"), Some((watermark - 120).to_string().as_str()));
    let users = &report.streams[0];
    assert_eq!((users.landed.inserted, users.landed.updated, users.landed.unchanged), (0, 2, 1));
    let changed: Vec<_> =
        fixture.landing().into_iter().filter(|row| !before.contains(row)).map(|row| row.source_id).collect();
    assert_eq!(changed, vec![user_id(1), user_id(3)]);
    assert_eq!(fixture.payload("users", &user_id(3))["name"], "Anna Schmidt");
}

#[test]
fn a_429_with_retry_after_waits_that_long_then_succeeds() {
    let zendesk = ZendeskServer::start(3, 0);
    let fixture = Fixture::new();
    let limited = Reply::json(429, &json!({ "error": "APIRateLimitExceeded", "description": "Number of allowed incremental export API requests per minute exceeded" }))
        .with_header("Retry-After", "41");
    zendesk.server.inject(Fault { after: 1, times: 1, reply: limited });
    fixture.sync(SOURCE, &mut zendesk.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.sleeper.waits(), vec![Duration::from_secs(41)]);
    assert_eq!(fixture.ids("users").len(), 3);
}

#[test]
fn the_default_pace_is_ten_export_requests_a_minute() {
    let zendesk = ZendeskServer::start(7, 0);
    let fixture = Fixture::new();
    let settings = parlance_connectors::HttpSettings {
        requests_per_minute: std::num::NonZeroU32::new(10),
        burst: std::num::NonZeroU32::new(2).unwrap(),
        ..crate::support::test_http_settings()
    };
    let mut connector = parlance_connectors::zendesk::ZendeskConnector::new(
        SOURCE,
        zendesk.config(),
        parlance_connectors::Token::new(TOKEN),
        settings,
        fixture.time(),
    )
    .unwrap();
    fixture.sync(SOURCE, &mut connector, &SyncOptions::default()).unwrap();
    // Four users pages and one tickets page: two go at once, then one every 6 s.
    assert_eq!(fixture.sleeper.waits(), vec![Duration::from_secs(6); 3]);
}

#[test]
fn a_burst_of_server_errors_is_retried() {
    let zendesk = ZendeskServer::start(3, 2);
    let fixture = Fixture::new();
    zendesk.server.inject(Fault { after: 1, times: 3, reply: bad_gateway() });
    fixture.sync(SOURCE, &mut zendesk.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.sleeper.waits().len(), 3);
    assert_eq!(fixture.ids("users").len() + fixture.ids("tickets").len(), 5);
}

#[test]
fn an_html_page_with_status_200_is_a_clear_error() {
    let zendesk = ZendeskServer::start(3, 0);
    let fixture = Fixture::new();
    zendesk.server.inject(Fault { after: 0, times: 1, reply: html_page() });
    let error =
        fixture.sync(SOURCE, &mut zendesk.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "source {SOURCE}: {USERS_PATH} returned an HTML page instead of JSON (HTTP 200); check the base URL and any proxy in between"
        )
    );
}

#[test]
fn malformed_json_is_a_clear_error() {
    let zendesk = ZendeskServer::start(3, 0);
    let fixture = Fixture::new();
    zendesk.server.inject(Fault { after: 0, times: 1, reply: truncated_json() });
    let error =
        fixture.sync(SOURCE, &mut zendesk.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    assert!(
        error.to_string().starts_with(&format!("source {SOURCE}: {USERS_PATH} returned malformed JSON")),
        "{error}"
    );
}

#[test]
fn a_repeating_after_cursor_is_stopped_by_the_loop_guard() {
    let zendesk = ZendeskServer::start(6, 0);
    zendesk.state.lock().unwrap().stuck = true;
    let fixture = Fixture::new();
    let error =
        fixture.sync(SOURCE, &mut zendesk.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            r#"source {SOURCE}, stream users: pagination loop — the API returned the next cursor {{"cursor":"0:stuck"}} a second time"#
        )
    );
    assert_eq!(zendesk.server.request_count(), 2);
}

#[test]
fn an_expired_token_is_a_clear_error_naming_the_source() {
    let zendesk = ZendeskServer::start(3, 0);
    let fixture = Fixture::new();
    let error = fixture
        .sync(SOURCE, &mut zendesk.connector(&fixture, "expired"), &SyncOptions::default())
        .unwrap_err();
    assert_eq!(error.to_string(), "source zendesk-support: the token was rejected (401) — reconnect it");
    assert_eq!(zendesk.server.request_count(), 1);
}

#[test]
fn a_start_time_too_recent_reports_zendesks_own_words() {
    let zendesk = ZendeskServer::start(3, 0);
    let fixture = Fixture::new();
    let bad = Reply::json(
        400,
        &json!({ "error": "InvalidValue", "description": "Too recent start_time. Use a start_time older than 1 minute" }),
    );
    zendesk.server.inject(Fault { after: 0, times: 1, reply: bad });
    let error =
        fixture.sync(SOURCE, &mut zendesk.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "source {SOURCE}: {USERS_PATH} answered HTTP 400: InvalidValue: Too recent start_time. Use a start_time older than 1 minute"
        )
    );
}

#[test]
fn the_connection_test_names_the_agent() {
    let zendesk = ZendeskServer::start(0, 0);
    let fixture = Fixture::new();
    let info = zendesk.connector(&fixture, TOKEN).test_connection(&AtomicBool::new(false)).unwrap();
    assert_eq!(info.account, "Zendesk parlance as Ops Agent");
}
