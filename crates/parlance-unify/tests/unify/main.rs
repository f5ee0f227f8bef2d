//! The landing → unified pipeline on real warehouse files with the demo company.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod demo;
mod identity;
mod quarantine;
mod updates;

use std::sync::atomic::AtomicBool;

use parlance_demo::DemoConfig;
use parlance_identity::Rules;
use parlance_unify::{UnifyReport, unify_pending};
use parlance_warehouse::{Timestamp, Warehouse};
use time::macros::date;

pub fn now() -> Timestamp {
    Timestamp::from_unix(1_790_000_000).unwrap()
}

pub fn demo_warehouse(people: u32) -> (tempfile::TempDir, Warehouse) {
    let dir = tempfile::tempdir().unwrap();
    let wh = Warehouse::open(&dir.path().join("w.parlance")).unwrap();
    let config = DemoConfig { people, seed: 11, as_of: date!(2026 - 10 - 31) };
    parlance_demo::generate(&wh, &config, now(), &mut |_| {}, &AtomicBool::new(false)).unwrap();
    (dir, wh)
}

pub fn unify(wh: &Warehouse) -> UnifyReport {
    unify_pending(wh, &Rules::default(), now(), &mut |_| {}, &AtomicBool::new(false)).unwrap()
}

pub fn scalar(wh: &Warehouse, sql: &str) -> i64 {
    wh.reader().unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}
