//! The app commands of the Vocabulary view. Each calls one parlance-api
//! function with the vocabulary folder of [`VocabularyState`]; the edge reads
//! the clock and the user name.

use parlance_api::{
    ApiError, CompletionsDto, DiagnosticDto, DiffDto, DraftCountDto, Timestamp, VersionDto,
    VocabularyEntriesDto, VocabularyFileDto, VocabularySaveDto,
};
use tauri::State;

use crate::state::AppState;
use crate::watch::VocabularyState;

#[tauri::command(async)]
pub fn vocabulary_entries(
    state: State<'_, AppState>,
    vocabulary: State<'_, VocabularyState>,
) -> Result<VocabularyEntriesDto, ApiError> {
    state.warehouse()?.vocabulary_entries(&vocabulary.dir()?)
}

#[tauri::command(async)]
pub fn vocabulary_file(
    state: State<'_, AppState>,
    vocabulary: State<'_, VocabularyState>,
    file: String,
) -> Result<VocabularyFileDto, ApiError> {
    state.warehouse()?.vocabulary_file(&vocabulary.dir()?, &file)
}

#[tauri::command(async)]
pub fn vocabulary_check_text(
    state: State<'_, AppState>,
    vocabulary: State<'_, VocabularyState>,
    file: String,
    text: String,
) -> Result<Vec<DiagnosticDto>, ApiError> {
    state.warehouse()?.vocabulary_check_text(&vocabulary.dir()?, &file, &text)
}

#[tauri::command(async)]
pub fn vocabulary_completions(state: State<'_, AppState>) -> Result<CompletionsDto, ApiError> {
    state.warehouse()?.vocabulary_completions()
}

/// The live count, as of the demo's last day on a demo warehouse, else today.
#[tauri::command(async)]
pub fn vocabulary_draft_count(
    state: State<'_, AppState>,
    file: String,
    text: String,
    segment: Option<String>,
) -> Result<DraftCountDto, ApiError> {
    let warehouse = state.warehouse()?;
    let as_of = warehouse.evaluation_date(None, time::OffsetDateTime::now_utc().date())?;
    warehouse.vocabulary_draft_count(&file, &text, segment.as_deref(), as_of)
}

#[tauri::command(async)]
pub fn vocabulary_save(
    state: State<'_, AppState>,
    vocabulary: State<'_, VocabularyState>,
    file: String,
    text: String,
    author: String,
    message: String,
) -> Result<VocabularySaveDto, ApiError> {
    let warehouse = state.warehouse()?;
    let dir = vocabulary.dir()?;
    // The watcher re-reads the file this writes; holding the lock makes that
    // re-read find the version this save published.
    let _guard = vocabulary.publishing.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = time::OffsetDateTime::now_utc();
    let as_of = warehouse.evaluation_date(None, now.date())?;
    warehouse.vocabulary_save(&dir, &file, &text, &author, &message, as_of, Timestamp::new(now))
}

/// Who the save form suggests as the author.
#[tauri::command]
pub fn vocabulary_author() -> String {
    crate::watch::user()
}

#[tauri::command(async)]
pub fn vocabulary_history(
    state: State<'_, AppState>,
    kind: String,
    name: String,
) -> Result<Vec<VersionDto>, ApiError> {
    state.warehouse()?.vocabulary_history(Some(&kind), &name)
}

#[tauri::command(async)]
pub fn vocabulary_diff(
    state: State<'_, AppState>,
    kind: String,
    name: String,
    from: i64,
    to: i64,
) -> Result<DiffDto, ApiError> {
    state.warehouse()?.vocabulary_diff(Some(&kind), &name, Some(from), Some(to))
}
