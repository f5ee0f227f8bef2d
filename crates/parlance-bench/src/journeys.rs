//! Journeys on N profiles and about 20·N events: loading the touchpoints,
//! the top paths (5 steps, 50 edges) and a 4-step funnel, each printed
//! beside a baseline measured in the same run on the same warehouse — one
//! plain SQLite scan reading the same four columns of every event row
//! (what any in-memory analysis has to read at least once).
//!
//! The warehouse is the segment-evaluation bench's (`bench-data/`, generated
//! once and reused); its events are labelled by the starter vocabulary's
//! touchpoint rules, `web.page_view`'s conditional rules included. Paths and
//! funnels are timed on the loaded log, as the app runs them after one load;
//! each figure is the median of 3 runs after a warm-up.

use std::time::{Duration, Instant};

use parlance_journeys::{Filter, FunnelOptions, Level, PathOptions, Touchpoints, funnel, load, paths};
use parlance_vocabulary::compile::storage::fixed_catalog;
use parlance_vocabulary::{FieldType, Program};

use crate::segment_eval;

const TOUCHPOINTS: &str = include_str!("../../../vocabulary/touchpoints.parlance");

pub fn run(data: &std::path::Path, profiles: u32) -> anyhow::Result<()> {
    println!("\njourneys: {profiles} profiles, about {} events", profiles as u64 * 20);
    let path = data.join(format!("segment-eval-{profiles}.parlance"));
    let warehouse = segment_eval::prepare(&path, profiles)?;
    let reader = warehouse.reader()?;
    let touchpoints = Touchpoints::from_program(&Program::new(TOUCHPOINTS, &catalog()))?;

    let (scan, rows) = timed(3, || baseline_scan(&reader))?;
    let rows = rows as u64;
    println!("  {:<44} {:>12} rows    {:>8.3} s", "baseline: SQLite scan of the 4 columns", rows, secs(scan));

    let (took, log) = timed(3, || Ok(load(&reader, &touchpoints, &Filter::default(), Level::Label)?))?;
    println!(
        "  {:<44} {:>12} events  {:>8.3} s  ({:.2}× the scan; {} profiles)",
        "load touchpoints (label level)",
        log.events(),
        secs(took),
        secs(took) / secs(scan),
        log.profiles()
    );

    let options = PathOptions { max_steps: 5, max_edges: 50, min_edge_profiles: 1, ..PathOptions::default() };
    let (took, map) = timed(3, || Ok(paths(&log, &options)?))?;
    line("top paths, 5 steps, 50 edges", map.edges.len() as u64, "edges", took, scan);

    let sessions = PathOptions { session_gap_seconds: Some(1800), ..options.clone() };
    let (took, map) = timed(3, || Ok(paths(&log, &sessions)?))?;
    line(
        &format!("top paths per session ({} sessions)", map.sequences),
        map.edges.len() as u64,
        "edges",
        took,
        scan,
    );

    let steps = ["ads:click", "web:visit", "web:add_to_cart", "shop:purchase"];
    let funnel_options =
        FunnelOptions { steps: steps.iter().map(|s| (*s).to_owned()).collect(), window_seconds: 30 * 86_400 };
    let (took, result) = timed(3, || Ok(funnel(&log, &funnel_options)?))?;
    let last = result.steps.last().map_or(0, |s| s.profiles);
    line("4-step funnel, 30-day window", last, "converted", took, scan);
    println!(
        "  target: top paths and the funnel each ≤ 2 s on 20M events (the load is separate, see BENCHMARKS.md)"
    );
    Ok(())
}

fn catalog() -> parlance_vocabulary::Catalog {
    let mut catalog = fixed_catalog().event("web.page_view", [("path", FieldType::String)]);
    for event in [
        "ads.ad_clicked",
        "web.product_added",
        "email.subscribed",
        "email.opened",
        "email.clicked",
        "email.bounced",
        "shop.order_placed",
        "shop.order_refunded",
        "support.call",
        "support.ticket_opened",
        "survey.response",
    ] {
        catalog = catalog.event(event, []);
    }
    catalog
}

fn baseline_scan(reader: &rusqlite::Connection) -> anyhow::Result<usize> {
    let mut stmt = reader.prepare("SELECT profile_id, occurred_at, channel, name FROM events")?;
    let mut rows = stmt.query([])?;
    let (mut n, mut checksum) = (0usize, 0usize);
    while let Some(r) = rows.next()? {
        let p: i64 = r.get(0)?;
        let at = r.get_ref(1)?.as_str()?;
        let channel = r.get_ref(2)?.as_str()?;
        let name = r.get_ref(3)?.as_str()?;
        checksum = checksum.wrapping_add(p as usize + at.len() + channel.len() + name.len());
        n += 1;
    }
    std::hint::black_box(checksum);
    Ok(n)
}

/// The median of `runs` timed runs after a warm-up, and the last result.
fn timed<T>(runs: usize, mut f: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<(Duration, T)> {
    let mut result = f()?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        result = f()?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times[times.len() / 2], result))
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64().max(1e-9)
}

fn line(what: &str, count: u64, unit: &str, took: Duration, scan: Duration) {
    println!(
        "  {what:<44} {count:>12} {unit:<7} {:>8.3} s  ({:.2}× the scan)",
        secs(took),
        secs(took) / secs(scan)
    );
}
