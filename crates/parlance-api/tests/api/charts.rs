//! The value charts on a demo warehouse: SVG text with the tier names, and
//! the same bytes on every call.

use std::sync::atomic::AtomicBool;

use parlance_api::{DemoOptionsDto, ErrorCode, Parlance};
use parlance_warehouse::Timestamp;
use time::macros::date;

fn demo(people: u32) -> (tempfile::TempDir, Parlance) {
    let dir = tempfile::tempdir().unwrap();
    let parlance = Parlance::open(&dir.path().join("w.parlance")).unwrap();
    let options =
        DemoOptionsDto { people: Some(people), as_of: Some("2026-10-31".into()), ..Default::default() };
    let now = Timestamp::from_unix(1_790_000_000).unwrap();
    parlance
        .generate_demo(&options, date!(2026 - 11 - 22), now, &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    (dir, parlance)
}

fn assert_svg(svg: &str) {
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
}

#[test]
fn value_charts_name_the_tiers_and_are_byte_identical_across_calls() {
    let (_dir, parlance) = demo(400);
    let tiers = parlance.value_summary().unwrap().tiers;
    let histogram = parlance.value_histogram_svg("light", 800, 450).unwrap();
    assert_svg(&histogram);
    for t in tiers.iter().filter(|t| t.from.is_some()) {
        assert!(histogram.contains(&format!("\n{}\n", t.name)), "threshold {} marked", t.name);
    }
    assert_eq!(histogram, parlance.value_histogram_svg("light", 800, 450).unwrap());

    let bars = parlance.value_tiers_svg("dark", 900, 400).unwrap();
    assert_svg(&bars);
    for t in &tiers {
        assert!(bars.contains(&format!("\n{}\n", t.name)), "tier {}", t.name);
    }
    assert_eq!(bars, parlance.value_tiers_svg("dark", 900, 400).unwrap());

    let calibration = parlance.value_calibration_svg("light", 640, 360).unwrap();
    assert_svg(&calibration);
    assert!(calibration.contains("\nPredicted\n") || calibration.contains("\nNo data\n"));
    assert_eq!(calibration, parlance.value_calibration_svg("light", 640, 360).unwrap());
}

#[test]
fn an_unknown_theme_is_invalid_input() {
    let (_dir, parlance) = demo(200);
    let e = parlance.value_tiers_svg("sepia", 800, 450).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
}
