//! The suspicious-clusters report: profiles a person should look at before
//! trusting them, with the thresholds that flagged them.
//!
//! Four findings, each with documented defaults ([`Thresholds::default`]):
//!
//! - **many identifiers of one kind**: a profile holding more emails,
//!   phones, cookie or device ids than one person plausibly has (a shared
//!   kiosk, a reused test phone, a bad mapping);
//! - **oversized clusters**: far more identifiers or records than the
//!   warehouse's own distribution (a chain of weak links merged many
//!   people): more than `factor` × the 99th percentile, and at least a floor;
//! - **shared identifiers**: an email or phone held by one profile that
//!   records of other profiles also carried, where a limit stopped the
//!   merge: households sharing an inbox, or repeat guest checkouts;
//! - **blocked values on several profiles**: a blocked value (a test
//!   domain, a placeholder) carried by records of several profiles: staff
//!   test accounts, or a form that fills in junk.

use std::collections::HashMap;

use parlance_warehouse::{Connection, SqliteError};

use crate::ProfileId;

/// When the report flags something. Every threshold is a strict "more than".
#[derive(Clone, Debug, PartialEq)]
pub struct Thresholds {
    /// Most identifiers of one family a profile holds before it is flagged.
    /// Default: email 3, phone 3, device_id 10, anonymous_id 10 (customer
    /// ids are bounded by the resolution rules' limits instead).
    pub per_family: Vec<(&'static str, u64)>,
    /// Oversized: identifiers or records above `oversize_factor` × the 99th
    /// percentile of live profiles (default 5).
    pub oversize_factor: f64,
    /// ... and above at least this many identifiers (default 20)
    pub oversize_min_identifiers: u64,
    /// ... or at least this many records (default 5,000).
    pub oversize_min_records: u64,
    /// A shared email or phone is reported when records of at least this many
    /// other profiles carried it (default 1).
    pub shared_min_other_profiles: u64,
    /// A blocked value is reported when records of at least this many
    /// profiles carried it (default 2).
    pub blocked_min_profiles: u64,
    /// Most findings listed per kind (default 100); totals count them all.
    pub max_listed: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            per_family: vec![("email", 3), ("phone", 3), ("device_id", 10), ("anonymous_id", 10)],
            oversize_factor: 5.0,
            oversize_min_identifiers: 20,
            oversize_min_records: 5_000,
            shared_min_other_profiles: 1,
            blocked_min_profiles: 2,
            max_listed: 100,
        }
    }
}

/// A profile holding too many identifiers of one family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManyIdentifiers {
    pub profile: ProfileId,
    pub family: String,
    pub count: u64,
    pub threshold: u64,
}

/// A profile far larger than the rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Oversized {
    pub profile: ProfileId,
    pub identifiers: u64,
    pub records: u64,
}

/// An identifier one profile holds and records of others carried too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedIdentifier {
    pub kind: String,
    pub value: String,
    /// The profile holding it, if any still does.
    pub held_by: Option<ProfileId>,
    /// Profiles whose records carried it without it linking them (lowest ids first, at most 20).
    pub also_carried_by: Vec<ProfileId>,
    pub other_profiles: u64,
}

/// A blocked value that records of several profiles carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockedValue {
    pub kind: String,
    /// Lower-cased, as carried.
    pub value: String,
    pub why: String,
    pub profiles: u64,
    pub records: u64,
    /// Some of those profiles (lowest ids first, at most 20).
    pub sample_profiles: Vec<ProfileId>,
}

/// The whole report. Lists are capped at `Thresholds::max_listed`, largest first; totals are complete.
#[derive(Clone, Debug, PartialEq)]
pub struct SuspiciousReport {
    pub thresholds: Thresholds,
    /// Live profiles looked at.
    pub profiles: u64,
    /// The cut-offs oversize used on this warehouse.
    pub oversize_identifiers_over: u64,
    pub oversize_records_over: u64,
    pub many_identifiers: Vec<ManyIdentifiers>,
    pub many_identifiers_total: u64,
    pub oversized: Vec<Oversized>,
    pub oversized_total: u64,
    pub shared: Vec<SharedIdentifier>,
    pub shared_total: u64,
    pub blocked: Vec<BlockedValue>,
    pub blocked_total: u64,
}

const SAMPLE: usize = 20;

