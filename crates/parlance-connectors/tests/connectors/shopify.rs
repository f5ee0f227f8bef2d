//! The Shopify connector against the fake Admin GraphQL API.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parlance_connectors::{Connector, SyncOptions};
use serde_json::json;

use crate::mock_server::{Fault, Reply};
use crate::shopify_fake::{
    API_PATH, SOURCE, ShopifyServer, TOKEN, customer_gid, customer_updated, order_gid, order_updated,
};
use crate::support::{Fixture, at, test_http_settings};

fn html_page() -> Reply {
    Reply::text(
        200,
        "text/html; charset=utf-8",
        "<!DOCTYPE html><html><body>Log in to continue</body></html>",
    )
}

#[test]
fn a_full_sync_pages_through_customers_and_orders_with_refunds() {
    let shop = ShopifyServer::start(5, 3);
    let fixture = Fixture::new();
    let report = fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();

    assert_eq!(report.totals().inserted, 8);
    assert_eq!(report.totals().pages, 3 + 2);
    let mut customers: Vec<String> = (0..5).map(customer_gid).collect();
    customers.sort();
    assert_eq!(fixture.ids("customers"), customers);
    assert_eq!(fixture.ids("orders"), (0..3).map(order_gid).collect::<Vec<_>>());
    let refunded = fixture.payload("orders", &order_gid(1));
    assert_eq!(refunded["refunds"][0]["totalRefundedSet"]["shopMoney"]["amount"], "10.00");
    assert_eq!(
        fixture.payload("customers", &customer_gid(2))["defaultEmailAddress"]["emailAddress"],
        "ada2@example.com"
    );

    let requests = shop.server.requests();
    assert!(requests.iter().all(|r| r.header("X-Shopify-Access-Token") == Some(TOKEN) && r.path == API_PATH));
    let customer_pages: Vec<_> = requests
        .iter()
        .map(|r| r.json())
        .filter(|b| b["query"].as_str().unwrap().contains("customers("))
        .map(|b| {
            (
                b["variables"]["first"].clone(),
                b["variables"]["after"].clone(),
                b["variables"]["query"].clone(),
            )
        })
        .collect();
    assert_eq!(customer_pages.len(), 3);
    assert_eq!(customer_pages[0], (json!(2), json!(null), json!(null)), "a first sync asks for everything");
    assert!(
        customer_pages[1].1.is_string() && customer_pages[2].1.is_string(),
        "later pages carry endCursor"
    );
    fixture.assert_healthy();
}

#[test]
fn a_second_sync_asks_only_for_changes_and_updates_exactly_those() {
    let shop = ShopifyServer::start(6, 2);
    let fixture = Fixture::new();
    fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();
    let before = fixture.landing();
    let watermark = customer_updated(5);
    shop.update_customer(1, watermark + 600, "Grace");
    shop.update_customer(3, watermark + 900, "Grace");
    shop.server.clear_requests();

    let report = fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();

    let searches: Vec<_> = shop
        .server
        .requests()
        .iter()
        .map(|r| r.json()["variables"]["query"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        searches,
        vec![
            format!("updated_at:>='{}'", at(watermark - 120)),
            format!("updated_at:>='{}'", at(watermark - 120)),
            format!("updated_at:>='{}'", at(order_updated(1) - 120)),
        ],
        "watermark minus two minutes of look-back, per stream"
    );
    let customers = &report.streams[0];
    // The two changed customers, plus customer 5 inside the look-back window.
    assert_eq!((customers.landed.inserted, customers.landed.updated, customers.landed.unchanged), (0, 2, 1));
    let changed: Vec<_> =
        fixture.landing().into_iter().filter(|row| !before.contains(row)).map(|row| row.source_id).collect();
    assert_eq!(changed, vec![customer_gid(1), customer_gid(3)]);
    assert_eq!(fixture.payload("customers", &customer_gid(3))["firstName"], "Grace");
}

#[test]
fn a_429_with_retry_after_in_seconds_waits_that_long_then_succeeds() {
    let shop = ShopifyServer::start(3, 0);
    let fixture = Fixture::new();
    shop.server.inject(Fault {
        after: 1,
        times: 1,
        reply: Reply::json(429, &json!({"errors": "Throttled"})).with_header("Retry-After", "3"),
    });
    fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.sleeper.waits(), vec![Duration::from_secs(3)]);
    assert_eq!(fixture.ids("customers").len(), 3);
}

