//! The app commands of the Journeys view. Each calls one parlance-api
//! function on a blocking thread; the edge reads the clock.

use parlance_api::{
    ApiError, ChartedFunnelDto, ChartedPathMapDto, ChartedStageFlowsDto, DrillDto, DrillRequestDto,
    ErrorCode, FunnelRequestDto, PathRequestDto, StageFlowRequestDto,
};
use tauri::State;

use crate::state::AppState;

/// Profile ids a drill-down returns at most; the count is always exact.
const DRILL_LIMIT: u32 = 500;

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tauri::async_runtime::spawn_blocking(work).await.map_err(|error| {
        ApiError::new(ErrorCode::Internal, format!("the work stopped unexpectedly: {error}"))
    })?
}

#[tauri::command]
pub async fn journey_paths(
    state: State<'_, AppState>,
    request: PathRequestDto,
    theme: String,
    width: u32,
    height: u32,
) -> Result<ChartedPathMapDto, ApiError> {
    let warehouse = state.warehouse()?;
    blocking(move || {
        let result = warehouse.journey_paths(&request, today())?;
        let svg = parlance_api::paths_svg(&result, &theme, width, height)?;
        Ok(ChartedPathMapDto { result, svg })
    })
    .await
}

#[tauri::command]
pub async fn journey_funnel(
    state: State<'_, AppState>,
    request: FunnelRequestDto,
    theme: String,
    width: u32,
    height: u32,
) -> Result<ChartedFunnelDto, ApiError> {
    let warehouse = state.warehouse()?;
    blocking(move || {
        let result = warehouse.journey_funnel(&request, today())?;
        let svg = parlance_api::funnel_svg(&result, &theme, width, height)?;
        Ok(ChartedFunnelDto { result, svg })
    })
    .await
}

#[tauri::command]
pub async fn journey_stages(
    state: State<'_, AppState>,
    request: StageFlowRequestDto,
    theme: String,
    width: u32,
    height: u32,
) -> Result<ChartedStageFlowsDto, ApiError> {
    let warehouse = state.warehouse()?;
    blocking(move || {
        let result = warehouse.journey_stages(&request, today())?;
        let svg = parlance_api::stages_svg(&result, &theme, width, height)?;
        Ok(ChartedStageFlowsDto { result, svg })
    })
    .await
}

#[tauri::command]
pub async fn journey_drill(
    state: State<'_, AppState>,
    request: DrillRequestDto,
) -> Result<DrillDto, ApiError> {
    let warehouse = state.warehouse()?;
    blocking(move || warehouse.journey_drill(&request, today(), DRILL_LIMIT)).await
}

/// Writes a chart's SVG into the export folder (Downloads); returns the path.
#[tauri::command(async)]
pub fn journey_export_chart(svg: String, name: String) -> Result<String, ApiError> {
    let dir = parlance_api::export_dir()?;
    let path = parlance_api::write_export(&dir, &name, "svg", svg.as_bytes())?;
    Ok(path.display().to_string())
}

#[tauri::command(async)]
pub fn journey_choices(state: State<'_, AppState>) -> Result<parlance_api::JourneyChoicesDto, ApiError> {
    state.warehouse()?.journey_choices(today())
}

/// Saves the profiles behind a drill-down as a new published segment.
#[tauri::command(async)]
pub fn journey_save_segment(
    state: State<'_, AppState>,
    request: DrillRequestDto,
    name: String,
    title: String,
) -> Result<parlance_api::SavedSegmentDto, ApiError> {
    let folder = parlance_api::default_vocabulary_dir()?;
    let now = time::OffsetDateTime::now_utc();
    let author = crate::watch::user();
    state.warehouse()?.journey_save_segment(
        &request,
        &folder,
        &name,
        &title,
        &author,
        parlance_api::Timestamp::new(now),
        now.date(),
    )
}
