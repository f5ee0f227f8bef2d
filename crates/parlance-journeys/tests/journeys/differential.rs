//! `paths` and `funnel` against deliberately plain reference
//! implementations on many seeded random logs.

use std::collections::{BTreeMap, BTreeSet};

use parlance_journeys::{EventLog, FunnelOptions, PathOptions, funnel, funnel_step_profiles, paths};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const LABELS: [&str; 4] = ["a", "b", "c", "d"];

type Events = Vec<(i64, i64, String)>;

fn random_events(rng: &mut ChaCha8Rng) -> Events {
    let mut out = Vec::new();
    for profile in 1..=rng.random_range(1..12) {
        let mut t = rng.random_range(0..50);
        for _ in 0..rng.random_range(0..10) {
            // Small steps so same-second ties, short and long gaps all occur.
            t += [0, 1, 5, 30, 200][rng.random_range(0..5)];
            out.push((profile, t, LABELS[rng.random_range(0..LABELS.len())].to_owned()));
        }
    }
    // Same-second events keep their relative order in both implementations.
    let mut shuffled = Vec::new();
    while !out.is_empty() {
        let i = rng.random_range(0..out.len());
        let (p, _, _) = out[i];
        let first = out.iter().position(|e| e.0 == p).unwrap_or(i);
        shuffled.push(out.remove(first));
    }
    shuffled
}

/// Each profile's events in time order (stable), as `(time, label)`.
fn by_profile(events: &Events) -> BTreeMap<i64, Vec<(i64, String)>> {
    let mut m: BTreeMap<i64, Vec<(i64, String)>> = BTreeMap::new();
    for (p, t, l) in events {
        m.entry(*p).or_default().push((*t, l.clone()));
    }
    for v in m.values_mut() {
        v.sort_by_key(|e| e.0);
    }
    m
}

fn reference_sequences(events: &Events, o: &PathOptions) -> Vec<(i64, Vec<(i64, String)>)> {
    let mut out = Vec::new();
    for (p, evs) in by_profile(events) {
        let mut sessions: Vec<Vec<(i64, String)>> = Vec::new();
        for (i, e) in evs.iter().enumerate() {
            let new = i == 0 || o.session_gap_seconds.is_some_and(|g| e.0 - evs[i - 1].0 > g);
            if new {
                sessions.push(Vec::new());
            }
            sessions.last_mut().unwrap().push(e.clone());
        }
        for s in sessions {
            let mut seq: Vec<(i64, String)> = Vec::new();
            for e in s {
                if seq.last().map(|x| &x.1) != Some(&e.1) {
                    seq.push(e);
                }
            }
            if let Some(start) = &o.start {
                match seq.iter().position(|e| &e.1 == start) {
                    Some(i) => seq = seq[i..].to_vec(),
                    None => continue,
                }
            }
            if let Some(end) = &o.end {
                for i in 1..seq.len() {
                    if &seq[i].1 == end {
                        seq.truncate(i + 1);
                        break;
                    }
                }
            }
            seq.truncate(o.max_steps);
            out.push((p, seq));
        }
    }
    out
}

/// (step, label) → (profiles, sequences, drop-off).
type Nodes = BTreeMap<(usize, String), (BTreeSet<i64>, u64, u64)>;
/// (step, from, to) → (profiles, occurrences, total seconds).
type Edges = BTreeMap<(usize, String, String), (BTreeSet<i64>, u64, i64)>;

fn reference_paths(events: &Events, o: &PathOptions) -> (Nodes, Edges, u64, u64) {
    let mut nodes = Nodes::new();
    let mut edges = Edges::new();
    let seqs = reference_sequences(events, o);
    let profiles: BTreeSet<i64> = seqs.iter().map(|s| s.0).collect();
    for (p, seq) in &seqs {
        for (k, (t, l)) in seq.iter().enumerate() {
            let n = nodes.entry((k, l.clone())).or_default();
            n.0.insert(*p);
            n.1 += 1;
            if k + 1 == seq.len() {
                n.2 += 1;
            } else {
                let (t2, l2) = &seq[k + 1];
                let e = edges.entry((k, l.clone(), l2.clone())).or_default();
                e.0.insert(*p);
                e.1 += 1;
                e.2 += t2 - t;
            }
        }
    }
    (nodes, edges, seqs.len() as u64, profiles.len() as u64)
}

