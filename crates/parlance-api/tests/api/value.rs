//! The value actions on a demo warehouse: values exist right after the demo,
//! the fit, the summary, a profile by id or identifier, and the errors.

use std::sync::atomic::AtomicBool;

use parlance_api::{DemoOptionsDto, ErrorCode, Parlance};
use parlance_warehouse::Timestamp;
use time::macros::date;

fn now(offset: i64) -> Timestamp {
    Timestamp::from_unix(1_790_000_000 + offset).unwrap()
}

fn demo(people: u32) -> (tempfile::TempDir, Parlance) {
    let dir = tempfile::tempdir().unwrap();
    let parlance = Parlance::open(&dir.path().join("w.parlance")).unwrap();
    let options =
        DemoOptionsDto { people: Some(people), as_of: Some("2026-10-31".into()), ..Default::default() };
    parlance
        .generate_demo(&options, date!(2026 - 11 - 22), now(0), &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    (dir, parlance)
}

#[test]
fn the_demo_is_valued_as_soon_as_it_is_generated() {
    let (_dir, parlance) = demo(1_500);
    let summary = parlance.value_summary().unwrap();
    assert_eq!(summary.model.as_of, "2026-10-31", "the demo's history end");
    assert_eq!(summary.profiles, summary.model.profiles.live);
    assert!(summary.model.profiles.no_purchases > 0 && summary.model.profiles.repeat_purchases > 0);
    assert_eq!(summary.tiers.iter().map(|t| t.profiles).sum::<u64>(), summary.profiles);
    assert_eq!(summary.deciles.len(), 10);
    assert_eq!(summary.deciles[0].decile, 10);
    assert!(summary.deciles[0].total_value > summary.deciles[9].total_value);
    let c = &summary.components;
    assert!((c.margin - c.cost_to_serve - summary.total_value).abs() < 1e-6 * summary.total_value.abs());
    assert!((c.contact_cost + c.return_cost - c.cost_to_serve).abs() < 1e-6 * c.cost_to_serve);
    let no_purchases = summary.bases.iter().find(|b| b.basis == "no purchases").unwrap();
    assert_eq!(no_purchases.profiles, summary.model.profiles.no_purchases);
}

#[test]
fn fit_reports_parameters_fit_quality_and_the_holdout_check() {
    let (_dir, parlance) = demo(1_500);
    let model = parlance.fit_value(None, date!(2027 - 01 - 15), now(3_600)).unwrap();
    assert_eq!(model.as_of, "2026-10-31", "a demo warehouse defaults to its history end, not today");
    assert!(model.bgnbd.r > 0.0 && model.bgnbd.alpha > 0.0 && model.bgnbd.log_likelihood < 0.0);
    assert!(model.gamma_gamma.population_mean_spend > 20.0);
    let holdout = model.holdout.expect("two years of history leave a hold-out period");
    assert!(!holdout.groups.is_empty());
    assert!(model.cost_to_serve.iter().any(|r| r.kind == "return"));
    // The starter vocabulary is installed with the demo, so the parameters come from its stored
    // value definition rather than the built-in fallback.
    assert_eq!(model.parameters_origin, "definition value universal v1");

    let earlier = parlance.fit_value(Some("2026-06-30"), date!(2027 - 01 - 15), now(7_200)).unwrap();
    assert_eq!(earlier.as_of, "2026-06-30");
    assert_ne!(earlier.model_version, model.model_version);
    let err = parlance.fit_value(Some("30/06/2026"), date!(2027 - 01 - 15), now(7_200)).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("30/06/2026"), "{}", err.message);
}

#[test]
fn show_finds_a_profile_by_id_email_or_customer_id_with_components_and_history() {
    let (_dir, parlance) = demo(1_500);
    parlance.fit_value(None, date!(2026 - 11 - 22), now(60)).unwrap();
    let reader = parlance_warehouse::Warehouse::open_existing(parlance.warehouse_path()).unwrap();
    let r = reader.reader().unwrap();
    let (profile, email): (i64, String) = r
        .query_row(
            "SELECT i.profile_id, i.value FROM identifiers i JOIN profile_value v ON v.profile_id = i.profile_id
             WHERE i.kind = 'email' AND v.components_json ->> '$.basis' = 'repeat purchases' LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    let by_id = parlance.profile_value(&profile.to_string()).unwrap();
    assert_eq!(by_id.basis, "repeat purchases");
    assert_eq!(by_id.history.len(), 2, "the demo's refresh and the fit");
    // Components are stored to 7 significant digits.
    assert!((by_id.margin - by_id.cost_to_serve - by_id.value).abs() < 1e-5 * by_id.margin.abs().max(1.0));
    assert!(by_id.inputs.orders >= 2 && by_id.inputs.frequency >= 1);
    let by_email = parlance.profile_value(&format!("  {}  ", email.to_uppercase())).unwrap();
    assert_eq!(by_email.profile_id, profile);
    assert_eq!(by_email.matched, format!("email {email}"));

    let customer_id: String = r
        .query_row(
            "SELECT value FROM identifiers WHERE profile_id = ?1 AND kind = 'customer_id:demo-shop'",
            [profile],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(parlance.profile_value(&customer_id).unwrap().profile_id, profile);

    let anonymous: i64 = r
        .query_row(
            "SELECT id FROM profiles WHERE kind = 'anonymous' AND merged_into IS NULL LIMIT 1",
            [],
            |row| row.get(0),
        )
        .unwrap();
    let visitor = parlance.profile_value(&anonymous.to_string()).unwrap();
    assert_eq!((visitor.value, visitor.basis.as_str(), visitor.decile), (0.0, "no purchases", None));
}

#[test]
fn an_unknown_profile_is_not_found_naming_what_was_searched() {
    let (_dir, parlance) = demo(300);
    let err = parlance.profile_value("nobody@nowhere.example").unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    for part in ["nobody@nowhere.example", "profile ids", "email nobody@nowhere.example"] {
        assert!(err.message.contains(part), "{part:?} missing: {}", err.message);
    }
}

#[test]
fn a_warehouse_without_customers_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let parlance = Parlance::open(&dir.path().join("w.parlance")).unwrap();
    let err = parlance.fit_value(Some("2026-10-31"), date!(2026 - 11 - 22), now(0)).unwrap_err();
    assert_eq!(err.code, ErrorCode::InsufficientData);
    assert!(err.message.contains("no customers with purchases"), "{}", err.message);
    let err = parlance.value_summary().unwrap_err();
    assert_eq!(err.code, ErrorCode::InsufficientData);
    assert!(err.message.contains("parlance value fit"), "{}", err.message);
}

#[test]
fn a_tiny_demo_without_repeat_buyers_still_generates() {
    let dir = tempfile::tempdir().unwrap();
    let parlance = Parlance::open(&dir.path().join("w.parlance")).unwrap();
    let options = DemoOptionsDto { people: Some(3), as_of: Some("2026-10-31".into()), ..Default::default() };
    parlance
        .generate_demo(&options, date!(2026 - 11 - 22), now(0), &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
}
