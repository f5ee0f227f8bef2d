//! The value refresh on 100,000 customers with 2 million orders in a
//! warehouse, beside the Python `lifetimes` package doing the same on the
//! same orders in the same run.
//!
//! The bench warehouse is written directly (profiles, orders, support
//! contacts; one landing record stands behind every row): customers buy
//! by a BG/NBD process with Gamma-Gamma order values over two years, 5% of
//! orders are cancelled and 4% partly refunded. The same orders, cancelled
//! ones left out and net of refunds, go to a CSV for `lifetimes`.
//!
//! Ours: read profiles, orders and contacts from SQL, RFM, both fits (plus
//! the hold-out fit), CLV and cost to serve for everyone, write
//! `profile_value` and `value_history`. Theirs (`lifetimes` 0.11, in a
//! virtual environment the bench makes): `read_csv`,
//! `summary_data_from_transaction_data`, `BetaGeoFitter`, `GammaGammaFitter`,
//! `customer_lifetime_value`, timed inside Python (interpreter start-up and
//! imports not counted).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use parlance_value::{RefreshInputs, ValueComponents, ValueParameters};
use parlance_warehouse::{Timestamp, Warehouse, params};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma};
use time::macros::date;
use time::{Date, Duration as Days};

const END: Date = date!(2026 - 10 - 31);
const HISTORY_DAYS: i64 = 730;
const CATEGORIES: &[&str] = &["books", "music", "electronics", "home", "fashion"];
const CHANNELS: &[&str] = &["email", "phone", "chat", "web"];

pub fn run(data: &Path, customers: u32) -> anyhow::Result<()> {
    println!(
        "\nvalue refresh: {} customers (RFM from SQL, BG/NBD, Gamma-Gamma, CLV for all)",
        thousands(customers)
    );
    let path = data.join("value.parlance");
    let csv = data.join("value-orders.csv");
    let started = Instant::now();
    let orders = build_warehouse(&path, &csv, customers)?;
    println!(
        "  bench warehouse: {} orders written in {:.1} s (not timed below)",
        thousands(orders),
        started.elapsed().as_secs_f64()
    );

    let warehouse = Warehouse::open(&path)?;
    let parameters = ValueParameters::starter()?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let now = Timestamp::new(time::OffsetDateTime::now_utc());
    let t0 = Instant::now();
    let inputs = RefreshInputs::read(&warehouse, &parameters, END, threads)?;
    let read = t0.elapsed();
    let t1 = Instant::now();
    let valued = inputs.value(&parameters, now)?;
    let modelled = t1.elapsed();
    let t2 = Instant::now();
    valued.write(&warehouse, now)?;
    let written = t2.elapsed();
    let ours = t0.elapsed();

    let python = python_with_lifetimes(data)?;
    let theirs = run_lifetimes(&python, data, &csv, &parameters)?;

    let m = &valued.report;
    let mean_clv = {
        let (sum, n) = valued
            .rows
            .iter()
            .filter_map(|r| serde_json::from_str::<ValueComponents>(&r.components_json).ok())
            .filter(|c| c.basis != parlance_value::Basis::NoPurchases)
            .fold((0.0, 0u32), |(s, n), c| (s + c.discounted_purchases * c.spend, n + 1));
        sum / f64::from(n.max(1))
    };
    println!("  parameters (ours | lifetimes; agree = same to 3 significant figures):");
    let pairs = [
        ("BG/NBD r", m.bgnbd.r, theirs.r),
        ("BG/NBD alpha", m.bgnbd.alpha, theirs.alpha),
        ("BG/NBD a", m.bgnbd.a, theirs.a),
        ("BG/NBD b", m.bgnbd.b, theirs.b),
        ("Gamma-Gamma p", m.gamma_gamma.p, theirs.p),
        ("Gamma-Gamma q", m.gamma_gamma.q, theirs.q),
        ("Gamma-Gamma gamma", m.gamma_gamma.gamma, theirs.gamma),
        ("mean 12-month CLV (margin 1)", mean_clv, theirs.mean_clv),
    ];
    let mut all_agree = true;
    for (name, ours, theirs) in pairs {
        let agree = three_significant(ours) == three_significant(theirs);
        all_agree &= agree;
        println!("    {name:<30} {ours:>12.5} | {theirs:>12.5}   {}", if agree { "agree" } else { "DIFFER" });
    }
    println!(
        "  ours:  read {:.3} s, models + values for {} profiles {:.3} s, write {:.3} s",
        read.as_secs_f64(),
        thousands(valued.rows.len() as u64),
        modelled.as_secs_f64(),
        written.as_secs_f64()
    );
    println!(
        "  lifetimes: read_csv {:.2} s, summary {:.2} s, BG/NBD {:.2} s, Gamma-Gamma {:.2} s, CLV {:.2} s",
        theirs.read, theirs.summary, theirs.bgnbd, theirs.gamma_gamma, theirs.clv
    );
    let theirs_total = Duration::from_secs_f64(theirs.total);
    println!("  {:<52} {:>8.3} s", "baseline: lifetimes (CSV -> summary, fits, CLV)", theirs.total);
    println!(
        "  {:<52} {:>8.3} s  ({:.3}x the baseline's time; target <= 0.1)",
        "parlance value refresh (SQL -> values written)",
        ours.as_secs_f64(),
        ours.as_secs_f64() / theirs_total.as_secs_f64().max(1e-9)
    );
    let their_models = theirs.summary + theirs.bgnbd + theirs.gamma_gamma + theirs.clv;
    println!(
        "  {:<52} {:>8.3} s  ({:.3}x lifetimes' summary + fits + CLV, {:.3} s)",
        "of which models + values (RFM, fits, hold-out, CLV)",
        modelled.as_secs_f64(),
        modelled.as_secs_f64() / their_models.max(1e-9),
        their_models
    );
    if !all_agree {
        println!("  note: some parameters differ at 3 significant figures (see above)");
    }
    Ok(())
}

