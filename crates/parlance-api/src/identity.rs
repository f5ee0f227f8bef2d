//! Identity resolution actions: full rebuild, unmerge, explain, suspicious clusters.

use std::sync::atomic::AtomicBool;

use parlance_identity::{Identifier, LookupError, Rules, Thresholds};
use parlance_unify::{Split, UnmergeError};
use parlance_warehouse::Timestamp;

use crate::customers::{customer_identifiers, identifier_dto, record_dto, summary_of};
use crate::{
    ApiError, BlockedValueDto, ErrorCode, FamilyThresholdDto, KeepApartRuleDto, ManyIdentifiersDto,
    MergeEvidenceDto, OversizedDto, Parlance, ProfileExplanationDto, RebuildProgressDto, RebuildSummaryDto,
    SharedIdentifierDto, SuspicionThresholdsDto, SuspiciousReportDto, UnlinkedIdentifierDto,
    UnmergeSummaryDto,
};

impl From<LookupError> for ApiError {
    fn from(e: LookupError) -> Self {
        let code = match &e {
            LookupError::NotFound { .. } => ErrorCode::NotFound,
            LookupError::Empty | LookupError::Ambiguous { .. } => ErrorCode::InvalidInput,
            LookupError::Sqlite { .. } => ErrorCode::Internal,
        };
        ApiError::new(code, e.to_string())
    }
}

impl From<UnmergeError> for ApiError {
    fn from(e: UnmergeError) -> Self {
        match e {
            UnmergeError::Unify(u) => u.into(),
            UnmergeError::UnknownProfile(_) => ApiError::new(ErrorCode::NotFound, e.to_string()),
            other => ApiError::invalid(other.to_string()),
        }
    }
}

pub(crate) fn sql(what: &str) -> impl Fn(parlance_warehouse::SqliteError) -> ApiError + '_ {
    move |e| ApiError::new(ErrorCode::Internal, format!("{what}: {e}"))
}

/// `KIND:VALUE` as typed, normalised as resolution normalises it.
pub(crate) fn parse_identifier(text: &str, rules: &Rules) -> Result<Identifier, ApiError> {
    let raw = parlance_identity::parse_identifier(text).ok_or_else(|| {
        ApiError::invalid(format!(
            "identifier {text:?} is not KIND:VALUE (kinds: email, phone, anonymous_id, device_id, customer_id:SOURCE)"
        ))
    })?;
    parlance_identity::normalise(&raw, rules)
        .map_err(|why| ApiError::invalid(format!("identifier {text:?} cannot be used: {why}")))
}

