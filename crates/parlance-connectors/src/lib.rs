//! Channel-tool connectors and the sync engine that lands their records in
//! the warehouse: resumable, idempotent, rate-limited, and careful with
//! tokens. Blocking code throughout — no async runtime — so the CLI and the
//! app run a sync on a plain thread.
//!
//! # Design
//!
//! - **A source is a set of streams; a stream is fetched page by page.** A
//!   [`Connector`] knows one API and returns a [`Page`]: records (the
//!   source's id, its updated-at, the payload as canonical JSON) plus an
//!   opaque next cursor and whether the stream is exhausted. The engine
//!   ([`sync`]) knows everything else.
//! - **Each page commits together with the stream's new cursor, in one
//!   `Warehouse::write` transaction.** A crash at any moment loses nothing
//!   (the next sync resumes after the last committed page) and a re-fetched
//!   page changes nothing (upsert on the source's own ids; unchanged
//!   payloads are not rewritten; an older version never replaces a newer
//!   one). Every sync is recorded in `sync_runs` as succeeded, failed (with
//!   the message) or cancelled.
//! - **Cursors are on updated-at, never on ids alone** (ids miss updates):
//!   `stream_state` holds the stream's watermark and the pass in progress; a
//!   new pass starts at the watermark minus a small look-back
//!   ([`SyncOptions::look_back`]). See [`cursor`] for the stored form.
//!   `--full` ([`SyncOptions::full`]) starts every stream from scratch.
//! - **Guards**: the same next cursor twice in a pass, or more pages than a
//!   cap, stops the sync with a clear error; cancellation is checked between
//!   pages and inside every wait.
//! - **One HTTP client per source** ([`http::HttpClient`]): configurable base
//!   URL, a rate limiter, retries with exponential back-off and jitter up to
//!   a cap, honouring `Retry-After` in seconds and HTTP-date form
//!   ([`retry_after`]), a response-size limit, timeouts, and errors that name
//!   the source: `source shopify-main: the token was rejected (401) —
//!   reconnect it`.
//! - **Time is passed in**: a [`Clock`] for instants and a [`Sleeper`] for
//!   waits, so tests assert every wait exactly without sleeping.
//! - **Tokens live in the OS keychain** ([`secrets`]); the documented
//!   fallback when it is unavailable is `PARLANCE_TOKEN_<SOURCE>` in the
//!   environment, read at sync time. A [`Token`] cannot be formatted, is
//!   scrubbed from any API message, and never reaches SQLite, logs or errors.
//!
//! # Crate choices
//!
//! - **ureq 3** — a small blocking HTTP client (rustls, gzip) with body-size
//!   limits and per-phase timeouts, and sensitive headers redacted from its
//!   own logs. reqwest's blocking mode would pull in tokio.
//! - **governor** — a well-kept GCRA rate limiter; it runs on our
//!   [`Sleeper`]'s monotonic time through its `Clock` trait.
//! - **backon** — the exponential back-off schedule with jitter and a retry
//!   cap. We drive the loop ourselves, because a server's `Retry-After`
//!   overrides the schedule and the wait must be cancellable.
//! - **httpdate** — the three HTTP-date formats of `Retry-After`; the rest of
//!   the header's parsing is ours ([`retry_after`]).
//! - **keyring 3** with `sync-secret-service` + `crypto-rust` on Linux — the
//!   Secret Service over libdbus, the same D-Bus library the desktop shell
//!   already links, with pure-Rust crypto (no OpenSSL); Keychain Services and
//!   the Windows Credential Manager elsewhere. keyring 4 would bring a second,
//!   async D-Bus stack (zbus) into the build.
//! - **log** — the facade only; the binaries choose a logger.
//!
//! # Connectors
//!
//! One module per tool, each opening with what the tool's documentation
//! asks for (pagination, incremental filters, rate limits, error shapes)
//! and how the module follows it:
//!
//! | kind | streams | pagination | incremental |
//! |---|---|---|---|
//! | [`shopify`] | customers, orders | GraphQL `first`/`after` | `updated_at:>=` search, cost-based throttling |
//! | [`stripe`] | customers, charges, refunds | `starting_after` | the Events API (`created[gt]`) |
//! | [`hubspot`] | contacts, deals | CRM search `paging.next.after` | `lastmodifieddate` `GTE`, re-anchored at the 10,000-result cap |
//! | [`mailchimp`] | members, email_activity | `offset`/`count` | `since_last_changed`, re-anchored per page; activity of recent campaigns |
//! | [`klaviyo`] | profiles, events | JSON:API `links.next` `page[cursor]` | `greater-than(updated|datetime,…)`, `revision` header |
//! | [`zendesk`] | users, tickets | incremental export `after_cursor` | `start_time`, `end_of_stream` |
//!
//! Each has a config struct (`deny_unknown_fields`) stored in
//! `sources.config_json` — never the token — with a configurable base URL.
//! [`open_connector`] builds one from a source's stored kind and config;
//! [`state::remove_source`] forgets a source and everything it landed.

