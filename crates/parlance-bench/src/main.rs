//! `parlance-bench`: the benchmarks behind `make bench`. Every figure is
//! printed beside a baseline measured in the same run on the same data, and
//! the machine is described so BENCHMARKS.md can record where it ran.

mod demo_landing;
mod machine;
mod report;

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
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    println!("{}", machine::describe());
    std::fs::create_dir_all(&args.data)?;
    demo_landing::run(&args.data, args.people)?;
    Ok(())
}
