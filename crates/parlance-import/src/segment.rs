//! Segment-spec JSONL: one message per line (`identify`, `track`, `page`,
//! `screen`, `alias`, `group`), as Segment's own exports and replays write
//! them. The stream is the message `type`; the idempotency key is its
//! `messageId` (Segment's own de-duplication key); the payload is the line
//! exactly as in the file.
//!
//! Only `type`, `messageId` and `timestamp` are read here, without building
//! the message: the normaliser reads the rest when the record is unified. A
//! line without a usable `messageId` or `type` cannot be landed and is
//! reported with its line number; a message with other problems (a bad
//! timestamp, no user) lands and is quarantined with the reason.

use std::borrow::Cow;
use std::fs::File;

use parlance_warehouse::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::ImportError;
use crate::lines::Lines;
use crate::record::{FileRecord, JsonLine, Read, RecordReader, line_problem, next_json_object, raw_text};

/// The message types of the Segment spec.
const TYPES: [&str; 6] = ["identify", "track", "page", "screen", "alias", "group"];

#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<&'a RawValue>,
    #[serde(rename = "messageId", borrow, default)]
    message_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    timestamp: Option<&'a RawValue>,
    #[serde(rename = "originalTimestamp", borrow, default)]
    original_timestamp: Option<&'a RawValue>,
}

#[derive(Debug)]
pub(crate) struct SegmentReader {
    file: String,
    lines: Lines,
}

impl SegmentReader {
    pub(crate) fn new(file: String, handle: File) -> Self {
        SegmentReader { file, lines: Lines::new(handle) }
    }
}

impl RecordReader for SegmentReader {
    fn next_read(&mut self) -> Result<Option<Read>, ImportError> {
        let file = &self.file;
        let (number, text, head): (u64, &str, Head<'_>) = match next_json_object(&mut self.lines, file)? {
            JsonLine::End => return Ok(None),
            JsonLine::Problem(read) => return Ok(Some(read)),
            JsonLine::Object { number, text, head } => (number, text, head),
        };
        let problem = |line: u64, message: String| Ok(Some(line_problem(file, line, message)));
        let Some(message_id) = raw_text(head.message_id).filter(|id| !id.trim().is_empty()) else {
            return problem(
                number,
                "messageId is missing: every Segment message needs one to be imported exactly once"
                    .to_owned(),
            );
        };
        if head.message_id.is_some_and(|raw| raw.get().starts_with(['{', '['])) {
            return problem(number, "messageId is not a string".to_owned());
        }
        let kind = match head.kind.map(|raw| serde_json::from_str::<Cow<'_, str>>(raw.get())) {
            None => {
                return problem(
                    number,
                    "type is missing: expected identify, track, page, screen, alias or group".to_owned(),
                );
            }
            Some(Err(_)) => return problem(number, "type is not a string".to_owned()),
            Some(Ok(kind)) => kind,
        };
        // Known types share their static name; others land under their own
        // name and are quarantined by the normaliser, which says why.
        let stream = match TYPES.iter().find(|known| **known == kind) {
            Some(known) => Cow::Borrowed(*known),
            None => Cow::Owned(kind.into_owned()),
        };
        let updated_at =
            raw_text(head.timestamp.or(head.original_timestamp)).and_then(|at| Timestamp::parse(&at).ok());
        Ok(Some(Read::Record(
            FileRecord {
                stream,
                source_id: message_id.into_owned(),
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
