//! `parlance vocab check | fmt | list | show | history | diff | sync | rename | deprecate`:
//! the shared vocabulary's definition files and their published versions.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use parlance_api::{
    ApiError, DiagnosticDto, ErrorCode, Parlance, Timestamp, default_vocabulary_dir, format_vocabulary,
};

/// The vocabulary folder option shared by the subcommands that read files.
#[derive(Debug, Args)]
pub struct FolderArg {
    /// The vocabulary folder [default: `vocabulary` in the OS data directory]
    #[arg(long, env = "PARLANCE_VOCABULARY", value_name = "DIR")]
    vocabulary: Option<PathBuf>,
}

impl FolderArg {
    fn dir(&self) -> Result<PathBuf, ApiError> {
        match &self.vocabulary {
            Some(d) => Ok(d.clone()),
            None => default_vocabulary_dir(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum VocabCommand {
    /// Check every definition file of the folder against the warehouse and each other
    Check {
        #[command(flatten)]
        folder: FolderArg,
        #[arg(long)]
        json: bool,
    },
    /// Rewrite the folder's files in the canonical layout (files with syntax errors are left alone)
    Fmt {
        #[command(flatten)]
        folder: FolderArg,
        /// Only report which files would change; fail if any would
        #[arg(long)]
        check: bool,
        #[arg(long)]
        json: bool,
    },
    /// The published definitions, with each segment's current members
    List {
        #[arg(long)]
        json: bool,
    },
    /// A published definition: its text, owner, what it uses and what uses it
    Show {
        name: String,
        /// segment, score, stages, value or touchpoints (when the name is ambiguous)
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every published version of a definition: author, time, message
    History {
        name: String,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The difference between two versions [default: the latest and the one before]
    Diff {
        name: String,
        /// The older version
        from: Option<i64>,
        /// The newer version
        to: Option<i64>,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Publish the folder's good definitions as new versions, then refresh memberships, scores and stages
    Sync {
        #[command(flatten)]
        folder: FolderArg,
        /// Recorded as the versions' author [default: $USER]
        #[arg(long)]
        author: Option<String>,
        /// Recorded as the versions' message
        #[arg(long, short, default_value = "sync")]
        message: String,
        #[arg(long)]
        json: bool,
    },
    /// Rename a definition and every reference to it in the folder, keeping its history, and publish
    Rename {
        kind: String,
        old: String,
        new: String,
        #[command(flatten)]
        folder: FolderArg,
        #[arg(long)]
        author: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Mark a definition deprecated (references to it get a warning), and publish
    Deprecate {
        kind: String,
        name: String,
        /// Why, and what to use instead
        #[arg(long, default_value = "")]
        note: String,
        /// Lift the deprecation instead
        #[arg(long)]
        undo: bool,
        #[command(flatten)]
        folder: FolderArg,
        #[arg(long)]
        author: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), ApiError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("cannot print JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

fn render(d: &DiagnosticDto) -> String {
    let mut line = format!("{}:{}:{}: {}[{}] {}", d.file, d.line, d.column, d.severity, d.code, d.message);
    if let Some(s) = &d.suggestion {
        line.push_str(&format!(" ({s})"));
    }
    line
}

fn author(given: Option<String>) -> String {
    given.or_else(|| std::env::var("USER").ok()).filter(|a| !a.is_empty()).unwrap_or_else(|| "unknown".into())
}

fn clock() -> (time::Date, Timestamp) {
    let now = time::OffsetDateTime::now_utc();
    (now.date(), Timestamp::new(now))
}

pub fn run(warehouse: &Path, command: VocabCommand) -> Result<(), ApiError> {
    match command {
        VocabCommand::Check { folder, json } => {
            let dir = folder.dir()?;
            let report = Parlance::open_existing(warehouse)?.vocabulary_check(&dir)?;
            if json {
                print_json(&report)?;
            } else {
                for d in &report.diagnostics {
                    println!("{}", render(d));
                }
                println!(
                    "{}: {} files, {} definitions, {} errors, {} warnings",
                    report.folder,
                    report.files.len(),
                    report.definitions.len(),
                    report.errors,
                    report.warnings
                );
            }
            if report.errors > 0 {
                return Err(ApiError::invalid(format!("{} errors in the vocabulary", report.errors)));
            }
            Ok(())
        }
        VocabCommand::Fmt { folder, check, json } => {
            let report = format_vocabulary(&folder.dir()?, check)?;
            if json {
                print_json(&report)?;
            } else {
                for d in &report.diagnostics {
                    println!("{}", render(d));
                }
                for f in &report.changed {
                    println!("{} {f}", if check { "would reformat" } else { "reformatted" });
                }
                for f in &report.skipped {
                    println!("skipped {f} (fix its errors first)");
                }
            }
            if check && !report.changed.is_empty() {
                return Err(ApiError::invalid(format!("{} files are not formatted", report.changed.len())));
            }
            Ok(())
        }
        VocabCommand::List { json } => {
            let list = Parlance::open_existing(warehouse)?.vocabulary_list()?;
            if json {
                return print_json(&list);
            }
            for d in &list {
                let members = d.members.map(|m| format!("  {m} members")).unwrap_or_default();
                let deprecated = if d.deprecated.is_some() { "  (deprecated)" } else { "" };
                println!(
                    "{:<12} {:<24} v{:<3} {:<28}{members}{deprecated}",
                    d.kind,
                    d.name,
                    d.version.unwrap_or(0),
                    d.title.clone().unwrap_or_default()
                );
            }
            Ok(())
        }
        VocabCommand::Show { name, kind, json } => {
            let d = Parlance::open_existing(warehouse)?.vocabulary_show(kind.as_deref(), &name)?;
            if json {
                return print_json(&d);
            }
            println!(
                "# {} {} v{} by {} at {}{}",
                d.summary.kind,
                d.summary.name,
                d.summary.version.unwrap_or(0),
                d.author,
                d.published_at,
                d.summary.file.as_ref().map(|f| format!(" ({f})")).unwrap_or_default()
            );
            if !d.uses.is_empty() {
                println!("# uses: {}", d.uses.join(", "));
            }
            if !d.used_by.is_empty() {
                println!("# used by: {}", d.used_by.join(", "));
            }
            print!("{}", d.text);
            Ok(())
        }
        VocabCommand::History { name, kind, json } => {
            let versions = Parlance::open_existing(warehouse)?.vocabulary_history(kind.as_deref(), &name)?;
            if json {
                return print_json(&versions);
            }
            for v in &versions {
                println!("v{:<3} {}  {:<16} {}", v.version, v.created_at, v.author, v.message);
            }
            Ok(())
        }
        VocabCommand::Diff { name, from, to, kind, json } => {
            let d = Parlance::open_existing(warehouse)?.vocabulary_diff(kind.as_deref(), &name, from, to)?;
            if json {
                return print_json(&d);
            }
            print!("{}", d.diff);
            Ok(())
        }
        VocabCommand::Sync { folder, author: who, message, json } => {
            let dir = folder.dir()?;
            let (today, now) = clock();
            let parlance = Parlance::open(warehouse)?;
            let today = parlance.evaluation_date(None, today)?;
            let report = parlance.vocabulary_sync(&dir, &author(who), &message, today, now)?;
            print_sync(&report, json)
        }
        VocabCommand::Rename { kind, old, new, folder, author: who, json } => {
            let (today, now) = clock();
            let parlance = Parlance::open_existing(warehouse)?;
            let today = parlance.evaluation_date(None, today)?;
            let report =
                parlance.vocabulary_rename(&folder.dir()?, &kind, &old, &new, &author(who), today, now)?;
            print_sync(&report, json)
        }
        VocabCommand::Deprecate { kind, name, note, undo, folder, author: who, json } => {
            let (today, now) = clock();
            let note = (!undo).then_some(note.as_str());
            let parlance = Parlance::open_existing(warehouse)?;
            let today = parlance.evaluation_date(None, today)?;
            let report = parlance.vocabulary_deprecate(
                &folder.dir()?,
                &kind,
                &name,
                note,
                &author(who),
                today,
                now,
            )?;
            print_sync(&report, json)
        }
    }
}

fn print_sync(report: &parlance_api::VocabularySyncDto, json: bool) -> Result<(), ApiError> {
    if json {
        return print_json(report);
    }
    for d in &report.diagnostics {
        println!("{}", render(d));
    }
    for (what, list) in [
        ("created", &report.created),
        ("updated", &report.updated),
        ("kept (broken; last good version stays)", &report.kept),
        ("rejected (broken, never published)", &report.rejected),
        ("removed", &report.removed),
    ] {
        if !list.is_empty() {
            println!("{what}: {}", list.join(", "));
        }
    }
    println!("{} unchanged; {}", report.unchanged.len(), report.folder);
    for s in &report.refresh.segments {
        println!(
            "  segment {:<24} v{:<3} {:>8} members (+{} −{})",
            s.name, s.version, s.members, s.entered, s.left
        );
    }
    for f in &report.refresh.failures {
        println!("  failed: {f}");
    }
    Ok(())
}
