//! Stage flows: each profile's lifecycle stage at the end of each period
//! and the flows between consecutive periods.
//!
//! A snapshot is every live profile's stage as of a period's end date,
//! evaluated by `parlance-segments` exactly as the app evaluates stages
//! (seeing events only up to that date). Profiles with no event up to that
//! date are **not yet present** and are left out of the snapshot, so a new
//! customer first appears in the period of their first event. Flows join the
//! profiles present in two consecutive snapshots (staying in a stage is a
//! flow too); profiles present in only one of them are in its counts but in
//! no flow.

use std::collections::{BTreeMap, HashMap};

use parlance_segments::evaluate::stage_values;
use parlance_segments::sandbox::Sandbox;
use parlance_vocabulary::Program;
use time::{Date, Month};

use crate::error::JourneyError;
use crate::load::unix_seconds;

/// One period's name and every present profile's `(id, stage)`.
pub type Snapshot = (String, Vec<(i64, String)>);

/// How periods are cut.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Period {
    /// Calendar months: `2026-03`.
    #[default]
    Month,
    /// Calendar quarters: `2026-Q1`.
    Quarter,
}

/// Profiles moving between stages from one period to the next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageFlow {
    /// Index of the earlier period; the later one is `from_period + 1`.
    pub from_period: usize,
    /// The stage at the end of the earlier period.
    pub from: String,
    /// The stage at the end of the later period.
    pub to: String,
    /// Profiles.
    pub profiles: u64,
}

/// The result of [`stage_flows`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageFlows {
    /// Period names, in order.
    pub periods: Vec<String>,
    /// Stage names: the given order, then any other stage seen, sorted.
    pub stages: Vec<String>,
    /// `counts[period][stage]`: profiles in the stage at the period's end.
    pub counts: Vec<Vec<u64>>,
    /// Flows, by period, then from-stage and to-stage in stage order.
    pub flows: Vec<StageFlow>,
}

/// The periods touching `from..=to`, each with its end date; the last ends
/// at `to`, so no period looks past the end of the range. Empty when
/// `from > to`.
#[must_use]
pub fn periods(from: Date, to: Date, period: Period) -> Vec<(String, Date)> {
    let months = match period {
        Period::Month => 1,
        Period::Quarter => 3,
    };
    let mut out = Vec::new();
    let (mut year, mut month) = (from.year(), u8::from(from.month()));
    month -= (month - 1) % months;
    while let Ok(start) = Date::from_calendar_date(year, Month::try_from(month).unwrap_or(Month::January), 1)
    {
        if start > to {
            break;
        }
        let (ny, nm) =
            if month + months > 12 { (year + 1, month + months - 12) } else { (year, month + months) };
        let next = Date::from_calendar_date(ny, Month::try_from(nm).unwrap_or(Month::January), 1).ok();
        let end = next.and_then(Date::previous_day).map_or(to, |e| e.min(to));
        let name = match period {
            Period::Month => format!("{year:04}-{month:02}"),
            Period::Quarter => format!("{year:04}-Q{}", (month - 1) / 3 + 1),
        };
        out.push((name, end));
        (year, month) = (ny, nm);
    }
    out
}

/// Flows between consecutive snapshots (`(period, [(profile, stage)])`).
#[must_use]
pub fn stage_flows(snapshots: &[(String, Vec<(i64, String)>)], stage_order: &[String]) -> StageFlows {
    let mut stages: Vec<String> = stage_order.to_vec();
    let mut extra: Vec<&String> = snapshots
        .iter()
        .flat_map(|(_, s)| s.iter().map(|(_, stage)| stage))
        .filter(|s| !stage_order.contains(s))
        .collect();
    extra.sort();
    extra.dedup();
    stages.extend(extra.into_iter().cloned());
    let index: HashMap<&str, usize> = stages.iter().enumerate().map(|(i, s)| (s.as_str(), i)).collect();
    let counts = snapshots
        .iter()
        .map(|(_, snap)| {
            let mut c = vec![0u64; stages.len()];
            for (_, s) in snap {
                c[index[s.as_str()]] += 1;
            }
            c
        })
        .collect();
    let mut flows = Vec::new();
    for (p, pair) in snapshots.windows(2).enumerate() {
        let before: HashMap<i64, usize> = pair[0].1.iter().map(|(id, s)| (*id, index[s.as_str()])).collect();
        let mut moved: BTreeMap<(usize, usize), u64> = BTreeMap::new();
        for (id, s) in &pair[1].1 {
            if let Some(&from) = before.get(id) {
                *moved.entry((from, index[s.as_str()])).or_default() += 1;
            }
        }
        flows.extend(moved.into_iter().map(|((from, to), profiles)| StageFlow {
            from_period: p,
            from: stages[from].clone(),
            to: stages[to].clone(),
            profiles,
        }));
    }
    StageFlows { periods: snapshots.iter().map(|(n, _)| n.clone()).collect(), stages, counts, flows }
}

/// The profiles (ascending ids) in stage `from` at the end of period
/// `from_period` and in stage `to` at the end of the next.
#[must_use]
pub fn stage_flow_profiles(
    snapshots: &[(String, Vec<(i64, String)>)],
    from_period: usize,
    from: &str,
    to: &str,
) -> Vec<i64> {
    let (Some((_, a)), Some((_, b))) = (snapshots.get(from_period), snapshots.get(from_period + 1)) else {
        return Vec::new();
    };
    let before: HashMap<i64, &str> = a.iter().map(|(id, s)| (*id, s.as_str())).collect();
    let mut out: Vec<i64> =
        b.iter().filter(|(id, s)| s == to && before.get(id) == Some(&from)).map(|(id, _)| *id).collect();
    out.sort_unstable();
    out
}

/// Every live profile's stage at each period's end, leaving out profiles
/// with no event up to that date and, with `filter`, profiles not in it.
/// Each snapshot is sorted by profile id.
///
/// # Errors
///
/// When the vocabulary has no stages block, it cannot be compiled, or the
/// warehouse cannot be read.
pub fn stage_snapshots(
    sandbox: &Sandbox,
    program: &Program,
    periods: &[(String, Date)],
    filter: Option<&[i64]>,
) -> Result<Vec<Snapshot>, JourneyError> {
    let first_seen = first_seen(sandbox)?;
    let only: Option<std::collections::HashSet<i64>> = filter.map(|f| f.iter().copied().collect());
    let mut out = Vec::with_capacity(periods.len());
    for (name, end) in periods {
        let cutoff = end.next_day().and_then(|d| unix_seconds(&format!("{d}T00:00:00Z"))).unwrap_or(i64::MAX);
        let mut snap: Vec<(i64, String)> = stage_values(sandbox, program, *end)?
            .into_iter()
            .filter(|(id, _)| first_seen.get(id).is_some_and(|&t| t < cutoff))
            .filter(|(id, _)| only.as_ref().is_none_or(|o| o.contains(id)))
            .collect();
        snap.sort_unstable_by_key(|(id, _)| *id);
        out.push((name.clone(), snap));
    }
    Ok(out)
}

/// Each profile's first event time, in unix seconds.
fn first_seen(sandbox: &Sandbox) -> Result<HashMap<i64, i64>, JourneyError> {
    let context = "reading each profile's first event";
    let mut stmt = sandbox
        .prepare("SELECT profile_id, min(occurred_at) FROM events GROUP BY profile_id")
        .map_err(JourneyError::sqlite(context))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .map_err(JourneyError::sqlite(context))?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, at) = row.map_err(JourneyError::sqlite(context))?;
        if let Some(t) = unix_seconds(&at) {
            out.insert(id, t);
        }
    }
    Ok(out)
}
