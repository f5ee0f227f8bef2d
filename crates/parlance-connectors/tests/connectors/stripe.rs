//! The Stripe connector against the fake REST API.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parlance_connectors::{Connector, SyncOptions, stored_cursor};
use serde_json::json;

use crate::mock_server::{Fault, Reply};
use crate::stripe_fake::{KEY, SOURCE, StripeServer, charge, customer, customer_id};
use crate::support::{Fixture, NOW, at};

fn list_requests(server: &StripeServer, path: &str) -> Vec<(Option<String>, Option<String>)> {
    server
        .server
        .requests()
        .iter()
        .filter(|r| r.path == path)
        .map(|r| (r.param("limit").map(str::to_owned), r.param("starting_after").map(str::to_owned)))
        .collect()
}

#[test]
fn a_full_sync_lists_every_resource_page_by_page() {
    let stripe = StripeServer::start(5, 3, 1);
    let fixture = Fixture::new();
    let report = fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap();

    assert_eq!(report.totals().inserted, 9);
    assert_eq!(fixture.ids("customers"), (0..5).map(customer_id).collect::<Vec<_>>());
    assert_eq!(fixture.ids("charges").len(), 3);
    assert_eq!(fixture.ids("refunds"), vec!["re_0000".to_owned()]);
    let two = Some("2".to_owned());
    assert_eq!(
        list_requests(&stripe, "/v1/customers"),
        vec![
            (two.clone(), None),
            (two.clone(), Some("cus_0003".into())),
            (two.clone(), Some("cus_0001".into()))
        ],
        "newest first, continuing after the last id"
    );
    assert!(
        stripe.server.requests().iter().all(|r| r.header("Authorization") == Some(&format!("Bearer {KEY}")))
    );
    assert_eq!(fixture.payload("charges", "ch_0002")["amount"], 4_200);
    // A listing vouches for every change before its pass began.
    let cursor = stored_cursor(&fixture.warehouse, SOURCE, "customers").unwrap().unwrap();
    assert_eq!(cursor, json!({ "watermark": at(NOW).to_string(), "pass": null }));
    fixture.assert_healthy();
}

#[test]
fn a_second_sync_reads_only_the_event_feed_and_lands_exactly_the_changes() {
    let stripe = StripeServer::start(4, 1, 0);
    let fixture = Fixture::new();
    fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    let before = fixture.landing();
    fixture.clock.advance(Duration::from_secs(3_600));
    stripe.add_event("evt_old", "customer.updated", NOW - 5_000, customer(2, "Stale"));
    stripe.add_event("evt_1", "customer.updated", NOW + 50, customer(1, "Ada B"));
    stripe.add_event("evt_2", "customer.updated", NOW + 100, customer(1, "Grace"));
    stripe.add_event("evt_3", "customer.created", NOW + 200, customer(9, "New"));
    stripe.add_event("evt_4", "charge.succeeded", NOW + 300, charge(9));
    stripe.server.clear_requests();

    let report = fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap();

    let requests = stripe.server.requests();
    assert!(requests.iter().all(|r| r.path == "/v1/events"), "no listing: {requests:?}");
    let first = &requests[0];
    assert_eq!(
        first.param("created[gt]"),
        Some((NOW - 120).to_string().as_str()),
        "watermark minus the look-back"
    );
    assert_eq!(first.params("types[]"), vec!["customer.created", "customer.updated", "customer.deleted"]);
    let customers = &report.streams[0];
    assert_eq!((customers.landed.inserted, customers.landed.updated), (1, 1));
    assert_eq!(customers.older_than_landed, 1, "the older event for cus_0001 came later in the feed");
    assert_eq!(fixture.payload("customers", &customer_id(1))["name"], "Grace 1", "the newest version wins");
    assert_eq!(
        fixture.payload("customers", &customer_id(2))["name"],
        "Ada 2",
        "events before the window are not asked for"
    );
    let changed: Vec<_> =
        fixture.landing().into_iter().filter(|row| !before.contains(row)).map(|row| row.source_id).collect();
    assert_eq!(changed, vec!["ch_0009".to_owned(), customer_id(1), customer_id(9)]);
    let cursor = stored_cursor(&fixture.warehouse, SOURCE, "customers").unwrap().unwrap();
    assert_eq!(cursor["watermark"], json!(at(NOW + 200).to_string()));
}

