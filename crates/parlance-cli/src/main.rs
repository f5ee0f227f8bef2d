//! `parlance`: the command line. A thin edge: parses arguments, reads the
//! clock, calls `parlance-api`, and prints for people or (`--json`) scripts.

mod customers;
mod format;
mod import;
mod journey;
mod segment;
mod sources;
mod status;
mod value;
mod vocab;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::{Parser, Subcommand};
use parlance_api::{ApiError, DemoOptionsDto, Parlance, default_warehouse_path};
use parlance_warehouse::Timestamp;

/// Parlance — one shared vocabulary for your customers, from a local warehouse.
#[derive(Debug, Parser)]
#[command(name = "parlance", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// The warehouse file [default: warehouse.parlance in the OS data directory]
    #[arg(long, global = true, env = "PARLANCE_WAREHOUSE", value_name = "PATH")]
    warehouse: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate the demo company into the warehouse (running it again changes nothing)
    Demo {
        /// People behind the records, anonymous visitors included
        #[arg(long, default_value_t = 20_000, value_name = "N")]
        people: u32,
        /// Random seed of the synthetic company
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// Last day of the two-year history, YYYY-MM-DD [default: the warehouse's demo date, else yesterday]
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Print the summary as JSON
        #[arg(long)]
        json: bool,
    },
    /// Show what is in the warehouse: sources, record counts per layer, last runs
    Status {
        /// Print as JSON (the same shape the app's Overview uses)
        #[arg(long)]
        json: bool,
    },
    /// Check the warehouse file's integrity
    Check,
    /// Channel tools connected as sources: add, list, test, remove
    #[command(subcommand)]
    Sources(sources::SourcesCommand),
    /// Sync sources (all, or one) into the warehouse, then unify what landed
    Sync {
        /// Only this source
        source: Option<String>,
        /// Start every stream from the beginning instead of the last sync
        #[arg(long)]
        full: bool,
        /// Print the summary as JSON
        #[arg(long)]
        json: bool,
    },
    /// Import a file: Segment-spec JSONL, GA4 BigQuery-export JSONL, or CSV with a column mapping
    Import(import::ImportArgs),
    /// Records that could not be unified, and retrying them after a fix
    #[command(subcommand)]
    Quarantine(QuarantineCommand),
    /// Identity resolution
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// The customer 360: one customer's identifiers, traits, segments, value and timeline; search
    #[command(subcommand)]
    Customer(customers::CustomerCommand),
    /// The universal customer value: fit the models, the distribution, one profile's value
    #[command(subcommand)]
    Value(value::ValueCommand),
    /// The shared vocabulary: check, format, publish and browse definitions
    #[command(subcommand)]
    Vocab(vocab::VocabCommand),
    /// Segments: evaluate (and explain), export, size over time, overlap
    #[command(subcommand)]
    Segment(segment::SegmentCommand),
    /// Journeys across touchpoints: paths, funnels, lifecycle stage flows (with charts)
    #[command(subcommand)]
    Journey(journey::JourneyCommand),
}

