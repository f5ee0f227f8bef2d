//! Path analysis: the most travelled sequences of touchpoints.
//!
//! The meaning, step by step, for each profile:
//!
//! 1. **Sequences.** The profile's touchpoints in time order form one
//!    sequence, or — with `session_gap_seconds = Some(n)` — one per session,
//!    a new session starting when more than `n` seconds pass between two
//!    consecutive touchpoints.
//! 2. **Collapse.** Consecutive repeats of a label become one step, at the
//!    time of the first of them.
//! 3. **Start anchor.** The sequence starts at the first occurrence of the
//!    label; sequences without it are left out.
//! 4. **End anchor.** The sequence is cut after the first occurrence of the
//!    label, not counting the first step; sequences without it are kept whole.
//! 5. **Step limit.** Only the first `max_steps` steps count.
//!
//! A node is (step, label); an edge joins step k to step k + 1 of the same
//! sequence. Occurrences count sequences, profiles count distinct profiles,
//! the average time is over occurrences, and a node's drop-off counts the
//! sequences whose last step it is (after the step limit, so with a limit
//! of 5 every sequence reaching step 5 ends there).
//!
//! The map keeps the edges with at least `min_edge_profiles` profiles, the
//! heaviest `max_edges` of them (0 keeps all): by profiles, then occurrences,
//! then step and labels. Its nodes are the kept edges' ends plus the
//! first-step nodes with at least `min_edge_profiles` profiles; node figures
//! are always the full counts. Nodes are ordered by step, then profiles
//! (descending), then label; edges by their node indices.

use std::collections::HashMap;

use crate::error::JourneyError;
use crate::load::EventLog;

/// What a path analysis looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathOptions {
    /// Split each profile's touchpoints into sessions at gaps longer than this.
    pub session_gap_seconds: Option<i64>,
    /// Start every sequence at the first occurrence of this label.
    pub start: Option<String>,
    /// Cut every sequence after the first occurrence of this label.
    pub end: Option<String>,
    /// Steps per sequence (at least 1).
    pub max_steps: usize,
    /// The fewest distinct profiles an edge needs to be shown.
    pub min_edge_profiles: u64,
    /// The most edges shown (0: all).
    pub max_edges: usize,
}

impl Default for PathOptions {
    fn default() -> Self {
        Self {
            session_gap_seconds: None,
            start: None,
            end: None,
            max_steps: 5,
            min_edge_profiles: 1,
            max_edges: 50,
        }
    }
}

/// A label at a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathNode {
    /// 0 for the first step.
    pub step: usize,
    /// The label (or group).
    pub label: String,
    /// Distinct profiles with a sequence passing here.
    pub profiles: u64,
    /// Sequences passing here.
    pub sequences: u64,
    /// Sequences ending here.
    pub drop_off: u64,
}

/// A transition between consecutive steps.
#[derive(Clone, Debug, PartialEq)]
pub struct PathEdge {
    /// Index of the node at step k in [`PathMap::nodes`].
    pub from: usize,
    /// Index of the node at step k + 1.
    pub to: usize,
    /// Sequences making this transition.
    pub occurrences: u64,
    /// Distinct profiles making it.
    pub profiles: u64,
    /// The average seconds between the two steps.
    pub avg_seconds: f64,
}

/// The result of [`paths`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PathMap {
    /// The nodes shown.
    pub nodes: Vec<PathNode>,
    /// The edges shown.
    pub edges: Vec<PathEdge>,
    /// Sequences considered (after anchoring).
    pub sequences: u64,
    /// Distinct profiles with at least one sequence.
    pub profiles: u64,
}

/// A step of a sequence: (unix seconds, label id).
type Step = (i64, u32);

/// The options with labels resolved to ids.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Resolved {
    gap: Option<i64>,
    start: Option<u32>,
    end: Option<u32>,
    max_steps: usize,
}

