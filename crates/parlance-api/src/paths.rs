use std::path::PathBuf;

use crate::{ApiError, ErrorCode};

/// Environment variable that overrides the default warehouse location.
pub const WAREHOUSE_ENV: &str = "PARLANCE_WAREHOUSE";

/// `$PARLANCE_WAREHOUSE`, else `warehouse.parlance` in the OS data directory
/// (`~/.local/share/parlance` on Linux).
pub fn default_warehouse_path() -> Result<PathBuf, ApiError> {
    if let Some(path) = std::env::var_os(WAREHOUSE_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    directories::ProjectDirs::from("dev", "Parlance", "Parlance")
        .map(|dirs| dirs.data_dir().join("warehouse.parlance"))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!(
                    "no home directory to keep the warehouse in; set {WAREHOUSE_ENV} or pass --warehouse"
                ),
            )
        })
}
