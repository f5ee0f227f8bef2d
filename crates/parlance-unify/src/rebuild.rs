//! The full rebuild: every landed record re-normalised and re-resolved from
//! scratch, in landing order, in one write transaction.
//!
//! 1. Every landed record is normalised and resolved, in landing order, on a
//!    [`parlance_identity::MemoryStore`] loaded with the keep-apart rules
//!    (the same resolver the incremental path runs, so the clusters are the
//!    ones incremental resolution gives for the same records).
//! 2. The unified layer is cleared: identifiers, record lineage, merges,
//!    unlinked identifiers, events, orders, support contacts, traits.
//! 3. Profiles are written back with **stable ids**: a cluster keeps the id
//!    of the profile its first record belonged to (first come, first
//!    served), so a rebuild that changes nothing changes no profile id and
//!    derived data (value, segments) stays attached. Profiles no cluster
//!    keeps are deleted, with the derived rows that described them.
//! 4. Identifiers keep their first-seen time; the merge history is
//!    re-derived (undone merges are not replayed: their keep-apart rules are
//!    what persists); every record's rows are written again, and records
//!    that cannot be unified are (still) quarantined with the reason.
//!
//! Identifiers that only an earlier version of an updated record carried
//! are dropped by a rebuild, where incremental resolution keeps them.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use parlance_identity::{Rules, load_keep_apart_rules};
use parlance_warehouse::{Connection, Timestamp, Warehouse, WarehouseError};

use crate::pipeline::{Ctx, UnifyError, source_shapes};
use crate::replay::{Replay, drop_first_seen, save_first_seen};

/// Tables of derived data that point at profiles: a rebuild deletes their
/// rows for profiles that no longer exist. (A test checks every table with
/// a foreign key to `profiles` is either here or rewritten by the rebuild.)
pub const DERIVED_PROFILE_TABLES: &[&str] = &[
    "profile_features",
    "profile_scores",
    "profile_value",
    "value_history",
    "segment_membership",
    "stage_history",
];

/// Tables the rebuild rewrites whole.
pub const REBUILT_TABLES: &[&str] = &[
    "identifiers",
    "record_profiles",
    "merges",
    "unlinked_identifiers",
    "events",
    "orders",
    "support_contacts",
    "traits",
];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RebuildReport {
    pub records: u64,
    pub unified: u64,
    pub quarantined: u64,
    /// Records that left quarantine.
    pub released: u64,
    /// Live profiles after the rebuild.
    pub profiles: u64,
    /// Of those, how many kept the id they had before.
    pub profiles_kept_id: u64,
    pub identifiers: u64,
    pub merges: u64,
    /// Keep-apart rules honoured.
    pub keep_apart_rules: u64,
}

/// Where a rebuild is: `resolving` (normalise + resolve in memory), then
/// `writing` (rows written back); `done` of `total` records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RebuildProgress {
    pub phase: &'static str,
    pub done: u64,
    pub total: u64,
}

/// Re-resolves every landed record from scratch. All or nothing: one write
/// transaction, rolled back on error or cancellation.
pub fn rebuild(
    warehouse: &Warehouse,
    rules: &Rules,
    now: Timestamp,
    on_progress: &mut dyn FnMut(RebuildProgress),
    cancel: &AtomicBool,
) -> Result<RebuildReport, UnifyError> {
    warehouse
        .write(|tx| rebuild_in(tx, rules, now, on_progress, cancel).map_err(WarehouseError::from))
        .map_err(|e| match e {
            WarehouseError::Invalid { what, .. } if what == "unify" => UnifyError::Cancelled,
            other => UnifyError::Warehouse(other),
        })
}

