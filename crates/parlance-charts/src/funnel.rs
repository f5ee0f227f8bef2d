//! Funnel: one horizontal bar per step, as a small table with the step, the
//! bar and its count, the share of the first step and of the previous step.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::labels::{Fitted, add_tooltips, chars_that_fit, fit, format_count, percent};
use crate::{Area, ChartError, DrawResult, Palette, Size, Theme, font, no_data, render};

/// One funnel step; steps are given in order and the first is 100 %.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FunnelBar {
    pub label: String,
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Funnel {
    pub title: String,
    pub steps: Vec<FunnelBar>,
    /// What is counted, e.g. `profiles`.
    pub unit: String,
}

/// Plotters divides the point size by 1.24 when it writes SVG: these are the
/// sizes to ask for to get ~12 px and ~11 px text.
const LABEL: u32 = 15;
const SMALL: u32 = 14;

pub fn funnel(data: &Funnel, theme: Theme, size: Size) -> Result<String, ChartError> {
    let palette = theme.palette();
    let mut fitted = Vec::new();
    let svg = render(size, palette, |root| {
        if data.steps.is_empty() {
            return no_data(root, &data.title, palette);
        }
        draw(root, data, palette, &mut fitted)
    })?;
    Ok(add_tooltips(svg, &fitted))
}

/// Column positions of the table, in pixels.
struct Columns {
    label_right: i32,
    bar_left: i32,
    bar_room: f64,
    first: i32,
    previous: i32,
}

impl Columns {
    fn new(width: i32) -> Columns {
        let label_width = (f64::from(width) * 0.24).clamp(70.0, 220.0) as i32;
        let pct = 88;
        let count_room = 78;
        let bar_left = 16 + label_width + 10;
        let previous = width - 16;
        let first = previous - pct;
        let bar_room = f64::from((first - pct - count_room - bar_left).max(20));
        Columns { label_right: 16 + label_width, bar_left, bar_room, first, previous }
    }
}

fn draw(root: &Area<'_>, data: &Funnel, palette: Palette, fitted: &mut Vec<Fitted>) -> DrawResult {
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let cols = Columns::new(w);
    let title = fit(&data.title, chars_that_fit(f64::from(w - 32), 14.5));
    let centre = Pos::new(HPos::Center, VPos::Top);
    root.draw(&Text::new(title.shown.clone(), (w / 2, 12), font(18, palette.text).pos(centre)))?;
    fitted.push(title);
    let header_y = 46;
    let header = |x: i32, text: &str, h_pos: HPos| {
        Text::new(
            text.to_string(),
            (x, header_y),
            font(SMALL, palette.text).pos(Pos::new(h_pos, VPos::Center)),
        )
    };
    root.draw(&header(cols.label_right, "Step", HPos::Right))?;
    let count_title =
        if data.unit.is_empty() { "Count".to_string() } else { format!("Count ({})", data.unit) };
    root.draw(&header(cols.bar_left, &count_title, HPos::Left))?;
    root.draw(&header(cols.first, "% of first", HPos::Right))?;
    root.draw(&header(cols.previous, "% of previous", HPos::Right))?;
    root.draw(&PathElement::new([(16, header_y + 12), (w - 16, header_y + 12)], palette.grid))?;
    let top = header_y + 22;
    let n = data.steps.len() as i32;
    let row = ((h - top - 12) / n).max(8);
    let bar_height = (f64::from(row) * 0.7).clamp(4.0, 40.0) as i32;
    let max = data.steps.iter().map(|s| s.count).max().unwrap_or(0).max(1);
    let first = data.steps.first().map_or(0, |s| s.count);
    let label_chars = chars_that_fit(f64::from(cols.label_right - 16), 12.1);
    for (i, step) in data.steps.iter().enumerate() {
        let y = top + row * i as i32 + row / 2;
        let previous = if i == 0 { step.count } else { data.steps[i - 1].count };
        let length = (step.count as f64 / max as f64 * cols.bar_room).round() as i32;
        let bar = [(cols.bar_left, y - bar_height / 2), (cols.bar_left + length.max(1), y + bar_height / 2)];
        root.draw(&Rectangle::new(bar, palette.primary.filled()))?;
        let middle = |h_pos| font(LABEL, palette.text).pos(Pos::new(h_pos, VPos::Center));
        let label = fit(&step.label, label_chars);
        root.draw(&Text::new(label.shown.clone(), (cols.label_right, y), middle(HPos::Right)))?;
        fitted.push(label);
        let count_at = (cols.bar_left + length + 6, y);
        root.draw(&Text::new(format_count(step.count), count_at, middle(HPos::Left)))?;
        root.draw(&Text::new(percent(step.count, first), (cols.first, y), middle(HPos::Right)))?;
        let of_previous = if i == 0 { "–".to_string() } else { percent(step.count, previous) };
        root.draw(&Text::new(of_previous, (cols.previous, y), middle(HPos::Right)))?;
    }
    Ok(())
}
