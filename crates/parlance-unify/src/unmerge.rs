//! Undoing a merge so that it stays undone.
//!
//! The model: an unmerge splits a live profile's identifiers into the side
//! that stays (A) and the side that leaves (B), and stores a **keep-apart
//! rule** for every pair (a, b) in `unmerge_rules`. Rules name identifiers,
//! not profiles, and the resolver honours them on every attach and merge:
//! no profile ever holds both identifiers of a rule, whatever order records
//! arrive in. So later syncs, later unmerges and full rebuilds all keep the
//! two sides apart.
//!
//! Then the profile's records are re-resolved from scratch in landing order
//! (in memory, with every rule loaded; identifiers other profiles hold stay
//! with them), and the outcome is written back: the cluster holding most of
//! side A keeps the profile's id, the others get new ids. The profile's old
//! merges are marked undone (`merges.undone_at`); the merges the
//! re-resolution makes again (links the rules do not forbid) are recorded
//! anew with their evidence, so `explain` still accounts for every merge.
//!
//! Which identifiers leave ([`Split`]): those the absorbed profile of one
//! merge held (the latest one by default, or one named by its id), or a
//! list given explicitly.

use std::collections::{BTreeMap, HashMap, HashSet};

use parlance_identity::{
    Identifier, ProfileId, Rules, add_keep_apart_rules, identifiers_of, live_profile, load_keep_apart_rules,
    merge_history, owner,
};
use parlance_warehouse::{Connection, Timestamp, Warehouse, WarehouseError};

use crate::pipeline::{Ctx, UnifyError, source_shapes};
use crate::replay::{Replay, drop_first_seen, normalize_record, save_first_seen};

