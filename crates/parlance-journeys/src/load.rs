//! Loading touchpoints into a compact in-memory log.
//!
//! One pass over `events` (or, for a small profile set, one indexed range
//! read per profile) labels each row with the compiled rules and keeps
//! `(profile, seconds, label)`; rows are then bucketed by profile with a
//! counting sort and each profile's few events sorted by time. Ties in time
//! keep the warehouse's row order. Only events of live profiles
//! (`merged_into IS NULL`) are kept; properties are parsed only for event
//! types whose rules have conditions.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;
use rusqlite::types::ValueRef;
use time::Date;

use crate::error::JourneyError;
use crate::rules::RuleEvent;
use crate::touchpoints::{Level, Touchpoints, unconditional};

/// Which events an analysis sees.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only these profiles (e.g. a segment's members); `None` for all.
    pub profiles: Option<Vec<i64>>,
    /// Events on or after this date (UTC).
    pub from: Option<Date>,
    /// Events on or before this date (UTC), inclusive.
    pub to: Option<Date>,
}

/// Every profile's touchpoints in time order, as label ids and seconds.
#[derive(Clone, Debug, Default)]
pub struct EventLog {
    labels: Vec<String>,
    profile_ids: Vec<i64>,
    /// Profile `i`'s events are `offsets[i]..offsets[i + 1]`.
    offsets: Vec<usize>,
    times: Vec<i64>,
    label_ids: Vec<u32>,
}

impl EventLog {
    /// Profiles with at least one touchpoint.
    #[must_use]
    pub fn profiles(&self) -> usize {
        self.profile_ids.len()
    }

    /// Touchpoints.
    #[must_use]
    pub fn events(&self) -> usize {
        self.times.len()
    }

    /// The labels (or groups) of the log, by id.
    #[must_use]
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The profiles of the log, ascending.
    #[must_use]
    pub fn profile_ids(&self) -> &[i64] {
        &self.profile_ids
    }

    /// The earliest and latest touchpoint, in unix seconds.
    #[must_use]
    pub fn span(&self) -> Option<(i64, i64)> {
        let min = self.times.iter().min()?;
        let max = self.times.iter().max()?;
        Some((*min, *max))
    }

    /// The id of a label.
    #[must_use]
    pub fn label_id(&self, label: &str) -> Option<u32> {
        self.labels.iter().position(|l| l == label).map(|i| i as u32)
    }

    /// A log from `(profile, unix seconds, label)` triples in any order;
    /// events of one profile at the same second keep their given order.
    #[must_use]
    pub fn from_events<S: AsRef<str>>(events: impl IntoIterator<Item = (i64, i64, S)>) -> EventLog {
        let mut labels: Vec<String> = Vec::new();
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut rows = Vec::new();
        for (p, t, label) in events {
            let label = label.as_ref();
            let id = *ids.entry(label.to_owned()).or_insert_with(|| {
                labels.push(label.to_owned());
                (labels.len() - 1) as u32
            });
            rows.push((p, t, id));
        }
        assemble(labels, rows)
    }

    /// Profile `i`: its id, event times and label ids.
    pub(crate) fn profile(&self, i: usize) -> (i64, &[i64], &[u32]) {
        let range = self.offsets[i]..self.offsets[i + 1];
        (self.profile_ids[i], &self.times[range.clone()], &self.label_ids[range])
    }

    /// A label's id, or an error naming it and listing the known ones.
    pub(crate) fn require(&self, what: &str, label: &str) -> Result<u32, JourneyError> {
        self.label_id(label).ok_or_else(|| {
            let mut known = self.labels.clone();
            known.sort();
            JourneyError::UnknownLabel { what: what.to_owned(), label: label.to_owned(), known }
        })
    }
}