fn rebuild_in(
    tx: &Connection,
    rules: &Rules,
    now: Timestamp,
    on_progress: &mut dyn FnMut(RebuildProgress),
    cancel: &AtomicBool,
) -> Result<RebuildReport, UnifyError> {
    let at = now.to_string();
    let total: i64 =
        tx.query_row("SELECT count(*) FROM landing_records", [], |r| r.get(0)).ctx("counting records")?;
    let total = u64::try_from(total).unwrap_or(0);
    let shapes = source_shapes(tx)?;
    let mut replay = Replay::default();
    let keep_apart = load_keep_apart_rules(tx, &mut replay.store).ctx("reading keep-apart rules")? as u64;

    // 1. Resolve everything in memory, in landing order.
    {
        let mut stmt = tx
            .prepare("SELECT id, source, stream, payload_json FROM landing_records ORDER BY id")
            .ctx("reading landed records")?;
        let mut rows = stmt.query([]).ctx("reading landed records")?;
        let mut done = 0u64;
        while let Some(row) = rows.next().ctx("reading landed records")? {
            let record = (
                row.get::<_, i64>(0).ctx("reading landed records")?,
                row.get::<_, String>(1).ctx("reading landed records")?,
                row.get::<_, String>(2).ctx("reading landed records")?,
                row.get::<_, String>(3).ctx("reading landed records")?,
            );
            replay.push(&shapes, rules, &at, record)?;
            done += 1;
            if done.is_multiple_of(4096) {
                if cancel.load(Ordering::Relaxed) {
                    return Err(UnifyError::Cancelled);
                }
                on_progress(RebuildProgress { phase: "resolving", done, total });
            }
        }
    }
    on_progress(RebuildProgress { phase: "resolving", done: total, total });

    // 2. Stable ids: a cluster keeps the live profile its first record had.
    let old_profile = old_profiles_by_record(tx)?;
    let live_before: HashSet<i64> = ids(tx, "SELECT id FROM profiles WHERE merged_into IS NULL")?;
    let max_id: i64 = tx
        .query_row("SELECT coalesce(max(id), 0) FROM profiles", [], |r| r.get(0))
        .ctx("reading profiles")?;
    let assigned = replay.assign_ids(
        |_, landing_id| old_profile.get(&landing_id).copied().filter(|p| live_before.contains(p)),
        max_id + 1,
    );
    let kept: HashSet<i64> = assigned.values().copied().filter(|id| live_before.contains(id)).collect();

    // 3. Clear and write back.
    save_first_seen(tx, None)?;
    for table in REBUILT_TABLES {
        // Fixed table names from this file, never user text.
        tx.execute(&format!("DELETE FROM {table}"), []).ctx("clearing the unified layer")?;
    }
    tx.execute_batch(
        "DROP TABLE IF EXISTS temp.rebuild_kept; CREATE TEMP TABLE rebuild_kept(id INTEGER PRIMARY KEY);
         UPDATE profiles SET merged_into = NULL WHERE merged_into IS NOT NULL;",
    )
    .ctx("preparing profiles")?;
    {
        let mut keep =
            tx.prepare("INSERT INTO temp.rebuild_kept(id) VALUES (?1)").ctx("preparing profiles")?;
        for id in &kept {
            keep.execute([id]).ctx("preparing profiles")?;
        }
    }
    for table in DERIVED_PROFILE_TABLES {
        tx.execute(
            &format!("DELETE FROM {table} WHERE profile_id NOT IN (SELECT id FROM temp.rebuild_kept)"),
            [],
        )
        .ctx("clearing derived rows of profiles that no longer exist")?;
    }
    tx.execute("DELETE FROM profiles WHERE id NOT IN (SELECT id FROM temp.rebuild_kept)", [])
        .ctx("deleting profiles that no longer exist")?;
    tx.execute_batch("DROP TABLE temp.rebuild_kept").ctx("preparing profiles")?;
    replay.write_identity(tx, &assigned, &kept, &at)?;
    drop_first_seen(tx)?;

    let counts = replay.write_rows(tx, &shapes, &assigned, true, &at, &mut |done| {
        if cancel.load(Ordering::Relaxed) {
            return Err(UnifyError::Cancelled);
        }
        on_progress(RebuildProgress { phase: "writing", done, total });
        Ok(())
    })?;
    tx.execute(
        "UPDATE landing_records SET normalized_hash = content_hash WHERE normalized_hash IS NOT content_hash",
        [],
    )
    .ctx("marking records normalised")?;
    on_progress(RebuildProgress { phase: "writing", done: total, total });

    let count = |sql: &str| -> Result<u64, UnifyError> {
        let n: i64 = tx.query_row(sql, [], |r| r.get(0)).ctx("counting the result")?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    Ok(RebuildReport {
        records: replay.records.len() as u64,
        unified: counts.unified,
        quarantined: counts.quarantined,
        released: counts.released,
        profiles: count("SELECT count(*) FROM profiles WHERE merged_into IS NULL")?,
        profiles_kept_id: kept.len() as u64,
        identifiers: count("SELECT count(*) FROM identifiers")?,
        merges: count("SELECT count(*) FROM merges")?,
        keep_apart_rules: keep_apart,
    })
}

fn old_profiles_by_record(tx: &Connection) -> Result<HashMap<i64, i64>, UnifyError> {
    let mut stmt = tx.prepare("SELECT landing_id, profile_id FROM record_profiles").ctx("reading lineage")?;
    let rows =
        stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))).ctx("reading lineage")?;
    rows.collect::<Result<HashMap<_, _>, _>>().ctx("reading lineage")
}

fn ids(tx: &Connection, sql: &str) -> Result<HashSet<i64>, UnifyError> {
    let mut stmt = tx.prepare(sql).ctx("reading profiles")?;
    let rows = stmt.query_map([], |r| r.get::<_, i64>(0)).ctx("reading profiles")?;
    rows.collect::<Result<HashSet<_>, _>>().ctx("reading profiles")
}
