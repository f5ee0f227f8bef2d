//! Demo warehouses for the refresh tests: the demo company generated,
//! landed and unified through the real path, once per size, then copied
//! into each test's own temporary directory.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, OnceLock};

use parlance_demo::DemoConfig;
use parlance_warehouse::{Timestamp, Warehouse};
use time::Date;
use time::macros::date;

/// The demo's history end in every refresh test.
pub const AS_OF: Date = date!(2026 - 10 - 31);

pub fn at(seconds_after: i64) -> Timestamp {
    Timestamp::from_unix(1_793_600_000 + seconds_after).unwrap()
}

/// A fresh copy of a demo warehouse of `people` people, in its own folder.
pub fn demo_copy(people: u32) -> (tempfile::TempDir, Warehouse) {
    let template = template(people);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.parlance");
    std::fs::copy(&template, &path).unwrap();
    let warehouse = Warehouse::open(&path).unwrap();
    (dir, warehouse)
}

/// Generates (once per process and size) a unified demo warehouse.
fn template(people: u32) -> PathBuf {
    static TEMPLATES: OnceLock<Mutex<Vec<(u32, PathBuf)>>> = OnceLock::new();
    let templates = TEMPLATES.get_or_init(|| Mutex::new(Vec::new()));
    let mut done = templates.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, path)) = done.iter().find(|(p, _)| *p == people) {
        return path.clone();
    }
    let dir = tempfile::tempdir().unwrap().keep();
    let path = dir.join(format!("demo-{people}.parlance"));
    build(&path, people);
    done.push((people, path.clone()));
    path
}

fn build(path: &Path, people: u32) {
    let warehouse = Warehouse::open(path).unwrap();
    let config = DemoConfig { people, seed: DemoConfig::DEFAULT_SEED, as_of: AS_OF };
    let cancel = AtomicBool::new(false);
    parlance_demo::generate(&warehouse, &config, at(0), &mut |_| {}, &cancel).unwrap();
    parlance_unify::unify_pending(
        &warehouse,
        &parlance_identity::Rules::default(),
        at(0),
        &mut |_| {},
        &cancel,
    )
    .unwrap();
    // Closing the last connection folds the WAL into the file, so a plain
    // copy of the file carries everything.
    drop(warehouse);
}
