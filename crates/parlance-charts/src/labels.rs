//! Text helpers shared by the journey and segment charts: escaping, fitting
//! long labels, counts and percentages, and a stable colour per label.
//!
//! Width is estimated from the character count (no font metrics: the crate
//! loads no fonts), so truncation is conservative rather than exact.

use plotters::style::RGBColor;

use crate::Theme;

/// Average advance of a `sans-serif` glyph as a share of the font size; a
/// little wide for Latin text so that labels rarely overflow.
const CHAR_WIDTH: f64 = 0.6;

/// XML-escapes user text for element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0 text.
            c if c.is_control() && c != '\t' && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// How many characters of text at `font_px` fit in `width_px` (at least 2).
pub(crate) fn chars_that_fit(width_px: f64, font_px: f64) -> usize {
    let n = (width_px / (font_px * CHAR_WIDTH)).floor();
    if n.is_finite() && n >= 2.0 { n as usize } else { 2 }
}

/// `text` cut to `max_chars` with an ellipsis; `None` when it already fits.
pub(crate) fn truncate(text: &str, max_chars: usize) -> Option<String> {
    if text.chars().count() <= max_chars {
        return None;
    }
    let keep = max_chars.saturating_sub(1).max(1);
    let mut out: String = text.chars().take(keep).collect::<String>().trim_end().to_string();
    out.push('…');
    Some(out)
}

/// A label as shown (possibly truncated) and its full text for a tooltip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fitted {
    pub shown: String,
    pub full: Option<String>,
}

pub(crate) fn fit(text: &str, max_chars: usize) -> Fitted {
    match truncate(text, max_chars) {
        Some(shown) => Fitted { shown, full: Some(text.to_string()) },
        None => Fitted { shown: text.to_string(), full: None },
    }
}

/// `12,345`: exact counts read better than `12k` in labels.
pub fn format_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `45.0%` of `whole`, or `–` when the whole is zero.
pub(crate) fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".to_string();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

/// A categorical colour chosen by the label's text (FNV-1a), so a label has
/// the same colour in every column and every chart.
pub(crate) fn label_colour(label: &str, theme: Theme) -> RGBColor {
    let mut hash: u32 = 0x811C_9DC5;
    for b in label.as_bytes() {
        hash ^= u32::from(*b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    let colours = categorical(theme);
    colours[(hash as usize) % colours.len()]
}

/// Twelve distinct hues readable on the theme's background.
pub(crate) fn categorical(theme: Theme) -> [RGBColor; 12] {
    match theme {
        Theme::Light => [
            RGBColor(0x25, 0x63, 0xEB),
            RGBColor(0xEA, 0x58, 0x0C),
            RGBColor(0x16, 0xA3, 0x4A),
            RGBColor(0x7C, 0x3A, 0xED),
            RGBColor(0xDB, 0x27, 0x77),
            RGBColor(0x08, 0x91, 0xB2),
            RGBColor(0xCA, 0x8A, 0x04),
            RGBColor(0xDC, 0x26, 0x26),
            RGBColor(0x4F, 0x46, 0xE5),
            RGBColor(0x65, 0xA3, 0x0D),
            RGBColor(0x93, 0x33, 0xEA),
            RGBColor(0x0D, 0x94, 0x88),
        ],
        Theme::Dark => [
            RGBColor(0x60, 0xA5, 0xFA),
            RGBColor(0xFB, 0x92, 0x3C),
            RGBColor(0x4A, 0xDE, 0x80),
            RGBColor(0xA7, 0x8B, 0xFA),
            RGBColor(0xF4, 0x72, 0xB6),
            RGBColor(0x22, 0xD3, 0xEE),
            RGBColor(0xFA, 0xCC, 0x15),
            RGBColor(0xF8, 0x71, 0x71),
            RGBColor(0x81, 0x8C, 0xF8),
            RGBColor(0xA3, 0xE6, 0x35),
            RGBColor(0xC0, 0x84, 0xFC),
            RGBColor(0x2D, 0xD4, 0xBF),
        ],
    }
}

/// Gives each truncated label drawn by plotters a tooltip: wraps its
/// `<text>` element in `<g><title>full</title>…</g>`. Plotters cannot emit
/// `<title>`, so this edits its output; `labels` must be in drawing order so
/// two labels that truncate alike each get their own full text.
pub(crate) fn add_tooltips(svg: String, labels: &[Fitted]) -> String {
    let mut svg = svg;
    let mut cursor = 0;
    for label in labels {
        let Some(full) = &label.full else { continue };
        let needle = format!(">\n{}\n</text>", escape(&label.shown));
        let found = svg[cursor..].find(&needle).map(|i| i + cursor).or_else(|| svg.find(&needle));
        let Some(at) = found else { continue };
        let Some(start) = svg[..at].rfind("<text") else { continue };
        let end = at + needle.len();
        let wrapped = format!("<g><title>{}</title>{}</g>", escape(full), &svg[start..end]);
        cursor = start + wrapped.len();
        svg.replace_range(start..end, &wrapped);
    }
    svg
}

/// A coordinate with one decimal and no `-0.0`, for hand-written SVG.
pub(crate) fn num(v: f64) -> String {
    let v = if v.is_finite() { (v * 10.0).round() / 10.0 } else { 0.0 };
    let s = format!("{v:.1}");
    let s = if s == "-0.0" { "0.0".to_string() } else { s };
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Relative luminance (sRGB, unlinearised: good enough to pick a text colour).
pub(crate) fn luminance(c: RGBColor) -> f64 {
    (0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2)) / 255.0
}

/// `a` blended towards `b` by `t` in 0..=1.
pub(crate) fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let ch = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    RGBColor(ch(a.0, b.0), ch(a.1, b.1), ch(a.2, b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(1_234_567), "1,234,567");
    }

    #[test]
    fn truncation_keeps_short_text_and_cuts_long_text() {
        assert_eq!(truncate("abc", 3), None);
        assert_eq!(truncate("abcdef", 4).as_deref(), Some("abc…"));
        assert_eq!(truncate("ab cdef", 4).as_deref(), Some("ab…"));
        assert_eq!(truncate("ééééé", 3).as_deref(), Some("éé…"));
    }

    #[test]
    fn escape_covers_markup() {
        assert_eq!(escape(r#"<script>&"x"'"#), "&lt;script&gt;&amp;&quot;x&quot;&apos;");
    }

    #[test]
    fn label_colour_is_stable_and_themed() {
        assert_eq!(label_colour("web:visit", Theme::Light), label_colour("web:visit", Theme::Light));
        assert!(categorical(Theme::Light).contains(&label_colour("x", Theme::Light)));
        assert!(categorical(Theme::Dark).contains(&label_colour("x", Theme::Dark)));
    }

    #[test]
    fn numbers_have_no_negative_zero() {
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(12.25), "12.3");
        assert_eq!(num(f64::NAN), "0");
    }

    #[test]
    fn tooltips_wrap_each_truncated_label_once() {
        let svg = "<svg>\n<text x=\"1\">\nab…\n</text>\n<text x=\"2\">\nab…\n</text>\n</svg>".to_string();
        let labels = [
            Fitted { shown: "ab…".into(), full: Some("abc".into()) },
            Fitted { shown: "ab…".into(), full: Some("abd".into()) },
        ];
        let out = add_tooltips(svg, &labels);
        assert!(out.contains("<g><title>abc</title><text x=\"1\">"), "{out}");
        assert!(out.contains("<g><title>abd</title><text x=\"2\">"), "{out}");
    }
}