#[test]
fn a_429_with_retry_after_as_an_http_date_waits_until_then() {
    let shop = ShopifyServer::start(3, 0);
    let fixture = Fixture::new();
    let then = std::time::UNIX_EPOCH + Duration::from_secs(crate::support::NOW as u64 + 7);
    let reply = Reply::json(429, &json!({"errors": "Throttled"}))
        .with_header("Retry-After", &httpdate::fmt_http_date(then));
    shop.server.inject(Fault { after: 0, times: 1, reply });
    fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.sleeper.waits(), vec![Duration::from_secs(7)]);
    assert_eq!(fixture.ids("customers").len(), 3);
}

#[test]
fn a_throttled_graphql_answer_waits_for_the_bucket_to_refill() {
    let shop = ShopifyServer::start(3, 0);
    let fixture = Fixture::new();
    let throttled = json!({
        "errors": [{ "message": "Throttled", "extensions": { "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits" } }],
        "extensions": { "cost": { "requestedQueryCost": 502, "actualQueryCost": null,
            "throttleStatus": { "maximumAvailable": 1000.0, "currentlyAvailable": 2.0, "restoreRate": 50.0 } } }
    });
    shop.server.inject(Fault { after: 0, times: 1, reply: Reply::json(200, &throttled) });
    fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.sleeper.waits(), vec![Duration::from_secs(10)], "(502 − 2) points at 50 points/s");
    assert_eq!(fixture.ids("customers").len(), 3);
}

#[test]
fn a_low_bucket_makes_the_next_query_wait_before_it_is_sent() {
    let shop = ShopifyServer::start(3, 0);
    {
        let mut state = shop.state.lock().unwrap();
        state.requested_cost = 110.0;
        state.currently_available = 10.0;
    }
    let fixture = Fixture::new();
    fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();
    // Two customer pages and one (empty) orders page: each query after the
    // first waits (110 − 10) / 50 = 2 s.
    assert_eq!(fixture.sleeper.waits(), vec![Duration::from_secs(2); 2]);
}

#[test]
fn a_burst_of_server_errors_is_retried_with_back_off() {
    let shop = ShopifyServer::start(3, 0);
    let fixture = Fixture::new();
    let unavailable = Reply::text(503, "text/plain", "upstream unavailable");
    shop.server.inject(Fault { after: 1, times: 3, reply: unavailable });
    fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();
    let waits = fixture.sleeper.waits();
    assert_eq!(waits.len(), 3);
    // Exponential from 1 s (doubling, capped at 8 s), each plus up to 100 % jitter.
    for (wait, base) in waits.iter().zip([1, 2, 4]) {
        assert!(*wait >= Duration::from_secs(base) && *wait <= Duration::from_secs(2 * base), "{waits:?}");
    }
    assert_eq!(fixture.ids("customers").len(), 3);
}

#[test]
fn a_storm_of_server_errors_hits_the_retry_cap_fails_the_run_and_keeps_the_last_committed_cursor() {
    let shop = ShopifyServer::start(6, 0);
    let fixture = Fixture::new();
    shop.server.inject(Fault { after: 1, times: usize::MAX, reply: Reply::text(500, "text/plain", "boom") });
    let error =
        fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("source {SOURCE}: {API_PATH} kept failing; gave up after 4 attempts (last: HTTP 500)")
    );
    assert_eq!(shop.server.request_count(), 1 + 4);
    assert_eq!(fixture.ids("customers").len(), 2, "page 1 committed");
    let cursor =
        parlance_connectors::stored_cursor(&fixture.warehouse, SOURCE, "customers").unwrap().unwrap();
    let after_page_one = format!("{}|{}", at(customer_updated(1)), customer_gid(1));
    assert_eq!(cursor["pass"]["cursor"], json!({ "after": after_page_one }), "not advanced past page 1");
    let run = fixture.last_run();
    assert_eq!((run.status.as_str(), run.pages), ("failed", 1));
    assert_eq!(run.error.as_deref(), Some(error.to_string().as_str()));
    fixture.assert_healthy();
}

