//! `parlance import FILE --format csv|segment|ga4 [--as …] [--mapping …]
//! [--source …] [--preview] [--json]`.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use clap::{Args, ValueEnum};
use parlance_api::{
    ApiError, ImportOptionsDto, ImportPreviewDto, ImportSummaryDto, Parlance, preview_import,
};
use parlance_warehouse::Timestamp;

use crate::{format, print_json};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import (read as a stream; any size)
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// segment: Segment-spec JSONL · ga4: GA4 BigQuery-export JSONL · csv: CSV with a column mapping
    #[arg(long, value_enum)]
    format: FileFormat,
    /// CSV: what the rows are
    #[arg(long = "as", value_enum, value_name = "KIND")]
    kind: Option<CsvKind>,
    /// CSV: a mapping file (TOML or JSON) from fields to the file's columns; not needed when the
    /// columns use the conventional names (order_id, customer_id, ordered_at, amount, …)
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// The source to land into [default: file-<file name>]; import customers and orders of one
    /// shop into one source so their customer ids meet
    #[arg(long, value_name = "NAME")]
    source: Option<String>,
    /// Show the first rows as they would be imported, with any errors; write nothing
    #[arg(long)]
    preview: bool,
    /// Rows the preview shows
    #[arg(long, default_value_t = 10, value_name = "N", requires = "preview")]
    rows: u32,
    /// Print the summary (or preview) as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FileFormat {
    Csv,
    Segment,
    Ga4,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum CsvKind {
    Customers,
    Orders,
    Events,
}

pub fn run(warehouse: &Path, args: ImportArgs) -> Result<(), ApiError> {
    let options = ImportOptionsDto {
        path: args.file.display().to_string(),
        format: match args.format {
            FileFormat::Csv => "csv",
            FileFormat::Segment => "segment",
            FileFormat::Ga4 => "ga4",
        }
        .to_owned(),
        csv_as: args.kind.map(|kind| {
            match kind {
                CsvKind::Customers => "customers",
                CsvKind::Orders => "orders",
                CsvKind::Events => "events",
            }
            .to_owned()
        }),
        mapping: args.mapping.as_ref().map(|p| p.display().to_string()),
        source: args.source,
    };
    let now = time::OffsetDateTime::now_utc();
    if args.preview {
        let preview = preview_import(&options, args.rows, Timestamp::new(now))?;
        return if args.json { print_json(&preview) } else { print_preview(&options, &preview) };
    }
    let parlance = Parlance::open(warehouse)?;
    let bar = indicatif::ProgressBar::new(1).with_style(
        indicatif::ProgressStyle::with_template("{spinner} import [{bar:30}] {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let cancel = AtomicBool::new(false);
    let summary = parlance.import_file(
        &options,
        now.date(),
        Timestamp::new(now),
        &mut |p| {
            bar.set_length(p.total.max(1));
            bar.set_position(p.done);
            if p.phase == "unifying" {
                bar.set_message(format!(
                    "{}/{} records unified",
                    format::count(p.done),
                    format::count(p.total)
                ));
            } else {
                bar.set_message(format!(
                    "{} of {} read · {} records landed",
                    format::bytes(p.done),
                    format::bytes(p.total),
                    format::count(p.records)
                ));
            }
        },
        &cancel,
    );
    bar.finish_and_clear();
    let summary = summary?;
    if args.json {
        return print_json(&summary);
    }
    print_summary(&summary);
    Ok(())
}

fn print_summary(s: &ImportSummaryDto) {
    println!(
        "Imported {} into source {} ({}): {} records read: {} new, {} changed, {} unchanged{}; {} unified into profiles, {} quarantined ({:.1} s).",
        s.file,
        s.source,
        s.format,
        format::count(s.records),
        format::count(s.inserted),
        format::count(s.updated),
        format::count(s.unchanged),
        if s.rejected > 0 {
            format!(", {} could not be landed", format::count(s.rejected))
        } else {
            String::new()
        },
        format::count(s.unified),
        format::count(s.quarantined),
        s.seconds,
    );
    if !s.problems.is_empty() {
        eprintln!("Problems (the file's other lines imported):");
        for problem in &s.problems {
            eprintln!("  {}", problem.message);
        }
        let listed = s.problems.len() as u64;
        let total = s.rejected + s.problems.iter().filter(|p| p.landed).count() as u64;
        if total > listed {
            eprintln!("  … and more; see `parlance quarantine list --source {}`", s.source);
        }
    }
    if s.quarantined > 0 {
        eprintln!(
            "Held records: `parlance quarantine list --source {0}`; after fixing the file or mapping, import it again.",
            s.source
        );
    }
}

fn print_preview(options: &ImportOptionsDto, p: &ImportPreviewDto) -> Result<(), ApiError> {
    let kind = options.csv_as.as_deref().map(|k| format!(" as {k}")).unwrap_or_default();
    println!(
        "Preview of {} ({}{kind}) into source {}; nothing is written.",
        options.path, p.format, p.source
    );
    if !p.columns.is_empty() {
        println!("Columns: {}", p.columns.join(", "));
        let mapped: Vec<String> = p
            .mapping
            .iter()
            .map(|m| format!("{} ← {:?}", m.field, m.value))
            .chain(p.defaults.iter().map(|d| format!("{} = {:?} (default)", d.field, d.value)))
            .collect();
        println!("Mapping: {}", mapped.join(", "));
    }
    let mut problems = p.problems.iter().peekable();
    for row in &p.rows {
        while let Some(problem) = problems.next_if(|problem| problem.line < row.line) {
            println!("\n{}", problem.message);
        }
        println!("\nline {} · {} {}", row.line, row.stream, row.source_id);
        if !row.fields.is_empty() {
            let fields: Vec<String> =
                row.fields.iter().map(|f| format!("{}={:?}", f.field, f.value)).collect();
            println!("  {}", fields.join("  "));
        }
        match &row.error {
            Some(error) => println!("  → would be quarantined: {error}"),
            None => {
                println!("  → who: {}", row.identifiers.join(", "));
                for line in row.order.iter().chain(&row.events).chain(&row.traits) {
                    println!("  → {line}");
                }
            }
        }
    }
    for problem in problems {
        println!("\n{}", problem.message);
    }
    if p.rows.is_empty() && p.problems.is_empty() {
        println!("The file has no rows.");
    }
    Ok(())
}
