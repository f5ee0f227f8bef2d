//! A dry run: the first records of a file as the normaliser will see them,
//! with each one's rows or error, without opening a warehouse.

use parlance_normalize::{Normalized, SourceContext, normalize_with};
use parlance_warehouse::Timestamp;
use serde_json::{Value, json};

use crate::record::{Read, RecordReader};
use crate::{Format, ImportError, ImportOptions, LineProblem, Reader, open};

/// The first records of a file and what they would become.
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    /// The source the import would land into.
    pub source: String,
    /// CSV: the header; empty for JSONL.
    pub columns: Vec<String>,
    /// CSV: canonical field → column, as resolved.
    pub mapping: Vec<(String, String)>,
    /// CSV: canonical field → default value.
    pub defaults: Vec<(String, String)>,
    pub rows: Vec<PreviewRow>,
    /// Lines among the previewed ones that could not be landed.
    pub problems: Vec<LineProblem>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PreviewRow {
    pub line: u64,
    pub stream: String,
    pub source_id: String,
    /// CSV: each mapped field and its value as the normaliser reads it
    /// (trimmed cell, else the default).
    pub fields: Vec<(String, String)>,
    /// The unified rows, or why the record would be quarantined.
    pub result: Result<Normalized, String>,
}

/// Reads the first `limit` records of the file (and any problem lines among
/// them) and normalises each as an import would, writing nothing.
pub fn preview(options: &ImportOptions, limit: usize, now: Timestamp) -> Result<Preview, ImportError> {
    let opened = open(options)?;
    let mut reader = opened.reader;
    let source = options.source_name();
    let (columns, mapping, defaults, config) = match &reader {
        Reader::Csv(csv) => {
            let section = csv.mapping.config_section(&opened.file);
            let config = json!({
                "shape": "csv",
                "streams": { csv.mapping.kind.name: section },
                "observed_at": now.to_string(),
            });
            (csv.header().to_vec(), csv.mapping.columns.clone(), csv.mapping.defaults.clone(), config)
        }
        _ => (Vec::new(), Vec::new(), Vec::new(), json!({ "shape": options.format.name() })),
    };
    let shape = options.format.name();
    let context = SourceContext { name: &source, shape, config: &config };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    while rows.len() < limit {
        match reader.next_read()? {
            None => break,
            Some(Read::Problem(problem)) => problems.push(problem),
            Some(Read::Record(record, _)) => {
                let fields = if options.format == Format::Csv {
                    mapped_fields(&record.payload, &mapping, &defaults)
                } else {
                    Vec::new()
                };
                let result = normalize_with(&context, &record.stream, &record.payload)
                    .map_err(|e| e.problem.to_string());
                rows.push(PreviewRow {
                    line: record.line,
                    stream: record.stream.into_owned(),
                    source_id: record.source_id,
                    fields,
                    result,
                });
            }
        }
    }
    Ok(Preview { source, columns, mapping, defaults, rows, problems })
}

/// Each mapped field's value in a CSV row: the trimmed cell, else the default.
fn mapped_fields(
    payload: &str,
    mapping: &[(String, String)],
    defaults: &[(String, String)],
) -> Vec<(String, String)> {
    let row: Value = serde_json::from_str(payload).unwrap_or(Value::Null);
    let mut fields: Vec<(String, String)> = mapping
        .iter()
        .map(|(field, column)| {
            let cell = row.get(column).and_then(Value::as_str).map(str::trim).unwrap_or("");
            let value = if cell.is_empty() {
                defaults.iter().find(|(f, _)| f == field).map(|(_, d)| d.clone()).unwrap_or_default()
            } else {
                cell.to_owned()
            };
            (field.clone(), value)
        })
        .collect();
    for (field, value) in defaults {
        if !fields.iter().any(|(f, _)| f == field) {
            fields.push((field.clone(), value.clone()));
        }
    }
    fields
}
