//! Mailchimp list members and campaign email activity.

use expect_test::expect;
use serde_json::json;

use crate::{check, check_errors, edited};

/// A list member, as `GET /lists/{list_id}/members` returns it.
pub const MEMBER: &str = r#"{
  "id": "62eeb292278cc15f5817cb78f7790b08",
  "email_address": "Anna.Muller12@mailbox.demo",
  "unique_email_id": "62eeb29227",
  "contact_id": "b2a4a1d1e0e6c5fa8a8f2d3e0b1c9d7f",
  "full_name": "Anna Müller",
  "web_id": 123456789,
  "email_type": "html",
  "status": "subscribed",
  "consents_to_one_to_one_messaging": true,
  "merge_fields": { "FNAME": "Anna", "LNAME": "Müller", "ADDRESS": "", "PHONE": "", "BIRTHDAY": "" },
  "stats": { "avg_open_rate": 0.42, "avg_click_rate": 0.08 },
  "ip_signup": "",
  "timestamp_signup": "",
  "ip_opt": "203.0.113.7",
  "timestamp_opt": "2025-03-04T10:15:00+00:00",
  "member_rating": 3,
  "last_changed": "2025-03-04T10:15:00+00:00",
  "language": "en",
  "vip": false,
  "email_client": "Gmail",
  "location": { "latitude": 53.8, "longitude": -1.55, "gmtoff": 0, "dstoff": 0, "country_code": "GB", "timezone": "Europe/London" },
  "source": "Hosted Signup Form",
  "tags_count": 0,
  "tags": [],
  "list_id": "57afe96172"
}"#;

/// One recipient's activity on one campaign: an element of `emails` from
/// `GET /reports/{campaign_id}/email-activity`.
pub const ACTIVITY: &str = r#"{
  "campaign_id": "42694e9e57",
  "list_id": "57afe96172",
  "list_is_active": true,
  "email_id": "62eeb292278cc15f5817cb78f7790b08",
  "email_address": "anna.muller12@mailbox.demo",
  "activity": [
    { "action": "open", "timestamp": "2026-02-03T08:01:12+00:00", "ip": "203.0.113.7" },
    { "action": "click", "timestamp": "2026-02-03T08:01:52+00:00",
      "url": "https://shop.demo/books?utm_source=newsletter", "ip": "203.0.113.7" }
  ]
}"#;

