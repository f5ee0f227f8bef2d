//! File sources: a file lands in the warehouse as a source of kind `file`,
//! exactly as a connector's records do, and is then unified.
//!
//! Three formats, one module each:
//!
//! - [`Format::Segment`] (`segment`): Segment-spec JSONL, one message per
//!   line; stream = the message `type`.
//! - [`Format::Ga4`] (`ga4`): GA4's BigQuery export as newline-delimited
//!   JSON, one `events_YYYYMMDD` row per line; stream `events`.
//! - [`Format::Csv`] (`csv`): CSV with a column mapping, rows of one kind
//!   (`customers`, `orders`, `events`), which is also the stream.
//!
//! # Design decisions
//!
//! - **Streaming.** A file is read a line (or CSV record) at a time into a
//!   reused buffer on its own thread, and landed a page at a time
//!   ([`ImportOptions::page_size`] records per write transaction) on the
//!   caller's: memory stays flat however large the file, parsing overlaps
//!   with SQLite's work, and a crash or cancel loses at most the page in
//!   flight — re-running the import completes it.
//! - **Idempotency keys per format**, so re-importing a file changes
//!   nothing and a changed record updates exactly its landed row: Segment's
//!   `messageId`; for GA4, which has no event id, a hash of the fields that
//!   identify an event (`event_name`, `event_timestamp`, `user_pseudo_id`,
//!   `user_id`, `event_bundle_sequence_id`, `stream_id`, and the export's
//!   `batch_*` fields); for CSV the mapped id column (`order_id`,
//!   `customer_id` — else the e-mail — or `event_id`), else a hash of the
//!   row. Landing then upserts on (source, stream, id) with a content hash,
//!   so an unchanged record is not even written.
//! - **Raw payloads.** A JSONL line lands as the line itself; a CSV row as
//!   a JSON object of its header → cell text. Nothing is interpreted on the
//!   way in beyond the id, so normalisation can be re-run later.
//! - **The mapping lives in the source's configuration**
//!   (`sources.config_json`, per stream under `streams`), not in the rows:
//!   re-importing with a fixed mapping re-queues that stream's landed rows,
//!   and the `csv` normaliser reads the mapping from the configuration. The
//!   mapping file format is described in [`mapping`].
//! - **Nothing lost, nothing guessed.** A line that cannot be landed (not
//!   JSON, no `messageId`, a CSV row of the wrong length) is reported as a
//!   [`LineProblem`] naming the file and line, and recorded on the sync run;
//!   every other line still imports. A record that lands but cannot be
//!   normalised (a bad timestamp, a bad amount, nobody named) is held in
//!   quarantine with the reason, like any source's. If none of the first
//!   100 lines can be read, the import stops: the file is probably of
//!   another format.
//! - **Sources.** The source is `file-<file stem>` unless named
//!   ([`ImportOptions::source`]); importing `customers.csv` and `orders.csv`
//!   into one named source lets their customer ids meet. A source keeps one
//!   format; importing into a connector's source is refused.

mod csv;
mod error;
mod ga4;
mod land;
mod lines;
pub mod mapping;
mod preview;
mod record;
mod segment;

use std::fs::File;
use std::path::{Path, PathBuf};

pub use error::{ImportError, LineProblem};
pub use land::{
    ImportPhase, ImportProgress, ImportReport, LandReport, STATEMENT_CACHE, import_file, land_file,
};
pub use mapping::{MappingFile, ResolvedMapping};
pub use preview::{Preview, PreviewRow, preview};

use crate::record::{Read, RecordReader};

/// The formats a file can be imported from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Segment,
    Ga4,
    Csv,
}

impl Format {
    /// `segment`, `ga4` or `csv`.
    pub fn parse(text: &str) -> Option<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "segment" => Some(Format::Segment),
            "ga4" => Some(Format::Ga4),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Segment => "segment",
            Format::Ga4 => "ga4",
            Format::Csv => "csv",
        }
    }

    /// What the format's records are, for messages.
    fn described(self) -> &'static str {
        match self {
            Format::Segment => "Segment messages (JSONL)",
            Format::Ga4 => "GA4 BigQuery-export rows (JSONL)",
            Format::Csv => "CSV rows",
        }
    }
}

/// What to import and where.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub file: PathBuf,
    pub format: Format,
    /// CSV only: `customers`, `orders` or `events` (else the mapping file's `as`).
    pub csv_as: Option<String>,
    /// CSV only: a mapping file (TOML or JSON, see [`mapping`]).
    pub mapping: Option<PathBuf>,
    /// The source to land into; default `file-<file stem>`.
    pub source: Option<String>,
    /// Records per write transaction.
    pub page_size: usize,
}

