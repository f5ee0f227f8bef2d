#![allow(clippy::unwrap_used)]
//! Snapshot tests of every chart's SVG (`UPDATE_EXPECT=1` to refresh) and
//! properties that must hold for any input.

use expect_test::expect_file;
use parlance_charts::{
    Bucket, CalibrationGroup, Palette, Size, Theme, Threshold, TierBar, ValueHistogram, calibration,
    format_amount, value_histogram, value_tiers,
};

fn histogram() -> ValueHistogram {
    ValueHistogram {
        buckets: vec![
            Bucket { from: 0.0, to: 100.0, profiles: 40 },
            Bucket { from: 100.0, to: 200.0, profiles: 25 },
            Bucket { from: 200.0, to: 300.0, profiles: 0 },
            Bucket { from: 300.0, to: 400.0, profiles: 7 },
        ],
        thresholds: vec![
            Threshold { name: "vip".into(), from: 300.0 },
            Threshold { name: "regular".into(), from: 100.0 },
        ],
        currency: "EUR".into(),
    }
}

fn tiers() -> Vec<TierBar> {
    vec![
        TierBar { name: "vip".into(), profiles: 7, total_value: 2450.0 },
        TierBar { name: "regular".into(), profiles: 25, total_value: 3700.5 },
        TierBar { name: "low".into(), profiles: 40, total_value: 1200.0 },
    ]
}

fn groups() -> Vec<CalibrationGroup> {
    (0..8)
        .map(|f| CalibrationGroup {
            frequency: f,
            pooled: f == 7,
            customers: 100 - u64::from(f) * 10,
            mean_predicted: 0.2 + f64::from(f) * 0.4,
            mean_actual: 0.25 + f64::from(f) * 0.37,
        })
        .collect()
}

fn assert_clean(svg: &str) {
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("<text"), "text is emitted without fonts");
    for bad in ["NaN", "inf"] {
        assert!(!svg.contains(bad), "{bad} in {svg}");
    }
}

/// Whether a `<text>` element holds exactly `s` (the SVG backend writes the
/// content on its own line).
fn has_text(svg: &str, s: &str) -> bool {
    svg.contains(&format!(">\n{s}\n</text>"))
}

fn rects_filled(svg: &str, colour: &str) -> usize {
    svg.lines().filter(|l| l.contains("<rect") && l.contains(&format!("fill=\"{colour}\""))).count()
}

#[test]
fn histogram_snapshot() {
    let svg = value_histogram(&histogram(), Theme::Light, Size::new(640, 360)).unwrap();
    expect_file!["snapshots/histogram_light.svg"].assert_eq(&svg);
}

#[test]
fn histogram_dark_snapshot() {
    let svg = value_histogram(&histogram(), Theme::Dark, Size::new(640, 360)).unwrap();
    expect_file!["snapshots/histogram_dark.svg"].assert_eq(&svg);
}

#[test]
fn tiers_snapshot() {
    let svg = value_tiers(&tiers(), "EUR", Theme::Light, Size::new(800, 360)).unwrap();
    expect_file!["snapshots/tiers_light.svg"].assert_eq(&svg);
}

#[test]
fn calibration_snapshot() {
    let svg = calibration(&groups(), 180, Theme::Light, Size::new(640, 360)).unwrap();
    expect_file!["snapshots/calibration_light.svg"].assert_eq(&svg);
}

#[test]
fn histogram_has_one_bar_per_non_empty_bucket_and_names_thresholds() {
    let svg = value_histogram(&histogram(), Theme::Light, Size::DEFAULT).unwrap();
    assert_clean(&svg);
    let bar = Palette::hex(Theme::Light.palette().primary);
    assert_eq!(rects_filled(&svg, &bar), 3);
    assert!(has_text(&svg, "vip") && has_text(&svg, "regular"), "{svg}");
    assert!(has_text(&svg, "Value (EUR)") && has_text(&svg, "Profiles"));
}

#[test]
fn tiers_have_two_bars_per_tier_and_their_names() {
    let svg = value_tiers(&tiers(), "EUR", Theme::Dark, Size::DEFAULT).unwrap();
    assert_clean(&svg);
    let p = Theme::Dark.palette();
    assert_eq!(rects_filled(&svg, &Palette::hex(p.primary)), 3);
    assert_eq!(rects_filled(&svg, &Palette::hex(p.secondary)), 3);
    for name in ["vip", "regular", "low"] {
        assert!(has_text(&svg, name), "{name}");
    }
    assert!(has_text(&svg, "Total value (EUR)"));
}

