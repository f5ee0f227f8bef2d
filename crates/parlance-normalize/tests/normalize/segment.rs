//! Segment spec messages: page, screen, track, identify, alias, group.

use expect_test::expect;
use parlance_normalize::{IdKind, normalize};
use serde_json::json;

use crate::{check, check_errors, edited};

/// A `page` message as analytics.js sends it, arriving from a paid search ad.
pub const PAGE: &str = r#"{
  "type": "page",
  "messageId": "ajs-next-1700000000000-8f6a",
  "anonymousId": "anon-1f-0-a1b2c3",
  "userId": null,
  "name": "Product",
  "category": "Catalogue",
  "properties": { "path": "/product/128", "title": "Slow Cooking", "url": "https://shop.demo/product/128" },
  "context": {
    "library": { "name": "analytics.js", "version": "next-1.64.0" },
    "page": { "path": "/product/128", "referrer": "https://www.google.com/", "url": "https://shop.demo/product/128?utm_source=google" },
    "campaign": { "source": "google", "medium": "cpc", "name": "spring_books" },
    "userAgent": "Mozilla/5.0"
  },
  "originalTimestamp": "2026-03-01T10:00:00.123Z",
  "sentAt": "2026-03-01T10:00:00.200Z",
  "receivedAt": "2026-03-01T10:00:00.512Z",
  "timestamp": "2026-03-01T10:00:00.435Z"
}"#;

/// A `track` message: "Order Completed" per the e-commerce spec.
pub const ORDER_COMPLETED: &str = r#"{
  "type": "track",
  "messageId": "m-1f-12",
  "anonymousId": "anon-1f-0-a1b2c3",
  "userId": "7000000024",
  "event": "Order Completed",
  "properties": {
    "order_id": "5000000128",
    "revenue": 94.5,
    "currency": "GBP",
    "products": [{ "product_id": "128", "category": "books", "price": 24.5, "quantity": 1 }]
  },
  "context": { "library": { "name": "analytics.js" } },
  "timestamp": "2026-03-01T10:12:40Z"
}"#;

/// An `identify` message after checkout.
pub const IDENTIFY: &str = r#"{
  "type": "identify",
  "messageId": "m-1f-11",
  "anonymousId": "anon-1f-0-a1b2c3",
  "userId": "7000000024",
  "traits": {
    "email": "Anna.Muller12@mailbox.demo",
    "phone": "+44 7400 000012",
    "firstName": "Anna",
    "lastName": "Müller",
    "address": { "city": "Leeds", "country": "GB", "postalCode": "LS1 4AP" },
    "plan": "premium",
    "createdAt": "2025-03-04T09:15:00Z",
    "age": null
  },
  "context": { "library": { "name": "analytics.js" } },
  "timestamp": "2026-03-01T10:12:00Z"
}"#;

