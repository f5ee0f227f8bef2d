//! Landing a file page by page as a file source, then unifying it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use parlance_identity::Rules;
use parlance_unify::{UnifyReport, unify_pending};
use parlance_warehouse::{
    Connection, LandStats, LandingRecord, OptionalExtension, RunStatus, SourceSpec, Timestamp, Warehouse,
    WarehouseError, ensure_source, finish_sync_run, land_records, params, start_sync_run,
};
use serde_json::{Value, json};

use crate::record::{FileRecord, Read, RecordReader};
use crate::{Format, ImportError, ImportOptions, LineProblem, Opened, Reader, open};

/// Prepared statements the writer keeps (see [`import_file`]).
pub const STATEMENT_CACHE: usize = 128;

/// Line problems kept in a report (all are counted).
pub const MAX_PROBLEMS: usize = 100;

/// Lines read without landing any before an import gives up on the format
/// (it also gives up when the whole file is read and none landed).
const GIVE_UP_AFTER: u64 = 100;

/// What landing a file did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LandReport {
    pub source: String,
    pub run_id: i64,
    /// Records read from the file (landed or not).
    pub records: u64,
    pub stats: LandStats,
    /// Lines that could not be landed.
    pub rejected: u64,
    /// Records landed that are known not to normalise (CSV rows with bad cells).
    pub held: u64,
    /// The first [`MAX_PROBLEMS`] problems, in file order.
    pub problems: Vec<LineProblem>,
}