impl ImportOptions {
    pub const DEFAULT_PAGE_SIZE: usize = 10_000;

    pub fn new(file: impl Into<PathBuf>, format: Format) -> Self {
        ImportOptions {
            file: file.into(),
            format,
            csv_as: None,
            mapping: None,
            source: None,
            page_size: Self::DEFAULT_PAGE_SIZE,
        }
    }

    /// CSV: the kind of rows (`customers`, `orders`, `events`).
    pub fn with_as(mut self, kind: &str) -> Self {
        self.csv_as = Some(kind.to_owned());
        self
    }

    /// CSV: the mapping file.
    pub fn with_mapping(mut self, mapping: impl Into<PathBuf>) -> Self {
        self.mapping = Some(mapping.into());
        self
    }

    /// The source to land into.
    pub fn with_source(mut self, source: &str) -> Self {
        self.source = Some(source.to_owned());
        self
    }

    /// The source name: the given one, else `file-<stem>` in lower case with
    /// anything but letters and digits as `-`.
    pub fn source_name(&self) -> String {
        if let Some(source) = self.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            return source.to_owned();
        }
        default_source_name(&self.file)
    }
}

/// `file-<stem>`: `~/Downloads/Orders 2026.csv` → `file-orders-2026`.
pub fn default_source_name(file: &Path) -> String {
    let stem = file.file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_default();
    let mut name = String::from("file");
    let mut dash = true;
    for c in stem.chars() {
        if c.is_alphanumeric() {
            if dash {
                name.push('-');
            }
            name.push(c);
            dash = false;
        } else {
            dash = true;
        }
    }
    name
}

/// An opened file: its reader, and for CSV the resolved mapping.
pub(crate) struct Opened {
    pub(crate) reader: Reader,
    /// The file's name for messages (as given on the command line).
    pub(crate) file: String,
    pub(crate) bytes_total: u64,
}

/// Each format's reader.
pub(crate) enum Reader {
    Segment(segment::SegmentReader),
    Ga4(ga4::Ga4Reader),
    Csv(Box<csv::CsvReader>),
}

impl RecordReader for Reader {
    fn next_read(&mut self) -> Result<Option<Read>, ImportError> {
        match self {
            Reader::Segment(r) => r.next_read(),
            Reader::Ga4(r) => r.next_read(),
            Reader::Csv(r) => r.next_read(),
        }
    }

    fn bytes_read(&self) -> u64 {
        match self {
            Reader::Segment(r) => r.bytes_read(),
            Reader::Ga4(r) => r.bytes_read(),
            Reader::Csv(r) => r.bytes_read(),
        }
    }
}

/// Opens the file of `options` with its format's reader.
pub(crate) fn open(options: &ImportOptions) -> Result<Opened, ImportError> {
    let file = options.file.display().to_string();
    let io = |e: std::io::Error| ImportError::Io { file: file.clone(), detail: e.to_string() };
    let handle = File::open(&options.file).map_err(io)?;
    let metadata = handle.metadata().map_err(io)?;
    if metadata.is_dir() {
        return Err(ImportError::Io { file, detail: "is a folder, not a file".into() });
    }
    if options.format != Format::Csv && (options.csv_as.is_some() || options.mapping.is_some()) {
        return Err(ImportError::Invalid(format!(
            "--as and --mapping are for CSV files; {file} is imported as {}",
            options.format.name()
        )));
    }
    let reader = match options.format {
        Format::Segment => Reader::Segment(segment::SegmentReader::new(file.clone(), handle)),
        Format::Ga4 => Reader::Ga4(ga4::Ga4Reader::new(file.clone(), handle)),
        Format::Csv => {
            drop(handle);
            let mapping = match &options.mapping {
                Some(path) => Some((MappingFile::read(path)?, path.display().to_string())),
                None => None,
            };
            let kind_name = options
                .csv_as
                .clone()
                .or_else(|| mapping.as_ref().and_then(|(m, _)| m.kind.clone()))
                .ok_or_else(|| {
                    ImportError::Invalid(format!(
                        "{file}: say what its rows are with --as customers, --as orders or --as events"
                    ))
                })?;
            let kind = parlance_normalize::csv_kind(kind_name.trim()).ok_or_else(|| {
                ImportError::Invalid(format!(
                    "--as {kind_name:?}: a CSV file holds customers, orders or events"
                ))
            })?;
            let mapping = mapping.as_ref().map(|(m, name)| (m, name.clone()));
            Reader::Csv(Box::new(csv::CsvReader::open(&options.file, file.clone(), kind, mapping)?))
        }
    };
    Ok(Opened { reader, file, bytes_total: metadata.len() })
}
