use parlance_journeys::{Period, StageFlow, periods, stage_flow_profiles, stage_flows};
use time::macros::date;

fn snap(name: &str, rows: &[(i64, &str)]) -> (String, Vec<(i64, String)>) {
    (name.to_owned(), rows.iter().map(|(id, s)| (*id, (*s).to_owned())).collect())
}

fn flow(from_period: usize, from: &str, to: &str, profiles: u64) -> StageFlow {
    StageFlow { from_period, from: from.into(), to: to.into(), profiles }
}

#[test]
fn counts_and_flows_between_consecutive_periods() {
    let snapshots = [
        snap("2026-01", &[(1, "acq"), (2, "acq"), (3, "conv")]),
        snap("2026-02", &[(1, "conv"), (2, "acq"), (3, "ret"), (4, "acq")]),
        snap("2026-03", &[(1, "conv"), (4, "mystery")]),
    ];
    let order = ["acq".to_owned(), "conv".to_owned(), "ret".to_owned()];
    let flows = stage_flows(&snapshots, &order);
    assert_eq!(flows.periods, ["2026-01", "2026-02", "2026-03"]);
    assert_eq!(flows.stages, ["acq", "conv", "ret", "mystery"]);
    assert_eq!(flows.counts, [vec![2, 1, 0, 0], vec![2, 1, 1, 0], vec![0, 1, 0, 1]]);
    assert_eq!(
        flows.flows,
        [
            flow(0, "acq", "acq", 1),
            flow(0, "acq", "conv", 1),
            flow(0, "conv", "ret", 1),
            flow(1, "acq", "mystery", 1),
            flow(1, "conv", "conv", 1),
        ]
    );
    assert_eq!(stage_flow_profiles(&snapshots, 0, "acq", "conv"), [1]);
    assert_eq!(stage_flow_profiles(&snapshots, 1, "acq", "mystery"), [4]);
    assert!(stage_flow_profiles(&snapshots, 2, "conv", "conv").is_empty());
}

#[test]
fn periods_cover_the_range_and_end_at_its_end() {
    let months = periods(date!(2026 - 01 - 15), date!(2026 - 03 - 10), Period::Month);
    assert_eq!(
        months,
        [
            ("2026-01".to_owned(), date!(2026 - 01 - 31)),
            ("2026-02".to_owned(), date!(2026 - 02 - 28)),
            ("2026-03".to_owned(), date!(2026 - 03 - 10)),
        ]
    );
    let quarters = periods(date!(2025 - 11 - 02), date!(2026 - 04 - 01), Period::Quarter);
    assert_eq!(
        quarters,
        [
            ("2025-Q4".to_owned(), date!(2025 - 12 - 31)),
            ("2026-Q1".to_owned(), date!(2026 - 03 - 31)),
            ("2026-Q2".to_owned(), date!(2026 - 04 - 01)),
        ]
    );
    assert!(periods(date!(2026 - 02 - 01), date!(2026 - 01 - 01), Period::Month).is_empty());
}
