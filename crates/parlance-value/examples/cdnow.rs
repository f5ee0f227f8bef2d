//! Fits the CDNOW sample and prints the figures and how long each step took:
//! `cargo run --release -p parlance-value --example cdnow [DIR]`
//! (DIR defaults to `$PARLANCE_CDNOW_DIR`, then `../shared/data/cdnow`).

use std::time::Instant;

use parlance_value::{
    BgNbd, ClvSettings, FitOptions, GammaGamma, PurchaseHistory, SpendHistory, TimeUnit, Transaction,
    customer_values, summarize_transactions,
};
use time::macros::date;
use time::{Date, Month};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("PARLANCE_CDNOW_DIR").ok())
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/cdnow").to_owned());
    let text = std::fs::read_to_string(format!("{dir}/CDNOW_sample.txt"))?;
    let mut transactions = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, id, day, _, amount] = fields.as_slice() else {
            return Err(format!("bad line {line:?}").into());
        };
        let number: u32 = day.parse()?;
        let date = Date::from_calendar_date(
            (number / 10_000) as i32,
            Month::try_from((number / 100 % 100) as u8)?,
            (number % 100) as u8,
        )?;
        transactions.push(Transaction { customer: id.parse::<u32>()?, date, amount: amount.parse()? });
    }

    let started = Instant::now();
    let summary = summarize_transactions(&transactions, date!(1997 - 09 - 30), TimeUnit::Weeks)?;
    let summarised = started.elapsed();
    let histories: Vec<PurchaseHistory> = summary.iter().map(|c| c.purchase_history()).collect();
    let spends: Vec<SpendHistory> = summary.iter().map(|c| c.spend_history()).collect();

    let started = Instant::now();
    let purchases = BgNbd::fit(&histories, &FitOptions::default())?;
    let bgnbd_time = started.elapsed();
    let started = Instant::now();
    let spend = GammaGamma::fit(&spends, &FitOptions::default())?;
    let gamma_gamma_time = started.elapsed();
    let started = Instant::now();
    let values =
        customer_values(&purchases.model, &spend.model, &summary, &ClvSettings::for_unit(TimeUnit::Weeks))?;
    let clv_time = started.elapsed();

    let m = purchases.model;
    println!("customers {} ({} distinct histories)", summary.len(), purchases.distinct_histories);
    println!(
        "BG/NBD r = {:.6} alpha = {:.6} a = {:.6} b = {:.6} LL = {:.4} ({} iterations)",
        m.r(),
        m.alpha(),
        m.a(),
        m.b(),
        purchases.log_likelihood,
        purchases.iterations
    );
    let example = PurchaseHistory { frequency: 2, recency: 30.43, age: 38.86 };
    println!("E[Y(39) | 2, 30.43, 38.86] = {:.6}", m.conditional_expected_purchases(39.0, &example)?);
    let g = spend.model;
    println!(
        "Gamma-Gamma p = {:.6} q = {:.6} gamma = {:.6} on {} customers ({} iterations)",
        g.p(),
        g.q(),
        g.gamma(),
        spend.customers,
        spend.iterations
    );
    println!("total 12-month CLV = {:.2}", values.iter().map(|v| v.value).sum::<f64>());
    println!(
        "times: summary {summarised:?}, BG/NBD fit {bgnbd_time:?}, Gamma-Gamma fit {gamma_gamma_time:?}, CLV {clv_time:?}"
    );
    Ok(())
}
