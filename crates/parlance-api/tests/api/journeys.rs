//! Journeys through the API on a demo warehouse: every figure agrees with its
//! drill-down, breakdowns agree with filters, stage flows add up, and a
//! drill-down saved as a segment has exactly those members.

use std::sync::atomic::AtomicBool;

use parlance_api::{
    DemoOptionsDto, DrillRequestDto, ErrorCode, FunnelRequestDto, JourneyFilterDto, Parlance, PathRequestDto,
    StageFlowRequestDto, Timestamp,
};
use time::Date;
use time::macros::date;

const TODAY: Date = date!(2026 - 11 - 22);

fn now(offset: i64) -> Timestamp {
    Timestamp::from_unix(1_790_000_000 + offset).unwrap()
}

fn demo(people: u32) -> (tempfile::TempDir, Parlance) {
    let dir = tempfile::tempdir().unwrap();
    let parlance = Parlance::open(&dir.path().join("w.parlance")).unwrap();
    let options =
        DemoOptionsDto { people: Some(people), as_of: Some("2026-10-31".into()), ..Default::default() };
    parlance.generate_demo(&options, TODAY, now(0), &mut |_| {}, &AtomicBool::new(false)).unwrap();
    (dir, parlance)
}

fn funnel_request(filter: JourneyFilterDto) -> FunnelRequestDto {
    FunnelRequestDto {
        filter,
        steps: vec!["web:product_view".into(), "web:add_to_cart".into(), "shop:purchase".into()],
        window_days: 30,
        breakdown: Vec::new(),
    }
}

#[test]
fn path_nodes_and_edges_drill_down_to_as_many_profiles_as_they_count() {
    let (_dir, parlance) = demo(400);
    let request = PathRequestDto::default();
    let map = parlance.journey_paths(&request, TODAY).unwrap();
    assert!(map.nodes.len() > 5 && !map.edges.is_empty(), "the demo has paths: {map:?}");
    assert!(map.nodes.iter().all(|n| (1..=5).contains(&n.step)));
    let first_step: u64 = map.nodes.iter().filter(|n| n.step == 1).map(|n| n.sequences).sum();
    assert_eq!(first_step, map.sequences, "every sequence starts at one step-1 node");
    for node in map.nodes.iter().take(4) {
        let drill = parlance
            .journey_drill(
                &DrillRequestDto::PathNode { request: request.clone(), node: node.id },
                TODAY,
                10_000,
            )
            .unwrap();
        assert_eq!(drill.count, node.profiles, "{}", drill.description);
        assert!(drill.profiles.windows(2).all(|w| w[0] < w[1]), "ascending, distinct ids");
    }
    let edge = &map.edges[0];
    let drill = parlance
        .journey_drill(
            &DrillRequestDto::PathEdge { request: request.clone(), from: edge.from, to: edge.to },
            TODAY,
            3,
        )
        .unwrap();
    assert_eq!(drill.count, edge.profiles);
    assert_eq!(drill.profiles.len() as u64, drill.count.min(3));
    assert_eq!(drill.truncated, drill.count > 3);
}

#[test]
fn a_segment_filter_and_a_date_range_narrow_the_paths() {
    let (_dir, parlance) = demo(400);
    let everyone = parlance.journey_paths(&PathRequestDto::default(), TODAY).unwrap();
    let segment = parlance.segment_evaluate("promoters", date!(2026 - 10 - 31)).unwrap();
    let mut request = PathRequestDto::default();
    request.filter.segment = Some("promoters".into());
    let promoters = parlance.journey_paths(&request, TODAY).unwrap();
    assert!(
        promoters.profiles <= segment.members,
        "only members: {} of {}",
        promoters.profiles,
        segment.members
    );
    assert!(promoters.profiles < everyone.profiles);

    let mut request = PathRequestDto::default();
    request.filter.from = Some("2026-09-01".into());
    request.filter.to = Some("2026-09-30".into());
    let september = parlance.journey_paths(&request, TODAY).unwrap();
    assert!(september.events < everyone.events, "a month holds fewer touchpoints than two years");

    request.filter.to = Some("2026-08-01".into());
    let err = parlance.journey_paths(&request, TODAY).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("2026-09-01") && err.message.contains("2026-08-01"), "{}", err.message);

    let mut request = PathRequestDto::default();
    request.filter.segment = Some("no_such_segment".into());
    let err = parlance.journey_paths(&request, TODAY).unwrap_err();
    assert!(err.message.contains("no_such_segment"), "{}", err.message);
}

#[test]
fn a_funnel_breakdown_equals_the_funnel_of_the_segment_and_drops_add_up() {
    let (_dir, parlance) = demo(400);
    let mut request = funnel_request(JourneyFilterDto::default());
    request.breakdown = vec!["promoters".into()];
    let funnel = parlance.journey_funnel(&request, TODAY).unwrap();
    assert_eq!(funnel.steps.len(), 3);
    assert!(funnel.steps.windows(2).all(|w| w[1].profiles <= w[0].profiles), "a funnel only narrows");
    let only = parlance
        .journey_funnel(
            &funnel_request(JourneyFilterDto { segment: Some("promoters".into()), ..Default::default() }),
            TODAY,
        )
        .unwrap();
    let part = &funnel.breakdown[0];
    assert_eq!(part.segment, "promoters");
    let counts = |steps: &[parlance_api::FunnelStepDto]| steps.iter().map(|s| s.profiles).collect::<Vec<_>>();
    assert_eq!(counts(&part.steps), counts(&only.steps));

    let request = funnel_request(JourneyFilterDto::default());
    let dropped = parlance
        .journey_drill(
            &DrillRequestDto::FunnelStep { request: request.clone(), step: 1, reached: false },
            TODAY,
            0,
        )
        .unwrap();
    assert_eq!(dropped.count, funnel.steps[0].profiles - funnel.steps[1].profiles);

    let mut bad = request.clone();
    bad.steps = vec!["web:product_view".into()];
    assert_eq!(parlance.journey_funnel(&bad, TODAY).unwrap_err().code, ErrorCode::InvalidInput);
    bad.steps = vec!["web:product_view".into(), "shop:teleport".into()];
    let err = parlance.journey_funnel(&bad, TODAY).unwrap_err();
    assert!(err.message.contains("shop:teleport"), "{}", err.message);
}

