//! Zendesk end users and tickets.

use expect_test::expect;
use parlance_normalize::normalize;
use serde_json::json;

use crate::{check, check_errors, edited};

/// An end user, as `GET /api/v2/users` (incremental export) returns it.
pub const USER: &str = r#"{
  "id": 360000012,
  "url": "https://demo.zendesk.com/api/v2/users/360000012.json",
  "name": "Anna Müller",
  "email": "anna.muller12@mailbox.demo",
  "created_at": "2025-06-05T14:00:00Z",
  "updated_at": "2025-06-05T14:00:00Z",
  "time_zone": "London",
  "iana_time_zone": "Europe/London",
  "phone": "07400 000012",
  "shared_phone_number": false,
  "locale": "en-GB",
  "organization_id": null,
  "role": "end-user",
  "verified": true,
  "external_id": null,
  "tags": [],
  "active": true,
  "suspended": false,
  "user_fields": {}
}"#;

/// A ticket opened by phone, as `GET /api/v2/tickets` returns it.
pub const TICKET: &str = r#"{
  "id": 193,
  "url": "https://demo.zendesk.com/api/v2/tickets/193.json",
  "external_id": null,
  "via": { "channel": "voice", "source": { "from": { "phone": "+447400000012" }, "to": {}, "rel": "inbound" } },
  "created_at": "2025-06-05T14:00:00Z",
  "updated_at": "2025-06-06T09:30:00Z",
  "type": "question",
  "subject": "Question about delivery",
  "raw_subject": "Question about delivery",
  "description": "Where is my parcel?",
  "priority": "normal",
  "status": "solved",
  "recipient": null,
  "requester_id": 360000012,
  "submitter_id": 360000012,
  "assignee_id": 9001,
  "organization_id": null,
  "group_id": 77,
  "collaborator_ids": [],
  "follower_ids": [],
  "has_incidents": false,
  "is_public": true,
  "due_at": null,
  "tags": ["delivery", "parcel"],
  "custom_fields": [],
  "satisfaction_rating": null
}"#;

#[test]
fn a_user_gives_id_email_phone_and_name() {
    check(
        "demo-support",
        "zendesk",
        "users",
        USER,
        expect![[r#"
            identifier customer_id:demo-support 360000012
            identifier email anna.muller12@mailbox.demo
            identifier phone 07400 000012
            trait name = "Anna Müller" at 2025-06-05T14:00:00Z
        "#]],
    );
}

#[test]
fn a_ticket_by_phone_is_a_call() {
    check(
        "demo-support",
        "zendesk",
        "tickets",
        TICKET,
        expect![[r#"
            identifier customer_id:demo-support 360000012
            event 2025-06-05T14:00:00Z support.call {"reason":"delivery","status":"solved","ticket_id":"193","via_channel":"voice"}
            support 193 at 2025-06-05T14:00:00Z via phone reason=Some("delivery")
        "#]],
    );
}

#[test]
fn a_ticket_by_email_is_a_ticket_opened() {
    let payload =
        edited(TICKET, &[("/via", Some(json!({ "channel": "email" }))), ("/tags", Some(json!([])))]);
    check(
        "demo-support",
        "zendesk",
        "tickets",
        &payload,
        expect![[r#"
            identifier customer_id:demo-support 360000012
            event 2025-06-05T14:00:00Z support.ticket_opened {"status":"solved","ticket_id":"193","via_channel":"email"}
            support 193 at 2025-06-05T14:00:00Z via email reason=None
        "#]],
    );
}

#[test]
fn via_types_and_ids_map_to_contact_channels() {
    let channel_of = |via: serde_json::Value| {
        let payload = edited(TICKET, &[("/via/channel", Some(via))]);
        let rows = normalize("demo-support", "zendesk", "tickets", &payload).unwrap();
        let contact = rows.support_contact.unwrap();
        (contact.channel, rows.events[0].full_name())
    };
    assert_eq!(channel_of(json!("email")), ("email", "support.ticket_opened".to_owned()));
    assert_eq!(channel_of(json!("mail")), ("email", "support.ticket_opened".to_owned()));
    assert_eq!(channel_of(json!(4)), ("email", "support.ticket_opened".to_owned()));
    assert_eq!(channel_of(json!("voice")), ("phone", "support.call".to_owned()));
    assert_eq!(channel_of(json!("phone_call_inbound")), ("phone", "support.call".to_owned()));
    assert_eq!(channel_of(json!(34)), ("phone", "support.call".to_owned()));
    assert_eq!(channel_of(json!("34")), ("phone", "support.call".to_owned()));
    assert_eq!(channel_of(json!("chat")), ("chat", "support.ticket_opened".to_owned()));
    assert_eq!(channel_of(json!("native_messaging")), ("chat", "support.ticket_opened".to_owned()));
    assert_eq!(channel_of(json!(29)), ("chat", "support.ticket_opened".to_owned()));
    assert_eq!(channel_of(json!("web")), ("web", "support.ticket_opened".to_owned()));
    assert_eq!(channel_of(json!("api")), ("web", "support.ticket_opened".to_owned()));
    assert_eq!(channel_of(json!("a_channel_from_next_year")), ("web", "support.ticket_opened".to_owned()));
}

#[test]
fn malformed_users_name_the_field() {
    check_errors(
        "demo-support",
        "zendesk",
        "users",
        USER,
        &[
            ("/id", None),
            ("/id", Some(json!(1.5))),
            ("/updated_at", Some(json!("5 June"))),
            ("/email", Some(json!(false))),
        ],
        expect![[r#"
            remove /id → missing-field: demo-support/users: id is missing
            /id = 1.5 → wrong-type: demo-support/users: id is a number, expected a string or integer id
            /updated_at = "5 June" → bad-timestamp: demo-support/users: updated_at "5 June" is not RFC 3339
            /email = false → wrong-type: demo-support/users: email is a boolean, expected a string
        "#]],
    );
}

#[test]
fn malformed_tickets_name_the_field() {
    check_errors(
        "demo-support",
        "zendesk",
        "tickets",
        TICKET,
        &[
            ("/requester_id", None),
            ("/requester_id", Some(json!([1]))),
            ("/id", None),
            ("/created_at", Some(json!("2025-06-05T14:00:00"))),
            ("/via", None),
            ("/via/channel", Some(json!({ "type": "voice" }))),
            ("/tags", Some(json!("delivery"))),
        ],
        expect![[r#"
            remove /requester_id → no-identifier: demo-support/tickets: the record names no one: requester_id is missing
            /requester_id = [1] → wrong-type: demo-support/tickets: requester_id is an array, expected a string or integer id
            remove /id → missing-field: demo-support/tickets: id is missing
            /created_at = "2025-06-05T14:00:00" → bad-timestamp: demo-support/tickets: created_at "2025-06-05T14:00:00" is not RFC 3339
            remove /via → missing-field: demo-support/tickets: via.channel is missing
            /via/channel = {"type":"voice"} → wrong-type: demo-support/tickets: via.channel is an object, expected a via type or via id
            /tags = "delivery" → wrong-type: demo-support/tickets: tags is a string, expected an array
        "#]],
    );
}
