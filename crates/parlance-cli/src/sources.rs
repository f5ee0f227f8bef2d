//! `parlance sources add|list|test|remove` and `parlance sync`.
//!
//! Tokens are read from standard input (`--token-stdin`, or whenever input
//! is not a terminal) or an interactive prompt that does not echo — never
//! from a command-line argument, which would land in shell history. They go
//! to the OS keychain; with `PARLANCE_KEYCHAIN=off`, or when the keychain
//! is unavailable, `PARLANCE_TOKEN_<SOURCE>` supplies them at every sync.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::{Args, Subcommand};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use parlance_api::{
    ApiError, ErrorCode, KEYCHAIN_ENV, KeychainStore, NewSourceDto, NoKeychain, Parlance, SecretStore,
    Secrets, SyncSummaryDto, TimeSources, Timestamp, Token,
};

use crate::{format, print_json};

// Parsed once per run: the size of `Add` does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// Connect a channel tool: settings to the warehouse, the token to the OS keychain
    ///
    /// The token is read from standard input (or a prompt that does not echo), never from an argument.
    Add(AddArgs),
    /// List sources: name, kind, base URL, records, last run
    List {
        #[arg(long)]
        json: bool,
    },
    /// Check that a source's settings and token work, naming the account they open
    Test {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove a source with its landed records, state and keychain entry
    Remove {
        name: String,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The source's name, e.g. shopify-main (a-z, 0-9, '-', '_', '.')
    name: String,
    /// shopify | stripe | hubspot | mailchimp | klaviyo | zendesk
    #[arg(long)]
    kind: String,
    /// Replace the tool's API address (a proxy, a sandbox, a test server)
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Shopify: the myshopify subdomain (acme for acme.myshopify.com)
    #[arg(long)]
    shop: Option<String>,
    /// Mailchimp: the audience (list) id
    #[arg(long)]
    list_id: Option<String>,
    /// Zendesk: the zendesk.com subdomain
    #[arg(long)]
    subdomain: Option<String>,
    /// Zendesk: the agent whose API token this is (without it, an OAuth token)
    #[arg(long)]
    email: Option<String>,
    /// Shopify Admin API version or Stripe API version
    #[arg(long)]
    api_version: Option<String>,
    /// Klaviyo API revision (YYYY-MM-DD)
    #[arg(long)]
    revision: Option<String>,
    /// Records per page (every kind but Shopify)
    #[arg(long, value_name = "N")]
    page_size: Option<u32>,
    /// Read the token from standard input even when it is a terminal
    #[arg(long)]
    token_stdin: bool,
    #[arg(long)]
    json: bool,
}

/// The keychain, unless `PARLANCE_KEYCHAIN=off`.
fn secret_store() -> Box<dyn SecretStore> {
    match std::env::var(KEYCHAIN_ENV) {
        Ok(value) if value.eq_ignore_ascii_case("off") => Box::new(NoKeychain),
        _ => Box::new(KeychainStore::new()),
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn now() -> Timestamp {
    Timestamp::new(time::OffsetDateTime::now_utc())
}

/// The token from standard input or a prompt; `None` when none was given
/// (the API then falls back to `PARLANCE_TOKEN_<SOURCE>`).
fn read_token(name: &str, from_stdin: bool) -> Result<Option<Token>, ApiError> {
    let io = |e: std::io::Error| ApiError::new(ErrorCode::Io, format!("reading the token: {e}"));
    let stdin = std::io::stdin();
    let text = if from_stdin || !stdin.is_terminal() {
        let mut text = String::new();
        stdin.lock().read_to_string(&mut text).map_err(io)?;
        text
    } else {
        rpassword::prompt_password(format!("Token for {name} (typing is hidden): ")).map_err(io)?
    };
    let token = text.lines().next().unwrap_or_default().trim().to_owned();
    Ok((!token.is_empty()).then(|| Token::new(token)))
}

pub fn run_sources(path: &Path, command: SourcesCommand) -> Result<(), ApiError> {
    let store = secret_store();
    let secrets = Secrets { store: store.as_ref(), env: &env };
    match command {
        SourcesCommand::Add(args) => {
            let token = read_token(&args.name, args.token_stdin)?;
            let new = NewSourceDto {
                name: args.name,
                kind: args.kind,
                base_url: args.base_url,
                shop: args.shop,
                list_id: args.list_id,
                subdomain: args.subdomain,
                email: args.email,
                api_version: args.api_version,
                revision: args.revision,
                page_size: args.page_size,
            };
            let parlance = Parlance::open(path)?;
            let info = parlance.add_source(&new, token, secrets, now())?;
            if args.json {
                return print_json(&info);
            }
            println!(
                "Added {} ({}, {}). Test it with `parlance sources test {}`, then run `parlance sync {}`.",
                info.name, info.kind, info.base_url, info.name, info.name
            );
            Ok(())
        }
        SourcesCommand::List { json } => {
            let sources = Parlance::open_existing(path)?.list_sources()?;
            if json {
                return print_json(&sources);
            }
            if sources.is_empty() {
                println!("No sources yet: add one with `parlance sources add NAME --kind KIND`.");
            }
            for s in &sources {
                let last = match &s.last_run {
                    Some(run) => format!(
                        "last run {} {} ({} new, {} changed){}",
                        run.started_at,
                        run.status,
                        format::count(run.inserted),
                        format::count(run.updated),
                        run.error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
                    ),
                    None => "never synced".to_owned(),
                };
                println!(
                    "{:<20} {:<10} {}\n{:<20} {} records, {last}",
                    s.name,
                    s.kind,
                    s.base_url,
                    "",
                    format::count(s.records)
                );
            }
            Ok(())
        }
        SourcesCommand::Test { name, json } => {
            let parlance = Parlance::open_existing(path)?;
            let result =
                parlance.test_source(&name, secrets, TimeSources::system(), &AtomicBool::new(false))?;
            if json {
                return print_json(&result);
            }
            println!("{}: ok — {}", result.source, result.account);
            Ok(())
        }
        SourcesCommand::Remove { name, yes, json } => {
            let parlance = Parlance::open_existing(path)?;
            if !yes {
                confirm_removal(&parlance, &name)?;
            }
            let removed = parlance.remove_source(&name, secrets)?;
            if json {
                return print_json(&removed);
            }
            println!(
                "Removed {}: {} landed records, {} stream states, {} runs; keychain entry {}.",
                removed.source,
                format::count(removed.landed_records),
                removed.streams,
                removed.runs,
                removed.keychain
            );
            Ok(())
        }
    }
}

fn confirm_removal(parlance: &Parlance, name: &str) -> Result<(), ApiError> {
    let source = parlance.list_sources()?.into_iter().find(|s| s.name == name);
    let Some(source) = source else {
        return Err(ApiError::new(ErrorCode::NotFound, format!("no source named {name}")));
    };
    if !std::io::stdin().is_terminal() {
        return Err(ApiError::invalid(format!(
            "removing {name} deletes its {} landed records: pass --yes to confirm",
            source.records
        )));
    }
    print!(
        "Remove {name} and its {} landed records, sync state and token? [y/N] ",
        format::count(source.records)
    );
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("reading the answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::Cancelled, format!("{name} was not removed")))
    }
}

/// The flag Ctrl-C sets; the sync stops after the page in hand.
static CANCEL: AtomicBool = AtomicBool::new(false);

pub fn run_sync(path: &Path, source: Option<String>, full: bool, json: bool) -> Result<(), ApiError> {
    let parlance = Parlance::open_existing(path)?;
    let store = secret_store();
    let secrets = Secrets { store: store.as_ref(), env: &env };
    // Cancelling is best effort: without a handler Ctrl-C still ends the
    // process, and every committed page stays.
    let _ = ctrlc::set_handler(|| CANCEL.store(true, Ordering::SeqCst));
    let bars = Bars::new();
    let today = time::OffsetDateTime::now_utc().date();
    let summary = parlance.sync_sources(
        source.as_deref(),
        full,
        secrets,
        TimeSources::system(),
        today,
        &mut |p| bars.update(&p),
        &CANCEL,
    );
    bars.finish();
    let summary = summary?;
    if json {
        print_json(&summary)?;
    } else {
        print_summary(&summary);
    }
    outcome(&summary)
}

fn print_summary(summary: &SyncSummaryDto) {
    if summary.sources.is_empty() {
        println!("No sources to sync: add one with `parlance sources add NAME --kind KIND`.");
    }
    for s in &summary.sources {
        match &s.error {
            Some(error) => println!("{}: failed — {error}", s.source),
            None => {
                println!("{}: {}", s.source, s.status);
                for stream in &s.streams {
                    println!(
                        "  {:<16} {} pages, {} records: {} new, {} changed, {} unchanged{}",
                        stream.stream,
                        stream.pages,
                        format::count(stream.records),
                        format::count(stream.inserted),
                        format::count(stream.updated),
                        format::count(stream.unchanged),
                        if stream.completed { "" } else { " (resumes next sync)" }
                    );
                }
            }
        }
    }
    if summary.cancelled {
        println!("Cancelled: everything fetched so far is kept, and the next sync resumes there.");
    } else {
        println!(
            "Unified {} records into profiles, {} quarantined ({:.1} s).",
            format::count(summary.unified),
            format::count(summary.quarantined),
            summary.seconds
        );
    }
}

/// Failure when the sync was cancelled or any source failed.
fn outcome(summary: &SyncSummaryDto) -> Result<(), ApiError> {
    if summary.cancelled {
        return Err(ApiError::new(ErrorCode::Cancelled, "sync cancelled"));
    }
    let failed: Vec<&str> = summary.sources.iter().filter_map(|s| s.error.as_deref()).collect();
    match failed.len() {
        0 => Ok(()),
        _ => Err(ApiError::new(ErrorCode::Source, failed.join("\n"))),
    }
}

/// One progress bar per stream (drawn only on a terminal).
struct Bars {
    multi: MultiProgress,
    bars: std::cell::RefCell<Vec<(String, ProgressBar)>>,
}

impl Bars {
    fn new() -> Self {
        Self { multi: MultiProgress::new(), bars: std::cell::RefCell::new(Vec::new()) }
    }

    fn bar(&self, key: &str, style: &str) -> ProgressBar {
        let mut bars = self.bars.borrow_mut();
        if let Some((_, bar)) = bars.iter().find(|(k, _)| k == key) {
            return bar.clone();
        }
        let style = ProgressStyle::with_template(style)
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .progress_chars("=> ");
        let bar = self.multi.add(ProgressBar::new_spinner().with_style(style).with_prefix(key.to_owned()));
        bar.enable_steady_tick(Duration::from_millis(120));
        bars.push((key.to_owned(), bar.clone()));
        bar
    }

    fn update(&self, p: &parlance_api::SyncProgressDto) {
        if p.phase == "unifying" {
            let bar = self.bar("unifying", "{spinner} {prefix:<28} [{bar:30}] {pos}/{len} records");
            bar.set_length(p.records_total.max(1));
            bar.set_position(p.records);
        } else {
            let bar = self.bar(&format!("{}/{}", p.source, p.stream), "{spinner} {prefix:<28} {msg}");
            bar.set_message(format!("{} pages · {} records", p.pages, format::count(p.records)));
        }
    }

    fn finish(&self) {
        for (_, bar) in self.bars.borrow().iter() {
            bar.finish_and_clear();
        }
    }
}
