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

pub(crate) fn sqlite(context: &str, source: rusqlite::Error) -> WarehouseError {
    WarehouseError::Sqlite { context: context.to_owned(), source }
}
