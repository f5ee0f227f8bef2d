//! Identity resolution from scratch: N people's records (the demo company's
//! own records, normalised by the real normalisers, with the person truly
//! behind each), resolved in landing order on the in-memory store, the way
//! `parlance identity rebuild` resolves them.
//!
//! Timed: `resolve()` over every record (identifier normalisation, blocked
//! values, priority, limits, keep-apart checks, merges with evidence),
//! nothing else. Not timed: generating and normalising the payloads.
//! Baseline in the same run: a plain union-find over the same records'
//! canonical identifiers (pre-normalised), no rules. Both are scored
//! pairwise against the truth (precision, recall over record pairs).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parlance_demo::{DEMO_SOURCES, DemoConfig, person_records};
use parlance_identity::{Evidence, Identifier, MemoryStore, RawIdentifier, Rules, normalise, resolve};
use time::macros::date;

use crate::report::thousands;

/// One record: its raw identifiers and the person truly behind it.
struct Input {
    identifiers: Vec<RawIdentifier>,
    person: u32,
}

pub fn run(people: u32) -> anyhow::Result<()> {
    println!("\nidentity resolution from scratch: {} people", thousands(u64::from(people)));
    let config = DemoConfig { people, seed: DemoConfig::DEFAULT_SEED, as_of: date!(2026 - 10 - 31) };
    let started = Instant::now();
    let inputs = build_inputs(&config)?;
    println!(
        "  input: {} records from the demo generator, normalised (not timed: {:.1} s)",
        thousands(inputs.len() as u64),
        started.elapsed().as_secs_f64()
    );
    let rules = Rules::default();

    // The baseline's input: canonical identifiers, computed outside its timing.
    let canonical: Vec<Vec<Identifier>> = inputs
        .iter()
        .map(|r| r.identifiers.iter().filter_map(|raw| normalise(raw, &rules).ok()).collect())
        .collect();
    let distinct = {
        let mut all: std::collections::HashSet<&Identifier> = std::collections::HashSet::new();
        canonical.iter().flatten().for_each(|id| {
            all.insert(id);
        });
        all.len()
    };
    println!("  {} distinct usable identifiers", thousands(distinct as u64));

    let (baseline_time, baseline_clusters) = union_find(&canonical);
    let (time, clusters, profiles) = parlance(&inputs, &rules)?;

    let truth: Vec<u32> = inputs.iter().map(|r| r.person).collect();
    let base_score = score(&baseline_clusters, &truth);
    let score_now = score(&clusters, &truth);
    line("baseline: union-find, same identifiers, no rules", inputs.len(), baseline_time, None, base_score);
    line("parlance: resolve() on the memory store", inputs.len(), time, Some(baseline_time), score_now);
    let verdict = match (people >= 1_000_000, time.as_secs_f64() <= 20.0) {
        (true, true) => "met".to_owned(),
        (true, false) => "NOT met".to_owned(),
        (false, _) => {
            format!("not judged at {} people (run --identity-people 1000000)", thousands(u64::from(people)))
        }
    };
    println!(
        "  {} live profiles; target ≤ 20 s for 1M people / 3M identifiers: {verdict}",
        thousands(profiles as u64)
    );
    Ok(())
}

fn line(what: &str, records: usize, took: Duration, baseline: Option<Duration>, (p, r): (f64, f64)) {
    let secs = took.as_secs_f64().max(1e-9);
    let ratio = baseline.map_or(String::new(), |b| {
        format!("  ({:.2}× the baseline's time)", secs / b.as_secs_f64().max(1e-9))
    });
    println!(
        "  {what:<50} {:>11} records/s {secs:>7.1} s  precision {p:.4} recall {r:.4}{ratio}",
        thousands((records as f64 / secs) as u64)
    );
}

