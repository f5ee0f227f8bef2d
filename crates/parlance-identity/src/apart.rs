//! Keep-apart rules: what an unmerge leaves behind.
//!
//! A rule pairs two identifiers that must never be held by one profile.
//! Rules name identifiers, never profile ids, so they outlive the profiles
//! of the moment: a later sync, an unmerge elsewhere and a full rebuild all
//! honour them (the resolver checks them on every attach and every merge).

use parlance_warehouse::{Connection, SqliteError, params};

use crate::{IdKind, Identifier, MemoryStore};

/// One stored rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeepApartRule {
    pub id: i64,
    pub identifier: Identifier,
    pub apart_from: Identifier,
    pub created_at: String,
}

/// Every keep-apart rule, oldest first. Rows naming an identifier kind this
/// build does not know are skipped.
pub fn keep_apart_rules(conn: &Connection) -> Result<Vec<KeepApartRule>, SqliteError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, value, apart_from_kind, apart_from_value, created_at FROM unmerge_rules ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, value, other_kind, other_value, created_at) = row?;
        if let (Some(kind), Some(other_kind)) = (IdKind::parse(&kind), IdKind::parse(&other_kind)) {
            out.push(KeepApartRule {
                id,
                identifier: Identifier { kind, value },
                apart_from: Identifier { kind: other_kind, value: other_value },
                created_at,
            });
        }
    }
    Ok(out)
}

/// Stores a rule for every pair (one of `side_a`, one of `side_b`); pairs
/// already stored (either way round) are skipped. Returns how many were new.
pub fn add_keep_apart_rules(
    conn: &Connection,
    side_a: &[Identifier],
    side_b: &[Identifier],
    at: &str,
) -> Result<u64, SqliteError> {
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO unmerge_rules(kind, value, apart_from_kind, apart_from_value, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut added = 0;
    for a in side_a {
        for b in side_b {
            if a == b {
                continue;
            }
            // One canonical order per pair, so the UNIQUE constraint sees repeats.
            let (x, y) = if a <= b { (a, b) } else { (b, a) };
            added +=
                insert.execute(params![x.kind.to_string(), x.value, y.kind.to_string(), y.value, at])? as u64;
        }
    }
    Ok(added)
}

/// Loads every stored rule into a memory store before re-resolving.
pub fn load_keep_apart_rules(conn: &Connection, store: &mut MemoryStore) -> Result<usize, SqliteError> {
    let rules = keep_apart_rules(conn)?;
    let n = rules.len();
    for rule in rules {
        store.keep_apart(rule.identifier, rule.apart_from);
    }
    Ok(n)
}