#[test]
fn a_page_is_a_page_view_with_path_name_and_campaign() {
    check(
        "demo-web",
        "segment",
        "pages",
        PAGE,
        expect![[r#"
            identifier anonymous_id anon-1f-0-a1b2c3
            event 2026-03-01T10:00:00Z web.page_view {"category":"Catalogue","name":"Product","path":"/product/128","referrer":"https://www.google.com/","title":"Slow Cooking","url":"https://shop.demo/product/128","utm_campaign":"spring_books","utm_medium":"cpc","utm_source":"google"}
        "#]],
    );
}

#[test]
fn a_screen_is_a_page_view_too() {
    let payload = json!({
        "type": "screen", "anonymousId": "dev-77", "userId": "7000000024", "name": "Basket",
        "properties": { "items": 2 }, "timestamp": "2026-03-02T08:00:00Z"
    });
    check(
        "demo-app",
        "segment",
        "screens",
        &payload.to_string(),
        expect![[r#"
            identifier anonymous_id dev-77
            identifier customer_id:demo-app 7000000024
            event 2026-03-02T08:00:00Z web.page_view {"items":2,"name":"Basket","screen":true}
        "#]],
    );
}

#[test]
fn order_completed_carries_revenue_and_the_user_id() {
    check(
        "demo-web",
        "segment",
        "tracks",
        ORDER_COMPLETED,
        expect![[r#"
            identifier anonymous_id anon-1f-0-a1b2c3
            identifier customer_id:demo-web 7000000024
            event 2026-03-01T10:12:40Z web.order_completed revenue=94.5 {"currency":"GBP","order_id":"5000000128","products":[{"category":"books","price":24.5,"product_id":"128","quantity":1}],"revenue":94.5}
        "#]],
    );
    // Without `revenue`, Order Completed's `total` is the revenue.
    let by_total = edited(
        ORDER_COMPLETED,
        &[("/properties/revenue", None), ("/properties/total", Some(json!("99.99")))],
    );
    let rows = normalize("demo-web", "segment", "tracks", &by_total).unwrap();
    assert_eq!(rows.events[0].revenue, Some(99.99));
}

#[test]
fn track_events_are_named_in_snake_case_and_ad_clicks_are_ads() {
    let name_of = |event: &str| {
        let payload =
            edited(ORDER_COMPLETED, &[("/event", Some(json!(event))), ("/properties", Some(json!({})))]);
        let rows = normalize("demo-web", "segment", "tracks", &payload).unwrap();
        (rows.events[0].full_name(), rows.events[0].revenue)
    };
    assert_eq!(name_of("Ad Clicked"), ("ads.ad_clicked".to_owned(), None));
    assert_eq!(name_of("Product Added"), ("web.product_added".to_owned(), None));
    assert_eq!(name_of("Signed Up"), ("web.signed_up".to_owned(), None));
    assert_eq!(name_of("checkoutStepViewed"), ("web.checkout_step_viewed".to_owned(), None));
    assert_eq!(name_of("Video Playback: Started"), ("web.video_playback_started".to_owned(), None));
}

#[test]
fn an_ad_click_keeps_its_properties_and_campaign() {
    let payload = json!({
        "type": "track", "event": "Ad Clicked", "anonymousId": "anon-3-0-00ff00",
        "properties": { "ad_network": "facebook", "click_id": "clk-3-1" },
        "context": { "campaign": { "source": "facebook", "medium": "paid_social" } },
        "timestamp": "2026-03-05T19:20:00Z"
    });
    check(
        "demo-web",
        "segment",
        "tracks",
        &payload.to_string(),
        expect![[r#"
            identifier anonymous_id anon-3-0-00ff00
            event 2026-03-05T19:20:00Z ads.ad_clicked {"ad_network":"facebook","click_id":"clk-3-1","utm_medium":"paid_social","utm_source":"facebook"}
        "#]],
    );
}

#[test]
fn identify_links_email_phone_and_records_traits() {
    check(
        "demo-web",
        "segment",
        "identifies",
        IDENTIFY,
        expect![[r#"
            identifier anonymous_id anon-1f-0-a1b2c3
            identifier customer_id:demo-web 7000000024
            identifier email Anna.Muller12@mailbox.demo
            identifier phone +44 7400 000012
            trait city = "Leeds" at 2026-03-01T10:12:00Z
            trait country = "GB" at 2026-03-01T10:12:00Z
            trait postal_code = "LS1 4AP" at 2026-03-01T10:12:00Z
            trait created_at = "2025-03-04T09:15:00Z" at 2026-03-01T10:12:00Z
            trait first_name = "Anna" at 2026-03-01T10:12:00Z
            trait last_name = "Müller" at 2026-03-01T10:12:00Z
            trait plan = "premium" at 2026-03-01T10:12:00Z
        "#]],
    );
}

#[test]
fn alias_links_the_previous_id_to_the_user() {
    let payload = json!({
        "type": "alias", "previousId": "anon-1f-0-a1b2c3", "userId": "7000000024",
        "timestamp": "2026-03-01T10:12:01Z"
    });
    check(
        "segment-import",
        "segment",
        "events",
        &payload.to_string(),
        expect![[r#"
            identifier customer_id:segment-import 7000000024
            identifier anonymous_id anon-1f-0-a1b2c3
        "#]],
    );
}

#[test]
fn group_records_the_group_as_traits() {
    let payload = json!({
        "type": "group", "userId": "7000000024", "anonymousId": "anon-1f-0-a1b2c3", "groupId": "acme-ltd",
        "traits": { "name": "Acme Ltd", "industry": "Retail", "employees": 120 },
        "timestamp": "2026-03-01T11:00:00Z"
    });
    check(
        "segment-import",
        "segment",
        "events",
        &payload.to_string(),
        expect![[r#"
            identifier anonymous_id anon-1f-0-a1b2c3
            identifier customer_id:segment-import 7000000024
            trait group.id = "acme-ltd" at 2026-03-01T11:00:00Z
            trait group.employees = 120 at 2026-03-01T11:00:00Z
            trait group.industry = "Retail" at 2026-03-01T11:00:00Z
            trait group.name = "Acme Ltd" at 2026-03-01T11:00:00Z
        "#]],
    );
}

#[test]
fn the_type_decides_whatever_the_stream() {
    for stream in ["pages", "tracks", "identifies", "events", "import.jsonl"] {
        let rows = normalize("demo-web", "segment", stream, IDENTIFY).unwrap();
        assert!(rows.events.is_empty() && rows.traits.len() == 7, "{stream}");
    }
}

#[test]
fn a_file_message_without_timestamp_uses_the_original_timestamp() {
    let payload = edited(PAGE, &[("/timestamp", None)]);
    let rows = normalize("segment-import", "segment", "events", &payload).unwrap();
    assert_eq!(rows.events[0].occurred_at.to_string(), "2026-03-01T10:00:00Z");
    assert_eq!(rows.identifiers[0].kind, IdKind::AnonymousId);
}

#[test]
fn malformed_messages_name_the_field() {
    check_errors(
        "demo-web",
        "segment",
        "tracks",
        ORDER_COMPLETED,
        &[
            ("/type", None),
            ("/type", Some(json!("trak"))),
            ("/event", None),
            ("/event", Some(json!("!!!"))),
            ("/timestamp", None),
            ("/timestamp", Some(json!("1 March"))),
            ("/anonymousId", None),
            ("/properties", Some(json!("order"))),
            ("/properties/revenue", Some(json!("lots"))),
            ("/properties/revenue", Some(json!({ "amount": 1 }))),
            ("/context/campaign", Some(json!(["google"]))),
            ("/userId", Some(json!(true))),
        ],
        expect![[r#"
            remove /type → missing-field: demo-web/tracks: type is missing
            /type = "trak" → unknown-value: demo-web/tracks: type "trak" is not one of identify, track, page, screen, alias or group
            remove /event → missing-field: demo-web/tracks: event is missing
            /event = "!!!" → unnamed-event: demo-web/tracks: event "!!!" has no letters or digits to name an event
            remove /timestamp → missing-field: demo-web/tracks: timestamp is missing
            /timestamp = "1 March" → bad-timestamp: demo-web/tracks: timestamp "1 March" is not RFC 3339
            remove /anonymousId → no error (1 events)
            /properties = "order" → wrong-type: demo-web/tracks: properties is a string, expected an object
            /properties/revenue = "lots" → bad-amount: demo-web/tracks: properties.revenue "lots" is not a decimal amount
            /properties/revenue = {"amount":1} → wrong-type: demo-web/tracks: properties.revenue is an object, expected a number
            /context/campaign = ["google"] → wrong-type: demo-web/tracks: context.campaign is an array, expected an object
            /userId = true → wrong-type: demo-web/tracks: userId is a boolean, expected a string or integer id
        "#]],
    );
    let anonymous = edited(ORDER_COMPLETED, &[("/anonymousId", None), ("/userId", Some(json!(null)))]);
    check(
        "demo-web",
        "segment",
        "tracks",
        &anonymous,
        expect![[r#"
            error no-identifier: demo-web/tracks: the record names no one: userId and anonymousId are both missing
        "#]],
    );
    let alias = json!({ "type": "alias", "userId": "1", "timestamp": "2026-03-01T10:12:01Z" });
    check(
        "demo-web",
        "segment",
        "aliases",
        &alias.to_string(),
        expect![[r#"
            error missing-field: demo-web/aliases: previousId is missing
        "#]],
    );
}
