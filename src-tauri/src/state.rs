//! What the commands share: the warehouse (or why it could not be opened)
//! and the flags that cancel demo generation and syncs.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use parlance_api::{ApiError, Parlance};

#[derive(Debug)]
pub struct AppState {
    /// Where the warehouse is (or would be); an error when no path could be found.
    pub warehouse_path: Result<PathBuf, ApiError>,
    /// The open warehouse, or the error opening it gave.
    warehouse: Result<Arc<Parlance>, ApiError>,
    /// Set by `cancel_demo`; read by demo generation between batches.
    pub demo_cancel: Arc<AtomicBool>,
    /// Set by `cancel_sync`; read by syncs and connection tests between pages.
    pub sync_cancel: Arc<AtomicBool>,
}

impl AppState {
    pub fn open(warehouse_path: Result<PathBuf, ApiError>) -> Self {
        let warehouse = match &warehouse_path {
            Ok(path) => Parlance::open(path).map(Arc::new),
            Err(error) => Err(error.clone()),
        };
        Self {
            warehouse_path,
            warehouse,
            demo_cancel: Arc::new(AtomicBool::new(false)),
            sync_cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The open warehouse, or the error that kept it from opening.
    pub fn warehouse(&self) -> Result<Arc<Parlance>, ApiError> {
        self.warehouse.clone()
    }
}