impl Parlance {
    /// Re-resolves every landed record from scratch (in landing order, with
    /// the keep-apart rules of earlier unmerges) and rewrites the unified
    /// layer in one transaction; profiles whose cluster is unchanged keep
    /// their ids. Cancelling rolls everything back.
    pub fn rebuild_identity(
        &self,
        now: Timestamp,
        cancel: &AtomicBool,
        on_progress: &mut dyn FnMut(RebuildProgressDto),
    ) -> Result<RebuildSummaryDto, ApiError> {
        let started = std::time::Instant::now();
        let r = parlance_unify::rebuild(
            &self.warehouse,
            &Rules::default(),
            now,
            &mut |p| on_progress(RebuildProgressDto { phase: p.phase.into(), done: p.done, total: p.total }),
            cancel,
        )?;
        Ok(RebuildSummaryDto {
            records: r.records,
            unified: r.unified,
            quarantined: r.quarantined,
            released: r.released,
            profiles: r.profiles,
            profiles_kept_id: r.profiles_kept_id,
            identifiers: r.identifiers,
            merges: r.merges,
            keep_apart_rules: r.keep_apart_rules,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// Splits `profile` apart and keeps it apart: stores a keep-apart rule
    /// between every identifier that leaves and every one that stays, then
    /// re-resolves the profile's records. What leaves: `identifiers`
    /// (`KIND:VALUE`, each held by the profile) when given; else what merge
    /// `merge` brought in; else what its latest merge brought in (for a
    /// merged-away profile id: the merge that absorbed it).
    pub fn unmerge_profile(
        &self,
        profile: i64,
        identifiers: &[String],
        merge: Option<i64>,
        now: Timestamp,
    ) -> Result<UnmergeSummaryDto, ApiError> {
        let rules = Rules::default();
        let split = match (identifiers, merge) {
            ([], None) => Split::LatestMerge,
            ([], Some(m)) => Split::Merge(m),
            (list, None) => Split::Identifiers(
                list.iter().map(|t| parse_identifier(t, &rules)).collect::<Result<_, _>>()?,
            ),
            (_, Some(_)) => return Err(ApiError::invalid("give identifiers or a merge to undo, not both")),
        };
        let r = parlance_unify::unmerge(&self.warehouse, &rules, profile, &split, now)?;
        Ok(UnmergeSummaryDto {
            profile: r.profile,
            split_off: r.split_off,
            moved: r.moved.iter().map(identifier_dto).collect(),
            rules_added: r.rules_added,
            merges_undone: r.merges_undone,
            merges_redone: r.merges_redone,
            records: r.records,
        })
    }

    /// Every merge that formed the profile `query` names (a profile id or
    /// any identifier), each with its evidence; the keep-apart rules that
    /// bound it; and what its records carried that did not link.
    pub fn explain_profile(&self, query: &str) -> Result<ProfileExplanationDto, ApiError> {
        let reader = self.warehouse.reader()?;
        let found = parlance_identity::find_profile(&reader, &Rules::default(), query)?;
        let id = found.profile;
        let merges = parlance_identity::merge_history(&reader, id)
            .map_err(sql("reading merges"))?
            .into_iter()
            .map(|m| MergeEvidenceDto {
                merge_id: m.merge_id,
                kept_profile: m.kept_profile,
                merged_profile: m.merged_profile,
                merged_at: m.merged_at,
                undone_at: m.undone_at,
                rule: m.rule,
                identifier: m.identifier.as_ref().map(identifier_dto),
                linking_record: m.linking_record.map(record_dto),
                identifier_first_record: m.identifier_first_record.map(record_dto),
                absorbed_identifiers: m.absorbed_identifiers.iter().map(identifier_dto).collect(),
            })
            .collect();
        let keep_apart = parlance_identity::rules_of(&reader, id)
            .map_err(sql("reading keep-apart rules"))?
            .into_iter()
            .map(|r| KeepApartRuleDto {
                rule_id: r.rule.id,
                held: identifier_dto(&r.held),
                apart_from: identifier_dto(&r.other),
                apart_from_profile: r.other_profile,
                created_at: r.rule.created_at,
            })
            .collect();
        let unlinked = parlance_identity::unlinked_of(&reader, id)
            .map_err(sql("reading unlinked identifiers"))?
            .into_iter()
            .map(|u| UnlinkedIdentifierDto {
                kind: u.kind,
                value: u.value,
                reason: u.reason,
                detail: u.detail,
                records: u.records,
                held_by: u.held_by,
            })
            .collect();
        Ok(ProfileExplanationDto {
            matched: found.matched,
            summary: summary_of(&reader, id)?,
            identifiers: customer_identifiers(&reader, id)?,
            merges,
            keep_apart,
            unlinked,
        })
    }

    /// Profiles to look at before trusting them, with the default
    /// thresholds (documented on `parlance_identity::Thresholds`).
    pub fn suspicious_clusters(&self) -> Result<SuspiciousReportDto, ApiError> {
        let reader = self.warehouse.reader()?;
        let t = Thresholds::default();
        let r = parlance_identity::suspicious_clusters(&reader, &t)
            .map_err(sql("reporting suspicious clusters"))?;
        Ok(SuspiciousReportDto {
            profiles: r.profiles,
            thresholds: SuspicionThresholdsDto {
                per_family: t
                    .per_family
                    .iter()
                    .map(|(f, max)| FamilyThresholdDto { family: (*f).into(), max: *max })
                    .collect(),
                oversize_factor: t.oversize_factor,
                oversize_min_identifiers: t.oversize_min_identifiers,
                oversize_min_records: t.oversize_min_records,
                oversize_identifiers_over: r.oversize_identifiers_over,
                oversize_records_over: r.oversize_records_over,
                shared_min_other_profiles: t.shared_min_other_profiles,
                blocked_min_profiles: t.blocked_min_profiles,
                max_listed: t.max_listed as u64,
            },
            many_identifiers: r
                .many_identifiers
                .into_iter()
                .map(|m| ManyIdentifiersDto {
                    profile: m.profile,
                    family: m.family,
                    count: m.count,
                    threshold: m.threshold,
                })
                .collect(),
            many_identifiers_total: r.many_identifiers_total,
            oversized: r
                .oversized
                .into_iter()
                .map(|o| OversizedDto { profile: o.profile, identifiers: o.identifiers, records: o.records })
                .collect(),
            oversized_total: r.oversized_total,
            shared: r
                .shared
                .into_iter()
                .map(|s| SharedIdentifierDto {
                    kind: s.kind,
                    value: s.value,
                    held_by: s.held_by,
                    also_carried_by: s.also_carried_by,
                    other_profiles: s.other_profiles,
                })
                .collect(),
            shared_total: r.shared_total,
            blocked: r
                .blocked
                .into_iter()
                .map(|b| BlockedValueDto {
                    kind: b.kind,
                    value: b.value,
                    why: b.why,
                    profiles: b.profiles,
                    records: b.records,
                    sample_profiles: b.sample_profiles,
                })
                .collect(),
            blocked_total: r.blocked_total,
        })
    }
}
