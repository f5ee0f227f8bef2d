//! The Klaviyo connector against the fake JSON:API.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parlance_connectors::{Connector, SyncOptions, stored_cursor};
use serde_json::json;

use crate::faults::{assert_landed_payloads_normalise, bad_gateway, html_page, truncated_json};
use crate::klaviyo_fake::{KEY, KlaviyoServer, REVISION, SOURCE, profile, profile_id, profile_updated};
use crate::mock_server::{Fault, Reply};
use crate::support::{Fixture, at};

#[test]
fn a_full_sync_follows_links_next_and_lands_events_with_their_metric() {
    let klaviyo = KlaviyoServer::start(5, 3);
    let fixture = Fixture::new();
    let report =
        fixture.sync(SOURCE, &mut klaviyo.connector(&fixture, KEY), &SyncOptions::default()).unwrap();

    assert_eq!(report.totals().inserted, 8);
    assert_eq!(fixture.ids("profiles"), (0..5).map(profile_id).collect::<Vec<_>>());
    assert_eq!(fixture.ids("events").len(), 3);
    let cursors: Vec<_> = klaviyo
        .requests_to("/api/profiles")
        .iter()
        .map(|r| (r.param("page[size]").map(str::to_owned), r.param("page[cursor]").map(str::to_owned)))
        .collect();
    assert_eq!(
        cursors,
        vec![
            (Some("2".into()), None),
            (Some("2".into()), Some("bmV4dDo62".into())),
            (Some("2".into()), Some("bmV4dDo64".into()))
        ],
        "the page[cursor] of links.next, asked of the configured base URL"
    );
    for request in klaviyo.server.requests() {
        assert_eq!(request.header("Authorization"), Some(format!("Klaviyo-API-Key {KEY}").as_str()));
        assert_eq!(request.header("revision"), Some(REVISION));
    }
    assert_eq!(fixture.payload("events", "4sDShKQj0001")["metric"]["attributes"]["name"], "Placed Order");
    assert_eq!(assert_landed_payloads_normalise(&fixture, SOURCE, "klaviyo"), 8);
    let cursor = stored_cursor(&fixture.warehouse, SOURCE, "profiles").unwrap().unwrap();
    assert_eq!(cursor, json!({ "watermark": at(profile_updated(4)).to_string(), "pass": null }));
    fixture.assert_healthy();
}

#[test]
fn a_second_sync_filters_on_updated_and_lands_exactly_the_changes() {
    let klaviyo = KlaviyoServer::start(6, 2);
    let fixture = Fixture::new();
    fixture.sync(SOURCE, &mut klaviyo.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    let before = fixture.landing();
    let watermark = profile_updated(5);
    {
        let mut state = klaviyo.state.lock().unwrap();
        state.profiles[1] = profile(1, watermark + 600, "Ada");
        state.profiles[3] = profile(3, watermark + 900, "Ada");
    }
    klaviyo.server.clear_requests();
    fixture.clock.advance(Duration::from_secs(3_600));

    let report =
        fixture.sync(SOURCE, &mut klaviyo.connector(&fixture, KEY), &SyncOptions::default()).unwrap();

    let first = &klaviyo.requests_to("/api/profiles")[0];
    assert_eq!(
        first.param("filter"),
        Some(format!("greater-than(updated,{})", at(watermark - 120)).as_str())
    );
    let events = &klaviyo.requests_to("/api/events")[0];
    assert!(events.param("filter").unwrap().starts_with("greater-than(datetime,"), "{events:?}");
    let profiles = &report.streams[0];
    assert_eq!((profiles.landed.inserted, profiles.landed.updated, profiles.landed.unchanged), (0, 2, 1));
    let changed: Vec<_> =
        fixture.landing().into_iter().filter(|row| !before.contains(row)).map(|row| row.source_id).collect();
    assert_eq!(changed, vec![profile_id(1), profile_id(3)]);
}

#[test]
fn a_429_with_retry_after_waits_that_long_then_succeeds() {
    let klaviyo = KlaviyoServer::start(3, 0);
    let fixture = Fixture::new();
    let limited = Reply::json(
        429,
        &json!({ "errors": [{ "id": "x", "status": 429, "code": "throttled", "title": "Request was throttled.",
                              "detail": "Request was throttled. Expected available in 7 seconds.", "source": {} }] }),
    )
    .with_header("Retry-After", "7");
    klaviyo.server.inject(Fault { after: 1, times: 1, reply: limited });
    fixture.sync(SOURCE, &mut klaviyo.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.sleeper.waits(), vec![Duration::from_secs(7)]);
    assert_eq!(fixture.ids("profiles").len(), 3);
}

#[test]
fn a_burst_of_server_errors_is_retried() {
    let klaviyo = KlaviyoServer::start(3, 2);
    let fixture = Fixture::new();
    klaviyo.server.inject(Fault { after: 1, times: 2, reply: bad_gateway() });
    klaviyo.server.inject(Fault { after: 4, times: 1, reply: Reply::text(503, "text/plain", "unavailable") });
    fixture.sync(SOURCE, &mut klaviyo.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.sleeper.waits().len(), 3);
    assert_eq!(fixture.ids("profiles").len() + fixture.ids("events").len(), 5);
}

#[test]
fn an_html_page_with_status_200_is_a_clear_error() {
    let klaviyo = KlaviyoServer::start(3, 0);
    let fixture = Fixture::new();
    klaviyo.server.inject(Fault { after: 0, times: 1, reply: html_page() });
    let error =
        fixture.sync(SOURCE, &mut klaviyo.connector(&fixture, KEY), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "source {SOURCE}: /api/profiles returned an HTML page instead of JSON (HTTP 200); check the base URL and any proxy in between"
        )
    );
}

