use rusqlite::{Connection, OptionalExtension, params};

use crate::error::SqlContext;
use crate::{Timestamp, WarehouseResult};

/// One record exactly as a source returned it.
#[derive(Clone, Debug)]
pub struct LandingRecord<'a> {
    pub stream: &'a str,
    /// The source's own id for the record: the idempotency key with the stream.
    pub source_id: &'a str,
    pub source_updated_at: Option<Timestamp>,
    /// The payload as JSON text. Callers serialise deterministically (serde_json
    /// sorts object keys), so an unchanged record hashes the same.
    pub payload_json: &'a str,
}

/// What landing did with one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LandOutcome {
    Inserted,
    Updated,
    Unchanged,
}

/// Counts of a landing batch (or of a whole run, by adding batches).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LandStats {
    pub pages: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl LandStats {
    pub fn record(&mut self, outcome: LandOutcome) {
        match outcome {
            LandOutcome::Inserted => self.inserted += 1,
            LandOutcome::Updated => self.updated += 1,
            LandOutcome::Unchanged => self.unchanged += 1,
        }
    }

    pub fn add(&mut self, other: &LandStats) {
        self.pages += other.pages;
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }

    pub fn records(&self) -> u64 {
        self.inserted + self.updated + self.unchanged
    }
}

/// Upserts `records` of `source` keyed on (source, stream, source id). A record
/// whose payload hash is unchanged is left alone, so landing the same page
/// twice changes nothing. Call inside [`crate::Warehouse::write`] so a page and
/// its cursor commit together.
pub fn land_records(
    conn: &Connection,
    source: &str,
    fetched_at: Timestamp,
    records: &[LandingRecord<'_>],
) -> WarehouseResult<LandStats> {
    let mut find = conn
        .prepare_cached(
            "SELECT id, content_hash FROM landing_records
             WHERE source = ?1 AND stream = ?2 AND source_id = ?3",
        )
        .context("preparing landing lookup")?;
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO landing_records
               (source, stream, source_id, source_updated_at, payload_json, content_hash, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .context("preparing landing insert")?;
    let mut update = conn
        .prepare_cached(
            "UPDATE landing_records
             SET source_updated_at = ?2, payload_json = ?3, content_hash = ?4, fetched_at = ?5
             WHERE id = ?1",
        )
        .context("preparing landing update")?;

    let fetched = fetched_at.to_string();
    let mut stats = LandStats { pages: 1, ..LandStats::default() };
    for record in records {
        let hash = blake3::hash(record.payload_json.as_bytes());
        let hash = hash.as_bytes().as_slice();
        let updated_at = record.source_updated_at.map(|t| t.to_string());
        let existing: Option<(i64, Vec<u8>)> = find
            .query_row(params![source, record.stream, record.source_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .context("looking up a landed record")?;
        let outcome = match existing {
            None => {
                insert
                    .execute(params![
                        source,
                        record.stream,
                        record.source_id,
                        updated_at,
                        record.payload_json,
                        hash,
                        fetched
                    ])
                    .context("landing a record")?;
                LandOutcome::Inserted
            }
            Some((_, old)) if old == hash => LandOutcome::Unchanged,
            Some((id, _)) => {
                update
                    .execute(params![id, updated_at, record.payload_json, hash, fetched])
                    .context("updating a landed record")?;
                LandOutcome::Updated
            }
        };
        stats.record(outcome);
    }
    Ok(stats)
}
