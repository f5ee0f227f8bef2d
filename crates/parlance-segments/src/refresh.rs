//! Refreshing everything the vocabulary derives: memberships, scores, stages.
//!
//! [`refresh`] is what the API calls after every sync, import, demo and
//! vocabulary publication. It reads the published vocabulary, evaluates
//! every segment, score and the stages on a [`Sandbox`] as of `today`, and
//! records the results at `now`:
//!
//! - `segment_membership`: entered/left rows per segment version
//!   ([`crate::membership`]);
//! - `profile_scores`: each score's value for every live profile (the rows
//!   of a score are replaced; scores no longer defined are deleted);
//! - `stage_history`: each live profile in exactly one stage; a profile whose
//!   stage changed gets its open row closed and a new one opened at `now`,
//!   and merged-away profiles' rows are closed.
//!
//! A definition that fails (it no longer compiles against the catalog, or
//! times out) is reported and skipped; the others are still refreshed.

use std::collections::BTreeMap;
use std::time::Duration;

use parlance_vocabulary::{Catalog, DefinitionKind};
use parlance_warehouse::{Timestamp, Warehouse, WarehouseError, params};
use time::Date;

use crate::catalog::warehouse_catalog;
use crate::error::Result;
use crate::evaluate::{evaluate, score_values, stage_values};
use crate::membership::{MembershipChange, close_removed, refresh_segment};
use crate::sandbox::Sandbox;
use crate::store::{Published, published_program};

/// What a refresh did.
#[derive(Clone, Debug, Default)]
pub struct RefreshReport {
    /// Per segment: name, version and the membership change.
    pub segments: Vec<(String, i64, MembershipChange)>,
    /// Per score: name and the number of profiles scored.
    pub scores: Vec<(String, u64)>,
    /// Profiles per stage (empty without a stages block).
    pub stages: BTreeMap<String, u64>,
    /// Definitions that could not be refreshed, with why.
    pub failures: Vec<(String, String)>,
}

fn wh(what: &'static str) -> impl FnOnce(rusqlite::Error) -> WarehouseError {
    move |source| WarehouseError::Sqlite { context: what.to_owned(), source }
}

/// Refreshes memberships, scores and stages from the published vocabulary
/// (see the module docs). The catalog is built from the warehouse.
///
/// # Errors
///
/// When the warehouse cannot be read or written; a failing definition is
/// reported in [`RefreshReport::failures`] instead.
pub fn refresh(warehouse: &Warehouse, today: Date, now: Timestamp, limit: Duration) -> Result<RefreshReport> {
    let sandbox = Sandbox::open(warehouse, limit)?;
    let catalog = warehouse_catalog(&sandbox)?;
    refresh_with(warehouse, &sandbox, &catalog, today, now)
}

