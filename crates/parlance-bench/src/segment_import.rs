//! Import of a Segment-spec JSONL file end to end (read + parse + land +
//! unify into profiles), events per second, beside the sqlite3 CLI's own
//! `.import` of the same rows as CSV into a bare table, in the same run.
//!
//! The file is generated deterministically into the data folder (and reused
//! while it exists): N messages from N/5 people (`--segment-events`). About
//! 35% of people are known: they browse anonymously, then `identify` with a
//! user id and an e-mail (stitching their earlier visits), and later
//! messages carry both ids. The rest stay anonymous visitors. Messages are
//! pages (60%), `Product Viewed`/`Product Added` tracks and, for known
//! people, some `Order Completed` with revenue, with analytics.js-like
//! context; people's messages are interleaved a thousand people at a time,
//! in time order.
//!
//! The CSV holds the same rows with the message's fields as columns and its
//! objects (properties, traits, context) as JSON text.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use parlance_identity::Rules;
use parlance_import::{Format, ImportOptions, land_file};
use parlance_warehouse::{Timestamp, Warehouse};

use crate::report::{line, thousands};

/// Bumped when the generated file changes, so an old file is not reused.
const GENERATOR_VERSION: u32 = 1;

pub fn run(data: &Path, events: u64) -> anyhow::Result<()> {
    let people = (events / 5).max(1);
    println!("\nSegment-spec JSONL import: {} messages from {} people", thousands(events), thousands(people));
    let (jsonl, csv) = generate(data, events, people)?;
    let size = std::fs::metadata(&jsonl).map(|m| m.len()).unwrap_or(0);
    println!("  file: {} ({:.2} GiB)", jsonl.display(), size as f64 / f64::from(1u32 << 30));

    let bare = sqlite3_import(data, &csv)?;
    let (landed, unified, report) = import(data, &jsonl)?;
    ensure!(report.0 == events, "landed {} of {events} messages", report.0);
    println!(
        "  {} landed, {} unified, {} quarantined",
        thousands(report.0),
        thousands(report.1),
        thousands(report.2)
    );
    line("baseline: sqlite3 .import of the CSV (bare)", events, "events", bare, None);
    line("parlance import: read + parse + land", events, "events", landed, Some(bare));
    line("parlance import: unify (normalise, resolve, rows)", events, "events", unified, Some(bare));
    line("parlance import end to end", events, "events", landed + unified, Some(bare));
    Ok(())
}

/// Imports the file into a new warehouse: landing, then unifying, timed apart.
fn import(data: &Path, jsonl: &Path) -> anyhow::Result<(Duration, Duration, (u64, u64, u64))> {
    let path = data.join("segment-import.parlance");
    remove_warehouse(&path);
    let warehouse = Warehouse::open(&path)?;
    let now = Timestamp::new(time::OffsetDateTime::now_utc());
    let cancel = AtomicBool::new(false);
    let options = ImportOptions::new(jsonl, Format::Segment);
    let started = Instant::now();
    warehouse.write(|tx| {
        tx.set_prepared_statement_cache_capacity(parlance_import::STATEMENT_CACHE);
        Ok(())
    })?;
    let land = land_file(&warehouse, &options, now, &mut |_| {}, &cancel)?;
    let landed = started.elapsed();
    let started = Instant::now();
    let unify = parlance_unify::unify_pending(&warehouse, &Rules::default(), now, &mut |_| {}, &cancel)?;
    let unified = started.elapsed();
    Ok((landed, unified, (land.stats.inserted, unify.unified, unify.quarantined)))
}

/// `sqlite3 bare.db ".mode csv" ".import FILE bare"` on a new database.
fn sqlite3_import(data: &Path, csv: &Path) -> anyhow::Result<Duration> {
    let db = data.join("segment-bare.sqlite");
    remove_warehouse(&db);
    let started = Instant::now();
    let output = Command::new("sqlite3")
        .arg(&db)
        .arg(".mode csv")
        .arg(format!(".import '{}' bare", csv.display()))
        .output()
        .context("running sqlite3 (install it: apt-get install sqlite3, or scripts/setup.sh)")?;
    let took = started.elapsed();
    ensure!(output.status.success(), "sqlite3 .import failed: {}", String::from_utf8_lossy(&output.stderr));
    Ok(took)
}

