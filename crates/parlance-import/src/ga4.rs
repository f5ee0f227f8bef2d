//! GA4 BigQuery-export JSONL: one `events_YYYYMMDD` row per line, as `bq
//! extract --destination_format NEWLINE_DELIMITED_JSON` writes it (INT64
//! values as strings; numbers are accepted too). Stream `events`.
//!
//! GA4 rows have no id of their own, so the idempotency key is a hash of
//! the fields that identify an event: `event_name`, `event_timestamp`,
//! `user_pseudo_id`, `user_id`, `event_bundle_sequence_id`, `stream_id`, and
//! where the export has them `batch_event_index`, `batch_page_id` and
//! `batch_ordering_id` (added to the export to tell apart events of one
//! batch). The same row exported twice, or re-imported, lands once; a row
//! with these fields equal but other fields changed updates that record. A
//! row without `event_name` or `event_timestamp` cannot be identified and
//! is reported with its line number.

use std::fs::File;

use parlance_warehouse::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::ImportError;
use crate::lines::Lines;
use crate::record::{FileRecord, JsonLine, Read, RecordReader, line_problem, next_json_object, raw_text};

#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow, default)]
    event_name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    event_timestamp: Option<&'a RawValue>,
    #[serde(borrow, default)]
    user_pseudo_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    user_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    event_bundle_sequence_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    stream_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    batch_event_index: Option<&'a RawValue>,
    #[serde(borrow, default)]
    batch_page_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    batch_ordering_id: Option<&'a RawValue>,
}

#[derive(Debug)]
pub(crate) struct Ga4Reader {
    file: String,
    lines: Lines,
}

impl Ga4Reader {
    pub(crate) fn new(file: String, handle: File) -> Self {
        Ga4Reader { file, lines: Lines::new(handle) }
    }
}

impl RecordReader for Ga4Reader {
    fn next_read(&mut self) -> Result<Option<Read>, ImportError> {
        let file = &self.file;
        let (number, text, head): (u64, &str, Head<'_>) = match next_json_object(&mut self.lines, file)? {
            JsonLine::End => return Ok(None),
            JsonLine::Problem(read) => return Ok(Some(read)),
            JsonLine::Object { number, text, head } => (number, text, head),
        };
        let problem = |line: u64, message: String| Ok(Some(line_problem(file, line, message)));
        if raw_text(head.event_name).is_none_or(|name| name.trim().is_empty()) {
            return problem(number, "event_name is missing: a GA4 export row always has one".to_owned());
        }
        let Some(micros) = raw_text(head.event_timestamp) else {
            return problem(number, "event_timestamp is missing: a GA4 export row always has one".to_owned());
        };
        let updated_at = micros
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|m| Timestamp::from_unix(m.div_euclid(1_000_000)).ok());
        let mut key = blake3::Hasher::new();
        for part in [
            head.event_name,
            head.event_timestamp,
            head.user_pseudo_id,
            head.user_id,
            head.event_bundle_sequence_id,
            head.stream_id,
            head.batch_event_index,
            head.batch_page_id,
            head.batch_ordering_id,
        ] {
            key.update(raw_text(part).as_deref().unwrap_or("").as_bytes());
            key.update(b"\x1f");
        }
        let hash = key.finalize().to_hex();
        Ok(Some(Read::Record(
            FileRecord {
                stream: "events".into(),
                source_id: format!("ga4-{}", hash.get(..32).unwrap_or(hash.as_str())),
                updated_at,
                payload: text.to_owned(),
                line: number,
            },
            None,
        )))
    }

    fn bytes_read(&self) -> u64 {
        self.lines.bytes_read
    }
}
