use parlance_journeys::{FunnelOptions, funnel, funnel_step_profiles};

use crate::log;

/// 1 does A B C in time; 2 does A, B too late, then A B; 3 does B A C (out
/// of order); 4 only C; 5 does A B and C just after the window.
fn sample() -> parlance_journeys::EventLog {
    log(&[
        (1, 0, "A"),
        (1, 10, "B"),
        (1, 30, "C"),
        (2, 0, "A"),
        (2, 200, "B"),
        (2, 300, "A"),
        (2, 310, "B"),
        (3, 0, "B"),
        (3, 5, "A"),
        (3, 10, "C"),
        (4, 0, "C"),
        (5, 0, "A"),
        (5, 50, "B"),
        (5, 150, "C"),
    ])
}

fn abc(window_seconds: i64) -> FunnelOptions {
    FunnelOptions { steps: vec!["A".into(), "B".into(), "C".into()], window_seconds }
}

#[test]
fn steps_within_the_window_in_order() {
    let f = funnel(&sample(), &abc(100)).unwrap();
    assert_eq!(f.profiles_considered, 5);
    let reached: Vec<u64> = f.steps.iter().map(|s| s.profiles).collect();
    assert_eq!(reached, [4, 3, 1]);
    assert_eq!(f.steps[0].conversion_from_previous, 1.0);
    assert_eq!(f.steps[0].median_seconds_from_previous, None);
    assert_eq!(f.steps[1].conversion_from_previous, 0.75);
    assert!((f.steps[2].conversion_from_previous - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(f.steps[2].conversion_from_first, 0.25);
    // B after A: 10 (1), 10 (2, from the second A), 50 (5).
    assert_eq!(f.steps[1].median_seconds_from_previous, Some(10.0));
    assert!((f.steps[1].avg_seconds_from_previous.unwrap() - 70.0 / 3.0).abs() < 1e-9);
    assert_eq!(f.steps[2].median_seconds_from_previous, Some(20.0));
}

#[test]
fn a_wider_window_prefers_the_earliest_start_among_the_best() {
    let f = funnel(&sample(), &abc(200)).unwrap();
    let reached: Vec<u64> = f.steps.iter().map(|s| s.profiles).collect();
    assert_eq!(reached, [4, 3, 2]);
    // Profile 2 now reaches B from its first A (200 s): 10, 200, 50.
    assert_eq!(f.steps[1].median_seconds_from_previous, Some(50.0));
    assert_eq!(f.steps[2].median_seconds_from_previous, Some(60.0));
}

#[test]
fn drill_down_reached_and_dropped() {
    let log = sample();
    assert_eq!(funnel_step_profiles(&log, &abc(100), 0, true).unwrap(), [1, 2, 3, 5]);
    assert_eq!(funnel_step_profiles(&log, &abc(100), 1, true).unwrap(), [1, 2, 5]);
    assert_eq!(funnel_step_profiles(&log, &abc(100), 1, false).unwrap(), [3]);
    assert_eq!(funnel_step_profiles(&log, &abc(100), 2, false).unwrap(), [2, 5]);
    assert!(funnel_step_profiles(&log, &abc(100), 3, true).is_err());
    assert!(funnel_step_profiles(&log, &abc(100), 0, false).is_err());
}

#[test]
fn bad_options_are_errors() {
    let log = sample();
    let one = FunnelOptions { steps: vec!["A".into()], window_seconds: 10 };
    assert!(funnel(&log, &one).unwrap_err().to_string().contains("at least 2 steps"));
    assert!(funnel(&log, &abc(0)).unwrap_err().to_string().contains("window"));
    let unknown = FunnelOptions { steps: vec!["A".into(), "Z".into()], window_seconds: 10 };
    let text = funnel(&log, &unknown).unwrap_err().to_string();
    assert!(text.contains("funnel step 2") && text.contains("`Z`"), "{text}");
}
