//! Evaluating a 4-clause segment — a trait, the value tier, a behaviour
//! count within 30 days and a segment reference — on N profiles and 20·N
//! events, beside DuckDB running the equivalent SQL on the same data in
//! the same run.
//!
//! The bench writes its warehouse directly (profiles, traits, values and
//! events; kept in `bench-data/` and reused while its size matches), then:
//!
//! - **Parlance**: the segment is compiled by `parlance-vocabulary` and run by
//!   `parlance-segments` on its sandboxed read-only connection, exactly as
//!   the app evaluates it; the median of 5 runs after a warm-up.
//! - **DuckDB** (the PyPI package, installed into `bench-data/venv-duckdb`):
//!   the same tables are exported once to CSV and loaded into an in-memory
//!   DuckDB database (neither is timed); the equivalent hand-written SQL —
//!   latest trait per key, tier, count of `email.opened` in the window, the
//!   referenced segment — is timed the same way (median of 5 after a warm-up).
//!
//! Both must return the same number of members; the bench fails otherwise.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use parlance_segments::Sandbox;
use parlance_segments::evaluate::evaluate;
use parlance_vocabulary::compile::storage::fixed_catalog;
use parlance_vocabulary::{FieldType, Program};
use parlance_warehouse::{Warehouse, params};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SEGMENTS: &str = r#"
segment promoters
  where survey.nps >= 9

segment target
  where trait.city = "London"
    and value.tier in ["top", "high"]
    and count(email.opened within 30d) >= 1
    and in segment promoters
"#;

const CITIES: &[&str] =
    &["London", "Paris", "Berlin", "Madrid", "Rome", "Lyon", "York", "Leeds", "Bath", "Derby"];
const EVENTS: &[(&str, &str, u32)] = &[
    ("web", "page_view", 50),
    ("web", "product_added", 10),
    ("email", "opened", 20),
    ("email", "clicked", 5),
    ("shop", "order_placed", 5),
    ("ads", "ad_clicked", 8),
    ("support", "call", 2),
];
/// The last day of the data; the segment is evaluated as of it.
const AS_OF: &str = "2025-06-30";