#[test]
fn calibration_has_legend_and_frequency_labels() {
    let svg = calibration(&groups(), 180, Theme::Light, Size::DEFAULT).unwrap();
    assert_clean(&svg);
    assert!(has_text(&svg, "Predicted") && has_text(&svg, "Actual"));
    assert!(has_text(&svg, "7+") && has_text(&svg, "0"));
    assert!(svg.contains("180 hold-out days"));
}

#[test]
fn output_is_byte_identical_across_calls() {
    let h = histogram();
    assert_eq!(
        value_histogram(&h, Theme::Dark, Size::DEFAULT).unwrap(),
        value_histogram(&h, Theme::Dark, Size::DEFAULT).unwrap()
    );
    assert_eq!(
        value_tiers(&tiers(), "", Theme::Light, Size::DEFAULT).unwrap(),
        value_tiers(&tiers(), "", Theme::Light, Size::DEFAULT).unwrap()
    );
    assert_eq!(
        calibration(&groups(), 90, Theme::Light, Size::DEFAULT).unwrap(),
        calibration(&groups(), 90, Theme::Light, Size::DEFAULT).unwrap()
    );
}

#[test]
fn empty_input_says_no_data() {
    for svg in [
        value_histogram(&ValueHistogram::default(), Theme::Light, Size::DEFAULT).unwrap(),
        value_histogram(&ValueHistogram::from_values(&[], 20, vec![], "EUR"), Theme::Dark, Size::new(0, 0))
            .unwrap(),
        value_tiers(&[], "EUR", Theme::Light, Size::DEFAULT).unwrap(),
        calibration(&[], 0, Theme::Dark, Size::DEFAULT).unwrap(),
    ] {
        assert_clean(&svg);
        assert!(has_text(&svg, "No data"), "{svg}");
    }
}

#[test]
fn degenerate_input_has_no_nan_or_inf() {
    let same = ValueHistogram::from_values(
        &[5.0, 5.0, 5.0],
        10,
        vec![Threshold { name: "t".into(), from: 5.0 }],
        "",
    );
    assert_eq!(same.buckets.iter().map(|b| b.profiles).sum::<u64>(), 3);
    assert_clean(&value_histogram(&same, Theme::Light, Size::DEFAULT).unwrap());
    let wild = ValueHistogram::from_values(&[f64::NAN, f64::INFINITY, -3.0, 0.0, 1e7], 5, vec![], "EUR");
    assert_eq!(wild.buckets.iter().map(|b| b.profiles).sum::<u64>(), 3);
    assert_clean(&value_histogram(&wild, Theme::Light, Size::DEFAULT).unwrap());
    let zero = vec![TierBar { name: "all".into(), profiles: 0, total_value: f64::NAN }];
    assert_clean(&value_tiers(&zero, "EUR", Theme::Light, Size::DEFAULT).unwrap());
    let negative = vec![TierBar { name: "loss".into(), profiles: 3, total_value: -120.0 }];
    assert_clean(&value_tiers(&negative, "EUR", Theme::Light, Size::DEFAULT).unwrap());
    let flat = vec![CalibrationGroup {
        frequency: 0,
        pooled: false,
        customers: 0,
        mean_predicted: f64::NAN,
        mean_actual: 0.0,
    }];
    assert_clean(&calibration(&flat, 30, Theme::Light, Size::DEFAULT).unwrap());
}

#[test]
fn from_values_buckets_every_value_once() {
    let h = ValueHistogram::from_values(&[0.0, 1.0, 2.0, 3.0, 4.0], 4, vec![], "");
    assert_eq!(h.buckets.iter().map(|b| b.profiles).collect::<Vec<_>>(), vec![1, 1, 1, 2]);
    assert_eq!(h.buckets[0].from, 0.0);
    assert_eq!(h.buckets[3].to, 4.0);
}

#[test]
fn amounts_are_compact() {
    assert_eq!(format_amount(0.0), "0");
    assert_eq!(format_amount(-0.01), "0");
    assert_eq!(format_amount(2.5), "2.5");
    assert_eq!(format_amount(950.0), "950");
    assert_eq!(format_amount(1234.0), "1.2k");
    assert_eq!(format_amount(45_000.0), "45k");
    assert_eq!(format_amount(3_400_000.0), "3.4M");
    assert_eq!(format_amount(f64::NAN), "0");
}