/// Which identifiers an unmerge splits off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Split {
    /// Those the absorbed side of the profile's most recent merge still in
    /// effect held. For a merged-away profile id: the merge that absorbed it.
    LatestMerge,
    /// Those the absorbed side of this merge held.
    Merge(i64),
    /// Exactly these (each must be held by the profile).
    Identifiers(Vec<Identifier>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnmergeReport {
    /// The profile that kept its id (side A).
    pub profile: ProfileId,
    /// Live profiles the split produced besides it (side B, and any part
    /// that no longer links to either side).
    pub split_off: Vec<ProfileId>,
    /// The identifiers that left.
    pub moved: Vec<Identifier>,
    pub rules_added: u64,
    pub merges_undone: u64,
    /// Merges the re-resolution made again (links no rule forbids).
    pub merges_redone: u64,
    pub records: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum UnmergeError {
    #[error("no profile {0}")]
    UnknownProfile(ProfileId),
    #[error(
        "profile {profile} has no merge to undo (it was never merged with another profile, or its merges are undone already)"
    )]
    NothingMerged { profile: ProfileId },
    #[error(
        "merge {merge} is not one of profile {profile}'s merges in effect (see `parlance identity explain {profile}`)"
    )]
    NotItsMerge { profile: ProfileId, merge: i64 },
    #[error("profile {profile} does not hold {kind} {value:?}")]
    NotHeld { profile: ProfileId, kind: String, value: String },
    #[error("nothing to split off profile {profile}: {why}")]
    EmptySide { profile: ProfileId, why: &'static str },
    #[error(transparent)]
    Unify(#[from] UnifyError),
}

impl From<UnmergeError> for WarehouseError {
    fn from(e: UnmergeError) -> Self {
        match e {
            UnmergeError::Unify(u) => u.into(),
            other => WarehouseError::Invalid { what: "unmerge".into(), detail: other.to_string() },
        }
    }
}

/// Splits `profile` as `split` says, stores the keep-apart rules and
/// re-resolves the profile's records; one write transaction.
pub fn unmerge(
    warehouse: &Warehouse,
    rules: &Rules,
    profile: ProfileId,
    split: &Split,
    now: Timestamp,
) -> Result<UnmergeReport, UnmergeError> {
    // Validate on a reader first so a bad request is a precise error, not a rolled-back write.
    {
        let reader = warehouse.reader().map_err(UnifyError::from)?;
        plan(&reader, profile, split)?;
    }
    warehouse
        .write(|tx| {
            let (live, side_b) = plan(tx, profile, split).map_err(WarehouseError::from)?;
            unmerge_in(tx, rules, live, side_b, now).map_err(WarehouseError::from)
        })
        .map_err(|e| UnmergeError::Unify(UnifyError::Warehouse(e)))
}

/// The live profile to split and the identifiers that leave it.
fn plan(
    conn: &Connection,
    profile: ProfileId,
    split: &Split,
) -> Result<(ProfileId, Vec<Identifier>), UnmergeError> {
    let live = live_profile(conn, profile)
        .ctx("finding the profile")?
        .ok_or(UnmergeError::UnknownProfile(profile))?;
    let held: HashSet<Identifier> =
        identifiers_of(conn, live).ctx("reading identifiers")?.into_iter().collect();
    let side_b: Vec<Identifier> = match split {
        Split::Identifiers(list) => {
            for id in list {
                if !held.contains(id) {
                    return Err(UnmergeError::NotHeld {
                        profile: live,
                        kind: id.kind.to_string(),
                        value: id.value.clone(),
                    });
                }
            }
            list.clone()
        }
        Split::LatestMerge | Split::Merge(_) => {
            let history = merge_history(conn, live).ctx("reading merges")?;
            let mut in_effect = history.iter().filter(|m| m.undone_at.is_none()).rev();
            let chosen = match split {
                Split::Merge(id) => in_effect
                    .find(|m| m.merge_id == *id)
                    .ok_or(UnmergeError::NotItsMerge { profile: live, merge: *id })?,
                _ if profile != live => in_effect
                    .find(|m| m.merged_profile == profile)
                    .ok_or(UnmergeError::NothingMerged { profile })?,
                _ => in_effect.next().ok_or(UnmergeError::NothingMerged { profile: live })?,
            };
            chosen.absorbed_identifiers.iter().filter(|id| held.contains(*id)).cloned().collect()
        }
    };
    let mut side_b = side_b;
    side_b.sort();
    side_b.dedup();
    if side_b.is_empty() {
        return Err(UnmergeError::EmptySide {
            profile: live,
            why: "none of those identifiers is still held",
        });
    }
    if side_b.len() >= held.len() {
        return Err(UnmergeError::EmptySide {
            profile: live,
            why: "every identifier would leave; nothing would stay",
        });
    }
    Ok((live, side_b))
}

fn unmerge_in(
    tx: &Connection,
    rules: &Rules,
    profile: ProfileId,
    side_b: Vec<Identifier>,
    now: Timestamp,
) -> Result<UnmergeReport, UnifyError> {
    let at = now.to_string();
    let held = identifiers_of(tx, profile).ctx("reading identifiers")?;
    let side_a: Vec<Identifier> = held.iter().filter(|id| !side_b.contains(id)).cloned().collect();
    let rules_added = add_keep_apart_rules(tx, &side_a, &side_b, &at).ctx("storing keep-apart rules")?;

    // The profile's records, in landing order, re-resolved in memory.
    let shapes = source_shapes(tx)?;
    let records: Vec<(i64, String, String, String)> = {
        let mut stmt = tx
            .prepare(
                "SELECT l.id, l.source, l.stream, l.payload_json FROM record_profiles rp
                   JOIN landing_records l ON l.id = rp.landing_id WHERE rp.profile_id = ?1 ORDER BY l.id",
            )
            .ctx("reading the profile's records")?;
        let rows = stmt
            .query_map([profile], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .ctx("reading the profile's records")?;
        rows.collect::<Result<_, _>>().ctx("reading the profile's records")?
    };
    let mut replay = Replay::default();
    load_keep_apart_rules(tx, &mut replay.store).ctx("reading keep-apart rules")?;
    // Identifiers these records carry that other profiles hold stay with them.
    let mut elsewhere: BTreeMap<ProfileId, Vec<Identifier>> = BTreeMap::new();
    let held_set: HashSet<&Identifier> = held.iter().collect();
    for (_, source, stream, payload) in &records {
        if let Ok(n) = normalize_record(&shapes, source, stream, payload) {
            for raw in &n.identifiers {
                if let Ok(id) = parlance_identity::normalise(raw, rules)
                    && !held_set.contains(&id)
                    && let Some(other) = owner(tx, &id).ctx("reading identifiers")?
                    && other != profile
                {
                    let ids = elsewhere.entry(other).or_default();
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
        }
    }
    for (other, mut ids) in elsewhere {
        // Limits need the whole profile, not only the identifiers these records carry.
        for id in identifiers_of(tx, other).ctx("reading identifiers")? {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        replay.store.hold_elsewhere(ids);
    }
    for record in records {
        replay.push(&shapes, rules, &at, record)?;
    }

    // The cluster holding most of side A keeps the id.
    let side_a_set: HashSet<&Identifier> = side_a.iter().collect();
    let mut score: HashMap<ProfileId, usize> = HashMap::new();
    for p in replay.store.profiles() {
        if p.merged_into.is_none() && !p.elsewhere {
            score.insert(p.id, p.identifiers.iter().filter(|h| side_a_set.contains(h.identifier)).count());
        }
    }
    let keeper = score.iter().max_by_key(|(p, n)| (**n, std::cmp::Reverse(**p))).map(|(p, _)| *p);
    let max_id: i64 = tx
        .query_row("SELECT coalesce(max(id), 0) FROM profiles", [], |r| r.get(0))
        .ctx("reading profiles")?;
    let assigned = replay.assign_ids(|live, _| (Some(live) == keeper).then_some(profile), max_id + 1);

    // Undo the old merges, clear the profile's identity and write the new one.
    let merges_undone = tx
        .execute(
            "WITH RECURSIVE family(id) AS (SELECT ?1 UNION SELECT p.id FROM profiles p JOIN family f ON p.merged_into = f.id)
             UPDATE merges SET undone_at = ?2 WHERE undone_at IS NULL AND kept_profile IN family",
            parlance_warehouse::params![profile, at],
        )
        .ctx("marking merges undone")? as u64;
    save_first_seen(tx, Some(&[profile]))?;
    tx.execute("DELETE FROM identifiers WHERE profile_id = ?1", [profile]).ctx("clearing identifiers")?;
    let existing: HashSet<i64> = [profile].into_iter().collect();
    let merges_before: i64 =
        tx.query_row("SELECT count(*) FROM merges", [], |r| r.get(0)).ctx("counting merges")?;
    replay.write_identity(tx, &assigned, &existing, &at)?;
    drop_first_seen(tx)?;
    let merges_after: i64 =
        tx.query_row("SELECT count(*) FROM merges", [], |r| r.get(0)).ctx("counting merges")?;
    replay.write_rows(tx, &shapes, &assigned, false, &at, &mut |_| Ok(()))?;

    let mut split_off: Vec<ProfileId> = replay
        .store
        .profiles()
        .filter(|p| p.merged_into.is_none() && !p.elsewhere)
        .filter_map(|p| assigned.get(&p.id).copied())
        .filter(|id| *id != profile)
        .collect();
    split_off.sort_unstable();
    Ok(UnmergeReport {
        profile,
        split_off,
        moved: side_b,
        rules_added,
        merges_undone,
        merges_redone: u64::try_from(merges_after - merges_before).unwrap_or(0),
        records: replay.records.len() as u64,
    })
}
