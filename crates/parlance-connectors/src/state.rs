//! Reading and writing `stream_state` (one row per source and stream) and
//! the source's registration. Cursor JSON is canonical, so an unchanged
//! cursor is byte-identical.

use parlance_warehouse::{Connection, Timestamp, WarehouseError, WarehouseResult, params};
use rusqlite::OptionalExtension;

use crate::cursor::StreamCursor;
use crate::json::canonical_json;

/// The stored cursor text of `stream`, if the stream was ever synced.
pub fn read_cursor_json(conn: &Connection, source: &str, stream: &str) -> WarehouseResult<Option<String>> {
    conn.query_row(
        "SELECT cursor_json FROM stream_state WHERE source = ?1 AND stream = ?2",
        params![source, stream],
        |row| row.get(0),
    )
    .optional()
    .map_err(|e| sqlite("reading a stream cursor", e))
}

/// Saves `cursor` as the state of `stream`.
pub fn write_cursor(
    conn: &Connection,
    source: &str,
    stream: &str,
    cursor: &StreamCursor,
    now: Timestamp,
) -> WarehouseResult<()> {
    let value = serde_json::to_value(cursor)
        .map_err(|e| WarehouseError::Invalid { what: "stream cursor".into(), detail: e.to_string() })?;
    conn.execute(
        "INSERT INTO stream_state(source, stream, cursor_json, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(source, stream) DO UPDATE SET cursor_json = excluded.cursor_json, updated_at = excluded.updated_at",
        params![source, stream, canonical_json(&value), now.to_string()],
    )
    .map_err(|e| sqlite("saving a stream cursor", e))?;
    Ok(())
}

/// The kind `source` is registered with, if it is registered.
pub fn registered_kind(conn: &Connection, source: &str) -> WarehouseResult<Option<String>> {
    conn.query_row("SELECT kind FROM sources WHERE name = ?1", [source], |row| row.get(0))
        .optional()
        .map_err(|e| sqlite("reading a source", e))
}

/// What removing a source deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Removed {
    pub landed_records: u64,
    pub streams: u64,
    pub runs: u64,
}

/// Forgets `source` inside the caller's transaction: its registration, sync
/// runs and stream state, every record it landed and the unified rows made
/// from them (events, orders, support contacts, quarantine, record lineage
/// — all by cascade), its traits, and its own customer ids
/// (`customer_id:<source>`). Emails and phone numbers stay: other sources
/// may know the same person by them. `None` when no such source exists.
pub fn remove_source(conn: &Connection, source: &str) -> WarehouseResult<Option<Removed>> {
    if registered_kind(conn, source)?.is_none() {
        return Ok(None);
    }
    let count = |sql: &str| -> WarehouseResult<u64> {
        conn.query_row(sql, [source], |row| row.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(|e| sqlite("counting what a source holds", e))
    };
    let removed = Removed {
        landed_records: count("SELECT count(*) FROM landing_records WHERE source = ?1")?,
        streams: count("SELECT count(*) FROM stream_state WHERE source = ?1")?,
        runs: count("SELECT count(*) FROM sync_runs WHERE source = ?1")?,
    };
    let run = |context: &str, sql: &str, value: &str| -> WarehouseResult<()> {
        conn.execute(sql, [value]).map(|_| ()).map_err(|e| sqlite(context, e))
    };
    run("removing a source's traits", "DELETE FROM traits WHERE source = ?1", source)?;
    run(
        "removing a source's customer ids",
        "DELETE FROM identifiers WHERE kind = ?1",
        &format!("customer_id:{source}"),
    )?;
    run("removing a source", "DELETE FROM sources WHERE name = ?1", source)?;
    Ok(Some(removed))
}

/// Marks runs of `source` still recorded as running — a process killed
/// mid-sync never finished them — as failed, at `now`. Returns how many.
pub fn close_interrupted_runs(conn: &Connection, source: &str, now: Timestamp) -> WarehouseResult<u64> {
    conn.execute(
        "UPDATE sync_runs SET status = 'failed', finished_at = ?2,
                error = 'interrupted: the process stopped before the run finished'
         WHERE source = ?1 AND status = 'running'",
        params![source, now.to_string()],
    )
    .map(|n| n as u64)
    .map_err(|e| sqlite("closing interrupted runs", e))
}

pub(crate) fn sqlite(context: &str, source: rusqlite::Error) -> WarehouseError {
    WarehouseError::Sqlite { context: context.to_owned(), source }
}
