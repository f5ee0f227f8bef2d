//! Reading a text file line by line without holding more than one line:
//! a reused buffer, 1-based line numbers, a UTF-8 byte-order mark on the
//! first line ignored, `\r\n` accepted, blank lines skipped.

use std::fs::File;
use std::io::{BufRead, BufReader};

/// Lines of a file, each with its number; bytes read so far for progress.
#[derive(Debug)]
pub(crate) struct Lines {
    reader: BufReader<File>,
    buffer: Vec<u8>,
    line: u64,
    pub(crate) bytes_read: u64,
}

/// One line, borrowed from the reader's buffer.
#[derive(Debug)]
pub(crate) enum Line<'a> {
    Text {
        number: u64,
        text: &'a str,
    },
    /// Not UTF-8: the byte offset of the first bad byte within the line.
    NotUtf8 {
        number: u64,
        at: usize,
    },
}

impl Lines {
    pub(crate) fn new(file: File) -> Self {
        Lines { reader: BufReader::with_capacity(1 << 20, file), buffer: Vec::new(), line: 0, bytes_read: 0 }
    }

    /// The next non-blank line; `None` at the end of the file.
    pub(crate) fn next_line(&mut self) -> std::io::Result<Option<Line<'_>>> {
        let (start, end) = loop {
            self.buffer.clear();
            let read = self.reader.read_until(b'\n', &mut self.buffer)?;
            if read == 0 {
                return Ok(None);
            }
            self.bytes_read += read as u64;
            self.line += 1;
            let bom = if self.line == 1 && self.buffer.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
            let text = self.buffer.get(bom..).unwrap_or_default();
            let Some(first) = text.iter().position(|b| !b.is_ascii_whitespace()) else {
                continue;
            };
            let last = text.iter().rposition(|b| !b.is_ascii_whitespace()).unwrap_or(first);
            break (bom + first, bom + last + 1);
        };
        let bytes = self.buffer.get(start..end).unwrap_or_default();
        Ok(Some(match std::str::from_utf8(bytes) {
            Ok(text) => Line::Text { number: self.line, text },
            Err(e) => Line::NotUtf8 { number: self.line, at: e.valid_up_to() },
        }))
    }
}
