//! Rebuild, unmerge, explain and the suspicious-clusters report on the demo company.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicBool;

use parlance_identity::{
    IdKind, Identifier, Rules, Thresholds, identifiers_of, merge_history, owner, score_against_truth,
    suspicious_clusters,
};
use parlance_unify::{
    DERIVED_PROFILE_TABLES, REBUILT_TABLES, RebuildReport, Split, UnmergeError, rebuild, unmerge,
};
use parlance_warehouse::{LandingRecord, Warehouse, land_records};

use crate::{demo_warehouse, now, scalar, unify};

/// Profiles as sets of landing records, keyed by profile id.
fn partition(wh: &Warehouse) -> BTreeMap<i64, BTreeSet<i64>> {
    let reader = wh.reader().unwrap();
    let mut stmt = reader.prepare("SELECT profile_id, landing_id FROM record_profiles").unwrap();
    let mut out: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))).unwrap() {
        let (p, l) = row.unwrap();
        out.entry(p).or_default().insert(l);
    }
    out
}

fn do_rebuild(wh: &Warehouse) -> RebuildReport {
    rebuild(wh, &Rules::default(), now(), &mut |_| {}, &AtomicBool::new(false)).unwrap()
}

#[test]
fn a_rebuild_gives_the_incremental_clusters_and_keeps_every_profile_id() {
    let (_dir, wh) = demo_warehouse(1_500);
    unify(&wh);
    let before = partition(&wh);
    let rows = |wh: &Warehouse| {
        [
            "identifiers",
            "events",
            "orders",
            "support_contacts",
            "traits",
            "quarantine",
            "unlinked_identifiers",
        ]
        .map(|t| scalar(wh, &format!("SELECT count(*) FROM {t}")))
    };
    let rows_before = rows(&wh);
    let score_before = score_against_truth(&wh.reader().unwrap()).unwrap();
    let first_seen_before = scalar(&wh, "SELECT count(DISTINCT first_seen) FROM identifiers");

    let report = do_rebuild(&wh);
    assert_eq!(report.records as i64, scalar(&wh, "SELECT count(*) FROM landing_records"));
    assert_eq!(partition(&wh), before, "same clusters under the same profile ids");
    assert_eq!(report.profiles_kept_id, report.profiles);
    assert_eq!(rows(&wh), rows_before);
    assert_eq!(score_against_truth(&wh.reader().unwrap()).unwrap(), score_before);
    assert_eq!(scalar(&wh, "SELECT count(DISTINCT first_seen) FROM identifiers"), first_seen_before);
    assert!(wh.integrity_check().unwrap().is_empty());

    // And again: a rebuild is idempotent.
    do_rebuild(&wh);
    assert_eq!(partition(&wh), before);
}

#[test]
fn every_table_pointing_at_profiles_is_rebuilt_or_cleaned() {
    let (_dir, wh) = demo_warehouse(10);
    let reader = wh.reader().unwrap();
    let mut stmt = reader
        .prepare(
            "SELECT m.name FROM sqlite_master m, pragma_foreign_key_list(m.name) f
              WHERE m.type = 'table' AND f.\"table\" = 'profiles' AND m.name != 'profiles'",
        )
        .unwrap();
    let tables: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    for table in tables {
        assert!(
            DERIVED_PROFILE_TABLES.contains(&table.as_str()) || REBUILT_TABLES.contains(&table.as_str()),
            "{table} points at profiles: add it to DERIVED_PROFILE_TABLES or REBUILT_TABLES"
        );
    }
}

