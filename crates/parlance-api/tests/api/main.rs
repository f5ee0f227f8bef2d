//! The API as the app and CLI use it, on real warehouse files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bindings;
mod charts;
mod customers;
mod errors;
mod import;
mod journeys;
mod overview;
mod segments;
mod sources;
mod value;
mod vocabulary;
