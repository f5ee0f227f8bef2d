//! Journeys: path maps, funnels and lifecycle stage flows over the
//! touchpoints the published vocabulary defines, with drill-down to the
//! profiles behind any node, edge, step or flow, and their charts.
//!
//! The analyses are `parlance-journeys`' job; this module turns requests
//! into its options (a segment's members, a date range) and its results
//! into DTOs. Dates are interpreted as of the evaluation date (see
//! [`Parlance::evaluation_date`]), which the edges pass in as `today`.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use parlance_charts::{Funnel, FunnelBar, Sankey, SankeyLink, SankeyNode, Size, Theme};
use parlance_journeys as journeys;
use parlance_segments::Sandbox;
use parlance_segments::evaluate::evaluate;
use parlance_segments::store::{self, Published, published_program};
use parlance_vocabulary::{DefinitionKind, Program};
use parlance_warehouse::Timestamp;
use time::Date;

use crate::{
    ApiError, DrillDto, DrillRequestDto, ErrorCode, FunnelBreakdownDto, FunnelDto, FunnelRequestDto,
    FunnelStepDto, JourneyChoicesDto, JourneyFilterDto, Parlance, PathEdgeDto, PathMapDto, PathNodeDto,
    PathRequestDto, SavedSegmentDto, StageFlowDto, StageFlowRequestDto, StageFlowsDto, TouchpointLabelDto,
};

/// The conversion window when a request gives none.
const DEFAULT_WINDOW_DAYS: u32 = 30;
/// Stage flows cover this many months up to the evaluation date by default.
const DEFAULT_STAGE_MONTHS: u8 = 12;

fn journey_error(e: journeys::JourneyError) -> ApiError {
    ApiError::invalid(e.to_string())
}

fn parse_day(text: &str, what: &str) -> Result<Date, ApiError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), format)
        .map_err(|e| ApiError::invalid(format!("{what} {text:?} is not a date (YYYY-MM-DD): {e}")))
}

/// The last event log loaded. Loading is the slow part of an analysis (a
/// scan of the events); changing an analysis' options or drilling into it
/// reuses the log while the warehouse is unchanged.
#[derive(Default)]
pub(crate) struct LogCache {
    slot: Mutex<Option<CachedLog>>,
}

impl std::fmt::Debug for LogCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogCache")
    }
}

struct CachedLog {
    key: LogKey,
    /// Its own reader: `PRAGMA data_version` on a connection changes when
    /// any other connection commits, so it says whether the log is stale.
    reader: parlance_warehouse::Reader,
    data_version: i64,
    log: Arc<journeys::EventLog>,
}

#[derive(PartialEq)]
struct LogKey {
    filter: journeys::Filter,
    groups: bool,
    touchpoints: Option<(String, i64)>,
}

fn data_version(reader: &parlance_warehouse::Reader) -> Result<i64, ApiError> {
    reader
        .query_row("PRAGMA data_version", [], |r| r.get(0))
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("reading the warehouse's data version: {e}")))
}

/// What every analysis needs: the published vocabulary, its touchpoints,
/// and the filter resolved to profiles and dates.
struct Context {
    sandbox: Sandbox,
    program: Program,
    published: Vec<Published>,
    as_of: Date,
    filter: journeys::Filter,
}