/// `x` rounded to three significant figures, as text.
fn three_significant(x: f64) -> String {
    format!("{x:.2e}")
}

/// Writes the bench warehouse and the CSV of the same orders; returns the
/// number of orders written.
fn build_warehouse(path: &Path, csv: &Path, customers: u32) -> anyhow::Result<u64> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    let warehouse = Warehouse::open(path)?;
    let created = "2026-11-01T00:00:00Z";
    let landing = warehouse.write(|tx| {
        tx.execute("INSERT INTO sources(name, kind, created_at) VALUES ('bench', 'bench', ?1)", [created])
            .map_err(sql("bench source"))?;
        tx.execute(
            "INSERT INTO landing_records(source, stream, source_id, payload_json, content_hash, fetched_at)
             VALUES ('bench', 'rows', 'all', '{}', x'00', ?1)",
            [created],
        )
        .map_err(sql("bench landing record"))?;
        Ok(tx.last_insert_rowid())
    })?;
    let mut out = String::from("customer,date,amount\n");
    let mut rng = ChaCha8Rng::seed_from_u64(2_000_000);
    let (rates, dropouts, scales) =
        (Gamma::new(1.21, 1.0 / 20.0)?, Beta::new(0.7, 14.0)?, Gamma::new(3.0, 0.1)?);
    let start = END - Days::days(HISTORY_DAYS - 1);
    let mut orders = 0u64;
    const BATCH: u32 = 5_000;
    for first in (0..customers).step_by(BATCH as usize) {
        let batch: Vec<Customer> = (first..(first + BATCH).min(customers))
            .map(|i| customer(&mut rng, i, &rates, &dropouts, &scales))
            .collect();
        warehouse.write(|tx| {
            let mut profile = tx
                .prepare_cached(
                    "INSERT INTO profiles(id, kind, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
                )
                .map_err(sql("profiles"))?;
            let mut order = tx
                .prepare_cached(
                    "INSERT INTO orders(profile_id, source, source_order_id, ordered_at, amount, currency, status,
                                        refunded_amount, categories_json, landing_id)
                     VALUES (?1, 'bench', ?2, ?3, ?4, 'GBP', ?5, ?6, ?7, ?8)",
                )
                .map_err(sql("orders"))?;
            let mut contact = tx
                .prepare_cached(
                    "INSERT INTO support_contacts(profile_id, source, source_contact_id, contacted_at, channel, landing_id)
                     VALUES (?1, 'bench', ?2, ?3, ?4, ?5)",
                )
                .map_err(sql("support contacts"))?;
            for c in &batch {
                let id = i64::from(c.index) * 2 + 1;
                profile.execute(params![id, "person", created]).map_err(sql("profiles"))?;
                // An anonymous visitor beside every other customer.
                if c.index % 2 == 0 {
                    profile.execute(params![id + 1, "anonymous", created]).map_err(sql("profiles"))?;
                }
                for (k, o) in c.orders.iter().enumerate() {
                    let day = start + Days::days(o.day);
                    let at = format!("{day}T{:02}:{:02}:00Z", o.minute / 60, o.minute % 60);
                    let categories = format!("[\"{}\"]", CATEGORIES[o.category]);
                    order
                        .execute(params![
                            id,
                            format!("{}-{k}", c.index),
                            at,
                            o.amount,
                            o.status,
                            o.refunded,
                            categories,
                            landing
                        ])
                        .map_err(sql("orders"))?;
                    orders += 1;
                    if o.status != "cancelled" {
                        let _ = writeln!(out, "{},{day},{:.2}", c.index, o.amount - o.refunded);
                    }
                }
                for (k, (day, channel)) in c.contacts.iter().enumerate() {
                    let at = format!("{}T10:00:00Z", start + Days::days(*day));
                    contact
                        .execute(params![id, format!("{}-{k}", c.index), at, CHANNELS[*channel], landing])
                        .map_err(sql("support contacts"))?;
                }
            }
            Ok(())
        })?;
    }
    std::fs::write(csv, out).with_context(|| format!("writing {}", csv.display()))?;
    Ok(orders)
}

