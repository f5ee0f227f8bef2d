//! Loading the CDNOW files from `shared/data/cdnow` (or `$PARLANCE_CDNOW_DIR`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::OnceLock;

use parlance_value::{CustomerSummary, TimeUnit, Transaction, summarize_transactions};
use time::macros::date;
use time::{Date, Month};

/// End of the CDNOW calibration period used by the papers.
pub const OBSERVATION_END: Date = date!(1997 - 09 - 30);

/// The CDNOW data directory. Fails (never skips) when it is missing.
pub fn data_dir() -> PathBuf {
    let dir = match std::env::var_os("PARLANCE_CDNOW_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/cdnow"),
    };
    assert!(
        dir.join("CDNOW_sample.txt").is_file(),
        "CDNOW data not found: looked for CDNOW_sample.txt in {} (set PARLANCE_CDNOW_DIR to the folder \
         holding CDNOW_sample.txt and cdnow_customers_summary*.csv)",
        dir.display()
    );
    dir
}

fn read(name: &str) -> String {
    let path = data_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn parse_date(yyyymmdd: &str) -> Date {
    let number: u32 = yyyymmdd.parse().unwrap();
    let month = Month::try_from((number / 100 % 100) as u8).unwrap();
    Date::from_calendar_date((number / 10_000) as i32, month, (number % 100) as u8).unwrap()
}

/// `CDNOW_sample.txt`: master customer id, sample id (1..=2357, the `ID` of the
/// summary files), date YYYYMMDD, number of CDs, dollar value. Keyed by sample id.
pub fn sample_transactions() -> &'static [Transaction<u32>] {
    static TRANSACTIONS: OnceLock<Vec<Transaction<u32>>> = OnceLock::new();
    TRANSACTIONS.get_or_init(|| {
        read("CDNOW_sample.txt")
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                assert_eq!(fields.len(), 5, "unexpected CDNOW_sample.txt line: {line:?}");
                Transaction {
                    customer: fields[1].parse().unwrap(),
                    date: parse_date(fields[2]),
                    amount: fields[4].parse().unwrap(),
                }
            })
            .collect()
    })
}

/// The sample summarised in weeks at 1997-09-30.
pub fn sample_summary() -> &'static [CustomerSummary<u32>] {
    static SUMMARY: OnceLock<Vec<CustomerSummary<u32>>> = OnceLock::new();
    SUMMARY.get_or_init(|| {
        summarize_transactions(sample_transactions(), OBSERVATION_END, TimeUnit::Weeks).unwrap()
    })
}

/// One row of `cdnow_customers_summary.csv` (`ID,frequency,recency,T`).
#[derive(Debug, Clone, Copy)]
pub struct PublishedSummary {
    pub id: u32,
    pub frequency: u32,
    pub recency: f64,
    pub age: f64,
}

pub fn published_summary() -> Vec<PublishedSummary> {
    let text = read("cdnow_customers_summary.csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("ID,frequency,recency,T"));
    lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            PublishedSummary {
                id: f[0].parse().unwrap(),
                frequency: f[1].parse().unwrap(),
                recency: f[2].parse().unwrap(),
                age: f[3].parse().unwrap(),
            }
        })
        .collect()
}

/// `cdnow_customers_summary_with_transactions.csv` (`ID,x,t_x,T,zbar`):
/// (id, x, zbar) where zbar is the mean of the repeat purchases, rounded to cents.
pub fn published_zbar() -> Vec<(u32, u32, f64)> {
    let text = read("cdnow_customers_summary_with_transactions.csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("ID,x,t_x,T,zbar"));
    lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (f[0].parse().unwrap(), f[1].parse().unwrap(), f[4].parse().unwrap())
        })
        .collect()
}