fn remove_warehouse(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

/// Writes (or reuses) the JSONL file and the CSV of the same rows.
fn generate(data: &Path, events: u64, people: u64) -> anyhow::Result<(PathBuf, PathBuf)> {
    let stem = format!("segment-v{GENERATOR_VERSION}-{events}");
    let jsonl = data.join(format!("{stem}.jsonl"));
    let csv = data.join(format!("{stem}.csv"));
    if jsonl.exists() && csv.exists() {
        return Ok((jsonl, csv));
    }
    let started = Instant::now();
    let mut json_out = BufWriter::with_capacity(1 << 20, File::create(&jsonl)?);
    let mut csv_out = BufWriter::with_capacity(1 << 20, File::create(&csv)?);
    writeln!(csv_out, "message_id,type,anonymous_id,user_id,timestamp,name,properties,traits,context")?;
    let mut written = 0u64;
    let mut json = String::new();
    let mut row = String::new();
    const CHUNK: u64 = 1_000;
    let mut first = 0;
    while first < people {
        let last = (first + CHUNK).min(people);
        let mut plans: Vec<Person> = (first..last).map(Person::new).collect();
        let longest = plans.iter().map(|p| p.messages).max().unwrap_or(0);
        for step in 0..longest {
            for person in &mut plans {
                if step >= person.messages || written >= events {
                    continue;
                }
                let at = BASE
                    + (first / CHUNK) as i64 * 600
                    + i64::from(step) * 20
                    + (person.index % CHUNK) as i64 % 20;
                let message = person.message(step, at);
                message.write_json(&mut json);
                message.write_csv(&mut row);
                json_out.write_all(json.as_bytes())?;
                csv_out.write_all(row.as_bytes())?;
                written += 1;
            }
        }
        first = last;
    }
    json_out.flush()?;
    csv_out.flush()?;
    ensure!(written == events, "generated {written} of {events} messages");
    println!("  generated in {:.1} s", started.elapsed().as_secs_f64());
    Ok((jsonl, csv))
}

/// 2026-01-05T00:00:00Z.
const BASE: i64 = 1_767_571_200;

/// SplitMix64: a fast, well-mixed deterministic stream.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

const CITIES: [&str; 8] = ["Leeds", "York", "Bristol", "Glasgow", "Cardiff", "Belfast", "Norwich", "Bath"];
const FIRST: [&str; 8] = ["Anna", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo"];
const LAST: [&str; 8] = ["Adams", "Brown", "Clark", "Davies", "Evans", "Fisher", "Green", "Hill"];
const PAGES: [(&str, &str); 5] = [
    ("Home", "/"),
    ("Product", "/product/"),
    ("Category", "/category/"),
    ("Cart", "/cart"),
    ("Search", "/search?q=cook"),
];

struct Person {
    index: u64,
    seed: u64,
    /// Messages this person sends: 5 ± up to 3, paired so the mean is exactly 5.
    messages: u32,
    known: bool,
    /// The message at which a known person identifies.
    identifies_at: u32,
}

impl Person {
    fn new(index: u64) -> Person {
        let seed = mix(index ^ 0x5EED);
        let pair = mix(index / 2);
        let delta = (pair % 7) as i64 - 3;
        let messages = if index.is_multiple_of(2) { 5 + delta } else { 5 - delta } as u32;
        let known = seed % 100 < 35;
        let identifies_at = (mix(seed) % u64::from(messages.min(3))) as u32;
        Person { index, seed, messages, known, identifies_at }
    }

    fn message(&self, step: u32, at: i64) -> Message<'_> {
        let r = mix(self.seed ^ u64::from(step).wrapping_mul(0x1000_0000_01B3));
        let identified = self.known && step >= self.identifies_at;
        let kind = if self.known && step == self.identifies_at {
            Kind::Identify
        } else if r % 100 < 60 {
            Kind::Page((r >> 8) as usize % PAGES.len())
        } else if identified && r % 100 >= 95 {
            Kind::Order
        } else if r % 100 >= 80 {
            Kind::Track("Product Added")
        } else {
            Kind::Track("Product Viewed")
        };
        Message { person: self, step, at, kind, user: identified, r }
    }
}

enum Kind {
    Page(usize),
    Track(&'static str),
    Order,
    Identify,
}

struct Message<'a> {
    person: &'a Person,
    step: u32,
    at: i64,
    kind: Kind,
    user: bool,
    r: u64,
}

impl Message<'_> {
    fn message_id(&self) -> String {
        format!("{:016x}-{:08x}", mix(self.person.seed ^ 0xABCD), self.step)
    }

    fn anonymous_id(&self) -> String {
        let a = mix(self.person.seed ^ 0xA11);
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            a >> 32,
            a & 0xffff,
            (a >> 16) & 0xfff,
            (a >> 40) & 0xfff,
            mix(a) >> 16
        )
    }

    fn user_id(&self) -> Option<String> {
        self.user.then(|| format!("u{:09}", self.person.index))
    }

    fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::Page(_) => "page",
            Kind::Track(_) | Kind::Order => "track",
            Kind::Identify => "identify",
        }
    }

    fn name(&self) -> String {
        match self.kind {
            Kind::Page(page) => PAGES[page].0.to_owned(),
            Kind::Track(event) => event.to_owned(),
            Kind::Order => "Order Completed".to_owned(),
            Kind::Identify => String::new(),
        }
    }

    fn properties(&self) -> String {
        let product = self.r % 500;
        match self.kind {
            Kind::Page(page) => {
                let (title, path) = PAGES[page];
                let path = if path.ends_with('/') && page > 0 {
                    format!("{path}{product}")
                } else {
                    path.to_owned()
                };
                format!(
                    r#"{{"path":"{path}","referrer":"https://www.google.com/","title":"{title} | Parlance Shop","url":"https://shop.parlance.test{path}"}}"#
                )
            }
            Kind::Track(_) => format!(
                r#"{{"category":"kitchen","currency":"GBP","name":"Cast Iron Pan {product}","price":{}.99,"product_id":"p-{product}","quantity":1}}"#,
                10 + product % 90
            ),
            Kind::Order => format!(
                r#"{{"currency":"GBP","order_id":"o-{}-{}","products":[{{"price":{}.50,"product_id":"p-{product}","quantity":2}}],"revenue":{}.00}}"#,
                self.person.index,
                self.step,
                10 + product % 40,
                21 + product % 80
            ),
            Kind::Identify => "{}".to_owned(),
        }
    }

    fn traits(&self) -> String {
        if !matches!(self.kind, Kind::Identify) {
            return "{}".to_owned();
        }
        let s = self.person.seed;
        let first = FIRST[(s % 8) as usize];
        let last = LAST[((s >> 8) % 8) as usize];
        format!(
            r#"{{"address":{{"city":"{}","country":"GB"}},"email":"{}.{}{}@mailbox.demo","firstName":"{first}","lastName":"{last}","plan":"{}"}}"#,
            CITIES[((s >> 16) % 8) as usize],
            first.to_lowercase(),
            last.to_lowercase(),
            self.person.index,
            if s.is_multiple_of(3) { "plus" } else { "free" }
        )
    }

    fn context(&self) -> String {
        let campaign = if self.r.is_multiple_of(10) {
            r#","campaign":{"medium":"cpc","name":"spring","source":"google"}"#
        } else {
            ""
        };
        format!(
            r#"{{"ip":"203.0.113.{}","library":{{"name":"analytics.js","version":"next-1.64.0"}},"locale":"en-GB","userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"{campaign}}}"#,
            self.person.index % 250
        )
    }

    fn timestamp(&self) -> String {
        Timestamp::from_unix_clamped(self.at).to_string()
    }

    fn write_json(&self, out: &mut String) {
        out.clear();
        let user = self.user_id().map_or("null".to_owned(), |u| format!("\"{u}\""));
        let (name_key, body_key) = match self.kind {
            Kind::Page(_) => ("name", "properties"),
            Kind::Track(_) | Kind::Order => ("event", "properties"),
            Kind::Identify => ("", "traits"),
        };
        let body = if body_key == "traits" { self.traits() } else { self.properties() };
        let _ = write!(
            out,
            r#"{{"anonymousId":"{}","context":{},"messageId":"{}","#,
            self.anonymous_id(),
            self.context(),
            self.message_id()
        );
        if !name_key.is_empty() {
            let _ = write!(out, r#""{name_key}":"{}","#, self.name());
        }
        let ts = self.timestamp();
        let _ = writeln!(
            out,
            r#""{body_key}":{body},"receivedAt":"{ts}","sentAt":"{ts}","timestamp":"{ts}","type":"{}","userId":{user}}}"#,
            self.kind_name()
        );
    }

    fn write_csv(&self, out: &mut String) {
        out.clear();
        let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            self.message_id(),
            self.kind_name(),
            self.anonymous_id(),
            self.user_id().unwrap_or_default(),
            self.timestamp(),
            quote(&self.name()),
            quote(&self.properties()),
            quote(&self.traits()),
            quote(&self.context()),
        );
    }
}
