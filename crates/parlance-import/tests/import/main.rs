//! File imports on real warehouse files: one module per format, plus
//! re-import, quarantine and preview behaviour.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod csv;
mod ga4;
mod segment;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use parlance_identity::Rules;
use parlance_import::{Format, ImportError, ImportOptions, ImportReport, import_file};
use parlance_warehouse::{Timestamp, Warehouse};

pub fn now() -> Timestamp {
    Timestamp::from_unix(1_790_000_000).unwrap()
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn warehouse() -> (tempfile::TempDir, Warehouse) {
    let dir = tempfile::tempdir().unwrap();
    let wh = Warehouse::open(&dir.path().join("w.parlance")).unwrap();
    (dir, wh)
}

pub fn try_import(wh: &Warehouse, options: &ImportOptions) -> Result<ImportReport, ImportError> {
    import_file(wh, options, &Rules::default(), now(), &mut |_| {}, &AtomicBool::new(false))
}

pub fn import(wh: &Warehouse, options: &ImportOptions) -> ImportReport {
    try_import(wh, options).unwrap()
}

pub fn options(file: &Path, format: Format) -> ImportOptions {
    ImportOptions::new(file, format)
}

pub fn scalar(wh: &Warehouse, sql: &str) -> i64 {
    wh.reader().unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

pub fn strings(wh: &Warehouse, sql: &str) -> Vec<String> {
    let reader = wh.reader().unwrap();
    let mut stmt = reader.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

/// Every table's row count and content hash, to prove a re-import changed nothing.
pub fn fingerprint(wh: &Warehouse) -> Vec<String> {
    [
        "SELECT count(*) || ' ' || coalesce(group_concat(id || ':' || hex(content_hash), ','), '') FROM landing_records",
        "SELECT count(*) || ' ' || coalesce(group_concat(id || ':' || coalesce(merged_into, ''), ','), '') FROM profiles",
        "SELECT count(*) || ' ' || coalesce(group_concat(id || ':' || profile_id || ':' || name, ','), '') FROM events",
        "SELECT count(*) || ' ' || coalesce(group_concat(id || ':' || amount || ':' || status, ','), '') FROM orders",
        "SELECT count(*) || ' ' || coalesce(group_concat(key || '=' || value_json, ','), '') FROM traits",
        "SELECT count(*) || ' ' || coalesce(group_concat(kind || ':' || value, ','), '') FROM identifiers",
        "SELECT count(*) || '' FROM quarantine",
    ]
    .iter()
    .map(|sql| strings(wh, sql).concat())
    .collect()
}

/// Writes `text` to `name` in `dir` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}