/// What importing a file did: landing, then unifying.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportReport {
    pub land: LandReport,
    pub unify: UnifyReport,
    /// Records of this source the unify pass held in quarantine.
    pub quarantined: u64,
    pub seconds: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportPhase {
    /// `done`/`total` are bytes of the file.
    Landing,
    /// `done`/`total` are records unified.
    Unifying,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportProgress {
    pub phase: ImportPhase,
    pub done: u64,
    pub total: u64,
    /// Records landed so far.
    pub records: u64,
}

/// Lands the file, then unifies every pending record (the file's and any
/// other source's) with `rules`.
pub fn import_file(
    warehouse: &Warehouse,
    options: &ImportOptions,
    rules: &Rules,
    now: Timestamp,
    on_progress: &mut dyn FnMut(ImportProgress),
    cancel: &AtomicBool,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    // Unifying a record runs a score of distinct statements; rusqlite's
    // default cache of 16 would re-parse SQL for every record.
    warehouse.write(|tx| {
        tx.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(())
    })?;
    let land = land_file(warehouse, options, now, on_progress, cancel)?;
    let records = land.stats.records();
    let unify = unify_pending(
        warehouse,
        rules,
        now,
        &mut |p| {
            on_progress(ImportProgress {
                phase: ImportPhase::Unifying,
                done: p.done,
                total: p.total,
                records,
            })
        },
        cancel,
    )?;
    let quarantined = warehouse.write(|tx| record_quarantined(tx, &land, now))?;
    Ok(ImportReport { land, unify, quarantined, seconds: started.elapsed().as_secs_f64() })
}

/// Counts the source's records quarantined by this run's unify pass onto the run.
fn record_quarantined(tx: &Connection, land: &LandReport, now: Timestamp) -> Result<u64, WarehouseError> {
    let sql = |source| WarehouseError::Sqlite { context: "counting quarantined records".into(), source };
    let held: i64 = tx
        .query_row(
            "SELECT count(*) FROM quarantine q JOIN landing_records l ON l.id = q.landing_id
             WHERE l.source = ?1 AND q.last_seen = ?2",
            params![land.source, now.to_string()],
            |r| r.get(0),
        )
        .map_err(sql)?;
    tx.execute("UPDATE sync_runs SET quarantined = ?2 WHERE id = ?1", params![land.run_id, held])
        .map_err(sql)?;
    Ok(u64::try_from(held).unwrap_or(0))
}

/// One page read by the reader thread.
struct Page {
    records: Vec<FileRecord>,
    problems: Vec<LineProblem>,
    rejected: u64,
    held: u64,
    bytes_read: u64,
    /// The file ended with this page.
    last: bool,
}

/// Lands the file as its source's records, a page per write transaction,
/// inside one sync run. Records only; see [`import_file`] to unify too.
pub fn land_file(
    warehouse: &Warehouse,
    options: &ImportOptions,
    now: Timestamp,
    on_progress: &mut dyn FnMut(ImportProgress),
    cancel: &AtomicBool,
) -> Result<LandReport, ImportError> {
    let Opened { mut reader, file, bytes_total } = open(options)?;
    let source = options.source_name();
    let section = match &reader {
        Reader::Csv(csv) => Some((csv.mapping.kind.name, csv.mapping.config_section(&file_name(options)))),
        _ => None,
    };
    check_source(warehouse, &source, options.format)?;
    let (config, run_id) = warehouse.write(|tx| {
        let config = register(tx, &source, options.format, section.as_ref(), &file_name(options), now)?;
        Ok((config, start_sync_run(tx, &source, now, false)?))
    })?;
    if let Reader::Csv(csv) = &mut reader {
        csv.check_rows_with(&source, config);
    }

    let page_size = options.page_size.max(1);
    let mut report = LandReport {
        source: source.clone(),
        run_id,
        records: 0,
        stats: LandStats::default(),
        rejected: 0,
        held: 0,
        problems: Vec::new(),
    };
    let (sender, pages) = mpsc::sync_channel::<Result<Page, ImportError>>(2);
    let outcome = std::thread::scope(|scope| {
        scope.spawn(move || read_pages(reader, page_size, cancel, sender));
        for page in pages {
            let page = page?;
            report.records += (page.records.len() as u64) + page.rejected;
            report.rejected += page.rejected;
            report.held += page.held;
            let room = MAX_PROBLEMS.saturating_sub(report.problems.len());
            report.problems.extend(page.problems.into_iter().take(room));
            if !page.records.is_empty() {
                let stats = warehouse.write(|tx| land_page(tx, &source, now, &page.records))?;
                report.stats.add(&stats);
            }
            if report.stats.records() == 0
                && report.rejected > 0
                && (report.rejected >= GIVE_UP_AFTER || page.last)
            {
                return Err(ImportError::NotThisFormat {
                    file: file.clone(),
                    lines: report.rejected,
                    format: options.format.described(),
                    first: report.problems.first().map(|p| p.to_string()).unwrap_or_default(),
                });
            }
            on_progress(ImportProgress {
                phase: ImportPhase::Landing,
                done: page.bytes_read,
                total: bytes_total,
                records: report.stats.records(),
            });
            if cancel.load(Ordering::Relaxed) {
                return Err(ImportError::Cancelled { records: report.stats.records() });
            }
        }
        Ok(())
    });

    let status = match &outcome {
        Ok(()) => RunStatus::Succeeded,
        Err(ImportError::Cancelled { .. }) => RunStatus::Cancelled,
        Err(_) => RunStatus::Failed,
    };
    let error = match &outcome {
        Err(e) => Some(e.to_string()),
        Ok(()) if report.rejected > 0 => Some(format!(
            "{} line(s) could not be landed; the first: {}",
            report.rejected,
            report.problems.iter().find(|p| !p.landed).map(|p| p.to_string()).unwrap_or_default()
        )),
        Ok(()) => None,
    };
    warehouse.write(|tx| finish_sync_run(tx, run_id, status, &report.stats, error.as_deref(), now))?;
    outcome?;
    Ok(report)
}

/// The file's own name (without folders), as stored in the source config.
fn file_name(options: &ImportOptions) -> String {
    options
        .file
        .file_name()
        .map_or_else(|| options.file.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Reads pages of records until the end of the file, a cancel, or the
/// receiver going away.
fn read_pages(
    mut reader: Reader,
    page_size: usize,
    cancel: &AtomicBool,
    sender: mpsc::SyncSender<Result<Page, ImportError>>,
) {
    loop {
        let mut page = Page {
            records: Vec::with_capacity(page_size),
            problems: Vec::new(),
            rejected: 0,
            held: 0,
            bytes_read: 0,
            last: false,
        };
        let mut end = false;
        while page.records.len() < page_size && page.problems.len() < page_size {
            match reader.next_read() {
                Ok(Some(Read::Record(record, problem))) => {
                    page.records.push(record);
                    if let Some(problem) = problem {
                        page.held += 1;
                        page.problems.push(problem);
                    }
                }
                Ok(Some(Read::Problem(problem))) => {
                    page.rejected += 1;
                    page.problems.push(problem);
                }
                Ok(None) => {
                    end = true;
                    break;
                }
                Err(e) => {
                    let _ = sender.send(Err(e));
                    return;
                }
            }
        }
        page.bytes_read = reader.bytes_read();
        page.last = end;
        if sender.send(Ok(page)).is_err() || end || cancel.load(Ordering::Relaxed) {
            return;
        }
    }
}

fn land_page(
    tx: &Connection,
    source: &str,
    now: Timestamp,
    records: &[FileRecord],
) -> Result<LandStats, WarehouseError> {
    let landing: Vec<LandingRecord<'_>> = records
        .iter()
        .map(|r| LandingRecord {
            stream: &r.stream,
            source_id: &r.source_id,
            source_updated_at: r.updated_at,
            payload_json: &r.payload,
        })
        .collect();
    land_records(tx, source, now, &landing)
}

/// Refuses a source that exists as a connector's, or as a file source of
/// another format.
fn check_source(warehouse: &Warehouse, source: &str, format: Format) -> Result<(), ImportError> {
    let reader = warehouse.reader()?;
    let existing: Option<(String, String)> = reader
        .query_row("SELECT kind, config_json FROM sources WHERE name = ?1", [source], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
        .map_err(|source| WarehouseError::Sqlite { context: "reading the source".into(), source })?;
    let Some((kind, config_json)) = existing else {
        return Ok(());
    };
    if kind != "file" {
        return Err(ImportError::Source(format!(
            "source {source:?} is a {kind} source, not a file import; choose another name with --source"
        )));
    }
    let config: Value = serde_json::from_str(&config_json).unwrap_or_else(|_| json!({}));
    let shape = config.get("shape").and_then(Value::as_str).unwrap_or("");
    if shape != format.name() {
        return Err(ImportError::Source(format!(
            "source {source:?} holds {shape} records; import {} files into another source with --source",
            format.name()
        )));
    }
    Ok(())
}

/// Registers the file source (kind `file`), or updates an existing one
/// ([`check_source`] said it fits): stores the stream's mapping in its
/// configuration, and a changed mapping re-queues the stream's landed
/// records for normalisation. Returns the source's configuration.
fn register(
    tx: &Connection,
    source: &str,
    format: Format,
    section: Option<&(&'static str, Value)>,
    file: &str,
    now: Timestamp,
) -> Result<Value, WarehouseError> {
    let sql =
        |context: &'static str| move |source| WarehouseError::Sqlite { context: context.into(), source };
    let existing: Option<(String, String)> = tx
        .query_row("SELECT kind, config_json FROM sources WHERE name = ?1", [source], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
        .map_err(sql("reading the source"))?;
    let Some((_, config_json)) = existing else {
        let mut config = json!({ "shape": format.name(), "format": format.name(), "file": file });
        if let Some((stream, section)) = section {
            config["streams"] = json!({ *stream: section });
            config["observed_at"] = json!(now.to_string());
        }
        ensure_source(tx, &SourceSpec { name: source, kind: "file", config_json: &config.to_string() }, now)?;
        return Ok(config);
    };
    let mut config: Value = serde_json::from_str(&config_json).unwrap_or_else(|_| json!({}));
    config["file"] = json!(file);
    if let Some((stream, section)) = section {
        let before = config.pointer(&format!("/streams/{stream}")).cloned();
        let same = |key: &str| {
            before.as_ref().and_then(|b| b.get(key)).unwrap_or(&Value::Null)
                == section.get(key).unwrap_or(&Value::Null)
        };
        if !same("mapping") || !same("defaults") {
            tx.execute(
                "UPDATE landing_records SET normalized_hash = NULL WHERE source = ?1 AND stream = ?2",
                params![source, stream],
            )
            .map_err(sql("re-queuing records for the new mapping"))?;
        }
        if !config.get("streams").is_some_and(Value::is_object) {
            config["streams"] = json!({});
        }
        config["streams"][*stream] = section.clone();
        if config.get("observed_at").is_none() {
            config["observed_at"] = json!(now.to_string());
        }
    }
    tx.execute("UPDATE sources SET config_json = ?2 WHERE name = ?1", params![source, config.to_string()])
        .map_err(sql("updating the source's configuration"))?;
    Ok(config)
}
