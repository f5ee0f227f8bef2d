//! Sankey diagram of paths and lifecycle stage flows.
//!
//! # Why this chart writes its SVG by hand
//!
//! Plotters has no filled Bézier ribbons (its paths are polylines, and its
//! SVG backend cannot attach a `<title>` tooltip to an element), so this chart
//! writes the SVG text itself with the same palette, font family and
//! background as the plotters charts. It uses presentation attributes only
//! (`fill=`, `stroke=`…): the app's CSP forbids inline styles.
//!
//! # Layout
//!
//! - Columns run left to right and are spread evenly; each column is centred
//!   vertically. A node's height is proportional to the largest of its value,
//!   its incoming and its outgoing link totals, so ribbons always fit.
//! - **Order within a column: by value, the same order in every column.**
//!   Labels are ranked once by their total over all columns (descending, ties
//!   by label) and every column follows that rank. Plain per-column value
//!   order shuffled recurring labels (lifecycle stages, a touchpoint seen at
//!   several steps) from column to column, so most ribbons crossed; with one
//!   order a stage keeps its row, flows that stay put are straight bands, and
//!   the biggest labels still sit on top. Ribbons leave and enter a node in
//!   the order of the node at their other end, which removes the crossings
//!   that the stacking alone would add.
//! - Ribbons are filled cubic Béziers, width proportional to value, coloured
//!   by their source node. Node colours come from the label text, so a label
//!   (`web:visit`, `Retention`) has one colour in every column.
//! - Labels sit to the right of their node, with the count; room is kept
//!   right of the last column for its labels (up to a quarter of the width); long labels are cut with an ellipsis and every node and
//!   ribbon has a `<title>` tooltip with the full text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::labels::{chars_that_fit, escape, fit, format_count, label_colour, num};
use crate::{ChartError, Palette, Size, Theme};

/// One node: a label in a column (a step of a path, a stage in a period).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SankeyNode {
    pub column: usize,
    pub label: String,
    pub value: u64,
}

/// A flow between two nodes (indices into [`Sankey::nodes`]); the source's
/// column must be left of the target's.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SankeyLink {
    pub from: usize,
    pub to: usize,
    pub value: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Sankey {
    pub title: String,
    /// Column titles, left to right (`Step 1`, `2024-Q1`…).
    pub columns: Vec<String>,
    pub nodes: Vec<SankeyNode>,
    pub links: Vec<SankeyLink>,
    /// What the values count, e.g. `profiles`.
    pub unit: String,
}

const NODE_WIDTH: f64 = 14.0;
const MARGIN: f64 = 16.0;
const TITLE_PX: f64 = 16.0;
const COLUMN_PX: f64 = 13.0;
const LABEL_PX: f64 = 12.0;
const NOTE_PX: f64 = 11.0;
const FONT: &str = "sans-serif";

/// A node's place on the canvas.
#[derive(Clone, Copy, Debug, Default)]
struct Placed {
    x: f64,
    y: f64,
    height: f64,
}

/// Renders the Sankey diagram; an error names a link that points outside the
/// nodes or does not go left to right.
pub fn sankey(data: &Sankey, theme: Theme, size: Size) -> Result<String, ChartError> {
    validate(data)?;
    let size = Size::new(size.width, size.height);
    let palette = theme.palette();
    let (w, h) = (f64::from(size.width), f64::from(size.height));
    let mut svg = Svg::new(size, palette);
    svg.text(w / 2.0, 26.0, &data.title, TITLE_PX, "middle", palette.text, true, w - 2.0 * MARGIN);
    let weights = node_weights(data);
    if weights.iter().all(|&v| v == 0) {
        svg.text(w / 2.0, h / 2.0, "No data", TITLE_PX, "middle", palette.text, false, w);
        return Ok(svg.finish());
    }
    let columns = column_count(data);
    let layout = Layout::new(w, h, columns, last_label_width(data, &weights, columns));
    let order = column_order(data, &weights, columns);
    let placed = layout.place(&order, &weights);
    column_titles(&mut svg, data, &layout, palette);
    ribbons(&mut svg, data, &placed, theme);
    nodes(&mut svg, data, &placed, &weights, &layout, theme);
    if !data.unit.is_empty() {
        let note = format!("Band width ∝ {}", data.unit);
        svg.text(MARGIN, h - 10.0, &note, NOTE_PX, "start", palette.text, false, w - 2.0 * MARGIN);
    }
    Ok(svg.finish())
}

