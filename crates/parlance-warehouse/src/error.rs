use std::path::PathBuf;

/// Everything that can go wrong opening or using a warehouse.
#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    #[error("{path} is not a Parlance warehouse ({detail})")]
    NotAWarehouse { path: PathBuf, detail: String },

    #[error(
        "{path} was written by a newer Parlance (schema version {found}; this build knows up to {supported}); upgrade Parlance to open it"
    )]
    SchemaTooNew { path: PathBuf, found: i64, supported: i64 },

    #[error("{path} is damaged: {detail}")]
    Corrupt { path: PathBuf, detail: String },

    #[error("cannot open {path}: {detail}")]
    Unopenable { path: PathBuf, detail: String },

    #[error("warehouse migration failed: {0}")]
    Migration(String),

    #[error("{context}: {source}")]
    Sqlite {
        context: String,
        #[source]
        source: rusqlite::Error,
    },

    #[error("invalid {what}: {detail}")]
    Invalid { what: String, detail: String },
}

pub type WarehouseResult<T> = Result<T, WarehouseError>;

/// Adds a human context to rusqlite errors: `conn.execute(..).context("saving cursor")?`.
pub(crate) trait SqlContext<T> {
    fn context(self, what: &str) -> WarehouseResult<T>;
}

impl<T> SqlContext<T> for Result<T, rusqlite::Error> {
    fn context(self, what: &str) -> WarehouseResult<T> {
        self.map_err(|source| WarehouseError::Sqlite { context: what.to_owned(), source })
    }
}