pub fn suspicious_clusters(
    conn: &Connection,
    thresholds: &Thresholds,
) -> Result<SuspiciousReport, SqliteError> {
    let cap = thresholds.max_listed;

    // Identifier counts per live profile and family.
    let mut per_profile: HashMap<ProfileId, u64> = HashMap::new();
    let mut many = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT profile_id, CASE WHEN kind LIKE 'customer_id:%' THEN 'customer_id' ELSE kind END AS family, count(*)
           FROM identifiers GROUP BY profile_id, family",
    )?;
    let rows =
        stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
    for row in rows {
        let (profile, family, n) = row?;
        let n = u64::try_from(n).unwrap_or(0);
        *per_profile.entry(profile).or_default() += n;
        if let Some((_, limit)) = thresholds.per_family.iter().find(|(f, _)| *f == family)
            && n > *limit
        {
            many.push(ManyIdentifiers { profile, family, count: n, threshold: *limit });
        }
    }
    many.sort_by(|a, b| b.count.cmp(&a.count).then(a.profile.cmp(&b.profile)));
    let many_total = many.len() as u64;
    many.truncate(cap);

    // Records per live profile.
    let mut records: HashMap<ProfileId, u64> = HashMap::new();
    let mut stmt = conn.prepare("SELECT profile_id, count(*) FROM record_profiles GROUP BY profile_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (profile, n) = row?;
        records.insert(profile, u64::try_from(n).unwrap_or(0));
    }
    let over = |values: Vec<u64>, floor: u64| -> u64 {
        let p99 = percentile(values, 0.99);
        ((p99 as f64 * thresholds.oversize_factor).ceil() as u64).max(floor)
    };
    let ids_over = over(per_profile.values().copied().collect(), thresholds.oversize_min_identifiers);
    let records_over = over(records.values().copied().collect(), thresholds.oversize_min_records);
    let mut oversized: Vec<Oversized> = per_profile
        .keys()
        .chain(records.keys())
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|p| Oversized {
            profile: p,
            identifiers: per_profile.get(&p).copied().unwrap_or(0),
            records: records.get(&p).copied().unwrap_or(0),
        })
        .filter(|o| o.identifiers > ids_over || o.records > records_over)
        .collect();
    oversized.sort_by(|a, b| b.identifiers.cmp(&a.identifiers).then(b.records.cmp(&a.records)));
    let oversized_total = oversized.len() as u64;
    oversized.truncate(cap);
    let profiles: i64 =
        conn.query_row("SELECT count(*) FROM profiles WHERE merged_into IS NULL", [], |r| r.get(0))?;

    // Shared emails and phones a limit kept from merging.
    let mut stmt = conn.prepare(
        "SELECT u.kind, u.value, h.profile_id, rp.profile_id
           FROM unlinked_identifiers u
           JOIN record_profiles rp ON rp.landing_id = u.landing_id
           LEFT JOIN identifiers h ON h.kind = u.kind AND h.value = u.value
          WHERE u.reason = 'limit' AND u.kind IN ('email', 'phone')
            AND (h.profile_id IS NULL OR h.profile_id != rp.profile_id)
          ORDER BY u.kind, u.value, rp.profile_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<i64>>(2)?, r.get::<_, i64>(3)?))
    })?;
    let mut shared: Vec<SharedIdentifier> = Vec::new();
    for row in rows {
        let (kind, value, held_by, other) = row?;
        match shared.last_mut() {
            Some(s) if s.kind == kind && s.value == value => {
                if s.also_carried_by.last() != Some(&other) {
                    s.other_profiles += 1;
                    if s.also_carried_by.len() < SAMPLE {
                        s.also_carried_by.push(other);
                    }
                }
            }
            _ => shared.push(SharedIdentifier {
                kind,
                value,
                held_by,
                also_carried_by: vec![other],
                other_profiles: 1,
            }),
        }
    }
    shared.retain(|s| s.other_profiles >= thresholds.shared_min_other_profiles);
    shared.sort_by(|a, b| b.other_profiles.cmp(&a.other_profiles).then(a.value.cmp(&b.value)));
    let shared_total = shared.len() as u64;
    shared.truncate(cap);

    // Blocked values on several profiles.
    let mut stmt = conn.prepare(
        "SELECT u.kind, lower(u.value) AS v, min(u.detail), count(DISTINCT rp.profile_id), count(*),
                (SELECT group_concat(p, ',') FROM (SELECT DISTINCT rp2.profile_id AS p
                   FROM unlinked_identifiers u2 JOIN record_profiles rp2 ON rp2.landing_id = u2.landing_id
                  WHERE u2.reason = 'blocked' AND u2.kind = u.kind AND lower(u2.value) = lower(u.value)
                  ORDER BY p LIMIT 20))
           FROM unlinked_identifiers u JOIN record_profiles rp ON rp.landing_id = u.landing_id
          WHERE u.reason = 'blocked'
          GROUP BY u.kind, v
         HAVING count(DISTINCT rp.profile_id) >= ?1
          ORDER BY count(DISTINCT rp.profile_id) DESC, v",
    )?;
    let rows = stmt.query_map([thresholds.blocked_min_profiles as i64], |r| {
        let sample: Option<String> = r.get(5)?;
        Ok(BlockedValue {
            kind: r.get(0)?,
            value: r.get(1)?,
            why: r.get(2)?,
            profiles: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
            records: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
            sample_profiles: sample.unwrap_or_default().split(',').filter_map(|p| p.parse().ok()).collect(),
        })
    })?;
    let mut blocked = rows.collect::<Result<Vec<_>, _>>()?;
    let blocked_total = blocked.len() as u64;
    blocked.truncate(cap);

    Ok(SuspiciousReport {
        thresholds: thresholds.clone(),
        profiles: u64::try_from(profiles).unwrap_or(0),
        oversize_identifiers_over: ids_over,
        oversize_records_over: records_over,
        many_identifiers: many,
        many_identifiers_total: many_total,
        oversized,
        oversized_total,
        shared,
        shared_total,
        blocked,
        blocked_total,
    })
}

/// The `q` quantile (nearest rank) of `values`; 0 when empty.
fn percentile(mut values: Vec<u64>, q: f64) -> u64 {
    if values.is_empty() {
        return 0;
    }
    values.sort_unstable();
    let rank = ((values.len() as f64 * q).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}