#[test]
fn malformed_json_is_a_clear_error() {
    let klaviyo = KlaviyoServer::start(3, 0);
    let fixture = Fixture::new();
    klaviyo.server.inject(Fault { after: 0, times: 1, reply: truncated_json() });
    let error =
        fixture.sync(SOURCE, &mut klaviyo.connector(&fixture, KEY), &SyncOptions::default()).unwrap_err();
    assert!(
        error.to_string().starts_with(&format!("source {SOURCE}: /api/profiles returned malformed JSON")),
        "{error}"
    );
}

#[test]
fn a_repeating_page_cursor_is_stopped_by_the_loop_guard() {
    let klaviyo = KlaviyoServer::start(6, 0);
    klaviyo.state.lock().unwrap().stuck = true;
    let fixture = Fixture::new();
    let error =
        fixture.sync(SOURCE, &mut klaviyo.connector(&fixture, KEY), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            r#"source {SOURCE}, stream profiles: pagination loop — the API returned the next cursor {{"page_cursor":"bmV4dDo6stuck"}} a second time"#
        )
    );
    assert_eq!(klaviyo.server.request_count(), 2);
}

#[test]
fn an_invalid_key_is_a_clear_error_naming_the_source() {
    let klaviyo = KlaviyoServer::start(3, 0);
    let fixture = Fixture::new();
    let error = fixture
        .sync(SOURCE, &mut klaviyo.connector(&fixture, "pk_revoked"), &SyncOptions::default())
        .unwrap_err();
    assert_eq!(error.to_string(), "source klaviyo-us: the token was rejected (401) — reconnect it");
    assert_eq!(klaviyo.server.request_count(), 1);
}

#[test]
fn a_bad_request_reports_klaviyos_own_detail() {
    let klaviyo = KlaviyoServer::start(3, 0);
    let fixture = Fixture::new();
    let bad = Reply::json(
        400,
        &json!({ "errors": [{ "id": "x", "status": 400, "code": "invalid", "title": "Invalid input.",
                              "detail": "'updated' is not a valid field for the resource 'profile'.", "source": { "parameter": "filter" } }] }),
    );
    klaviyo.server.inject(Fault { after: 0, times: 1, reply: bad });
    let error =
        fixture.sync(SOURCE, &mut klaviyo.connector(&fixture, KEY), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "source {SOURCE}: /api/profiles answered HTTP 400: invalid: 'updated' is not a valid field for the resource 'profile'."
        )
    );
}

#[test]
fn the_connection_test_names_the_account() {
    let klaviyo = KlaviyoServer::start(0, 0);
    let fixture = Fixture::new();
    let info = klaviyo.connector(&fixture, KEY).test_connection(&AtomicBool::new(false)).unwrap();
    assert_eq!(info.account, "Klaviyo account Parlance Tea Co (XyZ123), revision 2026-04-15");
}
