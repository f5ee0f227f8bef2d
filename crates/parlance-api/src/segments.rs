//! Segments: evaluate, explain, export, size over time, overlap; and the
//! refresh of everything the vocabulary derives.

use std::path::Path;
use std::time::Instant;

use parlance_charts::{ChartError, Size, Theme};
use parlance_segments::Sandbox;
use parlance_segments::evaluate::{evaluate, explain};
use parlance_segments::membership::{current_members, overlap, sizes};
use parlance_segments::refresh::refresh_with;
use parlance_segments::store::{self, Published};
use parlance_vocabulary::{Catalog, Connective, DefinitionKind};
use parlance_warehouse::{Timestamp, params};
use time::Date;

use crate::{
    ApiError, ClauseExplanationDto, ErrorCode, ExplanationDto, NamedCountDto, OperandValueDto, OverlapDto,
    Parlance, RefreshDto, SavedSegmentDto, SegmentEvaluationDto, SegmentExportDto, SegmentListItemDto,
    SegmentMemberDto, SegmentMembersPageDto, SegmentRefreshDto, SegmentSizeDto, SegmentTierDto,
    SegmentValueDto,
};

/// Most members one page of the members table holds.
const MAX_PAGE: u32 = 500;

/// The current members of definition `?1` (open rows, any version).
const CURRENT_MEMBERS: &str = "SELECT m.profile_id AS id, m.entered_at FROM segment_membership m
     JOIN definition_versions v ON v.id = m.definition_version_id
     WHERE v.definition_id = ?1 AND m.left_at IS NULL";

/// The newest text value of trait `key` for profile `p.id`, as in the
/// customer view's name.
macro_rules! newest_trait {
    ($key:literal) => {
        concat!(
            "(SELECT json_extract(t.value_json, '$') FROM traits t WHERE t.profile_id = c.id AND t.key = '",
            $key,
            "' AND json_type(t.value_json) = 'text' ORDER BY t.observed_at DESC LIMIT 1)"
        )
    };
}

/// Every current member of definition `?1` with its name ("First Last",
/// else the `name` trait), first email, value and tier; searched by `?2`
/// (the whole id, or a `LIKE` pattern on name and email), paged by `?3`/`?4`.
const MEMBERS_PAGE: &str = concat!(
    "WITH c AS (",
    "SELECT m.profile_id AS id, m.entered_at FROM segment_membership m
     JOIN definition_versions v ON v.id = m.definition_version_id
     WHERE v.definition_id = ?1 AND m.left_at IS NULL",
    "), x AS (SELECT c.id, c.entered_at,
       coalesce(nullif(trim(coalesce(",
    newest_trait!("first_name"),
    ", '') || ' ' || coalesce(",
    newest_trait!("last_name"),
    ", '')), ''), ",
    newest_trait!("name"),
    ") AS name,
       (SELECT i.value FROM identifiers i WHERE i.profile_id = c.id AND i.kind = 'email'
         ORDER BY i.first_seen, i.id LIMIT 1) AS email,
       pv.value, pv.tier
     FROM c LEFT JOIN profile_value pv ON pv.profile_id = c.id)
   SELECT id, name, email, value, tier, entered_at, count(*) OVER () FROM x
   WHERE ?2 = '' OR CAST(id AS TEXT) = ?2
      OR lower(coalesce(name, '')) LIKE ?5 ESCAPE '\\' OR lower(coalesce(email, '')) LIKE ?5 ESCAPE '\\'
   ORDER BY id LIMIT ?3 OFFSET ?4"
);

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal, e.to_string())
}

fn theme(text: &str) -> Result<Theme, ApiError> {
    Theme::parse(text)
        .ok_or_else(|| ApiError::invalid(format!("theme {text:?} is neither \"light\" nor \"dark\"")))
}

fn drawn(r: Result<String, ChartError>) -> Result<String, ApiError> {
    r.map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
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

/// `(members, total value, members with a value)` per tier of definition `id`'s members.
fn tier_mix(conn: &parlance_warehouse::Connection, id: i64) -> Result<Vec<SegmentTierDto>, ApiError> {
    let sql = format!(
        "SELECT pv.tier, count(*), total(pv.value), avg(pv.value) FROM ({CURRENT_MEMBERS}) c
         LEFT JOIN profile_value pv ON pv.profile_id = c.id
         GROUP BY pv.tier ORDER BY pv.tier IS NULL, avg(pv.value) DESC, pv.tier"
    );
    let what = |e: parlance_warehouse::SqliteError| internal(format!("reading the members' value: {e}"));
    let mut stmt = conn.prepare(&sql).map_err(what)?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(SegmentTierDto {
                tier: r.get(0)?,
                members: r.get::<_, i64>(1)?.max(0) as u64,
                total_value: r.get(2)?,
            })
        })
        .map_err(what)?;
    rows.collect::<Result<_, _>>().map_err(what)
}

