//! GA4 BigQuery-export rows: page views, purchases, refunds, params and
//! user-scoped fields.

use expect_test::expect;
use serde_json::json;

use crate::{check, check_errors};

/// A `page_view` row as `bq extract --destination_format NEWLINE_DELIMITED_JSON`
/// writes it: INT64 values as strings.
pub const PAGE_VIEW: &str = r#"{
  "event_date": "20260301",
  "event_timestamp": "1772359200123456",
  "event_name": "page_view",
  "event_params": [
    { "key": "page_location", "value": { "string_value": "https://shop.demo/product/128?utm_source=google", "int_value": null, "float_value": null, "double_value": null } },
    { "key": "page_title", "value": { "string_value": "Slow Cooking" } },
    { "key": "ga_session_id", "value": { "int_value": "1772359100" } },
    { "key": "engagement_time_msec", "value": { "int_value": 1200 } },
    { "key": "source", "value": { "string_value": "google" } },
    { "key": "medium", "value": { "string_value": "cpc" } }
  ],
  "event_previous_timestamp": null,
  "event_bundle_sequence_id": "8123",
  "user_id": null,
  "user_pseudo_id": "1234567.7654321",
  "user_properties": [ { "key": "favouriteCategory", "value": { "string_value": "books", "set_timestamp_micros": "1772359000000000" } } ],
  "user_first_touch_timestamp": "1772000000000000",
  "device": { "category": "mobile", "operating_system": "Android" },
  "geo": { "city": "Leeds", "country": "United Kingdom" },
  "traffic_source": { "name": "spring_books", "medium": "cpc", "source": "google" },
  "stream_id": "4711",
  "platform": "WEB",
  "ecommerce": null,
  "items": []
}"#;

/// A `purchase` row by a signed-in user.
pub const PURCHASE: &str = r#"{
  "event_date": "20260301",
  "event_timestamp": 1772359900000000,
  "event_name": "purchase",
  "event_params": [
    { "key": "currency", "value": { "string_value": "GBP" } },
    { "key": "value", "value": { "double_value": 94.5 } },
    { "key": "transaction_id", "value": { "string_value": "T-5000000128" } }
  ],
  "event_bundle_sequence_id": 8130,
  "user_id": "7000000024",
  "user_pseudo_id": "1234567.7654321",
  "ecommerce": { "total_item_quantity": "3", "purchase_revenue": 94.5, "purchase_revenue_in_usd": 119.1, "transaction_id": "T-5000000128", "unique_items": "2" },
  "items": [
    { "item_id": "128", "item_name": "Slow Cooking", "item_category": "books", "price": 24.5, "quantity": "1" },
    { "item_id": "77", "item_name": "Pan", "item_category": "kitchen", "price": 35.0, "quantity": "2" }
  ],
  "platform": "WEB"
}"#;

#[test]
fn a_page_view_is_a_web_page_view_of_an_anonymous_visitor() {
    check(
        "ga4-web",
        "ga4",
        "events",
        PAGE_VIEW,
        expect![[r#"
            identifier anonymous_id 1234567.7654321
            event 2026-03-01T10:00:00Z web.page_view {"device_category":"mobile","engagement_time_msec":1200,"ga4_event":"page_view","ga_session_id":1772359100,"path":"/product/128","platform":"WEB","title":"Slow Cooking","url":"https://shop.demo/product/128?utm_source=google","utm_medium":"cpc","utm_source":"google"}
            trait favourite_category = "books" at 2026-03-01T10:00:00Z
            trait city = "Leeds" at 2026-03-01T10:00:00Z
            trait ga4.first_source = "google" at 2026-03-01T10:00:00Z
            trait ga4.first_medium = "cpc" at 2026-03-01T10:00:00Z
            trait ga4.first_campaign = "spring_books" at 2026-03-01T10:00:00Z
        "#]],
    );
}

#[test]
fn a_purchase_is_an_order_completed_with_revenue_and_items() {
    check(
        "ga4-web",
        "ga4",
        "events",
        PURCHASE,
        expect![[r#"
            identifier anonymous_id 1234567.7654321
            identifier customer_id:ga4-web 7000000024
            event 2026-03-01T10:11:40Z web.order_completed revenue=94.5 {"categories":["books","kitchen"],"currency":"GBP","ga4_event":"purchase","item_count":3,"order_id":"T-5000000128","platform":"WEB","transaction_id":"T-5000000128","value":94.5}
        "#]],
    );
}

#[test]
fn a_refund_has_negative_revenue_and_other_events_keep_their_name() {
    let refund = json!({
        "event_timestamp": "1772446300000000", "event_name": "refund", "user_pseudo_id": "1.2",
        "event_params": [{ "key": "currency", "value": { "string_value": "gbp" } }],
        "ecommerce": { "refund_value": 24.5, "transaction_id": "T-1" }
    });
    check(
        "ga4-web",
        "ga4",
        "events",
        &refund.to_string(),
        expect![[r#"
            identifier anonymous_id 1.2
            event 2026-03-02T10:11:40Z web.order_refunded revenue=-24.5 {"currency":"gbp","ga4_event":"refund","order_id":"T-1"}
        "#]],
    );
    let session =
        json!({ "event_timestamp": 1772446300000000i64, "event_name": "session_start", "user_id": "42" });
    check(
        "ga4-web",
        "ga4",
        "events",
        &session.to_string(),
        expect![[r#"
            identifier customer_id:ga4-web 42
            event 2026-03-02T10:11:40Z web.session_start {"ga4_event":"session_start"}
        "#]],
    );
}

#[test]
fn broken_rows_name_the_field() {
    check_errors(
        "ga4-web",
        "ga4",
        "events",
        PURCHASE,
        &[
            ("/event_timestamp", None),
            ("/event_timestamp", Some(json!("yesterday"))),
            ("/event_timestamp", Some(json!(1.5))),
            ("/event_name", Some(json!("!!"))),
            ("/user_pseudo_id", None),
            ("/ecommerce/purchase_revenue", Some(json!("12,50"))),
            ("/event_params/0/value", Some(json!("GBP"))),
            ("/items/0", Some(json!("book"))),
        ],
        expect![[r#"
            remove /event_timestamp → missing-field: ga4-web/events: event_timestamp is missing
            /event_timestamp = "yesterday" → bad-unix-time: ga4-web/events: event_timestamp "yesterday" is not a time in unix microseconds
            /event_timestamp = 1.5 → bad-unix-time: ga4-web/events: event_timestamp 1.5 is not a time in unix microseconds
            /event_name = "!!" → unnamed-event: ga4-web/events: event_name "!!" has no letters or digits to name an event
            remove /user_pseudo_id → no error (1 events)
            /ecommerce/purchase_revenue = "12,50" → bad-amount: ga4-web/events: ecommerce.purchase_revenue "12,50" is not a decimal amount
            /event_params/0/value = "GBP" → wrong-type: ga4-web/events: event_params[0].value is a string, expected an object
            /items/0 = "book" → wrong-type: ga4-web/events: items[0] is a string, expected an object
        "#]],
    );
    check(
        "ga4-web",
        "ga4",
        "events",
        r#"{"event_timestamp": "1772446300000000", "event_name": "page_view", "user_pseudo_id": null}"#,
        expect![[r#"
            error no-identifier: ga4-web/events: the record names no one: user_pseudo_id and user_id are both missing
        "#]],
    );
}
