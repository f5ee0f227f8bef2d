//! Writing one record's unified rows, replacing what it wrote before.

use parlance_identity::{Rejection, Resolution};
use parlance_normalize::Normalized;
use parlance_warehouse::{Connection, params};

use crate::pipeline::{Ctx, UnifyError};

/// Deletes every unified row that came from landing record `landing_id`.
pub fn clear(tx: &Connection, landing_id: i64) -> Result<(), UnifyError> {
    for (sql, what) in [
        ("DELETE FROM events WHERE landing_id = ?1", "clearing old events"),
        ("DELETE FROM orders WHERE landing_id = ?1", "clearing an old order"),
        ("DELETE FROM support_contacts WHERE landing_id = ?1", "clearing an old support contact"),
        ("DELETE FROM traits WHERE landing_id = ?1", "clearing old traits"),
        ("DELETE FROM record_profiles WHERE landing_id = ?1", "clearing old lineage"),
        ("DELETE FROM unlinked_identifiers WHERE landing_id = ?1", "clearing old unlinked identifiers"),
    ] {
        tx.prepare_cached(sql).and_then(|mut s| s.execute([landing_id])).ctx(what)?;
    }
    Ok(())
}

/// Writes `n`'s rows for `profile`, after clearing the record's old rows.
pub fn replace(
    tx: &Connection,
    landing_id: i64,
    source: &str,
    profile: i64,
    n: &Normalized,
) -> Result<(), UnifyError> {
    clear(tx, landing_id)?;
    insert(tx, landing_id, source, profile, n)
}

/// Writes `n`'s rows for `profile`; the record must have none yet.
pub fn insert(
    tx: &Connection,
    landing_id: i64,
    source: &str,
    profile: i64,
    n: &Normalized,
) -> Result<(), UnifyError> {
    tx.prepare_cached("INSERT INTO record_profiles(landing_id, profile_id) VALUES (?1, ?2)")
        .and_then(|mut s| s.execute(params![landing_id, profile]))
        .ctx("recording lineage")?;
    let mut event = tx
        .prepare_cached(
            "INSERT INTO events(profile_id, occurred_at, channel, name, properties_json, revenue, landing_id, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .ctx("preparing events")?;
    for (seq, e) in n.events.iter().enumerate() {
        let properties = serde_json::Value::Object(e.properties.clone()).to_string();
        event
            .execute(params![
                profile,
                e.occurred_at.to_string(),
                e.channel,
                e.name,
                properties,
                e.revenue,
                landing_id,
                seq as i64
            ])
            .ctx("writing an event")?;
    }
    if let Some(o) = &n.order {
        let categories = serde_json::to_string(&o.categories).unwrap_or_else(|_| "[]".into());
        tx.prepare_cached(
            "INSERT INTO orders(profile_id, source, source_order_id, ordered_at, amount, currency, margin, status,
                                refunded_amount, categories_json, landing_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT(source, source_order_id) DO UPDATE SET profile_id = excluded.profile_id,
               ordered_at = excluded.ordered_at, amount = excluded.amount, currency = excluded.currency,
               margin = excluded.margin, status = excluded.status, refunded_amount = excluded.refunded_amount,
               categories_json = excluded.categories_json, landing_id = excluded.landing_id",
        )
        .and_then(|mut s| {
            s.execute(params![
                profile,
                source,
                o.source_order_id,
                o.ordered_at.to_string(),
                o.amount,
                o.currency,
                o.margin,
                o.status.as_str(),
                o.refunded_amount,
                categories,
                landing_id
            ])
        })
        .ctx("writing an order")?;
    }
    if let Some(c) = &n.support_contact {
        tx.prepare_cached(
            "INSERT INTO support_contacts(profile_id, source, source_contact_id, contacted_at, channel, reason, landing_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(source, source_contact_id) DO UPDATE SET profile_id = excluded.profile_id,
               contacted_at = excluded.contacted_at, channel = excluded.channel, reason = excluded.reason,
               landing_id = excluded.landing_id",
        )
        .and_then(|mut s| {
            s.execute(params![profile, source, c.source_contact_id, c.contacted_at.to_string(), c.channel, c.reason, landing_id])
        })
        .ctx("writing a support contact")?;
    }
    let mut trait_row = tx
        .prepare_cached(
            "INSERT INTO traits(profile_id, key, value_json, source, observed_at, landing_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(profile_id, key, source) DO UPDATE SET value_json = excluded.value_json,
               observed_at = excluded.observed_at, landing_id = excluded.landing_id
             WHERE excluded.observed_at >= traits.observed_at",
        )
        .ctx("preparing traits")?;
    for t in &n.traits {
        trait_row
            .execute(params![
                profile,
                t.key,
                t.value.to_string(),
                source,
                t.observed_at.to_string(),
                landing_id
            ])
            .ctx("writing a trait")?;
    }
    Ok(())
}

/// An identifier a record carried that did not link it (a row of
/// `unlinked_identifiers`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnlinkedRow {
    pub kind: String,
    pub value: String,
    pub reason: &'static str,
    pub detail: String,
}

/// What of a resolution goes to `unlinked_identifiers`: rejected values
/// (blocked, malformed) and identifiers a limit or keep-apart rule stopped.
pub fn unlinked_rows(resolution: &Resolution) -> Vec<UnlinkedRow> {
    let mut out = Vec::new();
    for r in &resolution.rejected {
        let (kind, value, reason, why) = match r {
            Rejection::Empty { .. } => continue,
            Rejection::Blocked { kind, value, why } => (kind, value, "blocked", why),
            Rejection::Malformed { kind, value, why } => (kind, value, "malformed", why),
        };
        out.push(UnlinkedRow { kind: kind.to_string(), value: value.clone(), reason, detail: why.clone() });
    }
    for u in &resolution.not_merged {
        let detail = match u.why {
            parlance_identity::UnlinkReason::Limit => {
                "another profile holds it, and merging would exceed a per-profile limit"
            }
            parlance_identity::UnlinkReason::KeptApart => {
                "a keep-apart rule (an earlier unmerge) stops the link"
            }
        };
        out.push(UnlinkedRow {
            kind: u.identifier.kind.to_string(),
            value: u.identifier.value.clone(),
            reason: u.why.as_str(),
            detail: detail.to_owned(),
        });
    }
    out
}

/// Writes a record's unlinked identifiers (after its old rows were cleared).
pub fn insert_unlinked(tx: &Connection, landing_id: i64, rows: &[UnlinkedRow]) -> Result<(), UnifyError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut stmt = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO unlinked_identifiers(landing_id, kind, value, reason, detail)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .ctx("preparing unlinked identifiers")?;
    for r in rows {
        stmt.execute(params![landing_id, r.kind, r.value, r.reason, r.detail])
            .ctx("writing an unlinked identifier")?;
    }
    Ok(())
}
