//! Declares the app's commands in the build manifest, so Tauri's ACL covers
//! them: a window may call a command only if its capability
//! (capabilities/main.json) grants `allow-<command>`.
//!
//! The UI in ../ui/dist is embedded at compile time. When it has not been
//! built (a fresh clone running `cargo test --workspace`), a placeholder page
//! that says how to build it stands in, so the workspace still compiles.

use std::path::Path;

const COMMANDS: &[&str] = &[
    "overview",
    "ensure_demo",
    "cancel_demo",
    "app_info",
    "list_sources",
    "add_source",
    "test_source",
    "remove_source",
    "sync_sources",
    "cancel_sync",
    "quarantine",
    "retry_quarantine",
    "search_customers",
    "customer",
    "customer_timeline",
    "value_summary",
    "fit_value",
    "journey_choices",
    "journey_paths",
    "journey_funnel",
    "journey_stages",
    "journey_drill",
    "journey_export_chart",
    "journey_save_segment",
    "segments_list",
    "segment_value",
    "segment_sizes",
    "segment_overlap",
    "segment_sizes_svg",
    "segment_overlap_svg",
    "segment_members",
    "segment_explain",
    "segment_export",
    "save_profiles_as_segment",
    "vocabulary_entries",
    "vocabulary_file",
    "vocabulary_check_text",
    "vocabulary_completions",
    "vocabulary_draft_count",
    "vocabulary_save",
    "vocabulary_author",
    "vocabulary_history",
    "vocabulary_diff",
];

const PLACEHOLDER: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parlance</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem;">
<h1>The Parlance UI was not built</h1>
<p>Run <code>npm --prefix ui ci && npm --prefix ui run build</code>, then build the app again
(<code>cargo build -p parlance-app</code>).</p>
</body></html>
"#;

fn main() {
    let dist = Path::new("../ui/dist");
    if !dist.join("index.html").exists() {
        println!(
            "cargo:warning=ui/dist is missing: embedding a placeholder page; run `npm --prefix ui run build`"
        );
        if let Err(error) =
            std::fs::create_dir_all(dist).and_then(|()| std::fs::write(dist.join("index.html"), PLACEHOLDER))
        {
            panic!("cannot write a placeholder for the missing ui/dist: {error}");
        }
    }

    let attributes =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; say why first.
        panic!("tauri-build failed: {error:#}");
    }
}
