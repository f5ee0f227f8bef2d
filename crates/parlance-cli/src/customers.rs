//! `parlance customer show|search` and `parlance identity rebuild|unmerge|explain|suspicious`:
//! argument parsing and printing; the work is in `parlance-api`.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use clap::Subcommand;
use parlance_api::{
    ApiError, CustomerDto, ErrorCode, Parlance, ProfileExplanationDto, ProfileSummaryDto,
    SuspiciousReportDto, TimelineEntryDto,
};
use parlance_warehouse::Timestamp;

use crate::format::count;

#[derive(Debug, Subcommand)]
pub enum CustomerCommand {
    /// Show one customer: identifiers with sources, traits (survey answers too), segments, value, and a
    /// cross-channel timeline, newest first
    Show {
        /// A profile id, an email (any case), a phone (any format), another identifier's value, or KIND:VALUE
        query: String,
        /// Touchpoints to show
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// List customers holding an identifier that starts with TEXT
    Search {
        text: String,
        /// At most this many profiles
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

/// The identity commands beyond `score`.
#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Re-resolve every landed record from scratch (honours unmerges); unchanged clusters keep their ids
    Rebuild {
        #[arg(long)]
        json: bool,
    },
    /// Split a merged profile apart so it stays apart (keep-apart rules), then re-resolve its records
    Unmerge {
        /// The profile to split (a merged-away id: undo the merge that absorbed it)
        profile: i64,
        /// Split off exactly these identifiers (repeatable), e.g. email:anna@mail.demo,
        /// customer_id:demo-shop:42 [default: what the latest merge brought in]
        #[arg(long = "identifier", value_name = "KIND:VALUE")]
        identifiers: Vec<String>,
        /// Undo this merge (ids from `parlance identity explain`)
        #[arg(long, value_name = "ID", conflicts_with = "identifiers")]
        merge: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// List the merges that formed a profile with their evidence, its keep-apart rules and unlinked identifiers
    Explain {
        /// A profile id or any identifier (as for `customer show`)
        profile: String,
        #[arg(long)]
        json: bool,
    },
    /// Report suspicious clusters: too many identifiers of one kind, oversized profiles, shared emails and
    /// phones a limit kept apart (households), blocked values on several profiles (test accounts)
    Suspicious {
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

fn now() -> Timestamp {
    Timestamp::new(time::OffsetDateTime::now_utc())
}

pub fn customer(path: &Path, command: CustomerCommand) -> Result<(), ApiError> {
    let parlance = Parlance::open_existing(path)?;
    match command {
        CustomerCommand::Show { query, limit, json } => {
            let c = parlance.customer(&query, limit)?;
            if json {
                return print_json(&c);
            }
            print!("{}", render_customer(&c));
            Ok(())
        }
        CustomerCommand::Search { text, limit, json } => {
            let hits = parlance.search_customers(&text, limit)?;
            if json {
                return print_json(&hits);
            }
            if hits.is_empty() {
                println!("No profile holds an identifier starting with {text:?}.");
            }
            for h in &hits {
                let matched: Vec<String> =
                    h.matched.iter().map(|m| format!("{} {}", m.kind, m.value)).collect();
                println!("{}\n    matched {}", headline(&h.profile), matched.join(", "));
            }
            Ok(())
        }
    }
}

pub fn identity(path: &Path, command: IdentityCommand) -> Result<(), ApiError> {
    let parlance = Parlance::open_existing(path)?;
    match command {
        IdentityCommand::Rebuild { json } => {
            let bar = indicatif::ProgressBar::new(1).with_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} identity rebuild: {msg} [{bar:30}] {pos}/{len}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            let r = parlance.rebuild_identity(now(), &AtomicBool::new(false), &mut |p| {
                bar.set_length(p.total.max(1));
                bar.set_position(p.done);
                bar.set_message(p.phase.clone());
            });
            bar.finish_and_clear();
            let r = r?;
            if json {
                return print_json(&r);
            }
            println!(
                "Rebuilt identity from {} records in {:.1} s: {} profiles ({} kept their id), {} identifiers, {} merges; {} unified, {} quarantined; {} keep-apart rules honoured.",
                count(r.records),
                r.seconds,
                count(r.profiles),
                count(r.profiles_kept_id),
                count(r.identifiers),
                count(r.merges),
                count(r.unified),
                count(r.quarantined),
                count(r.keep_apart_rules)
            );
            Ok(())
        }
        IdentityCommand::Unmerge { profile, identifiers, merge, json } => {
            let r = parlance.unmerge_profile(profile, &identifiers, merge, now())?;
            if json {
                return print_json(&r);
            }
            let moved: Vec<String> = r.moved.iter().map(|m| format!("{} {}", m.kind, m.value)).collect();
            let off: Vec<String> = r.split_off.iter().map(ToString::to_string).collect();
            println!(
                "Split profile {}: {} moved to profile {}.\n{} keep-apart rule(s) stored; {} merge(s) undone, {} re-made by re-resolving {} record(s).",
                r.profile,
                moved.join(", "),
                off.join(", "),
                r.rules_added,
                r.merges_undone,
                r.merges_redone,
                r.records
            );
            Ok(())
        }
        IdentityCommand::Explain { profile, json } => {
            let e = parlance.explain_profile(&profile)?;
            if json {
                return print_json(&e);
            }
            print!("{}", render_explanation(&e));
            Ok(())
        }
        IdentityCommand::Suspicious { json } => {
            let r = parlance.suspicious_clusters()?;
            if json {
                return print_json(&r);
            }
            print!("{}", render_suspicious(&r));
            Ok(())
        }
    }
}

fn headline(p: &ProfileSummaryDto) -> String {
    let name =
        p.name.as_deref().unwrap_or(if p.kind == "anonymous" { "anonymous visitor" } else { "(no name)" });
    let contact = p.emails.first().or(p.phones.first()).map(|c| format!(" <{c}>")).unwrap_or_default();
    format!(
        "profile {} · {} · {name}{contact} · {} records, {} orders, last seen {}",
        p.id,
        p.kind,
        count(p.record_count),
        count(p.order_count),
        p.last_seen.as_deref().unwrap_or("never")
    )
}

fn render_customer(c: &CustomerDto) -> String {
    use std::fmt::Write;
    let s = &c.summary;
    let mut out = String::new();
    let _ = writeln!(out, "{}\n  matched {}", headline(s), c.matched);
    let _ = writeln!(
        out,
        "  first seen {}, created {}, {} merge(s) (`parlance identity explain {}`)",
        s.first_seen.as_deref().unwrap_or("never"),
        s.created_at,
        c.merges,
        s.id
    );
    let _ = writeln!(out, "\nIdentifiers ({})", c.identifiers.len());
    for i in &c.identifiers {
        let record = i.record.as_ref().map(|r| format!("  ({}/{} {})", r.source, r.stream, r.source_id));
        let _ = writeln!(
            out,
            "  {:<24} {:<36} {:<14} first seen {}{}",
            i.kind,
            i.value,
            i.source,
            i.first_seen,
            record.unwrap_or_default()
        );
    }
    let _ = writeln!(out, "\nTraits ({})", c.traits.len());
    for t in &c.traits {
        let tag = if t.attitudinal { "  (attitudinal)" } else { "" };
        let _ = writeln!(out, "  {:<24} {:<24} {:<14} {}{tag}", t.key, t.text, t.source, t.observed_at);
    }
    if c.segments.is_empty() {
        let _ = writeln!(out, "\nSegments: none (not in any segment, or segments not computed yet)");
    } else {
        let _ = writeln!(out, "\nSegments ({})", c.segments.len());
        for g in &c.segments {
            let _ = writeln!(out, "  {} v{} since {}", g.name, g.version, g.entered_at);
        }
    }
    match &c.value {
        None => {
            let _ = writeln!(out, "\nValue: not computed yet");
        }
        Some(v) => {
            let _ = writeln!(
                out,
                "\nValue: {:.2} (tier {}, decile {}; model {}, {})",
                v.value,
                v.tier.as_deref().unwrap_or("-"),
                v.decile.map_or("-".to_owned(), |d| d.to_string()),
                v.model_version,
                v.computed_at
            );
        }
    }
    let _ = writeln!(out, "\nTimeline ({} of {}, newest first)", c.timeline.len(), count(c.timeline_total));
    for e in &c.timeline {
        let _ = writeln!(out, "  {}", timeline_line(e));
    }
    out
}

fn timeline_line(e: &TimelineEntryDto) -> String {
    let mut detail = String::new();
    if let Some(o) = &e.order {
        detail = format!("order {} {:.2} {} ({})", o.source_order_id, o.amount, o.currency, o.status);
    } else if let Some(s) = &e.support {
        detail =
            format!("{} contact {} {}", s.channel, s.source_contact_id, s.reason.as_deref().unwrap_or(""));
    } else if let Some(r) = e.revenue {
        detail = format!("{r:.2}");
    }
    format!("{}  {:<8} {:<28} {:<14} {detail}", e.at, e.channel, e.name, e.source).trim_end().to_owned()
}

fn render_explanation(e: &ProfileExplanationDto) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{}\n  matched {}", headline(&e.summary), e.matched);
    let _ = writeln!(out, "\nIdentifiers ({})", e.identifiers.len());
    for i in &e.identifiers {
        let _ =
            writeln!(out, "  {:<24} {:<36} from {} (first seen {})", i.kind, i.value, i.source, i.first_seen);
    }
    let _ = writeln!(out, "\nMerges ({})", e.merges.len());
    if e.merges.is_empty() {
        let _ = writeln!(out, "  none: every record of this profile linked to it directly");
    }
    for m in &e.merges {
        let id = m.identifier.as_ref().map_or("?".to_owned(), |i| format!("{} {}", i.kind, i.value));
        let rec = |r: &Option<parlance_api::RecordRefDto>| {
            r.as_ref().map_or("(no longer landed)".to_owned(), |r| {
                format!("{}/{} {}", r.source, r.stream, r.source_id)
            })
        };
        let undone = m.undone_at.as_ref().map(|u| format!("  UNDONE {u}")).unwrap_or_default();
        let absorbed: Vec<String> =
            m.absorbed_identifiers.iter().map(|i| format!("{} {}", i.kind, i.value)).collect();
        let _ = writeln!(
            out,
            "  #{} {}: profile {} merged into {} on {}{undone}\n      via {id}, carried by {} (first brought by {})\n      brought in: {}",
            m.merge_id,
            m.rule,
            m.merged_profile,
            m.kept_profile,
            m.merged_at,
            rec(&m.linking_record),
            rec(&m.identifier_first_record),
            absorbed.join(", ")
        );
    }
    if !e.keep_apart.is_empty() {
        let _ = writeln!(out, "\nKept apart ({} rule(s) from unmerges)", e.keep_apart.len());
        for r in &e.keep_apart {
            let other = r.apart_from_profile.map_or("no profile".to_owned(), |p| format!("profile {p}"));
            let _ = writeln!(
                out,
                "  {} {} never with {} {} (held by {other}; since {})",
                r.held.kind, r.held.value, r.apart_from.kind, r.apart_from.value, r.created_at
            );
        }
    }
    if !e.unlinked.is_empty() {
        let _ = writeln!(out, "\nCarried but not linked ({})", e.unlinked.len());
        for u in &e.unlinked {
            let held = u.held_by.map(|p| format!("; held by profile {p}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {:?} on {} record(s): {} ({}){held}",
                u.kind, u.value, u.records, u.reason, u.detail
            );
        }
    }
    out
}

fn render_suspicious(r: &SuspiciousReportDto) -> String {
    use std::fmt::Write;
    let t = &r.thresholds;
    let mut out = String::new();
    let _ = writeln!(out, "Suspicious clusters among {} live profiles", count(r.profiles));
    let families: Vec<String> = t.per_family.iter().map(|f| format!("{} > {}", f.family, f.max)).collect();
    let _ = writeln!(
        out,
        "thresholds: identifiers of one kind {}; oversized: > {} identifiers or > {} records (max of a floor and {}× the 99th percentile); shared: carried by ≥ {} other profile(s); blocked: on ≥ {} profiles",
        families.join(", "),
        t.oversize_identifiers_over,
        t.oversize_records_over,
        t.oversize_factor,
        t.shared_min_other_profiles,
        t.blocked_min_profiles
    );
    let _ = writeln!(out, "\nToo many identifiers of one kind: {}", r.many_identifiers_total);
    for m in &r.many_identifiers {
        let _ = writeln!(
            out,
            "  profile {}: {} {} identifiers (> {})",
            m.profile, m.count, m.family, m.threshold
        );
    }
    let _ = writeln!(out, "\nOversized clusters: {}", r.oversized_total);
    for o in &r.oversized {
        let _ = writeln!(
            out,
            "  profile {}: {} identifiers, {} records",
            o.profile,
            o.identifiers,
            count(o.records)
        );
    }
    let _ = writeln!(
        out,
        "\nShared emails and phones a limit kept apart (households, repeat guest checkouts): {}",
        r.shared_total
    );
    for s in &r.shared {
        let others: Vec<String> = s.also_carried_by.iter().map(ToString::to_string).collect();
        let held = s.held_by.map_or("no profile".to_owned(), |p| format!("profile {p}"));
        let _ = writeln!(
            out,
            "  {} {}: held by {held}, also carried by profile {}",
            s.kind,
            s.value,
            others.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\nBlocked values on several profiles (test accounts, placeholders): {}",
        r.blocked_total
    );
    for b in &r.blocked {
        let sample: Vec<String> = b.sample_profiles.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "  {} {:?} ({}): {} profiles, {} records; e.g. profile {}",
            b.kind,
            b.value,
            b.why,
            b.profiles,
            count(b.records),
            sample.join(", ")
        );
    }
    out
}
