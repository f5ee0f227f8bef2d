//! Integration tests of the connectors crate: the engine with a scripted
//! connector, and each real connector against a stateful fake of its API on
//! 127.0.0.1 — all on real SQLite files in temporary directories.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod engine;
mod faults;
mod hubspot;
mod hubspot_fake;
mod klaviyo;
mod klaviyo_fake;
mod leaks;
mod mailchimp;
mod mailchimp_fake;
mod mock_server;
mod open;
mod secrets;
mod shopify;
mod shopify_fake;
mod stripe;
mod stripe_fake;
mod support;
mod zendesk;
mod zendesk_fake;
