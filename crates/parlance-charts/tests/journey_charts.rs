#![allow(clippy::unwrap_used)]
//! Snapshot tests of the journey and segment charts (`UPDATE_EXPECT=1` to
//! refresh) and properties that must hold for any input.

use expect_test::expect_file;
use parlance_charts::{
    Funnel, FunnelBar, OverlapMatrix, Palette, Sankey, SankeyLink, SankeyNode, Size, SizeSeries, Theme,
    funnel, overlap_heatmap, sankey, size_trend, svg_to_png,
};

const NASTY: &str = r#"<script>&"x"'"#;
const LONG: &str = "support:call about a delivery that never arrived and a refund";

fn node(column: usize, label: &str, value: u64) -> SankeyNode {
    SankeyNode { column, label: label.into(), value }
}

fn link(from: usize, to: usize, value: u64) -> SankeyLink {
    SankeyLink { from, to, value }
}

fn paths() -> Sankey {
    Sankey {
        title: "Top paths".into(),
        columns: vec!["Step 1".into(), "Step 2".into(), "Step 3".into()],
        nodes: vec![
            node(0, "web:visit", 120),
            node(0, "email:click", 40),
            node(1, "web:product_view", 90),
            node(1, LONG, 30),
            node(2, "store:purchase", 50),
            node(2, "web:visit", 30),
        ],
        links: vec![
            link(0, 2, 70),
            link(0, 3, 20),
            link(1, 2, 20),
            link(1, 3, 10),
            link(2, 4, 45),
            link(2, 5, 25),
            link(3, 4, 5),
        ],
        unit: "profiles".into(),
    }
}

fn steps() -> Funnel {
    Funnel {
        title: "Checkout".into(),
        steps: vec![
            FunnelBar { label: "web:product_view".into(), count: 1200 },
            FunnelBar { label: "web:add_to_cart".into(), count: 480 },
            FunnelBar { label: LONG.into(), count: 210 },
            FunnelBar { label: "store:purchase".into(), count: 145 },
        ],
        unit: "profiles".into(),
    }
}

fn trend() -> Vec<SizeSeries> {
    let series = |name: &str, sizes: [u64; 4]| SizeSeries {
        name: name.into(),
        points: ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]
            .iter()
            .zip(sizes)
            .map(|(d, n)| (d.to_string(), n))
            .collect(),
    };
    vec![series("vip", [120, 130, 128, 150]), series(LONG, [300, 280, 260, 255])]
}

fn overlap() -> OverlapMatrix {
    OverlapMatrix {
        names: vec!["vip".into(), "newsletter".into(), "lapsed".into()],
        sizes: vec![120, 540, 300],
        shared: vec![vec![120, 90, 4], vec![90, 540, 150], vec![4, 150, 300]],
    }
}

fn assert_clean(svg: &str) {
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));
    for bad in ["NaN", "inf", "style=", "<style", "<script"] {
        assert!(!svg.contains(bad), "{bad} in {svg}");
    }
}

/// The text content of every `<text>` element, whitespace trimmed.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..t.find("</text>")?];
            Some(body.trim().to_string())
        })
        .collect()
}

fn has_text(svg: &str, s: &str) -> bool {
    texts(svg).iter().any(|t| t == s)
}

#[test]
fn sankey_snapshot() {
    let svg = sankey(&paths(), Theme::Light, Size::new(720, 400)).unwrap();
    expect_file!["snapshots/sankey_light.svg"].assert_eq(&svg);
}

#[test]
fn sankey_dark_snapshot() {
    let svg = sankey(&paths(), Theme::Dark, Size::new(720, 400)).unwrap();
    expect_file!["snapshots/sankey_dark.svg"].assert_eq(&svg);
}

#[test]
fn funnel_snapshot() {
    let svg = funnel(&steps(), Theme::Light, Size::new(720, 320)).unwrap();
    expect_file!["snapshots/funnel_light.svg"].assert_eq(&svg);
}

