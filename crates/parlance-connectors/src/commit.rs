//! Committing one page: its records and the stream's new cursor, in the one
//! transaction the caller opened with `Warehouse::write`. Either both land or
//! neither does, so a crash at any moment loses nothing, and re-landing a
//! page changes nothing (upsert on the source's own ids, unchanged payloads
//! are not rewritten).
//!
//! One more rule keeps overlapping fetches safe (look-back windows, change
//! feeds listed newest first): a record never replaces a landed version with
//! a later updated-at.

use std::collections::HashMap;

use parlance_warehouse::{
    Connection, LandStats, LandingRecord, Timestamp, WarehouseResult, land_records, params,
};
use rusqlite::OptionalExtension;

use crate::connector::FetchedRecord;
use crate::cursor::StreamCursor;
use crate::state::{sqlite, write_cursor};

/// What committing a page did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageCommit {
    pub landed: LandStats,
    /// Records skipped because a newer version is already landed (or comes
    /// later in the same page).
    pub older_than_landed: u64,
}

/// Where a page goes: which source and stream, and when.
#[derive(Clone, Copy, Debug)]
pub struct PageTarget<'a> {
    pub source: &'a str,
    pub stream: &'a str,
    pub now: Timestamp,
}

/// Lands `records` and saves `cursor`, inside the caller's transaction.
pub fn commit_page(
    conn: &Connection,
    target: PageTarget<'_>,
    records: &[FetchedRecord],
    cursor: &StreamCursor,
) -> WarehouseResult<PageCommit> {
    let newest = newest_per_id(records);
    let mut fresh = Vec::with_capacity(newest.len());
    for record in &newest {
        if !is_older_than_landed(conn, target, record)? {
            fresh.push(LandingRecord {
                stream: target.stream,
                source_id: &record.source_id,
                source_updated_at: record.updated_at,
                payload_json: &record.payload_json,
            });
        }
    }
    let landed = land_records(conn, target.source, target.now, &fresh)?;
    write_cursor(conn, target.source, target.stream, cursor, target.now)?;
    let skipped = records.len() - fresh.len();
    Ok(PageCommit { landed, older_than_landed: skipped as u64 })
}

/// One record per source id — the one with the latest updated-at (the later
/// one in page order on a tie) — in the order the ids first appear.
fn newest_per_id(records: &[FetchedRecord]) -> Vec<&FetchedRecord> {
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    let mut newest: Vec<&FetchedRecord> = Vec::with_capacity(records.len());
    for record in records {
        match index_of.get(record.source_id.as_str()) {
            Some(&i) if newest[i].updated_at > record.updated_at => {}
            Some(&i) => newest[i] = record,
            None => {
                index_of.insert(&record.source_id, newest.len());
                newest.push(record);
            }
        }
    }
    newest
}

fn is_older_than_landed(
    conn: &Connection,
    target: PageTarget<'_>,
    record: &FetchedRecord,
) -> WarehouseResult<bool> {
    let Some(incoming) = record.updated_at else { return Ok(false) };
    let mut statement = conn
        .prepare_cached(
            "SELECT source_updated_at FROM landing_records WHERE source = ?1 AND stream = ?2 AND source_id = ?3",
        )
        .map_err(|e| sqlite("preparing the landed-version lookup", e))?;
    let landed: Option<Option<String>> = statement
        .query_row(params![target.source, target.stream, record.source_id], |row| row.get(0))
        .optional()
        .map_err(|e| sqlite("looking up a landed version", e))?;
    // RFC 3339 UTC text with whole seconds sorts as time.
    Ok(matches!(landed, Some(Some(landed)) if landed > incoming.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(id: &str, updated: Option<i64>, n: u32) -> FetchedRecord {
        FetchedRecord::new(id, updated.map(Timestamp::from_unix_clamped), &json!({ "id": id, "n": n }))
    }

    #[test]
    fn the_newest_version_of_each_id_wins_within_a_page() {
        let page = [
            record("a", Some(20), 1),
            record("b", None, 2),
            record("a", Some(10), 3),
            record("a", Some(20), 4),
        ];
        let kept: Vec<_> = newest_per_id(&page).into_iter().map(|r| r.payload_json.clone()).collect();
        assert_eq!(kept, vec![r#"{"id":"a","n":4}"#.to_owned(), r#"{"id":"b","n":2}"#.to_owned()]);
    }
}
