use std::sync::atomic::AtomicBool;

use parlance_api::{DemoOptionsDto, Parlance};
use parlance_warehouse::Timestamp;
use time::macros::date;

fn now() -> Timestamp {
    Timestamp::from_unix(1_790_000_000).unwrap()
}

#[test]
fn overview_counts_what_the_demo_landed_and_a_rerun_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let parlance = Parlance::open(&dir.path().join("w.parlance")).unwrap();
    assert!(parlance.demo_needed().unwrap());
    let options = DemoOptionsDto { people: Some(300), ..Default::default() };
    let mut progress = Vec::new();
    let summary = parlance
        .generate_demo(
            &options,
            date!(2026 - 11 - 22),
            now(),
            &mut |p| progress.push(p.people_done),
            &AtomicBool::new(false),
        )
        .unwrap();
    assert_eq!(summary.as_of, "2026-11-21", "defaults to yesterday");
    assert_eq!(progress.last(), Some(&300));
    assert!(!parlance.demo_needed().unwrap());

    let overview = parlance.overview().unwrap();
    assert_eq!(overview.layers.landing, summary.records);
    assert_eq!(overview.sources.iter().map(|s| s.records).sum::<u64>(), summary.records);
    assert_eq!(overview.sources.len(), 5);
    assert!(overview.sources.iter().all(|s| s.last_run.as_ref().is_some_and(|r| r.status == "succeeded")));
    let demo = overview.demo.unwrap();
    assert_eq!((demo.people, demo.as_of.as_str()), (300, "2026-11-21"));

    // Days later, a re-run without --as-of reuses the stored date: nothing changes.
    let again = parlance
        .generate_demo(&options, date!(2026 - 12 - 30), now(), &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, summary.records));
    assert_eq!(parlance.overview().unwrap().layers.landing, summary.records);
}

#[test]
fn a_bad_as_of_date_is_invalid_input_naming_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let parlance = Parlance::open(&dir.path().join("w.parlance")).unwrap();
    let options = DemoOptionsDto { people: Some(10), as_of: Some("31/12/2025".into()), ..Default::default() };
    let err = parlance
        .generate_demo(&options, date!(2026 - 11 - 22), now(), &mut |_| {}, &AtomicBool::new(false))
        .unwrap_err();
    assert_eq!(err.code, parlance_api::ErrorCode::InvalidInput);
    assert!(err.message.contains("31/12/2025"), "{}", err.message);
    assert_eq!(parlance.overview().unwrap().layers.landing, 0);
}

#[test]
fn a_cancelled_demo_is_still_needed_and_a_rerun_completes_it() {
    let dir = tempfile::tempdir().unwrap();
    let parlance = Parlance::open(&dir.path().join("w.parlance")).unwrap();
    let options = DemoOptionsDto { people: Some(5_000), ..Default::default() };
    let cancel = AtomicBool::new(false);
    let err = parlance
        .generate_demo(
            &options,
            date!(2026 - 11 - 22),
            now(),
            &mut |p| {
                if p.people_done >= 2_000 {
                    cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            },
            &cancel,
        )
        .unwrap_err();
    assert_eq!(err.code, parlance_api::ErrorCode::Cancelled);
    assert!(parlance.overview().unwrap().layers.landing > 0, "what was landed stays");
    assert!(parlance.demo_needed().unwrap(), "an unfinished demo is still needed");
    let done = parlance
        .generate_demo(&options, date!(2026 - 11 - 22), now(), &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    assert!(done.unchanged > 0 && done.inserted > 0, "{done:?}");
    assert!(!parlance.demo_needed().unwrap());
}
