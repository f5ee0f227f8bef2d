use rusqlite::{Connection, params};

use crate::error::SqlContext;
use crate::{LandStats, Timestamp, WarehouseResult};

/// A source as registered in the warehouse. `config_json` never holds secrets.
#[derive(Clone, Debug)]
pub struct SourceSpec<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub config_json: &'a str,
}

/// Registers `source` unless it already exists (its kind and config are kept).
pub fn ensure_source(conn: &Connection, source: &SourceSpec<'_>, now: Timestamp) -> WarehouseResult<()> {
    conn.execute(
        "INSERT INTO sources(name, kind, config_json, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(name) DO NOTHING",
        params![source.name, source.kind, source.config_json, now.to_string()],
    )
    .context("registering a source")?;
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunStatus {
    Succeeded,
    Failed,
    Cancelled,
}

impl RunStatus {
    fn as_str(self) -> &'static str {
        match self {
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }
}

/// Records the start of a sync run and returns its id.
pub fn start_sync_run(conn: &Connection, source: &str, now: Timestamp, full: bool) -> WarehouseResult<i64> {
    conn.execute(
        "INSERT INTO sync_runs(source, started_at, status, full_refresh) VALUES (?1, ?2, 'running', ?3)",
        params![source, now.to_string(), full],
    )
    .context("recording a sync run")?;
    Ok(conn.last_insert_rowid())
}

pub fn finish_sync_run(
    conn: &Connection,
    run_id: i64,
    status: RunStatus,
    stats: &LandStats,
    error: Option<&str>,
    now: Timestamp,
) -> WarehouseResult<()> {
    conn.execute(
        "UPDATE sync_runs SET finished_at = ?2, status = ?3, pages = ?4, inserted = ?5,
                updated = ?6, unchanged = ?7, error = ?8 WHERE id = ?1",
        params![
            run_id,
            now.to_string(),
            status.as_str(),
            stats.pages,
            stats.inserted,
            stats.updated,
            stats.unchanged,
            error
        ],
    )
    .context("finishing a sync run")?;
    Ok(())
}
