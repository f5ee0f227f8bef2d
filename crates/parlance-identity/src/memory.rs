//! An in-memory [`IdentityStore`]: full rebuilds, unmerges, benchmarks and
//! property tests.
//!
//! It keeps everything the warehouse would (each identifier's source,
//! record and first-seen time, each profile's kind and creation time, every
//! merge with its evidence), so a rebuild resolves in memory and then writes
//! the outcome in bulk: the same algorithm as the incremental path, without
//! a query per identifier.

use std::collections::{BTreeSet, HashMap};

use crate::Identifier;
use crate::resolve::{Evidence, IdentityStore, MergeEvidence, ProfileId, ResolveError};

#[derive(Debug, Default)]
pub struct MemoryStore {
    owner: HashMap<Identifier, ProfileId>,
    profiles: Vec<MemoryProfile>,
    /// Keep-apart rules, indexed from both sides.
    apart: HashMap<Identifier, Vec<Identifier>>,
    texts: Texts,
    merges: Vec<MemoryMerge>,
}

#[derive(Debug, Default)]
struct MemoryProfile {
    anonymous: bool,
    merged_into: Option<ProfileId>,
    ids: Vec<HeldIdentifier>,
    created_at: u32,
    /// Stands for a profile kept elsewhere (the warehouse, during a partial
    /// re-resolution): it never merges and never takes an identifier.
    elsewhere: bool,
}

#[derive(Clone, Debug)]
struct HeldIdentifier {
    identifier: Identifier,
    source: u32,
    landing_id: Option<i64>,
    first_seen: u32,
}

/// A merge the store performed, with its evidence as the warehouse stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryMerge {
    pub kept: ProfileId,
    pub absorbed: ProfileId,
    /// The [`MergeEvidence`] as JSON (`merges.evidence_json`).
    pub evidence_json: String,
    pub at: String,
}

/// One profile as the store holds it, for writing it out.
#[derive(Clone, Debug)]
pub struct MemoryProfileView<'a> {
    pub id: ProfileId,
    pub anonymous: bool,
    pub merged_into: Option<ProfileId>,
    pub created_at: &'a str,
    /// True for a stand-in made by [`MemoryStore::hold_elsewhere`].
    pub elsewhere: bool,
    pub identifiers: Vec<HeldIdentifierView<'a>>,
}

/// An identifier a profile holds, with where it was first seen.
#[derive(Clone, Debug)]
pub struct HeldIdentifierView<'a> {
    pub identifier: &'a Identifier,
    pub source: &'a str,
    pub landing_id: Option<i64>,
    pub first_seen: &'a str,
}

/// Interned text (source names, times): a rebuild repeats few of them.
#[derive(Debug, Default)]
struct Texts {
    index: HashMap<String, u32>,
    all: Vec<String>,
}

impl Texts {
    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        let i = self.all.len() as u32;
        self.all.push(text.to_owned());
        self.index.insert(text.to_owned(), i);
        i
    }

    fn get(&self, i: u32) -> &str {
        self.all.get(i as usize).map_or("", String::as_str)
    }
}

impl MemoryStore {
    /// Never let one profile hold both `a` and `b` (an unmerge's rule).
    pub fn keep_apart(&mut self, a: Identifier, b: Identifier) {
        if a == b {
            return;
        }
        self.apart.entry(a.clone()).or_default().push(b.clone());
        self.apart.entry(b).or_default().push(a);
    }

    /// A stand-in for a profile that lives elsewhere and holds `ids`: records
    /// resolved here never take those identifiers nor merge with it (their
    /// links to it are reported as not merged). Used when only some records
    /// are re-resolved.
    pub fn hold_elsewhere(&mut self, ids: impl IntoIterator<Item = Identifier>) -> ProfileId {
        let at = self.texts.intern("");
        self.profiles.push(MemoryProfile { elsewhere: true, created_at: at, ..MemoryProfile::default() });
        let id = self.profiles.len() as ProfileId;
        for identifier in ids {
            self.owner.insert(identifier.clone(), id);
            if let Some(p) = self.profiles.last_mut() {
                p.ids.push(HeldIdentifier { identifier, source: at, landing_id: None, first_seen: at });
            }
        }
        id
    }

    /// The live (not merged-away) profiles as sets of identifiers: what
    /// clusters are, whatever ids they were given.
    pub fn clusters(&self) -> BTreeSet<BTreeSet<Identifier>> {
        self.profiles
            .iter()
            .filter(|p| p.merged_into.is_none() && !p.ids.is_empty() && !p.elsewhere)
            .map(|p| p.ids.iter().map(|h| h.identifier.clone()).collect())
            .collect()
    }

    /// The live profile `profile` ended up in, following merges.
    pub fn live(&self, profile: ProfileId) -> ProfileId {
        let mut p = profile;
        // Merges only point forward to existing profiles; the bound guards a cycle all the same.
        for _ in 0..self.profiles.len() {
            match self.index(p).and_then(|i| self.profiles[i].merged_into) {
                Some(next) => p = next,
                None => break,
            }
        }
        p
    }

    /// Profiles created so far (ids run from 1 to this).
    pub fn profile_count(&self) -> usize {
        self.profiles.len()
    }

    /// Identifiers held by live profiles.
    pub fn identifier_count(&self) -> usize {
        self.owner.len()
    }