#[test]
fn a_subscribed_member_gives_status_names_and_subscribed() {
    check(
        "demo-email",
        "mailchimp",
        "members",
        MEMBER,
        expect![[r#"
            identifier email Anna.Muller12@mailbox.demo
            event 2025-03-04T10:15:00Z email.subscribed {"list_id":"57afe96172"}
            trait email.status = "subscribed" at 2025-03-04T10:15:00Z
            trait first_name = "Anna" at 2025-03-04T10:15:00Z
            trait last_name = "Müller" at 2025-03-04T10:15:00Z
        "#]],
    );
}

#[test]
fn an_unsubscribed_member_also_gives_unsubscribed_at_the_last_change() {
    let payload = edited(
        MEMBER,
        &[
            ("/status", Some(json!("unsubscribed"))),
            ("/unsubscribe_reason", Some(json!("No longer interested"))),
            ("/last_changed", Some(json!("2026-04-01T09:00:00+01:00"))),
            ("/merge_fields/PHONE", Some(json!("07400 000012"))),
        ],
    );
    check(
        "demo-email",
        "mailchimp",
        "members",
        &payload,
        expect![[r#"
            identifier email Anna.Muller12@mailbox.demo
            identifier phone 07400 000012
            event 2025-03-04T10:15:00Z email.subscribed {"list_id":"57afe96172"}
            event 2026-04-01T08:00:00Z email.unsubscribed {"list_id":"57afe96172","reason":"No longer interested"}
            trait email.status = "unsubscribed" at 2026-04-01T08:00:00Z
            trait first_name = "Anna" at 2026-04-01T08:00:00Z
            trait last_name = "Müller" at 2026-04-01T08:00:00Z
        "#]],
    );
}

#[test]
fn a_member_without_an_opt_in_time_has_no_subscribed_event() {
    let payload =
        edited(MEMBER, &[("/status", Some(json!("transactional"))), ("/timestamp_opt", Some(json!("")))]);
    check(
        "demo-email",
        "mailchimp",
        "members",
        &payload,
        expect![[r#"
            identifier email Anna.Muller12@mailbox.demo
            trait email.status = "transactional" at 2025-03-04T10:15:00Z
            trait first_name = "Anna" at 2025-03-04T10:15:00Z
            trait last_name = "Müller" at 2025-03-04T10:15:00Z
        "#]],
    );
}

#[test]
fn activity_gives_one_event_per_action() {
    check(
        "demo-email",
        "mailchimp",
        "email_activity",
        ACTIVITY,
        expect![[r#"
            identifier email anna.muller12@mailbox.demo
            event 2026-02-03T08:01:12Z email.opened {"campaign_id":"42694e9e57","list_id":"57afe96172"}
            event 2026-02-03T08:01:52Z email.clicked {"campaign_id":"42694e9e57","list_id":"57afe96172","url":"https://shop.demo/books?utm_source=newsletter"}
        "#]],
    );
    let bounced = edited(
        ACTIVITY,
        &[(
            "/activity",
            Some(json!([{ "action": "bounce", "type": "hard", "timestamp": "2026-02-03T08:00:30+00:00" }])),
        )],
    );
    check(
        "demo-email",
        "mailchimp",
        "email_activity",
        &bounced,
        expect![[r#"
            identifier email anna.muller12@mailbox.demo
            event 2026-02-03T08:00:30Z email.bounced {"bounce_type":"hard","campaign_id":"42694e9e57","list_id":"57afe96172"}
        "#]],
    );
    // Sent but not opened: the recipient is known, nothing happened.
    let quiet = edited(ACTIVITY, &[("/activity", Some(json!([])))]);
    check(
        "demo-email",
        "mailchimp",
        "email_activity",
        &quiet,
        expect![[r#"
            identifier email anna.muller12@mailbox.demo
        "#]],
    );
}

#[test]
fn malformed_members_name_the_field() {
    check_errors(
        "demo-email",
        "mailchimp",
        "members",
        MEMBER,
        &[
            ("/email_address", None),
            ("/email_address", Some(json!(""))),
            ("/status", Some(json!(1))),
            ("/last_changed", Some(json!("last tuesday"))),
            ("/timestamp_opt", Some(json!("2025-03-04 10:15:00"))),
            ("/merge_fields", Some(json!(["Anna"]))),
            ("/merge_fields/FNAME", Some(json!({ "first": "Anna" }))),
        ],
        expect![[r#"
            remove /email_address → missing-field: demo-email/members: email_address is missing
            /email_address = "" → no-identifier: demo-email/members: the record names no one: email_address is empty
            /status = 1 → wrong-type: demo-email/members: status is a number, expected a string
            /last_changed = "last tuesday" → bad-timestamp: demo-email/members: last_changed "last tuesday" is not RFC 3339
            /timestamp_opt = "2025-03-04 10:15:00" → bad-timestamp: demo-email/members: timestamp_opt "2025-03-04 10:15:00" is not RFC 3339
            /merge_fields = ["Anna"] → wrong-type: demo-email/members: merge_fields is an array, expected an object
            /merge_fields/FNAME = {"first":"Anna"} → wrong-type: demo-email/members: merge_fields.FNAME is an object, expected a string
        "#]],
    );
}

#[test]
fn malformed_activity_names_the_field() {
    check_errors(
        "demo-email",
        "mailchimp",
        "email_activity",
        ACTIVITY,
        &[
            ("/campaign_id", None),
            ("/activity/1/action", Some(json!("forward"))),
            ("/activity/1/action", None),
            ("/activity/0/timestamp", Some(json!("soon"))),
            ("/activity/0", Some(json!("open"))),
            ("/activity", Some(json!("open"))),
        ],
        expect![[r#"
            remove /campaign_id → missing-field: demo-email/email_activity: campaign_id is missing
            /activity/1/action = "forward" → unknown-value: demo-email/email_activity: activity[1].action "forward" is not one of open, click or bounce
            remove /activity/1/action → missing-field: demo-email/email_activity: activity[1].action is missing
            /activity/0/timestamp = "soon" → bad-timestamp: demo-email/email_activity: activity[0].timestamp "soon" is not RFC 3339
            /activity/0 = "open" → wrong-type: demo-email/email_activity: activity[0] is a string, expected an object
            /activity = "open" → wrong-type: demo-email/email_activity: activity is a string, expected an array
        "#]],
    );
}
