//! `parlance segment eval | export | sizes | overlap | refresh`: segments of the
//! published vocabulary, evaluated as of a date.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use parlance_api::{ApiError, ErrorCode, Parlance, Timestamp};
use time::Date;

#[derive(Debug, Subcommand)]
pub enum SegmentCommand {
    /// Evaluate a segment: its members as of a date; or, with --explain, why one profile is in or out
    Eval {
        name: String,
        /// The evaluation date, YYYY-MM-DD [default: the demo's last day on a demo warehouse, else today]
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Explain clause by clause why this profile is in or out
        #[arg(long, value_name = "PROFILE")]
        explain: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Write a segment's members as CSV: profile id, primary email, value, tier, entered at
    Export {
        name: String,
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A segment's size over time, from its members' entered/left times
    Sizes {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Members shared by every pair of segments
    Overlap {
        #[arg(long)]
        json: bool,
    },
    /// Re-evaluate every segment, score and the stages, recording who entered and left
    Refresh {
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
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

/// `--as-of`, else the demo's last day on a demo warehouse, else today.
fn as_of(parlance: &Parlance, given: Option<String>) -> Result<Date, ApiError> {
    parlance.evaluation_date(given.as_deref(), time::OffsetDateTime::now_utc().date())
}

pub fn run(warehouse: &Path, command: SegmentCommand) -> Result<(), ApiError> {
    let parlance = Parlance::open_existing(warehouse)?;
    match command {
        SegmentCommand::Eval { name, as_of: date, explain: Some(profile), json } => {
            let e = parlance.segment_explain(&name, profile, as_of(&parlance, date)?)?;
            if json {
                return print_json(&e);
            }
            let verdict = if e.member { "IN" } else { "OUT" };
            println!("profile {} is {verdict} segment {}", e.profile, e.segment);
            if let Some(m) = e.merged_into {
                println!("  (it was merged into profile {m}; merged profiles are in no segment)");
            }
            println!("  {} of these must hold:", if e.connective == "all" { "all" } else { "one" });
            for c in &e.clauses {
                println!("  [{}] {}  ({})", if c.holds { "yes" } else { " no" }, c.text, c.at);
                for v in &c.values {
                    println!(
                        "        {} = {}",
                        v.expr,
                        v.value.clone().unwrap_or_else(|| "(not set)".into())
                    );
                }
            }
            Ok(())
        }
        SegmentCommand::Eval { name, as_of: date, explain: None, json } => {
            let r = parlance.segment_evaluate(&name, as_of(&parlance, date)?)?;
            if json {
                return print_json(&r);
            }
            println!(
                "segment {} v{} as of {}: {} members ({:.3} s)",
                r.name, r.version, r.as_of, r.members, r.seconds
            );
            let shown: Vec<String> = r.profiles.iter().take(20).map(ToString::to_string).collect();
            if !shown.is_empty() {
                let more = if r.profiles.len() > 20 { ", …" } else { "" };
                println!("  profiles {}{more}", shown.join(", "));
            }
            Ok(())
        }
        SegmentCommand::Export { name, csv, as_of: date, json } => {
            let r = parlance.segment_export_csv(&name, &csv, as_of(&parlance, date)?)?;
            if json {
                return print_json(&r);
            }
            println!("wrote {} members of {name} to {}", r.rows, r.path);
            Ok(())
        }
        SegmentCommand::Sizes { name, json } => {
            let points = parlance.segment_sizes(&name)?;
            if json {
                return print_json(&points);
            }
            for p in &points {
                println!("{}  {}", p.at, p.members);
            }
            Ok(())
        }
        SegmentCommand::Overlap { json } => {
            let overlap = parlance.segment_overlap()?;
            if json {
                return print_json(&overlap);
            }
            for o in overlap.iter().filter(|o| o.a != o.b && o.both > 0) {
                println!("{:<24} {:<24} {}", o.a, o.b, o.both);
            }
            Ok(())
        }
        SegmentCommand::Refresh { as_of: date, json } => {
            let now = Timestamp::new(time::OffsetDateTime::now_utc());
            let r = parlance.refresh_vocabulary(as_of(&parlance, date)?, now)?;
            if json {
                return print_json(&r);
            }
            for s in &r.segments {
                println!(
                    "segment {:<24} v{:<3} {:>8} members (+{} −{})",
                    s.name, s.version, s.members, s.entered, s.left
                );
            }
            for s in &r.scores {
                println!("score {:<26} {:>8} profiles", s.name, s.count);
            }
            for s in &r.stages {
                println!("stage {:<26} {:>8} profiles", s.name, s.count);
            }
            for f in &r.failures {
                println!("failed: {f}");
            }
            Ok(())
        }
    }
}
