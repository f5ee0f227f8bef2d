use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use parlance_identity::{Evidence, ResolveError, Rules, SqlStore, SqlStoreError, resolve};
use parlance_warehouse::{
    Connection, OptionalExtension, SqliteError, Timestamp, Warehouse, WarehouseError, params,
};

use crate::{quarantine, rows};

/// Records normalised per write transaction.
const BATCH: usize = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum UnifyError {
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
    #[error("unifying: {context}: {source}")]
    Sqlite { context: &'static str, source: SqliteError },
    #[error("unifying was cancelled; run it again to continue (nothing is duplicated)")]
    Cancelled,
}

impl From<UnifyError> for WarehouseError {
    fn from(e: UnifyError) -> Self {
        match e {
            UnifyError::Warehouse(w) => w,
            UnifyError::Sqlite { context, source } => {
                WarehouseError::Sqlite { context: context.into(), source }
            }
            UnifyError::Cancelled => WarehouseError::Invalid { what: "unify".into(), detail: e.to_string() },
        }
    }
}

pub(crate) trait Ctx<T> {
    fn ctx(self, context: &'static str) -> Result<T, UnifyError>;
}

impl<T> Ctx<T> for Result<T, SqliteError> {
    fn ctx(self, context: &'static str) -> Result<T, UnifyError> {
        self.map_err(|source| UnifyError::Sqlite { context, source })
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnifyReport {
    pub records: u64,
    pub unified: u64,
    pub quarantined: u64,
    /// Records that left quarantine because they now normalise.
    pub released: u64,
    pub merges: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnifyProgress {
    pub done: u64,
    pub total: u64,
}

/// Normalises every pending landed record into the unified layer.
pub fn unify_pending(
    warehouse: &Warehouse,
    rules: &Rules,
    now: Timestamp,
    on_progress: &mut dyn FnMut(UnifyProgress),
    cancel: &AtomicBool,
) -> Result<UnifyReport, UnifyError> {
    let total = pending_count(warehouse)?;
    let mut report = UnifyReport::default();
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(UnifyError::Cancelled);
        }
        let batch = warehouse.write(|tx| unify_batch(tx, rules, now).map_err(WarehouseError::from))?;
        if batch.records == 0 {
            break;
        }
        report.records += batch.records;
        report.unified += batch.unified;
        report.quarantined += batch.quarantined;
        report.released += batch.released;
        report.merges += batch.merges;
        on_progress(UnifyProgress { done: report.records, total });
    }
    Ok(report)
}

fn pending_count(warehouse: &Warehouse) -> Result<u64, UnifyError> {
    let reader = warehouse.reader()?;
    let n: i64 = reader
        .query_row(
            "SELECT count(*) FROM landing_records WHERE normalized_hash IS NOT content_hash",
            [],
            |r| r.get(0),
        )
        .ctx("counting pending records")?;
    Ok(u64::try_from(n).unwrap_or(0))
}

struct Pending {
    id: i64,
    source: String,
    stream: String,
    payload: String,
}

fn unify_batch(tx: &Connection, rules: &Rules, now: Timestamp) -> Result<UnifyReport, UnifyError> {
    let pending = next_batch(tx)?;
    let shapes = source_shapes(tx)?;
    let at = now.to_string();
    let mut report = UnifyReport::default();
    let mut store = SqlStore::new(tx);
    for record in &pending {
        report.records += 1;
        let (shape, config) =
            shapes.get(&record.source).map_or((record.source.as_str(), &NO_CONFIG), |(s, c)| (s.as_str(), c));
        let context = parlance_normalize::SourceContext { name: &record.source, shape, config };
        let normalized = parlance_normalize::normalize_with(&context, &record.stream, &record.payload);
        // The record's source/stream prefix is added once, below.
        let outcome = normalized.map_err(|e| e.problem.to_string()).and_then(|n| {
            let evidence = Evidence { source: &record.source, landing_id: Some(record.id), at: &at };
            match resolve(&mut store, rules, &n.identifiers, &evidence) {
                Ok(resolution) => Ok((n, resolution)),
                Err(SqlStoreError::Resolve(e @ ResolveError::NoUsableIdentifier(_))) => Err(e.to_string()),
                Err(other) => Err(format!("\u{0}{other}")),
            }
        });
        match outcome {
            Ok((n, resolution)) => {
                rows::replace(tx, record.id, &record.source, resolution.profile, &n)?;
                rows::insert_unlinked(tx, record.id, &rows::unlinked_rows(&resolution))?;
                report.merges += resolution.merges as u64;
                report.unified += 1;
                report.released += quarantine::release(tx, record.id)?;
            }
            // A warehouse failure (marked with NUL) aborts the batch; it is not the record's fault.
            Err(reason) if reason.starts_with('\u{0}') => {
                return Err(UnifyError::Warehouse(WarehouseError::Invalid {
                    what: "identity store".into(),
                    detail: reason.trim_start_matches('\u{0}').to_owned(),
                }));
            }
            Err(reason) => {
                rows::clear(tx, record.id)?;
                quarantine::hold(
                    tx,
                    record.id,
                    &format!("{}/{}: {reason}", record.source, record.stream),
                    &at,
                )?;
                report.quarantined += 1;
            }
        }
        tx.prepare_cached("UPDATE landing_records SET normalized_hash = content_hash WHERE id = ?1")
            .and_then(|mut s| s.execute(params![record.id]))
            .ctx("marking a record normalised")?;
    }
    Ok(report)
}

fn next_batch(tx: &Connection) -> Result<Vec<Pending>, UnifyError> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT id, source, stream, payload_json FROM landing_records
             WHERE normalized_hash IS NOT content_hash ORDER BY id LIMIT ?1",
        )
        .ctx("reading pending records")?;
    let rows = stmt
        .query_map([BATCH as i64], |r| {
            Ok(Pending { id: r.get(0)?, source: r.get(1)?, stream: r.get(2)?, payload: r.get(3)? })
        })
        .ctx("reading pending records")?;
    rows.collect::<Result<Vec<_>, _>>().ctx("reading pending records")
}

static NO_CONFIG: serde_json::Value = serde_json::Value::Null;

/// Each source's payload shape: `config_json.shape` (demo sources follow a
/// real tool's shape), else its kind (a `shopify` source sends Shopify
/// shapes); and its configuration (a CSV import's column mapping).
pub(crate) fn source_shapes(
    tx: &Connection,
) -> Result<HashMap<String, (String, serde_json::Value)>, UnifyError> {
    let mut stmt = tx.prepare_cached("SELECT name, kind, config_json FROM sources").ctx("reading sources")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
        .ctx("reading sources")?;
    let mut shapes = HashMap::new();
    for row in rows {
        let (name, kind, config) = row.ctx("reading sources")?;
        let config = serde_json::from_str::<serde_json::Value>(&config).unwrap_or_default();
        let shape = config.get("shape").and_then(|s| s.as_str()).map_or(kind, str::to_owned);
        shapes.insert(name, (shape, config));
    }
    Ok(shapes)
}

/// True when the record is in quarantine now.
pub(crate) fn is_quarantined(tx: &Connection, landing_id: i64) -> Result<bool, UnifyError> {
    // Cached: this runs for every unified record (a fresh prepare per record
    // was 6% of a Segment import's profile).
    tx.prepare_cached("SELECT 1 FROM quarantine WHERE landing_id = ?1")
        .and_then(|mut s| s.query_row([landing_id], |_| Ok(())).optional())
        .map(|o| o.is_some())
        .ctx("reading quarantine")
}