fn validate(data: &Sankey) -> Result<(), ChartError> {
    let n = data.nodes.len();
    for (i, link) in data.links.iter().enumerate() {
        let (Some(from), Some(to)) = (data.nodes.get(link.from), data.nodes.get(link.to)) else {
            return Err(ChartError(format!(
                "sankey link {i} goes from node {} to node {}, but there are only {n} nodes",
                link.from, link.to
            )));
        };
        if from.column >= to.column {
            return Err(ChartError(format!(
                "sankey link {i} goes from column {} ({:?}) to column {} ({:?}); links must go left to right",
                from.column, from.label, to.column, to.label
            )));
        }
    }
    Ok(())
}

/// The drawn size of each node: its value or its link totals if larger.
fn node_weights(data: &Sankey) -> Vec<u64> {
    let mut incoming = vec![0u64; data.nodes.len()];
    let mut outgoing = vec![0u64; data.nodes.len()];
    for link in &data.links {
        outgoing[link.from] = outgoing[link.from].saturating_add(link.value);
        incoming[link.to] = incoming[link.to].saturating_add(link.value);
    }
    data.nodes.iter().enumerate().map(|(i, n)| n.value.max(incoming[i]).max(outgoing[i])).collect()
}

fn column_count(data: &Sankey) -> usize {
    let used = data.nodes.iter().map(|n| n.column + 1).max().unwrap_or(0);
    used.max(data.columns.len()).max(1)
}

/// Node indices per column, in one order of labels shared by all columns;
/// empty nodes left out.
fn column_order(data: &Sankey, weights: &[u64], columns: usize) -> Vec<Vec<usize>> {
    let rank = label_ranks(data, weights);
    let mut order = vec![Vec::new(); columns];
    for (i, node) in data.nodes.iter().enumerate() {
        if weights[i] > 0 {
            order[node.column].push(i);
        }
    }
    for column in &mut order {
        column.sort_by(|&a, &b| rank[a].cmp(&rank[b]).then(weights[b].cmp(&weights[a])).then(a.cmp(&b)));
    }
    order
}

/// Each node's label rank by the label's total over all columns, descending,
/// ties by label: the value order, made the same in every column so that a
/// label that recurs (a lifecycle stage, a touchpoint seen at several steps)
/// keeps its place.
fn label_ranks(data: &Sankey, weights: &[u64]) -> Vec<usize> {
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    for (node, weight) in data.nodes.iter().zip(weights) {
        let total = totals.entry(node.label.as_str()).or_default();
        *total = total.saturating_add(*weight);
    }
    let mut by_total: Vec<(&str, u64)> = totals.into_iter().collect();
    by_total.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let rank: BTreeMap<&str, usize> =
        by_total.iter().enumerate().map(|(r, (label, _))| (*label, r)).collect();
    data.nodes.iter().map(|n| rank.get(n.label.as_str()).copied().unwrap_or(usize::MAX)).collect()
}

/// The width the last column's labels (with counts) would take uncut.
fn last_label_width(data: &Sankey, weights: &[u64], columns: usize) -> f64 {
    let chars = data
        .nodes
        .iter()
        .zip(weights)
        .filter(|(n, w)| **w > 0 && n.column + 1 == columns)
        .map(|(n, _)| n.label.chars().count() + format_count(n.value).len() + 3)
        .max()
        .unwrap_or(0);
    // 4 px of slack so the estimate does not cut its own label by rounding.
    chars as f64 * LABEL_PX * 0.6 + NODE_WIDTH + 14.0
}

/// Where the plot goes on the canvas.
struct Layout {
    top: f64,
    bottom: f64,
    left: f64,
    right: f64,
    columns: usize,
}

impl Layout {
    /// `last_labels`: the pixels the last column's labels want on its right.
    fn new(w: f64, h: f64, columns: usize, last_labels: f64) -> Layout {
        let reserve = if columns <= 1 { 0.0 } else { last_labels.clamp(60.0, w * 0.25) };
        Layout { top: 70.0, bottom: h - 30.0, left: MARGIN, right: w - MARGIN - reserve, columns }
    }

    /// The x of a column's nodes.
    fn x(&self, column: usize) -> f64 {
        if self.columns <= 1 {
            return (self.left + self.right - NODE_WIDTH) / 2.0;
        }
        self.left + self.spacing() * column as f64
    }

    /// Distance between two columns' nodes.
    fn spacing(&self) -> f64 {
        if self.columns <= 1 {
            return (self.right - self.left) / 2.0;
        }
        (self.right - self.left - NODE_WIDTH) / (self.columns - 1) as f64
    }

