//! The app commands of the Segments view. Each calls one parlance-api
//! function; the edge reads the clock and finds the Downloads and
//! vocabulary folders.

use parlance_api::{
    ApiError, ExplanationDto, OverlapDto, SavedSegmentDto, SegmentExportDto, SegmentListItemDto,
    SegmentMembersPageDto, SegmentSizeDto, SegmentValueDto, Timestamp,
};
use tauri::State;

use crate::state::AppState;

/// The date segments are evaluated as of: the demo's last day on a demo
/// warehouse, else today.
fn as_of(state: &AppState) -> Result<time::Date, ApiError> {
    state.warehouse()?.evaluation_date(None, time::OffsetDateTime::now_utc().date())
}

#[tauri::command(async)]
pub fn segments_list(state: State<'_, AppState>) -> Result<Vec<SegmentListItemDto>, ApiError> {
    state.warehouse()?.segments_list()
}

#[tauri::command(async)]
pub fn segment_value(state: State<'_, AppState>, name: String) -> Result<SegmentValueDto, ApiError> {
    state.warehouse()?.segment_value(&name)
}

#[tauri::command(async)]
pub fn segment_sizes(state: State<'_, AppState>, name: String) -> Result<Vec<SegmentSizeDto>, ApiError> {
    state.warehouse()?.segment_sizes(&name)
}

#[tauri::command(async)]
pub fn segment_overlap(state: State<'_, AppState>) -> Result<Vec<OverlapDto>, ApiError> {
    state.warehouse()?.segment_overlap()
}

#[tauri::command(async)]
pub fn segment_sizes_svg(
    state: State<'_, AppState>,
    names: Vec<String>,
    theme: String,
    width: u32,
    height: u32,
) -> Result<String, ApiError> {
    state.warehouse()?.segment_sizes_svg(&names, &theme, width, height)
}

#[tauri::command(async)]
pub fn segment_overlap_svg(
    state: State<'_, AppState>,
    theme: String,
    width: u32,
    height: u32,
) -> Result<String, ApiError> {
    state.warehouse()?.segment_overlap_svg(&theme, width, height)
}

#[tauri::command(async)]
pub fn segment_members(
    state: State<'_, AppState>,
    name: String,
    search: String,
    offset: u64,
    limit: u32,
) -> Result<SegmentMembersPageDto, ApiError> {
    state.warehouse()?.segment_members(&name, &search, offset, limit)
}

#[tauri::command(async)]
pub fn segment_explain(
    state: State<'_, AppState>,
    name: String,
    profile: i64,
) -> Result<ExplanationDto, ApiError> {
    let day = as_of(&state)?;
    state.warehouse()?.segment_explain(&name, profile, day)
}

/// Writes the members as CSV into the user's Downloads folder (or
/// `$PARLANCE_EXPORT_DIR`) under a name that overwrites nothing; the DTO
/// carries the path to show.
#[tauri::command(async)]
pub fn segment_export(state: State<'_, AppState>, name: String) -> Result<SegmentExportDto, ApiError> {
    let downloads = parlance_api::export_dir()?;
    let day = as_of(&state)?;
    state.warehouse()?.segment_export_csv_in(&name, &downloads, day)
}

/// Saves a set of profiles (a drill-down) as a new segment in the
/// vocabulary folder and publishes it.
#[tauri::command(async)]
pub fn save_profiles_as_segment(
    state: State<'_, AppState>,
    name: String,
    title: String,
    description: String,
    profile_ids: Vec<i64>,
) -> Result<SavedSegmentDto, ApiError> {
    let folder = parlance_api::default_vocabulary_dir()?;
    let now = time::OffsetDateTime::now_utc();
    let today = as_of(&state)?;
    let author =
        std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "app".into());
    state.warehouse()?.save_profiles_as_segment(
        &folder,
        &name,
        &title,
        &description,
        &profile_ids,
        &author,
        Timestamp::new(now),
        today,
    )
}
