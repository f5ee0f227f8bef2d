use std::sync::atomic::AtomicBool;

use parlance_warehouse::Timestamp;

use crate::{ApiError, Parlance, QuarantineRetryDto, QuarantinedRecordDto, ResolutionScoreDto};

impl Parlance {
    /// Records held in quarantine, oldest first (optionally one source's).
    pub fn quarantine(
        &self,
        source: Option<&str>,
        limit: u32,
    ) -> Result<Vec<QuarantinedRecordDto>, ApiError> {
        let held = parlance_unify::list_quarantine(&self.warehouse, source, limit)?;
        Ok(held
            .into_iter()
            .map(|q| QuarantinedRecordDto {
                landing_id: q.landing_id,
                source: q.source,
                stream: q.stream,
                source_id: q.source_id,
                reason: q.reason,
                first_seen: q.first_seen,
                last_seen: q.last_seen,
                retries: q.retries,
            })
            .collect())
    }

    /// Re-queues quarantined records (after a mapping or rules fix) and
    /// unifies them again; those that still fail stay held.
    pub fn retry_quarantine(
        &self,
        source: Option<&str>,
        now: Timestamp,
    ) -> Result<QuarantineRetryDto, ApiError> {
        let retried = parlance_unify::retry_quarantine(&self.warehouse, source)?;
        let report = self.unify_with_progress(now, &AtomicBool::new(false), &mut |_| {})?;
        Ok(QuarantineRetryDto {
            retried,
            released: report.released,
            still_held: retried.saturating_sub(report.released),
        })
    }

    /// Pairwise precision and recall of identity resolution against the demo
    /// company's truth table (only meaningful on a demo warehouse).
    pub fn resolution_score(&self) -> Result<ResolutionScoreDto, ApiError> {
        let reader = self.warehouse.reader()?;
        let s = parlance_identity::score_against_truth(&reader)
            .map_err(|e| ApiError::new(crate::ErrorCode::Internal, format!("scoring resolution: {e}")))?;
        if s.records == 0 {
            return Err(ApiError::invalid(
                "nothing to score: this warehouse has no demo truth (run `parlance demo` on a new warehouse)",
            ));
        }
        Ok(ResolutionScoreDto {
            records: s.records,
            predicted_pairs: s.predicted_pairs,
            true_pairs: s.true_pairs,
            correct_pairs: s.correct_pairs,
            precision: s.precision,
            recall: s.recall,
        })
    }
}
