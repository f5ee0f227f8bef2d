use std::sync::atomic::AtomicBool;

use parlance_demo::{DemoError, generate, person_records};
use parlance_warehouse::Timestamp;

use crate::{config, fresh, land, scalar};

#[test]
fn running_the_demo_twice_changes_nothing() {
    let (_dir, wh) = fresh();
    let first = land(&wh, &config(600));
    assert!(first.stats.inserted > 5_000, "{first:?}");
    let landing_before = scalar(&wh, "SELECT count(*) FROM landing_records");
    let hash_before = scalar(&wh, "SELECT sum(length(content_hash) + id) FROM landing_records");
    let second = land(&wh, &config(600));
    assert_eq!(second.stats.inserted, 0);
    assert_eq!(second.stats.updated, 0);
    assert_eq!(second.stats.unchanged, first.stats.inserted);
    assert_eq!(scalar(&wh, "SELECT count(*) FROM landing_records"), landing_before);
    assert_eq!(scalar(&wh, "SELECT sum(length(content_hash) + id) FROM landing_records"), hash_before);
    assert!(wh.integrity_check().unwrap().is_empty());
}

#[test]
fn the_same_config_gives_identical_records_and_a_different_seed_does_not() {
    let cfg = config(50);
    let a: Vec<_> = (0..50).flat_map(|i| person_records(&cfg, i)).collect();
    let b: Vec<_> = (0..50).rev().flat_map(|i| person_records(&cfg, i)).collect();
    let mut b_sorted = b.clone();
    b_sorted.sort_by(|x, y| (x.person, &x.source_id).cmp(&(y.person, &y.source_id)));
    let mut a_sorted = a.clone();
    a_sorted.sort_by(|x, y| (x.person, &x.source_id).cmp(&(y.person, &y.source_id)));
    assert_eq!(a_sorted, b_sorted, "generation order must not matter");
    let other = parlance_demo::DemoConfig { seed: 8, ..cfg.clone() };
    let c: Vec<_> = (0..50).flat_map(|i| person_records(&other, i)).collect();
    assert_ne!(a, c);
}

#[test]
fn every_record_has_a_unique_key_and_a_true_person() {
    let (_dir, wh) = fresh();
    let report = land(&wh, &config(800));
    assert_eq!(report.stats.records(), report.stats.inserted, "no key was produced twice");
    assert_eq!(
        scalar(&wh, "SELECT count(*) FROM landing_records"),
        scalar(&wh, "SELECT count(*) FROM demo_truth")
    );
    let orphans = scalar(
        &wh,
        "SELECT count(*) FROM landing_records l LEFT JOIN demo_truth t
         ON t.landing_id = l.id WHERE t.person IS NULL",
    );
    assert_eq!(orphans, 0);
}

#[test]
fn a_cancelled_demo_keeps_what_it_landed_and_a_rerun_completes_it() {
    let (_dir, wh) = fresh();
    let cancel = AtomicBool::new(false);
    let now = Timestamp::from_unix(1_790_000_000).unwrap();
    let big = config(5_000);
    let err = generate(
        &wh,
        &big,
        now,
        &mut |p| {
            if p.people_done >= 2_000 {
                cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        },
        &cancel,
    )
    .unwrap_err();
    assert!(
        matches!(err, DemoError::Cancelled { people_done } if (2_000..5_000).contains(&people_done)),
        "{err}"
    );
    let partial = scalar(&wh, "SELECT count(*) FROM landing_records");
    assert!(partial > 0);
    assert_eq!(scalar(&wh, "SELECT count(*) FROM sync_runs WHERE status = 'cancelled'"), 5);
    assert_eq!(
        scalar(&wh, "SELECT count(*) FROM settings WHERE key = 'demo'"),
        0,
        "an unfinished demo is not recorded as done"
    );
    let rest = land(&wh, &big);
    assert_eq!(rest.stats.unchanged as i64, partial);
    let (_dir2, clean) = fresh();
    let uninterrupted = land(&clean, &big);
    assert_eq!(scalar(&wh, "SELECT count(*) FROM landing_records"), uninterrupted.stats.inserted as i64);
}

#[test]
fn bad_shapes_are_refused_before_anything_is_written() {
    let (_dir, wh) = fresh();
    let now = Timestamp::from_unix(1_790_000_000).unwrap();
    let zero = parlance_demo::DemoConfig { people: 0, ..config(1) };
    let err = generate(&wh, &zero, now, &mut |_| {}, &AtomicBool::new(false)).unwrap_err();
    assert!(err.to_string().contains("between 1 and"), "{err}");
    assert_eq!(scalar(&wh, "SELECT count(*) FROM sources"), 0);
}
