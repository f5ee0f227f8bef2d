//! Shared fixtures: real warehouses in temp dirs, a fixed clock, a virtual
//! sleeper, test HTTP settings, dumps for comparing warehouses, and a log
//! capture for the "a token never appears in logs" checks.

use std::num::NonZeroU32;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use parlance_connectors::{
    Connector, HttpSettings, ManualClock, SyncError, SyncOptions, SyncProgress, SyncReport, TimeSources,
    VirtualSleeper, sync,
};
use parlance_warehouse::{Timestamp, Warehouse};

/// 2026-11-22T10:00:00Z, "now" in every test unless a test moves it.
pub const NOW: i64 = 1_795_341_600;

pub fn at(unix: i64) -> Timestamp {
    Timestamp::from_unix(unix).unwrap()
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub warehouse: Warehouse,
    pub clock: Arc<ManualClock>,
    pub sleeper: Arc<VirtualSleeper>,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let warehouse = Warehouse::open(&dir.path().join("warehouse.parlance")).unwrap();
        Self {
            dir,
            warehouse,
            clock: Arc::new(ManualClock::new(at(NOW))),
            sleeper: Arc::new(VirtualSleeper::new()),
        }
    }

    pub fn time(&self) -> TimeSources {
        TimeSources { clock: self.clock.clone(), sleeper: self.sleeper.clone() }
    }

    pub fn sync(
        &self,
        source: &str,
        connector: &mut dyn Connector,
        options: &SyncOptions,
    ) -> Result<SyncReport, SyncError> {
        let cancel = AtomicBool::new(false);
        sync(&self.warehouse, source, connector, options, &*self.clock, &mut |_| {}, &cancel)
    }

    pub fn sync_with_progress(
        &self,
        source: &str,
        connector: &mut dyn Connector,
        options: &SyncOptions,
        on_progress: &mut dyn FnMut(&SyncProgress),
        cancel: &AtomicBool,
    ) -> Result<SyncReport, SyncError> {
        sync(&self.warehouse, source, connector, options, &*self.clock, on_progress, cancel)
    }

    /// Every landed record, in a stable order.
    pub fn landing(&self) -> Vec<LandedRow> {
        let reader = self.warehouse.reader().unwrap();
        let mut statement = reader
            .prepare(
                "SELECT source, stream, source_id, source_updated_at, payload_json, hex(content_hash), fetched_at
                 FROM landing_records ORDER BY source, stream, source_id",
            )
            .unwrap();
        statement
            .query_map([], |r| {
                Ok(LandedRow {
                    source: r.get(0)?,
                    stream: r.get(1)?,
                    source_id: r.get(2)?,
                    source_updated_at: r.get(3)?,
                    payload_json: r.get(4)?,
                    content_hash: r.get(5)?,
                    fetched_at: r.get(6)?,
                })
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    pub fn ids(&self, stream: &str) -> Vec<String> {
        self.landing().into_iter().filter(|r| r.stream == stream).map(|r| r.source_id).collect()
    }

    pub fn payload(&self, stream: &str, source_id: &str) -> serde_json::Value {
        let row =
            self.landing().into_iter().find(|r| r.stream == stream && r.source_id == source_id).unwrap();
        serde_json::from_str(&row.payload_json).unwrap()
    }

    /// Every stream's stored cursor text, in a stable order.
    pub fn stream_states(&self) -> Vec<(String, String, String, String)> {
        let reader = self.warehouse.reader().unwrap();
        let mut statement = reader
            .prepare(
                "SELECT source, stream, cursor_json, updated_at FROM stream_state ORDER BY source, stream",
            )
            .unwrap();
        statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// (status, pages, inserted, updated, unchanged, error) of every run, oldest first.
    pub fn runs(&self) -> Vec<RunRow> {
        let reader = self.warehouse.reader().unwrap();
        let mut statement = reader
            .prepare(
                "SELECT status, pages, inserted, updated, unchanged, error, full_refresh, finished_at IS NOT NULL
                 FROM sync_runs ORDER BY id",
            )
            .unwrap();
        statement
            .query_map([], |r| {
                Ok(RunRow {
                    status: r.get(0)?,
                    pages: r.get(1)?,
                    inserted: r.get(2)?,
                    updated: r.get(3)?,
                    unchanged: r.get(4)?,
                    error: r.get(5)?,
                    full_refresh: r.get(6)?,
                    finished: r.get(7)?,
                })
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    pub fn last_run(&self) -> RunRow {
        self.runs().pop().unwrap()
    }

    pub fn assert_healthy(&self) {
        assert_eq!(self.warehouse.integrity_check().unwrap(), Vec::<String>::new());
    }

    /// The warehouse's bytes on disk: the database, its WAL and shared memory.
    pub fn file_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            bytes.extend(std::fs::read(entry.unwrap().path()).unwrap_or_default());
        }
        bytes
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LandedRow {
    pub source: String,
    pub stream: String,
    pub source_id: String,
    pub source_updated_at: Option<String>,
    pub payload_json: String,
    pub content_hash: String,
    pub fetched_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRow {
    pub status: String,
    pub pages: i64,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub error: Option<String>,
    pub full_refresh: bool,
    pub finished: bool,
}

/// Fast, generous limits for tests against the local fakes; retries capped
/// at four attempts.
pub fn test_http_settings() -> HttpSettings {
    HttpSettings {
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(20),
        max_response_bytes: 1024 * 1024,
        requests_per_second: NonZeroU32::new(1_000).unwrap(),
        burst: NonZeroU32::new(1_000).unwrap(),
        max_attempts: 4,
        first_backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(8),
        max_retry_wait: Duration::from_secs(120),
        requests_per_minute: None,
        proxy: None,
        user_agent: "parlance-tests".into(),
    }
}

/// Whether `haystack` contains `needle` anywhere.
pub fn contains_bytes(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Everything logged (at every level, by every crate) since the test binary
/// started.
pub fn captured_logs() -> String {
    logger().lines.lock().unwrap().join("\n")
}

/// Installs the capturing logger (once per test binary).
pub fn capture_logs() {
    let _ = logger();
}

struct CaptureLogger {
    lines: Mutex<Vec<String>>,
}

impl log::Log for CaptureLogger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        self.lines.lock().unwrap().push(line);
    }

    fn flush(&self) {}
}

fn logger() -> &'static CaptureLogger {
    static LOGGER: OnceLock<&'static CaptureLogger> = OnceLock::new();
    LOGGER.get_or_init(|| {
        let logger: &'static CaptureLogger =
            Box::leak(Box::new(CaptureLogger { lines: Mutex::new(Vec::new()) }));
        log::set_logger(logger).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
        logger
    })
}
