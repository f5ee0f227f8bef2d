//! Segment size over time: one line per segment, dates on x, members on y.
//!
//! Dates are `YYYY-MM-DD` text (the crate has no date library); they are
//! turned into day numbers for the axis and back into text for its labels.

use plotters::prelude::*;

use crate::labels::{add_tooltips, categorical, fit, format_count};
use crate::{ChartError, Palette, Size, Theme, font, no_data, render};

/// A segment's size at each date: `(YYYY-MM-DD, members)`, ascending dates.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SizeSeries {
    pub name: String,
    pub points: Vec<(String, u64)>,
}

/// Legend names longer than this are cut (with a tooltip).
const LEGEND_CHARS: usize = 32;

/// An error names the series and the date that is not `YYYY-MM-DD`.
pub fn size_trend(
    series: &[SizeSeries],
    title: &str,
    theme: Theme,
    size: Size,
) -> Result<String, ChartError> {
    let palette = theme.palette();
    let parsed = parse(series)?;
    let mut fitted = Vec::new();
    let svg = render(size, palette, |root| {
        let points = parsed.iter().flatten();
        let (Some(first), Some(last)) =
            (points.clone().map(|p| p.0).min(), points.clone().map(|p| p.0).max())
        else {
            return no_data(root, title, palette);
        };
        // Room on both sides so the first and last points clear the axes.
        let pad = ((last - first) / 40).max(1);
        let max = points.map(|p| p.1).max().unwrap_or(0).max(1);
        // Above the highest point: 10 %, plus room for the legend box.
        let legend_share = if series.len() > 1 { 0.08 * series.len() as f64 } else { 0.0 };
        let y_hi = max.saturating_add((max as f64 * (0.1 + legend_share)).ceil() as u64);
        let x_axis = ((first - pad)..(last + pad)).with_key_points(date_ticks(&parsed));
        let mut chart = ChartBuilder::on(root)
            .caption(title, font(18, palette.text))
            .margin(12)
            // The last date label is centred on the right edge of the plot.
            .margin_right(40)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(x_axis, 0u64..y_hi)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(palette.grid)
            .bold_line_style(palette.grid)
            .y_max_light_lines(1)
            .axis_style(palette.text)
            .label_style(font(12, palette.text))
            .axis_desc_style(font(13, palette.text))
            .x_desc("Date")
            .y_desc("Members")
            .x_label_formatter(&|d| date_text(*d))
            .y_label_formatter(&|v| format_count(*v))
            .draw()?;
        let colours = series_colours(theme);
        for (i, (s, points)) in series.iter().zip(&parsed).enumerate() {
            let colour = colours[i % colours.len()];
            let style = ShapeStyle::from(colour).stroke_width(2);
            let line = chart.draw_series(LineSeries::new(points.iter().copied(), style))?;
            let name = fit(&s.name, LEGEND_CHARS);
            line.label(name.shown.clone())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
            fitted.push(name);
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
        }
        if series.len() > 1 {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(palette.background)
                .border_style(palette.grid)
                .label_font(font(12, palette.text))
                .draw()?;
        }
        Ok(())
    })?;
    Ok(add_tooltips(svg, if series.len() > 1 { &fitted } else { &[] }))
}

/// At most eight of the dates that have points, evenly spread: ticks on
/// the data's own dates read better than round day numbers.
fn date_ticks(parsed: &[Vec<(i64, u64)>]) -> Vec<i64> {
    let mut dates: Vec<i64> = parsed.iter().flatten().map(|p| p.0).collect();
    dates.sort_unstable();
    dates.dedup();
    let step = dates.len().div_ceil(8).max(1);
    dates.into_iter().step_by(step).collect()
}

/// The theme's two series colours, then the categorical palette.
fn series_colours(theme: Theme) -> Vec<RGBColor> {
    let p: Palette = theme.palette();
    let mut out = vec![p.primary, p.secondary];
    out.extend(categorical(theme).into_iter().filter(|c| *c != p.primary && *c != p.secondary));
    out
}

fn parse(series: &[SizeSeries]) -> Result<Vec<Vec<(i64, u64)>>, ChartError> {
    series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .map(|(date, members)| {
                    day_number(date).map(|d| (d, *members)).ok_or_else(|| {
                        ChartError(format!("series {:?} has the date {date:?}, expected YYYY-MM-DD", s.name))
                    })
                })
                .collect()
        })
        .collect()
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (H. Hinnant's algorithm).
pub(crate) fn day_number(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let field = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) { s.parse().ok() } else { None }
    };
    let (y, m, d) = (field(0..4)?, field(5..7)?, field(8..10)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// `YYYY-MM-DD` of a day number.
pub(crate) fn date_text(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2024-02-29"), Some(19_782));
        assert_eq!(date_text(19_782), "2024-02-29");
        for d in [-1000, 0, 365, 11_016, 20_000] {
            assert_eq!(day_number(&date_text(d)), Some(d));
        }
    }

    #[test]
    fn bad_dates_are_rejected() {
        for bad in ["2023-02-29", "2024-13-01", "2024-1-01", "20240101", "2024-01-0x", ""] {
            assert_eq!(day_number(bad), None, "{bad}");
        }
    }
}
