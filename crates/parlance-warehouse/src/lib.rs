//! The Parlance customer warehouse: one SQLite file the user owns.
//!
//! Design decisions:
//!
//! - **One writer, many readers.** [`Warehouse`] owns the only read-write
//!   connection behind a mutex; every write goes through [`Warehouse::write`],
//!   which runs a closure inside one transaction. Readers come from
//!   [`Warehouse::reader`] as separate read-only connections, so in WAL mode a
//!   long sync never blocks the UI reading the Overview.
//! - **Append-only migrations** with `rusqlite_migration` (schema version in
//!   `PRAGMA user_version`). A file whose version is newer than this binary
//!   knows is refused with [`WarehouseError::SchemaTooNew`] rather than touched.
//! - **A warehouse says what it is**: `PRAGMA application_id` is set to
//!   [`APPLICATION_ID`], so opening some other SQLite database is refused with
//!   [`WarehouseError::NotAWarehouse`] instead of being silently migrated.
//! - **Landing is idempotent**: records upsert on (source, stream, source id)
//!   and a record whose payload hash is unchanged is not written at all, so
//!   re-fetching a page changes nothing.
//! - Time is passed in as [`Timestamp`]s; nothing here reads the clock.

mod counts;
mod error;
mod landing;
mod open;
mod settings;
mod sources;
mod timestamp;

pub use counts::{
    LayerCounts, RunSummary, SourceCounts, StreamCount, TableCount, WarehouseCounts, has_landed_records,
};
pub use error::{WarehouseError, WarehouseResult};
pub use landing::{LandOutcome, LandStats, LandingRecord, land_each, land_records};
pub use open::{APPLICATION_ID, Reader, SCHEMA_VERSION, Warehouse};
pub use settings::{read_setting, write_setting};
pub use sources::{RunStatus, SourceSpec, ensure_source, finish_sync_run, start_sync_run};
pub use timestamp::Timestamp;

/// Re-exported so callers of [`Warehouse::write`] can name the transaction type.
pub use rusqlite::{Connection, Error as SqliteError, OptionalExtension, Transaction, params};
