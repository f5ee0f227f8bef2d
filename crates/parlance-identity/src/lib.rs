//! Identity resolution: which identifiers belong to one person.
//!
//! Records arrive with raw identifiers (an email as typed, a phone in any
//! format, a cookie id, a tool's customer id). [`normalise`] turns each into
//! its canonical form or rejects it with a reason (blocked, malformed); the
//! resolver then links records that share a canonical identifier into one
//! profile, within the configured [`Rules`].
//!
//! # One algorithm, two stores
//!
//! [`resolve`] is written once over [`IdentityStore`]: [`SqlStore`] runs it
//! incrementally inside the warehouse as records land; [`MemoryStore`] runs
//! it in memory for full rebuilds, unmerges, benchmarks and property tests,
//! keeping everything the warehouse keeps (each identifier's source, record
//! and first-seen time, every merge with its evidence) so the outcome can be
//! written back in bulk. Replaying records in landing order on either store
//! gives the same clusters (`parlance-unify`'s rebuild relies on it; tests
//! check both stores agree and that, for merge-only rules, arrival order
//! does not change the clusters).
//!
//! # Evidence
//!
//! Every merge is stored (`merges.evidence_json`) with the identifier both
//! profiles claimed, the record that linked them (source, landing id, time),
//! the rule (`shared identifier`, `anonymous visitor identified`) and the
//! identifiers the absorbed profile held. [`merge_history`] reads them back
//! with the records named as their sources name them; [`unlinked_of`] lists
//! what a profile's records carried that did not link (blocked or malformed
//! values, links a limit or a keep-apart rule refused).
//!
//! # Unmerge: keep-apart rules
//!
//! An unmerge (in `parlance-unify`) stores a keep-apart rule for every pair
//! of identifiers across the split ([`add_keep_apart_rules`]). A rule is a
//! cannot-link constraint on identifiers, never on profile ids: the
//! resolver refuses to attach an identifier to a profile holding its
//! partner, and to merge two profiles that hold a pair between them. So no
//! profile ever holds both identifiers of a rule, in any arrival order, and
//! an undone merge stays undone through later syncs and full rebuilds.
//!
//! # Suspicious clusters
//!
//! [`suspicious_clusters`] flags profiles to check before trusting them;
//! thresholds ([`Thresholds::default`]): more than 3 emails, 3 phones, 10
//! device ids or 10 cookie ids on one profile; more identifiers or records
//! than max(20 identifiers / 5,000 records, 5 × the 99th percentile);
//! emails and phones a limit kept from merging (households, repeat guest
//! checkouts); blocked values carried by records of 2 or more profiles
//! (staff test accounts, placeholders).
//!
//! # Finding profiles
//!
//! [`find_profile`] takes what a person types (a profile id, an email in any
//! case, a phone in any format, any identifier's value, or `KIND:VALUE`) and
//! normalises it exactly as resolution does; [`search_profiles`] matches
//! identifier prefixes.
//!
//! # Quality on the demo company
//!
//! [`score_against_truth`] scores resolution pairwise against the demo's
//! truth. Stated thresholds (asserted by tests in `parlance-unify` and
//! `parlance-cli`): precision ≥ 0.99, recall ≥ 0.95. Households sharing an
//! inbox cost precision; guest checkouts, changed emails and support-desk
//! typos cost recall.

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
    ExplainedMerge, ExplainedRule, RecordRef, UnlinkedOfProfile, identifiers_of, live_profile, merge_history,
    owner, rules_of, unlinked_of,
};
pub use lookup::{Found, LookupError, SearchHit, find_profile, parse_identifier, search_profiles};
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