#[test]
fn size_trend_snapshot() {
    let svg = size_trend(&trend(), "Segment size", Theme::Light, Size::new(720, 360)).unwrap();
    expect_file!["snapshots/size_trend_light.svg"].assert_eq(&svg);
}

#[test]
fn overlap_snapshot() {
    let svg = overlap_heatmap(&overlap(), Theme::Light, Size::new(640, 400)).unwrap();
    expect_file!["snapshots/overlap_light.svg"].assert_eq(&svg);
}

#[test]
fn overlap_dark_snapshot() {
    let svg = overlap_heatmap(&overlap(), Theme::Dark, Size::new(640, 400)).unwrap();
    expect_file!["snapshots/overlap_dark.svg"].assert_eq(&svg);
}

#[test]
fn sankey_has_a_ribbon_per_link_and_labels_with_counts() {
    let svg = sankey(&paths(), Theme::Light, Size::DEFAULT).unwrap();
    assert_clean(&svg);
    assert_eq!(svg.matches("<path ").count(), paths().links.len());
    assert!(has_text(&svg, "web:visit (120)"), "{:?}", texts(&svg));
    assert!(has_text(&svg, "store:purchase (50)"));
    for column in ["Step 1", "Step 2", "Step 3"] {
        assert!(has_text(&svg, column), "{column}");
    }
    assert!(svg.contains("<title>web:visit → web:product_view: 70 profiles</title>"), "{svg}");
}

#[test]
fn sankey_colours_a_label_the_same_in_every_column() {
    let svg = sankey(&paths(), Theme::Light, Size::DEFAULT).unwrap();
    let fill_of = |tip: &str| {
        let at = svg.find(&format!("<title>{tip}</title><rect")).unwrap();
        let rest = &svg[at..];
        let fill = &rest[rest.find("fill=\"").unwrap() + 6..];
        fill[..7].to_string()
    };
    assert_eq!(fill_of("web:visit: 120 profiles"), fill_of("web:visit: 30 profiles"));
}

#[test]
fn sankey_node_heights_are_proportional_to_values() {
    let svg = sankey(&paths(), Theme::Light, Size::DEFAULT).unwrap();
    let height_of = |tip: &str| -> f64 {
        let at = svg.find(&format!("<title>{tip}</title><rect")).unwrap();
        let rest = &svg[at..];
        let h = &rest[rest.find("height=\"").unwrap() + 8..];
        h[..h.find('"').unwrap()].parse().unwrap()
    };
    let ratio = height_of("web:visit: 120 profiles") / height_of("email:click: 40 profiles");
    assert!((ratio - 3.0).abs() < 0.05, "{ratio}");
}

#[test]
fn sankey_rejects_links_that_do_not_go_left_to_right() {
    let mut data = paths();
    data.links.push(link(4, 2, 1));
    let e = sankey(&data, Theme::Light, Size::DEFAULT).unwrap_err().to_string();
    assert!(e.contains("link 7") && e.contains("left to right"), "{e}");
    data.links.pop();
    data.links.push(link(0, 99, 1));
    let e = sankey(&data, Theme::Light, Size::DEFAULT).unwrap_err().to_string();
    assert!(e.contains("node 99") && e.contains("only 6 nodes"), "{e}");
}

#[test]
fn funnel_has_counts_and_both_percentages() {
    let svg = funnel(&steps(), Theme::Light, Size::DEFAULT).unwrap();
    assert_clean(&svg);
    let bar = Palette::hex(Theme::Light.palette().primary);
    assert_eq!(svg.lines().filter(|l| l.contains("<rect") && l.contains(&bar)).count(), 4);
    for t in ["1,200", "480", "100.0%", "40.0%", "43.8%", "12.1%", "69.0%", "% of first", "Count (profiles)"]
    {
        assert!(has_text(&svg, t), "{t} in {:?}", texts(&svg));
    }
}