/// Total, mean and tier mix from the tier rows.
fn value_of(name: &str, tiers: Vec<SegmentTierDto>) -> SegmentValueDto {
    let members = tiers.iter().map(|t| t.members).sum();
    let valued: u64 = tiers.iter().filter(|t| t.tier.is_some()).map(|t| t.members).sum();
    // Folded from +0.0: an empty f64 sum is -0.0, shown as "-£0.00".
    let total_value = tiers.iter().fold(0.0, |sum, t| sum + t.total_value);
    let mean_value = (valued > 0).then(|| total_value / valued as f64);
    SegmentValueDto { name: name.into(), members, total_value, mean_value, tiers }
}

/// The latest instant any membership changed: the latest recorded refresh.
fn latest_refresh(conn: &parlance_warehouse::Connection) -> Result<Option<String>, ApiError> {
    conn.query_row(
        "SELECT max(at) FROM (SELECT max(entered_at) AS at FROM segment_membership
                              UNION ALL SELECT max(left_at) FROM segment_membership)",
        [],
        |r| r.get(0),
    )
    .map_err(|e| internal(format!("reading the latest refresh: {e}")))
}

/// Entered minus left at `at` for definition `id`.
fn change_at(conn: &parlance_warehouse::Connection, id: i64, at: &str) -> Result<i64, ApiError> {
    conn.query_row(
        "SELECT total(m.entered_at = ?2) - total(m.left_at IS NOT NULL AND m.left_at = ?2)
         FROM segment_membership m JOIN definition_versions v ON v.id = m.definition_version_id
         WHERE v.definition_id = ?1 AND (m.entered_at = ?2 OR m.left_at = ?2)",
        params![id, at],
        |r| r.get::<_, f64>(0),
    )
    .map(|n| n as i64)
    .map_err(|e| internal(format!("reading the latest change: {e}")))
}

/// One point per day (the size at the end of the day), for the trend chart.
fn daily(points: &[SegmentSizeDto]) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = Vec::new();
    for p in points {
        let day = p.at.get(..10).unwrap_or(&p.at).to_owned();
        match out.last_mut() {
            Some(last) if last.0 == day => last.1 = p.members,
            _ => out.push((day, p.members)),
        }
    }
    out
}

/// Whether `name` is an identifier of the language: a letter or `_`, then
/// letters, digits and `_` (ASCII).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A string literal of the language.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The text of a segment of exactly the profiles `ids`.
fn profiles_segment_text(name: &str, title: &str, description: &str, ids: &[i64]) -> String {
    let mut text = format!("segment {name}");
    if !title.trim().is_empty() {
        text.push(' ');
        text.push_str(&quoted(title.trim()));
    }
    text.push('\n');
    if !description.trim().is_empty() {
        text.push_str(&format!("  description {}\n", quoted(description.trim())));
    }
    let list: Vec<String> = ids.iter().map(ToString::to_string).collect();
    text.push_str(&format!("  where profile.id in [{}]\n", list.join(", ")));
    text
}