pub fn run(data: &Path, profiles: u32) -> anyhow::Result<()> {
    println!(
        "\nsegment evaluation: {profiles} profiles, {} events, a 4-clause segment",
        profiles as u64 * 20
    );
    let path = data.join(format!("segment-eval-{profiles}.parlance"));
    let warehouse = prepare(&path, profiles)?;
    let today = time::macros::date!(2025 - 06 - 30);
    let catalog = fixed_catalog()
        .field("trait.city", FieldType::String)
        .field("survey.nps", FieldType::Number)
        .event("email.opened", [])
        .event("web.page_view", []);
    let program = Program::new(SEGMENTS, &catalog);
    anyhow::ensure!(!program.analysis().has_errors(), "{:?}", program.analysis().diagnostics);
    let sandbox = Sandbox::open(&warehouse, Duration::from_secs(120))?;
    let mut ours = Vec::new();
    let mut members = 0;
    for i in 0..6 {
        let started = Instant::now();
        let ids = evaluate(&sandbox, &program, "target", today)?;
        if i > 0 {
            ours.push(started.elapsed());
        }
        members = ids.len();
    }
    let ours = median(&mut ours);
    let (theirs, their_members) = duckdb(data, &warehouse, profiles)?;
    if their_members != members {
        bail!("DuckDB found {their_members} members, Parlance {members}: the queries are not equivalent");
    }
    println!(
        "  {:<44} {:>10} members  {:>8.3} s  ({:.2}× DuckDB's {:.3} s)",
        "Parlance (SQLite, sandboxed)",
        members,
        ours.as_secs_f64(),
        ours.as_secs_f64() / theirs.as_secs_f64().max(1e-9),
        theirs.as_secs_f64()
    );
    println!("  target: ≤ 1 s and within 2× of DuckDB");
    Ok(())
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// Bumped whenever the schema or the generated data change, so an old
/// bench warehouse is regenerated (2: the covering `events_by_name_time`).
const DATA_VERSION: u32 = 2;

/// What a complete bench warehouse of this size says it is.
fn marker(profiles: u32) -> String {
    format!("\"{profiles}-v{DATA_VERSION}\"")
}

/// The bench warehouse, generated unless a complete one of this size exists.
pub(crate) fn prepare(path: &Path, profiles: u32) -> anyhow::Result<Warehouse> {
    if path.exists() {
        let warehouse = Warehouse::open(path)?;
        let done: i64 = warehouse
            .reader()?
            .query_row(
                "SELECT count(*) FROM settings WHERE key = 'bench.segment_eval' AND value_json = ?1",
                [marker(profiles)],
                |r| r.get(0),
            )
            .unwrap_or(0);
        if done == 1 {
            println!("  reusing {}", path.display());
            return Ok(warehouse);
        }
        drop(warehouse);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    let started = Instant::now();
    let warehouse = Warehouse::open(path)?;
    let mut rng = ChaCha8Rng::seed_from_u64(20_250_630);
    let end = time::macros::datetime!(2025 - 07 - 01 0:00 UTC).unix_timestamp();
    let span = 730 * 86_400;
    let weights: u32 = EVENTS.iter().map(|e| e.2).sum();
    warehouse.write(|tx| {
        let w = |e| parlance_warehouse::WarehouseError::Sqlite { context: "bench data".into(), source: e };
        tx.execute("INSERT INTO sources(name, kind, created_at) VALUES ('bench', 'bench', '2025-01-01T00:00:00Z')", [])
            .map_err(w)?;
        tx.execute(
            "INSERT INTO landing_records(id, source, stream, source_id, payload_json, content_hash, fetched_at)
             VALUES (1, 'bench', 'rows', '1', '{}', x'00', '2025-01-01T00:00:00Z')",
            [],
        )
        .map_err(w)?;
        Ok(())
    })?;
    let batch = 50_000u32;
    let mut seq: i64 = 0;
    let mut first = 1u32;
    while first <= profiles {
        let last = (first + batch - 1).min(profiles);
        warehouse.write(|tx| {
            let w = |e| parlance_warehouse::WarehouseError::Sqlite { context: "bench data".into(), source: e };
            let mut profile = tx
                .prepare("INSERT INTO profiles(id, kind, created_at, updated_at) VALUES (?1, ?2, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')")
                .map_err(w)?;
            let mut trait_row = tx
                .prepare("INSERT INTO traits(profile_id, key, value_json, source, observed_at) VALUES (?1, ?2, ?3, 'bench', '2025-01-01T00:00:00Z')")
                .map_err(w)?;
            let mut value = tx
                .prepare("INSERT INTO profile_value(profile_id, value, components_json, tier, decile, model_version, computed_at) VALUES (?1, ?2, '{}', ?3, ?4, 'bench', '2025-06-30T00:00:00Z')")
                .map_err(w)?;
            let mut event = tx
                .prepare("INSERT INTO events(profile_id, occurred_at, channel, name, properties_json, landing_id, seq) VALUES (?1, ?2, ?3, ?4, '{}', 1, ?5)")
                .map_err(w)?;
            for id in first..=last {
                let known = rng.random_bool(0.6);
                profile.execute(params![id, if known { "person" } else { "anonymous" }]).map_err(w)?;
                if rng.random_bool(0.5) {
                    let city = CITIES[rng.random_range(0..CITIES.len())];
                    trait_row.execute(params![id, "city", format!("\"{city}\"")]).map_err(w)?;
                }
                if rng.random_bool(0.3) {
                    trait_row.execute(params![id, "survey.nps", rng.random_range(0..=10).to_string()]).map_err(w)?;
                }
                if known {
                    let v: f64 = rng.random_range(0.0..500.0);
                    let tier = match v {
                        x if x >= 450.0 => "top",
                        x if x >= 350.0 => "high",
                        x if x >= 150.0 => "medium",
                        _ => "low",
                    };
                    value.execute(params![id, v, tier, (v / 50.0) as i64 + 1]).map_err(w)?;
                }
                let n = rng.random_range(0..=40);
                for _ in 0..n {
                    let mut pick = rng.random_range(0..weights);
                    let (channel, name, _) = EVENTS
                        .iter()
                        .find(|e| {
                            if pick < e.2 {
                                true
                            } else {
                                pick -= e.2;
                                false
                            }
                        })
                        .copied()
                        .unwrap_or(EVENTS[0]);
                    let at = parlance_warehouse::Timestamp::from_unix_clamped(end - rng.random_range(1..span));
                    seq += 1;
                    event.execute(params![id, at.to_string(), channel, name, seq]).map_err(w)?;
                }
            }
            Ok(())
        })?;
        first = last + 1;
    }
    warehouse.write(|tx| {
        tx.execute(
            "INSERT INTO settings(key, value_json) VALUES ('bench.segment_eval', ?1)",
            [marker(profiles)],
        )
        .map_err(|e| parlance_warehouse::WarehouseError::Sqlite {
            context: "bench data".into(),
            source: e,
        })?;
        Ok(())
    })?;
    let events: i64 = warehouse.reader()?.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
    println!(
        "  generated {events} events into {} in {:.0} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(warehouse)
}

/// DuckDB in a virtual environment under `data`, installed on first use.
fn python_with_duckdb(data: &Path) -> anyhow::Result<PathBuf> {
    let venv = data.join("venv-duckdb");
    let python = venv.join("bin/python");
    let ready =
        Command::new(&python).args(["-c", "import duckdb"]).output().is_ok_and(|o| o.status.success());
    if ready {
        return Ok(python);
    }
    println!("  installing duckdb into {} (first run only)…", venv.display());
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .context("running python3 -m venv")?;
    anyhow::ensure!(made.success(), "python3 -m venv failed");
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "duckdb"])
        .status()
        .context("pip install duckdb")?;
    anyhow::ensure!(pip.success(), "pip install duckdb failed");
    Ok(python)
}

/// Exports the tables the query reads to CSV (once per size).
fn export(warehouse: &Warehouse, dir: &Path) -> anyhow::Result<()> {
    let marker = dir.join("done");
    if marker.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    let reader = warehouse.reader()?;
    for (file, sql) in [
        ("profiles.csv", "SELECT id, kind, coalesce(merged_into, '') FROM profiles"),
        ("traits.csv", "SELECT profile_id, key, value_json, source, observed_at FROM traits"),
        ("profile_value.csv", "SELECT profile_id, value, coalesce(tier, '') FROM profile_value"),
        ("events.csv", "SELECT profile_id, occurred_at, channel, name FROM events"),
    ] {
        let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join(file))?);
        let mut stmt = reader.prepare(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            for i in 0..n {
                if i > 0 {
                    out.write_all(b"\t")?;
                }
                let v: rusqlite::types::Value = r.get(i)?;
                match v {
                    rusqlite::types::Value::Integer(x) => write!(out, "{x}")?,
                    rusqlite::types::Value::Real(x) => write!(out, "{x}")?,
                    rusqlite::types::Value::Text(t) => {
                        out.write_all(t.replace(['\t', '\n'], " ").as_bytes())?
                    }
                    _ => {}
                }
            }
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    std::fs::write(marker, "")?;
    Ok(())
}

const DUCKDB_SCRIPT: &str = r#"
import sys, time, duckdb
d = sys.argv[1]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
opts = "delim='\t', header=false, quote='', escape=''"
con.execute(f"CREATE TABLE profiles AS SELECT column0::BIGINT AS id, column1 AS kind, TRY_CAST(column2 AS BIGINT) AS merged_into FROM read_csv('{d}/profiles.csv', {opts}, all_varchar=true)")
con.execute(f"CREATE TABLE traits AS SELECT column0::BIGINT AS profile_id, column1 AS key, column2 AS value_json, column3 AS source, column4 AS observed_at FROM read_csv('{d}/traits.csv', {opts}, all_varchar=true)")
con.execute(f"CREATE TABLE profile_value AS SELECT column0::BIGINT AS profile_id, column1::DOUBLE AS value, NULLIF(column2, '') AS tier FROM read_csv('{d}/profile_value.csv', {opts}, all_varchar=true)")
con.execute(f"CREATE TABLE events AS SELECT column0::BIGINT AS profile_id, column1 AS occurred_at, column2 AS channel, column3 AS name FROM read_csv('{d}/events.csv', {opts}, all_varchar=true)")
query = """
WITH latest AS (
  SELECT profile_id, key, arg_max(value_json, observed_at || source) AS v
  FROM traits WHERE key IN ('city', 'survey.nps') GROUP BY profile_id, key
),
opened AS (
  SELECT profile_id FROM events
  WHERE name = 'opened' AND channel = 'email' AND occurred_at < '2025-07-01' AND occurred_at >= '2025-05-31'
  GROUP BY profile_id HAVING count(*) >= 1
)
SELECT p.id FROM profiles p
JOIN latest c ON c.profile_id = p.id AND c.key = 'city' AND c.v = '"London"'
JOIN profile_value pv ON pv.profile_id = p.id AND pv.tier IN ('top', 'high')
JOIN opened o ON o.profile_id = p.id
JOIN latest n ON n.profile_id = p.id AND n.key = 'survey.nps' AND TRY_CAST(n.v AS DOUBLE) >= 9
WHERE p.merged_into IS NULL
"""
times = []
rows = 0
for i in range(6):
    t = time.perf_counter()
    rows = len(con.execute(query).fetchall())
    if i > 0:
        times.append(time.perf_counter() - t)
times.sort()
print(times[len(times) // 2], rows)
"#;

fn duckdb(data: &Path, warehouse: &Warehouse, profiles: u32) -> anyhow::Result<(Duration, usize)> {
    let python = python_with_duckdb(data)?;
    let dir = data.join(format!("segment-eval-{profiles}-csv"));
    export(warehouse, &dir)?;
    let out =
        Command::new(&python).args(["-c", DUCKDB_SCRIPT]).arg(&dir).output().context("running DuckDB")?;
    anyhow::ensure!(out.status.success(), "DuckDB failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut parts = last.split_whitespace();
    let seconds: f64 = parts.next().context("DuckDB printed nothing")?.parse()?;
    let rows: usize = parts.next().context("DuckDB printed no row count")?.parse()?;
    let _ = AS_OF;
    Ok((Duration::from_secs_f64(seconds), rows))
}