#[test]
fn a_deleted_customer_lands_marked_deleted() {
    let stripe = StripeServer::start(2, 0, 0);
    let fixture = Fixture::new();
    fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    stripe.add_event("evt_del", "customer.deleted", NOW + 10, customer(0, "Ada"));
    fixture.clock.advance(Duration::from_secs(60));
    fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.payload("customers", &customer_id(0))["deleted"], true);
}

#[test]
fn a_watermark_older_than_the_event_window_lists_everything_again() {
    let stripe = StripeServer::start(2, 0, 0);
    let fixture = Fixture::new();
    fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    fixture.clock.advance(Duration::from_secs(40 * 86_400));
    stripe.server.clear_requests();
    fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    let paths: Vec<String> = stripe.server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, vec!["/v1/customers", "/v1/charges", "/v1/refunds"], "events are kept 30 days only");
}

#[test]
fn a_429_with_retry_after_waits_that_long_then_succeeds() {
    let stripe = StripeServer::start(3, 0, 0);
    let fixture = Fixture::new();
    let limited =
        Reply::json(429, &json!({"error": {"type": "rate_limit_error", "message": "Too many requests"}}))
            .with_header("Retry-After", "2");
    stripe.server.inject(Fault { after: 1, times: 1, reply: limited });
    fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.sleeper.waits(), vec![Duration::from_secs(2)]);
    assert_eq!(fixture.ids("customers").len(), 3);
}

#[test]
fn a_429_without_retry_after_backs_off_exponentially() {
    let stripe = StripeServer::start(1, 0, 0);
    let fixture = Fixture::new();
    let limited =
        Reply::json(429, &json!({"error": {"type": "rate_limit_error", "message": "Too many requests"}}));
    stripe.server.inject(Fault { after: 0, times: 2, reply: limited });
    fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    let waits = fixture.sleeper.waits();
    assert_eq!(waits.len(), 2);
    assert!(waits[0] >= Duration::from_secs(1) && waits[0] < Duration::from_secs(2), "{waits:?}");
    assert!(waits[1] >= Duration::from_secs(2) && waits[1] < Duration::from_secs(4), "{waits:?}");
}

#[test]
fn a_burst_of_bad_gateways_is_retried() {
    let stripe = StripeServer::start(3, 2, 0);
    let fixture = Fixture::new();
    let gateway = Reply::text(502, "text/html", "<html><body>502 Bad Gateway</body></html>");
    stripe.server.inject(Fault { after: 2, times: 2, reply: gateway });
    fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.sleeper.waits().len(), 2);
    assert_eq!(fixture.ids("customers").len() + fixture.ids("charges").len(), 5);
}

#[test]
fn stripe_should_retry_false_is_obeyed() {
    let stripe = StripeServer::start(3, 0, 0);
    let fixture = Fixture::new();
    let failure = Reply::json(
        500,
        &json!({"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}}),
    )
    .with_header("Stripe-Should-Retry", "false");
    stripe.server.inject(Fault { after: 0, times: usize::MAX, reply: failure });
    let error =
        fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "source stripe-eu: /v1/customers answered HTTP 500: api_error: Something went wrong on Stripe's end."
    );
    assert_eq!(stripe.server.request_count(), 1);
}

#[test]
fn a_storm_of_server_errors_hits_the_retry_cap_and_keeps_the_last_committed_cursor() {
    let stripe = StripeServer::start(5, 0, 0);
    let fixture = Fixture::new();
    stripe.server.inject(Fault {
        after: 1,
        times: usize::MAX,
        reply: Reply::text(503, "text/plain", "unavailable"),
    });
    let error =
        fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "source stripe-eu: /v1/customers kept failing; gave up after 4 attempts (last: HTTP 503)"
    );
    assert_eq!(fixture.ids("customers"), vec![customer_id(3), customer_id(4)]);
    let cursor = stored_cursor(&fixture.warehouse, SOURCE, "customers").unwrap().unwrap();
    assert_eq!(cursor["pass"]["cursor"], json!({ "mode": "list", "starting_after": "cus_0003" }));
    assert_eq!(fixture.last_run().status, "failed");

    // Once Stripe recovers, the next sync continues after cus_0003.
    stripe.server.clear_faults();
    stripe.server.clear_requests();
    fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    assert_eq!(stripe.server.requests()[0].param("starting_after"), Some("cus_0003"));
    assert_eq!(fixture.ids("customers").len(), 5);
}

