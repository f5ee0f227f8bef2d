//! Re-resolving landed records from scratch, in memory, and writing the
//! outcome back in bulk: the engine under [`crate::rebuild`] (every record)
//! and [`crate::unmerge`] (the records of one profile).
//!
//! The resolver is the same function the incremental path runs, over a
//! [`MemoryStore`] instead of the warehouse, so replaying records in landing
//! order gives the clusters incremental resolution gives.

use std::collections::HashMap;

use parlance_identity::{Evidence, MemoryStore, ProfileId, ResolveError, Rules, resolve};
use parlance_normalize::Normalized;
use parlance_warehouse::{Connection, params};

use crate::pipeline::{Ctx, UnifyError};
use crate::rows::{self, UnlinkedRow};

/// Each source's payload shape and configuration (see `pipeline::source_shapes`).
pub(crate) type Shapes = HashMap<String, (String, serde_json::Value)>;

static NO_CONFIG: serde_json::Value = serde_json::Value::Null;

/// Normalises one landed record the way the incremental pipeline does;
/// the error is the quarantine reason without its source/stream prefix.
pub(crate) fn normalize_record(
    shapes: &Shapes,
    source: &str,
    stream: &str,
    payload: &str,
) -> Result<Normalized, String> {
    let (shape, config) = shapes.get(source).map_or((source, &NO_CONFIG), |(s, c)| (s.as_str(), c));
    let context = parlance_normalize::SourceContext { name: source, shape, config };
    parlance_normalize::normalize_with(&context, stream, payload).map_err(|e| e.problem.to_string())
}

/// One landed record as the replay saw it.
#[derive(Debug)]
pub(crate) struct Replayed {
    pub landing_id: i64,
    pub source: String,
    pub stream: String,
    /// The memory profile the record resolved to (at the time) and what did
    /// not link; or why it cannot be unified.
    pub outcome: Result<(ProfileId, Vec<UnlinkedRow>), String>,
}

/// Records resolved into a memory store, in landing order.
#[derive(Debug, Default)]
pub(crate) struct Replay {
    pub store: MemoryStore,
    pub records: Vec<Replayed>,
}

impl Replay {
    /// Normalises and resolves one record.
    pub fn push(
        &mut self,
        shapes: &Shapes,
        rules: &Rules,
        at: &str,
        (landing_id, source, stream, payload): (i64, String, String, String),
    ) -> Result<(), UnifyError> {
        let outcome = normalize_record(shapes, &source, &stream, &payload).and_then(|n| {
            let evidence = Evidence { source: &source, landing_id: Some(landing_id), at };
            match resolve(&mut self.store, rules, &n.identifiers, &evidence) {
                Ok(resolution) => Ok((resolution.profile, rows::unlinked_rows(&resolution))),
                Err(e @ ResolveError::NoUsableIdentifier(_)) => Err(e.to_string()),
                Err(e @ ResolveError::UnknownProfile(_)) => Err(format!("\u{0}{e}")),
            }
        });
        if let Err(reason) = &outcome
            && let Some(internal) = reason.strip_prefix('\u{0}')
        {
            return Err(UnifyError::Warehouse(parlance_warehouse::WarehouseError::Invalid {
                what: "identity replay".into(),
                detail: internal.to_owned(),
            }));
        }
        self.records.push(Replayed { landing_id, source, stream, outcome });
        Ok(())
    }

    /// Warehouse ids for the store's profiles. A live cluster keeps the id
    /// `prefer` proposes for it (first come, first served, in landing order of
    /// the cluster's first record); every other profile gets a fresh id from
    /// `next_id` up.
    pub fn assign_ids(
        &self,
        mut prefer: impl FnMut(ProfileId, i64) -> Option<i64>,
        mut next_id: i64,
    ) -> HashMap<ProfileId, i64> {
        let mut ids: HashMap<ProfileId, i64> = HashMap::new();
        let mut taken = std::collections::HashSet::new();
        for r in &self.records {
            if let Ok((p, _)) = &r.outcome {
                let live = self.store.live(*p);
                if ids.contains_key(&live) {
                    continue;
                }
                if let Some(old) = prefer(live, r.landing_id).filter(|old| !taken.contains(old)) {
                    taken.insert(old);
                    ids.insert(live, old);
                }
            }
        }
        for p in self.store.profiles() {
            if !p.elsewhere && !ids.contains_key(&p.id) {
                ids.insert(p.id, next_id);
                next_id += 1;
            }
        }
        ids
    }