    /// Pixels for a node's label, which is drawn on the node's right: the gap
    /// to the next column, or the room kept free right of the last one.
    fn label_room(&self, column: usize, canvas_width: f64) -> f64 {
        let gap = if self.columns > 1 && column + 1 == self.columns {
            canvas_width - MARGIN - self.right
        } else {
            self.spacing()
        };
        (gap - NODE_WIDTH - 10.0).max(30.0)
    }

    fn place(&self, order: &[Vec<usize>], weights: &[u64]) -> Vec<Placed> {
        let height = (self.bottom - self.top).max(20.0);
        let most = order.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let gap = (height * 0.3 / most as f64).min(10.0);
        let heaviest = order
            .iter()
            .map(|c| c.iter().map(|&i| weights[i] as f64).sum::<f64>())
            .fold(0.0, f64::max)
            .max(1.0);
        let scale = (height - gap * (most - 1) as f64) / heaviest;
        let mut placed = vec![Placed::default(); weights.len()];
        for (column, nodes) in order.iter().enumerate() {
            let total: f64 = nodes.iter().map(|&i| weights[i] as f64 * scale).sum::<f64>()
                + gap * nodes.len().saturating_sub(1) as f64;
            let mut y = self.top + (height - total) / 2.0;
            for &i in nodes {
                let node_height = weights[i] as f64 * scale;
                placed[i] = Placed { x: self.x(column), y, height: node_height };
                y += node_height + gap;
            }
        }
        placed
    }
}

fn column_titles(svg: &mut Svg, data: &Sankey, layout: &Layout, palette: Palette) {
    let room = layout.spacing().max(40.0);
    for (column, title) in data.columns.iter().enumerate() {
        let centre = layout.x(column) + NODE_WIDTH / 2.0;
        let (x, anchor) = if layout.columns <= 1 {
            (centre, "middle")
        } else if column == 0 {
            (layout.x(0), "start")
        } else {
            (centre, "middle")
        };
        svg.text(x, 54.0, title, COLUMN_PX, anchor, palette.text, true, room - 8.0);
    }
}

/// One ribbon per link, stacked at each end in the order of the other end.
fn ribbons(svg: &mut Svg, data: &Sankey, placed: &[Placed], theme: Theme) {
    let total: f64 = placed.iter().map(|p| p.height).sum();
    let weight_total: u64 = node_weights(data).iter().sum();
    let scale = if weight_total == 0 { 0.0 } else { total / weight_total as f64 };
    let mut links: Vec<usize> = (0..data.links.len()).filter(|&i| data.links[i].value > 0).collect();
    let mut out_offset = vec![0.0; placed.len()];
    let mut in_offset = vec![0.0; placed.len()];
    let mut start = vec![0.0; data.links.len()];
    let mut end = vec![0.0; data.links.len()];
    links.sort_by(|&a, &b| by_position(placed, data.links[a].to, data.links[b].to).then(a.cmp(&b)));
    for &i in &links {
        let link = &data.links[i];
        start[i] = placed[link.from].y + out_offset[link.from];
        out_offset[link.from] += link.value as f64 * scale;
    }
    links.sort_by(|&a, &b| by_position(placed, data.links[a].from, data.links[b].from).then(a.cmp(&b)));
    for &i in &links {
        let link = &data.links[i];
        end[i] = placed[link.to].y + in_offset[link.to];
        in_offset[link.to] += link.value as f64 * scale;
    }
    let opacity = if theme == Theme::Dark { "0.5" } else { "0.4" };
    links.sort_unstable();
    for i in links {
        let link = &data.links[i];
        let (from, to) = (&data.nodes[link.from], &data.nodes[link.to]);
        let width = link.value as f64 * scale;
        let x0 = placed[link.from].x + NODE_WIDTH;
        let x1 = placed[link.to].x;
        let mid = (x0 + x1) / 2.0;
        let (y0, y1) = (start[i], end[i]);
        let d = format!(
            "M{x0},{y0} C{mid},{y0} {mid},{y1} {x1},{y1} L{x1},{y1b} C{mid},{y1b} {mid},{y0b} {x0},{y0b} Z",
            x0 = num(x0),
            x1 = num(x1),
            mid = num(mid),
            y0 = num(y0),
            y1 = num(y1),
            y0b = num(y0 + width),
            y1b = num(y1 + width),
        );
        let colour = Palette::hex(label_colour(&from.label, theme));
        let tip = format!("{} → {}: {} {}", from.label, to.label, format_count(link.value), data.unit);
        svg.raw(&format!(
            "<g><title>{}</title><path d=\"{d}\" fill=\"{colour}\" fill-opacity=\"{opacity}\" stroke=\"none\"/></g>\n",
            escape(tip.trim_end())
        ));
    }
}

