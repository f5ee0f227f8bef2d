//! Byte spans into the source text and their conversion to line/column.

use std::fmt;
use std::ops::Range;

/// A half-open byte range `start..end` into the source text.
///
/// Spans always fall on UTF-8 character boundaries of the text they were made
/// from. They are also the identity of a node: no two distinct paths of one
/// syntax tree share a span, which is what [`crate::Checked`] keys its
/// resolutions on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (swapped if given backwards).
    #[must_use]
    pub fn new(start: u32, end: u32) -> Self {
        if start <= end { Self { start, end } } else { Self { start: end, end: start } }
    }

    /// An empty span at `offset`.
    #[must_use]
    pub fn empty(offset: u32) -> Self {
        Self { start: offset, end: offset }
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn cover(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// Length in bytes.
    #[must_use]
    pub fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span is empty.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The span as a `usize` range, for slicing with `str::get`.
    #[must_use]
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The text this span covers, or `""` if it does not fit `text`.
    #[must_use]
    pub fn text(self, text: &str) -> &str {
        text.get(self.range()).unwrap_or("")
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A 1-based line and column. Columns count Unicode scalar values, so an
/// accented letter is one column, as an editor shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    /// Line number, starting at 1.
    pub line: u32,
    /// Column number, starting at 1.
    pub col: u32,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Converts byte offsets of one text to lines and columns.
///
/// Built in one pass; each lookup is a binary search plus at most 64 bytes of
/// counting, so reporting many diagnostics on one very long line stays linear.
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset at which each line starts; the first is always 0.
    line_starts: Vec<u32>,
    /// Number of characters that start before byte `64 * i`.
    chars_before_block: Vec<u32>,
}

const BLOCK: usize = 64;

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    #[must_use]
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        let mut chars_before_block = Vec::with_capacity(text.len() / BLOCK + 1);
        let mut chars = 0u32;
        for (i, b) in text.bytes().enumerate() {
            if i % BLOCK == 0 {
                chars_before_block.push(chars);
            }
            if b == b'\n' {
                line_starts.push(offset(i + 1));
            }
            if !is_continuation(b) {
                chars += 1;
            }
        }
        chars_before_block.push(chars);
        Self { text, line_starts, chars_before_block }
    }

    /// Number of characters that start before byte `at`.
    fn chars_before(&self, at: usize) -> u32 {
        let block = at / BLOCK;
        let base = self.chars_before_block.get(block).copied().unwrap_or(0);
        let bytes = self.text.as_bytes().get(block * BLOCK..at).unwrap_or(&[]);
        base + offset(bytes.iter().filter(|&&b| !is_continuation(b)).count())
    }

    /// The line and column of a byte offset. Offsets past the end map to the
    /// end; offsets inside a character map to that character.
    #[must_use]
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = offset.min(self.text.len().try_into().unwrap_or(u32::MAX));
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let mut end = offset as usize;
        // Inside a character: count that character.
        while end > start as usize && !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.chars_before(end).saturating_sub(self.chars_before(start as usize)) + 1;
        LineCol { line: offset_u32(line) + 1, col }
    }

    /// The text of the 1-based line `line`, without its line break.
    #[must_use]
    pub fn line_text(&self, line: u32) -> &'a str {
        let Some(idx) = (line as usize).checked_sub(1) else { return "" };
        let Some(&start) = self.line_starts.get(idx) else { return "" };
        let end = self.line_starts.get(idx + 1).map_or(self.text.len(), |&e| e as usize);
        self.text.get(start as usize..end).unwrap_or("").trim_end_matches(['\n', '\r'])
    }
}

/// Converts a byte offset to `u32`, saturating. Texts over 4 GiB are not
/// vocabulary files; the lexer refuses them before any span is made.
pub(crate) fn offset(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

fn offset_u32(i: usize) -> u32 {
    offset(i)
}