fn sql(what: &'static str) -> impl Fn(parlance_warehouse::SqliteError) -> parlance_warehouse::WarehouseError {
    move |source| parlance_warehouse::WarehouseError::Sqlite {
        context: format!("bench: writing {what}"),
        source,
    }
}

struct BenchOrder {
    day: i64,
    minute: u32,
    amount: f64,
    refunded: f64,
    status: &'static str,
    category: usize,
}

struct Customer {
    index: u32,
    orders: Vec<BenchOrder>,
    contacts: Vec<(i64, usize)>,
}

/// One customer's orders (BG/NBD times, Gamma-Gamma amounts) and contacts.
fn customer(
    rng: &mut ChaCha8Rng,
    index: u32,
    rates: &Gamma<f64>,
    dropouts: &Beta<f64>,
    scales: &Gamma<f64>,
) -> Customer {
    let span = HISTORY_DAYS as f64;
    let rate: f64 = rates.sample(rng);
    let dropout: f64 = dropouts.sample(rng);
    let nu: f64 = scales.sample(rng);
    let values = Gamma::new(5.0, 1.0 / nu.max(1e-3)).ok();
    let gaps = Exp::new(rate.max(1e-6)).ok();
    let favourite = rng.random_range(0..CATEGORIES.len());
    let mut t = span * 0.35 * rng.random::<f64>();
    let mut orders = Vec::new();
    loop {
        let amount = values.as_ref().map_or(25.0, |v| v.sample(rng)).clamp(1.0, 5_000.0);
        let amount = (amount * 100.0).round() / 100.0;
        let roll: f64 = rng.random();
        let (status, refunded) = if roll < 0.05 {
            ("cancelled", 0.0)
        } else if roll < 0.09 {
            ("partially_refunded", (amount * 0.4 * 100.0).round() / 100.0)
        } else {
            ("fulfilled", 0.0)
        };
        let category = if rng.random_bool(0.7) { favourite } else { rng.random_range(0..CATEGORIES.len()) };
        orders.push(BenchOrder {
            day: t as i64,
            minute: rng.random_range(0..1_440),
            amount,
            refunded,
            status,
            category,
        });
        t += gaps.as_ref().map_or(span, |g| g.sample(rng));
        if t >= span || rng.random::<f64>() < dropout {
            break;
        }
    }
    let mut contacts = Vec::new();
    for order in &orders {
        if rng.random_bool(0.08) {
            contacts.push((order.day, rng.random_range(0..CHANNELS.len())));
        }
    }
    Customer { index, orders, contacts }
}

