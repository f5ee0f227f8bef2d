//! CSV with a column mapping (`--as customers|orders|events`).
//!
//! The file is read record by record with the `csv` crate (quoted cells may
//! span lines; a row's line is where it starts). The delimiter is `,`, or
//! `;` / tab when the header line has more of those (`.tsv` files: tab).
//! Each row lands as it is: a JSON object from each header to its cell
//! text. The mapping goes to the source's configuration, so normalisation
//! reads it there, and a fixed mapping re-normalises landed rows.
//!
//! The idempotency key is the row's own id: the column mapped to
//! `order_id` (orders), `customer_id` (customers; else the e-mail address,
//! lower-cased) or `event_id` (events). A file without one is keyed by a
//! hash of the row: re-importing it changes nothing, but an edited row is a
//! new record (the old one stays), so give files an id column when rows
//! will change.
//!
//! Every row is also normalised as it is read, so a row that will be held
//! in quarantine is reported with its line: `orders.csv line 14: amount
//! (column "Total") "12,50" is not a decimal amount`. A row with the wrong
//! number of cells, or cells that are not UTF-8, cannot be landed and is
//! reported the same way.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read as _;
use std::path::Path;

use parlance_normalize::{CsvKind, SourceContext, normalize_with};
use serde_json::{Map, Value};

use crate::mapping::{MappingFile, ResolvedMapping, resolve};
use crate::record::{FileRecord, Read, RecordReader};
use crate::{ImportError, LineProblem};

#[derive(Debug)]
pub(crate) struct CsvReader {
    file: String,
    reader: csv::Reader<File>,
    header: Vec<String>,
    pub(crate) mapping: ResolvedMapping,
    record: csv::ByteRecord,
    /// (source name, full source configuration), for checking each row.
    context: Option<(String, Value)>,
}

impl CsvReader {
    /// Opens `path`, reads its header and resolves the mapping against it.
    pub(crate) fn open(
        path: &Path,
        file: String,
        kind: &'static CsvKind,
        mapping: Option<(&MappingFile, String)>,
    ) -> Result<CsvReader, ImportError> {
        let io = |e: std::io::Error| ImportError::Io { file: file.clone(), detail: e.to_string() };
        let delimiter = sniff_delimiter(path).map_err(io)?;
        let handle = File::open(path).map_err(io)?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_reader(handle);
        let mut first = csv::ByteRecord::new();
        let found = reader.read_byte_record(&mut first).map_err(|e| ImportError::Header {
            file: file.clone(),
            detail: format!("cannot read the header: {e}"),
        })?;
        if !found {
            return Err(ImportError::Header {
                file,
                detail: "the file is empty: expected a header line".into(),
            });
        }
        let mut header = Vec::with_capacity(first.len());
        for (index, cell) in first.iter().enumerate() {
            let cell = if index == 0 { cell.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(cell) } else { cell };
            let name = std::str::from_utf8(cell).map_err(|_| ImportError::Header {
                file: file.clone(),
                detail: format!("header column {} is not UTF-8 text", index + 1),
            })?;
            let name = name.trim();
            if name.is_empty() {
                return Err(ImportError::Header {
                    file,
                    detail: format!("header column {} has no name", index + 1),
                });
            }
            if header.iter().any(|known| known == name) {
                return Err(ImportError::Header {
                    file,
                    detail: format!("the header names column {name:?} twice"),
                });
            }
            header.push(name.to_owned());
        }
        let mapping = match mapping {
            Some((mapping, mapping_file)) => resolve(kind, &header, Some(mapping), &file, &mapping_file)?,
            None => resolve(kind, &header, None, &file, "the mapping")?,
        };
        Ok(CsvReader { file, reader, header, mapping, record: csv::ByteRecord::new(), context: None })
    }

    pub(crate) fn header(&self) -> &[String] {
        &self.header
    }

