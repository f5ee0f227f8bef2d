//! The sync engine: for each stream, continue the pass recorded in
//! `stream_state` (or start one at the watermark minus the look-back), fetch
//! page by page, and commit every page together with the stream's new cursor
//! in one `Warehouse::write` transaction. The run is recorded in `sync_runs`.
//!
//! Guards: the same next cursor twice in a pass, or more pages than the cap,
//! stops the sync with an error instead of looping forever; cancellation is
//! checked between pages (and inside long waits, through the HTTP layer).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parlance_warehouse::{
    LandStats, RunStatus, SourceSpec, Warehouse, WarehouseError, ensure_source, finish_sync_run,
    start_sync_run,
};
use serde_json::Value;

use crate::commit::{PageCommit, PageTarget, commit_page};
use crate::connector::{Connector, Page, PageRequest};
use crate::cursor::{Pass, StreamCursor};
use crate::error::{FetchError, FetchProblem, SyncError};
use crate::json::canonical_json;
use crate::state::{close_interrupted_runs, read_cursor_json, registered_kind};
use crate::time::Clock;

/// How to run a sync.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncOptions {
    /// Forget the cursors and fetch every stream from the beginning.
    pub full: bool,
    /// How far before the watermark an incremental pass starts, so records
    /// whose updated-at lands late (clock skew, indexing lag) are not missed.
    pub look_back: Duration,
    /// Pagination-loop guard: no stream may take more pages in one sync.
    pub max_pages_per_stream: u64,
    /// Only these streams (all when empty).
    pub streams: Vec<String>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            full: false,
            look_back: Duration::from_secs(120),
            max_pages_per_stream: 100_000,
            streams: Vec::new(),
        }
    }
}

/// Emitted after every committed page: counts so far for the stream in this
/// run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncProgress {
    pub stream: String,
    pub pages: u64,
    pub records: u64,
}

/// What one stream did in a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamReport {
    pub stream: String,
    pub landed: LandStats,
    /// Records fetched (before skipping versions older than the landed ones).
    pub records: u64,
    pub older_than_landed: u64,
    /// The pass reached the end of the stream.
    pub completed: bool,
}

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncReport {
    pub run_id: i64,
    pub status: RunStatus,
    pub streams: Vec<StreamReport>,
}

impl SyncReport {
    pub fn totals(&self) -> LandStats {
        let mut totals = LandStats::default();
        for stream in &self.streams {
            totals.add(&stream.landed);
        }
        totals
    }
}

/// Everything a sync needs, borrowed for its duration.
struct Run<'a> {
    warehouse: &'a Warehouse,
    source_name: &'a str,
    connector: &'a mut dyn Connector,
    options: &'a SyncOptions,
    clock: &'a dyn Clock,
    on_progress: &'a mut dyn FnMut(&SyncProgress),
    cancel: &'a AtomicBool,
}

enum StreamEnd {
    Completed,
    Cancelled,
}

/// Syncs `source_name` through `connector` into `warehouse`.
///
/// Returns the report of a run that succeeded or was cancelled; an error
/// means the run failed (it is recorded as such, with the message).
/// Everything committed before a failure or cancellation stays, and the next
/// sync resumes from the last committed page.
pub fn sync(
    warehouse: &Warehouse,
    source_name: &str,
    connector: &mut dyn Connector,
    options: &SyncOptions,
    clock: &dyn Clock,
    on_progress: &mut dyn FnMut(&SyncProgress),
    cancel: &AtomicBool,
) -> Result<SyncReport, SyncError> {
    check_streams(source_name, &*connector, options)?;
    let run_id = begin_run(warehouse, source_name, &*connector, options, clock)?;
    let mut report = SyncReport { run_id, status: RunStatus::Failed, streams: Vec::new() };
    let mut run = Run { warehouse, source_name, connector, options, clock, on_progress, cancel };
    let outcome = run.sync_streams(&mut report);
    report.status = match &outcome {
        Ok(StreamEnd::Completed) => RunStatus::Succeeded,
        Ok(StreamEnd::Cancelled) => RunStatus::Cancelled,
        Err(_) => RunStatus::Failed,
    };
    let error_text = outcome.as_ref().err().map(ToString::to_string);
    let finished = warehouse.write(|tx| {
        finish_sync_run(tx, run_id, report.status, &report.totals(), error_text.as_deref(), clock.now())
    });
    outcome?;
    finished.map_err(|source| warehouse_error(source_name, source))?;
    Ok(report)
}

