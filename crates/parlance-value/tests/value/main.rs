//! Integration tests of parlance-value, one binary with a module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod calibration;
mod cdnow;
mod cdnow_data;
mod clv;
mod edge_cases;
mod recovery;
