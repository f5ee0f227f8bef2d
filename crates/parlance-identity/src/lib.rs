//! Identity resolution: which identifiers belong to one person.
//!
//! Records arrive with raw identifiers (an email as typed, a phone in any
//! format, a cookie id, a tool's customer id). [`normalise`] turns each into
//! its canonical form or rejects it with a reason (blocked, malformed); the
//! resolver then links records that share a canonical identifier into one
//! profile, within the configured [`Rules`].

mod identifier;
mod memory;
mod resolve;
mod rules;
mod sql;
mod truth;

pub use identifier::{IdKind, Identifier, RawIdentifier, Rejection, normalise};
pub use memory::MemoryStore;
pub use resolve::{Evidence, IdentityStore, MergeEvidence, ProfileId, Resolution, ResolveError, resolve};
pub use rules::Rules;
pub use sql::{SqlStore, SqlStoreError};
pub use truth::{PairwiseScore, score_against_truth};
