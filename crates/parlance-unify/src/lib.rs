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
//!
//! Besides the incremental path:
//!
//! - [`rebuild`] re-resolves every landed record from scratch, in landing
//!   order, on an in-memory store (the same resolver), and rewrites the
//!   unified layer in one transaction. Clusters keep the profile id their
//!   first record had, so a rebuild that changes nothing changes no id; the
//!   merge history is re-derived; keep-apart rules are honoured.
//! - [`unmerge`] splits a profile: keep-apart rules between the identifiers
//!   that leave and those that stay, then the profile's records re-resolved
//!   (see the `unmerge` module for the model).
//! - [`customer_profile`], [`timeline`] and [`profile_summaries`] read one
//!   profile whole for the customer 360.

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