#[derive(Debug, Subcommand)]
enum QuarantineCommand {
    /// List held records with the reason each could not be unified
    List {
        /// Only this source's records
        #[arg(long)]
        source: Option<String>,
        /// At most this many
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Unify held records again (after fixing a mapping or the rules)
    Retry {
        /// Only this source's records
        #[arg(long)]
        source: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum IdentityCommand {
    /// Score resolution against the demo company's truth: pairwise precision and recall
    Score {
        #[arg(long)]
        json: bool,
    },
    #[command(flatten)]
    More(customers::IdentityCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("parlance: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), ApiError> {
    let path = match cli.warehouse {
        Some(path) => path,
        None => default_warehouse_path()?,
    };
    match cli.command {
        Command::Demo { people, seed, as_of, json } => {
            let parlance = Parlance::open(&path)?;
            demo(&parlance, DemoOptionsDto { people: Some(people), seed, as_of }, json)
        }
        Command::Status { json } => {
            let overview = Parlance::open_existing(&path)?.overview()?;
            if json {
                print_json(&overview)
            } else {
                print!("{}", status::render(&overview));
                Ok(())
            }
        }
        Command::Quarantine(q) => quarantine(&Parlance::open_existing(&path)?, q),
        Command::Sources(command) => sources::run_sources(&path, command),
        Command::Sync { source, full, json } => sources::run_sync(&path, source, full, json),
        Command::Import(args) => import::run(&path, args),
        Command::Value(v) => value::run(&path, v),
        Command::Vocab(v) => vocab::run(&path, v),
        Command::Segment(c) => segment::run(&path, c),
        Command::Journey(c) => journey::run(&path, c),
        Command::Identity(IdentityCommand::Score { json }) => {
            let score = Parlance::open_existing(&path)?.resolution_score()?;
            if json {
                return print_json(&score);
            }
            println!(
                "Identity resolution against the demo truth, over {} records:\n  precision {:.4} ({} of {} linked pairs are the same person)\n  recall    {:.4} ({} of {} same-person pairs are linked)",
                format::count(score.records),
                score.precision,
                format::count(score.correct_pairs),
                format::count(score.predicted_pairs),
                score.recall,
                format::count(score.correct_pairs),
                format::count(score.true_pairs),
            );
            Ok(())
        }
        Command::Identity(IdentityCommand::More(command)) => customers::identity(&path, command),
        Command::Customer(command) => customers::customer(&path, command),
        Command::Check => {
            let problems = Parlance::open_existing(&path)?.integrity_check()?;
            if problems.is_empty() {
                println!("{}: ok", path.display());
                Ok(())
            } else {
                Err(ApiError::new(
                    parlance_api::ErrorCode::Corrupt,
                    format!(
                        "{} has {} problem(s):\n  {}",
                        path.display(),
                        problems.len(),
                        problems.join("\n  ")
                    ),
                ))
            }
        }
    }
}

fn demo(parlance: &Parlance, options: DemoOptionsDto, json: bool) -> Result<(), ApiError> {
    let now = time::OffsetDateTime::now_utc();
    let people = u64::from(options.people.unwrap_or_default());
    let bar = indicatif::ProgressBar::new(people).with_style(
        indicatif::ProgressStyle::with_template("{spinner} demo company [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let cancel = AtomicBool::new(false);
    let summary = parlance.generate_demo(
        &options,
        now.date(),
        Timestamp::new(now),
        &mut |p| {
            if p.phase == "unifying" {
                bar.set_length(p.records_total.max(1));
                bar.set_position(p.records);
                bar.set_message("records unified into profiles".to_owned());
            } else {
                bar.set_position(u64::from(p.people_done));
                bar.set_message(format!("people · {} records", format::count(p.records)));
            }
        },
        &cancel,
    );
    bar.finish_and_clear();
    let summary = summary?;
    if json {
        return print_json(&summary);
    }
    println!(
        "Demo company in {}: {} people, history to {}.\n{} records: {} new, {} changed, {} unchanged; {} unified into profiles, {} quarantined ({:.1} s).",
        parlance.warehouse_path().display(),
        format::count(u64::from(summary.people)),
        summary.as_of,
        format::count(summary.records),
        format::count(summary.inserted),
        format::count(summary.updated),
        format::count(summary.unchanged),
        format::count(summary.unified),
        format::count(summary.quarantined),
        summary.seconds,
    );
    Ok(())
}

fn quarantine(parlance: &Parlance, command: QuarantineCommand) -> Result<(), ApiError> {
    match command {
        QuarantineCommand::List { source, limit, json } => {
            let held = parlance.quarantine(source.as_deref(), limit)?;
            if json {
                return print_json(&held);
            }
            if held.is_empty() {
                println!("Quarantine is empty.");
            }
            for q in &held {
                println!(
                    "{}/{} {} (retried {}×, since {})\n  {}",
                    q.source, q.stream, q.source_id, q.retries, q.first_seen, q.reason
                );
            }
            Ok(())
        }
        QuarantineCommand::Retry { source, json } => {
            let now = Timestamp::new(time::OffsetDateTime::now_utc());
            let outcome = parlance.retry_quarantine(source.as_deref(), now)?;
            if json {
                return print_json(&outcome);
            }
            println!(
                "Retried {} record(s): {} unified, {} still held.",
                format::count(outcome.retried),
                format::count(outcome.released),
                format::count(outcome.still_held)
            );
            Ok(())
        }
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), ApiError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| ApiError::new(parlance_api::ErrorCode::Internal, format!("cannot print JSON: {e}")))?;
    println!("{text}");
    Ok(())
}