fn resolve(log: &EventLog, options: &PathOptions) -> Result<Resolved, JourneyError> {
    if options.max_steps == 0 {
        return Err(JourneyError::Invalid("a path needs at least 1 step (max steps is 0)".to_owned()));
    }
    if let Some(g) = options.session_gap_seconds
        && g <= 0
    {
        return Err(JourneyError::Invalid(format!("the session gap must be positive, not {g} seconds")));
    }
    let start = options.start.as_deref().map(|l| log.require("start anchor", l)).transpose()?;
    let end = options.end.as_deref().map(|l| log.require("end anchor", l)).transpose()?;
    Ok(Resolved { gap: options.session_gap_seconds, start, end, max_steps: options.max_steps })
}

/// Calls `f(profile, steps)` for every sequence, in profile order; a step is
/// `(seconds, label id)`.
pub(crate) fn for_each_sequence(log: &EventLog, r: Resolved, f: &mut dyn FnMut(i64, &[Step])) {
    let mut buf: Vec<(i64, u32)> = Vec::new();
    for i in 0..log.profiles() {
        let (profile, times, labels) = log.profile(i);
        let mut begin = 0;
        while begin < times.len() {
            let mut end = begin + 1;
            if let Some(gap) = r.gap {
                while end < times.len() && times[end] - times[end - 1] <= gap {
                    end += 1;
                }
            } else {
                end = times.len();
            }
            buf.clear();
            for k in begin..end {
                if buf.last().is_none_or(|&(_, l)| l != labels[k]) {
                    buf.push((times[k], labels[k]));
                }
            }
            if let Some(seq) = anchor(&buf, r) {
                f(profile, seq);
            }
            begin = end;
        }
    }
}

fn anchor(buf: &[(i64, u32)], r: Resolved) -> Option<&[(i64, u32)]> {
    let mut seq = buf;
    if let Some(start) = r.start {
        let at = seq.iter().position(|&(_, l)| l == start)?;
        seq = &seq[at..];
    }
    if let Some(end) = r.end
        && let Some(at) = seq.iter().skip(1).position(|&(_, l)| l == end)
    {
        seq = &seq[..at + 2];
    }
    (!seq.is_empty()).then(|| &seq[..seq.len().min(r.max_steps)])
}

#[derive(Clone, Copy, Debug, Default)]
struct NodeStats {
    profiles: u64,
    sequences: u64,
    drop_off: u64,
    last: Option<i64>,
}

#[derive(Clone, Copy, Debug, Default)]
struct EdgeStats {
    profiles: u64,
    occurrences: u64,
    seconds: i128,
    last: Option<i64>,
}

/// The path map of `log`.
///
/// # Errors
///
/// An anchor label not in the log (the error lists the known ones), a step
/// limit of 0 or a session gap that is not positive.
pub fn paths(log: &EventLog, options: &PathOptions) -> Result<PathMap, JourneyError> {
    let r = resolve(log, options)?;
    let n_labels = log.labels().len().max(1);
    let mut nodes: Vec<NodeStats> = vec![NodeStats::default(); r.max_steps.min(64) * n_labels];
    let mut edges: HashMap<(u32, u32, u32), EdgeStats> = HashMap::new();
    let (mut sequences, mut profiles, mut last_profile) = (0u64, 0u64, None);
    for_each_sequence(log, r, &mut |profile, seq| {
        sequences += 1;
        if last_profile != Some(profile) {
            profiles += 1;
            last_profile = Some(profile);
        }
        for (step, &(t, label)) in seq.iter().enumerate() {
            let key = step * n_labels + label as usize;
            if key >= nodes.len() {
                nodes.resize(key + 1, NodeStats::default());
            }
            let n = &mut nodes[key];
            n.sequences += 1;
            if n.last != Some(profile) {
                n.profiles += 1;
                n.last = Some(profile);
            }
            if let Some(&(t2, next)) = seq.get(step + 1) {
                let e = edges.entry((step as u32, label, next)).or_default();
                e.occurrences += 1;
                e.seconds += i128::from(t2 - t);
                if e.last != Some(profile) {
                    e.profiles += 1;
                    e.last = Some(profile);
                }
            } else {
                n.drop_off += 1;
            }
        }
    });
    let node_at =
        |step: usize, label: u32| nodes.get(step * n_labels + label as usize).copied().unwrap_or_default();
    Ok(select(log, options, node_at, edges, sequences, profiles))
}

