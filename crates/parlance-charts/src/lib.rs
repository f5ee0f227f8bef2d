//! Charts as pure functions from data to SVG text.
//!
//! Every chart is a function `(&data, Theme, Size) -> Result<String, ChartError>`:
//! no IO, no clock, no global state. The API layer turns its DTOs into the
//! small input types here; the CLI writes the text to a file and the app shows
//! it inline.
//!
//! # Design decisions
//!
//! - **plotters with its SVG backend only.** SVG is text, so it diffs, snapshots
//!   and embeds in the app without a canvas. The crate is built with
//!   `default-features = false, features = ["svg_backend", …]`: no bitmap
//!   encoders and, above all, no `ttf`/`font-kit`, which would load system
//!   fonts (fontconfig, freetype) and break a fresh Debian build or make the
//!   output depend on the machine. Without fonts plotters estimates text
//!   extents and the SVG backend writes `<text>` elements that the viewer lays
//!   out with its own `sans-serif`.
//! - **Deterministic output.** Same input, theme and size give byte-identical
//!   SVG: the inputs are plain ordered vectors (no hash maps), every number
//!   label is formatted here ([`format_amount`]), non-finite values are
//!   dropped before drawing, and sizes are clamped. Snapshot tests pin it.
//! - **Degenerate input never panics.** Empty input renders the chart's title
//!   and a clear "No data" message; a single value or all-equal values get a
//!   non-empty axis range.
//! - **Journey and segment charts** ([`sankey`], [`funnel`], [`size_trend`],
//!   [`overlap_heatmap`]) follow the same rules. The Sankey writes its SVG
//!   text itself (plotters has no filled Bézier ribbons; see its module);
//!   the others draw with plotters. Long labels are cut with an ellipsis and
//!   keep their full text in an SVG `<title>` tooltip; user text is always
//!   XML-escaped, and only presentation attributes are written (no `style`),
//!   because the app inlines the SVG under a CSP without inline styles.
//! - **PNG** ([`svg_to_png`]) rasterises any chart's SVG with resvg, a pure
//!   Rust renderer whose font loading (fontdb) reads the system's font files
//!   itself: no fontconfig or freetype to build against. It is the only place
//!   that touches fonts, so the SVG output stays machine-independent.
//! - **Theming.** [`Theme::Light`] and [`Theme::Dark`] map to a [`Palette`]
//!   (background, text, grid and series colours); charts read colours only
//!   from the palette, so a new theme is one function.

mod funnel;
mod labels;
mod overlap;
mod png;
mod sankey;
mod trend;

pub use funnel::{Funnel, FunnelBar, funnel};
pub use labels::format_count;
pub use overlap::{OverlapMatrix, overlap_heatmap};
pub use png::svg_to_png;
pub use sankey::{Sankey, SankeyLink, SankeyNode, sankey};
pub use trend::{SizeSeries, size_trend};

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor;

/// Why a chart could not be drawn: malformed input (a Sankey link that
/// points outside its nodes, a ragged overlap matrix, a date that is not
/// `YYYY-MM-DD`, a PNG scale out of range), or a plotters or resvg error.
#[derive(Debug, thiserror::Error)]
#[error("drawing the chart: {0}")]
pub struct ChartError(pub(crate) String);

type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Light or dark colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    /// `"light"` or `"dark"`.
    pub fn parse(text: &str) -> Option<Theme> {
        match text.trim().to_ascii_lowercase().as_str() {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    pub fn palette(self) -> Palette {
        match self {
            Theme::Light => Palette {
                background: RGBColor(0xFF, 0xFF, 0xFF),
                text: RGBColor(0x1F, 0x29, 0x37),
                grid: RGBColor(0xE5, 0xE7, 0xEB),
                primary: RGBColor(0x25, 0x63, 0xEB),
                secondary: RGBColor(0xEA, 0x58, 0x0C),
                marker: RGBColor(0x7C, 0x3A, 0xED),
            },
            Theme::Dark => Palette {
                background: RGBColor(0x11, 0x18, 0x27),
                text: RGBColor(0xE5, 0xE7, 0xEB),
                grid: RGBColor(0x37, 0x41, 0x51),
                primary: RGBColor(0x60, 0xA5, 0xFA),
                secondary: RGBColor(0xFB, 0x92, 0x3C),
                marker: RGBColor(0xC4, 0xB5, 0xFD),
            },
        }
    }
}

/// The colours of a theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    pub background: RGBColor,
    pub text: RGBColor,
    pub grid: RGBColor,
    /// Bars and the first series.
    pub primary: RGBColor,
    /// The second series.
    pub secondary: RGBColor,
    /// Thresholds and annotations.
    pub marker: RGBColor,
}

