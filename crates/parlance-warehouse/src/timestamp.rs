use std::fmt;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::{WarehouseError, WarehouseResult};

/// A UTC instant stored as RFC 3339 text (`2026-11-22T14:37:02Z`), which
/// sorts correctly as text in SQLite. Callers pass it in; the warehouse never
/// reads the clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    pub fn new(at: OffsetDateTime) -> Self {
        // Whole seconds, UTC: one text form per instant keeps comparisons exact.
        let utc = at.to_offset(UtcOffset::UTC);
        Self(utc.replace_nanosecond(0).unwrap_or(utc))
    }

    pub fn from_unix(seconds: i64) -> WarehouseResult<Self> {
        OffsetDateTime::from_unix_timestamp(seconds).map(Self::new).map_err(|e| WarehouseError::Invalid {
            what: "timestamp".into(),
            detail: format!("{seconds}: {e}"),
        })
    }

    /// Like [`Timestamp::from_unix`] for instants known to be in range (e.g.
    /// derived from a validated date); out-of-range input clamps to the epoch.
    pub fn from_unix_clamped(seconds: i64) -> Self {
        Self::from_unix(seconds).unwrap_or(Self(OffsetDateTime::UNIX_EPOCH))
    }

    pub fn parse(text: &str) -> WarehouseResult<Self> {
        OffsetDateTime::parse(text, &Rfc3339).map(Self::new).map_err(|e| WarehouseError::Invalid {
            what: "timestamp".into(),
            detail: format!("{text:?} is not RFC 3339: {e}"),
        })
    }

    pub fn unix(self) -> i64 {
        self.0.unix_timestamp()
    }

    pub fn datetime(self) -> OffsetDateTime {
        self.0
    }

    pub fn date(self) -> time::Date {
        self.0.date()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        )
    }
}

impl From<Timestamp> for String {
    fn from(t: Timestamp) -> String {
        t.to_string()
    }
}

impl TryFrom<String> for Timestamp {
    type Error = WarehouseError;
    fn try_from(s: String) -> WarehouseResult<Self> {
        Self::parse(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_round_trips_and_sorts_as_text() {
        let a = Timestamp::from_unix(1_700_000_000).unwrap_or_else(|e| panic!("{e}"));
        let b = Timestamp::from_unix(1_700_000_001).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.to_string(), "2023-11-14T22:13:20Z");
        assert_eq!(Timestamp::parse(&a.to_string()).ok(), Some(a));
        assert!(a.to_string() < b.to_string());
    }

    #[test]
    fn offsets_normalise_to_utc() {
        let t = Timestamp::parse("2024-03-01T10:00:00+02:00").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.to_string(), "2024-03-01T08:00:00Z");
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let err = Timestamp::parse("yesterday").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("\"yesterday\" is not RFC 3339"), "{err}");
    }
}
