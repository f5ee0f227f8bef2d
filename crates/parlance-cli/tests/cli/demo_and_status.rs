use std::process::Command;

use crate::{parlance, stderr, stdout};

#[test]
fn demo_then_status_then_demo_again_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    let first = parlance(&wh, &["demo", "--people", "250", "--as-of", "2026-10-31", "--json"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&first)).unwrap();
    let records = summary["records"].as_u64().unwrap();
    assert!(records > 1_000);
    assert_eq!(summary["inserted"].as_u64(), Some(records));

    let status = parlance(&wh, &["status", "--json"]);
    assert!(status.status.success(), "{}", stderr(&status));
    let overview: serde_json::Value = serde_json::from_str(&stdout(&status)).unwrap();
    assert_eq!(overview["layers"]["landing"].as_u64(), Some(records));
    assert_eq!(overview["demo"]["asOf"], "2026-10-31");

    let again = parlance(&wh, &["demo", "--people", "250"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stdout(&again).contains("0 new, 0 changed"), "{}", stdout(&again));
    let after: serde_json::Value =
        serde_json::from_str(&stdout(&parlance(&wh, &["status", "--json"]))).unwrap();
    assert_eq!(after["layers"], overview["layers"]);
    assert_eq!(after["sources"].as_array().unwrap().len(), 5);
}

#[test]
fn status_for_people_names_sources_streams_and_layers() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    assert!(parlance(&wh, &["demo", "--people", "100", "--as-of", "2026-10-31"]).status.success());
    let text = stdout(&parlance(&wh, &["status"]));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&parlance(&wh, &["status", "--json"]))).unwrap();
    let unified = json["layers"]["unified"].as_array().unwrap();
    let profiles = unified.iter().find(|t| t["table"] == "profiles").unwrap()["rows"].as_u64().unwrap();
    assert!(profiles > 50, "the demo is unified into profiles: {profiles}");
    let profiles_line = format!("profiles {profiles}");
    for expected in [
        "demo-shop",
        "orders",
        "demo-web",
        "pages",
        "Layers",
        "landing",
        &profiles_line,
        "history to 2026-10-31",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn check_reports_a_healthy_warehouse() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    assert!(parlance(&wh, &["demo", "--people", "50", "--as-of", "2026-10-31"]).status.success());
    let out = parlance(&wh, &["check"]);
    assert!(out.status.success());
    assert!(stdout(&out).ends_with(": ok\n"), "{}", stdout(&out));
}

#[test]
fn help_lists_every_command_with_a_description() {
    let out = Command::new(env!("CARGO_BIN_EXE_parlance")).arg("--help").output().unwrap();
    let text = stdout(&out);
    for command in ["demo", "status", "check", "--warehouse"] {
        assert!(text.contains(command), "{command} missing from --help:\n{text}");
    }
    assert!(text.contains("Generate the demo company"), "{text}");
}