impl Parlance {
    /// The Segments view's list: every published segment with its owner,
    /// tags, current members, the change at the latest refresh, and the
    /// total and mean universal value of its members.
    pub fn segments_list(&self) -> Result<Vec<SegmentListItemDto>, ApiError> {
        let summaries = self.vocabulary_list()?;
        let reader = self.warehouse.reader()?;
        let defs = store::published(&reader)?;
        let latest = latest_refresh(&reader)?;
        let mut out = Vec::new();
        for s in summaries.into_iter().filter(|s| s.kind == DefinitionKind::Segment.keyword()) {
            let def = store::find(&defs, Some(DefinitionKind::Segment), &s.name)?;
            let value = value_of(&s.name, tier_mix(&reader, def.id)?);
            let change = match &latest {
                Some(at) => change_at(&reader, def.id, at)?,
                None => 0,
            };
            out.push(SegmentListItemDto {
                name: s.name,
                title: s.title,
                owner: s.owner,
                tags: s.tags,
                version: def.version,
                members: value.members,
                change,
                total_value: value.total_value,
                mean_value: value.mean_value,
            });
        }
        Ok(out)
    }

    /// The value of a segment's current members: total, mean, tier mix.
    pub fn segment_value(&self, name: &str) -> Result<SegmentValueDto, ApiError> {
        let reader = self.warehouse.reader()?;
        let defs = store::published(&reader)?;
        let def = store::find(&defs, Some(DefinitionKind::Segment), name)?;
        Ok(value_of(name, tier_mix(&reader, def.id)?))
    }

