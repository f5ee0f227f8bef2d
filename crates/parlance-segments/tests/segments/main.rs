//! The segments crate's one integration-test binary, on real warehouse
//! files in temporary folders; one module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod differential;
mod guards;
mod injection;
mod membership;
mod reference;
mod store;
mod world;