    /// Every profile, in creation order (its id is its position + 1).
    pub fn profiles(&self) -> impl Iterator<Item = MemoryProfileView<'_>> {
        self.profiles.iter().enumerate().map(|(i, p)| MemoryProfileView {
            id: i as ProfileId + 1,
            anonymous: p.anonymous,
            merged_into: p.merged_into,
            created_at: self.texts.get(p.created_at),
            elsewhere: p.elsewhere,
            identifiers: p
                .ids
                .iter()
                .map(|h| HeldIdentifierView {
                    identifier: &h.identifier,
                    source: self.texts.get(h.source),
                    landing_id: h.landing_id,
                    first_seen: self.texts.get(h.first_seen),
                })
                .collect(),
        })
    }

    /// Every merge, in the order it happened.
    pub fn merges(&self) -> &[MemoryMerge] {
        &self.merges
    }

    fn index(&self, id: ProfileId) -> Option<usize> {
        usize::try_from(id - 1).ok().filter(|i| *i < self.profiles.len())
    }

    fn get(&mut self, id: ProfileId) -> Result<&mut MemoryProfile, ResolveError> {
        let index = self.index(id).ok_or(ResolveError::UnknownProfile(id))?;
        Ok(&mut self.profiles[index])
    }

    fn held(&self, id: ProfileId) -> Result<&MemoryProfile, ResolveError> {
        self.index(id).map(|i| &self.profiles[i]).ok_or(ResolveError::UnknownProfile(id))
    }

    /// True when some identifier of `profile` is kept apart from one `other` holds.
    fn apart_between(&self, profile: &MemoryProfile, other: ProfileId) -> bool {
        profile.ids.iter().any(|h| {
            self.apart
                .get(&h.identifier)
                .is_some_and(|partners| partners.iter().any(|y| self.owner.get(y) == Some(&other)))
        })
    }
}

impl IdentityStore for MemoryStore {
    type Error = ResolveError;

    fn owner(&mut self, id: &Identifier) -> Result<Option<ProfileId>, ResolveError> {
        Ok(self.owner.get(id).copied())
    }

    fn identifiers_of(&mut self, profile: ProfileId) -> Result<Vec<Identifier>, ResolveError> {
        Ok(self.held(profile)?.ids.iter().map(|h| h.identifier.clone()).collect())
    }

    fn is_anonymous(&mut self, profile: ProfileId) -> Result<bool, ResolveError> {
        Ok(self.held(profile)?.anonymous)
    }

    fn create_profile(
        &mut self,
        anonymous: bool,
        evidence: &Evidence<'_>,
    ) -> Result<ProfileId, ResolveError> {
        let created_at = self.texts.intern(evidence.at);
        self.profiles.push(MemoryProfile { anonymous, created_at, ..MemoryProfile::default() });
        Ok(self.profiles.len() as ProfileId)
    }

    fn attach(
        &mut self,
        profile: ProfileId,
        id: &Identifier,
        evidence: &Evidence<'_>,
    ) -> Result<(), ResolveError> {
        let source = self.texts.intern(evidence.source);
        let first_seen = self.texts.intern(evidence.at);
        let p = self.get(profile)?;
        p.ids.push(HeldIdentifier {
            identifier: id.clone(),
            source,
            landing_id: evidence.landing_id,
            first_seen,
        });
        if !id.kind.is_anonymous() {
            p.anonymous = false;
        }
        self.owner.insert(id.clone(), profile);
        Ok(())
    }

    fn merge(
        &mut self,
        kept: ProfileId,
        absorbed: ProfileId,
        why: &MergeEvidence<'_>,
    ) -> Result<(), ResolveError> {
        let moved = std::mem::take(&mut self.get(absorbed)?.ids);
        let was_anonymous = self.get(absorbed)?.anonymous;
        self.get(absorbed)?.merged_into = Some(kept);
        for h in &moved {
            if let Some(owner) = self.owner.get_mut(&h.identifier) {
                *owner = kept;
            }
        }
        let k = self.get(kept)?;
        k.anonymous &= was_anonymous;
        k.ids.extend(moved);
        self.merges.push(MemoryMerge {
            kept,
            absorbed,
            evidence_json: serde_json::to_string(why).unwrap_or_else(|_| "{}".into()),
            at: why.record.at.to_owned(),
        });
        Ok(())
    }

    fn kept_apart(&mut self, a: ProfileId, b: ProfileId) -> Result<bool, ResolveError> {
        let (pa, pb) = (self.held(a)?, self.held(b)?);
        if pa.elsewhere || pb.elsewhere {
            return Ok(true);
        }
        if self.apart.is_empty() {
            return Ok(false);
        }
        // Walk the smaller profile's identifiers.
        Ok(if pa.ids.len() <= pb.ids.len() { self.apart_between(pa, b) } else { self.apart_between(pb, a) })
    }

    fn kept_apart_from(&mut self, profile: ProfileId, id: &Identifier) -> Result<bool, ResolveError> {
        if self.held(profile)?.elsewhere {
            return Ok(true);
        }
        Ok(self
            .apart
            .get(id)
            .is_some_and(|partners| partners.iter().any(|y| self.owner.get(y) == Some(&profile))))
    }
}