fn check_paths(events: &Events, log: &EventLog, o: &PathOptions, seed: u64) {
    let map = paths(log, o).unwrap();
    let (nodes, edges, sequences, profiles) = reference_paths(events, o);
    assert_eq!((map.sequences, map.profiles), (sequences, profiles), "seed {seed} {o:?}");
    for n in &map.nodes {
        let (ps, seqs, drop) = &nodes[&(n.step, n.label.clone())];
        assert_eq!(
            (n.profiles, n.sequences, n.drop_off),
            (ps.len() as u64, *seqs, *drop),
            "seed {seed} {n:?}"
        );
    }
    // The kept edges are exactly the heaviest qualifying ones.
    let mut expected: Vec<(u64, u64, usize, String, String)> = edges
        .iter()
        .filter(|(_, e)| e.0.len() as u64 >= o.min_edge_profiles)
        .map(|((k, a, b), e)| (e.0.len() as u64, e.1, *k, a.clone(), b.clone()))
        .collect();
    expected.sort_by(|x, y| {
        y.0.cmp(&x.0).then(y.1.cmp(&x.1)).then(x.2.cmp(&y.2)).then(x.3.cmp(&y.3)).then(x.4.cmp(&y.4))
    });
    if o.max_edges > 0 {
        expected.truncate(o.max_edges);
    }
    let mut got: Vec<(u64, u64, usize, String, String)> = map
        .edges
        .iter()
        .map(|e| {
            let (a, b) = (&map.nodes[e.from], &map.nodes[e.to]);
            assert_eq!(a.step + 1, b.step);
            let (_, occ, secs) = &edges[&(a.step, a.label.clone(), b.label.clone())];
            assert!((e.avg_seconds - *secs as f64 / *occ as f64).abs() < 1e-9, "seed {seed}");
            (e.profiles, e.occurrences, a.step, a.label.clone(), b.label.clone())
        })
        .collect();
    got.sort_by(|x, y| {
        y.0.cmp(&x.0).then(y.1.cmp(&x.1)).then(x.2.cmp(&y.2)).then(x.3.cmp(&y.3)).then(x.4.cmp(&y.4))
    });
    assert_eq!(got, expected, "seed {seed} {o:?}");
}

/// Every way to do the steps in order from each start; the most steps,
/// then the earliest start, then the earliest events.
fn reference_funnel_attempt(evs: &[(i64, String)], steps: &[String], window: i64) -> Vec<i64> {
    fn extend(
        evs: &[(i64, String)],
        steps: &[String],
        limit: i64,
        chosen: &mut Vec<usize>,
        best: &mut Vec<usize>,
    ) {
        if chosen.len() > best.len() {
            *best = chosen.clone();
        }
        if chosen.len() == steps.len() {
            return;
        }
        let after = chosen.last().map_or(0, |&i| i + 1);
        for j in after..evs.len() {
            if evs[j].1 == steps[chosen.len()] && evs[j].0 <= limit {
                chosen.push(j);
                extend(evs, steps, limit, chosen, best);
                chosen.pop();
            }
        }
    }
    let mut best: Vec<usize> = Vec::new();
    for (i, e) in evs.iter().enumerate() {
        if e.1 != steps[0] {
            continue;
        }
        let mut attempt = Vec::new();
        extend(evs, steps, e.0 + window, &mut vec![i], &mut attempt);
        if attempt.len() > best.len() {
            best = attempt;
        }
    }
    best.iter().map(|&i| evs[i].0).collect()
}

fn check_funnel(events: &Events, log: &EventLog, o: &FunnelOptions, seed: u64) {
    let result = funnel(log, o).unwrap();
    let mut reached = vec![Vec::new(); o.steps.len()];
    let mut gaps: Vec<Vec<i64>> = vec![Vec::new(); o.steps.len()];
    let grouped = by_profile(events);
    for (p, evs) in &grouped {
        let times = reference_funnel_attempt(evs, &o.steps, o.window_seconds);
        for (k, t) in times.iter().enumerate() {
            reached[k].push(*p);
            if k > 0 {
                gaps[k].push(t - times[k - 1]);
            }
        }
    }
    assert_eq!(result.profiles_considered, grouped.len() as u64);
    for (k, step) in result.steps.iter().enumerate() {
        assert_eq!(step.profiles, reached[k].len() as u64, "seed {seed} step {k}");
        assert_eq!(funnel_step_profiles(log, o, k, true).unwrap(), reached[k], "seed {seed}");
        let avg = (!gaps[k].is_empty()).then(|| gaps[k].iter().sum::<i64>() as f64 / gaps[k].len() as f64);
        assert_eq!(step.avg_seconds_from_previous.map(|x| (x * 1e6).round()), avg.map(|x| (x * 1e6).round()));
        let mut g = gaps[k].clone();
        g.sort();
        let median = match g.len() {
            0 => None,
            n if n % 2 == 1 => Some(g[n / 2] as f64),
            n => Some((g[n / 2 - 1] + g[n / 2]) as f64 / 2.0),
        };
        assert_eq!(step.median_seconds_from_previous, median, "seed {seed} step {k}");
    }
}

#[test]
fn paths_and_funnels_agree_with_the_reference_on_random_logs() {
    for seed in 0..400u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let events = random_events(&mut rng);
        let log = EventLog::from_events(events.iter().map(|(p, t, l)| (*p, *t, l.as_str())));
        let known: Vec<&str> = LABELS.iter().copied().filter(|l| log.label_id(l).is_some()).collect();
        let pick = |rng: &mut ChaCha8Rng| {
            (!known.is_empty() && rng.random_bool(0.5))
                .then(|| known[rng.random_range(0..known.len())].to_owned())
        };
        let o = PathOptions {
            session_gap_seconds: rng.random_bool(0.5).then(|| rng.random_range(1..100)),
            start: pick(&mut rng),
            end: pick(&mut rng),
            max_steps: rng.random_range(1..7),
            min_edge_profiles: rng.random_range(0..3),
            max_edges: rng.random_range(0..6),
        };
        check_paths(&events, &log, &o, seed);
        if known.len() >= 2 {
            let steps = (0..rng.random_range(2..5))
                .map(|_| known[rng.random_range(0..known.len())].to_owned())
                .collect();
            let o = FunnelOptions { steps, window_seconds: rng.random_range(1..400) };
            check_funnel(&events, &log, &o, seed);
        }
    }
}
