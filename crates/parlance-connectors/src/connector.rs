//! The [`Connector`] trait every channel tool implements, and the page it
//! returns. A connector knows one API; the engine knows pages, cursors and
//! the warehouse.

use std::sync::atomic::AtomicBool;

use parlance_warehouse::Timestamp;
use serde_json::Value;

use crate::error::FetchError;
use crate::json::canonical_json;

/// One record exactly as the source returned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedRecord {
    /// The source's own id: with the stream, the idempotency key.
    pub source_id: String,
    /// The source's updated-at (or the change's time), when it has one. The
    /// engine never replaces a landed record with an older version.
    pub updated_at: Option<Timestamp>,
    /// The payload as canonical JSON text (sorted keys), so an unchanged
    /// record hashes the same and re-landing it writes nothing.
    pub payload_json: String,
}

impl FetchedRecord {
    pub fn new(source_id: impl Into<String>, updated_at: Option<Timestamp>, payload: &Value) -> Self {
        Self { source_id: source_id.into(), updated_at, payload_json: canonical_json(payload) }
    }
}

/// One page of one stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub records: Vec<FetchedRecord>,
    /// Where the next page starts, opaque to the engine (a GraphQL
    /// `endCursor`, a Stripe `starting_after` id, …). `None` when exhausted.
    pub next_cursor: Option<Value>,
    /// No page follows this one in the current pass.
    pub exhausted: bool,
    /// An instant up to which this page proves the stream complete, for
    /// sources whose records carry no updated-at (e.g. a full Stripe listing
    /// vouches for everything changed before the pass began). The stream's
    /// watermark becomes the latest of these and of the records' updated-ats.
    pub watermark: Option<Timestamp>,
}

impl Page {
    /// A page after which more pages follow, starting at `next_cursor`.
    pub fn more(records: Vec<FetchedRecord>, next_cursor: Value) -> Self {
        Self { records, next_cursor: Some(next_cursor), exhausted: false, watermark: None }
    }

    /// The last page of the pass.
    pub fn last(records: Vec<FetchedRecord>) -> Self {
        Self { records, next_cursor: None, exhausted: true, watermark: None }
    }

    pub fn with_watermark(mut self, watermark: Option<Timestamp>) -> Self {
        self.watermark = watermark;
        self
    }
}

/// What the engine asks of a connector for one page.
#[derive(Clone, Copy, Debug)]
pub struct PageRequest<'a> {
    /// The stream's cursor: the `next_cursor` of the previous page of this
    /// pass, or `None` for the first page.
    pub cursor: Option<&'a Value>,
    /// Fetch only records updated at or after this instant (the stream's
    /// watermark minus the look-back); `None` means everything.
    pub updated_since: Option<Timestamp>,
    /// When the current pass over the stream began (a pass may span several
    /// runs when a sync is interrupted and resumed).
    pub pass_started_at: Timestamp,
    /// Set when the user cancels: long waits (back-off, throttling) end early.
    pub cancel: &'a AtomicBool,
}

/// What a successful connection test learned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// A human description of the account the token opens, e.g. the shop name.
    pub account: String,
}

/// A channel tool's API: a set of streams fetched page by page.
pub trait Connector: std::fmt::Debug {
    /// The connector kind stored in `sources.kind`, e.g. `"shopify"`.
    fn kind(&self) -> &'static str;

    /// The source's configuration as stored in `sources.config_json`: never
    /// a secret.
    fn config_json(&self) -> String;

    /// The streams a sync fetches, in order.
    fn streams(&self) -> &'static [&'static str];

    /// Fetches one page of `stream`.
    fn fetch_page(&mut self, stream: &str, request: &PageRequest<'_>) -> Result<Page, FetchError>;

    /// Checks that the configuration and token work, fetching as little as
    /// possible.
    fn test_connection(&mut self, cancel: &AtomicBool) -> Result<ConnectionInfo, FetchError>;
}