fn by_position(placed: &[Placed], a: usize, b: usize) -> std::cmp::Ordering {
    let (pa, pb) = (placed[a], placed[b]);
    pa.x.total_cmp(&pb.x).then(pa.y.total_cmp(&pb.y)).then(a.cmp(&b))
}

fn nodes(svg: &mut Svg, data: &Sankey, placed: &[Placed], weights: &[u64], layout: &Layout, theme: Theme) {
    for (i, node) in data.nodes.iter().enumerate() {
        if weights[i] == 0 {
            continue;
        }
        let p = placed[i];
        let colour = Palette::hex(label_colour(&node.label, theme));
        let count = format_count(node.value);
        let tip = format!("{}: {} {}", node.label, count, data.unit);
        svg.raw(&format!(
            "<g><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{colour}\" stroke=\"none\"/></g>\n",
            escape(tip.trim_end()),
            num(p.x),
            num(p.y),
            num(NODE_WIDTH),
            num(p.height.max(1.0)),
        ));
        // A label taller than its node would collide with the next one; the
        // tooltip still names it.
        if p.height < LABEL_PX * 0.8 {
            continue;
        }
        let suffix = format!(" ({count})");
        let room = layout.label_room(node.column, svg.width);
        let max = chars_that_fit(room, LABEL_PX).saturating_sub(suffix.chars().count()).max(4);
        let label = fit(&node.label, max);
        let text = format!("{}{suffix}", label.shown);
        svg.label(p.x + NODE_WIDTH + 6.0, p.y + p.height / 2.0, &text, label.full.as_deref());
    }
}

/// A minimal SVG writer: the attributes this chart needs, text escaped.
struct Svg {
    out: String,
    width: f64,
    palette: Palette,
}

impl Svg {
    fn new(size: Size, palette: Palette) -> Svg {
        let mut out = String::new();
        let (w, h) = (size.width, size.height);
        let _ = writeln!(
            out,
            "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\">"
        );
        let _ = writeln!(
            out,
            "<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"{}\" stroke=\"none\"/>",
            Palette::hex(palette.background)
        );
        Svg { out, width: f64::from(w), palette }
    }

    fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// Text fitted to `room` pixels, with a tooltip when it had to be cut.
    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        x: f64,
        y: f64,
        text: &str,
        px: f64,
        anchor: &str,
        colour: plotters::style::RGBColor,
        bold: bool,
        room: f64,
    ) {
        if text.is_empty() {
            return;
        }
        let fitted = fit(text, chars_that_fit(room, px));
        let weight = if bold { " font-weight=\"bold\"" } else { "" };
        let element = format!(
            "<text x=\"{}\" y=\"{}\" dy=\"0.35em\" text-anchor=\"{anchor}\" font-family=\"{FONT}\" font-size=\"{}\"{weight} fill=\"{}\">{}</text>",
            num(x),
            num(y),
            num(px),
            Palette::hex(colour),
            escape(&fitted.shown)
        );
        self.wrap_title(&element, fitted.full.as_deref());
    }

    /// A node label with a halo in the background colour, so it stays
    /// readable where it crosses ribbons.
    fn label(&mut self, x: f64, y: f64, shown: &str, full: Option<&str>) {
        let element = format!(
            "<text x=\"{}\" y=\"{}\" dy=\"0.35em\" text-anchor=\"start\" font-family=\"{FONT}\" font-size=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"3\" stroke-linejoin=\"round\" stroke-opacity=\"0.8\" paint-order=\"stroke\">{}</text>",
            num(x),
            num(y),
            num(LABEL_PX),
            Palette::hex(self.palette.text),
            Palette::hex(self.palette.background),
            escape(shown)
        );
        self.wrap_title(&element, full);
    }

    fn wrap_title(&mut self, element: &str, full: Option<&str>) {
        match full {
            Some(full) => {
                let _ = writeln!(self.out, "<g><title>{}</title>{element}</g>", escape(full));
            }
            None => {
                self.out.push_str(element);
                self.out.push('\n');
            }
        }
    }

    fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}
