//! The journeys crate's tests: hand-computed cases, a differential test
//! against plain reference implementations, and loads from real warehouses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod differential;
mod funnels;
mod paths;
mod stages;
mod touchpoints;
mod warehouse;

use parlance_journeys::EventLog;

/// A log from `(profile, seconds, label)`.
pub fn log(events: &[(i64, i64, &str)]) -> EventLog {
    EventLog::from_events(events.iter().copied())
}
