//! Lands the demo company through the same path real sources use: pages of
//! records upserted per source, plus the truth table and sync-run bookkeeping.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use parlance_warehouse::{
    LandStats, LandingRecord, RunStatus, SourceSpec, Timestamp, Transaction, Warehouse, WarehouseError,
    ensure_source, finish_sync_run, land_each, params, start_sync_run, write_setting,
};
use serde_json::json;

use crate::{DEMO_SOURCES, DemoConfig, DemoRecord, generate::person_records};

/// Settings key under which the last completed demo's shape is stored.
pub const DEMO_SETTING_KEY: &str = "demo";

/// People generated and landed per transaction.
const PEOPLE_PER_BATCH: u32 = 2_000;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo needs between 1 and {max} people, not {asked}")]
    People { asked: u32, max: u32 },
    #[error("the demo's as-of date {0} is outside 2000-01-01..2100-12-31")]
    AsOf(time::Date),
    #[error(
        "demo generation was cancelled after {people_done} people; run it again to finish (nothing is duplicated)"
    )]
    Cancelled { people_done: u32 },
    #[error("landing the demo company: {0}")]
    Warehouse(#[from] WarehouseError),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoProgress {
    pub people_done: u32,
    pub people_total: u32,
    pub records: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DemoReport {
    pub people: u32,
    pub stats: LandStats,
    pub seconds: f64,
}

/// Generates the demo company described by `config` and lands it in
/// `warehouse`. `fetched_at` stamps new records; `cancel` is checked between
/// batches (everything landed so far stays, and a re-run completes it).
pub fn generate(
    warehouse: &Warehouse,
    config: &DemoConfig,
    fetched_at: Timestamp,
    on_progress: &mut dyn FnMut(DemoProgress),
    cancel: &AtomicBool,
) -> Result<DemoReport, DemoError> {
    validate(config)?;
    let started = Instant::now();
    let runs = warehouse.write(|tx| start_runs(tx, fetched_at))?;
    let (sender, batches) = mpsc::sync_channel::<(u32, Vec<DemoRecord>)>(2);
    let mut per_source = vec![LandStats::default(); DEMO_SOURCES.len()];
    let mut total = LandStats::default();
    let mut people_done = 0;

    let outcome = std::thread::scope(|scope| {
        scope.spawn(|| produce(config, cancel, sender));
        for (people, batch) in batches {
            if cancel.load(Ordering::Relaxed) {
                break;
            }
            let stats = warehouse.write(|tx| land_batch(tx, fetched_at, &batch))?;
            for (i, s) in stats.iter().enumerate() {
                per_source[i].add(s);
                total.add(s);
            }
            people_done += people;
            on_progress(DemoProgress { people_done, people_total: config.people, records: total.records() });
        }
        Ok::<(), DemoError>(())
    });

    let cancelled = cancel.load(Ordering::Relaxed) && people_done < config.people;
    let status = match (&outcome, cancelled) {
        (Err(_), _) => RunStatus::Failed,
        (Ok(()), true) => RunStatus::Cancelled,
        (Ok(()), false) => RunStatus::Succeeded,
    };
    let error = outcome.as_ref().err().map(ToString::to_string);
    warehouse.write(|tx| {
        for (run, stats) in runs.iter().zip(&per_source) {
            finish_sync_run(tx, *run, status, stats, error.as_deref(), fetched_at)?;
        }
        if status == RunStatus::Succeeded {
            let shape =
                json!({ "people": config.people, "seed": config.seed, "as_of": config.as_of.to_string() });
            write_setting(tx, DEMO_SETTING_KEY, &shape)?;
        }
        Ok(())
    })?;
    outcome?;
    if cancelled {
        return Err(DemoError::Cancelled { people_done });
    }
    Ok(DemoReport { people: people_done, stats: total, seconds: started.elapsed().as_secs_f64() })
}

fn validate(config: &DemoConfig) -> Result<(), DemoError> {
    if config.people == 0 || config.people > DemoConfig::MAX_PEOPLE {
        return Err(DemoError::People { asked: config.people, max: DemoConfig::MAX_PEOPLE });
    }
    if !(2000..=2100).contains(&config.as_of.year()) {
        return Err(DemoError::AsOf(config.as_of));
    }
    Ok(())
}

/// Generates people in order, a batch at a time, on its own thread.
fn produce(config: &DemoConfig, cancel: &AtomicBool, sender: mpsc::SyncSender<(u32, Vec<DemoRecord>)>) {
    let mut first = 0;
    while first < config.people && !cancel.load(Ordering::Relaxed) {
        let last = first.saturating_add(PEOPLE_PER_BATCH).min(config.people);
        let records: Vec<DemoRecord> = (first..last).flat_map(|i| person_records(config, i)).collect();
        if sender.send((last - first, records)).is_err() {
            return;
        }
        first = last;
    }
}

fn start_runs(tx: &Transaction<'_>, now: Timestamp) -> Result<Vec<i64>, WarehouseError> {
    DEMO_SOURCES
        .iter()
        .map(|(name, shape)| {
            let config = json!({ "demo": true, "shape": shape }).to_string();
            ensure_source(tx, &SourceSpec { name, kind: "demo", config_json: &config }, now)?;
            start_sync_run(tx, name, now, false)
        })
        .collect()
}

/// Lands one batch, source by source, and records each landed record's true person.
fn land_batch(
    tx: &Transaction<'_>,
    fetched_at: Timestamp,
    batch: &[DemoRecord],
) -> Result<Vec<LandStats>, WarehouseError> {
    let mut truth = tx
        .prepare_cached("INSERT OR REPLACE INTO demo_truth(landing_id, person) VALUES (?1, ?2)")
        .map_err(|source| WarehouseError::Sqlite { context: "recording demo truth".into(), source })?;
    let mut stats = Vec::with_capacity(DEMO_SOURCES.len());
    for (source, _) in DEMO_SOURCES {
        let of_source: Vec<&DemoRecord> = batch.iter().filter(|r| r.source == *source).collect();
        let records: Vec<LandingRecord<'_>> = of_source
            .iter()
            .map(|r| LandingRecord {
                stream: r.stream,
                source_id: &r.source_id,
                source_updated_at: Some(r.updated_at),
                payload_json: &r.payload_json,
            })
            .collect();
        stats.push(land_each(tx, source, fetched_at, &records, |i, _, landing_id| {
            let person = of_source.get(i).map_or(0, |r| r.person);
            truth
                .execute(params![landing_id, person])
                .map(drop)
                .map_err(|source| WarehouseError::Sqlite { context: "recording demo truth".into(), source })
        })?);
    }
    Ok(stats)
}
