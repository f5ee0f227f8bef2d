//! Loading from a real warehouse: the demo company generated, landed and
//! unified in a temporary directory.

use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parlance_demo::DemoConfig;
use parlance_journeys::{
    Filter, FunnelOptions, Level, PathOptions, Period, Touchpoints, funnel, load, paths, periods,
    stage_flows, stage_snapshots,
};
use parlance_segments::Sandbox;
use parlance_vocabulary::Program;
use parlance_warehouse::{Timestamp, Warehouse};
use tempfile::TempDir;
use time::macros::date;

const AS_OF: time::Date = date!(2026 - 10 - 31);

struct Demo {
    _dir: TempDir,
    warehouse: Warehouse,
    program: Program,
}

fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let warehouse = Warehouse::open(&dir.path().join("w.parlance")).unwrap();
        let at = Timestamp::parse("2026-11-01T00:00:00Z").unwrap();
        let config = DemoConfig { people: 400, seed: DemoConfig::DEFAULT_SEED, as_of: AS_OF };
        let cancel = AtomicBool::new(false);
        parlance_demo::generate(&warehouse, &config, at, &mut |_| {}, &cancel).unwrap();
        parlance_unify::unify_pending(
            &warehouse,
            &parlance_identity::Rules::default(),
            at,
            &mut |_| {},
            &cancel,
        )
        .unwrap();
        let catalog = parlance_segments::warehouse_catalog(&warehouse.reader().unwrap()).unwrap();
        let text = format!(
            "{}\n{}",
            include_str!("../../../../vocabulary/touchpoints.parlance"),
            include_str!("../../../../vocabulary/stages.parlance")
        );
        let program = Program::new(text, &catalog);
        Demo { _dir: dir, warehouse, program }
    })
}

fn all_events(level: Level, filter: &Filter) -> parlance_journeys::EventLog {
    let d = demo();
    let t = Touchpoints::from_program(&d.program).unwrap();
    load(&d.warehouse.reader().unwrap(), &t, filter, level).unwrap()
}

fn seconds(d: time::Date) -> i64 {
    d.midnight().assume_utc().unix_timestamp()
}

#[test]
fn loads_live_profiles_and_filters_by_date_and_profiles() {
    let full = all_events(Level::Label, &Filter::default());
    assert!(full.events() > 1000 && full.profiles() > 100, "{} events", full.events());
    let reader = demo().warehouse.reader().unwrap();
    let merged: Vec<i64> = reader
        .prepare("SELECT id FROM profiles WHERE merged_into IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(full.profile_ids().iter().all(|p| !merged.contains(p)));
    let live_events: i64 = reader
        .query_row(
            "SELECT count(*) FROM events e JOIN profiles p ON p.id = e.profile_id WHERE p.merged_into IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(full.events() as i64 <= live_events);

    let (from, to) = (date!(2026 - 01 - 01), date!(2026 - 03 - 31));
    let ranged = all_events(Level::Label, &Filter { profiles: None, from: Some(from), to: Some(to) });
    assert!(ranged.events() > 0 && ranged.events() < full.events());
    let (lo, hi) = ranged.span().unwrap();
    assert!(lo >= seconds(from) && hi < seconds(date!(2026 - 04 - 01)), "{lo} {hi}");

    let some: Vec<i64> = full.profile_ids().iter().copied().step_by(3).collect();
    let subset = all_events(Level::Label, &Filter { profiles: Some(some.clone()), from: None, to: None });
    assert_eq!(subset.profile_ids(), some.as_slice());
    let expected: usize = some.iter().map(|p| events_of(&full, *p)).sum();
    assert_eq!(subset.events(), expected);
    // The same paths as the full log restricted to those profiles.
    let options = PathOptions::default();
    let a = paths(&subset, &options).unwrap();
    assert!(a.profiles <= some.len() as u64 && a.profiles > 0);
}

fn events_of(log: &parlance_journeys::EventLog, profile: i64) -> usize {
    let one = Filter { profiles: Some(vec![profile]), from: None, to: None };
    let single = all_events(Level::Label, &one);
    assert!(log.profile_ids().contains(&profile));
    single.events()
}

#[test]
fn group_level_merges_labels_into_groups() {
    let labels = all_events(Level::Label, &Filter::default());
    let groups = all_events(Level::Group, &Filter::default());
    assert_eq!(labels.events(), groups.events());
    let mut names = groups.labels().to_vec();
    names.sort();
    assert!(names.iter().all(|n| !n.contains(':')), "{names:?}");
    assert!(names.contains(&"web".to_owned()) && names.contains(&"shop".to_owned()));
    let f = funnel(
        &groups,
        &FunnelOptions { steps: vec!["web".into(), "shop".into()], window_seconds: 30 * 86_400 },
    )
    .unwrap();
    assert!(f.steps[0].profiles >= f.steps[1].profiles && f.steps[1].profiles > 0);
}

#[test]
fn stage_snapshots_leave_out_profiles_not_yet_present() {
    let d = demo();
    let sandbox = Sandbox::open(&d.warehouse, Duration::from_secs(60)).unwrap();
    let ps = periods(date!(2025 - 01 - 01), AS_OF, Period::Quarter);
    assert_eq!(ps.len(), 8);
    let snaps = stage_snapshots(&sandbox, &d.program, &ps, None).unwrap();
    let sizes: Vec<usize> = snaps.iter().map(|(_, s)| s.len()).collect();
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "{sizes:?}");
    assert!(sizes[0] > 0);
    let flows = stage_flows(
        &snaps,
        &["acquisition".into(), "conversion".into(), "retention".into(), "win_back".into(), "lapsed".into()],
    );
    assert_eq!(flows.stages.len(), 5, "{:?}", flows.stages);
    for (p, counts) in flows.counts.iter().enumerate().skip(1) {
        let inflow: u64 = flows.flows.iter().filter(|f| f.from_period + 1 == p).map(|f| f.profiles).sum();
        assert_eq!(inflow as usize, sizes[p - 1], "everyone present stays present");
        assert!(inflow <= counts.iter().sum());
    }
    let some: Vec<i64> = snaps[3].1.iter().map(|(id, _)| *id).step_by(2).collect();
    let filtered = stage_snapshots(&sandbox, &d.program, &ps, Some(&some)).unwrap();
    assert_eq!(filtered[3].1.len(), some.len());
}
