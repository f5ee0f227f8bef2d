//! Survey responses (`responses`): who answered, when, and the answers.
//!
//! ```json
//! { "response_id": "r-1f", "submitted_at": "2026-03-01T10:00:00Z",
//!   "respondent": { "email": "anna@mailbox.demo" },
//!   "answers": { "nps": 9, "preferred_channel": "email", "interest": "books" } }
//! ```
//!
//! Every answer becomes a trait `survey.<question>` (snake_case), observed at
//! `submitted_at`; unanswered questions (null) are skipped. `nps` must be a
//! whole number from 0 to 10.

use parlance_identity::IdKind;
use serde_json::Value;

use crate::fields::{Fields, type_name};
use crate::naming::snake_case;
use crate::rows::{EventRow, Normalized};
use crate::{Normalizer, Problem};

pub(crate) const STREAMS: &str = "responses";

pub(crate) fn normalizer(stream: &str) -> Option<Normalizer> {
    match stream {
        "responses" => Some(response),
        _ => None,
    }
}

/// A response: the respondent's email (and phone), a `survey.<question>`
/// trait per answer, and `survey.response`.
fn response(_source: &str, response: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    out.identify(IdKind::Email, response.opt_str("respondent.email")?);
    out.identify(IdKind::Phone, response.opt_str("respondent.phone")?);
    let submitted_at = response.timestamp("submitted_at")?;

    let mut nps = None;
    if let Some(answers) = response.opt_object("answers")? {
        for (question, answer) in answers.map() {
            let key = snake_case(question);
            if key.is_empty() || answer.is_null() {
                continue;
            }
            let answer = if key == "nps" {
                let score = nps_score(answer, || answers.path(question))?;
                nps = Some(score);
                Value::from(score)
            } else {
                answer.clone()
            };
            out.observe(format!("survey.{key}"), answer, submitted_at);
        }
    }
    out.events.push(
        EventRow::new(submitted_at, "survey", "response")
            .with("response_id", response.opt_id("response_id")?.map(|id| id.into_owned()))
            .with("nps", nps),
    );
    out.named("respondent.email and respondent.phone are missing")
}

/// An NPS answer: a whole number from 0 to 10 (`9` or `9.0`).
fn nps_score(answer: &Value, field: impl Fn() -> String) -> Result<u8, Problem> {
    let Value::Number(number) = answer else {
        return Err(Problem::WrongType {
            field: field(),
            expected: "a whole number from 0 to 10",
            found: type_name(answer),
        });
    };
    let whole = number.as_u64().or_else(|| {
        number.as_f64().filter(|n| n.fract() == 0.0 && (0.0..=10.0).contains(n)).map(|n| n as u64)
    });
    whole.and_then(|score| u8::try_from(score).ok()).filter(|score| *score <= 10).ok_or_else(|| {
        Problem::OutOfRange { field: field(), value: number.to_string(), range: "the whole numbers 0–10" }
    })
}
