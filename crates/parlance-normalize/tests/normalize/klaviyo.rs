//! Klaviyo profiles and events, as the JSON:API endpoints return them.

use expect_test::expect;
use serde_json::json;

use crate::{check, check_errors, edited};

/// A profile, as `GET /api/profiles` returns it.
pub const PROFILE: &str = r#"{
  "type": "profile",
  "id": "01GDDKASAP8TKDDA2GRZDSVP4H",
  "attributes": {
    "email": "sarah.mason@klaviyo-demo.com",
    "phone_number": "+15005550006",
    "external_id": "63f64a2b-c6bf-40c7-b81f-bed08162edbe",
    "first_name": "Sarah",
    "last_name": "Mason",
    "organization": "Klaviyo",
    "locale": "en-US",
    "title": "Engineer",
    "image": null,
    "created": "2022-11-08T00:00:00+00:00",
    "updated": "2022-11-08T00:00:00+00:00",
    "last_event_date": "2022-11-08T00:00:00+00:00",
    "location": { "address1": "89 E 42nd St", "city": "New York", "country": "United States", "region": "NY", "zip": "10017", "timezone": "America/New_York" },
    "properties": { "pseudonym": "Dr. Octopus" }
  },
  "relationships": { "lists": { "links": { "self": "https://a.klaviyo.com/api/profiles/01GDDKASAP8TKDDA2GRZDSVP4H/relationships/lists/" } } },
  "links": { "self": "https://a.klaviyo.com/api/profiles/01GDDKASAP8TKDDA2GRZDSVP4H/" }
}"#;

/// An event with its metric, as `GET /api/events?include=metric` lands it.
pub const EVENT: &str = r#"{
  "type": "event",
  "id": "4sDShKQjrdT",
  "attributes": {
    "timestamp": 1690229757,
    "datetime": "2023-07-24T20:15:57+00:00",
    "uuid": "4c8a3480-2a65-11ee-8001-3c5b3c3b0a15",
    "event_properties": { "Campaign Name": "July newsletter", "Subject": "New in July", "$message": "01H64RPNNC" }
  },
  "relationships": {
    "profile": { "data": { "type": "profile", "id": "01GDDKASAP8TKDDA2GRZDSVP4H" } },
    "metric": { "data": { "type": "metric", "id": "R3Vh3d" } }
  },
  "links": { "self": "https://a.klaviyo.com/api/events/4sDShKQjrdT/" },
  "metric": { "type": "metric", "id": "R3Vh3d", "attributes": { "name": "Opened Email", "integration": { "name": "Klaviyo" } } }
}"#;

#[test]
fn a_profile_names_its_id_email_and_phone() {
    check(
        "klaviyo-us",
        "klaviyo",
        "profiles",
        PROFILE,
        expect![[r#"
        identifier customer_id:klaviyo-us 01GDDKASAP8TKDDA2GRZDSVP4H
        identifier email sarah.mason@klaviyo-demo.com
        identifier phone +15005550006
        trait first_name = "Sarah" at 2022-11-08T00:00:00Z
        trait last_name = "Mason" at 2022-11-08T00:00:00Z
        trait city = "New York" at 2022-11-08T00:00:00Z
    "#]],
    );
}

#[test]
fn an_email_metric_is_the_shared_email_event() {
    check(
        "klaviyo-us",
        "klaviyo",
        "events",
        EVENT,
        expect![[r#"
        identifier customer_id:klaviyo-us 01GDDKASAP8TKDDA2GRZDSVP4H
        event 2023-07-24T20:15:57Z email.opened {"campaign_name":"July newsletter","event_id":"4sDShKQjrdT","metric":"Opened Email","metric_id":"R3Vh3d","subject":"New in July"}
    "#]],
    );
}

#[test]
fn other_metrics_keep_their_name_and_value() {
    let order = edited(
        EVENT,
        &[
            ("/metric/attributes/name", Some(json!("Placed Order"))),
            (
                "/attributes/event_properties",
                Some(json!({"$value": 42.5, "OrderId": "1001", "Items": ["Tea"]})),
            ),
        ],
    );
    check(
        "klaviyo-us",
        "klaviyo",
        "events",
        &order,
        expect![[r#"
        identifier customer_id:klaviyo-us 01GDDKASAP8TKDDA2GRZDSVP4H
        event 2023-07-24T20:15:57Z klaviyo.placed_order revenue=42.5 {"event_id":"4sDShKQjrdT","metric":"Placed Order","metric_id":"R3Vh3d","order_id":"1001"}
    "#]],
    );
    let sms = edited(EVENT, &[("/metric/attributes/name", Some(json!("Received SMS")))]);
    check(
        "klaviyo-us",
        "klaviyo",
        "events",
        &sms,
        expect![[r#"
        identifier customer_id:klaviyo-us 01GDDKASAP8TKDDA2GRZDSVP4H
        event 2023-07-24T20:15:57Z sms.received {"campaign_name":"July newsletter","event_id":"4sDShKQjrdT","metric":"Received SMS","metric_id":"R3Vh3d","subject":"New in July"}
    "#]],
    );
}

#[test]
fn broken_records_name_the_field() {
    check_errors(
        "klaviyo-us",
        "klaviyo",
        "events",
        EVENT,
        &[
            ("/metric", None),
            ("/relationships/profile/data", Some(json!(null))),
            ("/attributes/datetime", Some(json!(1690229757))),
            ("/metric/attributes/name", Some(json!("!!!"))),
        ],
        expect![[r#"
            remove /metric → missing-field: klaviyo-us/events: metric.attributes.name is missing
            /relationships/profile/data = null → no-identifier: klaviyo-us/events: the record names no one: relationships.profile.data.id is missing
            /attributes/datetime = 1690229757 → wrong-type: klaviyo-us/events: attributes.datetime is a number, expected an RFC 3339 timestamp string
            /metric/attributes/name = "!!!" → unnamed-event: klaviyo-us/events: metric.attributes.name "!!!" has no letters or digits to name an event
        "#]],
    );
}