/// Refuses to run when a requested stream does not exist (a typo would
/// otherwise sync nothing, silently).
fn check_streams(
    source_name: &str,
    connector: &dyn Connector,
    options: &SyncOptions,
) -> Result<(), SyncError> {
    match options.streams.iter().find(|wanted| !connector.streams().contains(&wanted.as_str())) {
        Some(unknown) => {
            Err(FetchError::new(source_name, FetchProblem::UnknownStream(unknown.clone())).into())
        }
        None => Ok(()),
    }
}

/// Registers the source (checking its kind) and records the run's start.
fn begin_run(
    warehouse: &Warehouse,
    source_name: &str,
    connector: &dyn Connector,
    options: &SyncOptions,
    clock: &dyn Clock,
) -> Result<i64, SyncError> {
    let kind = connector.kind();
    let config_json = connector.config_json();
    let now = clock.now();
    let registered = warehouse.write(|tx| {
        let registered = registered_kind(tx, source_name)?;
        if registered.as_deref().is_some_and(|k| k != kind) {
            return Ok(Err(registered.unwrap_or_default()));
        }
        ensure_source(tx, &SourceSpec { name: source_name, kind, config_json: &config_json }, now)?;
        close_interrupted_runs(tx, source_name, now)?;
        Ok(Ok(start_sync_run(tx, source_name, now, options.full)?))
    });
    match registered.map_err(|source| warehouse_error(source_name, source))? {
        Ok(run_id) => Ok(run_id),
        Err(registered) => Err(SyncError::KindMismatch {
            source_name: source_name.to_owned(),
            registered,
            connector: kind.to_owned(),
        }),
    }
}

