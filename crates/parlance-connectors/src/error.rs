//! The two error types: [`FetchError`] (talking to a source) and
//! [`SyncError`] (running a sync). Every message names the source; none ever
//! contains a token (connectors scrub API messages before they get here).

use parlance_warehouse::WarehouseError;

/// Something went wrong talking to one source. Displays as
/// `source shopify-main: the token was rejected (401) — reconnect it`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("source {source_name}: {problem}")]
pub struct FetchError {
    pub source_name: String,
    pub problem: FetchProblem,
}

impl FetchError {
    pub fn new(source_name: &str, problem: FetchProblem) -> Self {
        Self { source_name: source_name.to_owned(), problem }
    }

    pub fn is_cancelled(&self) -> bool {
        self.problem == FetchProblem::Cancelled
    }
}

/// What went wrong, without the source's name. `endpoint` is the request's
/// path only (never a query string or credentials).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchProblem {
    #[error("the token was rejected ({status}) — reconnect it")]
    TokenRejected { status: u16 },

    #[error(
        "{endpoint} returned an HTML page instead of JSON (HTTP {status}); check the base URL and any proxy in between"
    )]
    HtmlInsteadOfJson { endpoint: String, status: u16 },

    #[error("{endpoint} returned malformed JSON: {detail}")]
    MalformedJson { endpoint: String, detail: String },

    #[error("{endpoint} returned more than {limit_bytes} bytes, the response-size limit")]
    TooLarge { endpoint: String, limit_bytes: u64 },

    #[error("{endpoint} kept failing; gave up after {attempts} attempts (last: {last})")]
    RetriesExhausted { endpoint: String, attempts: u32, last: String },

    #[error(
        "{endpoint} asked to wait {asked_seconds} s before retrying, longer than the {limit_seconds} s allowed"
    )]
    WaitTooLong { endpoint: String, asked_seconds: u64, limit_seconds: u64 },

    #[error("{endpoint} answered HTTP {status}: {message}")]
    Api { endpoint: String, status: u16, message: String },

    #[error("{endpoint} answered in an unexpected shape: {detail}")]
    UnexpectedResponse { endpoint: String, detail: String },

    #[error("could not reach {endpoint}: {detail}")]
    Unreachable { endpoint: String, detail: String },

    #[error("invalid configuration: {0}")]
    InvalidConfig(String),

    #[error("has no stream {0:?}")]
    UnknownStream(String),

    #[error("cancelled")]
    Cancelled,
}

/// A sync that could not finish. The run is recorded as failed with this
/// message; everything committed before the failure stays, and the next sync
/// resumes from the last committed page.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Fetch(#[from] FetchError),

    #[error(
        "source {source_name}, stream {stream}: pagination loop — the API returned the next cursor {cursor} a second time"
    )]
    PaginationLoop { source_name: String, stream: String, cursor: String },

    #[error(
        "source {source_name}, stream {stream}: more than {limit} pages in one sync — stopped as a pagination-loop guard"
    )]
    PageCapReached { source_name: String, stream: String, limit: u64 },

    #[error(
        "source {source_name}, stream {stream}: the connector announced more pages but gave no next cursor"
    )]
    MissingNextCursor { source_name: String, stream: String },

    #[error(
        "source {source_name}, stream {stream}: the stored cursor is unreadable ({detail}); run a full sync"
    )]
    UnreadableCursor { source_name: String, stream: String, detail: String },

    #[error("source {source_name} is registered as a {registered} source, not {connector}")]
    KindMismatch { source_name: String, registered: String, connector: String },

    #[error("source {source_name}: {source}")]
    Warehouse {
        source_name: String,
        #[source]
        source: WarehouseError,
    },
}