/// Groups rows by profile (ascending id), each profile's by time, stably.
fn assemble(labels: Vec<String>, rows: Vec<(i64, i64, u32)>) -> EventLog {
    let mut dense: HashMap<i64, u32> = HashMap::new();
    let mut profile_ids: Vec<i64> = Vec::new();
    let mut last: Option<(i64, u32)> = None;
    let mut slots = Vec::with_capacity(rows.len());
    for &(p, _, _) in &rows {
        let d = match last {
            Some((lp, ld)) if lp == p => ld,
            _ => {
                let d = *dense.entry(p).or_insert_with(|| {
                    profile_ids.push(p);
                    (profile_ids.len() - 1) as u32
                });
                last = Some((p, d));
                d
            }
        };
        slots.push(d);
    }
    let mut order: Vec<u32> = (0..profile_ids.len() as u32).collect();
    order.sort_unstable_by_key(|&d| profile_ids[d as usize]);
    let mut rank = vec![0u32; order.len()];
    for (r, &d) in order.iter().enumerate() {
        rank[d as usize] = r as u32;
    }
    let mut offsets = vec![0usize; order.len() + 1];
    for &d in &slots {
        offsets[rank[d as usize] as usize + 1] += 1;
    }
    for i in 1..offsets.len() {
        offsets[i] += offsets[i - 1];
    }
    let mut next = offsets.clone();
    let mut times = vec![0i64; rows.len()];
    let mut label_ids = vec![0u32; rows.len()];
    for (&(_, t, l), &d) in rows.iter().zip(&slots) {
        let r = rank[d as usize] as usize;
        times[next[r]] = t;
        label_ids[next[r]] = l;
        next[r] += 1;
    }
    for w in offsets.windows(2) {
        let (t, l) = (&mut times[w[0]..w[1]], &mut label_ids[w[0]..w[1]]);
        if !t.is_sorted() {
            let mut pairs: Vec<(i64, u32)> = t.iter().copied().zip(l.iter().copied()).collect();
            pairs.sort_by_key(|&(time, _)| time);
            for (k, (time, label)) in pairs.into_iter().enumerate() {
                t[k] = time;
                l[k] = label;
            }
        }
    }
    let profile_ids = order.iter().map(|&d| profile_ids[d as usize]).collect();
    EventLog { labels, profile_ids, offsets, times, label_ids }
}

/// Above this many profiles a filter is applied during one full scan
/// rather than by one indexed read per profile.
const PER_PROFILE_READS: usize = 20_000;

const SCAN: &str = "SELECT profile_id, occurred_at, channel, name, properties_json, revenue FROM events \
                    WHERE occurred_at >= ?1 AND occurred_at < ?2";
/// Without a date range the bounds are left out: comparing them costs a
/// tenth of the load on 20M rows.
const SCAN_ALL: &str = "SELECT profile_id, occurred_at, channel, name, properties_json, revenue FROM events";
const ONE_PROFILE: &str = "SELECT profile_id, occurred_at, channel, name, properties_json, revenue FROM events \
                           WHERE profile_id = ?3 AND occurred_at >= ?1 AND occurred_at < ?2 ORDER BY id";

/// Loads the touchpoints of live profiles that pass `filter`, at `level`.
///
/// # Errors
///
/// When the warehouse cannot be read or an event's time is unreadable.
pub fn load(
    conn: &Connection,
    touchpoints: &Touchpoints,
    filter: &Filter,
    level: Level,
) -> Result<EventLog, JourneyError> {
    let (labels, remap) = level_labels(touchpoints, level);
    let merged = merged_profiles(conn)?;
    let from = filter.from.map_or_else(|| "0000".to_owned(), |d| d.to_string());
    let to = match filter.to {
        Some(d) => d.next_day().map_or_else(|| "9999-12-31T99".to_owned(), |n| n.to_string()),
        None => "9999-12-31T99".to_owned(),
    };
    let mut rows: Vec<(i64, i64, u32)> = Vec::new();
    let mut keep = |p: i64, t: i64, label: u32| {
        if !merged.contains(&p) {
            rows.push((p, t, remap[label as usize]));
        }
    };
    match &filter.profiles {
        Some(ids) if ids.len() <= PER_PROFILE_READS => {
            let mut stmt =
                conn.prepare_cached(ONE_PROFILE).map_err(JourneyError::sqlite("reading events"))?;
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                let mut q = stmt
                    .query(rusqlite::params![from, to, id])
                    .map_err(JourneyError::sqlite("reading events"))?;
                scan(&mut q, touchpoints, &mut keep)?;
            }
        }
        profiles => {
            let only: Option<HashSet<i64>> = profiles.as_ref().map(|ids| ids.iter().copied().collect());
            let ranged = filter.from.is_some() || filter.to.is_some();
            let mut stmt = conn
                .prepare(if ranged { SCAN } else { SCAN_ALL })
                .map_err(JourneyError::sqlite("reading events"))?;
            let bounds = if ranged { rusqlite::params![from, to] } else { rusqlite::params![] };
            let mut q = stmt.query(bounds).map_err(JourneyError::sqlite("reading events"))?;
            scan(&mut q, touchpoints, &mut |p, t, l| {
                if only.as_ref().is_none_or(|s| s.contains(&p)) {
                    keep(p, t, l);
                }
            })?;
        }
    }
    Ok(assemble(labels, rows))
}

