use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::WarehouseResult;
use crate::error::SqlContext;

/// Tables of each layer, in display order, with a label for people. The names
/// are fixed here (never user text), so formatting them into SQL is safe.
const UNIFIED: &[(&str, &str)] = &[
    ("profiles", "Profiles"),
    ("identifiers", "Identifiers"),
    ("events", "Events"),
    ("orders", "Orders"),
    ("support_contacts", "Support contacts"),
    ("traits", "Traits"),
];
const DERIVED: &[(&str, &str)] = &[
    ("profile_features", "Profile features"),
    ("profile_scores", "Scores"),
    ("profile_value", "Customer values"),
    ("segment_membership", "Segment memberships"),
    ("stage_history", "Lifecycle stage history"),
];

#[derive(Clone, Debug, Serialize)]
pub struct TableCount {
    pub table: String,
    pub label: String,
    pub rows: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StreamCount {
    pub stream: String,
    pub records: u64,
    pub last_fetched_at: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RunSummary {
    pub id: i64,
    pub source: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: String,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SourceCounts {
    pub name: String,
    pub kind: String,
    pub records: u64,
    pub streams: Vec<StreamCount>,
    pub last_run: Option<RunSummary>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LayerCounts {
    pub landing: u64,
    pub quarantined: u64,
    pub unified: Vec<TableCount>,
    pub derived: Vec<TableCount>,
}

#[derive(Clone, Debug, Serialize)]
pub struct WarehouseCounts {
    pub schema_version: i64,
    pub sources: Vec<SourceCounts>,
    pub layers: LayerCounts,
    pub recent_runs: Vec<RunSummary>,
}

impl WarehouseCounts {
    /// Reads every count in one read transaction, so the numbers agree.
    pub fn read(conn: &Connection) -> WarehouseResult<Self> {
        conn.execute_batch("BEGIN").context("starting a read")?;
        let counts = Self::read_inner(conn);
        conn.execute_batch("COMMIT").context("ending a read")?;
        counts
    }

    fn read_inner(conn: &Connection) -> WarehouseResult<Self> {
        let schema_version =
            conn.query_row("PRAGMA user_version", [], |r| r.get(0)).context("schema version")?;
        let layers = LayerCounts {
            landing: count(conn, "landing_records")?,
            quarantined: count(conn, "quarantine")?,
            unified: table_counts(conn, UNIFIED)?,
            derived: table_counts(conn, DERIVED)?,
        };
        Ok(Self {
            schema_version,
            sources: sources(conn)?,
            layers,
            recent_runs: recent_runs(conn, None, 10)?,
        })
    }
}

fn count(conn: &Connection, table: &str) -> WarehouseResult<u64> {
    let n: i64 = conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .context("counting rows")?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn table_counts(conn: &Connection, tables: &[(&str, &str)]) -> WarehouseResult<Vec<TableCount>> {
    tables
        .iter()
        .map(|(table, label)| {
            Ok(TableCount { table: (*table).into(), label: (*label).into(), rows: count(conn, table)? })
        })
        .collect()
}

fn sources(conn: &Connection) -> WarehouseResult<Vec<SourceCounts>> {
    let mut stmt = conn.prepare("SELECT name, kind FROM sources ORDER BY name").context("listing sources")?;
    let names = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .context("listing sources")?
        .collect::<Result<Vec<_>, _>>()
        .context("listing sources")?;
    let mut streams = conn
        .prepare(
            "SELECT stream, count(*), max(fetched_at) FROM landing_records
             WHERE source = ?1 GROUP BY stream ORDER BY stream",
        )
        .context("counting streams")?;
    let mut out = Vec::with_capacity(names.len());
    for (name, kind) in names {
        let stream_counts = streams
            .query_map([&name], |r| {
                Ok(StreamCount {
                    stream: r.get(0)?,
                    records: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    last_fetched_at: r.get(2)?,
                })
            })
            .context("counting streams")?
            .collect::<Result<Vec<_>, _>>()
            .context("counting streams")?;
        let records = stream_counts.iter().map(|s| s.records).sum();
        let last_run = recent_runs(conn, Some(&name), 1)?.into_iter().next();
        out.push(SourceCounts { name, kind, records, streams: stream_counts, last_run });
    }
    Ok(out)
}

fn recent_runs(conn: &Connection, source: Option<&str>, limit: i64) -> WarehouseResult<Vec<RunSummary>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, source, started_at, finished_at, status, inserted, updated, unchanged, error
             FROM sync_runs WHERE (?1 IS NULL OR source = ?1) ORDER BY id DESC LIMIT ?2",
        )
        .context("listing runs")?;
    let rows = stmt
        .query_map(rusqlite::params![source, limit], |r| {
            Ok(RunSummary {
                id: r.get(0)?,
                source: r.get(1)?,
                started_at: r.get(2)?,
                finished_at: r.get(3)?,
                status: r.get(4)?,
                inserted: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
                updated: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
                unchanged: u64::try_from(r.get::<_, i64>(7)?).unwrap_or(0),
                error: r.get(8)?,
            })
        })
        .context("listing runs")?
        .collect::<Result<Vec<_>, _>>()
        .context("listing runs")?;
    Ok(rows)
}

/// Used by callers that only need to know whether anything was ever landed.
pub fn has_landed_records(conn: &Connection) -> WarehouseResult<bool> {
    conn.query_row("SELECT 1 FROM landing_records LIMIT 1", [], |_| Ok(()))
        .optional()
        .map(|o| o.is_some())
        .context("checking for records")
}
