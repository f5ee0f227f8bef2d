//! `parlance-bench`: the benchmarks behind `make bench`. Every figure is
//! printed beside a baseline measured in the same run on the same data, and
//! the machine is described so BENCHMARKS.md can record where it ran.

mod demo_landing;
mod identity_resolution;
mod journeys;
mod machine;
mod report;
mod segment_eval;
mod segment_import;
mod value_refresh;

use std::path::PathBuf;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "parlance-bench", about = "Parlance benchmarks (see BENCHMARKS.md)")]
struct Args {
    /// People in the demo company used as the workload
    #[arg(long, default_value_t = 1_000_000)]
    people: u32,
    /// Folder for the benchmark warehouses (deleted and recreated per run)
    #[arg(long, default_value = "bench-data")]
    data: PathBuf,
    /// Messages in the Segment-spec JSONL import benchmark, from a fifth as many people (0 skips it)
    #[arg(long, default_value_t = 5_000_000)]
    segment_events: u64,
    /// Customers in the value-refresh benchmark's warehouse, about 20 orders each (0 skips it)
    #[arg(long, default_value_t = 100_000)]
    value_customers: u32,
    /// Run only one benchmark: `value` (the value refresh beside lifetimes), `segment` (segment evaluation beside DuckDB), `journeys` (paths and funnels beside a SQLite scan), `identity` (resolution from scratch beside a plain union-find)
    #[arg(long, value_name = "NAME")]
    only: Option<String>,
    /// People whose records identity resolution resolves from scratch (0 skips it)
    #[arg(long, default_value_t = 1_000_000)]
    identity_people: u32,
    /// Profiles in the segment-evaluation benchmark, with 20 events each (0 skips it)
    #[arg(long, default_value_t = 1_000_000)]
    segment_profiles: u32,
    /// Profiles in the journeys benchmark (the segment benchmark's warehouse), 20 events each (0 skips it)
    #[arg(long, default_value_t = 1_000_000)]
    journey_profiles: u32,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    println!("{}", machine::describe());
    std::fs::create_dir_all(&args.data)?;
    if args.only.as_deref() == Some("value") {
        return value_refresh::run(&args.data, args.value_customers);
    }
    if args.only.as_deref() == Some("segment") {
        return segment_eval::run(&args.data, args.segment_profiles);
    }
    if args.only.as_deref() == Some("journeys") {
        return journeys::run(&args.data, args.journey_profiles);
    }
    if args.only.as_deref() == Some("identity") {
        return identity_resolution::run(args.identity_people);
    }
    demo_landing::run(&args.data, args.people)?;
    if args.identity_people > 0 {
        identity_resolution::run(args.identity_people)?;
    }
    if args.value_customers > 0 {
        value_refresh::run(&args.data, args.value_customers)?;
    }
    if args.segment_events > 0 {
        segment_import::run(&args.data, args.segment_events)?;
    }
    if args.segment_profiles > 0 {
        segment_eval::run(&args.data, args.segment_profiles)?;
    }
    if args.journey_profiles > 0 {
        journeys::run(&args.data, args.journey_profiles)?;
    }
    Ok(())
}
