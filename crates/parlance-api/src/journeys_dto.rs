//! The journeys' requests and results on the wire (camelCase; see `dto`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which profiles and events a journey analysis looks at.
#[derive(Clone, Debug, Default, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase")]
pub struct JourneyFilterDto {
    /// A published segment's name: only its members (as of the evaluation date).
    pub segment: Option<String>,
    /// First day (YYYY-MM-DD, inclusive).
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD, inclusive).
    pub to: Option<String>,
    /// Touchpoint groups (`web`) instead of labels (`web:product_view`).
    pub groups: bool,
}

/// `journey paths`: the options of a path map.
#[derive(Clone, Debug, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase")]
pub struct PathRequestDto {
    pub filter: JourneyFilterDto,
    /// Split a profile's events into sessions after this many idle minutes
    /// (none: one sequence per profile).
    pub session_gap_minutes: Option<u32>,
    /// Start each sequence at the first occurrence of this label.
    pub start: Option<String>,
    /// End each sequence at the first occurrence of this label after the start.
    pub end: Option<String>,
    pub steps: u32,
    /// Edges followed by fewer distinct profiles are left out.
    #[ts(type = "number")]
    pub min_profiles: u64,
    /// At most this many edges, the heaviest.
    pub edges: u32,
}

impl Default for PathRequestDto {
    fn default() -> Self {
        Self {
            filter: JourneyFilterDto::default(),
            session_gap_minutes: None,
            start: None,
            end: None,
            steps: 5,
            min_profiles: 1,
            edges: 50,
        }
    }
}

/// A step of a path map: a label at a position.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PathNodeDto {
    /// Index in `nodes`, used by edges and drill-downs.
    pub id: u32,
    /// 1-based position in the sequence.
    pub step: u32,
    pub label: String,
    #[ts(type = "number")]
    pub profiles: u64,
    #[ts(type = "number")]
    pub sequences: u64,
    /// Sequences that end here.
    #[ts(type = "number")]
    pub drop_off: u64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PathEdgeDto {
    pub from: u32,
    pub to: u32,
    #[ts(type = "number")]
    pub occurrences: u64,
    #[ts(type = "number")]
    pub profiles: u64,
    pub avg_seconds: f64,
}

/// The path map, and the labels that exist (for anchors and funnel steps).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PathMapDto {
    pub nodes: Vec<PathNodeDto>,
    pub edges: Vec<PathEdgeDto>,
    #[ts(type = "number")]
    pub sequences: u64,
    #[ts(type = "number")]
    pub profiles: u64,
    #[ts(type = "number")]
    pub events: u64,
    pub labels: Vec<TouchpointLabelDto>,
    pub seconds: f64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TouchpointLabelDto {
    pub label: String,
    pub group: String,
    pub group_title: String,
}

/// `journey funnel`: ordered steps within a conversion window.
#[derive(Clone, Debug, Default, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase")]
pub struct FunnelRequestDto {
    pub filter: JourneyFilterDto,
    pub steps: Vec<String>,
    /// From the first step to the last; 0 means 30 days.
    pub window_days: u32,
    /// Segments to break the funnel down by (each its own funnel).
    pub breakdown: Vec<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FunnelStepDto {
    pub label: String,
    #[ts(type = "number")]
    pub profiles: u64,
    pub conversion_from_previous: f64,
    pub conversion_from_first: f64,
    pub median_seconds_from_previous: Option<f64>,
    pub avg_seconds_from_previous: Option<f64>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FunnelBreakdownDto {
    pub segment: String,
    pub steps: Vec<FunnelStepDto>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FunnelDto {
    pub steps: Vec<FunnelStepDto>,
    #[ts(type = "number")]
    pub profiles_considered: u64,
    pub window_days: u32,
    pub breakdown: Vec<FunnelBreakdownDto>,
    pub seconds: f64,
}

/// `journey stages`: lifecycle stages per period and the flows between them.
#[derive(Clone, Debug, Default, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase")]
pub struct StageFlowRequestDto {
    /// `segment`, `from` and `to` apply; `groups` does not.
    pub filter: JourneyFilterDto,
    /// "month" (default) or "quarter".
    pub period: Option<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct StageFlowDto {
    /// Index in `periods` of the period the flow leaves.
    pub from_period: u32,
    pub from: String,
    pub to: String,
    #[ts(type = "number")]
    pub profiles: u64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct StageFlowsDto {
    pub periods: Vec<String>,
    pub stages: Vec<String>,
    /// `counts[period][stage]`: profiles in the stage at the period's end.
    #[ts(type = "Array<Array<number>>")]
    pub counts: Vec<Vec<u64>>,
    pub flows: Vec<StageFlowDto>,
    pub seconds: f64,
}

/// What a drill-down selects, with the options of the analysis it came from.
#[derive(Clone, Debug, Deserialize, Serialize, TS)]
#[serde(tag = "kind")]
pub enum DrillRequestDto {
    #[serde(rename = "path-node")]
    PathNode { request: PathRequestDto, node: u32 },
    #[serde(rename = "path-edge")]
    PathEdge { request: PathRequestDto, from: u32, to: u32 },
    /// `reached: false`: reached the step before but not this one.
    #[serde(rename = "funnel-step")]
    FunnelStep { request: FunnelRequestDto, step: u32, reached: bool },
    #[serde(rename = "stage-flow")]
    StageFlow { request: StageFlowRequestDto, period: u32, from: String, to: String },
}

/// The profiles behind a node, edge, step or flow.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DrillDto {
    /// What was selected, in words ("web:home at step 1").
    pub description: String,
    #[ts(type = "number")]
    pub count: u64,
    /// Profile ids, ascending; at most `limit` of them.
    #[ts(type = "Array<number>")]
    pub profiles: Vec<i64>,
    pub truncated: bool,
}

/// A path map with its Sankey chart (SVG text), for the app.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ChartedPathMapDto {
    pub result: PathMapDto,
    pub svg: String,
}

/// A funnel with its chart (SVG text), for the app.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ChartedFunnelDto {
    pub result: FunnelDto,
    pub svg: String,
}

/// Stage flows with their Sankey chart (SVG text), for the app.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ChartedStageFlowsDto {
    pub result: StageFlowsDto,
    pub svg: String,
}

/// What the Journeys view's controls offer.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct JourneyChoicesDto {
    /// Published segments, by name.
    pub segments: Vec<String>,
    /// Touchpoint labels with their groups, in the vocabulary's order.
    pub labels: Vec<TouchpointLabelDto>,
    /// Lifecycle stages in order.
    pub stages: Vec<String>,
    /// YYYY-MM-DD: the date segments and stages are evaluated as of.
    pub as_of: String,
}
