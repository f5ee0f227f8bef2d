//! Integration tests of the warehouse on real SQLite files in temp dirs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod landing;
mod open;
mod readers;

use parlance_warehouse::{SourceSpec, Timestamp, Warehouse, ensure_source};

pub fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix(1_700_000_000 + secs).unwrap()
}

pub fn fresh() -> (tempfile::TempDir, Warehouse) {
    let dir = tempfile::tempdir().unwrap();
    let wh = Warehouse::open(&dir.path().join("w.parlance")).unwrap();
    wh.write(|tx| ensure_source(tx, &SourceSpec { name: "shop", kind: "test", config_json: "{}" }, at(0)))
        .unwrap();
    (dir, wh)
}