/// The names at `level` and each touchpoint label's id among them.
fn level_labels(touchpoints: &Touchpoints, level: Level) -> (Vec<String>, Vec<u32>) {
    let mut names: Vec<String> = Vec::new();
    let remap = touchpoints
        .level_names(level)
        .into_iter()
        .map(|n| match names.iter().position(|x| *x == n) {
            Some(i) => i as u32,
            None => {
                names.push(n);
                (names.len() - 1) as u32
            }
        })
        .collect();
    (names, remap)
}

fn merged_profiles(conn: &Connection) -> Result<HashSet<i64>, JourneyError> {
    let context = "reading merged profiles";
    let mut stmt = conn
        .prepare("SELECT id FROM profiles WHERE merged_into IS NOT NULL")
        .map_err(JourneyError::sqlite(context))?;
    let ids = stmt.query_map([], |r| r.get::<_, i64>(0)).map_err(JourneyError::sqlite(context))?;
    ids.collect::<Result<_, _>>().map_err(JourneyError::sqlite(context))
}

fn scan(
    q: &mut rusqlite::Rows<'_>,
    touchpoints: &Touchpoints,
    keep: &mut dyn FnMut(i64, i64, u32),
) -> Result<(), JourneyError> {
    while let Some(r) = q.next().map_err(JourneyError::sqlite("reading events"))? {
        let (Ok(ValueRef::Text(channel)), Ok(ValueRef::Text(name))) = (r.get_ref(2), r.get_ref(3)) else {
            continue;
        };
        let (Ok(channel), Ok(name)) = (std::str::from_utf8(channel), std::str::from_utf8(name)) else {
            continue;
        };
        let Some(rules) = touchpoints.rules(channel, name) else { continue };
        let profile: i64 = r.get(0).map_err(JourneyError::sqlite("reading events"))?;
        let at = text(r.get_ref(1));
        let label = match unconditional(rules) {
            Some(label) => label,
            None => {
                let event = RuleEvent {
                    occurred_at: at,
                    properties_json: text(r.get_ref(4)),
                    revenue: r.get::<_, Option<f64>>(5).ok().flatten(),
                };
                touchpoints.apply(rules, event)
            }
        };
        let Some(label) = label else { continue };
        let seconds = unix_seconds(at).ok_or_else(|| {
            JourneyError::Invalid(format!("an event of profile {profile} has an unreadable time `{at}`"))
        })?;
        keep(profile, seconds, label);
    }
    Ok(())
}

fn text(v: rusqlite::Result<ValueRef<'_>>) -> &str {
    match v {
        Ok(ValueRef::Text(t)) => std::str::from_utf8(t).unwrap_or(""),
        _ => "",
    }
}

/// Seconds since the epoch of an RFC 3339 time; the warehouse's own
/// `YYYY-MM-DDTHH:MM:SSZ` is read without the general parser.
pub(crate) fn unix_seconds(at: &str) -> Option<i64> {
    let b = at.as_bytes();
    if b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
    {
        let num = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0i64, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0')))
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
            return None;
        }
        return Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss);
    }
    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_time_parse_agrees_with_the_general_one() {
        for at in
            ["1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "2026-03-01T12:00:00Z", "1999-12-31T00:00:01Z"]
        {
            let general = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                .unwrap()
                .unix_timestamp();
            assert_eq!(unix_seconds(at), Some(general), "{at}");
        }
        assert_eq!(unix_seconds("2026-03-01T12:00:00.5+01:00"), Some(1_772_362_800));
        assert_eq!(unix_seconds("yesterday"), None);
    }
}