    /// Checks every row with the normaliser of `source` under `config`, so
    /// rows that will be quarantined are reported with their line.
    pub(crate) fn check_rows_with(&mut self, source: &str, config: Value) {
        self.context = Some((source.to_owned(), config));
    }

    fn problem(&self, line: u64, message: String) -> Option<Read> {
        Some(Read::Problem(LineProblem { file: self.file.clone(), line, message, landed: false }))
    }
}

impl RecordReader for CsvReader {
    fn next_read(&mut self) -> Result<Option<Read>, ImportError> {
        loop {
            let found = match self.reader.read_byte_record(&mut self.record) {
                Ok(found) => found,
                Err(e) => {
                    let line = e.position().map_or(0, csv::Position::line);
                    if let csv::ErrorKind::Io(io) = e.kind() {
                        return Err(ImportError::Io { file: self.file.clone(), detail: io.to_string() });
                    }
                    return Ok(self.problem(line, e.to_string()));
                }
            };
            if !found {
                return Ok(None);
            }
            let line = self.record.position().map_or(0, csv::Position::line);
            if self.record.iter().all(|cell| cell.trim_ascii().is_empty()) {
                continue;
            }
            if self.record.len() != self.header.len() {
                let message = format!(
                    "the row has {} cells, the header has {} columns",
                    self.record.len(),
                    self.header.len()
                );
                return Ok(self.problem(line, message));
            }
            let mut row = Map::new();
            let mut bad = None;
            for (column, cell) in self.header.iter().zip(self.record.iter()) {
                match std::str::from_utf8(cell) {
                    Ok(text) => {
                        row.insert(column.clone(), Value::String(text.to_owned()));
                    }
                    Err(_) => {
                        bad = Some(column.clone());
                        break;
                    }
                }
            }
            if let Some(column) = bad {
                return Ok(self.problem(line, format!("column {column:?} is not UTF-8 text")));
            }
            let record = self.to_record(row, line);
            let problem = self.context.as_ref().and_then(|(source, config)| {
                let context = SourceContext { name: source, shape: "csv", config };
                normalize_with(&context, &record.stream, &record.payload).err().map(|e| LineProblem {
                    file: self.file.clone(),
                    line,
                    message: e.problem.to_string(),
                    landed: true,
                })
            });
            return Ok(Some(Read::Record(record, problem)));
        }
    }

    fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }
}

impl CsvReader {
    /// The landing record of a row: keyed by its id column, else (customers)
    /// its e-mail, else a hash of the row.
    fn to_record(&self, row: Map<String, Value>, line: u64) -> FileRecord {
        let kind = self.mapping.kind;
        let cell = |field: &str| -> Option<String> {
            let column = self.mapping.column(field)?;
            let text = row.get(column)?.as_str()?.trim();
            (!text.is_empty()).then(|| text.to_owned())
        };
        let payload = Value::Object(row.clone()).to_string();
        let source_id = match cell(kind.id_field) {
            Some(id) => id,
            None => match (kind.name, cell("email")) {
                ("customers", Some(email)) => format!("email:{}", email.to_lowercase()),
                _ => {
                    let hash = blake3::hash(payload.as_bytes()).to_hex();
                    format!("row-{}", hash.get(..32).unwrap_or(hash.as_str()))
                }
            },
        };
        FileRecord { stream: Cow::Borrowed(kind.name), source_id, updated_at: None, payload, line }
    }
}

/// `,` unless the header line has more `;` or tabs (a `.tsv` file: tab).
fn sniff_delimiter(path: &Path) -> std::io::Result<u8> {
    if path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("tsv")) {
        return Ok(b'\t');
    }
    let mut start = Vec::with_capacity(64 * 1024);
    File::open(path)?.take(64 * 1024).read_to_end(&mut start)?;
    let first_line = start.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let count = |needle: u8| first_line.iter().filter(|b| **b == needle).count();
    let (commas, semicolons, tabs) = (count(b','), count(b';'), count(b'\t'));
    Ok(if tabs > commas && tabs >= semicolons {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    })
}