    /// A page of a segment's current members by profile id, filtered by
    /// `search` (a whole profile id, or part of a name or email; case-insensitive).
    pub fn segment_members(
        &self,
        name: &str,
        search: &str,
        offset: u64,
        limit: u32,
    ) -> Result<SegmentMembersPageDto, ApiError> {
        let reader = self.warehouse.reader()?;
        let defs = store::published(&reader)?;
        let def = store::find(&defs, Some(DefinitionKind::Segment), name)?;
        let search = search.trim();
        let escaped: String = search
            .to_lowercase()
            .chars()
            .flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] })
            .collect();
        let pattern = format!("%{escaped}%");
        let limit = i64::from(limit.clamp(1, MAX_PAGE));
        let offset =
            i64::try_from(offset).map_err(|_| ApiError::invalid(format!("offset {offset} is too large")))?;
        let what =
            |e: parlance_warehouse::SqliteError| internal(format!("reading the members of {name}: {e}"));
        let mut stmt = reader.prepare(MEMBERS_PAGE).map_err(what)?;
        let mut total = 0u64;
        let rows = stmt
            .query_map(params![def.id, search, limit, offset, pattern], |r| {
                total = r.get::<_, i64>(6)?.max(0) as u64;
                Ok(SegmentMemberDto {
                    profile_id: r.get(0)?,
                    name: r.get(1)?,
                    email: r.get(2)?,
                    value: r.get(3)?,
                    tier: r.get(4)?,
                    entered_at: r.get(5)?,
                })
            })
            .map_err(what)?;
        let members: Vec<SegmentMemberDto> = rows.collect::<Result<_, _>>().map_err(what)?;
        drop(stmt);
        if members.is_empty() && offset > 0 {
            // Past the end: the count still matters to the pager.
            let counted = self.segment_members(name, search, 0, 1)?;
            total = counted.total;
        }
        Ok(SegmentMembersPageDto {
            segment: name.into(),
            search: search.into(),
            total,
            offset: offset as u64,
            members,
        })
    }

    /// The size over time of the named segments (one line each, one point
    /// per day) as SVG text. `theme` is "light" or "dark".
    pub fn segment_sizes_svg(
        &self,
        names: &[String],
        theme_name: &str,
        width: u32,
        height: u32,
    ) -> Result<String, ApiError> {
        let theme = theme(theme_name)?;
        let mut series = Vec::with_capacity(names.len());
        for name in names {
            let points = daily(&self.segment_sizes(name)?);
            series.push(parlance_charts::SizeSeries { name: name.clone(), points });
        }
        let title = if names.len() == 1 { "Members over time" } else { "Segment sizes over time" };
        drawn(parlance_charts::size_trend(&series, title, theme, Size::new(width, height)))
    }

    /// Members shared by every pair of published segments as a heat-map (SVG text).
    pub fn segment_overlap_svg(&self, theme_name: &str, width: u32, height: u32) -> Result<String, ApiError> {
        let theme = theme(theme_name)?;
        let pairs = self.segment_overlap()?;
        let mut names: Vec<String> = Vec::new();
        for p in &pairs {
            if p.a == p.b {
                names.push(p.a.clone());
            }
        }
        let index = |n: &str| names.iter().position(|x| x == n);
        let mut shared = vec![vec![0u64; names.len()]; names.len()];
        for p in &pairs {
            if let (Some(i), Some(j)) = (index(&p.a), index(&p.b)) {
                shared[i][j] = p.both;
                shared[j][i] = p.both;
            }
        }
        let sizes = (0..names.len()).map(|i| shared[i][i]).collect();
        let data = parlance_charts::OverlapMatrix { names, sizes, shared };
        drawn(parlance_charts::overlap_heatmap(&data, theme, Size::new(width, height)))
    }

    /// Saves the profiles `ids` as a new segment `name` — a file
    /// `NAME.parlance` in the vocabulary folder `dir` whose condition is
    /// `profile.id in [...]` — and publishes the folder. Ids that are not
    /// live profiles are left out and reported; a name already used by a
    /// published segment or a file of the folder is refused.
    #[allow(clippy::too_many_arguments)]
    pub fn save_profiles_as_segment(
        &self,
        dir: &Path,
        name: &str,
        title: &str,
        description: &str,
        ids: &[i64],
        author: &str,
        now: Timestamp,
        today: Date,
    ) -> Result<SavedSegmentDto, ApiError> {
        if !is_identifier(name) {
            return Err(ApiError::invalid(format!(
                "{name:?} is not a segment name: use a letter or _ first, then letters, digits or _ (no spaces \
                 or dashes), e.g. \"spring_drilldown\""
            )));
        }
        let (live, missing) = self.live_profiles(ids)?;
        if live.is_empty() {
            return Err(ApiError::invalid(format!(
                "none of the {} profile ids given is a live profile: nothing to save",
                ids.len()
            )));
        }
        // The starter vocabulary first: seeding only fills an empty folder,
        // and publishing a folder without it would remove it.
        parlance_segments::starter::seed_folder(dir)?;
        let file = format!("{name}.parlance");
        let path = dir.join(&file);
        let taken = {
            let reader = self.warehouse.reader()?;
            store::published(&reader)?.iter().any(|d| d.kind == DefinitionKind::Segment && d.name == name)
        };
        if taken || path.exists() || self.folder_defines(dir, name)? {
            return Err(ApiError::invalid(format!(
                "a segment named `{name}` already exists (in the vocabulary or as {}); choose another name",
                path.display()
            )));
        }
        let text = profiles_segment_text(name, title, description, &live);
        std::fs::write(&path, &text)
            .map_err(|e| ApiError::new(ErrorCode::Io, format!("cannot write {}: {e}", path.display())))?;
        let message = format!("save {} profiles as segment {name}", live.len());
        let sync = match self.vocabulary_sync(dir, author, &message, today, now) {
            Ok(sync) => sync,
            Err(e) => return Err(self.undo_save(&path, e)),
        };
        let Some(refreshed) = sync.refresh.segments.iter().find(|s| s.name == name) else {
            let why = sync
                .diagnostics
                .iter()
                .filter(|d| d.file == file)
                .map(|d| format!("{}:{}: {}", d.line, d.column, d.message))
                .collect::<Vec<_>>()
                .join("; ");
            return Err(
                self.undo_save(&path, ApiError::invalid(format!("segment {name} was not published: {why}")))
            );
        };
        Ok(SavedSegmentDto {
            definition: self.vocabulary_show(Some("segment"), name)?,
            file: path.display().to_string(),
            members: refreshed.members,
            missing,
        })
    }

    /// Removes a file that failed to publish (so the folder stays as it
    /// was), returning the error that caused it.
    fn undo_save(&self, path: &Path, error: ApiError) -> ApiError {
        match std::fs::remove_file(path) {
            Ok(()) => error,
            Err(e) => ApiError::new(
                error.code,
                format!("{}; and {} could not be removed: {e}", error.message, path.display()),
            ),
        }
    }

    /// Whether a file of the folder defines a segment `name`.
    fn folder_defines(&self, dir: &Path, name: &str) -> Result<bool, ApiError> {
        let (_, catalog) = self.catalog()?;
        let checked = parlance_segments::check_folder(dir, &catalog)?;
        Ok(checked.definitions.iter().any(|d| d.kind == DefinitionKind::Segment && d.name == name))
    }

    /// `ids` split into live profiles (ascending, no duplicates) and the rest.
    fn live_profiles(&self, ids: &[i64]) -> Result<(Vec<i64>, Vec<i64>), ApiError> {
        let reader = self.warehouse.reader()?;
        let what = |e: parlance_warehouse::SqliteError| internal(format!("looking up profiles: {e}"));
        let mut stmt = reader
            .prepare("SELECT EXISTS (SELECT 1 FROM profiles WHERE id = ?1 AND merged_into IS NULL)")
            .map_err(what)?;
        let unique: std::collections::BTreeSet<i64> = ids.iter().copied().collect();
        let (mut live, mut missing) = (Vec::new(), Vec::new());
        for id in unique {
            if stmt.query_row([id], |r| r.get::<_, bool>(0)).map_err(what)? {
                live.push(id);
            } else {
                missing.push(id);
            }
        }
        Ok((live, missing))
    }
}