pub mod commit;
pub mod connector;
pub mod cursor;
pub mod engine;
pub mod error;
pub mod http;
pub mod hubspot;
pub mod json;
pub mod klaviyo;
pub mod mailchimp;
pub mod rate_limit;
pub mod retry_after;
pub mod secrets;
pub mod shopify;
pub mod state;
pub mod stripe;
pub mod time;
pub mod zendesk;

pub use connector::{ConnectionInfo, Connector, FetchedRecord, Page, PageRequest};
pub use engine::{StreamReport, SyncOptions, SyncProgress, SyncReport, stored_cursor, sync};
pub use error::{FetchError, FetchProblem, SyncError};
pub use http::HttpSettings;
pub use secrets::{KeychainStore, MemoryStore, SecretError, SecretStore, Token, env_var_name, resolve_token};
pub use time::{Clock, ManualClock, Sleeper, SystemClock, ThreadSleeper, TimeSources, VirtualSleeper};

/// The connector kinds this build knows.
pub const KINDS: &[&str] =
    &[shopify::KIND, stripe::KIND, hubspot::KIND, mailchimp::KIND, klaviyo::KIND, zendesk::KIND];

/// Builds the connector of a registered source from its `kind` and
/// `config_json` (as stored in `sources`), with `token` and the kind's
/// default HTTP settings.
pub fn open_connector(
    kind: &str,
    source_name: &str,
    config_json: &str,
    token: Token,
    time: TimeSources,
) -> Result<Box<dyn Connector + Send>, FetchError> {
    let invalid =
        |e: serde_json::Error| FetchError::new(source_name, FetchProblem::InvalidConfig(e.to_string()));
    match kind {
        shopify::KIND => {
            let config = serde_json::from_str(config_json).map_err(invalid)?;
            let settings = shopify::default_http_settings();
            Ok(Box::new(shopify::ShopifyConnector::new(source_name, config, token, settings, time)?))
        }
        stripe::KIND => {
            let config = serde_json::from_str(config_json).map_err(invalid)?;
            let settings = stripe::default_http_settings();
            Ok(Box::new(stripe::StripeConnector::new(source_name, config, token, settings, time)?))
        }
        hubspot::KIND => {
            let config = serde_json::from_str(config_json).map_err(invalid)?;
            let settings = hubspot::default_http_settings();
            Ok(Box::new(hubspot::HubSpotConnector::new(source_name, config, token, settings, time)?))
        }
        mailchimp::KIND => {
            let config = serde_json::from_str(config_json).map_err(invalid)?;
            let settings = mailchimp::default_http_settings();
            Ok(Box::new(mailchimp::MailchimpConnector::new(source_name, config, token, settings, time)?))
        }
        klaviyo::KIND => {
            let config = serde_json::from_str(config_json).map_err(invalid)?;
            let settings = klaviyo::default_http_settings();
            Ok(Box::new(klaviyo::KlaviyoConnector::new(source_name, config, token, settings, time)?))
        }
        zendesk::KIND => {
            let config = serde_json::from_str(config_json).map_err(invalid)?;
            let settings = zendesk::default_http_settings();
            Ok(Box::new(zendesk::ZendeskConnector::new(source_name, config, token, settings, time)?))
        }
        other => Err(FetchError::new(
            source_name,
            FetchProblem::InvalidConfig(format!(
                "unknown connector kind {other:?} (known: {})",
                KINDS.join(", ")
            )),
        )),
    }
}
