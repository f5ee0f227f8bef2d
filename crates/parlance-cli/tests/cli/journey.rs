//! `parlance journey paths | funnel | stages`, run as a user runs them.

use std::path::Path;

use crate::{parlance, stderr, stdout};

fn demo(dir: &Path) -> std::path::PathBuf {
    let wh = dir.join("w.parlance");
    let out = parlance(&wh, &["demo", "--people", "300", "--as-of", "2026-10-31"]);
    assert!(out.status.success(), "{}", stderr(&out));
    wh
}

#[test]
fn paths_print_nodes_and_edges_and_write_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let wh = demo(dir.path());
    let svg = dir.path().join("paths.svg");
    let out = parlance(&wh, &["journey", "paths", "--steps", "3", "--svg", svg.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("sequences of") && text.contains("drop-off") && text.contains("web:"), "{text}");
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));

    let json = parlance(&wh, &["journey", "paths", "--steps", "3", "--json"]);
    let map: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let node = &map["nodes"][0];
    let drill = parlance(&wh, &["journey", "paths", "--steps", "3", "--drill", "0", "--json"]);
    let drill: serde_json::Value = serde_json::from_slice(&drill.stdout).unwrap();
    assert_eq!(drill["count"], node["profiles"], "node 0's drill-down holds its profiles");
}

#[test]
fn a_funnel_names_an_unknown_step_and_writes_a_png() {
    let dir = tempfile::tempdir().unwrap();
    let wh = demo(dir.path());
    let png = dir.path().join("funnel.png");
    let out = parlance(
        &wh,
        &[
            "journey",
            "funnel",
            "--step",
            "web:product_view",
            "--step",
            "shop:purchase",
            "--png",
            png.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("shop:purchase"));
    assert_eq!(&std::fs::read(&png).unwrap()[..4], b"\x89PNG");

    let out = parlance(&wh, &["journey", "funnel", "--step", "web:product_view", "--step", "shop:teleport"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("shop:teleport"), "{}", stderr(&out));
}

#[test]
fn stages_print_a_row_per_period_and_reject_a_bad_date() {
    let dir = tempfile::tempdir().unwrap();
    let wh = demo(dir.path());
    let out = parlance(&wh, &["journey", "stages", "--from", "2026-01-01", "--to", "2026-06-30"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for month in ["2026-01", "2026-03", "2026-06"] {
        assert!(text.contains(month), "{month} missing:\n{text}");
    }
    let out = parlance(&wh, &["journey", "stages", "--from", "June"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("June"), "{}", stderr(&out));
}
