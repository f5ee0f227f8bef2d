use std::sync::atomic::AtomicBool;

use parlance_identity::Rules;
use parlance_unify::{UnifyError, UnifyProgress, UnifyReport};
use parlance_warehouse::Timestamp;

use crate::{ApiError, ErrorCode, Parlance};

impl From<UnifyError> for ApiError {
    fn from(e: UnifyError) -> Self {
        match e {
            UnifyError::Warehouse(w) => w.into(),
            UnifyError::Cancelled => ApiError::new(ErrorCode::Cancelled, e.to_string()),
            UnifyError::Sqlite { .. } => ApiError::new(ErrorCode::Internal, e.to_string()),
        }
    }
}

impl Parlance {
    /// Normalises every landed record not unified yet into profiles, events,
    /// orders, support contacts and traits; what cannot be understood goes to
    /// quarantine with its reason.
    pub(crate) fn unify_with_progress(
        &self,
        now: Timestamp,
        cancel: &AtomicBool,
        on_progress: &mut dyn FnMut(UnifyProgress),
    ) -> Result<UnifyReport, ApiError> {
        Ok(parlance_unify::unify_pending(&self.warehouse, &Rules::default(), now, on_progress, cancel)?)
    }
}