impl Palette {
    /// `#RRGGBB`, as the SVG backend writes it.
    pub fn hex(color: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", color.0, color.1, color.2)
    }
}

/// Pixel size; clamped to 240×160 … 4000×4000.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl Size {
    pub const DEFAULT: Size = Size { width: 800, height: 450 };

    pub fn new(width: u32, height: u32) -> Size {
        Size { width: width.clamp(240, 4000), height: height.clamp(160, 4000) }
    }
}

/// A compact, deterministic amount label: `950`, `1.2k`, `3.4M`, `-12.5`.
pub fn format_amount(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let a = v.abs();
    let s = if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 10.0 || a == 0.0 || (v.fract() == 0.0) {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    if s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') { "0".into() } else { s }
}

fn font(size: u32, color: RGBColor) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&color)
}

fn err(e: impl std::fmt::Display) -> ChartError {
    ChartError(e.to_string())
}

/// Draws into a fresh SVG string of `size` on the theme's background.
fn render(
    size: Size,
    palette: Palette,
    draw: impl FnOnce(&Area<'_>) -> DrawResult,
) -> Result<String, ChartError> {
    let size = Size::new(size.width, size.height);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (size.width, size.height)).into_drawing_area();
        root.fill(&palette.background).map_err(err)?;
        draw(&root).map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// The title and a centred "No data" message.
fn no_data(area: &Area<'_>, title: &str, palette: Palette) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    let centre = font(16, palette.text)
        .pos(text_anchor::Pos::new(text_anchor::HPos::Center, text_anchor::VPos::Center));
    area.draw(&Text::new(title.to_string(), ((w / 2) as i32, 24), centre.clone()))?;
    area.draw(&Text::new("No data".to_string(), ((w / 2) as i32, (h / 2) as i32), centre))?;
    Ok(())
}

/// Keeps finite values only.
fn finite(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

/// A non-empty range covering `lo..hi` and 0 (for bars), with 5% headroom.
fn value_range(lo: f64, hi: f64) -> (f64, f64) {
    let lo = finite(lo).min(0.0);
    let hi = finite(hi).max(0.0);
    if hi - lo <= f64::EPSILON {
        return (lo, lo + 1.0);
    }
    let pad = (hi - lo) * 0.05;
    (if lo < 0.0 { lo - pad } else { lo }, hi + pad)
}

// ---------------------------------------------------------------- histogram

/// One histogram bucket: profiles with `from <= value < to` (the last bucket
/// includes `to`).
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    pub from: f64,
    pub to: f64,
    pub profiles: u64,
}

/// A tier threshold marked on the histogram: values from `from` up are `name`.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    pub name: String,
    pub from: f64,
}

/// Profiles by value bucket, with the tier thresholds.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ValueHistogram {
    pub buckets: Vec<Bucket>,
    pub thresholds: Vec<Threshold>,
    /// Shown in the axis title, e.g. `EUR`.
    pub currency: String,
}

impl ValueHistogram {
    /// Buckets `values` (non-finite values are skipped) into `buckets` equal
    /// widths between the smallest and largest value.
    pub fn from_values(
        values: &[f64],
        buckets: usize,
        thresholds: Vec<Threshold>,
        currency: &str,
    ) -> ValueHistogram {
        let values: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let buckets = buckets.clamp(1, 200);
        let mut out = ValueHistogram { buckets: Vec::new(), thresholds, currency: currency.to_string() };
        let (Some(lo), Some(hi)) =
            (values.iter().copied().reduce(f64::min), values.iter().copied().reduce(f64::max))
        else {
            return out;
        };
        let (lo, hi) = if hi - lo <= f64::EPSILON { (lo - 0.5, hi + 0.5) } else { (lo, hi) };
        let width = (hi - lo) / buckets as f64;
        let mut counts = vec![0u64; buckets];
        for v in values {
            let i = (((v - lo) / width) as usize).min(buckets - 1);
            counts[i] += 1;
        }
        out.buckets = counts
            .into_iter()
            .enumerate()
            .map(|(i, profiles)| Bucket {
                from: lo + width * i as f64,
                to: if i + 1 == buckets { hi } else { lo + width * (i + 1) as f64 },
                profiles,
            })
            .collect();
        out
    }
}

