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
    land_each(conn, source, fetched_at, records, |_, _, _| Ok(()))
}

/// Like [`land_records`], calling `landed(index, outcome, landing id)` for
/// every record written (inserted or updated), e.g. to record lineage.
pub fn land_each(
    conn: &Connection,
    source: &str,
    fetched_at: Timestamp,
    records: &[LandingRecord<'_>],
    mut landed: impl FnMut(usize, LandOutcome, i64) -> WarehouseResult<()>,
) -> WarehouseResult<LandStats> {
    // Optimistic insert first: on a first load every record is new and costs
    // one index descent; only a conflict falls through to the update.
    let mut insert = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO landing_records
               (source, stream, source_id, source_updated_at, payload_json, content_hash, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )
        .context("preparing landing insert")?;
    let mut update = conn
        .prepare_cached(
            "UPDATE landing_records
             SET source_updated_at = ?4, payload_json = ?5, content_hash = ?6, fetched_at = ?7
             WHERE source = ?1 AND stream = ?2 AND source_id = ?3 AND content_hash != ?6
             RETURNING id",
        )
        .context("preparing landing update")?;

    let fetched = fetched_at.to_string();
    let mut stats = LandStats { pages: 1, ..LandStats::default() };
    for (index, record) in records.iter().enumerate() {
        let hash = blake3::hash(record.payload_json.as_bytes());
        let values = params![
            source,
            record.stream,
            record.source_id,
            record.source_updated_at.map(|t| t.to_string()),
            record.payload_json,
            hash.as_bytes().as_slice(),
            fetched
        ];
        let inserted: Option<i64> =
            insert.query_row(values, |r| r.get(0)).optional().context("landing a record")?;
        let (outcome, id) = match inserted {
            Some(id) => (LandOutcome::Inserted, Some(id)),
            None => {
                match update.query_row(values, |r| r.get(0)).optional().context("updating a landed record")? {
                    Some(id) => (LandOutcome::Updated, Some(id)),
                    None => (LandOutcome::Unchanged, None),
                }
            }
        };
        stats.record(outcome);
        if let Some(id) = id {
            landed(index, outcome, id)?;
        }
    }
    Ok(stats)
}