/// `NAME-YYYY-MM-DD.csv` in `dir`, or `NAME-YYYY-MM-DD-2.csv`, … when
/// taken (as [`crate::write_export`] names files): an export never
/// overwrites a file.
fn free_export_path(dir: &Path, name: &str, day: Date) -> std::path::PathBuf {
    let first = dir.join(format!("{name}-{day}.csv"));
    if !first.exists() {
        return first;
    }
    (2u32..).map(|n| dir.join(format!("{name}-{day}-{n}.csv"))).find(|p| !p.exists()).unwrap_or(first)
}

impl Parlance {
    /// The app's export: a segment's members as CSV in the folder `dir`
    /// (the user's Downloads), named after the segment and `as_of`
    /// without overwriting an existing file.
    pub fn segment_export_csv_in(
        &self,
        name: &str,
        dir: &Path,
        as_of: Date,
    ) -> Result<SegmentExportDto, ApiError> {
        // Before touching the disk: an unknown segment is not-found.
        self.segment_program(name)?;
        std::fs::create_dir_all(dir).map_err(|e| {
            ApiError::new(ErrorCode::Io, format!("cannot create the folder {}: {e}", dir.display()))
        })?;
        self.segment_export_csv(name, &free_export_path(dir, name, as_of), as_of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_segment_is_worth_plus_zero() {
        let v = value_of("empty", Vec::new());
        assert!(v.total_value == 0.0 && v.total_value.is_sign_positive());
        assert_eq!((v.members, v.mean_value), (0, None));
    }

    #[test]
    fn segment_text_quotes_and_lists() {
        let text = profiles_segment_text("d", "Say \"hi\"\\", "", &[3, 1]);
        assert_eq!(text, "segment d \"Say \\\"hi\\\"\\\\\"\n  where profile.id in [3, 1]\n");
        assert!(is_identifier("_a1") && !is_identifier("a b") && !is_identifier("") && !is_identifier("é"));
        assert_eq!(
            daily(&[
                SegmentSizeDto { at: "2025-01-01T08:00:00Z".into(), members: 3 },
                SegmentSizeDto { at: "2025-01-01T09:00:00Z".into(), members: 5 },
                SegmentSizeDto { at: "2025-01-02T09:00:00Z".into(), members: 4 },
            ]),
            vec![("2025-01-01".to_owned(), 5), ("2025-01-02".to_owned(), 4)]
        );
    }
}
