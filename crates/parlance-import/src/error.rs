//! One error type for imports. Every message names the file, and where it
//! can, the line and the field: `orders.csv line 14: amount "12,50" is not
//! a decimal amount`.

use std::fmt;

use parlance_unify::UnifyError;
use parlance_warehouse::WarehouseError;

/// Why an import stopped. Problems with single lines do not stop an import:
/// they are [`LineProblem`]s in the report.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file (or the mapping file) cannot be opened or read.
    #[error("{file}: {detail}")]
    Io { file: String, detail: String },
    /// The options do not describe an import (unknown format, `--as`
    /// missing for a CSV file, …).
    #[error("{0}")]
    Invalid(String),
    /// The mapping file cannot be read as a mapping.
    #[error("{file}: {detail}")]
    Mapping { file: String, detail: String },
    /// The CSV header cannot be mapped (a required field has no column, a
    /// mapped column does not exist, a header repeats).
    #[error("{file}: {detail}")]
    Header { file: String, detail: String },
    /// The chosen source cannot take this file (another kind of source, or a
    /// file source of another format).
    #[error("{0}")]
    Source(String),
    /// Not one of the first lines could be read: most likely the wrong
    /// `--format`.
    #[error(
        "{file}: none of the first {lines} lines could be read as {format}; is it another format? First: {first}"
    )]
    NotThisFormat { file: String, lines: u64, format: &'static str, first: String },
    #[error(
        "the import was cancelled after {records} records; run it again to finish (nothing is duplicated)"
    )]
    Cancelled { records: u64 },
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
    #[error(transparent)]
    Unify(#[from] UnifyError),
}

impl From<ImportError> for WarehouseError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Warehouse(w) => w,
            other => WarehouseError::Invalid { what: "import".into(), detail: other.to_string() },
        }
    }
}

/// One line of the file that could not be landed (`landed: false`: bad
/// JSON, no `messageId`, a CSV row of the wrong length), or that landed but
/// will be held in quarantine (`landed: true`: its cells do not normalise).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineProblem {
    /// The file's name as given (for messages).
    pub file: String,
    /// 1-based line number in the file (a CSV row's first line).
    pub line: u64,
    pub message: String,
    pub landed: bool,
}

impl fmt::Display for LineProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} line {}: {}", self.file, self.line, self.message)?;
        if self.landed {
            write!(f, " (landed; held in quarantine until fixed)")?;
        }
        Ok(())
    }
}
