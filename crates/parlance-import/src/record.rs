//! What every format's reader yields: records to land, and line problems.

use std::borrow::Cow;

use parlance_warehouse::Timestamp;
use serde_json::value::RawValue;

use crate::{ImportError, LineProblem};

/// One record read from the file, ready to land.
#[derive(Clone, Debug)]
pub(crate) struct FileRecord {
    pub(crate) stream: Cow<'static, str>,
    /// The record's idempotency key within the stream.
    pub(crate) source_id: String,
    pub(crate) updated_at: Option<Timestamp>,
    /// The payload as landed: the line (JSONL) or the row as a JSON object.
    pub(crate) payload: String,
    pub(crate) line: u64,
}

/// The next thing a reader found.
#[derive(Debug)]
pub(crate) enum Read {
    /// A record to land; with a problem when it is known not to normalise.
    Record(FileRecord, Option<LineProblem>),
    /// A line that cannot be landed.
    Problem(LineProblem),
}

/// A format's reader: records in file order, streamed.
pub(crate) trait RecordReader: Send {
    /// The next record or problem; `None` at the end of the file. An error
    /// stops the import (the file cannot be read any more).
    fn next_read(&mut self) -> Result<Option<Read>, ImportError>;
    /// Bytes of the file read so far (for progress).
    fn bytes_read(&self) -> u64;
}

/// A JSON syntax error as a person reads it: `not valid JSON: expected `,`
/// or `}` at column 57` (the line is named by the caller).
pub(crate) fn json_problem(text: &str, e: &serde_json::Error) -> String {
    let _ = text;
    let full = e.to_string();
    let message = full.rsplit_once(" at line ").map_or(full.as_str(), |(message, _)| message);
    if e.is_data() {
        return message.to_owned();
    }
    format!("not valid JSON: {message} at column {}", e.column())
}

/// A raw JSON value as text: a string's content, a number's digits, `None`
/// for null. Objects and arrays are kept as their JSON text.
pub(crate) fn raw_text(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    let text = raw?.get();
    if text == "null" {
        return None;
    }
    if text.starts_with('"') {
        return serde_json::from_str::<Cow<'_, str>>(text).ok();
    }
    Some(Cow::Borrowed(text))
}

/// A problem with line `line` of `file`, as a reader yields it.
pub(crate) fn line_problem(file: &str, line: u64, message: String) -> Read {
    Read::Problem(LineProblem { file: file.to_owned(), line, message, landed: false })
}

/// The next line of a JSONL file with its leading fields parsed as `H`.
pub(crate) enum JsonLine<'t, H> {
    /// The end of the file.
    End,
    /// A line that is not UTF-8, not an object, or not valid JSON.
    Problem(Read),
    /// The line's number, its text and its head.
    Object { number: u64, text: &'t str, head: H },
}

/// Reads the next line of `lines` (from `file`) and parses its head: the
/// steps every JSONL format shares before its own checks.
pub(crate) fn next_json_object<'t, H: serde::Deserialize<'t>>(
    lines: &'t mut crate::lines::Lines,
    file: &str,
) -> Result<JsonLine<'t, H>, ImportError> {
    use crate::lines::Line;
    let line =
        lines.next_line().map_err(|e| ImportError::Io { file: file.to_owned(), detail: e.to_string() })?;
    let (number, text) = match line {
        None => return Ok(JsonLine::End),
        Some(Line::NotUtf8 { number, at }) => {
            return Ok(JsonLine::Problem(line_problem(
                file,
                number,
                format!("not UTF-8 text (byte {})", at + 1),
            )));
        }
        Some(Line::Text { number, text }) => (number, text),
    };
    if !text.starts_with('{') {
        return Ok(JsonLine::Problem(line_problem(file, number, "not a JSON object".to_owned())));
    }
    match serde_json::from_str(text) {
        Ok(head) => Ok(JsonLine::Object { number, text, head }),
        Err(e) => Ok(JsonLine::Problem(line_problem(file, number, json_problem(text, &e)))),
    }
}