#[test]
fn stage_flows_leave_each_stage_with_exactly_its_members() {
    let (_dir, parlance) = demo(300);
    let request = StageFlowRequestDto { period: Some("quarter".into()), ..Default::default() };
    let flows = parlance.journey_stages(&request, TODAY).unwrap();
    assert_eq!(flows.stages, ["acquisition", "conversion", "retention", "win_back", "lapsed"]);
    assert_eq!(
        flows.periods.len(),
        5,
        "twelve months up to 2026-10-31 touch five quarters: {:?}",
        flows.periods
    );
    for (p, counts) in flows.counts.iter().enumerate().take(flows.periods.len() - 1) {
        for (s, stage) in flows.stages.iter().enumerate() {
            let leaving: u64 = flows
                .flows
                .iter()
                .filter(|f| f.from_period as usize == p && &f.from == stage)
                .map(|f| f.profiles)
                .sum();
            assert_eq!(leaving, counts[s], "{stage} after {}", flows.periods[p]);
        }
    }
    let flow = flows.flows.iter().find(|f| f.from != f.to).expect("someone changes stage");
    let drill = parlance
        .journey_drill(
            &DrillRequestDto::StageFlow {
                request: request.clone(),
                period: flow.from_period,
                from: flow.from.clone(),
                to: flow.to.clone(),
            },
            TODAY,
            1_000,
        )
        .unwrap();
    assert_eq!(drill.count, flow.profiles);

    let bad = StageFlowRequestDto { period: Some("fortnight".into()), ..Default::default() };
    let err = parlance.journey_stages(&bad, TODAY).unwrap_err();
    assert!(err.message.contains("fortnight"), "{}", err.message);
}

#[test]
fn a_drill_down_saved_as_a_segment_has_exactly_its_profiles() {
    let (dir, parlance) = demo(300);
    let folder = dir.path().join("vocabulary");
    let request = funnel_request(JourneyFilterDto::default());
    let drill = DrillRequestDto::FunnelStep { request, step: 2, reached: true };
    let expected = parlance.journey_drill(&drill, TODAY, u32::MAX).unwrap();
    assert!(expected.count > 0);
    let saved = parlance
        .journey_save_segment(
            &drill,
            &folder,
            "recent_buyers_from_views",
            "Bought after a view",
            "ana",
            now(60),
            TODAY,
        )
        .unwrap();
    assert_eq!(saved.members, expected.count);
    let members = parlance.segment_evaluate("recent_buyers_from_views", date!(2026 - 10 - 31)).unwrap();
    assert_eq!(members.profiles, expected.profiles);

    let again = parlance.journey_save_segment(
        &drill,
        &folder,
        "recent_buyers_from_views",
        "x",
        "ana",
        now(90),
        TODAY,
    );
    assert!(again.is_err(), "an existing name is refused");
    let bad =
        parlance.journey_save_segment(&drill, &folder, "has space", "x", "ana", now(90), TODAY).unwrap_err();
    assert_eq!(bad.code, ErrorCode::InvalidInput);
}

#[test]
fn charts_of_each_analysis_are_svg_in_either_theme() {
    let (_dir, parlance) = demo(200);
    let map = parlance.journey_paths(&PathRequestDto::default(), TODAY).unwrap();
    let svg = parlance_api::paths_svg(&map, "dark", 900, 500).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("web:"), "{}", &svg[..svg.len().min(200)]);
    assert_eq!(svg, parlance_api::paths_svg(&map, "dark", 900, 500).unwrap(), "deterministic");
    let funnel = parlance.journey_funnel(&funnel_request(JourneyFilterDto::default()), TODAY).unwrap();
    assert!(parlance_api::funnel_svg(&funnel, "light", 900, 500).unwrap().contains("shop:purchase"));
    let err = parlance_api::funnel_svg(&funnel, "sepia", 900, 500).unwrap_err();
    assert!(err.message.contains("sepia"));
    let png = parlance_api::svg_to_png(&svg).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn the_cached_event_log_is_reloaded_after_an_import() {
    let (_dir, parlance) = demo(200);
    let request = PathRequestDto::default();
    let before = parlance.journey_paths(&request, TODAY).unwrap();
    let cached = parlance.journey_paths(&request, TODAY).unwrap();
    assert_eq!((cached.events, cached.sequences), (before.events, before.sequences));

    let file = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../parlance-import/tests/fixtures/segment.jsonl");
    let options = parlance_api::ImportOptionsDto {
        path: file.display().to_string(),
        format: "segment".into(),
        ..Default::default()
    };
    parlance.import_file(&options, TODAY, now(120), &mut |_| {}, &AtomicBool::new(false)).unwrap();
    let after = parlance.journey_paths(&request, TODAY).unwrap();
    assert!(
        after.events > before.events,
        "the imported page views are touchpoints: {} -> {}",
        before.events,
        after.events
    );
}
