//! Folder watching: the vocabulary folder is re-read (and its good
//! definitions published) when its files change — edited in another editor,
//! or a `git pull` in a team's repository — and the window is told through
//! the `vocabulary-changed` event so the Vocabulary view refreshes.
//!
//! Invariant: nothing here may take the app down. A folder that cannot be
//! watched only means no automatic refresh; a sync that fails is reported to
//! the window as the event's `error`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use parlance_api::{ApiError, Parlance, Timestamp, VocabularyChangedDto};
use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;

/// The event the window listens to.
pub const CHANGED_EVENT: &str = "vocabulary-changed";

/// Long enough that a `git pull` touching many files, or an editor's
/// write-then-rename, is one re-read.
const DEBOUNCE: Duration = Duration::from_millis(400);

/// The vocabulary folder, and what keeps a save and a re-read from
/// publishing the same change twice.
pub struct VocabularyState {
    pub dir: Result<PathBuf, ApiError>,
    /// Held while the app writes and publishes a file, and while a change on
    /// disk is re-read: the re-read after an app save then finds nothing new.
    pub publishing: Arc<Mutex<()>>,
    /// Dropping the debouncer stops the watching, so it lives as long as the app.
    watcher: Mutex<Option<Debouncer<RecommendedWatcher>>>,
}

impl VocabularyState {
    pub fn dir(&self) -> Result<PathBuf, ApiError> {
        self.dir.clone()
    }
}

/// Who a re-read publishes as: the user the app runs as.
pub fn user() -> String {
    ["USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.trim().is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// The setup hook: manages [`VocabularyState`] and starts watching.
pub fn setup(app: &tauri::App) {
    let dir = parlance_api::default_vocabulary_dir();
    let state =
        VocabularyState { dir: dir.clone(), publishing: Arc::new(Mutex::new(())), watcher: Mutex::new(None) };
    if let Ok(dir) = &dir {
        match start(app.handle().clone(), dir, state.publishing.clone()) {
            Ok(debouncer) => {
                if let Ok(mut slot) = state.watcher.lock() {
                    *slot = Some(debouncer);
                }
            }
            Err(why) => {
                eprintln!("parlance-app: not watching the vocabulary folder {}: {why}", dir.display())
            }
        }
    }
    app.manage(state);
}

fn start(
    app: AppHandle,
    dir: &Path,
    publishing: Arc<Mutex<()>>,
) -> Result<Debouncer<RecommendedWatcher>, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let root = dir.to_owned();
    let last = Mutex::new(snapshot(&root));
    let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| {
        if result.is_err() {
            return;
        }
        // The events themselves are not trusted: inotify also reports reads,
        // and a re-read reads every file, which would re-read forever. What
        // counts is a file whose size or time changed, or that came or went.
        let now = snapshot(&root);
        let files = {
            let mut seen = last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let files = changed_files(&seen, &now);
            *seen = now;
            files
        };
        if !files.is_empty() {
            reread(&app, &root, &publishing, files);
        }
    })
    .map_err(|e| e.to_string())?;
    debouncer.watcher().watch(dir, RecursiveMode::Recursive).map_err(|e| e.to_string())?;
    Ok(debouncer)
}

/// Every vocabulary file under `dir` (hidden ones, e.g. `.git`, left out)
/// with its size and modification time.
type Snapshot = BTreeMap<String, (u64, Option<SystemTime>)>;

fn snapshot(dir: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "parlance")
                && let Ok(relative) = path.strip_prefix(dir)
            {
                let key = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>();
                out.insert(key.join("/"), (meta.len(), meta.modified().ok()));
            }
        }
    }
    out
}

/// The files that differ between two snapshots.
fn changed_files(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let mut files: Vec<String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .chain(before.keys().filter(|k| !after.contains_key(*k)).cloned())
        .collect();
    files.sort();
    files
}

fn reread(app: &AppHandle, dir: &Path, publishing: &Mutex<()>, files: Vec<String>) {
    let warehouse: Result<Arc<Parlance>, ApiError> = app.state::<AppState>().warehouse();
    // A poisoned lock only means an earlier save panicked; the folder is still readable.
    let _guard = publishing.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = time::OffsetDateTime::now_utc();
    let message = format!("changed on disk: {}", files.join(", "));
    let result = warehouse.and_then(|w| {
        let as_of = w.evaluation_date(None, now.date())?;
        w.vocabulary_sync(dir, &user(), &message, as_of, Timestamp::new(now))
    });
    let (sync, error) = match result {
        Ok(sync) => (Some(sync), None),
        Err(error) => (None, Some(error)),
    };
    // A closed window cannot be told; the folder was re-read regardless.
    let _ = app.emit(CHANGED_EVENT, VocabularyChangedDto { files, sync, error });
}
