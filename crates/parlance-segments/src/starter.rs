//! The demo company's starter vocabulary: the files of `vocabulary/` at the
//! repository root, built into the binary so a new user's vocabulary folder
//! and a new demo warehouse start with them.

use std::path::Path;

use crate::error::{Result, SegmentsError};

/// The starter files: `(file name, text)`.
pub const FILES: &[(&str, &str)] = &[
    ("segments.parlance", include_str!("../../../vocabulary/segments.parlance")),
    ("scores.parlance", include_str!("../../../vocabulary/scores.parlance")),
    ("stages.parlance", include_str!("../../../vocabulary/stages.parlance")),
    ("touchpoints.parlance", include_str!("../../../vocabulary/touchpoints.parlance")),
    ("value.parlance", include_str!("../../../vocabulary/value.parlance")),
];

/// The starter files as `check_files` takes them.
#[must_use]
pub fn files() -> Vec<(String, std::result::Result<String, String>)> {
    FILES.iter().map(|(name, text)| ((*name).to_owned(), Ok((*text).to_owned()))).collect()
}

/// Writes the starter files into `dir` when it has no vocabulary file yet
/// (creating it); returns whether it wrote them. An existing vocabulary is
/// never touched.
///
/// # Errors
///
/// When the folder cannot be created or written.
pub fn seed_folder(dir: &Path) -> Result<bool> {
    if !crate::folder::read_folder(dir)?.is_empty() {
        return Ok(false);
    }
    let io = |e: std::io::Error| SegmentsError::Io { path: dir.to_owned(), detail: e.to_string() };
    std::fs::create_dir_all(dir).map_err(io)?;
    for (name, text) in FILES {
        std::fs::write(dir.join(name), text).map_err(io)?;
    }
    Ok(true)
}
