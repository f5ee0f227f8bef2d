//! Demo generation + landing of N people, records per second, beside two
//! baselines on the same records in the same run: generation alone, and
//! generation + plain INSERTs into a bare table (no upsert, no hash, no index).

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::Context;
use parlance_demo::{DemoConfig, person_records};
use parlance_warehouse::{Connection, Timestamp, Warehouse, params};
use time::macros::date;

use crate::report::{line, thousands};

const BATCH: u32 = 2_000;

pub fn run(data: &Path, people: u32) -> anyhow::Result<()> {
    let config = DemoConfig { people, seed: DemoConfig::DEFAULT_SEED, as_of: date!(2026 - 10 - 31) };
    println!("\ndemo company: generate + land {} people", thousands(u64::from(people)));

    let (records, generate_only) = generate_only(&config);
    let bare = bare_inserts(&data.join("bare.sqlite"), &config)?;
    let path = data.join("demo.parlance");
    remove_warehouse(&path);
    let warehouse = Warehouse::open(&path)?;
    let started = Instant::now();
    let now = Timestamp::new(time::OffsetDateTime::now_utc());
    let report = parlance_demo::generate(&warehouse, &config, now, &mut |_| {}, &AtomicBool::new(false))?;
    let landed = started.elapsed();
    anyhow::ensure!(
        report.stats.inserted == records,
        "landed {} of {records} records",
        report.stats.inserted
    );

    println!("  {} records", thousands(records));
    line("baseline: generate only", records, "records", generate_only, None);
    line("baseline: same pipeline, bare INSERT", records, "records", bare, None);
    line("parlance demo: generate + land (upsert, hash)", records, "records", landed, Some(bare));
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("  warehouse file: {:.1} GiB", size as f64 / f64::from(1u32 << 30));

    let started = Instant::now();
    let again = parlance_demo::generate(&warehouse, &config, now, &mut |_| {}, &AtomicBool::new(false))?;
    anyhow::ensure!(again.stats.unchanged == records, "re-run changed records: {:?}", again.stats);
    line("parlance demo again (all unchanged)", records, "records", started.elapsed(), Some(bare));
    Ok(())
}

fn generate_only(config: &DemoConfig) -> (u64, Duration) {
    let started = Instant::now();
    let mut records = 0u64;
    let mut bytes = 0usize;
    for first in (0..config.people).step_by(BATCH as usize) {
        for i in first..(first + BATCH).min(config.people) {
            for r in person_records(config, i) {
                records += 1;
                bytes += r.payload_json.len();
            }
        }
    }
    std::hint::black_box(bytes);
    (records, started.elapsed())
}

/// The floor: the same records from the same two-thread pipeline (one thread
/// generates, this one writes), inserted with a plain prepared INSERT into a
/// table without keys, one transaction per batch.
fn bare_inserts(path: &Path, config: &DemoConfig) -> anyhow::Result<Duration> {
    remove_warehouse(path);
    let mut conn = Connection::open(path).context("opening the baseline database")?;
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
         CREATE TABLE bare(source TEXT, stream TEXT, source_id TEXT, updated_at TEXT, payload TEXT);",
    )?;
    let started = Instant::now();
    let (sender, batches) = std::sync::mpsc::sync_channel::<Vec<parlance_demo::DemoRecord>>(2);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for first in (0..config.people).step_by(BATCH as usize) {
                let batch = (first..(first + BATCH).min(config.people))
                    .flat_map(|i| person_records(config, i))
                    .collect();
                if sender.send(batch).is_err() {
                    return;
                }
            }
        });
        for batch in batches {
            let tx = conn.transaction()?;
            {
                let mut insert = tx.prepare_cached("INSERT INTO bare VALUES (?1, ?2, ?3, ?4, ?5)")?;
                for r in &batch {
                    insert.execute(params![
                        r.source,
                        r.stream,
                        r.source_id,
                        r.updated_at.to_string(),
                        r.payload_json
                    ])?;
                }
            }
            tx.commit()?;
        }
        anyhow::Ok(())
    })?;
    Ok(started.elapsed())
}

fn remove_warehouse(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}
