//! Records that could not be unified, with the reason; never dropped.

use parlance_warehouse::{Connection, Warehouse, WarehouseError, params};

use crate::pipeline::{Ctx, UnifyError, is_quarantined};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuarantinedRecord {
    pub landing_id: i64,
    pub source: String,
    pub stream: String,
    pub source_id: String,
    pub reason: String,
    pub first_seen: String,
    pub last_seen: String,
    pub retries: i64,
}

/// Puts (or keeps) a record in quarantine with its latest reason.
pub fn hold(tx: &Connection, landing_id: i64, reason: &str, at: &str) -> Result<(), UnifyError> {
    tx.prepare_cached(
        "INSERT INTO quarantine(landing_id, reason, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT(landing_id) DO UPDATE SET reason = excluded.reason, last_seen = excluded.last_seen",
    )
    .and_then(|mut s| s.execute(params![landing_id, reason, at]))
    .ctx("quarantining a record")?;
    Ok(())
}

/// Takes a record out of quarantine; 1 if it was there.
pub fn release(tx: &Connection, landing_id: i64) -> Result<u64, UnifyError> {
    if !is_quarantined(tx, landing_id)? {
        return Ok(0);
    }
    tx.prepare_cached("DELETE FROM quarantine WHERE landing_id = ?1")
        .and_then(|mut s| s.execute([landing_id]))
        .ctx("releasing a record")?;
    Ok(1)
}

/// The quarantine, oldest first, optionally for one source.
pub fn list_quarantine(
    warehouse: &Warehouse,
    source: Option<&str>,
    limit: u32,
) -> Result<Vec<QuarantinedRecord>, UnifyError> {
    let reader = warehouse.reader()?;
    let mut stmt = reader
        .prepare(
            "SELECT q.landing_id, l.source, l.stream, l.source_id, q.reason, q.first_seen, q.last_seen, q.retries
             FROM quarantine q JOIN landing_records l ON l.id = q.landing_id
             WHERE ?1 IS NULL OR l.source = ?1 ORDER BY q.id LIMIT ?2",
        )
        .ctx("listing quarantine")?;
    let rows = stmt
        .query_map(params![source, limit], |r| {
            Ok(QuarantinedRecord {
                landing_id: r.get(0)?,
                source: r.get(1)?,
                stream: r.get(2)?,
                source_id: r.get(3)?,
                reason: r.get(4)?,
                first_seen: r.get(5)?,
                last_seen: r.get(6)?,
                retries: r.get(7)?,
            })
        })
        .ctx("listing quarantine")?;
    rows.collect::<Result<Vec<_>, _>>().ctx("listing quarantine")
}

/// Re-queues quarantined records (of one source, or all) for the next
/// `unify_pending`, counting the retry. Returns how many were re-queued.
pub fn retry_quarantine(warehouse: &Warehouse, source: Option<&str>) -> Result<u64, UnifyError> {
    let n = warehouse.write(|tx| {
        let requeued = tx
            .execute(
                "UPDATE landing_records SET normalized_hash = NULL
                 WHERE id IN (SELECT q.landing_id FROM quarantine q JOIN landing_records l ON l.id = q.landing_id
                              WHERE ?1 IS NULL OR l.source = ?1)",
                params![source],
            )
            .map_err(|source| WarehouseError::Sqlite { context: "re-queuing quarantine".into(), source })?;
        tx.execute(
            "UPDATE quarantine SET retries = retries + 1
             WHERE ?1 IS NULL OR landing_id IN (SELECT id FROM landing_records WHERE source = ?1)",
            params![source],
        )
        .map_err(|source| WarehouseError::Sqlite { context: "counting retries".into(), source })?;
        Ok(requeued)
    })?;
    Ok(n as u64)
}