#[test]
fn an_html_page_with_status_200_is_a_clear_error() {
    let shop = ShopifyServer::start(3, 0);
    let fixture = Fixture::new();
    shop.server.inject(Fault { after: 0, times: 1, reply: html_page() });
    let error =
        fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "source {SOURCE}: {API_PATH} returned an HTML page instead of JSON (HTTP 200); check the base URL and any proxy in between"
        )
    );
    assert_eq!(fixture.last_run().status, "failed");
}

#[test]
fn malformed_json_is_a_clear_error() {
    let shop = ShopifyServer::start(3, 0);
    let fixture = Fixture::new();
    shop.server.inject(Fault {
        after: 0,
        times: 1,
        reply: Reply::text(200, "application/json", r#"{"data": {"customers": "#),
    });
    let error =
        fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("source {SOURCE}: {API_PATH} returned malformed JSON: EOF")),
        "{message}"
    );
}

#[test]
fn a_repeating_end_cursor_is_stopped_by_the_loop_guard() {
    let shop = ShopifyServer::start(6, 0);
    shop.state.lock().unwrap().stuck_cursor = true;
    let fixture = Fixture::new();
    let error =
        fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            r#"source {SOURCE}, stream customers: pagination loop — the API returned the next cursor {{"after":"stuck"}} a second time"#
        )
    );
    assert_eq!(shop.server.request_count(), 2);
}

#[test]
fn an_expired_token_is_a_clear_error_naming_the_source() {
    let shop = ShopifyServer::start(3, 0);
    let fixture = Fixture::new();
    let error = fixture
        .sync(SOURCE, &mut shop.connector(&fixture, "shpat_expired_1234"), &SyncOptions::default())
        .unwrap_err();
    assert_eq!(error.to_string(), "source shopify-main: the token was rejected (401) — reconnect it");
    assert_eq!(shop.server.request_count(), 1, "a rejected token is not retried");
    assert_eq!(
        fixture.last_run().error.as_deref(),
        Some("source shopify-main: the token was rejected (401) — reconnect it")
    );
}

#[test]
fn a_response_over_the_size_limit_is_refused() {
    let shop = ShopifyServer::start(30, 0);
    let fixture = Fixture::new();
    let mut config = shop.config();
    config.customers_page_size = 30;
    let settings = parlance_connectors::HttpSettings { max_response_bytes: 4_096, ..test_http_settings() };
    let mut connector = parlance_connectors::shopify::ShopifyConnector::new(
        SOURCE,
        config,
        parlance_connectors::Token::new(TOKEN),
        settings,
        fixture.time(),
    )
    .unwrap();
    let error = fixture.sync(SOURCE, &mut connector, &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("source {SOURCE}: {API_PATH} returned more than 4096 bytes, the response-size limit")
    );
}

#[test]
fn access_denied_names_the_missing_scope() {
    let shop = ShopifyServer::start(3, 0);
    let fixture = Fixture::new();
    let denied = json!({ "errors": [{ "message": "Access denied for orders field.", "extensions": { "code": "ACCESS_DENIED" } }] });
    shop.server.inject(Fault { after: 0, times: 1, reply: Reply::json(200, &denied) });
    let error =
        fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    assert!(
        error.to_string().contains(
            "Access denied for orders field. — the app needs the read_customers and read_orders scopes"
        ),
        "{error}"
    );
}

