//! Reading one profile whole (the customer 360): who it is, which
//! identifiers from which sources, what it says about itself (traits,
//! survey answers included), which segments it is in and its value when
//! those are computed, and every touchpoint across channels.

use parlance_identity::RecordRef;
use parlance_warehouse::{Connection, OptionalExtension, SqliteError, params};

/// A profile in a list (search results, the head of the 360).
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileSummary {
    pub id: i64,
    /// `person` or `anonymous`.
    pub kind: String,
    /// First and last name (or full name) from the newest traits that say it.
    pub name: Option<String>,
    /// The profile's emails and phones, sorted.
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub identifiers: u64,
    pub records: u64,
    /// Earliest and latest touchpoint (event) time.
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub orders: u64,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CustomerIdentifier {
    pub kind: String,
    pub value: String,
    pub source: String,
    pub first_seen: String,
    /// The record that first carried it, when it is still landed.
    pub record: Option<RecordRef>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CustomerTrait {
    pub key: String,
    /// The value as JSON text (`"London"`, `9`, `true`).
    pub value_json: String,
    pub source: String,
    pub observed_at: String,
    /// An answer the person gave about themselves (a `survey.*` key).
    pub attitudinal: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CustomerSegment {
    /// The definition's kind (`segment`, …) and name.
    pub kind: String,
    pub name: String,
    pub version: i64,
    pub entered_at: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CustomerValue {
    pub value: f64,
    pub components_json: String,
    pub tier: Option<String>,
    pub decile: Option<i64>,
    pub model_version: String,
    pub computed_at: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CustomerOrder {
    pub source_order_id: String,
    pub amount: f64,
    pub currency: String,
    pub status: String,
    pub refunded_amount: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CustomerSupport {
    pub source_contact_id: String,
    pub channel: String,
    pub reason: Option<String>,
}

/// One touchpoint. Events carry the order or support contact their record
/// produced; an order or contact whose record produced no event is listed
/// on its own (`kind` `order` / `support`).
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineEntry {
    pub at: String,
    pub channel: String,
    /// `channel.name` for events (`web.page_view`), `shop.order` or
    /// `support.contact` for rows without an event.
    pub name: String,
    /// `event`, `order` or `support`.
    pub kind: String,
    pub source: String,
    pub landing_id: i64,
    pub revenue: Option<f64>,
    /// The event's properties as JSON text (`{}` when none).
    pub properties_json: String,
    pub order: Option<CustomerOrder>,
    pub support: Option<CustomerSupport>,
}

/// Everything the 360 shows.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerProfile {
    pub summary: ProfileSummary,
    /// Merges in effect that formed the profile.
    pub merges: u64,
    pub identifiers: Vec<CustomerIdentifier>,
    pub traits: Vec<CustomerTrait>,
    pub segments: Vec<CustomerSegment>,
    pub value: Option<CustomerValue>,
    /// Newest first, at most the limit asked for.
    pub timeline: Vec<TimelineEntry>,
    /// Every touchpoint of the profile (the timeline may show fewer).
    pub timeline_total: u64,
}

/// Summaries of live profiles, in the order given (unknown ids are skipped).
pub fn profile_summaries(conn: &Connection, ids: &[i64]) -> Result<Vec<ProfileSummary>, SqliteError> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(s) = summary(conn, *id)? {
            out.push(s);
        }
    }
    Ok(out)
}

fn summary(conn: &Connection, id: i64) -> Result<Option<ProfileSummary>, SqliteError> {
    let head = conn
        .prepare_cached("SELECT kind, created_at FROM profiles WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .optional()?;
    let Some((kind, created_at)) = head else { return Ok(None) };
    let mut emails = Vec::new();
    let mut phones = Vec::new();
    let mut identifiers = 0u64;
    {
        let mut stmt = conn.prepare_cached(
            "SELECT kind, value FROM identifiers WHERE profile_id = ?1 ORDER BY kind, value",
        )?;
        let rows = stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (k, v) = row?;
            identifiers += 1;
            match k.as_str() {
                "email" => emails.push(v),
                "phone" => phones.push(v),
                _ => {}
            }
        }
    }
    let records: i64 = conn
        .prepare_cached("SELECT count(*) FROM record_profiles WHERE profile_id = ?1")?
        .query_row([id], |r| r.get(0))?;
    let (first_seen, last_seen): (Option<String>, Option<String>) = conn
        .prepare_cached("SELECT min(occurred_at), max(occurred_at) FROM events WHERE profile_id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let orders: i64 = conn
        .prepare_cached("SELECT count(*) FROM orders WHERE profile_id = ?1")?
        .query_row([id], |r| r.get(0))?;
    Ok(Some(ProfileSummary {
        id,
        kind,
        name: name(conn, id)?,
        emails,
        phones,
        identifiers,
        records: u64::try_from(records).unwrap_or(0),
        first_seen,
        last_seen,
        orders: u64::try_from(orders).unwrap_or(0),
        created_at,
    }))
}

/// "First Last" from the newest first/last name traits, else the newest `name`.
fn name(conn: &Connection, id: i64) -> Result<Option<String>, SqliteError> {
    let newest = |key: &str| -> Result<Option<String>, SqliteError> {
        conn.prepare_cached(
            "SELECT json_extract(value_json, '$') FROM traits WHERE profile_id = ?1 AND key = ?2
              AND json_type(value_json) = 'text' ORDER BY observed_at DESC LIMIT 1",
        )?
        .query_row(params![id, key], |r| r.get(0))
        .optional()
    };
    let parts: Vec<String> = [newest("first_name")?, newest("last_name")?].into_iter().flatten().collect();
    if !parts.is_empty() {
        return Ok(Some(parts.join(" ")));
    }
    newest("name")
}

/// The whole 360 of live profile `id`, with at most `timeline_limit`
/// touchpoints; `None` when there is no such profile.
pub fn customer_profile(
    conn: &Connection,
    id: i64,
    timeline_limit: u32,
) -> Result<Option<CustomerProfile>, SqliteError> {
    let Some(summary) = summary(conn, id)? else { return Ok(None) };
    let mut stmt = conn.prepare_cached(
        "SELECT i.kind, i.value, i.source, i.first_seen, l.id, l.source, l.stream, l.source_id
           FROM identifiers i LEFT JOIN landing_records l ON l.id = i.landing_id
          WHERE i.profile_id = ?1 ORDER BY i.kind, i.value",
    )?;
    let identifiers = stmt
        .query_map([id], |r| {
            let landing: Option<i64> = r.get(4)?;
            Ok(CustomerIdentifier {
                kind: r.get(0)?,
                value: r.get(1)?,
                source: r.get(2)?,
                first_seen: r.get(3)?,
                record: match landing {
                    Some(landing_id) => Some(RecordRef {
                        landing_id,
                        source: r.get(5)?,
                        stream: r.get(6)?,
                        source_id: r.get(7)?,
                    }),
                    None => None,
                },
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT key, value_json, source, observed_at FROM traits WHERE profile_id = ?1 ORDER BY key, source",
    )?;
    let traits = stmt
        .query_map([id], |r| {
            let key: String = r.get(0)?;
            Ok(CustomerTrait {
                attitudinal: key.starts_with("survey."),
                key,
                value_json: r.get(1)?,
                source: r.get(2)?,
                observed_at: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT d.kind, d.name, v.version, m.entered_at FROM segment_membership m
           JOIN definition_versions v ON v.id = m.definition_version_id
           JOIN definitions d ON d.id = v.definition_id
          WHERE m.profile_id = ?1 AND m.left_at IS NULL ORDER BY d.kind, d.name",
    )?;
    let segments = stmt
        .query_map([id], |r| {
            Ok(CustomerSegment {
                kind: r.get(0)?,
                name: r.get(1)?,
                version: r.get(2)?,
                entered_at: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let value = conn
        .prepare_cached(
            "SELECT value, components_json, tier, decile, model_version, computed_at FROM profile_value WHERE profile_id = ?1",
        )?
        .query_row([id], |r| {
            Ok(CustomerValue {
                value: r.get(0)?,
                components_json: r.get(1)?,
                tier: r.get(2)?,
                decile: r.get(3)?,
                model_version: r.get(4)?,
                computed_at: r.get(5)?,
            })
        })
        .optional()?;
    let merges: i64 = conn
        .prepare_cached(
            "WITH RECURSIVE family(id) AS (SELECT ?1 UNION SELECT p.id FROM profiles p JOIN family f ON p.merged_into = f.id)
             SELECT count(*) FROM merges WHERE undone_at IS NULL AND kept_profile IN family",
        )?
        .query_row([id], |r| r.get(0))?;
    let (timeline, timeline_total) = timeline(conn, id, timeline_limit, 0)?;
    Ok(Some(CustomerProfile {
        summary,
        merges: u64::try_from(merges).unwrap_or(0),
        identifiers,
        traits,
        segments,
        value,
        timeline,
        timeline_total,
    }))
}

/// A page of profile `id`'s touchpoints, newest first, and how many there are.
pub fn timeline(
    conn: &Connection,
    id: i64,
    limit: u32,
    offset: u64,
) -> Result<(Vec<TimelineEntry>, u64), SqliteError> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, channel, name, kind, source, landing_id, revenue, properties_json,
                order_id, amount, currency, status, refunded, contact_id, contact_channel, reason
           FROM (
             SELECT e.occurred_at AS at, e.channel, e.channel || '.' || e.name AS name, 'event' AS kind,
                    l.source, e.landing_id, e.revenue, e.properties_json, e.seq,
                    o.source_order_id AS order_id, o.amount, o.currency, o.status, o.refunded_amount AS refunded,
                    s.source_contact_id AS contact_id, s.channel AS contact_channel, s.reason
               FROM events e JOIN landing_records l ON l.id = e.landing_id
               LEFT JOIN orders o ON o.landing_id = e.landing_id
               LEFT JOIN support_contacts s ON s.landing_id = e.landing_id
              WHERE e.profile_id = ?1
             UNION ALL
             SELECT o.ordered_at, 'shop', 'shop.order', 'order', o.source, o.landing_id, o.amount, '{}', 0,
                    o.source_order_id, o.amount, o.currency, o.status, o.refunded_amount, NULL, NULL, NULL
               FROM orders o
              WHERE o.profile_id = ?1 AND NOT EXISTS (SELECT 1 FROM events e WHERE e.landing_id = o.landing_id)
             UNION ALL
             SELECT s.contacted_at, 'support', 'support.contact', 'support', s.source, s.landing_id, NULL, '{}', 0,
                    NULL, NULL, NULL, NULL, NULL, s.source_contact_id, s.channel, s.reason
               FROM support_contacts s
              WHERE s.profile_id = ?1 AND NOT EXISTS (SELECT 1 FROM events e WHERE e.landing_id = s.landing_id))
          ORDER BY at DESC, landing_id DESC, seq DESC
          LIMIT ?2 OFFSET ?3",
    )?;
    let entries = stmt
        .query_map(params![id, limit, i64::try_from(offset).unwrap_or(i64::MAX)], |r| {
            let order_id: Option<String> = r.get(8)?;
            let contact_id: Option<String> = r.get(13)?;
            Ok(TimelineEntry {
                at: r.get(0)?,
                channel: r.get(1)?,
                name: r.get(2)?,
                kind: r.get(3)?,
                source: r.get(4)?,
                landing_id: r.get(5)?,
                revenue: r.get(6)?,
                properties_json: r.get(7)?,
                order: match order_id {
                    Some(source_order_id) => Some(CustomerOrder {
                        source_order_id,
                        amount: r.get(9)?,
                        currency: r.get(10)?,
                        status: r.get(11)?,
                        refunded_amount: r.get(12)?,
                    }),
                    None => None,
                },
                support: match contact_id {
                    Some(source_contact_id) => {
                        Some(CustomerSupport { source_contact_id, channel: r.get(14)?, reason: r.get(15)? })
                    }
                    None => None,
                },
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let total: i64 = conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM events WHERE profile_id = ?1)
                  + (SELECT count(*) FROM orders o WHERE o.profile_id = ?1
                       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.landing_id = o.landing_id))
                  + (SELECT count(*) FROM support_contacts s WHERE s.profile_id = ?1
                       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.landing_id = s.landing_id))",
        )?
        .query_row([id], |r| r.get(0))?;
    Ok((entries, u64::try_from(total).unwrap_or(0)))
}
