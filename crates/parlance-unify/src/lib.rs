//! From landing to the unified layer.
//!
//! [`unify_pending`] takes every landed record whose current payload was not
//! normalised yet (`normalized_hash IS NOT content_hash`), in landing order,
//! and for each one, inside the same write transaction:
//!
//! 1. normalises the payload by its source's shape (`parlance-normalize`);
//! 2. resolves its identifiers to a profile (`parlance-identity`, merging
//!    profiles where the rules say so);
//! 3. replaces the unified rows that came from this record before (a record
//!    updated at the source is re-normalised, never duplicated) with the new
//!    ones: events, order, support contact, traits;
//! 4. or, when the payload cannot be understood or carries no usable
//!    identifier, puts it in quarantine with the reason. Nothing is dropped:
//!    the raw payload stays in landing, and `retry_quarantine` re-queues it
//!    after a mapping or rules fix.
//!
//! Batches commit as they go, so an interrupted run resumes where it stopped.

mod customer;
mod pipeline;
mod quarantine;
mod rebuild;
mod replay;
mod rows;
mod unmerge;

pub use customer::{
    CustomerIdentifier, CustomerOrder, CustomerProfile, CustomerSegment, CustomerSupport, CustomerTrait,
    CustomerValue, ProfileSummary, TimelineEntry, customer_profile, profile_summaries, timeline,
};
pub use pipeline::{UnifyError, UnifyProgress, UnifyReport, unify_pending};
pub use quarantine::{QuarantinedRecord, list_quarantine, retry_quarantine};
pub use rebuild::{DERIVED_PROFILE_TABLES, REBUILT_TABLES, RebuildProgress, RebuildReport, rebuild};
pub use unmerge::{Split, UnmergeError, UnmergeReport, unmerge};