impl Run<'_> {
    fn sync_streams(&mut self, report: &mut SyncReport) -> Result<StreamEnd, SyncError> {
        let wanted = &self.options.streams;
        let streams: Vec<&'static str> = self
            .connector
            .streams()
            .iter()
            .copied()
            .filter(|s| wanted.is_empty() || wanted.iter().any(|w| w == s))
            .collect();
        for stream in streams {
            report.streams.push(StreamReport { stream: stream.to_owned(), ..StreamReport::default() });
            let Some(stream_report) = report.streams.last_mut() else { continue };
            if let StreamEnd::Cancelled = self.sync_stream(stream, stream_report)? {
                return Ok(StreamEnd::Cancelled);
            }
        }
        Ok(StreamEnd::Completed)
    }

    fn sync_stream(&mut self, stream: &str, report: &mut StreamReport) -> Result<StreamEnd, SyncError> {
        let mut cursor =
            if self.options.full { StreamCursor::default() } else { self.stored_cursor(stream)? };
        let mut pass = cursor.current_pass(self.options.look_back, self.clock.now());
        let mut seen_cursors: HashSet<String> = pass.cursor.iter().map(canonical_json).collect();
        let mut pages = 0_u64;
        loop {
            if self.cancel.load(Ordering::Relaxed) {
                return Ok(StreamEnd::Cancelled);
            }
            if pages >= self.options.max_pages_per_stream {
                return Err(SyncError::PageCapReached {
                    source_name: self.source_name.to_owned(),
                    stream: stream.to_owned(),
                    limit: self.options.max_pages_per_stream,
                });
            }
            let Some(page) = self.fetch(stream, &pass)? else { return Ok(StreamEnd::Cancelled) };
            self.guard_next_cursor(stream, &page, &mut seen_cursors)?;
            let next = cursor.after_page(&pass, &page);
            let commit = self.commit(stream, &page, &next)?;
            pages += 1;
            record_page(report, &page, &commit);
            (self.on_progress)(&SyncProgress { stream: stream.to_owned(), pages, records: report.records });
            if page.exhausted {
                report.completed = true;
                return Ok(StreamEnd::Completed);
            }
            pass = next.pass.clone().unwrap_or_else(|| pass.clone());
            cursor = next;
        }
    }

    fn stored_cursor(&self, stream: &str) -> Result<StreamCursor, SyncError> {
        let reader = self.warehouse.reader().map_err(|e| warehouse_error(self.source_name, e))?;
        let Some(text) = read_cursor_json(&reader, self.source_name, stream)
            .map_err(|e| warehouse_error(self.source_name, e))?
        else {
            return Ok(StreamCursor::default());
        };
        serde_json::from_str(&text).map_err(|e| SyncError::UnreadableCursor {
            source_name: self.source_name.to_owned(),
            stream: stream.to_owned(),
            detail: e.to_string(),
        })
    }

    /// The next page, or `None` when the user cancelled during the fetch.
    fn fetch(&mut self, stream: &str, pass: &Pass) -> Result<Option<Page>, SyncError> {
        let request = PageRequest {
            cursor: pass.cursor.as_ref(),
            updated_since: pass.since,
            pass_started_at: pass.started_at,
            cancel: self.cancel,
        };
        match self.connector.fetch_page(stream, &request) {
            Ok(page) => Ok(Some(page)),
            Err(e) if e.problem == FetchProblem::Cancelled => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Refuses a page whose next cursor was already seen in this pass.
    fn guard_next_cursor(
        &self,
        stream: &str,
        page: &Page,
        seen: &mut HashSet<String>,
    ) -> Result<(), SyncError> {
        if page.exhausted {
            return Ok(());
        }
        let Some(next) = &page.next_cursor else {
            return Err(SyncError::MissingNextCursor {
                source_name: self.source_name.to_owned(),
                stream: stream.to_owned(),
            });
        };
        let text = canonical_json(next);
        if !seen.insert(text.clone()) {
            return Err(SyncError::PaginationLoop {
                source_name: self.source_name.to_owned(),
                stream: stream.to_owned(),
                cursor: abbreviate(&text),
            });
        }
        Ok(())
    }

    fn commit(&self, stream: &str, page: &Page, cursor: &StreamCursor) -> Result<PageCommit, SyncError> {
        let target = PageTarget { source: self.source_name, stream, now: self.clock.now() };
        self.warehouse
            .write(|tx| commit_page(tx, target, &page.records, cursor))
            .map_err(|e| warehouse_error(self.source_name, e))
    }
}

fn record_page(report: &mut StreamReport, page: &Page, commit: &PageCommit) {
    report.landed.add(&commit.landed);
    report.records += page.records.len() as u64;
    report.older_than_landed += commit.older_than_landed;
    // Skipped records changed nothing: count them as unchanged in the run.
    report.landed.unchanged += commit.older_than_landed;
}

fn abbreviate(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn warehouse_error(source_name: &str, source: WarehouseError) -> SyncError {
    SyncError::Warehouse { source_name: source_name.to_owned(), source }
}

/// The cursor a connector would receive for `stream` on the next sync, for
/// display ("resumes at …") and tests.
pub fn stored_cursor(
    warehouse: &Warehouse,
    source_name: &str,
    stream: &str,
) -> Result<Option<Value>, SyncError> {
    let reader = warehouse.reader().map_err(|e| warehouse_error(source_name, e))?;
    let text = read_cursor_json(&reader, source_name, stream).map_err(|e| warehouse_error(source_name, e))?;
    text.map(|t| serde_json::from_str(&t)).transpose().map_err(|e| SyncError::UnreadableCursor {
        source_name: source_name.to_owned(),
        stream: stream.to_owned(),
        detail: e.to_string(),
    })
}
