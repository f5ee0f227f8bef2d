//! Materialised memberships, per segment version, with entered and left times.
//!
//! [`refresh_segment`] evaluates a segment's published version and records
//! the difference with its open rows in `segment_membership`: a profile that
//! is new gets a row entered at `now`; a profile that dropped out gets
//! `left_at = now`. Rows of older versions of the definition (and of
//! definitions removed from the vocabulary) are closed at `now`, so at any
//! moment a segment has members under one version only. From these rows come
//! the size over time ([`sizes`]) and the overlap between segments
//! ([`overlap`]).

use std::collections::BTreeSet;

use parlance_warehouse::{Connection, Timestamp, Warehouse, WarehouseError, params};

use crate::error::{Context, Result};

/// What one membership refresh changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MembershipChange {
    /// Members now.
    pub members: u64,
    /// Profiles that entered.
    pub entered: u64,
    /// Profiles that left.
    pub left: u64,
}

fn wh(what: &'static str) -> impl FnOnce(rusqlite::Error) -> WarehouseError {
    move |source| WarehouseError::Sqlite { context: what.to_owned(), source }
}

/// Records `members` (the evaluated members of version `version_id` of
/// definition `definition_id`) as of `now`.
///
/// # Errors
///
/// When the warehouse cannot be written.
pub fn refresh_segment(
    warehouse: &Warehouse,
    definition_id: i64,
    version_id: i64,
    members: &[i64],
    now: Timestamp,
) -> Result<MembershipChange> {
    let now = now.to_string();
    let change = warehouse.write(|tx| {
        // Close rows of the definition's other versions.
        tx.execute(
            "UPDATE segment_membership SET left_at = ?3
             WHERE left_at IS NULL AND definition_version_id IN
               (SELECT id FROM definition_versions WHERE definition_id = ?1 AND id != ?2)",
            params![definition_id, version_id, now],
        )
        .map_err(wh("closing older versions' memberships"))?;
        let mut open: BTreeSet<i64> = BTreeSet::new();
        {
            let mut stmt = tx
                .prepare("SELECT profile_id FROM segment_membership WHERE definition_version_id = ?1 AND left_at IS NULL")
                .map_err(wh("reading memberships"))?;
            let rows = stmt.query_map([version_id], |r| r.get::<_, i64>(0)).map_err(wh("reading memberships"))?;
            for r in rows {
                open.insert(r.map_err(wh("reading memberships"))?);
            }
        }
        let now_members: BTreeSet<i64> = members.iter().copied().collect();
        let mut change = MembershipChange { members: now_members.len() as u64, ..MembershipChange::default() };
        {
            let mut enter = tx
                .prepare(
                    "INSERT INTO segment_membership(definition_version_id, profile_id, entered_at, left_at)
                     VALUES (?1, ?2, ?3, NULL)
                     ON CONFLICT(definition_version_id, profile_id, entered_at) DO UPDATE SET left_at = NULL",
                )
                .map_err(wh("recording entries"))?;
            for p in now_members.difference(&open) {
                enter.execute(params![version_id, p, now]).map_err(wh("recording an entry"))?;
                change.entered += 1;
            }
            let mut leave = tx
                .prepare(
                    "UPDATE segment_membership SET left_at = ?3
                     WHERE definition_version_id = ?1 AND profile_id = ?2 AND left_at IS NULL",
                )
                .map_err(wh("recording exits"))?;
            for p in open.difference(&now_members) {
                leave.execute(params![version_id, p, now]).map_err(wh("recording an exit"))?;
                change.left += 1;
            }
        }
        Ok(change)
    })?;
    Ok(change)
}

/// Closes the open memberships of every definition removed from the vocabulary.
///
/// # Errors
///
/// When the warehouse cannot be written.
pub fn close_removed(warehouse: &Warehouse, now: Timestamp) -> Result<u64> {
    let now = now.to_string();
    Ok(warehouse.write(|tx| {
        let n = tx
            .execute(
                "UPDATE segment_membership SET left_at = ?1 WHERE left_at IS NULL AND definition_version_id IN
                   (SELECT v.id FROM definition_versions v JOIN definitions d ON d.id = v.definition_id
                    WHERE d.removed_at IS NOT NULL)",
                [now],
            )
            .map_err(wh("closing removed segments' memberships"))?;
        Ok(n as u64)
    })?)
}

/// The current members of a definition (its open rows, any version).
///
/// # Errors
///
/// When a query fails.
pub fn current_members(conn: &Connection, definition_id: i64) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn
        .prepare(
            "SELECT m.profile_id, m.entered_at FROM segment_membership m
             JOIN definition_versions v ON v.id = m.definition_version_id
             WHERE v.definition_id = ?1 AND m.left_at IS NULL ORDER BY m.profile_id",
        )
        .ctx("reading members")?;
    let rows = stmt.query_map([definition_id], |r| Ok((r.get(0)?, r.get(1)?))).ctx("reading members")?;
    rows.collect::<rusqlite::Result<_>>().ctx("reading members")
}

/// One point of a size-over-time series: from `at` on, `members` members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizePoint {
    /// RFC 3339.
    pub at: String,
    /// Members from then on.
    pub members: u64,
}

/// The size of a definition's segment at every moment it changed, from its
/// entered/left times (all versions).
///
/// # Errors
///
/// When a query fails.
pub fn sizes(conn: &Connection, definition_id: i64) -> Result<Vec<SizePoint>> {
    let mut stmt = conn
        .prepare(
            "SELECT at, sum(delta) FROM (
               SELECT m.entered_at AS at, 1 AS delta FROM segment_membership m
                 JOIN definition_versions v ON v.id = m.definition_version_id WHERE v.definition_id = ?1
               UNION ALL
               SELECT m.left_at, -1 FROM segment_membership m
                 JOIN definition_versions v ON v.id = m.definition_version_id
                 WHERE v.definition_id = ?1 AND m.left_at IS NOT NULL)
             GROUP BY at ORDER BY at",
        )
        .ctx("reading segment sizes")?;
    let rows = stmt
        .query_map([definition_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .ctx("reading segment sizes")?;
    let mut size: i64 = 0;
    let mut out = Vec::new();
    for row in rows {
        let (at, delta) = row.ctx("reading segment sizes")?;
        size += delta;
        out.push(SizePoint { at, members: size.max(0) as u64 });
    }
    Ok(out)
}

/// The number of current members two segments share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overlap {
    /// The first segment.
    pub a: String,
    /// The second segment (the same as `a` on the diagonal: its size).
    pub b: String,
    /// Members of both.
    pub both: u64,
}

/// Pairwise intersections of the current memberships of the given segments
/// (`(definition id, name)`), the diagonal included.
///
/// # Errors
///
/// When a query fails.
pub fn overlap(conn: &Connection, segments: &[(i64, String)]) -> Result<Vec<Overlap>> {
    let mut sets: Vec<Vec<i64>> = Vec::with_capacity(segments.len());
    for (id, _) in segments {
        sets.push(current_members(conn, *id)?.into_iter().map(|(p, _)| p).collect());
    }
    let mut out = Vec::new();
    for (i, (_, a)) in segments.iter().enumerate() {
        for (j, (_, b)) in segments.iter().enumerate().skip(i) {
            let both = match (sets.get(i), sets.get(j)) {
                (Some(x), Some(y)) => intersection_size(x, y),
                _ => 0,
            };
            out.push(Overlap { a: a.clone(), b: b.clone(), both });
        }
    }
    Ok(out)
}

/// Size of the intersection of two ascending id lists.
fn intersection_size(a: &[i64], b: &[i64]) -> u64 {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}
