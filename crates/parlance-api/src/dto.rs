//! Data transfer objects: what the UI and `--json` output see. camelCase on
//! the wire; counts are JavaScript numbers (exact below 2^53).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Everything the Overview shows; also `parlance status --json`.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OverviewDto {
    pub warehouse_path: String,
    #[ts(type = "number")]
    pub file_size_bytes: u64,
    #[ts(type = "number")]
    pub schema_version: i64,
    pub demo: Option<DemoInfoDto>,
    pub layers: LayersDto,
    pub sources: Vec<SourceDto>,
    pub recent_runs: Vec<RunDto>,
}

/// The shape of the demo company last generated into this warehouse.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DemoInfoDto {
    pub people: u32,
    #[ts(type = "number")]
    pub seed: u64,
    /// YYYY-MM-DD: the last day of the demo's history.
    pub as_of: String,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LayersDto {
    #[ts(type = "number")]
    pub landing: u64,
    #[ts(type = "number")]
    pub quarantined: u64,
    pub unified: Vec<TableCountDto>,
    pub derived: Vec<TableCountDto>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TableCountDto {
    pub table: String,
    pub label: String,
    #[ts(type = "number")]
    pub rows: u64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SourceDto {
    pub name: String,
    pub kind: String,
    #[ts(type = "number")]
    pub records: u64,
    pub streams: Vec<StreamDto>,
    pub last_run: Option<RunDto>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct StreamDto {
    pub stream: String,
    #[ts(type = "number")]
    pub records: u64,
    /// RFC 3339, UTC.
    pub last_fetched_at: Option<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RunDto {
    #[ts(type = "number")]
    pub id: i64,
    pub source: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// running | succeeded | failed | cancelled
    pub status: String,
    #[ts(type = "number")]
    pub inserted: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    pub error: Option<String>,
}

/// What to generate; every field has a default.
#[derive(Clone, Debug, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DemoOptionsDto {
    /// People behind the records (default 20,000).
    pub people: Option<u32>,
    #[ts(type = "number | null")]
    pub seed: Option<u64>,
    /// YYYY-MM-DD; default: the as-of date of the demo already in the
    /// warehouse (so a re-run changes nothing), else yesterday.
    pub as_of: Option<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DemoProgressDto {
    /// "landing" (people generated and landed), then "unifying" (records
    /// normalised and resolved into profiles).
    pub phase: String,
    pub people_done: u32,
    pub people_total: u32,
    /// Records landed (landing) or unified so far (unifying).
    #[ts(type = "number")]
    pub records: u64,
    /// Records to unify (unifying); 0 while landing.
    #[ts(type = "number")]
    pub records_total: u64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DemoSummaryDto {
    pub people: u32,
    pub as_of: String,
    #[ts(type = "number")]
    pub records: u64,
    #[ts(type = "number")]
    pub inserted: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    /// Records normalised into profiles by this run.
    #[ts(type = "number")]
    pub unified: u64,
    /// Records held in quarantine by this run, each with its reason.
    #[ts(type = "number")]
    pub quarantined: u64,
    pub seconds: f64,
}

/// What Settings shows about the app itself.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AppInfoDto {
    pub version: String,
    /// The warehouse file in use; null when no path could be determined.
    pub warehouse_path: Option<String>,
}

/// A landed record that could not be unified, with why.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct QuarantinedRecordDto {
    #[ts(type = "number")]
    pub landing_id: i64,
    pub source: String,
    pub stream: String,
    pub source_id: String,
    pub reason: String,
    pub first_seen: String,
    pub last_seen: String,
    #[ts(type = "number")]
    pub retries: i64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct QuarantineRetryDto {
    #[ts(type = "number")]
    pub retried: u64,
    #[ts(type = "number")]
    pub released: u64,
    #[ts(type = "number")]
    pub still_held: u64,
}

/// Identity resolution scored against the demo's truth, pairwise over records.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ResolutionScoreDto {
    #[ts(type = "number")]
    pub records: u64,
    #[ts(type = "number")]
    pub predicted_pairs: u64,
    #[ts(type = "number")]
    pub true_pairs: u64,
    #[ts(type = "number")]
    pub correct_pairs: u64,
    pub precision: f64,
    pub recall: f64,
}

/// Every exported DTO, for the bindings generator and its staleness test.
pub fn typescript_bindings() -> Vec<(&'static str, String)> {
    use crate::{ApiError, ErrorCode};
    fn decl<T: TS + 'static>() -> String {
        T::export_to_string().unwrap_or_else(|e| format!("// failed to export: {e}\n"))
    }
    vec![
        ("OverviewDto", decl::<OverviewDto>()),
        ("DemoInfoDto", decl::<DemoInfoDto>()),
        ("LayersDto", decl::<LayersDto>()),
        ("TableCountDto", decl::<TableCountDto>()),
        ("SourceDto", decl::<SourceDto>()),
        ("StreamDto", decl::<StreamDto>()),
        ("RunDto", decl::<RunDto>()),
        ("DemoOptionsDto", decl::<DemoOptionsDto>()),
        ("DemoProgressDto", decl::<DemoProgressDto>()),
        ("DemoSummaryDto", decl::<DemoSummaryDto>()),
        ("AppInfoDto", decl::<AppInfoDto>()),
        ("QuarantinedRecordDto", decl::<QuarantinedRecordDto>()),
        ("QuarantineRetryDto", decl::<QuarantineRetryDto>()),
        ("ResolutionScoreDto", decl::<ResolutionScoreDto>()),
        ("ApiError", decl::<ApiError>()),
        ("ErrorCode", decl::<ErrorCode>()),
    ]
}
