//! Overlap heat-map of segments: row `i`, column `j` holds the members in both
//! segments; the colour is that count as a share of the row segment's size,
//! so each row reads "how much of this segment is also in …".

use plotters::prelude::*;
use plotters::style::FontTransform;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::labels::{Fitted, add_tooltips, chars_that_fit, fit, format_count, luminance, mix, percent};
use crate::{Area, ChartError, DrawResult, Palette, Size, Theme, font, no_data, render};

/// `shared[i][j]` = members in both segment `i` and `j`; `shared[i][i]` =
/// `sizes[i]`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct OverlapMatrix {
    pub names: Vec<String>,
    pub sizes: Vec<u64>,
    pub shared: Vec<Vec<u64>>,
}

const TITLE: &str = "Segment overlap";
/// Plotters divides the point size by 1.24 in SVG: ~11 px.
const LABEL: u32 = 14;

/// An error names the row whose length does not match the names.
pub fn overlap_heatmap(data: &OverlapMatrix, theme: Theme, size: Size) -> Result<String, ChartError> {
    validate(data)?;
    let palette = theme.palette();
    let mut fitted = Vec::new();
    let svg = render(size, palette, |root| {
        if data.names.is_empty() {
            return no_data(root, TITLE, palette);
        }
        draw(root, data, palette, &mut fitted)
    })?;
    Ok(add_tooltips(svg, &fitted))
}

fn validate(data: &OverlapMatrix) -> Result<(), ChartError> {
    let n = data.names.len();
    if data.sizes.len() != n || data.shared.len() != n {
        return Err(ChartError(format!(
            "overlap matrix has {n} names, {} sizes and {} rows; they must be equal",
            data.sizes.len(),
            data.shared.len()
        )));
    }
    if let Some((i, row)) = data.shared.iter().enumerate().find(|(_, row)| row.len() != n) {
        return Err(ChartError(format!(
            "overlap matrix row {i} ({:?}) has {} cells, expected {n}",
            data.names[i],
            row.len()
        )));
    }
    Ok(())
}

/// Where the grid and its labels go.
struct Grid {
    left: i32,
    top: i32,
    cell: i32,
}

impl Grid {
    fn new(w: i32, h: i32, n: i32) -> Grid {
        let left = (f64::from(w) * 0.22).clamp(60.0, 200.0) as i32 + 16;
        let top = (f64::from(h) * 0.22).clamp(50.0, 150.0) as i32 + 40;
        let legend = 90;
        let cell = ((w - left - legend) / n).min((h - top - 16) / n).max(4);
        Grid { left, top, cell }
    }

    fn origin(&self, row: i32, column: i32) -> (i32, i32) {
        (self.left + column * self.cell, self.top + row * self.cell)
    }
}

fn draw(root: &Area<'_>, data: &OverlapMatrix, palette: Palette, fitted: &mut Vec<Fitted>) -> DrawResult {
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let n = data.names.len() as i32;
    let grid = Grid::new(w, h, n);
    let centre = Pos::new(HPos::Center, VPos::Top);
    root.draw(&Text::new(TITLE, (w / 2, 12), font(18, palette.text).pos(centre)))?;
    let row_chars = chars_that_fit(f64::from(grid.left - 24), 11.3);
    let column_chars = chars_that_fit(f64::from(grid.top - 48), 11.3);
    let style = |h_pos| font(LABEL, palette.text).pos(Pos::new(h_pos, VPos::Center));
    for (i, name) in data.names.iter().enumerate() {
        let (x, y) = grid.origin(i as i32, 0);
        let label = fit(name, row_chars);
        root.draw(&Text::new(label.shown.clone(), (x - 8, y + grid.cell / 2), style(HPos::Right)))?;
        fitted.push(label);
    }
    for (j, name) in data.names.iter().enumerate() {
        let (x, y) = grid.origin(0, j as i32);
        let label = fit(name, column_chars);
        let up = style(HPos::Left).transform(FontTransform::Rotate270);
        root.draw(&Text::new(label.shown.clone(), (x + grid.cell / 2, y - 8), up))?;
        fitted.push(label);
    }
    cells(root, data, &grid, palette)?;
    legend(root, &grid, n, palette)
}

fn cells(root: &Area<'_>, data: &OverlapMatrix, grid: &Grid, palette: Palette) -> DrawResult {
    let show_numbers = grid.cell >= 22;
    let show_percent = grid.cell >= 50;
    for (i, row) in data.shared.iter().enumerate() {
        let size = data.sizes[i];
        for (j, &both) in row.iter().enumerate() {
            let share = if size == 0 { 0.0 } else { (both as f64 / size as f64).min(1.0) };
            let colour = mix(palette.background, palette.primary, share);
            let (x, y) = grid.origin(i as i32, j as i32);
            let area = [(x, y), (x + grid.cell - 1, y + grid.cell - 1)];
            root.draw(&Rectangle::new(area, colour.filled()))?;
            if !show_numbers {
                continue;
            }
            let ink = contrasting(colour, palette);
            let cx = x + grid.cell / 2;
            let cy = y + grid.cell / 2;
            let text = |s: String, y| {
                Text::new(s, (cx, y), font(LABEL, ink).pos(Pos::new(HPos::Center, VPos::Center)))
            };
            if show_percent {
                root.draw(&text(format_count(both), cy - 7))?;
                root.draw(&text(percent(both, size), cy + 8))?;
            } else {
                root.draw(&text(format_count(both), cy))?;
            }
        }
    }
    Ok(())
}

/// The theme's text or background colour, whichever stands out on `fill`.
fn contrasting(fill: RGBColor, palette: Palette) -> RGBColor {
    let on = |c: RGBColor| (luminance(c) - luminance(fill)).abs();
    if on(palette.text) >= on(palette.background) { palette.text } else { palette.background }
}

/// A vertical colour scale from 0 % to 100 % of the row segment.
fn legend(root: &Area<'_>, grid: &Grid, n: i32, palette: Palette) -> DrawResult {
    let x = grid.left + grid.cell * n + 24;
    let height = (grid.cell * n).clamp(60, 240);
    let top = grid.top;
    let steps = 20;
    for s in 0..steps {
        let share = 1.0 - f64::from(s) / f64::from(steps - 1);
        let y0 = top + height * s / steps;
        let y1 = top + height * (s + 1) / steps;
        root.draw(&Rectangle::new(
            [(x, y0), (x + 14, y1)],
            mix(palette.background, palette.primary, share).filled(),
        ))?;
    }
    root.draw(&Rectangle::new([(x, top), (x + 14, top + height)], palette.grid))?;
    let at = |y| Pos::new(HPos::Left, y);
    root.draw(&Text::new("100%", (x + 18, top), font(LABEL, palette.text).pos(at(VPos::Top))))?;
    root.draw(&Text::new("0%", (x + 18, top + height), font(LABEL, palette.text).pos(at(VPos::Bottom))))?;
    let caption = font(LABEL, palette.text).pos(Pos::new(HPos::Left, VPos::Bottom));
    root.draw(&Text::new("Share of row", (x - 6, top - 8), caption))?;
    Ok(())
}
