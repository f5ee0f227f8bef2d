//! A deterministic synthetic omnichannel company: the embedded default that
//! makes Parlance useful on first start, and the workload of the benchmarks.
//!
//! The company sells online. Its people reach it through five tools, each a
//! demo source whose records are shaped like that tool's real API:
//!
//! | source         | shaped like          | streams                          |
//! |----------------|----------------------|----------------------------------|
//! | `demo-web`     | Segment spec events  | `pages`, `tracks`, `identifies`  |
//! | `demo-shop`    | Shopify customers/orders | `customers`, `orders`        |
//! | `demo-email`   | Mailchimp members/activity | `members`, `email_activity` |
//! | `demo-support` | Zendesk users/tickets | `users`, `tickets`              |
//! | `demo-survey`  | survey responses (NPS and questions) | `responses`      |
//!
//! Realism where later features need real work:
//!
//! - **Anonymous visitors are the majority** and some of them identify later
//!   (an `identifies` record links their cookie to a customer id and email).
//! - **Identity is imperfect across tools**: email case differs, support agents
//!   make typos, some people changed email (the email tool keeps the old one),
//!   households share one email, some buyers check out twice as guests, staff
//!   place test orders as `test@example.com`, phone formats differ by tool.
//! - **Repeat buying follows a BG/NBD process** (Gamma-distributed purchase
//!   rates, Beta-distributed drop-out after each purchase) with Gamma-Gamma
//!   order values, so the value model has a real signal to recover; some
//!   lapsed customers are **won back** by email; orders are returned and refunded.
//! - Attitudinal data (NPS, stated interests) correlates with behaviour.
//!
//! Every person is generated from their own seeded random stream, so the same
//! `(seed, people, as_of)` always gives byte-identical records, in any batch
//! order. Records go through the same landing path as real sources, never
//! into the unified tables; the true person behind every record goes to the
//! `demo_truth` table, used only to score identity resolution. Because landing
//! skips unchanged records, running the generator twice changes nothing.

mod generate;
mod payloads;
mod person;
mod write;

pub use generate::person_records;
pub use write::{DEMO_SETTING_KEY, DemoError, DemoProgress, DemoReport, generate};

use time::Date;

/// The shape of the demo company.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoConfig {
    /// People behind the records, anonymous visitors included.
    pub people: u32,
    pub seed: u64,
    /// The last day of the two-year history (exclusive end is the next midnight).
    pub as_of: Date,
}

impl DemoConfig {
    pub const DEFAULT_PEOPLE: u32 = 20_000;
    pub const DEFAULT_SEED: u64 = 20_240_501;
    pub const MAX_PEOPLE: u32 = 5_000_000;
    /// Days of history before `as_of`.
    pub const HISTORY_DAYS: i64 = 730;
}

/// The demo's sources: (name, the real tool its payloads follow).
pub const DEMO_SOURCES: &[(&str, &str)] = &[
    ("demo-web", "segment"),
    ("demo-shop", "shopify"),
    ("demo-email", "mailchimp"),
    ("demo-support", "zendesk"),
    ("demo-survey", "survey"),
];

/// One record of one demo source, with the person truly behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoRecord {
    pub source: &'static str,
    pub stream: &'static str,
    pub source_id: String,
    pub updated_at: parlance_warehouse::Timestamp,
    pub payload_json: String,
    pub person: u32,
}
