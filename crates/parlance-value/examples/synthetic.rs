//! Times the whole value refresh on a synthetic shop: simulates customers'
//! orders from BG/NBD and Gamma-Gamma, then summarises, fits both models and
//! computes every customer's 12-month CLV.
//! `cargo run --release -p parlance-value --example synthetic [CUSTOMERS [CSV]]`
//! (default 100000 customers, about 16 orders each, in days over two years).
//! With CSV, the orders are also written there (`customer,date,amount`) so
//! another implementation can be timed on the same data.

use std::time::Instant;

use parlance_value::{
    BgNbd, ClvSettings, FitOptions, GammaGamma, PurchaseHistory, SpendHistory, TimeUnit, Transaction,
    customer_values, summarize_transactions,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma};
use time::Duration;
use time::macros::date;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let customers: u32 = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(100_000);
    let start = date!(2023 - 01 - 01);
    let end = date!(2024 - 12 - 31);
    let span = (end - start).whole_days() as f64;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (rates, dropouts) = (Gamma::new(1.2, 1.0 / 25.0)?, Beta::new(0.6, 12.0)?);
    let scales = Gamma::new(3.0, 1.0 / 10.0)?;
    let mut transactions = Vec::new();
    for customer in 0..customers {
        let (rate, dropout, nu): (f64, f64, f64) =
            (rates.sample(&mut rng), dropouts.sample(&mut rng), scales.sample(&mut rng));
        let values = Gamma::new(5.0, 1.0 / nu)?;
        let gaps = Exp::new(rate.max(1e-9))?;
        let mut t = span * 0.5 * rng.random::<f64>();
        loop {
            let date = start + Duration::days(t as i64);
            transactions.push(Transaction { customer, date, amount: values.sample(&mut rng) });
            t += gaps.sample(&mut rng);
            if t > span || rng.random::<f64>() < dropout {
                break;
            }
        }
    }
    println!("{customers} customers, {} orders", transactions.len());
    if let Some(path) = std::env::args().nth(2) {
        let mut csv = String::from("customer,date,amount\n");
        for t in &transactions {
            csv.push_str(&format!("{},{},{:.2}\n", t.customer, t.date, t.amount));
        }
        std::fs::write(path, csv)?;
    }

    let total = Instant::now();
    let started = Instant::now();
    let summary = summarize_transactions(&transactions, end, TimeUnit::Days)?;
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
        customer_values(&purchases.model, &spend.model, &summary, &ClvSettings::for_unit(TimeUnit::Days))?;
    let clv_time = started.elapsed();
    let total = total.elapsed();

    let m = purchases.model;
    println!(
        "BG/NBD r {:.4} alpha {:.4} a {:.4} b {:.4} ({} iterations, {} distinct histories)",
        m.r(),
        m.alpha(),
        m.a(),
        m.b(),
        purchases.iterations,
        purchases.distinct_histories
    );
    let g = spend.model;
    println!(
        "Gamma-Gamma p {:.4} q {:.4} gamma {:.4} ({} iterations)",
        g.p(),
        g.q(),
        g.gamma(),
        spend.iterations
    );
    println!("mean CLV {:.2}", values.iter().map(|v| v.value).sum::<f64>() / values.len() as f64);
    println!(
        "summary {summarised:?}, BG/NBD {bgnbd_time:?}, Gamma-Gamma {gamma_gamma_time:?}, CLV {clv_time:?}, total {total:?}"
    );
    Ok(())
}