/// Generates and normalises every person's records, on every core.
fn build_inputs(config: &DemoConfig) -> anyhow::Result<Vec<Input>> {
    let shapes: HashMap<&str, &str> = DEMO_SOURCES.iter().copied().collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).max(1) as u32;
    let chunk = config.people.div_ceil(threads).max(1);
    let parts: Vec<anyhow::Result<Vec<Input>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let shapes = &shapes;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    let (first, last) = (t * chunk, ((t + 1) * chunk).min(config.people));
                    for person in first..last {
                        for r in person_records(config, person) {
                            let shape = shapes.get(r.source).copied().unwrap_or(r.source);
                            // Records the pipeline would quarantine are not resolved at all.
                            if let Ok(n) =
                                parlance_normalize::normalize(r.source, shape, r.stream, &r.payload_json)
                            {
                                out.push(Input { identifiers: n.identifiers, person: r.person });
                            }
                        }
                    }
                    anyhow::Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("a generator thread panicked"))))
            .collect()
    });
    let mut inputs = Vec::new();
    for part in parts {
        inputs.extend(part?);
    }
    // Landing order: the demo lands people in index order, each person's records in order.
    Ok(inputs)
}

/// Resolves every record in order; the cluster of each (None: no usable identifier).
fn parlance(inputs: &[Input], rules: &Rules) -> anyhow::Result<(Duration, Vec<Option<u32>>, usize)> {
    let mut store = MemoryStore::default();
    let mut profiles = Vec::with_capacity(inputs.len());
    let started = Instant::now();
    for (i, r) in inputs.iter().enumerate() {
        let evidence = Evidence { source: "bench", landing_id: Some(i as i64), at: "2026-10-31T00:00:00Z" };
        profiles.push(resolve(&mut store, rules, &r.identifiers, &evidence).ok().map(|res| res.profile));
    }
    let took = started.elapsed();
    let clusters = profiles.iter().map(|p| p.map(|p| store.live(p) as u32)).collect();
    let live = store.profiles().filter(|p| p.merged_into.is_none()).count();
    Ok((took, clusters, live))
}

/// Plain union-find with path halving over the records' canonical identifiers.
fn union_find(records: &[Vec<Identifier>]) -> (Duration, Vec<Option<u32>>) {
    let started = Instant::now();
    let mut index: HashMap<&Identifier, u32> = HashMap::new();
    let mut parent: Vec<u32> = Vec::new();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let grand = parent[parent[x as usize] as usize];
            parent[x as usize] = grand;
            x = grand;
        }
        x
    }
    let mut first: Vec<Option<u32>> = Vec::with_capacity(records.len());
    for ids in records {
        let mut root: Option<u32> = None;
        for id in ids {
            let next = parent.len() as u32;
            let node = *index.entry(id).or_insert_with(|| {
                parent.push(next);
                next
            });
            let r = find(&mut parent, node);
            root = Some(match root {
                None => r,
                Some(a) if a == r => a,
                Some(a) => {
                    let (lo, hi) = if a < r { (a, r) } else { (r, a) };
                    parent[hi as usize] = lo;
                    lo
                }
            });
        }
        first.push(root);
    }
    let clusters = first.into_iter().map(|r| r.map(|r| find(&mut parent, r))).collect();
    (started.elapsed(), clusters)
}

/// Pairwise precision and recall of `clusters` (None: unresolved, left out) against `truth`.
fn score(clusters: &[Option<u32>], truth: &[u32]) -> (f64, f64) {
    let mut predicted: HashMap<u32, u64> = HashMap::new();
    let mut actual: HashMap<u32, u64> = HashMap::new();
    let mut both: HashMap<(u32, u32), u64> = HashMap::new();
    for (c, t) in clusters.iter().zip(truth) {
        if let Some(c) = c {
            *predicted.entry(*c).or_default() += 1;
            *actual.entry(*t).or_default() += 1;
            *both.entry((*c, *t)).or_default() += 1;
        }
    }
    let pairs = |m: &mut dyn Iterator<Item = u64>| m.map(|n| n * n.saturating_sub(1) / 2).sum::<u64>();
    let (p, a, c) = (
        pairs(&mut predicted.into_values()),
        pairs(&mut actual.into_values()),
        pairs(&mut both.into_values()),
    );
    let ratio = |num: u64, den: u64| if den == 0 { 1.0 } else { num as f64 / den as f64 };
    (ratio(c, p), ratio(c, a))
}
