//! An in-memory [`IdentityStore`]: rebuilds and property tests.

use std::collections::{BTreeSet, HashMap};

use crate::Identifier;
use crate::resolve::{Evidence, IdentityStore, MergeEvidence, ProfileId, ResolveError};

#[derive(Debug, Default)]
pub struct MemoryStore {
    owner: HashMap<Identifier, ProfileId>,
    profiles: Vec<MemoryProfile>,
    apart: Vec<(Identifier, Identifier)>,
}

#[derive(Debug, Default)]
struct MemoryProfile {
    anonymous: bool,
    merged_into: Option<ProfileId>,
    ids: Vec<Identifier>,
}

impl MemoryStore {
    /// Never merge profiles holding `a` and `b` respectively.
    pub fn keep_apart(&mut self, a: Identifier, b: Identifier) {
        self.apart.push((a, b));
    }

    /// The live profiles as sets of identifiers: what clusters are, whatever
    /// ids they were given.
    pub fn clusters(&self) -> BTreeSet<BTreeSet<Identifier>> {
        self.profiles
            .iter()
            .filter(|p| p.merged_into.is_none() && !p.ids.is_empty())
            .map(|p| p.ids.iter().cloned().collect())
            .collect()
    }

    fn get(&mut self, id: ProfileId) -> Result<&mut MemoryProfile, ResolveError> {
        let index = usize::try_from(id - 1).unwrap_or(usize::MAX);
        self.profiles.get_mut(index).ok_or(ResolveError::UnknownProfile(id))
    }
}

impl IdentityStore for MemoryStore {
    type Error = ResolveError;

    fn owner(&mut self, id: &Identifier) -> Result<Option<ProfileId>, ResolveError> {
        Ok(self.owner.get(id).copied())
    }

    fn identifiers_of(&mut self, profile: ProfileId) -> Result<Vec<Identifier>, ResolveError> {
        Ok(self.get(profile)?.ids.clone())
    }

    fn is_anonymous(&mut self, profile: ProfileId) -> Result<bool, ResolveError> {
        Ok(self.get(profile)?.anonymous)
    }

    fn create_profile(&mut self, anonymous: bool, _: &Evidence<'_>) -> Result<ProfileId, ResolveError> {
        self.profiles.push(MemoryProfile { anonymous, ..MemoryProfile::default() });
        Ok(self.profiles.len() as ProfileId)
    }

    fn attach(&mut self, profile: ProfileId, id: &Identifier, _: &Evidence<'_>) -> Result<(), ResolveError> {
        let p = self.get(profile)?;
        p.ids.push(id.clone());
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
        _: &MergeEvidence<'_>,
    ) -> Result<(), ResolveError> {
        let moved = std::mem::take(&mut self.get(absorbed)?.ids);
        let was_anonymous = self.get(absorbed)?.anonymous;
        self.get(absorbed)?.merged_into = Some(kept);
        for id in &moved {
            self.owner.insert(id.clone(), kept);
        }
        let k = self.get(kept)?;
        k.anonymous &= was_anonymous;
        k.ids.extend(moved);
        Ok(())
    }

    fn kept_apart(&mut self, a: ProfileId, b: ProfileId) -> Result<bool, ResolveError> {
        let (ia, ib) = (self.get(a)?.ids.clone(), self.get(b)?.ids.clone());
        Ok(self
            .apart
            .iter()
            .any(|(x, y)| (ia.contains(x) && ib.contains(y)) || (ia.contains(y) && ib.contains(x))))
    }
}
