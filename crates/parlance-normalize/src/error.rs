//! One error shape for every normaliser: which record, which field, and what
//! is wrong with it, in words a person can act on.

use serde::Serialize;

/// Why one landed record could not be normalised. The pipeline quarantines
/// the record with this reason (its `Display`) and its [`Problem::code`].
///
/// Displays as `<source>/<stream>: <problem>`, for example
/// `demo-shop/orders: totalPriceSet.shopMoney.amount is missing`.
#[derive(Clone, Debug, PartialEq, Serialize, thiserror::Error)]
#[error("{source_name}/{stream}: {problem}")]
pub struct NormalizeError {
    /// The source's name (`demo-shop`), as passed to [`crate::normalize`].
    pub source_name: String,
    pub stream: String,
    pub problem: Problem,
}

impl NormalizeError {
    /// A stable, machine-readable kind (`missing-field`, `bad-timestamp`, …);
    /// callers match on this, never on the message text.
    pub fn code(&self) -> &'static str {
        self.problem.code()
    }
}

/// What is wrong with a record. Fields are named by their path in the
/// payload (`refunds[0].totalRefundedSet.shopMoney.amount`).
#[derive(Clone, Debug, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum Problem {
    #[error("unknown payload shape {shape:?} (known: {known})")]
    UnknownShape { shape: String, known: &'static str },
    #[error("payload shape {shape:?} has no stream {stream:?} (known: {known})")]
    UnknownStream { shape: String, stream: String, known: &'static str },
    #[error("payload is not JSON: {detail}")]
    NotJson { detail: String },
    #[error("{field} is missing")]
    MissingField { field: String },
    #[error("{field} is {found}, expected {expected}")]
    WrongType { field: String, expected: &'static str, found: &'static str },
    #[error("{field} {value:?} is not RFC 3339")]
    BadTimestamp { field: String, value: String },
    #[error("{field} {value} is not a time in unix seconds")]
    BadUnixTime { field: String, value: String },
    #[error("{field} {value} is not a time in unix microseconds")]
    BadUnixMicros { field: String, value: String },
    #[error("{field} {value:?} is not a date or time (RFC 3339, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)")]
    BadDateTime { field: String, value: String },
    #[error("{field} {value:?} is not a decimal amount")]
    BadAmount { field: String, value: String },
    #[error("{field} {value} is negative")]
    NegativeAmount { field: String, value: String },
    #[error("{field} {value} is outside {range}")]
    OutOfRange { field: String, value: String, range: &'static str },
    #[error("{field} {value:?} is not one of {expected}")]
    UnknownValue { field: String, value: String, expected: &'static str },
    #[error("{field} {value:?} has no letters or digits to name an event")]
    UnnamedEvent { field: String, value: String },
    #[error("the record names no one: {detail}")]
    NoIdentifier { detail: &'static str },
}

impl Problem {
    /// A stable, machine-readable kind of problem.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::UnknownShape { .. } => "unknown-shape",
            Problem::UnknownStream { .. } => "unknown-stream",
            Problem::NotJson { .. } => "not-json",
            Problem::MissingField { .. } => "missing-field",
            Problem::WrongType { .. } => "wrong-type",
            Problem::BadTimestamp { .. } => "bad-timestamp",
            Problem::BadUnixTime { .. } | Problem::BadUnixMicros { .. } => "bad-unix-time",
            Problem::BadDateTime { .. } => "bad-timestamp",
            Problem::BadAmount { .. } => "bad-amount",
            Problem::NegativeAmount { .. } => "negative-amount",
            Problem::OutOfRange { .. } => "out-of-range",
            Problem::UnknownValue { .. } => "unknown-value",
            Problem::UnnamedEvent { .. } => "unnamed-event",
            Problem::NoIdentifier { .. } => "no-identifier",
        }
    }
}
