use rusqlite::{Connection, OptionalExtension, params};

use crate::WarehouseResult;
use crate::error::SqlContext;

/// Reads a JSON setting; `None` when it was never written.
pub fn read_setting(conn: &Connection, key: &str) -> WarehouseResult<Option<serde_json::Value>> {
    let text: Option<String> = conn
        .query_row("SELECT value_json FROM settings WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .context("reading a setting")?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

pub fn write_setting(conn: &Connection, key: &str, value: &serde_json::Value) -> WarehouseResult<()> {
    conn.execute(
        "INSERT INTO settings(key, value_json) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json",
        params![key, value.to_string()],
    )
    .context("writing a setting")?;
    Ok(())
}