/// Profiles by value bucket (bars), tier thresholds as labelled dashed lines.
pub fn value_histogram(data: &ValueHistogram, theme: Theme, size: Size) -> Result<String, ChartError> {
    let palette = theme.palette();
    let title = "Profiles by value";
    let buckets: Vec<&Bucket> =
        data.buckets.iter().filter(|b| b.from.is_finite() && b.to.is_finite() && b.to >= b.from).collect();
    let total: u64 = buckets.iter().map(|b| b.profiles).sum();
    render(size, palette, |root| {
        if total == 0 {
            return no_data(root, title, palette);
        }
        let lo = buckets.iter().map(|b| b.from).fold(f64::INFINITY, f64::min);
        let hi = buckets.iter().map(|b| b.to).fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if hi - lo <= f64::EPSILON { (lo - 0.5, hi + 0.5) } else { (lo, hi) };
        let max = buckets.iter().map(|b| b.profiles).max().unwrap_or(0).max(1);
        let y_hi = max + max.div_ceil(10);
        let mut chart = ChartBuilder::on(root)
            .caption(title, font(18, palette.text))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(lo..hi, 0u64..y_hi)?;
        let x_desc =
            if data.currency.is_empty() { "Value".to_string() } else { format!("Value ({})", data.currency) };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(palette.grid)
            .bold_line_style(palette.grid)
            .axis_style(palette.text)
            .label_style(font(12, palette.text))
            .axis_desc_style(font(13, palette.text))
            .x_desc(x_desc)
            .y_desc("Profiles")
            .x_label_formatter(&|v| format_amount(*v))
            .y_label_formatter(&|v| v.to_string())
            .draw()?;
        chart.draw_series(
            buckets
                .iter()
                .filter(|b| b.profiles > 0)
                .map(|b| Rectangle::new([(b.from, 0), (b.to, b.profiles)], palette.primary.filled())),
        )?;
        let line = ShapeStyle::from(palette.marker).stroke_width(2);
        for t in data.thresholds.iter().filter(|t| t.from.is_finite() && t.from > lo && t.from < hi) {
            chart.draw_series(DashedLineSeries::new([(t.from, 0), (t.from, y_hi)], 6, 4, line))?;
            chart.draw_series(std::iter::once(Text::new(
                t.name.clone(),
                (t.from, y_hi),
                font(12, palette.marker)
                    .pos(text_anchor::Pos::new(text_anchor::HPos::Left, text_anchor::VPos::Top)),
            )))?;
        }
        Ok(())
    })
}

// ---------------------------------------------------------------- tiers

/// One value tier: how many profiles and how much value.
#[derive(Clone, Debug, PartialEq)]
pub struct TierBar {
    pub name: String,
    pub profiles: u64,
    pub total_value: f64,
}

/// Profiles per tier (left) and total value per tier (right), tiers in the
/// given order.
pub fn value_tiers(
    tiers: &[TierBar],
    currency: &str,
    theme: Theme,
    size: Size,
) -> Result<String, ChartError> {
    let palette = theme.palette();
    let title = "Value tiers";
    render(size, palette, |root| {
        if tiers.is_empty() {
            return no_data(root, title, palette);
        }
        let root = root.titled(title, font(18, palette.text))?;
        let (left, right) = root.split_horizontally(root.dim_in_pixel().0 / 2);
        let profiles: Vec<f64> = tiers.iter().map(|t| t.profiles as f64).collect();
        let values: Vec<f64> = tiers.iter().map(|t| finite(t.total_value)).collect();
        let value_desc =
            if currency.is_empty() { "Total value".to_string() } else { format!("Total value ({currency})") };
        tier_panel(&left, tiers, &profiles, "Profiles", palette.primary, palette)?;
        tier_panel(&right, tiers, &values, &value_desc, palette.secondary, palette)?;
        Ok(())
    })
}