#[test]
fn funnel_with_a_zero_first_step_has_no_nan() {
    let data = Funnel {
        title: "f".into(),
        steps: vec![FunnelBar { label: "a".into(), count: 0 }, FunnelBar { label: "b".into(), count: 0 }],
        unit: String::new(),
    };
    let svg = funnel(&data, Theme::Light, Size::DEFAULT).unwrap();
    assert_clean(&svg);
    assert!(has_text(&svg, "–") && has_text(&svg, "Count"));
}

#[test]
fn size_trend_has_legend_only_for_several_series() {
    let svg = size_trend(&trend(), "Segment size", Theme::Dark, Size::DEFAULT).unwrap();
    assert_clean(&svg);
    assert!(has_text(&svg, "vip") && has_text(&svg, "2024-03-01") && has_text(&svg, "Members"));
    let one = size_trend(&trend()[..1], "Segment size", Theme::Light, Size::DEFAULT).unwrap();
    assert!(!has_text(&one, "vip"), "a single series needs no legend");
    assert!(has_text(&one, "2024-01-01"));
}

#[test]
fn size_trend_names_a_bad_date() {
    let bad = vec![SizeSeries { name: "vip".into(), points: vec![("2024-02-30".into(), 3)] }];
    let e = size_trend(&bad, "t", Theme::Light, Size::DEFAULT).unwrap_err().to_string();
    assert!(e.contains("\"vip\"") && e.contains("2024-02-30"), "{e}");
}

#[test]
fn size_trend_with_one_point_draws_it() {
    let one = vec![SizeSeries { name: "vip".into(), points: vec![("2024-02-29".into(), 7)] }];
    let svg = size_trend(&one, "t", Theme::Light, Size::DEFAULT).unwrap();
    assert_clean(&svg);
    assert_eq!(svg.matches("<circle").count(), 1);
    assert!(has_text(&svg, "2024-02-29"));
}

#[test]
fn overlap_writes_counts_and_row_shares() {
    let svg = overlap_heatmap(&overlap(), Theme::Light, Size::DEFAULT).unwrap();
    assert_clean(&svg);
    // Row "vip" (120): 90 shared with newsletter is 75 %; row "newsletter" (540): 16.7 %.
    for t in ["90", "75.0%", "16.7%", "100.0%", "newsletter", "lapsed"] {
        assert!(has_text(&svg, t), "{t} in {:?}", texts(&svg));
    }
    // Both axes name every segment.
    assert_eq!(texts(&svg).iter().filter(|t| *t == "lapsed").count(), 2);
    // Full share is the primary colour, no share is the background.
    let p = Theme::Light.palette();
    assert!(svg.contains(&format!("fill=\"{}\"", Palette::hex(p.primary))));
}

#[test]
fn overlap_rejects_a_ragged_matrix() {
    let mut data = overlap();
    data.shared[1].pop();
    let e = overlap_heatmap(&data, Theme::Light, Size::DEFAULT).unwrap_err().to_string();
    assert!(e.contains("row 1") && e.contains("\"newsletter\"") && e.contains("expected 3"), "{e}");
    data.sizes.pop();
    let e = overlap_heatmap(&data, Theme::Light, Size::DEFAULT).unwrap_err().to_string();
    assert!(e.contains("2 sizes"), "{e}");
}

#[test]
fn empty_inputs_say_no_data() {
    let empty_sankey = Sankey { title: "Paths".into(), ..Sankey::default() };
    let zero_sankey =
        Sankey { nodes: vec![node(0, "a", 0), node(1, "b", 0)], links: vec![link(0, 1, 0)], ..paths() };
    for svg in [
        sankey(&empty_sankey, Theme::Light, Size::DEFAULT).unwrap(),
        sankey(&zero_sankey, Theme::Dark, Size::new(0, 0)).unwrap(),
        funnel(&Funnel::default(), Theme::Light, Size::DEFAULT).unwrap(),
        size_trend(&[], "Size", Theme::Light, Size::DEFAULT).unwrap(),
        size_trend(&[SizeSeries::default()], "Size", Theme::Dark, Size::DEFAULT).unwrap(),
        overlap_heatmap(&OverlapMatrix::default(), Theme::Light, Size::DEFAULT).unwrap(),
    ] {
        assert_clean(&svg);
        assert!(has_text(&svg, "No data"), "{svg}");
    }
}

