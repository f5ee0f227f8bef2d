//! Why a profile is what it is: the merges that formed it, each with its
//! evidence, and the keep-apart rules that bound it.

use parlance_warehouse::{Connection, OptionalExtension, SqliteError};
use serde::Deserialize;

use crate::{IdKind, Identifier, KeepApartRule, ProfileId, keep_apart_rules};

/// A landed record, named the way its source names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRef {
    pub landing_id: i64,
    pub source: String,
    pub stream: String,
    pub source_id: String,
}

/// One merge with its evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplainedMerge {
    pub merge_id: i64,
    pub kept_profile: ProfileId,
    pub merged_profile: ProfileId,
    /// When the merge was made (the unify or rebuild run).
    pub merged_at: String,
    /// When an unmerge undid it, if one did.
    pub undone_at: Option<String>,
    /// `shared identifier` or `anonymous visitor identified`.
    pub rule: String,
    /// The identifier both profiles claimed.
    pub identifier: Option<Identifier>,
    /// The record that carried the identifier to the kept side, linking them.
    pub linking_record: Option<RecordRef>,
    /// The record that first brought the identifier into the warehouse.
    pub identifier_first_record: Option<RecordRef>,
    /// What the absorbed profile held when it was merged.
    pub absorbed_identifiers: Vec<Identifier>,
}

/// A keep-apart rule touching a profile, with where its other side is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExplainedRule {
    pub rule: KeepApartRule,
    /// The identifier of the pair this profile holds.
    pub held: Identifier,
    /// The other identifier of the pair.
    pub other: Identifier,
    /// The live profile holding the other identifier, if any.
    pub other_profile: Option<ProfileId>,
}

/// The live profile `profile` is, or was merged into; `None` when no such profile exists.
pub fn live_profile(conn: &Connection, profile: ProfileId) -> Result<Option<ProfileId>, SqliteError> {
    conn.query_row(
        "WITH RECURSIVE chain(id, next, depth) AS (
           SELECT id, merged_into, 0 FROM profiles WHERE id = ?1
           UNION ALL
           SELECT p.id, p.merged_into, c.depth + 1 FROM profiles p JOIN chain c ON p.id = c.next WHERE c.depth < 10000)
         SELECT id FROM chain WHERE next IS NULL",
        [profile],
        |r| r.get(0),
    )
    .optional()
}

#[derive(Deserialize)]
struct StoredEvidence {
    identifier: Option<Identifier>,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    absorbed_identifiers: Vec<Identifier>,
}

/// Every merge that formed `profile` (into it, or into a profile it later
/// absorbed), oldest first, undone ones included.
pub fn merge_history(conn: &Connection, profile: ProfileId) -> Result<Vec<ExplainedMerge>, SqliteError> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE family(id) AS (
           SELECT ?1 UNION SELECT p.id FROM profiles p JOIN family f ON p.merged_into = f.id)
         SELECT m.id, m.kept_profile, m.merged_profile, m.merged_at, m.undone_at, m.evidence_json,
                l.id, l.source, l.stream, l.source_id,
                fl.id, fl.source, fl.stream, fl.source_id
           FROM merges m
           LEFT JOIN landing_records l ON l.id = json_extract(m.evidence_json, '$.record.landing_id')
           LEFT JOIN identifiers i ON i.kind = json_extract(m.evidence_json, '$.identifier.kind')
                                  AND i.value = json_extract(m.evidence_json, '$.identifier.value')
           LEFT JOIN landing_records fl ON fl.id = i.landing_id
          WHERE m.kept_profile IN family OR m.merged_profile IN family
          ORDER BY m.id",
    )?;
    type Cols = (Option<i64>, Option<String>, Option<String>, Option<String>);
    fn record((id, source, stream, source_id): Cols) -> Option<RecordRef> {
        Some(RecordRef { landing_id: id?, source: source?, stream: stream?, source_id: source_id? })
    }
    let rows = stmt.query_map([profile], |r| {
        let evidence: String = r.get(5)?;
        let stored = serde_json::from_str::<StoredEvidence>(&evidence).ok();
        let linking: Cols = (r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?);
        let first: Cols = (r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?);
        Ok(ExplainedMerge {
            merge_id: r.get(0)?,
            kept_profile: r.get(1)?,
            merged_profile: r.get(2)?,
            merged_at: r.get(3)?,
            undone_at: r.get(4)?,
            rule: stored.as_ref().map(|s| s.rule.clone()).unwrap_or_default(),
            identifier: stored.as_ref().and_then(|s| s.identifier.clone()),
            linking_record: record(linking),
            identifier_first_record: record(first),
            absorbed_identifiers: stored.map(|s| s.absorbed_identifiers).unwrap_or_default(),
        })
    })?;
    rows.collect()
}

