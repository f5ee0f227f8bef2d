//! The resolution algorithm, written once over [`IdentityStore`] so the
//! incremental path (SQL, as records land) and the in-memory path (rebuilds,
//! property tests) cannot drift apart.
//!
//! For one record:
//! 1. normalise its identifiers; blocked or malformed ones are set aside with
//!    their reasons; none usable → [`ResolveError::NoUsableIdentifier`];
//! 2. order the usable ones by the rules' priority;
//! 3. choose the anchor: the profile owning the best-ranked owned identifier,
//!    provided the record's best-ranked identifier may join it under the
//!    limits; otherwise a new profile (a record that would exceed a limit
//!    does not merge);
//! 4. every other identifier: unowned → attached if the limits and the
//!    keep-apart rules allow; owned by another profile → that profile merges
//!    with the anchor if the limits and the keep-apart rules allow. A person
//!    profile absorbs an anonymous one (its history joins the person);
//!    otherwise the older profile absorbs the newer.
//!
//! Keep-apart rules (written by an unmerge) are cannot-link constraints
//! between two identifiers: no profile ever holds both, whatever the order
//! records arrive in, so an undone merge stays undone through later syncs
//! and full rebuilds.

use serde::Serialize;

use crate::{IdKind, Identifier, RawIdentifier, Rejection, Rules, normalise};

pub type ProfileId = i64;

/// Where a record's identifiers came from, for merge evidence.
#[derive(Clone, Debug, Serialize)]
pub struct Evidence<'a> {
    pub source: &'a str,
    pub landing_id: Option<i64>,
    pub at: &'a str,
}

/// Why two profiles were merged: recorded with every merge.
#[derive(Clone, Debug, Serialize)]
pub struct MergeEvidence<'a> {
    /// The identifier both profiles claimed.
    pub identifier: &'a Identifier,
    /// The record that carried it to the anchor profile, linking the two.
    pub record: &'a Evidence<'a>,
    /// `shared identifier` or `anonymous visitor identified`.
    pub rule: &'static str,
    /// Every identifier the absorbed profile held: what undoing this merge
    /// splits back off.
    pub absorbed_identifiers: &'a [Identifier],
}