#[test]
fn output_is_byte_identical_across_calls() {
    for theme in [Theme::Light, Theme::Dark] {
        let size = Size::DEFAULT;
        assert_eq!(sankey(&paths(), theme, size).unwrap(), sankey(&paths(), theme, size).unwrap());
        assert_eq!(funnel(&steps(), theme, size).unwrap(), funnel(&steps(), theme, size).unwrap());
        assert_eq!(
            size_trend(&trend(), "t", theme, size).unwrap(),
            size_trend(&trend(), "t", theme, size).unwrap()
        );
        assert_eq!(
            overlap_heatmap(&overlap(), theme, size).unwrap(),
            overlap_heatmap(&overlap(), theme, size).unwrap()
        );
    }
}

#[test]
fn dark_theme_uses_the_dark_background() {
    let bg = format!("fill=\"{}\"", Palette::hex(Theme::Dark.palette().background));
    let light_bg = format!("fill=\"{}\"", Palette::hex(Theme::Light.palette().background));
    for svg in [
        sankey(&paths(), Theme::Dark, Size::DEFAULT).unwrap(),
        funnel(&steps(), Theme::Dark, Size::DEFAULT).unwrap(),
        size_trend(&trend(), "t", Theme::Dark, Size::DEFAULT).unwrap(),
        overlap_heatmap(&overlap(), Theme::Dark, Size::DEFAULT).unwrap(),
    ] {
        let first_rect = svg.lines().find(|l| l.starts_with("<rect")).unwrap();
        assert!(first_rect.contains(&bg) && !first_rect.contains(&light_bg), "{first_rect}");
    }
}

/// A long label is cut with an ellipsis, and its full text is in a tooltip.
fn assert_truncated_with_tooltip(svg: &str, full: &str) {
    assert!(!texts(svg).iter().any(|t| t.contains(full)), "{full} drawn uncut");
    assert!(texts(svg).iter().any(|t| t.contains('…')), "no ellipsis in {:?}", texts(svg));
    assert!(svg.contains(&format!("<title>{full}</title>")), "no tooltip for {full}");
}

#[test]
fn long_labels_are_truncated_with_a_tooltip() {
    let narrow = Size::new(480, 320);
    assert_truncated_with_tooltip(&funnel(&steps(), Theme::Light, narrow).unwrap(), LONG);
    assert_truncated_with_tooltip(&size_trend(&trend(), "t", Theme::Light, narrow).unwrap(), LONG);
    let svg = sankey(&paths(), Theme::Light, narrow).unwrap();
    assert!(svg.contains(&format!("<g><title>{LONG}</title><text")), "{svg}");
    let mut names = overlap();
    names.names[2] = LONG.into();
    assert_truncated_with_tooltip(&overlap_heatmap(&names, Theme::Light, narrow).unwrap(), LONG);
}

#[test]
fn user_text_is_escaped() {
    let escaped = "&lt;script&gt;&amp;&quot;x&quot;&apos;";
    let mut s = paths();
    s.nodes[0].label = NASTY.into();
    s.columns[0] = NASTY.into();
    s.title = NASTY.into();
    s.unit = NASTY.into();
    let f = Funnel {
        title: NASTY.into(),
        steps: vec![FunnelBar { label: NASTY.into(), count: 1 }],
        unit: NASTY.into(),
    };
    let t = vec![
        SizeSeries { name: NASTY.into(), points: vec![("2024-01-01".into(), 1)] },
        SizeSeries { name: "b".into(), points: vec![] },
    ];
    let mut o = overlap();
    o.names[0] = NASTY.into();
    for svg in [
        sankey(&s, Theme::Light, Size::DEFAULT).unwrap(),
        funnel(&f, Theme::Light, Size::DEFAULT).unwrap(),
        size_trend(&t, NASTY, Theme::Light, Size::DEFAULT).unwrap(),
        overlap_heatmap(&o, Theme::Light, Size::DEFAULT).unwrap(),
    ] {
        assert_clean(&svg);
        assert!(svg.contains(escaped), "{svg}");
    }
}

