//! One error type for the crate.

use std::path::PathBuf;
use std::time::Duration;

use parlance_vocabulary::CompileError;
use parlance_warehouse::WarehouseError;

/// Everything that can go wrong evaluating or storing definitions.
#[derive(Debug, thiserror::Error)]
pub enum SegmentsError {
    /// The warehouse could not be opened or written.
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
    /// A query failed.
    #[error("{what}: {source}")]
    Sqlite {
        /// What was being done.
        what: String,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A definition could not be compiled; `at` is `line:col` in its text.
    #[error("{kind} `{name}`: {message} (at {at})")]
    Compile {
        /// The definition's kind.
        kind: String,
        /// Its name.
        name: String,
        /// What is wrong.
        message: String,
        /// `line:col` in the definition's text.
        at: String,
    },
    /// A query ran longer than its time limit and was interrupted.
    #[error("the query ran longer than {} ms and was stopped", limit.as_millis())]
    TimedOut {
        /// The limit.
        limit: Duration,
    },
    /// No such definition, version or profile.
    #[error("{0}")]
    NotFound(String),
    /// The request cannot be carried out as asked.
    #[error("{0}")]
    Invalid(String),
    /// A vocabulary file or folder could not be read or written.
    #[error("{}: {detail}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What happened.
        detail: String,
    },
}

impl SegmentsError {
    pub(crate) fn sqlite(what: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> Self {
        let what = what.into();
        move |source| Self::Sqlite { what, source }
    }

    pub(crate) fn compile(program_text: &str, kind: &str, name: &str, e: CompileError) -> Self {
        let at = parlance_vocabulary::LineIndex::new(program_text).line_col(e.span.start).to_string();
        Self::Compile { kind: kind.to_owned(), name: name.to_owned(), message: e.message, at }
    }
}

/// Results of this crate.
pub type Result<T, E = SegmentsError> = std::result::Result<T, E>;

/// Adds what was being done to a SQLite error.
pub(crate) trait Context<T> {
    fn ctx(self, what: &str) -> Result<T>;
}

impl<T> Context<T> for rusqlite::Result<T> {
    fn ctx(self, what: &str) -> Result<T> {
        self.map_err(SegmentsError::sqlite(what))
    }
}