    /// Writes the store's profiles (those `ids` maps and `existing` does not
    /// hold yet are inserted; existing ones get their kind), identifiers
    /// (keeping each one's earlier first-seen time from
    /// `temp.replay_first_seen` when there is one) and merges.
    pub fn write_identity(
        &self,
        tx: &Connection,
        ids: &HashMap<ProfileId, i64>,
        existing: &std::collections::HashSet<i64>,
        now: &str,
    ) -> Result<(), UnifyError> {
        let mut insert_profile = tx
            .prepare_cached("INSERT INTO profiles(id, kind, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)")
            .ctx("preparing profiles")?;
        let mut update_profile = tx
            .prepare_cached(
                "UPDATE profiles SET kind = ?2, merged_into = NULL,
                        updated_at = CASE WHEN kind != ?2 OR merged_into IS NOT NULL THEN ?3 ELSE updated_at END
                  WHERE id = ?1",
            )
            .ctx("preparing profiles")?;
        let mut insert_identifier = tx
            .prepare_cached(
                "INSERT INTO identifiers(kind, value, profile_id, source, landing_id, first_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5,
                         coalesce((SELECT first_seen FROM temp.replay_first_seen WHERE kind = ?1 AND value = ?2), ?6))",
            )
            .ctx("preparing identifiers")?;
        let mut retire = tx
            .prepare_cached("UPDATE profiles SET merged_into = ?2, updated_at = ?3 WHERE id = ?1")
            .ctx("preparing merged profiles")?;
        let kind = |anonymous: bool| if anonymous { "anonymous" } else { "person" };
        for p in self.store.profiles() {
            let Some(&id) = ids.get(&p.id) else { continue };
            if existing.contains(&id) {
                update_profile.execute(params![id, kind(p.anonymous), now]).ctx("updating a profile")?;
            } else {
                insert_profile
                    .execute(params![id, kind(p.anonymous), p.created_at])
                    .ctx("writing a profile")?;
            }
            for h in &p.identifiers {
                insert_identifier
                    .execute(params![
                        h.identifier.kind.to_string(),
                        h.identifier.value,
                        id,
                        h.source,
                        h.landing_id,
                        h.first_seen
                    ])
                    .ctx("writing an identifier")?;
            }
        }
        for p in self.store.profiles() {
            if let (Some(&id), Some(into)) = (ids.get(&p.id), p.merged_into.and_then(|m| ids.get(&m))) {
                retire.execute(params![id, into, p.created_at]).ctx("marking a merged profile")?;
            }
        }
        let mut merge = tx
            .prepare_cached(
                "INSERT INTO merges(kept_profile, merged_profile, evidence_json, merged_at) VALUES (?1, ?2, ?3, ?4)",
            )
            .ctx("preparing merges")?;
        for m in self.store.merges() {
            if let (Some(kept), Some(absorbed)) = (ids.get(&m.kept), ids.get(&m.absorbed)) {
                merge.execute(params![kept, absorbed, m.evidence_json, m.at]).ctx("recording a merge")?;
            }
        }
        Ok(())
    }

    /// Re-normalises each replayed record (same payload, same rows) and writes
    /// its unified rows for its final profile, or quarantines it.
    /// `fresh` says the records' old rows are already gone; otherwise they
    /// are cleared first.
    pub fn write_rows(
        &self,
        tx: &Connection,
        shapes: &Shapes,
        ids: &HashMap<ProfileId, i64>,
        fresh: bool,
        now: &str,
        on_record: &mut dyn FnMut(u64) -> Result<(), UnifyError>,
    ) -> Result<RowCounts, UnifyError> {
        let mut counts = RowCounts::default();
        if !fresh {
            // Clear every record first: a trait row one record wrote may stand
            // for another's observation too (one row per profile, key and source).
            for r in &self.records {
                rows::clear(tx, r.landing_id)?;
            }
        }
        let mut payload = tx
            .prepare_cached("SELECT payload_json FROM landing_records WHERE id = ?1")
            .ctx("reading a landed record")?;
        for (done, r) in self.records.iter().enumerate() {
            if done % 4096 == 0 {
                on_record(done as u64)?;
            }
            match &r.outcome {
                Ok((p, unlinked)) => {
                    let text: String =
                        payload.query_row([r.landing_id], |row| row.get(0)).ctx("reading a landed record")?;
                    let n = normalize_record(shapes, &r.source, &r.stream, &text).map_err(|e| {
                        UnifyError::Warehouse(parlance_warehouse::WarehouseError::Invalid {
                            what: "replay".into(),
                            detail: format!(
                                "record {} normalised differently the second time: {e}",
                                r.landing_id
                            ),
                        })
                    })?;
                    let profile = ids.get(&self.store.live(*p)).copied().ok_or_else(|| {
                        UnifyError::Warehouse(parlance_warehouse::WarehouseError::Invalid {
                            what: "replay".into(),
                            detail: format!("record {} resolved to a profile with no id", r.landing_id),
                        })
                    })?;
                    rows::insert(tx, r.landing_id, &r.source, profile, &n)?;
                    rows::insert_unlinked(tx, r.landing_id, unlinked)?;
                    counts.released += crate::quarantine::release(tx, r.landing_id)?;
                    counts.unified += 1;
                }
                Err(reason) => {
                    rows::clear(tx, r.landing_id)?;
                    crate::quarantine::hold(
                        tx,
                        r.landing_id,
                        &format!("{}/{}: {reason}", r.source, r.stream),
                        now,
                    )?;
                    counts.quarantined += 1;
                }
            }
        }
        Ok(counts)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RowCounts {
    pub unified: u64,
    pub quarantined: u64,
    pub released: u64,
}

/// Copies every identifier's first-seen time aside (`temp.replay_first_seen`)
/// so re-written identifiers keep when they were first seen.
pub(crate) fn save_first_seen(tx: &Connection, profiles: Option<&[i64]>) -> Result<(), UnifyError> {
    tx.execute_batch(
        "DROP TABLE IF EXISTS temp.replay_first_seen;
         CREATE TEMP TABLE replay_first_seen(kind TEXT NOT NULL, value TEXT NOT NULL, first_seen TEXT NOT NULL,
                                             PRIMARY KEY (kind, value)) WITHOUT ROWID;",
    )
    .ctx("setting first-seen times aside")?;
    match profiles {
        None => tx
            .execute("INSERT INTO temp.replay_first_seen SELECT kind, value, first_seen FROM identifiers", [])
            .map(drop),
        Some(list) => {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO temp.replay_first_seen
                     SELECT kind, value, first_seen FROM identifiers WHERE profile_id = ?1",
                )
                .ctx("setting first-seen times aside")?;
            list.iter().try_for_each(|p| stmt.execute([p]).map(drop))
        }
    }
    .ctx("setting first-seen times aside")
}

pub(crate) fn drop_first_seen(tx: &Connection) -> Result<(), UnifyError> {
    tx.execute_batch("DROP TABLE IF EXISTS temp.replay_first_seen").ctx("dropping first-seen times")
}
