//! The app's commands. Each calls one parlance-api function and returns its
//! DTO or its `ApiError` (`{code, message}` on the wire). The list is also in
//! build.rs (the ACL) and capabilities/main.json (what the window may call).

use std::sync::atomic::Ordering;

use parlance_api::{ApiError, DemoProgressDto, DemoSummaryDto, ErrorCode, OverviewDto};
use serde::Serialize;
use tauri::State;
use tauri::ipc::Channel;
use ts_rs::TS;

use crate::state::AppState;

/// What Settings shows about the app itself.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AppInfoDto {
    pub version: String,
    /// The warehouse file in use; null when no path could be determined.
    pub warehouse_path: Option<String>,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfoDto {
    AppInfoDto {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        warehouse_path: state.warehouse_path.as_ref().ok().map(|path| path.display().to_string()),
    }
}

/// What is in the warehouse. Runs off the main thread.
#[tauri::command(async)]
pub fn overview(state: State<'_, AppState>) -> Result<OverviewDto, ApiError> {
    state.warehouse()?.overview()
}

/// First start: when nothing was ever landed, generates the demo company
/// (size from `PARLANCE_DEMO_PEOPLE`) on a blocking thread, streaming
/// progress to `on_progress`. `None` when the warehouse already had data.
#[tauri::command]
pub async fn ensure_demo(
    state: State<'_, AppState>,
    on_progress: Channel<DemoProgressDto>,
) -> Result<Option<DemoSummaryDto>, ApiError> {
    let warehouse = state.warehouse()?;
    let cancel = state.demo_cancel.clone();
    cancel.store(false, Ordering::SeqCst);
    let generation = tauri::async_runtime::spawn_blocking(move || {
        if !warehouse.demo_needed()? {
            return Ok(None);
        }
        // The edge reads the clock; the API takes time as arguments.
        let now = time::OffsetDateTime::now_utc();
        let mut report = |progress: DemoProgressDto| {
            // A closed window cannot receive progress; the work goes on regardless.
            let _ = on_progress.send(progress);
        };
        warehouse
            .generate_demo(
                &parlance_api::demo_options_from_env(),
                now.date(),
                parlance_api::Timestamp::new(now),
                &mut report,
                &cancel,
            )
            .map(Some)
    });
    generation.await.map_err(|error| {
        ApiError::new(ErrorCode::Internal, format!("demo generation stopped unexpectedly: {error}"))
    })?
}

/// Asks a running demo generation to stop after its current batch.
#[tauri::command]
pub fn cancel_demo(state: State<'_, AppState>) {
    state.demo_cancel.store(true, Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UI's copy of AppInfoDto is generated from the struct above:
    /// `PARLANCE_UPDATE_BINDINGS=1 cargo test -p parlance-app` rewrites it.
    #[test]
    fn app_info_binding_is_current() -> Result<(), Box<dyn std::error::Error>> {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings/AppInfoDto.ts");
        let expected = AppInfoDto::export_to_string()?;
        if std::env::var_os("PARLANCE_UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &expected)?;
        }
        let actual = std::fs::read_to_string(&path)?;
        assert_eq!(
            actual,
            expected,
            "{} is stale: run PARLANCE_UPDATE_BINDINGS=1 cargo test -p parlance-app",
            path.display()
        );
        Ok(())
    }
}
