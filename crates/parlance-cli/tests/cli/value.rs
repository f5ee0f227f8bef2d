//! `parlance value fit | summary | show`, run as a user runs them.

use std::path::Path;

use crate::{parlance, stderr, stdout};

fn demo(dir: &Path) -> std::path::PathBuf {
    let wh = dir.join("w.parlance");
    let out = parlance(&wh, &["demo", "--people", "1500", "--as-of", "2026-10-31"]);
    assert!(out.status.success(), "{}", stderr(&out));
    wh
}

#[test]
fn fit_prints_parameters_log_likelihood_and_the_holdout_check() {
    let dir = tempfile::tempdir().unwrap();
    let wh = demo(dir.path());
    let out = parlance(&wh, &["value", "fit"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "as of 2026-10-31",
        "BG/NBD (days)",
        "log-likelihood",
        "Gamma-Gamma",
        "Hold-out check",
        "7+",
        "Total value",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&parlance(&wh, &["value", "fit", "--as-of", "2026-09-30", "--json"])))
            .unwrap();
    assert_eq!(json["asOf"], "2026-09-30");
    assert!(json["bgnbd"]["r"].as_f64().unwrap() > 0.0);
    assert!(json["holdout"]["groups"].as_array().unwrap().len() >= 5);
}

#[test]
fn summary_gives_tiers_deciles_totals_and_components() {
    let dir = tempfile::tempdir().unwrap();
    let wh = demo(dir.path());
    let out = parlance(&wh, &["value", "summary"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for expected in ["Tiers", "top", "low", "Deciles", "no purchases", "cost to serve", "returns"] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&parlance(&wh, &["value", "summary", "--json"]))).unwrap();
    let tiers: u64 = json["tiers"].as_array().unwrap().iter().map(|t| t["profiles"].as_u64().unwrap()).sum();
    assert_eq!(Some(tiers), json["profiles"].as_u64());
    assert_eq!(json["deciles"].as_array().unwrap().len(), 10);
}

#[test]
fn show_prints_every_component_and_input_and_names_what_it_searched() {
    let dir = tempfile::tempdir().unwrap();
    let wh = demo(dir.path());
    let summary: serde_json::Value =
        serde_json::from_str(&stdout(&parlance(&wh, &["value", "summary", "--json"]))).unwrap();
    assert!(summary["profiles"].as_u64().unwrap() > 100);
    let id: i64 = parlance_warehouse::Warehouse::open_existing(&wh)
        .unwrap()
        .reader()
        .unwrap()
        .query_row(
            "SELECT profile_id FROM profile_value WHERE components_json ->> '$.basis' = 'repeat purchases' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let id = id.to_string();
    let out = parlance(&wh, &["value", "show", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "expected purchases",
        "P(alive)",
        "expected spend",
        "margin rate",
        "cost to serve",
        "support contacts",
        "returns",
        "frequency",
        "net revenue",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }

    let missing = parlance(&wh, &["value", "show", "ghost@example.org"]);
    assert!(!missing.status.success());
    let message = stderr(&missing);
    assert!(message.contains("no profile matches \"ghost@example.org\""), "{message}");
    assert!(message.contains("searched profile ids"), "{message}");
}

#[test]
fn fit_on_a_warehouse_without_customers_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.parlance");
    parlance_warehouse::Warehouse::open(&empty).unwrap();
    let out = parlance(&empty, &["value", "fit", "--as-of", "2026-10-31"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no customers with purchases"), "{}", stderr(&out));
}
