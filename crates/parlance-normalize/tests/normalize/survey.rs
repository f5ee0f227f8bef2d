//! Survey responses: NPS and stated preferences as traits.

use expect_test::expect;
use serde_json::json;

use crate::{check, check_errors, edited};

pub const RESPONSE: &str = r#"{
  "response_id": "r-1f",
  "submitted_at": "2026-03-04T18:30:00Z",
  "respondent": { "email": "anna.muller12@mailbox.demo" },
  "answers": { "nps": 9, "preferred_channel": "email", "interest": "books" }
}"#;

#[test]
fn a_response_gives_answers_as_traits_and_an_event() {
    check(
        "demo-survey",
        "survey",
        "responses",
        RESPONSE,
        expect![[r#"
            identifier email anna.muller12@mailbox.demo
            event 2026-03-04T18:30:00Z survey.response {"nps":9,"response_id":"r-1f"}
            trait survey.interest = "books" at 2026-03-04T18:30:00Z
            trait survey.nps = 9 at 2026-03-04T18:30:00Z
            trait survey.preferred_channel = "email" at 2026-03-04T18:30:00Z
        "#]],
    );
}

#[test]
fn unanswered_questions_are_skipped_and_other_questions_kept() {
    let payload = edited(
        RESPONSE,
        &[
            ("/answers/nps", Some(json!(null))),
            ("/answers/Would Recommend To", Some(json!(["friends", "family"]))),
            ("/answers/nps_reason", Some(json!(""))),
        ],
    );
    check(
        "demo-survey",
        "survey",
        "responses",
        &payload,
        expect![[r#"
            identifier email anna.muller12@mailbox.demo
            event 2026-03-04T18:30:00Z survey.response {"response_id":"r-1f"}
            trait survey.would_recommend_to = ["friends","family"] at 2026-03-04T18:30:00Z
            trait survey.interest = "books" at 2026-03-04T18:30:00Z
            trait survey.preferred_channel = "email" at 2026-03-04T18:30:00Z
        "#]],
    );
}

#[test]
fn nps_is_a_whole_number_from_0_to_10() {
    check_errors(
        "demo-survey",
        "survey",
        "responses",
        RESPONSE,
        &[
            ("/answers/nps", Some(json!(0))),
            ("/answers/nps", Some(json!(10))),
            ("/answers/nps", Some(json!(7.0))),
            ("/answers/nps", Some(json!(11))),
            ("/answers/nps", Some(json!(-1))),
            ("/answers/nps", Some(json!(7.5))),
            ("/answers/nps", Some(json!("9"))),
            ("/answers/nps", Some(json!(1e300))),
        ],
        expect![[r#"
            /answers/nps = 0 → no error (1 events)
            /answers/nps = 10 → no error (1 events)
            /answers/nps = 7.0 → no error (1 events)
            /answers/nps = 11 → out-of-range: demo-survey/responses: answers.nps 11 is outside the whole numbers 0–10
            /answers/nps = -1 → out-of-range: demo-survey/responses: answers.nps -1 is outside the whole numbers 0–10
            /answers/nps = 7.5 → out-of-range: demo-survey/responses: answers.nps 7.5 is outside the whole numbers 0–10
            /answers/nps = "9" → wrong-type: demo-survey/responses: answers.nps is a string, expected a whole number from 0 to 10
            /answers/nps = 1e+300 → out-of-range: demo-survey/responses: answers.nps 1e+300 is outside the whole numbers 0–10
        "#]],
    );
}

#[test]
fn malformed_responses_name_the_field() {
    check_errors(
        "demo-survey",
        "survey",
        "responses",
        RESPONSE,
        &[
            ("/submitted_at", None),
            ("/submitted_at", Some(json!("2026-03-04"))),
            ("/respondent", None),
            ("/respondent", Some(json!("anna@mailbox.demo"))),
            ("/answers", Some(json!([9, "email"]))),
        ],
        expect![[r#"
            remove /submitted_at → missing-field: demo-survey/responses: submitted_at is missing
            /submitted_at = "2026-03-04" → bad-timestamp: demo-survey/responses: submitted_at "2026-03-04" is not RFC 3339
            remove /respondent → no-identifier: demo-survey/responses: the record names no one: respondent.email and respondent.phone are missing
            /respondent = "anna@mailbox.demo" → wrong-type: demo-survey/responses: respondent is a string, expected an object
            /answers = [9,"email"] → wrong-type: demo-survey/responses: answers is an array, expected an object
        "#]],
    );
}