impl Parlance {
    fn journey_context(&self, filter: &JourneyFilterDto, today: Date) -> Result<Context, ApiError> {
        let as_of = self.evaluation_date(None, today)?;
        let (sandbox, catalog) = self.catalog()?;
        let (program, published) = published_program(&sandbox, &catalog)?;
        let from = filter.from.as_deref().map(|t| parse_day(t, "from")).transpose()?;
        let to = filter.to.as_deref().map(|t| parse_day(t, "to")).transpose()?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(ApiError::invalid(format!("the date range starts ({from}) after it ends ({to})")));
        }
        let profiles = match filter.segment.as_deref() {
            Some(name) => {
                store::find(&published, Some(DefinitionKind::Segment), name)?;
                let mut members = evaluate(&sandbox, &program, name, as_of)?;
                members.sort_unstable();
                Some(members)
            }
            None => None,
        };
        Ok(Context { sandbox, program, published, as_of, filter: journeys::Filter { profiles, from, to } })
    }

    /// The event log for `context`: the cached one when the same filter,
    /// level and touchpoints version were loaded and nothing was written
    /// since; else loaded (and cached).
    fn journey_log(
        &self,
        context: &Context,
        groups: bool,
    ) -> Result<(journeys::Touchpoints, Arc<journeys::EventLog>), ApiError> {
        let touchpoints = journeys::Touchpoints::from_program(&context.program).map_err(journey_error)?;
        let level = if groups { journeys::Level::Group } else { journeys::Level::Label };
        let version = context
            .published
            .iter()
            .find(|d| d.kind == DefinitionKind::Touchpoints)
            .map(|d| (d.name.clone(), d.version));
        let key = LogKey { filter: context.filter.clone(), groups, touchpoints: version };
        let mut slot = self.journey_logs.slot.lock().map_err(|_| {
            ApiError::new(ErrorCode::Internal, "a journey analysis failed earlier; restart the app")
        })?;
        if let Some(cached) = slot.as_ref()
            && cached.key == key
            && data_version(&cached.reader)? == cached.data_version
        {
            return Ok((touchpoints, cached.log.clone()));
        }
        let reader = self.warehouse.reader()?;
        // Read before loading: a write during the load makes the entry stale, never wrongly fresh.
        let data_version = data_version(&reader)?;
        let log =
            Arc::new(journeys::load(&reader, &touchpoints, &context.filter, level).map_err(journey_error)?);
        *slot = Some(CachedLog { key, reader, data_version, log: log.clone() });
        Ok((touchpoints, log))
    }

    /// What the Journeys view's controls offer: segments, touchpoint labels,
    /// stages and the evaluation date.
    pub fn journey_choices(&self, today: Date) -> Result<JourneyChoicesDto, ApiError> {
        let context = self.journey_context(&JourneyFilterDto::default(), today)?;
        let touchpoints = journeys::Touchpoints::from_program(&context.program).map_err(journey_error)?;
        let mut segments: Vec<String> = context
            .published
            .iter()
            .filter(|d| d.kind == DefinitionKind::Segment)
            .map(|d| d.name.clone())
            .collect();
        segments.sort();
        Ok(JourneyChoicesDto {
            segments,
            labels: labels(&touchpoints, false),
            stages: stage_order(&context.program).unwrap_or_default(),
            as_of: context.as_of.to_string(),
        })
    }

    /// `journey paths`: the most travelled paths across touchpoints.
    pub fn journey_paths(&self, request: &PathRequestDto, today: Date) -> Result<PathMapDto, ApiError> {
        let started = Instant::now();
        let context = self.journey_context(&request.filter, today)?;
        let (touchpoints, log) = self.journey_log(&context, request.filter.groups)?;
        let map = journeys::paths(&log, &path_options(request)?).map_err(journey_error)?;
        Ok(PathMapDto {
            nodes: map
                .nodes
                .iter()
                .enumerate()
                .map(|(id, n)| PathNodeDto {
                    id: id as u32,
                    step: n.step as u32 + 1,
                    label: n.label.clone(),
                    profiles: n.profiles,
                    sequences: n.sequences,
                    drop_off: n.drop_off,
                })
                .collect(),
            edges: map
                .edges
                .iter()
                .map(|e| PathEdgeDto {
                    from: e.from as u32,
                    to: e.to as u32,
                    occurrences: e.occurrences,
                    profiles: e.profiles,
                    avg_seconds: e.avg_seconds,
                })
                .collect(),
            sequences: map.sequences,
            profiles: map.profiles,
            events: log.events() as u64,
            labels: labels(&touchpoints, request.filter.groups),
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// `journey funnel`: per-step conversion within a window, overall and
    /// per breakdown segment.
    pub fn journey_funnel(&self, request: &FunnelRequestDto, today: Date) -> Result<FunnelDto, ApiError> {
        let started = Instant::now();
        let context = self.journey_context(&request.filter, today)?;
        let (_, log) = self.journey_log(&context, request.filter.groups)?;
        let options = funnel_options(request);
        let result = journeys::funnel(&log, &options).map_err(journey_error)?;
        let mut breakdown = Vec::new();
        for segment in &request.breakdown {
            let mut filter = request.filter.clone();
            filter.segment = Some(segment.clone());
            let context = self.journey_context(&filter, today)?;
            let (_, log) = self.journey_log(&context, filter.groups)?;
            let part = journeys::funnel(&log, &options).map_err(journey_error)?;
            breakdown.push(FunnelBreakdownDto { segment: segment.clone(), steps: funnel_steps(&part) });
        }
        Ok(FunnelDto {
            steps: funnel_steps(&result),
            profiles_considered: result.profiles_considered,
            window_days: window_days(request),
            breakdown,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// `journey stages`: each profile's lifecycle stage at the end of every
    /// period, and the flows between consecutive periods.
    pub fn journey_stages(
        &self,
        request: &StageFlowRequestDto,
        today: Date,
    ) -> Result<StageFlowsDto, ApiError> {
        let started = Instant::now();
        let context = self.journey_context(&request.filter, today)?;
        let (snapshots, stages) = self.stage_snapshots(&context, request)?;
        let flows = journeys::stage_flows(&snapshots, &stages);
        Ok(StageFlowsDto {
            periods: flows.periods,
            stages: flows.stages,
            counts: flows.counts,
            flows: flows
                .flows
                .into_iter()
                .map(|f| StageFlowDto {
                    from_period: f.from_period as u32,
                    from: f.from,
                    to: f.to,
                    profiles: f.profiles,
                })
                .collect(),
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    fn stage_snapshots(
        &self,
        context: &Context,
        request: &StageFlowRequestDto,
    ) -> Result<(Snapshots, Vec<String>), ApiError> {
        let period = match request.period.as_deref().unwrap_or("month") {
            "month" => journeys::Period::Month,
            "quarter" => journeys::Period::Quarter,
            other => {
                return Err(ApiError::invalid(format!(
                    "period {other:?} is neither \"month\" nor \"quarter\""
                )));
            }
        };
        let to = context.filter.to.unwrap_or(context.as_of);
        let from = match context.filter.from {
            Some(from) => from,
            None => months_before(to, DEFAULT_STAGE_MONTHS)?,
        };
        let periods = journeys::periods(from, to, period);
        let stages = stage_order(&context.program)?;
        let snapshots = journeys::stage_snapshots(
            &context.sandbox,
            &context.program,
            &periods,
            context.filter.profiles.as_deref(),
        )
        .map_err(journey_error)?;
        Ok((snapshots, stages))
    }

    /// The profiles behind a path node or edge, a funnel step, or a stage
    /// flow: at most `limit` ids (ascending), and how many there are.
    pub fn journey_drill(
        &self,
        request: &DrillRequestDto,
        today: Date,
        limit: u32,
    ) -> Result<DrillDto, ApiError> {
        let (description, mut profiles) = match request {
            DrillRequestDto::PathNode { request, node } => {
                let (log, options, map) = self.path_map(request, today)?;
                let n = node_at(&map, *node)?;
                let ids = journeys::path_node_profiles(&log, &options, n);
                (format!("{} at step {}", n.label, n.step), ids)
            }
            DrillRequestDto::PathEdge { request, from, to } => {
                let (log, options, map) = self.path_map(request, today)?;
                let (a, b) = (node_at(&map, *from)?, node_at(&map, *to)?);
                let ids = journeys::path_edge_profiles(&log, &options, a, b);
                (format!("{} (step {}) → {} (step {})", a.label, a.step, b.label, b.step), ids)
            }
            DrillRequestDto::FunnelStep { request, step, reached } => {
                let context = self.journey_context(&request.filter, today)?;
                let (_, log) = self.journey_log(&context, request.filter.groups)?;
                let options = funnel_options(request);
                let ids = journeys::funnel_step_profiles(&log, &options, *step as usize, *reached)
                    .map_err(journey_error)?;
                let label = request.steps.get(*step as usize).cloned().unwrap_or_default();
                let what = if *reached { "reached" } else { "dropped before" };
                (format!("{what} step {} ({label})", step + 1), ids)
            }
            DrillRequestDto::StageFlow { request, period, from, to } => {
                let context = self.journey_context(&request.filter, today)?;
                let (snapshots, _) = self.stage_snapshots(&context, request)?;
                let name = snapshots.get(*period as usize).map(|(p, _)| p.clone()).ok_or_else(|| {
                    ApiError::invalid(format!(
                        "period {period} is not one of the {} periods",
                        snapshots.len()
                    ))
                })?;
                let ids = journeys::stage_flow_profiles(&snapshots, *period as usize, from, to);
                (format!("{from} → {to} after {name}"), ids)
            }
        };
        profiles.sort_unstable();
        let count = profiles.len() as u64;
        let truncated = profiles.len() > limit as usize;
        profiles.truncate(limit as usize);
        Ok(DrillDto { description, count, profiles, truncated })
    }

    /// Saves every profile behind a drill-down as a new segment in the
    /// vocabulary folder `dir`, and publishes it.
    #[allow(clippy::too_many_arguments)]
    pub fn journey_save_segment(
        &self,
        request: &DrillRequestDto,
        dir: &Path,
        name: &str,
        title: &str,
        author: &str,
        now: Timestamp,
        today: Date,
    ) -> Result<SavedSegmentDto, ApiError> {
        let drill = self.journey_drill(request, today, u32::MAX)?;
        if drill.count == 0 {
            return Err(ApiError::invalid(format!("no profiles to save: {} has none", drill.description)));
        }
        let description = format!("Saved from Journeys: {}", drill.description);
        let as_of = self.evaluation_date(None, today)?;
        self.save_profiles_as_segment(dir, name, title, &description, &drill.profiles, author, now, as_of)
    }

    fn path_map(
        &self,
        request: &PathRequestDto,
        today: Date,
    ) -> Result<(Arc<journeys::EventLog>, journeys::PathOptions, journeys::PathMap), ApiError> {
        let context = self.journey_context(&request.filter, today)?;
        let (_, log) = self.journey_log(&context, request.filter.groups)?;
        let options = path_options(request)?;
        let map = journeys::paths(&log, &options).map_err(journey_error)?;
        Ok((log, options, map))
    }
}

/// The path map as a Sankey diagram (SVG text); `theme` is "light" or "dark".
pub fn paths_svg(map: &PathMapDto, theme: &str, width: u32, height: u32) -> Result<String, ApiError> {
    let columns = map.nodes.iter().map(|n| n.step).max().unwrap_or(0);
    let sankey = Sankey {
        title: "Paths across touchpoints".into(),
        columns: (1..=columns).map(|s| format!("Step {s}")).collect(),
        nodes: map
            .nodes
            .iter()
            .map(|n| SankeyNode {
                column: n.step.saturating_sub(1) as usize,
                label: n.label.clone(),
                value: n.sequences,
            })
            .collect(),
        links: map
            .edges
            .iter()
            .map(|e| SankeyLink { from: e.from as usize, to: e.to as usize, value: e.occurrences })
            .collect(),
        unit: "sequences".into(),
    };
    drawn(parlance_charts::sankey(&sankey, chart_theme(theme)?, Size::new(width, height)))
}

/// The funnel as horizontal bars (SVG text).
pub fn funnel_svg(result: &FunnelDto, theme: &str, width: u32, height: u32) -> Result<String, ApiError> {
    let funnel = Funnel {
        title: format!("Funnel within {} days", result.window_days),
        steps: result.steps.iter().map(|s| FunnelBar { label: s.label.clone(), count: s.profiles }).collect(),
        unit: "profiles".into(),
    };
    drawn(parlance_charts::funnel(&funnel, chart_theme(theme)?, Size::new(width, height)))
}

/// Stage flows as a Sankey diagram, one column per period (SVG text).
pub fn stages_svg(flows: &StageFlowsDto, theme: &str, width: u32, height: u32) -> Result<String, ApiError> {
    drawn(parlance_charts::sankey(&stage_sankey(flows), chart_theme(theme)?, Size::new(width, height)))
}

/// One node per (period, stage) with members; links between consecutive periods.
fn stage_sankey(flows: &StageFlowsDto) -> Sankey {
    let mut nodes = Vec::new();
    let mut index = std::collections::HashMap::new();
    for (p, counts) in flows.counts.iter().enumerate() {
        for (s, &count) in counts.iter().enumerate() {
            if count > 0 {
                index.insert((p, flows.stages[s].as_str()), nodes.len());
                nodes.push(SankeyNode { column: p, label: flows.stages[s].clone(), value: count });
            }
        }
    }
    let links = flows
        .flows
        .iter()
        .filter_map(|f| {
            let p = f.from_period as usize;
            let from = *index.get(&(p, f.from.as_str()))?;
            let to = *index.get(&(p + 1, f.to.as_str()))?;
            Some(SankeyLink { from, to, value: f.profiles })
        })
        .collect();
    Sankey {
        title: "Lifecycle stage flows".into(),
        columns: flows.periods.clone(),
        nodes,
        links,
        unit: "profiles".into(),
    }
}

fn node_at(map: &journeys::PathMap, id: u32) -> Result<&journeys::PathNode, ApiError> {
    map.nodes.get(id as usize).ok_or_else(|| {
        ApiError::invalid(format!("node {id} is not in the path map (it has {} nodes)", map.nodes.len()))
    })
}

fn path_options(request: &PathRequestDto) -> Result<journeys::PathOptions, ApiError> {
    if request.steps < 2 {
        return Err(ApiError::invalid(format!("a path needs at least 2 steps, not {}", request.steps)));
    }
    if request.edges == 0 {
        return Err(ApiError::invalid("the edge limit must be at least 1"));
    }
    Ok(journeys::PathOptions {
        session_gap_seconds: request.session_gap_minutes.map(|m| i64::from(m) * 60),
        start: request.start.clone().filter(|s| !s.trim().is_empty()),
        end: request.end.clone().filter(|s| !s.trim().is_empty()),
        max_steps: request.steps as usize,
        min_edge_profiles: request.min_profiles,
        max_edges: request.edges as usize,
    })
}

fn window_days(request: &FunnelRequestDto) -> u32 {
    if request.window_days == 0 { DEFAULT_WINDOW_DAYS } else { request.window_days }
}

fn funnel_options(request: &FunnelRequestDto) -> journeys::FunnelOptions {
    journeys::FunnelOptions {
        steps: request.steps.clone(),
        window_seconds: i64::from(window_days(request)) * 86_400,
    }
}

fn funnel_steps(result: &journeys::FunnelResult) -> Vec<FunnelStepDto> {
    result
        .steps
        .iter()
        .map(|s| FunnelStepDto {
            label: s.label.clone(),
            profiles: s.profiles,
            conversion_from_previous: s.conversion_from_previous,
            conversion_from_first: s.conversion_from_first,
            median_seconds_from_previous: s.median_seconds_from_previous,
            avg_seconds_from_previous: s.avg_seconds_from_previous,
        })
        .collect()
}

fn labels(touchpoints: &journeys::Touchpoints, groups: bool) -> Vec<TouchpointLabelDto> {
    let mut labels: Vec<TouchpointLabelDto> = touchpoints
        .labels()
        .into_iter()
        .map(|l| TouchpointLabelDto {
            label: if groups { l.group.clone() } else { l.label },
            group: l.group,
            group_title: l.group_title,
        })
        .collect();
    labels.dedup_by(|a, b| a.label == b.label);
    labels
}

/// The first day of the month that makes `months` whole months up to and
/// including `day`'s month.
fn months_before(day: Date, months: u8) -> Result<Date, ApiError> {
    let index = day.year() * 12 + i32::from(u8::from(day.month())) - 1 - i32::from(months.saturating_sub(1));
    let month = time::Month::try_from((index.rem_euclid(12) + 1) as u8)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("date arithmetic: {e}")))?;
    Date::from_calendar_date(index.div_euclid(12), month, 1)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("date arithmetic: {e}")))
}

/// Each period's name and every profile's stage at its end.
type Snapshots = Vec<(String, Vec<(i64, String)>)>;

/// The stage names in the order the vocabulary lists them.
fn stage_order(program: &Program) -> Result<Vec<String>, ApiError> {
    let stages = program.stages().ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            "the published vocabulary has no `stages` definition to flow between",
        )
    })?;
    Ok(stages.stages().map(|s| s.name.name.clone()).collect())
}

fn chart_theme(text: &str) -> Result<Theme, ApiError> {
    Theme::parse(text)
        .ok_or_else(|| ApiError::invalid(format!("theme {text:?} is neither \"light\" nor \"dark\"")))
}

fn drawn(r: Result<String, parlance_charts::ChartError>) -> Result<String, ApiError> {
    r.map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
}

/// Rasterises a chart's SVG text to PNG (for `--png FILE`), at twice its size
/// so text stays sharp.
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, ApiError> {
    parlance_charts::svg_to_png(svg, 2.0).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
}