fn tier_panel(
    area: &Area<'_>,
    tiers: &[TierBar],
    ys: &[f64],
    y_desc: &str,
    colour: RGBColor,
    palette: Palette,
) -> DrawResult {
    let lo = ys.iter().copied().fold(0.0, f64::min);
    let hi = ys.iter().copied().fold(0.0, f64::max);
    let (lo, hi) = value_range(lo, hi);
    let n = tiers.len() as i32;
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d((0..n).into_segmented(), lo..hi)?;
    let name = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
            usize::try_from(*i).ok().and_then(|i| tiers.get(i)).map(|t| t.name.clone()).unwrap_or_default()
        }
        SegmentValue::Last => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(palette.grid)
        .bold_line_style(palette.grid)
        .axis_style(palette.text)
        .label_style(font(12, palette.text))
        .axis_desc_style(font(13, palette.text))
        .x_desc("Tier")
        .y_desc(y_desc)
        .x_labels(tiers.len())
        .x_label_formatter(&name)
        .y_label_formatter(&|v| format_amount(*v))
        .draw()?;
    chart.draw_series(ys.iter().enumerate().map(|(i, &y)| {
        let i = i as i32;
        let mut bar =
            Rectangle::new([(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), y)], colour.filled());
        bar.set_margin(0, 0, 8, 8);
        bar
    }))?;
    chart.draw_series(ys.iter().enumerate().map(|(i, &y)| {
        Text::new(
            format_amount(y),
            (SegmentValue::CenterOf(i as i32), y),
            font(11, palette.text)
                .pos(text_anchor::Pos::new(text_anchor::HPos::Center, text_anchor::VPos::Bottom)),
        )
    }))?;
    Ok(())
}

// ---------------------------------------------------------------- calibration

/// One calibration-frequency group of the BG/NBD hold-out check.
#[derive(Clone, Debug, PartialEq)]
pub struct CalibrationGroup {
    /// Repeat purchases in the calibration period.
    pub frequency: u32,
    /// This group pools `frequency` and above (`7+`).
    pub pooled: bool,
    pub customers: u64,
    pub mean_predicted: f64,
    pub mean_actual: f64,
}

/// Predicted and actual mean hold-out purchases per calibration frequency:
/// two series and a legend.
pub fn calibration(
    groups: &[CalibrationGroup],
    holdout_days: i64,
    theme: Theme,
    size: Size,
) -> Result<String, ChartError> {
    let palette = theme.palette();
    let title = "Model calibration (hold-out)";
    render(size, palette, |root| {
        if groups.is_empty() {
            return no_data(root, title, palette);
        }
        let predicted: Vec<f64> = groups.iter().map(|g| finite(g.mean_predicted)).collect();
        let actual: Vec<f64> = groups.iter().map(|g| finite(g.mean_actual)).collect();
        let hi = predicted.iter().chain(&actual).copied().fold(0.0, f64::max);
        let (lo, hi) = value_range(0.0, hi);
        let n = groups.len() as i32;
        let mut chart = ChartBuilder::on(root)
            .caption(title, font(18, palette.text))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d((0..n).into_segmented(), lo..hi)?;
        let label = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| groups.get(i))
                .map(|g| if g.pooled { format!("{}+", g.frequency) } else { g.frequency.to_string() })
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        };
        let y_desc = if holdout_days > 0 {
            format!("Mean purchases in {holdout_days} hold-out days")
        } else {
            "Mean hold-out purchases".to_string()
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(palette.grid)
            .bold_line_style(palette.grid)
            .axis_style(palette.text)
            .label_style(font(12, palette.text))
            .axis_desc_style(font(13, palette.text))
            .x_desc("Repeat purchases in calibration period")
            .y_desc(y_desc)
            .x_labels(groups.len())
            .x_label_formatter(&label)
            .y_label_formatter(&|v| format!("{v:.1}"))
            .draw()?;
        let points = |ys: &[f64]| -> Vec<(SegmentValue<i32>, f64)> {
            ys.iter().enumerate().map(|(i, &y)| (SegmentValue::CenterOf(i as i32), y)).collect()
        };
        for (name, ys, colour) in
            [("Predicted", &predicted, palette.primary), ("Actual", &actual, palette.secondary)]
        {
            let style = ShapeStyle::from(colour).stroke_width(2);
            chart
                .draw_series(LineSeries::new(points(ys), style))?
                .label(name)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
            chart.draw_series(points(ys).into_iter().map(|p| Circle::new(p, 4, colour.filled())))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(palette.background)
            .border_style(palette.grid)
            .label_font(font(12, palette.text))
            .draw()?;
        Ok(())
    })
}