#[test]
fn an_html_page_with_status_200_is_a_clear_error() {
    let stripe = StripeServer::start(3, 0, 0);
    let fixture = Fixture::new();
    let portal =
        Reply::text(200, "text/html", "<!doctype html><html><head><title>Wi-Fi login</title></head></html>");
    stripe.server.inject(Fault { after: 0, times: 1, reply: portal });
    let error =
        fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("source stripe-eu: /v1/customers returned an HTML page instead of JSON (HTTP 200)"),
        "{error}"
    );
}

#[test]
fn malformed_json_is_a_clear_error() {
    let stripe = StripeServer::start(3, 0, 0);
    let fixture = Fixture::new();
    stripe.server.inject(Fault {
        after: 0,
        times: 1,
        reply: Reply::text(200, "application/json", "{\"object\": \"list\", data: []}"),
    });
    let error =
        fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("source stripe-eu: /v1/customers returned malformed JSON: key must be a string"),
        "{error}"
    );
}

#[test]
fn a_repeating_starting_after_is_stopped_by_the_loop_guard() {
    let stripe = StripeServer::start(5, 0, 0);
    stripe.state.lock().unwrap().stuck = true;
    let fixture = Fixture::new();
    let error =
        fixture.sync(SOURCE, &mut stripe.connector(&fixture, KEY), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"source stripe-eu, stream customers: pagination loop — the API returned the next cursor {"mode":"list","starting_after":"cus_0003"} a second time"#
    );
    assert_eq!(fixture.ids("customers").len(), 2);
}

#[test]
fn an_expired_key_is_a_clear_error_naming_the_source() {
    let stripe = StripeServer::start(3, 0, 0);
    let fixture = Fixture::new();
    let error = fixture
        .sync(SOURCE, &mut stripe.connector(&fixture, "sk_test_revoked_key_wxyz"), &SyncOptions::default())
        .unwrap_err();
    assert_eq!(error.to_string(), "source stripe-eu: the token was rejected (401) — reconnect it");
    assert_eq!(stripe.server.request_count(), 1);
}

#[test]
fn an_invalid_request_reports_stripes_own_message() {
    let stripe = StripeServer::start(3, 0, 0);
    let fixture = Fixture::new();
    let mut config = stripe.config();
    config.api_version = Some("2026-10-28.clover".into());
    let bad = Reply::json(
        400,
        &json!({"error": {"type": "invalid_request_error", "message": "No such object: 'cus_9999'", "param": "starting_after"}}),
    );
    stripe.server.inject(Fault { after: 0, times: 1, reply: bad });
    let mut connector = parlance_connectors::stripe::StripeConnector::new(
        SOURCE,
        config,
        parlance_connectors::Token::new(KEY),
        crate::support::test_http_settings(),
        fixture.time(),
    )
    .unwrap();
    let error = fixture.sync(SOURCE, &mut connector, &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "source stripe-eu: /v1/customers answered HTTP 400: invalid_request_error: No such object: 'cus_9999'"
    );
    assert_eq!(stripe.server.requests()[0].header("Stripe-Version"), Some("2026-10-28.clover"));
}

#[test]
fn the_connection_test_reports_the_mode() {
    let stripe = StripeServer::start(1, 0, 0);
    let fixture = Fixture::new();
    let info = stripe.connector(&fixture, KEY).test_connection(&AtomicBool::new(false)).unwrap();
    assert_eq!(info.account, "Stripe account (test mode)");
    assert_eq!(stripe.server.requests()[0].param("limit"), Some("1"));
}

#[test]
fn requests_are_paced_by_the_per_source_rate_limiter() {
    let stripe = StripeServer::start(5, 0, 0);
    let fixture = Fixture::new();
    let settings = parlance_connectors::HttpSettings {
        requests_per_second: std::num::NonZeroU32::new(2).unwrap(),
        burst: std::num::NonZeroU32::new(1).unwrap(),
        ..crate::support::test_http_settings()
    };
    let mut connector = parlance_connectors::stripe::StripeConnector::new(
        SOURCE,
        stripe.config(),
        parlance_connectors::Token::new(KEY),
        settings,
        fixture.time(),
    )
    .unwrap();
    fixture.sync(SOURCE, &mut connector, &SyncOptions::default()).unwrap();
    // Three customer pages, one charges page, one refunds page: every request
    // after the first waits half a second.
    assert_eq!(stripe.server.request_count(), 5);
    assert_eq!(fixture.sleeper.waits(), vec![Duration::from_millis(500); 4]);
}