/// The first profile formed by an anonymous visitor identifying: its id,
/// its email, the merge and the identifiers that merge brought in.
fn identified_visitor(wh: &Warehouse) -> (i64, Identifier, i64, Vec<Identifier>) {
    let reader = wh.reader().unwrap();
    let (profile, merge): (i64, i64) = reader
        .query_row(
            "SELECT m.kept_profile, m.id FROM merges m JOIN profiles p ON p.id = m.kept_profile
              WHERE p.merged_into IS NULL AND m.evidence_json LIKE '%anonymous visitor identified%'
                AND (SELECT count(*) FROM identifiers i WHERE i.profile_id = p.id AND i.kind = 'email') = 1
              ORDER BY m.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let history = merge_history(&reader, profile).unwrap();
    let m = history.iter().find(|m| m.merge_id == merge).unwrap();
    let email =
        identifiers_of(&reader, profile).unwrap().into_iter().find(|i| i.kind == IdKind::Email).unwrap();
    (profile, email, merge, m.absorbed_identifiers.clone())
}

#[test]
fn explain_lists_each_merge_with_its_evidence() {
    let (_dir, wh) = demo_warehouse(300);
    unify(&wh);
    let (profile, _, merge, absorbed) = identified_visitor(&wh);
    let history = merge_history(&wh.reader().unwrap(), profile).unwrap();
    assert!(!history.is_empty());
    for m in &history {
        assert!(m.identifier.is_some(), "{m:?}");
        assert!(!m.rule.is_empty());
        let linking = m.linking_record.as_ref().expect("the linking record is named");
        assert!(linking.source.starts_with("demo-") && !linking.source_id.is_empty(), "{linking:?}");
        assert!(m.identifier_first_record.is_some());
        assert!(!m.absorbed_identifiers.is_empty());
        assert!(m.undone_at.is_none());
    }
    assert!(history.iter().any(|m| m.merge_id == merge && m.rule == "anonymous visitor identified"));
    assert!(absorbed.iter().all(|i| i.kind.is_anonymous()), "{absorbed:?}");
}

#[test]
fn an_unmerge_stays_undone_through_a_rebuild_and_a_later_sync() {
    let (_dir, wh) = demo_warehouse(300);
    unify(&wh);
    let (profile, email, merge, absorbed) = identified_visitor(&wh);
    let cookie = absorbed[0].clone();
    let records_before = scalar(&wh, "SELECT count(*) FROM record_profiles");

    let report = unmerge(&wh, &Rules::default(), profile, &Split::Merge(merge), now()).unwrap();
    assert_eq!(report.profile, profile);
    assert_eq!(
        report.moved,
        absorbed.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>()
    );
    assert!(report.rules_added > 0 && report.merges_undone >= 1, "{report:?}");
    assert!(!report.split_off.is_empty());
    let apart = |wh: &Warehouse| {
        let r = wh.reader().unwrap();
        let (a, b) = (owner(&r, &email).unwrap(), owner(&r, &cookie).unwrap());
        assert!(a.is_some() && b.is_some());
        assert_ne!(a, b, "{email:?} and {cookie:?} are kept apart");
        a.unwrap()
    };
    assert_eq!(apart(&wh), profile, "the person keeps the profile id");
    assert_eq!(scalar(&wh, "SELECT count(*) FROM record_profiles"), records_before, "no record lost");
    assert!(wh.integrity_check().unwrap().is_empty());
    let history = merge_history(&wh.reader().unwrap(), profile).unwrap();
    assert!(history.iter().any(|m| m.undone_at.is_some()), "the undone merge stays explainable");

    // A full rebuild honours the rule.
    do_rebuild(&wh);
    apart(&wh);

    // A later sync lands a record carrying both identifiers: it does not merge them.
    let payload = serde_json::json!({
        "type": "identify", "messageId": "later-1", "anonymousId": cookie.value,
        "timestamp": "2026-10-30T10:00:00Z", "traits": { "email": email.value }
    })
    .to_string();
    wh.write(|tx| {
        land_records(
            tx,
            "demo-web",
            now(),
            &[LandingRecord {
                stream: "identifies",
                source_id: "later-1",
                source_updated_at: None,
                payload_json: &payload,
            }],
        )
    })
    .unwrap();
    let later = unify(&wh);
    assert_eq!((later.records, later.merges), (1, 0));
    apart(&wh);
    let refused = scalar(&wh, "SELECT count(*) FROM unlinked_identifiers WHERE reason = 'kept-apart'");
    assert!(refused >= 1, "the refused link is recorded");
    do_rebuild(&wh);
    apart(&wh);
}

#[test]
fn an_unmerge_by_identifier_splits_exactly_those_and_bad_requests_are_named() {
    let (_dir, wh) = demo_warehouse(300);
    unify(&wh);
    let (profile, email, _, absorbed) = identified_visitor(&wh);
    let rules = Rules::default();
    let stranger = Identifier { kind: IdKind::Email, value: "nobody@mail.demo".into() };
    let err = unmerge(&wh, &rules, profile, &Split::Identifiers(vec![stranger]), now()).unwrap_err();
    assert!(matches!(err, UnmergeError::NotHeld { .. }), "{err}");
    assert!(err.to_string().contains("nobody@mail.demo"), "{err}");
    let err = unmerge(&wh, &rules, 999_999, &Split::LatestMerge, now()).unwrap_err();
    assert_eq!(err.to_string(), "no profile 999999");
    let everything = identifiers_of(&wh.reader().unwrap(), profile).unwrap();
    let err = unmerge(&wh, &rules, profile, &Split::Identifiers(everything), now()).unwrap_err();
    assert!(err.to_string().contains("nothing would stay"), "{err}");

    let report =
        unmerge(&wh, &rules, profile, &Split::Identifiers(vec![absorbed[0].clone()]), now()).unwrap();
    assert_eq!(report.moved, vec![absorbed[0].clone()]);
    let r = wh.reader().unwrap();
    assert_eq!(owner(&r, &email).unwrap(), Some(profile));
    assert_ne!(owner(&r, &absorbed[0]).unwrap(), Some(profile));
}

#[test]
fn the_suspicious_report_finds_households_and_test_accounts() {
    let (_dir, wh) = demo_warehouse(3_000);
    unify(&wh);
    let report = suspicious_clusters(&wh.reader().unwrap(), &Thresholds::default()).unwrap();
    // Households share an inbox; the one-shop-account limit keeps them apart.
    assert!(report.shared_total > 0, "{report:#?}");
    assert!(report.shared.iter().all(|s| s.kind == "email" || s.kind == "phone"));
    assert!(report.shared.iter().all(|s| s.held_by.is_some() && !s.also_carried_by.is_empty()));
    // Staff test accounts order under blocked junk emails.
    let values: Vec<&str> = report.blocked.iter().map(|b| b.value.as_str()).collect();
    // (the demo's staff use test@example.com, qa@test.com, "null" and "anonymous")
    let junk = ["test@example.com", "qa@test.com", "null", "anonymous"];
    assert!(values.iter().filter(|v| junk.contains(v)).count() >= 2, "{values:?}");
    assert!(report.blocked.iter().all(|b| b.profiles >= 2));
    // The demo has no monster clusters.
    assert_eq!(report.oversized_total, 0, "{:?}", report.oversized);
}