/// What the resolver needs from where identities are kept.
pub trait IdentityStore {
    type Error: From<ResolveError>;
    /// The live (not merged-away) profile owning `id`, if any.
    fn owner(&mut self, id: &Identifier) -> Result<Option<ProfileId>, Self::Error>;
    /// The identifiers a live profile holds.
    fn identifiers_of(&mut self, profile: ProfileId) -> Result<Vec<Identifier>, Self::Error>;
    fn is_anonymous(&mut self, profile: ProfileId) -> Result<bool, Self::Error>;
    fn create_profile(&mut self, anonymous: bool, evidence: &Evidence<'_>) -> Result<ProfileId, Self::Error>;
    fn attach(
        &mut self,
        profile: ProfileId,
        id: &Identifier,
        evidence: &Evidence<'_>,
    ) -> Result<(), Self::Error>;
    /// Moves everything of `absorbed` to `kept` and marks `absorbed` merged into it.
    fn merge(
        &mut self,
        kept: ProfileId,
        absorbed: ProfileId,
        why: &MergeEvidence<'_>,
    ) -> Result<(), Self::Error>;
    /// True when a keep-apart rule forbids merging these two profiles: one
    /// holds an identifier the rule keeps apart from one the other holds.
    fn kept_apart(&mut self, a: ProfileId, b: ProfileId) -> Result<bool, Self::Error>;
    /// True when `profile` may not take `id`: a keep-apart rule pairs `id`
    /// with an identifier `profile` holds (or the store does not let the
    /// profile grow at all).
    fn kept_apart_from(&mut self, profile: ProfileId, id: &Identifier) -> Result<bool, Self::Error>;
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ResolveError {
    #[error("no usable identifier: {}", list(.0))]
    NoUsableIdentifier(Vec<Rejection>),
    #[error("profile {0} does not exist")]
    UnknownProfile(ProfileId),
}

fn list(rejections: &[Rejection]) -> String {
    if rejections.is_empty() {
        return "the record carries none".into();
    }
    rejections.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// The outcome for one record.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    pub profile: ProfileId,
    pub rejected: Vec<Rejection>,
    pub merges: usize,
    /// Identifiers the record carried that did not join its profile
    /// because a limit or a keep-apart rule stopped them.
    pub not_merged: Vec<Unlinked>,
}

/// A usable identifier of a record that did not join the record's profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unlinked {
    pub identifier: Identifier,
    /// The profile holding it (it stays there); `None` when it is held by no
    /// one because attaching it would have broken a rule.
    pub held_by: Option<ProfileId>,
    pub why: UnlinkReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnlinkReason {
    /// A per-profile limit (e.g. one customer id per source) would be exceeded.
    Limit,
    /// A keep-apart rule (an earlier unmerge) forbids it.
    KeptApart,
}

impl UnlinkReason {
    /// The warehouse's text form (`unlinked_identifiers.reason`).
    pub fn as_str(self) -> &'static str {
        match self {
            UnlinkReason::Limit => "limit",
            UnlinkReason::KeptApart => "kept-apart",
        }
    }
}

pub fn resolve<S: IdentityStore>(
    store: &mut S,
    rules: &Rules,
    raw: &[RawIdentifier],
    evidence: &Evidence<'_>,
) -> Result<Resolution, S::Error> {
    let (mut ids, rejected) = usable(raw, rules);
    if ids.is_empty() {
        return Err(ResolveError::NoUsableIdentifier(rejected).into());
    }
    ids.sort_by_key(|id| rules.rank(&id.kind));
    let owners = ids.iter().map(|id| store.owner(id)).collect::<Result<Vec<_>, _>>()?;

    let mut anchor = match owners.iter().flatten().next() {
        Some(&candidate)
            if !store.kept_apart_from(candidate, &ids[0])?
                && (owners[0].is_some() || fits(store, rules, candidate, &ids[..1])?) =>
        {
            candidate
        }
        _ => store.create_profile(ids.iter().all(|id| id.kind.is_anonymous()), evidence)?,
    };
    let mut outcome = Resolution { profile: anchor, rejected, merges: 0, not_merged: Vec::new() };
    for (id, owner) in ids.iter().zip(owners) {
        // An earlier merge may have moved this identifier; ask again.
        let owner = if outcome.merges > 0 { store.owner(id)? } else { owner };
        match owner {
            Some(p) if p == anchor => {}
            None => {
                let why = if !fits(store, rules, anchor, std::slice::from_ref(id))? {
                    Some(UnlinkReason::Limit)
                } else if store.kept_apart_from(anchor, id)? {
                    Some(UnlinkReason::KeptApart)
                } else {
                    None
                };
                match why {
                    None => store.attach(anchor, id, evidence)?,
                    Some(why) => {
                        outcome.not_merged.push(Unlinked { identifier: id.clone(), held_by: None, why })
                    }
                }
            }
            Some(other) => {
                let why = if !merge_fits(store, rules, anchor, other)? {
                    Some(UnlinkReason::Limit)
                } else if store.kept_apart(anchor, other)? {
                    Some(UnlinkReason::KeptApart)
                } else {
                    None
                };
                if let Some(why) = why {
                    outcome.not_merged.push(Unlinked { identifier: id.clone(), held_by: Some(other), why });
                    continue;
                }
                let (kept, absorbed) = keep_order(store, anchor, other)?;
                let rule = if store.is_anonymous(absorbed)? {
                    "anonymous visitor identified"
                } else {
                    "shared identifier"
                };
                let absorbed_identifiers = store.identifiers_of(absorbed)?;
                let why = MergeEvidence {
                    identifier: id,
                    record: evidence,
                    rule,
                    absorbed_identifiers: &absorbed_identifiers,
                };
                store.merge(kept, absorbed, &why)?;
                anchor = kept;
                outcome.merges += 1;
            }
        }
    }
    outcome.profile = anchor;
    Ok(outcome)
}

fn usable(raw: &[RawIdentifier], rules: &Rules) -> (Vec<Identifier>, Vec<Rejection>) {
    let mut ids: Vec<Identifier> = Vec::new();
    let mut rejected = Vec::new();
    for r in raw {
        match normalise(r, rules) {
            Ok(id) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(e) => rejected.push(e),
        }
    }
    (ids, rejected)
}

/// Whether `profile` may also hold `extra` without exceeding a limit.
fn fits<S: IdentityStore>(
    store: &mut S,
    rules: &Rules,
    profile: ProfileId,
    extra: &[Identifier],
) -> Result<bool, S::Error> {
    if extra.iter().all(|id| rules.limit(&id.kind).is_none()) {
        return Ok(true);
    }
    let mut held = store.identifiers_of(profile)?;
    held.extend(extra.iter().cloned());
    Ok(within_limits(rules, held))
}

fn merge_fits<S: IdentityStore>(
    store: &mut S,
    rules: &Rules,
    a: ProfileId,
    b: ProfileId,
) -> Result<bool, S::Error> {
    let mut held = store.identifiers_of(a)?;
    held.extend(store.identifiers_of(b)?);
    Ok(within_limits(rules, held))
}

fn within_limits(rules: &Rules, mut held: Vec<Identifier>) -> bool {
    held.retain(|id| rules.limit(&id.kind).is_some());
    held.sort();
    held.dedup();
    let mut i = 0;
    while i < held.len() {
        let kind: &IdKind = &held[i].kind;
        let same = held[i..].iter().take_while(|id| id.kind == *kind).count();
        if rules.limit(kind).is_some_and(|limit| same > limit) {
            return false;
        }
        i += same;
    }
    true
}

/// A person absorbs an anonymous visitor; otherwise the older profile stays.
fn keep_order<S: IdentityStore>(
    store: &mut S,
    a: ProfileId,
    b: ProfileId,
) -> Result<(ProfileId, ProfileId), S::Error> {
    let (a_anon, b_anon) = (store.is_anonymous(a)?, store.is_anonymous(b)?);
    Ok(match (a_anon, b_anon) {
        (true, false) => (b, a),
        (false, true) => (a, b),
        _ if a <= b => (a, b),
        _ => (b, a),
    })
}