#[test]
fn png_has_the_signature_and_scaled_dimensions() {
    let svg = funnel(&steps(), Theme::Light, Size::new(400, 300)).unwrap();
    let png = svg_to_png(&svg, 2.0).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height, big-endian, right after the chunk header.
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (800, 600));
    let half = svg_to_png(&svg, 0.5).unwrap();
    assert_eq!(u32::from_be_bytes(half[16..20].try_into().unwrap()), 200);
}

#[test]
fn png_rejects_bad_scale_and_bad_svg() {
    let svg = funnel(&steps(), Theme::Light, Size::DEFAULT).unwrap();
    for scale in [0.0, -1.0, f32::NAN, 1000.0] {
        assert!(svg_to_png(&svg, scale).is_err(), "{scale}");
    }
    let e = svg_to_png("not svg", 1.0).unwrap_err().to_string();
    assert!(e.contains("PNG"), "{e}");
}

/// Dark pixels in a PNG of black text on white: text was rasterised.
fn ink(svg: &str) -> usize {
    let png = svg_to_png(svg, 1.0).unwrap();
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
    pixmap.pixels().iter().filter(|p| p.red() < 128 && p.alpha() > 0).count()
}

#[test]
fn png_renders_text_even_in_an_unknown_font_family() {
    let mut fonts = resvg::usvg::fontdb::Database::new();
    fonts.load_system_fonts();
    if fonts.is_empty() {
        // Nothing to render text with; the PNG must still be produced.
        eprintln!("no system fonts: only checking that text does not fail the PNG");
    }
    let text = |family: &str| {
        format!(
            "<svg width=\"200\" height=\"40\" xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"200\" height=\"40\" fill=\"#FFFFFF\"/><text x=\"10\" y=\"28\" font-family=\"{family}\" font-size=\"20\" fill=\"#000000\">Hello…</text></svg>"
        )
    };
    for family in ["sans-serif", "No Such Font"] {
        let dark = ink(&text(family));
        if !fonts.is_empty() {
            assert!(dark > 50, "{family}: {dark} dark pixels");
        }
    }
}

/// The `y` of the node whose tooltip is `tip`.
fn node_y(svg: &str, tip: &str) -> f64 {
    let at = svg.find(&format!("<title>{tip}</title><rect")).unwrap();
    let rest = &svg[at..];
    let y = &rest[rest.find(" y=\"").unwrap() + 4..];
    y[..y.find('"').unwrap()].parse().unwrap()
}

#[test]
fn sankey_keeps_a_recurring_label_in_the_same_order_in_every_column() {
    // A totals 40 and B 25: A is above B in both columns, although B is the
    // bigger node in the first one.
    let data = Sankey {
        title: "Stages".into(),
        columns: vec!["Q1".into(), "Q2".into()],
        nodes: vec![node(0, "B", 20), node(0, "A", 10), node(1, "B", 5), node(1, "A", 30)],
        links: vec![link(0, 3, 15), link(0, 2, 5), link(1, 3, 10)],
        unit: String::new(),
    };
    let svg = sankey(&data, Theme::Light, Size::DEFAULT).unwrap();
    assert!(node_y(&svg, "A: 10") < node_y(&svg, "B: 20"), "{svg}");
    assert!(node_y(&svg, "A: 30") < node_y(&svg, "B: 5"), "{svg}");
}
