//! One documented function per user action. The desktop shell and the CLI
//! call only this crate; it is the only layer that knows JSON DTOs.
//!
//! - Every action is a method of [`Parlance`] (an open warehouse) or a free
//!   function when no warehouse is involved yet.
//! - Every failure is an [`ApiError`]: a stable machine `code` plus a message
//!   for people. Callers match on the code, never on the message.
//! - The DTOs in [`dto`] derive `ts_rs::TS`; the UI's TypeScript types are
//!   generated from them (`make bindings`), never written twice. A test fails
//!   when the generated files are stale.
//! - Time comes in as arguments (`today`, `now`); only the edges read the clock.

mod charts;
mod customers;
mod demo;
pub mod dto;
mod error;
mod identity;
mod import;
mod journeys;
mod journeys_dto;
mod overview;
mod paths;
mod quarantine;
mod segments;
mod sources;
mod unify;
mod value;
mod vocabulary;

use std::path::Path;

pub use demo::demo_options_from_env;
pub use dto::*;
pub use error::{ApiError, ErrorCode};
pub use import::preview_import;
pub use journeys::{funnel_svg, paths_svg, stages_svg, svg_to_png};
pub use journeys_dto::*;
/// Instants the edges pass in (they read the clock; the API never does).
pub use parlance_warehouse::Timestamp;
pub use paths::{EXPORT_DIR_ENV, WAREHOUSE_ENV, default_warehouse_path, export_dir, write_export};
pub use sources::{
    KEYCHAIN_ENV, KeychainStore, MemoryStore, NoKeychain, SecretStore, Secrets, TimeSources, Token,
};
pub use vocabulary::{VOCABULARY_ENV, default_vocabulary_dir, format_vocabulary};

use parlance_warehouse::Warehouse;

/// The app's version and the warehouse it uses (`None` when no path could be determined).
pub fn app_info(warehouse_path: Option<&Path>) -> AppInfoDto {
    AppInfoDto {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        warehouse_path: warehouse_path.map(|p| p.display().to_string()),
    }
}

/// An open warehouse and the actions on it.
#[derive(Debug)]
pub struct Parlance {
    warehouse: Warehouse,
    /// The last journey event log, reused while the warehouse is unchanged.
    journey_logs: journeys::LogCache,
}

impl Parlance {
    /// Opens the warehouse at `path`, creating it (and its folder) when missing.
    pub fn open(path: &Path) -> Result<Self, ApiError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                ApiError::new(ErrorCode::Io, format!("cannot create the folder {}: {e}", parent.display()))
            })?;
        }
        Ok(Self { warehouse: Warehouse::open(path)?, journey_logs: journeys::LogCache::default() })
    }

    /// Opens an existing warehouse; a missing file is a `not-found` error.
    pub fn open_existing(path: &Path) -> Result<Self, ApiError> {
        Ok(Self { warehouse: Warehouse::open_existing(path)?, journey_logs: journeys::LogCache::default() })
    }

    pub fn warehouse_path(&self) -> &Path {
        self.warehouse.path()
    }

    /// Problems found by SQLite's integrity and foreign-key checks (empty when healthy).
    pub fn integrity_check(&self) -> Result<Vec<String>, ApiError> {
        Ok(self.warehouse.integrity_check()?)
    }
}
