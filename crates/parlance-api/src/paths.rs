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

/// Environment variable that overrides where the app writes exports.
pub const EXPORT_DIR_ENV: &str = "PARLANCE_EXPORT_DIR";

/// `$PARLANCE_EXPORT_DIR`, else the user's Downloads folder, else the home folder.
pub fn export_dir() -> Result<PathBuf, ApiError> {
    if let Some(path) = std::env::var_os(EXPORT_DIR_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let dirs = directories::UserDirs::new()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no home directory to export into"))?;
    Ok(dirs.download_dir().unwrap_or(dirs.home_dir()).to_path_buf())
}

/// Writes `contents` to `dir/STEM.EXTENSION`, or `STEM-2.EXTENSION`, … when
/// that exists: an export never overwrites a file. Returns the path written.
pub fn write_export(
    dir: &std::path::Path,
    stem: &str,
    extension: &str,
    contents: &[u8],
) -> Result<PathBuf, ApiError> {
    use std::io::Write;
    let safe: String =
        stem.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    let safe = if safe.is_empty() { "export".to_owned() } else { safe };
    std::fs::create_dir_all(dir).map_err(|e| {
        ApiError::new(ErrorCode::Io, format!("cannot create the folder {}: {e}", dir.display()))
    })?;
    for n in 1..10_000 {
        let name = if n == 1 { format!("{safe}.{extension}") } else { format!("{safe}-{n}.{extension}") };
        let path = dir.join(name);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.write_all(contents)
                    .map_err(|e| ApiError::new(ErrorCode::Io, format!("writing {}: {e}", path.display())))?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(ApiError::new(ErrorCode::Io, format!("creating {}: {e}", path.display()))),
        }
    }
    Err(ApiError::new(ErrorCode::Io, format!("{} already holds 9,999 exports named {safe}", dir.display())))
}
