//! `Parlance::import_file` and `preview_import` on real files and warehouses.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use parlance_api::{ErrorCode, ImportOptionsDto, Parlance, Timestamp, preview_import};
use time::macros::date;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../parlance-import/tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn now() -> Timestamp {
    Timestamp::from_unix(1_790_000_000).unwrap()
}

fn options(path: String, format: &str) -> ImportOptionsDto {
    ImportOptionsDto { path, format: format.to_owned(), ..ImportOptionsDto::default() }
}

#[test]
fn importing_a_segment_file_reports_counts_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let parlance = Parlance::open(&dir.path().join("w.parlance")).unwrap();
    let opts = options(fixture("segment.jsonl"), "segment");
    let mut phases = Vec::new();
    let first = parlance
        .import_file(
            &opts,
            date!(2026 - 11 - 22),
            now(),
            &mut |p| phases.push(p.phase),
            &AtomicBool::new(false),
        )
        .unwrap();
    assert_eq!((first.source.as_str(), first.format.as_str()), ("file-segment", "segment"));
    assert_eq!(
        (first.records, first.inserted, first.rejected, first.unified, first.quarantined),
        (10, 10, 0, 10, 0)
    );
    assert!(phases.contains(&"landing".to_owned()) && phases.contains(&"unifying".to_owned()), "{phases:?}");
    let again = parlance
        .import_file(&opts, date!(2026 - 11 - 22), now(), &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged, again.unified), (0, 0, 10, 0));
    let json = serde_json::to_value(&again).unwrap();
    assert_eq!(json["unchanged"], 10);
    assert!(json["problems"].as_array().unwrap().is_empty());
    let overview = parlance.overview().unwrap();
    let source = overview.sources.iter().find(|s| s.name == "file-segment").unwrap();
    assert_eq!((source.kind.as_str(), source.records), ("file", 10));
}

#[test]
fn import_errors_have_codes() {
    let dir = tempfile::tempdir().unwrap();
    let parlance = Parlance::open(&dir.path().join("w.parlance")).unwrap();
    let run = |opts: &ImportOptionsDto| {
        parlance
            .import_file(opts, date!(2026 - 11 - 22), now(), &mut |_| {}, &AtomicBool::new(false))
            .unwrap_err()
    };
    let err = run(&options(fixture("orders.csv"), "xml"));
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(err.message, "unknown format \"xml\": choose csv, segment or ga4");
    let err = run(&options(fixture("orders.csv"), "csv"));
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("--as customers, --as orders or --as events"), "{}", err.message);
    let err = run(&options(dir.path().join("missing.jsonl").display().to_string(), "segment"));
    assert_eq!(err.code, ErrorCode::Io);
    assert!(err.message.contains("missing.jsonl"), "{}", err.message);
}

#[test]
fn the_preview_maps_rows_and_writes_nothing() {
    let opts = ImportOptionsDto {
        mapping: Some(fixture("shop-export.mapping.toml")),
        ..options(fixture("shop-export.csv"), "csv")
    };
    let preview = preview_import(&opts, 5, now()).unwrap();
    assert_eq!(preview.source, "file-shop-export");
    assert_eq!(preview.columns.len(), 7);
    assert_eq!(preview.rows.len(), 2);
    let row = &preview.rows[1];
    assert_eq!((row.line, row.source_id.as_str(), row.error.as_deref()), (3, "A-2", None));
    assert_eq!(row.order.as_deref(), Some("order A-2 at 2026-03-02T00:00:00Z: 19.99 EUR fulfilled"));
    assert_eq!(row.identifiers, ["customer_id:file-shop-export c-3", "email carol@mailbox.demo"]);
    let json = serde_json::to_value(&preview).unwrap();
    assert_eq!(json["mapping"][0], serde_json::json!({ "field": "order_id", "value": "Order #" }));
    assert_eq!(json["rows"][0]["sourceId"], "A-1");
}
