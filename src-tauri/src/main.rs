//! The Parlance desktop shell. It only wires things together: it finds the
//! warehouse path (`--warehouse PATH`, else `parlance_api::default_warehouse_path`),
//! opens it, and registers the commands of [`commands`], each of which calls
//! one `parlance-api` function. Everything the user sees lives in `../ui`.
//!
//! Invariant: no logic here. Anything worth testing belongs in parlance-api
//! (behaviour) or the UI (presentation).

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod commands_journeys;
mod commands_segments;
mod commands_vocabulary;
mod launch;
mod state;
mod watch;

use state::AppState;

fn main() {
    let warehouse_path = launch::warehouse_path_from_args(std::env::args_os().skip(1))
        .map(Ok)
        .unwrap_or_else(parlance_api::default_warehouse_path);
    // A warehouse that cannot be opened does not stop the app: the window
    // opens and every command answers with the error, which the UI shows.
    let state = AppState::open(warehouse_path);

    let app = tauri::Builder::default()
        .manage(state)
        // Watches the vocabulary folder (and manages its state) for the Vocabulary view.
        .setup(|app| {
            watch::setup(app);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::overview,
            commands::ensure_demo,
            commands::cancel_demo,
            commands::app_info,
            commands::list_sources,
            commands::add_source,
            commands::test_source,
            commands::remove_source,
            commands::sync_sources,
            commands::cancel_sync,
            commands::quarantine,
            commands::retry_quarantine,
            commands::search_customers,
            commands::customer,
            commands::customer_timeline,
            commands::value_summary,
            commands::fit_value,
            commands_journeys::journey_choices,
            commands_journeys::journey_paths,
            commands_journeys::journey_funnel,
            commands_journeys::journey_stages,
            commands_journeys::journey_drill,
            commands_journeys::journey_export_chart,
            commands_journeys::journey_save_segment,
            commands_segments::segments_list,
            commands_segments::segment_value,
            commands_segments::segment_sizes,
            commands_segments::segment_overlap,
            commands_segments::segment_sizes_svg,
            commands_segments::segment_overlap_svg,
            commands_segments::segment_members,
            commands_segments::segment_explain,
            commands_segments::segment_export,
            commands_segments::save_profiles_as_segment,
            commands_vocabulary::vocabulary_entries,
            commands_vocabulary::vocabulary_file,
            commands_vocabulary::vocabulary_check_text,
            commands_vocabulary::vocabulary_completions,
            commands_vocabulary::vocabulary_draft_count,
            commands_vocabulary::vocabulary_save,
            commands_vocabulary::vocabulary_author,
            commands_vocabulary::vocabulary_history,
            commands_vocabulary::vocabulary_diff,
        ])
        .run(tauri::generate_context!());
    if let Err(error) = app {
        eprintln!("parlance-app: {error}");
        std::process::exit(1);
    }
}