/// The keep-apart rules one of whose identifiers `profile` holds.
pub fn rules_of(conn: &Connection, profile: ProfileId) -> Result<Vec<ExplainedRule>, SqliteError> {
    let held = identifiers_of(conn, profile)?;
    let mut out = Vec::new();
    for rule in keep_apart_rules(conn)? {
        let (mine, other) = if held.contains(&rule.identifier) {
            (rule.identifier.clone(), rule.apart_from.clone())
        } else if held.contains(&rule.apart_from) {
            (rule.apart_from.clone(), rule.identifier.clone())
        } else {
            continue;
        };
        let other_profile = owner(conn, &other)?;
        out.push(ExplainedRule { rule, held: mine, other, other_profile });
    }
    Ok(out)
}

/// The identifiers a profile holds, sorted.
pub fn identifiers_of(conn: &Connection, profile: ProfileId) -> Result<Vec<Identifier>, SqliteError> {
    let mut stmt = conn.prepare_cached("SELECT kind, value FROM identifiers WHERE profile_id = ?1")?;
    let rows = stmt.query_map([profile], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, value) = row?;
        if let Some(kind) = IdKind::parse(&kind) {
            out.push(Identifier { kind, value });
        }
    }
    out.sort();
    Ok(out)
}

/// The profile holding `id`, if any.
pub fn owner(conn: &Connection, id: &Identifier) -> Result<Option<ProfileId>, SqliteError> {
    conn.prepare_cached("SELECT profile_id FROM identifiers WHERE kind = ?1 AND value = ?2")?
        .query_row(parlance_warehouse::params![id.kind.to_string(), id.value], |r| r.get(0))
        .optional()
}

/// An identifier the profile's records carried that did not link them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnlinkedOfProfile {
    pub kind: String,
    pub value: String,
    /// `blocked`, `malformed`, `limit` or `kept-apart`.
    pub reason: String,
    pub detail: String,
    /// Records of the profile that carried it.
    pub records: u64,
    /// The profile holding it now, if another one does.
    pub held_by: Option<ProfileId>,
}

/// What `profile`'s records carried that did not link (most records first).
pub fn unlinked_of(conn: &Connection, profile: ProfileId) -> Result<Vec<UnlinkedOfProfile>, SqliteError> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.kind, u.value, u.reason, min(u.detail), count(*), h.profile_id
           FROM unlinked_identifiers u JOIN record_profiles rp ON rp.landing_id = u.landing_id
           LEFT JOIN identifiers h ON h.kind = u.kind AND h.value = u.value
          WHERE rp.profile_id = ?1
          GROUP BY u.kind, u.value, u.reason ORDER BY count(*) DESC, u.kind, u.value",
    )?;
    let rows = stmt.query_map([profile], |r| {
        Ok(UnlinkedOfProfile {
            kind: r.get(0)?,
            value: r.get(1)?,
            reason: r.get(2)?,
            detail: r.get(3)?,
            records: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
            held_by: r.get::<_, Option<i64>>(5)?.filter(|p| *p != profile),
        })
    })?;
    rows.collect()
}