/// The bench's own virtual environment with `lifetimes`, made on first use.
fn python_with_lifetimes(data: &Path) -> anyhow::Result<PathBuf> {
    let venv = data.join("venv");
    let python = venv.join("bin/python");
    let ready =
        Command::new(&python).args(["-c", "import lifetimes"]).output().is_ok_and(|o| o.status.success());
    if ready {
        return Ok(python);
    }
    println!("  installing lifetimes into {} (first run only)…", venv.display());
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .context("running python3 -m venv")?;
    if !made.success() {
        bail!("python3 -m venv {} failed (Debian: apt-get install python3-venv)", venv.display());
    }
    let installed = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "lifetimes"])
        .status()
        .context("running pip install lifetimes")?;
    if !installed.success() {
        bail!("pip install lifetimes failed in {}", venv.display());
    }
    Ok(python)
}

const LIFETIMES_SCRIPT: &str = r#"
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

csv, end, months, monthly = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
t0 = time.perf_counter()
orders = pd.read_csv(csv, parse_dates=["date"])
t1 = time.perf_counter()
summary = summary_data_from_transaction_data(orders, "customer", "date", monetary_value_col="amount",
                                             observation_period_end=end, freq="D")
t2 = time.perf_counter()
bgf = BetaGeoFitter(penalizer_coef=0.0).fit(summary["frequency"], summary["recency"], summary["T"])
t3 = time.perf_counter()
repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
ggf = GammaGammaFitter(penalizer_coef=0.0).fit(repeat["frequency"], repeat["monetary_value"])
t4 = time.perf_counter()
clv = ggf.customer_lifetime_value(bgf, summary["frequency"], summary["recency"], summary["T"],
                                  summary["monetary_value"], time=months, discount_rate=monthly, freq="D")
t5 = time.perf_counter()
p = bgf.params_
g = ggf.params_
print(json.dumps({"read": t1 - t0, "summary": t2 - t1, "bgnbd": t3 - t2, "gamma_gamma": t4 - t3, "clv": t5 - t4,
                  "total": t5 - t0, "r": p["r"], "alpha": p["alpha"], "a": p["a"], "b": p["b"],
                  "p": g["p"], "q": g["q"], "gamma": g["v"], "mean_clv": float(clv.mean())}))
"#;

#[derive(Debug, serde::Deserialize)]
struct Lifetimes {
    read: f64,
    summary: f64,
    bgnbd: f64,
    gamma_gamma: f64,
    clv: f64,
    total: f64,
    r: f64,
    alpha: f64,
    a: f64,
    b: f64,
    p: f64,
    q: f64,
    gamma: f64,
    mean_clv: f64,
}

fn run_lifetimes(
    python: &Path,
    data: &Path,
    csv: &Path,
    parameters: &ValueParameters,
) -> anyhow::Result<Lifetimes> {
    let script = data.join("lifetimes_bench.py");
    std::fs::write(&script, LIFETIMES_SCRIPT)?;
    let output = Command::new(python)
        .arg(&script)
        .arg(csv)
        .arg(END.to_string())
        .arg(parameters.horizon_months.to_string())
        .arg(parameters.monthly_discount_rate().to_string())
        .output()
        .context("running the lifetimes baseline")?;
    if !output.status.success() {
        bail!("the lifetimes baseline failed:\n{}", String::from_utf8_lossy(&output.stderr));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let last = text.lines().last().unwrap_or_default();
    serde_json::from_str(last).with_context(|| format!("reading the lifetimes baseline's output {last:?}"))
}

fn thousands(n: impl Into<u64>) -> String {
    crate::report::thousands(n.into())
}
