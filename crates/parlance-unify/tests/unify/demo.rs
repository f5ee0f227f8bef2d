use parlance_identity::score_against_truth;

use crate::{demo_warehouse, scalar, unify};

#[test]
fn every_demo_record_is_unified_or_quarantined_with_a_reason() {
    let (_dir, wh) = demo_warehouse(1_500);
    let landed = scalar(&wh, "SELECT count(*) FROM landing_records");
    let report = unify(&wh);
    assert_eq!(report.records as i64, landed);
    assert_eq!(report.unified + report.quarantined, report.records);
    assert_eq!(scalar(&wh, "SELECT count(*) FROM record_profiles"), report.unified as i64);
    assert_eq!(scalar(&wh, "SELECT count(*) FROM quarantine"), report.quarantined as i64);
    // The demo's only unusable records are staff test accounts' placeholders.
    let other_reasons =
        scalar(&wh, "SELECT count(*) FROM quarantine WHERE reason NOT LIKE '%no usable identifier%'");
    assert_eq!(other_reasons, 0);
    assert!(report.merges > 0, "anonymous visitors identify, so profiles merge");
    assert!(wh.integrity_check().unwrap().is_empty());
}

#[test]
fn unified_rows_match_what_was_landed() {
    let (_dir, wh) = demo_warehouse(800);
    unify(&wh);
    assert_eq!(
        scalar(&wh, "SELECT count(*) FROM orders"),
        scalar(&wh, "SELECT count(*) FROM landing_records WHERE stream = 'orders'")
    );
    assert_eq!(
        scalar(&wh, "SELECT count(*) FROM support_contacts"),
        scalar(&wh, "SELECT count(*) FROM landing_records WHERE stream = 'tickets'")
    );
    assert_eq!(
        scalar(&wh, "SELECT count(*) FROM events WHERE channel = 'web' AND name = 'page_view'"),
        scalar(&wh, "SELECT count(*) FROM landing_records WHERE stream = 'pages'")
    );
    // Every row points at a live profile.
    for table in ["events", "orders", "support_contacts", "traits", "identifiers", "record_profiles"] {
        let stale = scalar(
            &wh,
            &format!(
                "SELECT count(*) FROM {table} x JOIN profiles p ON p.id = x.profile_id WHERE p.merged_into IS NOT NULL"
            ),
        );
        assert_eq!(stale, 0, "{table} rows on merged-away profiles");
    }
    let anonymous =
        scalar(&wh, "SELECT count(*) FROM profiles WHERE kind = 'anonymous' AND merged_into IS NULL");
    let people = scalar(&wh, "SELECT count(*) FROM profiles WHERE kind = 'person' AND merged_into IS NULL");
    assert!(anonymous > people, "anonymous visitors are the majority: {anonymous} vs {people}");
}

#[test]
fn unifying_again_changes_nothing() {
    let (_dir, wh) = demo_warehouse(500);
    unify(&wh);
    let before = fingerprint(&wh);
    let again = unify(&wh);
    assert_eq!(again.records, 0);
    assert_eq!(fingerprint(&wh), before);
}

#[test]
fn resolution_scores_well_against_the_demo_truth() {
    let (_dir, wh) = demo_warehouse(3_000);
    unify(&wh);
    let score = score_against_truth(&wh.reader().unwrap()).unwrap();
    println!("{score:?}");
    assert!(score.records > 10_000);
    // Households sharing an inbox cost precision; guest checkouts, changed
    // emails and support typos cost recall. Both stay high.
    assert!(score.precision >= 0.99, "precision {}", score.precision);
    assert!(score.recall >= 0.95, "recall {}", score.recall);
    assert!(
        score.precision < 1.0 || score.recall < 1.0,
        "the demo has hard cases: a perfect score means the test is blind"
    );
}

fn fingerprint(wh: &parlance_warehouse::Warehouse) -> Vec<i64> {
    ["profiles", "identifiers", "events", "orders", "support_contacts", "traits", "merges", "record_profiles"]
        .iter()
        .map(|t| scalar(wh, &format!("SELECT count(*) * 1000003 + coalesce(max(rowid), 0) FROM {t}")))
        .collect()
}
