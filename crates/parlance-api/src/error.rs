use parlance_demo::DemoError;
use parlance_warehouse::WarehouseError;
use serde::Serialize;
use ts_rs::TS;

/// Stable machine-readable error codes. Add new ones; never rename.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(rename_all = "kebab-case")]
pub enum ErrorCode {
    NotAWarehouse,
    SchemaTooNew,
    Corrupt,
    NotFound,
    InvalidInput,
    Cancelled,
    Io,
    Internal,
    /// Too little data for the action yet (e.g. no customers to fit the value models on).
    InsufficientData,
    /// The OS keychain is unavailable or holds no token for the source (the
    /// message names the `PARLANCE_TOKEN_<SOURCE>` fallback).
    Keychain,
    /// A channel tool's API failed or refused (the message names the source).
    Source,
}

/// The one error shape every caller sees: `{code, message}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }
}

impl From<WarehouseError> for ApiError {
    fn from(e: WarehouseError) -> Self {
        let code = match &e {
            WarehouseError::NotAWarehouse { .. } => ErrorCode::NotAWarehouse,
            WarehouseError::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
            WarehouseError::Corrupt { .. } => ErrorCode::Corrupt,
            WarehouseError::Unopenable { path, .. } if !path.exists() => ErrorCode::NotFound,
            WarehouseError::Unopenable { .. } => ErrorCode::Io,
            WarehouseError::Invalid { .. } => ErrorCode::InvalidInput,
            WarehouseError::Migration(_) | WarehouseError::Sqlite { .. } => ErrorCode::Internal,
        };
        Self::new(code, e.to_string())
    }
}

impl From<DemoError> for ApiError {
    fn from(e: DemoError) -> Self {
        match e {
            DemoError::Warehouse(w) => w.into(),
            DemoError::Cancelled { .. } => Self::new(ErrorCode::Cancelled, e.to_string()),
            DemoError::People { .. } | DemoError::AsOf(_) => Self::invalid(e.to_string()),
        }
    }
}