#[test]
fn the_connection_test_names_the_shop() {
    let shop = ShopifyServer::start(0, 0);
    let fixture = Fixture::new();
    let info = shop.connector(&fixture, TOKEN).test_connection(&AtomicBool::new(false)).unwrap();
    assert_eq!(
        info.account,
        "Shopify shop Parlance Test Shop (parlance-test.myshopify.com), Admin API 2026-10"
    );
    let error = shop.connector(&fixture, "wrong").test_connection(&AtomicBool::new(false)).unwrap_err();
    assert_eq!(error.to_string(), "source shopify-main: the token was rejected (401) — reconnect it");
}

#[test]
fn the_stored_config_holds_the_base_url_but_never_the_token() {
    let shop = ShopifyServer::start(1, 0);
    let fixture = Fixture::new();
    fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap();
    let reader = fixture.warehouse.reader().unwrap();
    let (kind, config): (String, String) = reader
        .query_row("SELECT kind, config_json FROM sources WHERE name = ?1", [SOURCE], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(kind, "shopify");
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    assert_eq!(config["base_url"], json!(shop.server.base_url));
    assert_eq!(config["api_version"], "2026-10");
    assert!(!config.to_string().contains(TOKEN));
}

#[test]
fn a_retry_after_longer_than_allowed_fails_instead_of_waiting() {
    let shop = ShopifyServer::start(3, 0);
    let fixture = Fixture::new();
    let reply = Reply::json(429, &json!({"errors": "Throttled"})).with_header("Retry-After", "3600");
    shop.server.inject(Fault { after: 0, times: 1, reply });
    let error =
        fixture.sync(SOURCE, &mut shop.connector(&fixture, TOKEN), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "source {SOURCE}: {API_PATH} asked to wait 3600 s before retrying, longer than the 120 s allowed"
        )
    );
    assert!(fixture.sleeper.waits().is_empty());
}

#[test]
fn cancelling_during_a_retry_wait_ends_the_run_as_cancelled() {
    /// The user presses cancel the moment a wait begins.
    #[derive(Debug)]
    struct CancelOnWait;
    impl parlance_connectors::Sleeper for CancelOnWait {
        fn sleep(&self, _: Duration, cancel: &AtomicBool) -> bool {
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            false
        }
        fn monotonic(&self) -> Duration {
            Duration::ZERO
        }
    }
    let shop = ShopifyServer::start(4, 0);
    let fixture = Fixture::new();
    let reply = Reply::json(429, &json!({"errors": "Throttled"})).with_header("Retry-After", "30");
    shop.server.inject(Fault { after: 1, times: 1, reply });
    let time = parlance_connectors::TimeSources {
        clock: fixture.clock.clone(),
        sleeper: std::sync::Arc::new(CancelOnWait),
    };
    let mut connector = parlance_connectors::shopify::ShopifyConnector::new(
        SOURCE,
        shop.config(),
        parlance_connectors::Token::new(TOKEN),
        test_http_settings(),
        time,
    )
    .unwrap();
    let report = fixture.sync(SOURCE, &mut connector, &SyncOptions::default()).unwrap();
    assert_eq!(report.status, parlance_warehouse::RunStatus::Cancelled);
    assert_eq!(fixture.ids("customers").len(), 2, "page 1 stays");
    assert_eq!(fixture.last_run().status, "cancelled");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let fixture = Fixture::new();
    let server = crate::mock_server::MockServer::start(|_| {
        std::thread::sleep(Duration::from_millis(1_500));
        Reply::json(200, &json!({}))
    });
    let mut config = parlance_connectors::shopify::ShopifyConfig::new("parlance-test");
    config.base_url = Some(server.base_url.clone());
    let settings = parlance_connectors::HttpSettings {
        request_timeout: Duration::from_millis(300),
        max_attempts: 1,
        ..test_http_settings()
    };
    let mut connector = parlance_connectors::shopify::ShopifyConnector::new(
        SOURCE,
        config,
        parlance_connectors::Token::new(TOKEN),
        settings,
        fixture.time(),
    )
    .unwrap();
    let error = fixture.sync(SOURCE, &mut connector, &SyncOptions::default()).unwrap_err();
    assert!(error.to_string().contains("gave up after 1 attempts (last: timeout"), "{error}");
}
