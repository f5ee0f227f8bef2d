//! PNG export of any chart's SVG (the CLI's `--png FILE`).
//!
//! resvg is a pure Rust renderer (usvg parses, tiny-skia rasterises), so no
//! system library is needed to build it. Text needs fonts: the system's are
//! loaded, and `sans-serif` is pointed at the first of a few common families
//! that is installed (any installed family if none is), and so is `serif`,
//! usvg's fallback for unknown families. With no fonts at all
//! the chart still renders, without its text, rather than failing.

use resvg::tiny_skia;
use resvg::usvg;

use crate::ChartError;

/// Families tried, in order, for the `sans-serif` the charts ask for.
const SANS: [&str; 6] = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica", "FreeSans"];

/// Largest side of the PNG, in pixels, whatever the scale.
const MAX_SIDE: f32 = 16_384.0;

/// Rasterises `svg` at `scale` (1.0 = the SVG's own pixel size).
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, ChartError> {
    if !scale.is_finite() || scale <= 0.0 {
        return Err(ChartError(format!("PNG scale must be a positive number, got {scale}")));
    }
    let mut options = usvg::Options::default();
    configure_fonts(options.fontdb_mut());
    if let Some(family) = sans_family(&options.fontdb) {
        options.font_family = family;
    }
    let tree = usvg::Tree::from_str(svg, &options)
        .map_err(|e| ChartError(format!("reading the chart SVG for PNG export: {e}")))?;
    let size = tree.size();
    let (w, h) = ((size.width() * scale).round(), (size.height() * scale).round());
    if w < 1.0 || h < 1.0 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(ChartError(format!(
            "PNG of {w}×{h} pixels at scale {scale}: each side must be 1 to {MAX_SIDE} pixels"
        )));
    }
    let mut pixmap = tiny_skia::Pixmap::new(w as u32, h as u32)
        .ok_or_else(|| ChartError(format!("allocating a {w}×{h} PNG")))?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| ChartError(format!("encoding the PNG: {e}")))
}

fn configure_fonts(db: &mut usvg::fontdb::Database) {
    db.load_system_fonts();
    if let Some(family) = sans_family(db) {
        // usvg falls back to `serif` for a family it cannot find.
        db.set_serif_family(family.clone());
        db.set_sans_serif_family(family);
    }
}

/// The first installed family of [`SANS`], else any installed family.
fn sans_family(db: &usvg::fontdb::Database) -> Option<String> {
    let installed = |name: &str| {
        db.faces().any(|face| face.families.iter().any(|(family, _)| family.eq_ignore_ascii_case(name)))
    };
    SANS.iter()
        .find(|name| installed(name))
        .map(|name| name.to_string())
        .or_else(|| db.faces().flat_map(|f| f.families.first()).map(|(family, _)| family.clone()).min())
}
