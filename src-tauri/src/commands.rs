//! The app's commands. Each calls one parlance-api function and returns its
//! DTO or its `ApiError` (`{code, message}` on the wire). The list is also in
//! build.rs (the ACL) and capabilities/main.json (what the window may call).

use std::sync::atomic::Ordering;

use parlance_api::{
    ApiError, AppInfoDto, ConnectionTestDto, CustomerDto, CustomerSearchHitDto, DemoProgressDto,
    DemoSummaryDto, ErrorCode, KEYCHAIN_ENV, KeychainStore, NewSourceDto, NoKeychain, OverviewDto,
    QuarantineRetryDto, QuarantinedRecordDto, SecretStore, Secrets, SourceInfoDto, SourceRemovedDto,
    SyncProgressDto, SyncSummaryDto, TimeSources, TimelinePageDto, Timestamp, Token, ValueModelDto,
    ValueSummaryDto,
};
use tauri::State;
use tauri::ipc::Channel;

use crate::state::AppState;

/// What Settings shows about the app itself.
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfoDto {
    parlance_api::app_info(state.warehouse_path.as_ref().ok().map(|path| path.as_path()))
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

/// The edge's secrets: the OS keychain, or none when `PARLANCE_KEYCHAIN=off`;
/// tokens from `PARLANCE_TOKEN_<SOURCE>` when the keychain cannot.
fn secret_store() -> Box<dyn SecretStore> {
    if std::env::var(KEYCHAIN_ENV).is_ok_and(|v| v.eq_ignore_ascii_case("off")) {
        Box::new(NoKeychain)
    } else {
        Box::new(KeychainStore::new())
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn stopped(error: tauri::Error) -> ApiError {
    ApiError::new(ErrorCode::Internal, format!("the work stopped unexpectedly: {error}"))
}

/// Runs `work` on a blocking thread (never the UI thread).
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tauri::async_runtime::spawn_blocking(work).await.map_err(stopped)?
}

fn now() -> Timestamp {
    Timestamp::new(time::OffsetDateTime::now_utc())
}

/// Every registered source with its last run.
#[tauri::command(async)]
pub fn list_sources(state: State<'_, AppState>) -> Result<Vec<SourceInfoDto>, ApiError> {
    state.warehouse()?.list_sources()
}

/// Connects a channel tool; the token goes to the keychain, never the warehouse.
#[tauri::command]
pub async fn add_source(
    state: State<'_, AppState>,
    source: NewSourceDto,
    token: Option<String>,
) -> Result<SourceInfoDto, ApiError> {
    let warehouse = state.warehouse()?;
    blocking(move || {
        let store = secret_store();
        let secrets = Secrets { store: store.as_ref(), env: &env_var };
        warehouse.add_source(&source, token.map(Token::new), secrets, now())
    })
    .await
}

/// Checks a source's settings and token against the tool.
#[tauri::command]
pub async fn test_source(state: State<'_, AppState>, name: String) -> Result<ConnectionTestDto, ApiError> {
    let warehouse = state.warehouse()?;
    let cancel = state.sync_cancel.clone();
    blocking(move || {
        let store = secret_store();
        let secrets = Secrets { store: store.as_ref(), env: &env_var };
        warehouse.test_source(&name, secrets, TimeSources::system(), &cancel)
    })
    .await
}

/// Removes a source, everything it landed and its token.
#[tauri::command]
pub async fn remove_source(state: State<'_, AppState>, name: String) -> Result<SourceRemovedDto, ApiError> {
    let warehouse = state.warehouse()?;
    blocking(move || {
        let store = secret_store();
        warehouse.remove_source(&name, Secrets { store: store.as_ref(), env: &env_var })
    })
    .await
}

/// Syncs one source (or all), streaming progress; `cancel_sync` stops it.
#[tauri::command]
pub async fn sync_sources(
    state: State<'_, AppState>,
    source: Option<String>,
    full: bool,
    on_progress: Channel<SyncProgressDto>,
) -> Result<SyncSummaryDto, ApiError> {
    let warehouse = state.warehouse()?;
    let cancel = state.sync_cancel.clone();
    cancel.store(false, Ordering::SeqCst);
    blocking(move || {
        let store = secret_store();
        let secrets = Secrets { store: store.as_ref(), env: &env_var };
        let today = time::OffsetDateTime::now_utc().date();
        let mut report = |progress: SyncProgressDto| {
            let _ = on_progress.send(progress);
        };
        warehouse.sync_sources(
            source.as_deref(),
            full,
            secrets,
            TimeSources::system(),
            today,
            &mut report,
            &cancel,
        )
    })
    .await
}

/// Asks a running sync (or connection test) to stop after the page in hand.
#[tauri::command]
pub fn cancel_sync(state: State<'_, AppState>) {
    state.sync_cancel.store(true, Ordering::SeqCst);
}

/// Records held in quarantine, oldest first.
#[tauri::command(async)]
pub fn quarantine(
    state: State<'_, AppState>,
    source: Option<String>,
    limit: u32,
) -> Result<Vec<QuarantinedRecordDto>, ApiError> {
    state.warehouse()?.quarantine(source.as_deref(), limit)
}

/// Re-queues quarantined records and unifies them again.
#[tauri::command]
pub async fn retry_quarantine(
    state: State<'_, AppState>,
    source: Option<String>,
) -> Result<QuarantineRetryDto, ApiError> {
    let warehouse = state.warehouse()?;
    blocking(move || warehouse.retry_quarantine(source.as_deref(), now())).await
}

/// Profiles holding an identifier that starts with `text`.
#[tauri::command(async)]
pub fn search_customers(
    state: State<'_, AppState>,
    text: String,
    limit: u32,
) -> Result<Vec<CustomerSearchHitDto>, ApiError> {
    state.warehouse()?.search_customers(&text, limit)
}

/// The customer 360 of the profile `query` names.
#[tauri::command(async)]
pub fn customer(state: State<'_, AppState>, query: String, limit: u32) -> Result<CustomerDto, ApiError> {
    state.warehouse()?.customer(&query, limit)
}

/// A further page of a profile's timeline.
#[tauri::command(async)]
pub fn customer_timeline(
    state: State<'_, AppState>,
    profile_id: i64,
    limit: u32,
    offset: u64,
) -> Result<TimelinePageDto, ApiError> {
    state.warehouse()?.customer_timeline(profile_id, limit, offset)
}

/// The distribution of customer value and the model behind it.
#[tauri::command(async)]
pub fn value_summary(state: State<'_, AppState>) -> Result<ValueSummaryDto, ApiError> {
    state.warehouse()?.value_summary()
}

/// Refits the value models and revalues every profile.
#[tauri::command]
pub async fn fit_value(state: State<'_, AppState>) -> Result<ValueModelDto, ApiError> {
    let warehouse = state.warehouse()?;
    blocking(move || {
        let now = time::OffsetDateTime::now_utc();
        warehouse.fit_value(None, now.date(), Timestamp::new(now))
    })
    .await
}
