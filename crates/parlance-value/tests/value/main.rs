//! Integration tests of parlance-value, one binary with a module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod calibration;
mod cdnow;
mod cdnow_data;
mod clv;
mod demo_process;
mod demo_warehouse;
mod edge_cases;
mod parameters;
mod recovery;
mod refresh;