/// [`refresh`] with an open sandbox and a catalog already built.
///
/// # Errors
///
/// As [`refresh`].
pub fn refresh_with(
    warehouse: &Warehouse,
    sandbox: &Sandbox,
    catalog: &Catalog,
    today: Date,
    now: Timestamp,
) -> Result<RefreshReport> {
    let (program, defs) = published_program(sandbox, catalog)?;
    let mut report = RefreshReport::default();
    close_removed(warehouse, now)?;
    for def in defs.iter().filter(|d| d.kind == DefinitionKind::Segment) {
        match evaluate(sandbox, &program, &def.name, today) {
            Ok(members) => {
                let change = refresh_segment(warehouse, def.id, def.version_id, &members, now)?;
                report.segments.push((def.name.clone(), def.version, change));
            }
            Err(e) => report.failures.push((format!("segment {}", def.name), e.to_string())),
        }
    }
    let scores: Vec<&Published> = defs.iter().filter(|d| d.kind == DefinitionKind::Score).collect();
    let names: Vec<String> = scores.iter().map(|d| d.name.clone()).collect();
    warehouse.write(|tx| {
        let mut stmt =
            tx.prepare("SELECT DISTINCT score FROM profile_scores").map_err(wh("listing scores"))?;
        let stored: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .map_err(wh("listing scores"))?
            .collect::<rusqlite::Result<_>>()
            .map_err(wh("listing scores"))?;
        for s in stored.iter().filter(|s| !names.contains(s)) {
            tx.execute("DELETE FROM profile_scores WHERE score = ?1", [s])
                .map_err(wh("deleting an old score"))?;
        }
        Ok(())
    })?;
    for def in scores {
        match score_values(sandbox, &program, &def.name, today) {
            Ok(values) => {
                let stamp = now.to_string();
                warehouse.write(|tx| {
                    tx.execute("DELETE FROM profile_scores WHERE score = ?1", [&def.name])
                        .map_err(wh("replacing a score"))?;
                    let mut ins = tx
                        .prepare("INSERT INTO profile_scores(profile_id, score, value, computed_at) VALUES (?1, ?2, ?3, ?4)")
                        .map_err(wh("writing scores"))?;
                    for (p, v) in &values {
                        ins.execute(params![p, def.name, v, stamp]).map_err(wh("writing a score"))?;
                    }
                    Ok(())
                })?;
                report.scores.push((def.name.clone(), values.len() as u64));
            }
            Err(e) => report.failures.push((format!("score {}", def.name), e.to_string())),
        }
    }
    if program.stages().is_some() {
        match stage_values(sandbox, &program, today) {
            Ok(stages) => {
                for (_, s) in &stages {
                    *report.stages.entry(s.clone()).or_default() += 1;
                }
                record_stages(warehouse, &stages, now)?;
            }
            Err(e) => report.failures.push(("stages".to_owned(), e.to_string())),
        }
    }
    Ok(report)
}

/// Records each profile's stage at `now` in `stage_history`.
fn record_stages(warehouse: &Warehouse, stages: &[(i64, String)], now: Timestamp) -> Result<()> {
    let now = now.to_string();
    warehouse.write(|tx| {
        let mut open: BTreeMap<i64, (String, String)> = BTreeMap::new();
        {
            let mut stmt = tx
                .prepare("SELECT profile_id, stage, entered_at FROM stage_history WHERE left_at IS NULL")
                .map_err(wh("reading stages"))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
                .map_err(wh("reading stages"))?;
            for row in rows {
                let (p, s, at) = row.map_err(wh("reading stages"))?;
                open.insert(p, (s, at));
            }
        }
        let mut close = tx
            .prepare("UPDATE stage_history SET left_at = ?3 WHERE profile_id = ?1 AND entered_at = ?2")
            .map_err(wh("closing stages"))?;
        let mut reuse = tx
            .prepare("UPDATE stage_history SET stage = ?3 WHERE profile_id = ?1 AND entered_at = ?2")
            .map_err(wh("updating stages"))?;
        let mut enter = tx
            .prepare(
                "INSERT INTO stage_history(profile_id, stage, entered_at, left_at) VALUES (?1, ?2, ?3, NULL)
                 ON CONFLICT(profile_id, entered_at) DO UPDATE SET stage = excluded.stage, left_at = NULL",
            )
            .map_err(wh("opening stages"))?;
        for (p, stage) in stages {
            match open.remove(p) {
                Some((current, _)) if current == *stage => {}
                Some((_, entered)) if entered == now => {
                    reuse.execute(params![p, entered, stage]).map_err(wh("updating a stage"))?;
                }
                Some((_, entered)) => {
                    close.execute(params![p, entered, now]).map_err(wh("closing a stage"))?;
                    enter.execute(params![p, stage, now]).map_err(wh("opening a stage"))?;
                }
                None => {
                    enter.execute(params![p, stage, now]).map_err(wh("opening a stage"))?;
                }
            }
        }
        // Profiles no longer live (merged away) leave their stage.
        for (p, (_, entered)) in open {
            close.execute(params![p, entered, now]).map_err(wh("closing a stage"))?;
        }
        Ok(())
    })?;
    Ok(())
}
