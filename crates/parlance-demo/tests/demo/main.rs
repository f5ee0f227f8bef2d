//! The demo company, generated into real warehouse files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod determinism;
mod realism;

use std::sync::atomic::AtomicBool;

use parlance_demo::{DemoConfig, DemoReport, generate};
use parlance_warehouse::{Timestamp, Warehouse};
use time::macros::date;

pub fn config(people: u32) -> DemoConfig {
    DemoConfig { people, seed: 7, as_of: date!(2026 - 10 - 31) }
}

pub fn land(wh: &Warehouse, config: &DemoConfig) -> DemoReport {
    let now = Timestamp::from_unix(1_790_000_000).unwrap();
    generate(wh, config, now, &mut |_| {}, &AtomicBool::new(false)).unwrap()
}

pub fn fresh() -> (tempfile::TempDir, Warehouse) {
    let dir = tempfile::tempdir().unwrap();
    let wh = Warehouse::open(&dir.path().join("demo.parlance")).unwrap();
    (dir, wh)
}

pub fn scalar(wh: &Warehouse, sql: &str) -> i64 {
    wh.reader().unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}
