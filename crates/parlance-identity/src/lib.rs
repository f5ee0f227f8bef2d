//! Identity resolution: which identifiers belong to one person.
//!
//! Records arrive with raw identifiers (an email as typed, a phone in any
//! format, a cookie id, a tool's customer id). [`normalise`] turns each into
//! its canonical form or rejects it with a reason (blocked, malformed); the
//! resolver then links records that share a canonical identifier into one
//! profile, within the configured [`Rules`].

mod apart;
mod explain;
mod identifier;
mod lookup;
mod memory;
mod resolve;
mod rules;
mod sql;
mod suspicious;
mod truth;

pub use apart::{KeepApartRule, add_keep_apart_rules, keep_apart_rules, load_keep_apart_rules};
pub use explain::{
    ExplainedMerge, ExplainedRule, RecordRef, identifiers_of, live_profile, merge_history, owner, rules_of,
};
pub use lookup::{Found, LookupError, SearchHit, find_profile, search_profiles};
pub use suspicious::{
    BlockedValue, ManyIdentifiers, Oversized, SharedIdentifier, SuspiciousReport, Thresholds,
    suspicious_clusters,
};

pub use identifier::{IdKind, Identifier, RawIdentifier, Rejection, normalise};
pub use memory::{HeldIdentifierView, MemoryMerge, MemoryProfileView, MemoryStore};
pub use resolve::{
    Evidence, IdentityStore, MergeEvidence, ProfileId, Resolution, ResolveError, UnlinkReason, Unlinked,
    resolve,
};
pub use rules::Rules;
pub use sql::{SqlStore, SqlStoreError};
pub use truth::{PairwiseScore, score_against_truth};