fn select(
    log: &EventLog,
    options: &PathOptions,
    node_at: impl Fn(usize, u32) -> NodeStats,
    edges: HashMap<(u32, u32, u32), EdgeStats>,
    sequences: u64,
    profiles: u64,
) -> PathMap {
    let names = log.labels();
    let mut kept: Vec<((u32, u32, u32), EdgeStats)> =
        edges.into_iter().filter(|(_, e)| e.profiles >= options.min_edge_profiles).collect();
    kept.sort_by(|(ka, a), (kb, b)| {
        b.profiles
            .cmp(&a.profiles)
            .then(b.occurrences.cmp(&a.occurrences))
            .then(ka.0.cmp(&kb.0))
            .then(names[ka.1 as usize].cmp(&names[kb.1 as usize]))
            .then(names[ka.2 as usize].cmp(&names[kb.2 as usize]))
    });
    if options.max_edges > 0 {
        kept.truncate(options.max_edges);
    }
    let mut keys: Vec<(usize, u32)> = Vec::new();
    for &((step, a, b), _) in &kept {
        keys.push((step as usize, a));
        keys.push((step as usize + 1, b));
    }
    for label in 0..names.len() as u32 {
        if node_at(0, label).profiles >= options.min_edge_profiles.max(1) {
            keys.push((0, label));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    let mut out_nodes: Vec<(PathNode, (usize, u32))> = keys
        .into_iter()
        .map(|(step, label)| {
            let s = node_at(step, label);
            let node = PathNode {
                step,
                label: names[label as usize].clone(),
                profiles: s.profiles,
                sequences: s.sequences,
                drop_off: s.drop_off,
            };
            (node, (step, label))
        })
        .collect();
    out_nodes.sort_by(|(a, _), (b, _)| {
        a.step.cmp(&b.step).then(b.profiles.cmp(&a.profiles)).then(a.label.cmp(&b.label))
    });
    let index: HashMap<(usize, u32), usize> =
        out_nodes.iter().enumerate().map(|(i, (_, k))| (*k, i)).collect();
    let mut out_edges: Vec<PathEdge> = kept
        .into_iter()
        .filter_map(|((step, a, b), e)| {
            Some(PathEdge {
                from: *index.get(&(step as usize, a))?,
                to: *index.get(&(step as usize + 1, b))?,
                occurrences: e.occurrences,
                profiles: e.profiles,
                avg_seconds: e.seconds as f64 / e.occurrences.max(1) as f64,
            })
        })
        .collect();
    out_edges.sort_by_key(|e| (e.from, e.to));
    PathMap { nodes: out_nodes.into_iter().map(|(n, _)| n).collect(), edges: out_edges, sequences, profiles }
}

/// The profiles (ascending ids) with a sequence passing `node`, under the
/// same options as the analysis; empty when the options are invalid.
#[must_use]
pub fn path_node_profiles(log: &EventLog, options: &PathOptions, node: &PathNode) -> Vec<i64> {
    let Some(label) = log.label_id(&node.label) else { return Vec::new() };
    collect(log, options, |seq| seq.get(node.step).is_some_and(|&(_, l)| l == label))
}

/// The profiles (ascending ids) with a sequence going from `from` to `to`,
/// which must be at consecutive steps.
#[must_use]
pub fn path_edge_profiles(log: &EventLog, options: &PathOptions, from: &PathNode, to: &PathNode) -> Vec<i64> {
    let (Some(a), Some(b)) = (log.label_id(&from.label), log.label_id(&to.label)) else { return Vec::new() };
    if to.step != from.step + 1 {
        return Vec::new();
    }
    collect(log, options, |seq| {
        seq.get(from.step).is_some_and(|&(_, l)| l == a) && seq.get(to.step).is_some_and(|&(_, l)| l == b)
    })
}

fn collect(log: &EventLog, options: &PathOptions, pick: impl Fn(&[(i64, u32)]) -> bool) -> Vec<i64> {
    let Ok(r) = resolve(log, options) else { return Vec::new() };
    let mut out: Vec<i64> = Vec::new();
    for_each_sequence(log, r, &mut |profile, seq| {
        if out.last() != Some(&profile) && pick(seq) {
            out.push(profile);
        }
    });
    out
}
