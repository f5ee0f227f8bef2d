//! `parlance import` as a user runs it.

use std::path::PathBuf;

use crate::{parlance, stderr, stdout};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../parlance-import/tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn import_a_segment_file_then_again_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    let first = parlance(&wh, &["import", &fixture("segment.jsonl"), "--format", "segment", "--json"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&first)).unwrap();
    assert_eq!((summary["inserted"].as_u64(), summary["unified"].as_u64()), (Some(10), Some(10)));

    let again = parlance(&wh, &["import", &fixture("segment.jsonl"), "--format", "segment"]);
    assert!(again.status.success(), "{}", stderr(&again));
    let text = stdout(&again);
    assert!(
        text.contains("into source file-segment (segment): 10 records read: 0 new, 0 changed, 10 unchanged"),
        "{text}"
    );

    let status = stdout(&parlance(&wh, &["status"]));
    assert!(status.contains("file-segment"), "{status}");
}

#[test]
fn a_csv_with_a_mapping_and_bad_cells_imports_the_rest_and_names_the_lines() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    let csv = dir.path().join("orders.csv");
    std::fs::write(
        &csv,
        "Order #;Customer;E-mail;Date;Total (EUR);State;Gift wrap\nA-1;c-1;a@mailbox.demo;2026-03-01;12,50;paid;no\nA-2;c-3;;2026-03-02;19.99;shipped;yes\nA-3;c-4\n",
    )
    .unwrap();
    let out = parlance(
        &wh,
        &[
            "import",
            csv.to_str().unwrap(),
            "--format",
            "csv",
            "--mapping",
            &fixture("shop-export.mapping.toml"),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "2 new, 0 changed, 0 unchanged, 1 could not be landed; 1 unified into profiles, 1 quarantined"
        ),
        "{}",
        stdout(&out)
    );
    let errors = stderr(&out);
    let path = csv.display();
    assert!(errors.contains(&format!("{path} line 2: amount (column \"Total (EUR)\") \"12,50\" is not a decimal amount (landed; held in quarantine until fixed)")), "{errors}");
    assert!(
        errors.contains(&format!("{path} line 4: the row has 2 cells, the header has 7 columns")),
        "{errors}"
    );

    let held = stdout(&parlance(&wh, &["quarantine", "list", "--source", "file-orders"]));
    assert!(held.contains("file-orders/orders A-1"), "{held}");
}

#[test]
fn preview_prints_mapped_rows_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    let out = parlance(
        &wh,
        &[
            "import",
            &fixture("shop-export.csv"),
            "--format",
            "csv",
            "--mapping",
            &fixture("shop-export.mapping.toml"),
            "--preview",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "nothing is written",
        "order_id ← \"Order #\"",
        "currency = \"EUR\" (default)",
        "line 2 · orders A-1",
        "→ order A-1 at 2026-03-01T00:00:00Z: 12.5 EUR placed",
        "→ shop.order_placed at 2026-03-01T00:00:00Z revenue 12.5",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!wh.exists(), "the preview created the warehouse");
}

#[test]
fn import_help_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    let help = stdout(&parlance(&wh, &["import", "--help"]));
    for expected in ["--format", "--as", "--mapping", "--source", "--preview", "--json", "Segment-spec JSONL"]
    {
        assert!(help.contains(expected), "{expected} missing from:\n{help}");
    }
    let out = parlance(&wh, &["import", &fixture("orders.csv"), "--format", "csv"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--as customers, --as orders or --as events"), "{}", stderr(&out));
}
