//! Segments: evaluate, explain, export, size over time, overlap; and the
//! refresh of everything the vocabulary derives.

use std::path::Path;
use std::time::Instant;

use parlance_segments::Sandbox;
use parlance_segments::evaluate::{evaluate, explain};
use parlance_segments::membership::{current_members, overlap, sizes};
use parlance_segments::refresh::refresh_with;
use parlance_segments::store::{self, Published};
use parlance_vocabulary::{Catalog, Connective, DefinitionKind};
use parlance_warehouse::Timestamp;
use time::Date;

use crate::{
    ApiError, ClauseExplanationDto, ErrorCode, ExplanationDto, NamedCountDto, OperandValueDto, OverlapDto,
    Parlance, RefreshDto, SegmentEvaluationDto, SegmentExportDto, SegmentRefreshDto, SegmentSizeDto,
};

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal, e.to_string())
}

impl Parlance {
    /// The date to evaluate definitions as of: `given` (YYYY-MM-DD) when
    /// there is one; on a demo warehouse the last day of the demo's history
    /// (so its windows see its data); else `today`.
    pub fn evaluation_date(&self, given: Option<&str>, today: Date) -> Result<Date, ApiError> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        if let Some(text) = given {
            return Date::parse(text.trim(), format)
                .map_err(|e| ApiError::invalid(format!("as-of date {text:?} is not YYYY-MM-DD: {e}")));
        }
        let reader = self.warehouse.reader()?;
        let demo = parlance_warehouse::read_setting(&reader, parlance_demo::DEMO_SETTING_KEY)?;
        Ok(demo
            .as_ref()
            .and_then(|v| v.get("as_of")?.as_str().map(str::to_owned))
            .and_then(|t| Date::parse(&t, format).ok())
            .unwrap_or(today))
    }

    pub(crate) fn refresh_with(
        &self,
        sandbox: &Sandbox,
        catalog: &Catalog,
        today: Date,
        now: Timestamp,
    ) -> Result<RefreshDto, ApiError> {
        let started = Instant::now();
        let r = refresh_with(&self.warehouse, sandbox, catalog, today, now)?;
        Ok(RefreshDto {
            segments: r
                .segments
                .into_iter()
                .map(|(name, version, c)| SegmentRefreshDto {
                    name,
                    version,
                    members: c.members,
                    entered: c.entered,
                    left: c.left,
                })
                .collect(),
            scores: r.scores.into_iter().map(|(name, count)| NamedCountDto { name, count }).collect(),
            stages: r.stages.into_iter().map(|(name, count)| NamedCountDto { name, count }).collect(),
            failures: r.failures.into_iter().map(|(what, why)| format!("{what}: {why}")).collect(),
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// Re-evaluates every published segment, score and the stages as of
    /// `today`, recording entered/left memberships, scores and stage changes at `now`.
    pub fn refresh_vocabulary(&self, today: Date, now: Timestamp) -> Result<RefreshDto, ApiError> {
        let (sandbox, catalog) = self.catalog()?;
        self.refresh_with(&sandbox, &catalog, today, now)
    }

    fn segment_program(
        &self,
        name: &str,
    ) -> Result<(Sandbox, parlance_vocabulary::Program, Published), ApiError> {
        let (sandbox, catalog) = self.catalog()?;
        let (program, defs) = store::published_program(&sandbox, &catalog)?;
        let def = store::find(&defs, Some(DefinitionKind::Segment), name)?.clone();
        Ok((sandbox, program, def))
    }

    /// `segment eval`: the members of a published segment as of `as_of`.
    pub fn segment_evaluate(&self, name: &str, as_of: Date) -> Result<SegmentEvaluationDto, ApiError> {
        let (sandbox, program, def) = self.segment_program(name)?;
        let started = Instant::now();
        let profiles = evaluate(&sandbox, &program, name, as_of)?;
        Ok(SegmentEvaluationDto {
            name: name.into(),
            version: def.version,
            as_of: as_of.to_string(),
            members: profiles.len() as u64,
            profiles,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// `segment eval --explain`: why `profile` is in or out, clause by clause.
    pub fn segment_explain(&self, name: &str, profile: i64, as_of: Date) -> Result<ExplanationDto, ApiError> {
        let (sandbox, program, _) = self.segment_program(name)?;
        let e = explain(&sandbox, &program, name, profile, as_of)?;
        Ok(ExplanationDto {
            segment: e.segment,
            profile: e.profile,
            member: e.member,
            merged_into: e.merged_into,
            connective: match e.connective {
                Connective::All => "all".into(),
                Connective::Any => "any".into(),
            },
            clauses: e
                .clauses
                .into_iter()
                .map(|c| ClauseExplanationDto {
                    text: c.text,
                    at: c.at,
                    holds: c.holds,
                    values: c
                        .values
                        .into_iter()
                        .map(|(expr, value)| OperandValueDto { expr, value })
                        .collect(),
                })
                .collect(),
        })
    }

    /// `segment export --csv`: the members as of `as_of` with their profile
    /// id, primary email, value, tier and when they entered the segment.
    pub fn segment_export_csv(
        &self,
        name: &str,
        path: &Path,
        as_of: Date,
    ) -> Result<SegmentExportDto, ApiError> {
        let (sandbox, program, def) = self.segment_program(name)?;
        let members = evaluate(&sandbox, &program, name, as_of)?;
        let entered: std::collections::BTreeMap<i64, String> =
            current_members(&sandbox, def.id)?.into_iter().collect();
        let io = |e: csv::Error| ApiError::new(ErrorCode::Io, format!("{}: {e}", path.display()));
        let mut out = csv::Writer::from_path(path).map_err(io)?;
        out.write_record(["profile_id", "primary_email", "value", "tier", "entered_at"]).map_err(io)?;
        let mut stmt = sandbox
            .prepare(
                "SELECT (SELECT value FROM identifiers WHERE profile_id = ?1 AND kind = 'email' ORDER BY first_seen, id LIMIT 1),
                        (SELECT value FROM profile_value WHERE profile_id = ?1),
                        (SELECT tier FROM profile_value WHERE profile_id = ?1)",
            )
            .map_err(internal)?;
        for p in &members {
            let (email, value, tier): (Option<String>, Option<f64>, Option<String>) =
                stmt.query_row([p], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(internal)?;
            out.write_record([
                p.to_string(),
                email.unwrap_or_default(),
                value.map(|v| format!("{v:.2}")).unwrap_or_default(),
                tier.unwrap_or_default(),
                entered.get(p).cloned().unwrap_or_default(),
            ])
            .map_err(io)?;
        }
        out.flush().map_err(|e| ApiError::new(ErrorCode::Io, format!("{}: {e}", path.display())))?;
        Ok(SegmentExportDto { path: path.display().to_string(), rows: members.len() as u64 })
    }

    /// A segment's size at every moment it changed (from entered/left times).
    pub fn segment_sizes(&self, name: &str) -> Result<Vec<SegmentSizeDto>, ApiError> {
        let reader = self.warehouse.reader()?;
        let defs = store::published(&reader)?;
        let def = store::find(&defs, Some(DefinitionKind::Segment), name)?;
        Ok(sizes(&reader, def.id)?
            .into_iter()
            .map(|p| SegmentSizeDto { at: p.at, members: p.members })
            .collect())
    }

    /// Members shared by every pair of published segments (the diagonal is
    /// each segment's size).
    pub fn segment_overlap(&self) -> Result<Vec<OverlapDto>, ApiError> {
        let reader = self.warehouse.reader()?;
        let segments: Vec<(i64, String)> = store::published(&reader)?
            .into_iter()
            .filter(|d| d.kind == DefinitionKind::Segment)
            .map(|d| (d.id, d.name))
            .collect();
        Ok(overlap(&reader, &segments)?
            .into_iter()
            .map(|o| OverlapDto { a: o.a, b: o.b, both: o.both })
            .collect())
    }
}
