//! A stream's sync state as stored in `stream_state.cursor_json`, and the
//! pure arithmetic of moving it forward one page.
//!
//! ```json
//! {"watermark":"2026-11-01T09:00:00Z",
//!  "pass":{"since":"2026-11-01T08:58:00Z","started_at":"2026-11-02T10:00:00Z",
//!          "cursor":{"after":"eyJsYXN0X2lk..."},"high_water":"2026-11-02T09:59:00Z"}}
//! ```
//!
//! The *watermark* is the latest updated-at the stream is known complete up
//! to. A *pass* walks the stream from `since` (the watermark minus the
//! look-back; `None` = everything) page by page; the pass in progress is
//! saved with every page, so an interrupted sync resumes mid-pass. When the
//! pass is exhausted the watermark moves to the latest updated-at it saw.
//! Cursors are on updated-at, never on ids alone: ids miss updates.

use std::time::Duration;

use parlance_warehouse::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::connector::Page;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamCursor {
    pub watermark: Option<Timestamp>,
    pub pass: Option<Pass>,
}

/// A walk over a stream that may span several runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pass {
    pub since: Option<Timestamp>,
    pub started_at: Timestamp,
    /// The connector's position: where the next page starts.
    pub cursor: Option<Value>,
    /// The latest updated-at (or page watermark) committed in this pass.
    pub high_water: Option<Timestamp>,
}

impl StreamCursor {
    /// The pass to continue: the one in progress, or a new one starting at
    /// the watermark minus `look_back`.
    pub fn current_pass(&self, look_back: Duration, now: Timestamp) -> Pass {
        self.pass.clone().unwrap_or_else(|| Pass {
            since: self.watermark.map(|w| minus(w, look_back)),
            started_at: now,
            cursor: None,
            high_water: None,
        })
    }

    /// The state after committing `page` of `pass`.
    pub fn after_page(&self, pass: &Pass, page: &Page) -> StreamCursor {
        let high_water = latest(pass.high_water, page_high_water(page));
        if page.exhausted {
            StreamCursor { watermark: latest(self.watermark, high_water), pass: None }
        } else {
            let pass = Pass { cursor: page.next_cursor.clone(), high_water, ..pass.clone() };
            StreamCursor { watermark: self.watermark, pass: Some(pass) }
        }
    }
}

fn page_high_water(page: &Page) -> Option<Timestamp> {
    page.records.iter().filter_map(|r| r.updated_at).fold(page.watermark, |acc, t| latest(acc, Some(t)))
}

fn latest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn minus(at: Timestamp, look_back: Duration) -> Timestamp {
    let seconds = i64::try_from(look_back.as_secs()).unwrap_or(i64::MAX);
    Timestamp::from_unix_clamped(at.unix().saturating_sub(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::FetchedRecord;
    use serde_json::json;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_unix_clamped(1_800_000_000 + secs)
    }

    fn record(id: &str, updated: i64) -> FetchedRecord {
        FetchedRecord::new(id, Some(at(updated)), &json!({ "id": id }))
    }

    #[test]
    fn a_new_pass_starts_at_the_watermark_minus_the_look_back() {
        let cursor = StreamCursor { watermark: Some(at(1_000)), pass: None };
        let pass = cursor.current_pass(Duration::from_secs(120), at(5_000));
        assert_eq!(pass.since, Some(at(880)));
        assert_eq!(pass.started_at, at(5_000));
        assert_eq!(StreamCursor::default().current_pass(Duration::from_secs(120), at(5_000)).since, None);
    }

    #[test]
    fn the_watermark_moves_only_when_the_pass_is_exhausted() {
        let start = StreamCursor { watermark: Some(at(10)), pass: None };
        let pass = start.current_pass(Duration::ZERO, at(100));
        let middle = start.after_page(&pass, &Page::more(vec![record("a", 50)], json!({"after": "x"})));
        assert_eq!(middle.watermark, Some(at(10)));
        let in_progress = middle.pass.clone().unwrap_or_else(|| panic!("pass kept"));
        assert_eq!(in_progress.cursor, Some(json!({"after": "x"})));
        assert_eq!(in_progress.high_water, Some(at(50)));

        let end = middle.after_page(&in_progress, &Page::last(vec![record("b", 40)]));
        assert_eq!(end, StreamCursor { watermark: Some(at(50)), pass: None });
    }

    #[test]
    fn an_empty_pass_keeps_the_watermark_and_a_page_watermark_counts() {
        let start = StreamCursor { watermark: Some(at(10)), pass: None };
        let pass = start.current_pass(Duration::ZERO, at(100));
        assert_eq!(start.after_page(&pass, &Page::last(vec![])).watermark, Some(at(10)));
        let vouched = Page::last(vec![]).with_watermark(Some(at(99)));
        assert_eq!(start.after_page(&pass, &vouched).watermark, Some(at(99)));
    }

    #[test]
    fn the_stored_form_round_trips() {
        let cursor = StreamCursor {
            watermark: Some(at(1)),
            pass: Some(Pass {
                since: None,
                started_at: at(2),
                cursor: Some(json!({"a": 1})),
                high_water: None,
            }),
        };
        let text = serde_json::to_string(&cursor).unwrap_or_default();
        assert_eq!(serde_json::from_str::<StreamCursor>(&text).ok(), Some(cursor));
    }
}
