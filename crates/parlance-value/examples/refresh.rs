//! Refreshes the values of a warehouse and prints the model report and the
//! time of each stage:
//! `cargo run --release -p parlance-value --example refresh WAREHOUSE AS-OF`
//! (AS-OF is YYYY-MM-DD, e.g. the demo's history end).

use std::time::Instant;

use parlance_value::{RefreshInputs, ValueParameters};
use parlance_warehouse::{Timestamp, Warehouse};
use time::macros::format_description;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(as_of)) = (args.next(), args.next()) else {
        return Err("usage: refresh WAREHOUSE AS-OF".into());
    };
    let as_of = time::Date::parse(&as_of, format_description!("[year]-[month]-[day]"))?;
    let warehouse = Warehouse::open_existing(std::path::Path::new(&path))?;
    let parameters = ValueParameters::starter()?;
    let now = Timestamp::new(time::OffsetDateTime::now_utc());
    let threads = std::thread::available_parallelism().map_or(1, usize::from);

    let started = Instant::now();
    let inputs = RefreshInputs::read(&warehouse, &parameters, as_of, threads)?;
    let read = started.elapsed();
    let orders = inputs.orders.len();
    let started = Instant::now();
    let valued = inputs.value(&parameters, now)?;
    let modelled = started.elapsed();
    let started = Instant::now();
    valued.write(&warehouse, now)?;
    let written = started.elapsed();
    println!("{}", serde_json::to_string_pretty(&valued.report)?);
    println!("{orders} orders; read {read:?}, models and values {modelled:?}, write {written:?}");
    Ok(())
}
