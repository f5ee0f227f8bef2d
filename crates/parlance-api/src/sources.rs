//! Sources: connecting channel tools (their tokens in the OS keychain),
//! listing, testing and removing them, and syncing them into the
//! warehouse — then unifying what landed and refreshing customer value.
//!
//! Tokens never pass through the warehouse: [`Parlance::add_source`] puts
//! the token in a [`SecretStore`] (the OS keychain) and registers only the
//! configuration; a sync reads the token back from the store or, when the
//! keychain is unavailable, from `PARLANCE_TOKEN_<SOURCE>` in the
//! environment ([`Secrets`]). Errors name the source and never the token.

use std::sync::atomic::{AtomicBool, Ordering};

use parlance_connectors::{
    FetchError, FetchProblem, KINDS, SecretError, SyncError, SyncOptions, SyncProgress, SyncReport,
    env_var_name, open_connector, resolve_token,
};
use parlance_warehouse::{OptionalExtension, RunStatus, SourceSpec, Timestamp, ensure_source};
use time::Date;

pub use parlance_connectors::{KeychainStore, MemoryStore, SecretStore, TimeSources, Token};

use crate::{
    ApiError, ConnectionTestDto, ErrorCode, NewSourceDto, Parlance, RunDto, SourceInfoDto, SourceRemovedDto,
    SourceSyncDto, StreamSyncDto, SyncProgressDto, SyncSummaryDto,
};

/// Where tokens come from: the keychain (or a stand-in), and the
/// environment that supplies `PARLANCE_TOKEN_<SOURCE>` when it cannot.
#[derive(Clone, Copy)]
pub struct Secrets<'a> {
    pub store: &'a dyn SecretStore,
    /// Looks up an environment variable (`|name| std::env::var(name).ok()`).
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

impl std::fmt::Debug for Secrets<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets").field("store", &self.store).finish_non_exhaustive()
    }
}

/// A keychain that is switched off (`PARLANCE_KEYCHAIN=off`): every token
/// comes from `PARLANCE_TOKEN_<SOURCE>`. For headless machines and tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoKeychain;

impl SecretStore for NoKeychain {
    fn get(&self, source_name: &str) -> Result<Option<Token>, SecretError> {
        Err(SecretError::KeychainUnavailable {
            source_name: source_name.to_owned(),
            detail: "switched off by PARLANCE_KEYCHAIN=off".into(),
            env_var: env_var_name(source_name),
        })
    }

    fn set(&self, source_name: &str, _: &Token) -> Result<(), SecretError> {
        self.get(source_name).map(|_| ())
    }

    fn delete(&self, source_name: &str) -> Result<(), SecretError> {
        self.get(source_name).map(|_| ())
    }
}

/// The environment variable that switches the OS keychain off.
pub const KEYCHAIN_ENV: &str = "PARLANCE_KEYCHAIN";

impl From<SecretError> for ApiError {
    fn from(e: SecretError) -> Self {
        ApiError::new(ErrorCode::Keychain, e.to_string())
    }
}

impl From<FetchError> for ApiError {
    fn from(e: FetchError) -> Self {
        let code = match &e.problem {
            FetchProblem::InvalidConfig(_) | FetchProblem::UnknownStream(_) => ErrorCode::InvalidInput,
            FetchProblem::Cancelled => ErrorCode::Cancelled,
            _ => ErrorCode::Source,
        };
        ApiError::new(code, e.to_string())
    }
}

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Fetch(fetch) => fetch.into(),
            SyncError::Warehouse { source, .. } => source.into(),
            other => ApiError::new(ErrorCode::Source, other.to_string()),
        }
    }
}

/// A source as registered: what a sync needs besides the token.
struct Registered {
    kind: String,
    config_json: String,
}

fn sql(what: &'static str) -> impl Fn(parlance_warehouse::SqliteError) -> ApiError {
    move |e| ApiError::new(ErrorCode::Internal, format!("{what}: {e}"))
}

fn check_name(name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "source name {name:?} must be 1–64 characters of a-z, 0-9, '-', '_' or '.', starting with a letter or digit"
        )))
    }
}

/// The stored configuration of a new source: only the settings given, so
/// each kind's defaults fill the rest and a setting the kind does not have
/// is refused by name.
fn config_of(new: &NewSourceDto) -> String {
    let mut config = serde_json::Map::new();
    let mut put = |key: &str, value: &Option<String>| {
        if let Some(value) = value {
            config.insert(key.to_owned(), serde_json::Value::from(value.clone()));
        }
    };
    put("base_url", &new.base_url);
    put("shop", &new.shop);
    put("list_id", &new.list_id);
    put("subdomain", &new.subdomain);
    put("email", &new.email);
    put("api_version", &new.api_version);
    put("revision", &new.revision);
    if let Some(size) = new.page_size {
        config.insert("page_size".into(), serde_json::Value::from(size));
    }
    serde_json::Value::Object(config).to_string()
}

/// Where a source's API lives, for people.
fn base_url_of(kind: &str, config: &serde_json::Value) -> String {
    if let Some(base) = config["base_url"].as_str() {
        return base.to_owned();
    }
    match kind {
        "shopify" => format!("https://{}.myshopify.com", config["shop"].as_str().unwrap_or("?")),
        "zendesk" => format!("https://{}.zendesk.com", config["subdomain"].as_str().unwrap_or("?")),
        "mailchimp" => "https://<dc>.api.mailchimp.com (the API key's data center)".to_owned(),
        _ => String::new(),
    }
}

fn status_text(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Succeeded => "succeeded",
        RunStatus::Failed => "failed",
        RunStatus::Cancelled => "cancelled",
    }
}

impl Parlance {
    /// Connects a channel tool: checks the name, kind and settings, keeps the
    /// token in the keychain and registers the source (its configuration
    /// only). When the keychain is unavailable, the source is registered only
    /// if `PARLANCE_TOKEN_<SOURCE>` is set (it is read at every sync);
    /// otherwise the error (`keychain`) names that variable.
    ///
    /// Errors: `invalid-input` for a bad name, an unknown kind, a setting
    /// the kind does not have, or a name already in use; `keychain`.
    pub fn add_source(
        &self,
        new: &NewSourceDto,
        token: Option<Token>,
        secrets: Secrets<'_>,
        now: Timestamp,
    ) -> Result<SourceInfoDto, ApiError> {
        check_name(&new.name)?;
        if !KINDS.contains(&new.kind.as_str()) {
            return Err(ApiError::invalid(format!(
                "unknown source kind {:?} (known: {})",
                new.kind,
                KINDS.join(", ")
            )));
        }
        if self.registered(&new.name)?.is_some() {
            return Err(ApiError::invalid(format!(
                "source {} already exists — remove it first or choose another name",
                new.name
            )));
        }
        let env_var = env_var_name(&new.name);
        let from_env = (secrets.env)(&env_var).filter(|t| !t.trim().is_empty()).map(Token::new);
        let token = token.filter(|t| !t.expose().trim().is_empty());
        let Some(check_token) = token.clone().or_else(|| from_env.clone()) else {
            return Err(ApiError::invalid(format!(
                "source {}: no token given (pass it on standard input, or set {env_var})",
                new.name
            )));
        };
        // Opening the connector validates the settings for the kind.
        let connector =
            open_connector(&new.kind, &new.name, &config_of(new), check_token, TimeSources::system())?;
        if let Some(token) = &token {
            match secrets.store.set(&new.name, token) {
                Ok(()) => {}
                Err(SecretError::KeychainUnavailable { .. }) if from_env.is_some() => {}
                Err(e) => return Err(e.into()),
            }
        }
        let config_json = connector.config_json();
        self.warehouse.write(|tx| {
            ensure_source(
                tx,
                &SourceSpec { name: &new.name, kind: &new.kind, config_json: &config_json },
                now,
            )
        })?;
        self.source_info(&new.name)
    }

    /// Every registered source with its kind, base URL and last run, by name.
    pub fn list_sources(&self) -> Result<Vec<SourceInfoDto>, ApiError> {
        let reader = self.warehouse.reader()?;
        let names: Vec<String> = {
            let mut statement =
                reader.prepare("SELECT name FROM sources ORDER BY name").map_err(sql("sources"))?;
            let rows = statement.query_map([], |r| r.get(0)).map_err(sql("sources"))?;
            rows.collect::<Result<_, _>>().map_err(sql("sources"))?
        };
        drop(reader);
        names.iter().map(|name| self.source_info(name)).collect()
    }

    /// Checks that a source's settings and token work, fetching as little as
    /// possible; names the account the token opens.
    ///
    /// Errors: `not-found`; `keychain` when no token can be had; `source`
    /// when the tool refuses (a rejected token names the source).
    pub fn test_source(
        &self,
        name: &str,
        secrets: Secrets<'_>,
        time: TimeSources,
        cancel: &AtomicBool,
    ) -> Result<ConnectionTestDto, ApiError> {
        let registered = self.connector_source(name)?;
        let token = resolve_token(secrets.store, name, secrets.env)?;
        let mut connector = open_connector(&registered.kind, name, &registered.config_json, token, time)?;
        let info = connector.test_connection(cancel)?;
        Ok(ConnectionTestDto { source: name.to_owned(), kind: registered.kind, account: info.account })
    }

    /// Removes a source: its registration, runs and stream state, every
    /// record it landed and the unified rows made from them, its traits and
    /// its own customer ids — and its token in the keychain.
    pub fn remove_source(&self, name: &str, secrets: Secrets<'_>) -> Result<SourceRemovedDto, ApiError> {
        let removed = self
            .warehouse
            .write(|tx| parlance_connectors::state::remove_source(tx, name))?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no source named {name}")))?;
        let keychain = match secrets.store.delete(name) {
            Ok(()) => "deleted",
            Err(SecretError::KeychainUnavailable { .. }) => "unavailable",
            Err(e) => return Err(e.into()),
        };
        Ok(SourceRemovedDto {
            source: name.to_owned(),
            landed_records: removed.landed_records,
            streams: removed.streams,
            runs: removed.runs,
            keychain: keychain.to_owned(),
        })
    }

    /// Syncs one source (or every connector source), then unifies what
    /// landed and refreshes customer value. Each page commits with its
    /// stream's cursor, so an interrupted sync resumes where it stopped;
    /// `full` starts every stream from the beginning.
    ///
    /// A source that fails is reported in its entry (the message names it)
    /// and the others still sync. Cancelling stops after the page in hand
    /// and skips unifying. Errors: `not-found` for an unknown source name.
    #[allow(clippy::too_many_arguments)]
    pub fn sync_sources(
        &self,
        source: Option<&str>,
        full: bool,
        secrets: Secrets<'_>,
        time: TimeSources,
        today: Date,
        on_progress: &mut dyn FnMut(SyncProgressDto),
        cancel: &AtomicBool,
    ) -> Result<SyncSummaryDto, ApiError> {
        let started = std::time::Instant::now();
        let names = match source {
            Some(name) => {
                self.connector_source(name)?;
                vec![name.to_owned()]
            }
            None => self
                .list_sources()?
                .into_iter()
                .filter(|s| KINDS.contains(&s.kind.as_str()))
                .map(|s| s.name)
                .collect(),
        };
        let mut summary = SyncSummaryDto {
            sources: Vec::new(),
            unified: 0,
            quarantined: 0,
            cancelled: false,
            seconds: 0.0,
        };
        for name in &names {
            if cancel.load(Ordering::Relaxed) {
                break;
            }
            let outcome = self.sync_one(name, full, secrets, time.clone(), on_progress, cancel);
            summary.sources.push(outcome);
        }
        summary.cancelled = cancel.load(Ordering::Relaxed);
        if !summary.cancelled {
            let now = time.clock.now();
            let unified = self.unify_with_progress(now, cancel, &mut |p| {
                on_progress(SyncProgressDto {
                    phase: "unifying".into(),
                    source: String::new(),
                    stream: String::new(),
                    pages: 0,
                    records: p.done,
                    records_total: p.total,
                })
            })?;
            summary.unified = unified.unified;
            summary.quarantined = unified.quarantined;
            self.refresh_value_after_import(today.previous_day().unwrap_or(today), now)?;
        }
        summary.seconds = started.elapsed().as_secs_f64();
        Ok(summary)
    }

    fn sync_one(
        &self,
        name: &str,
        full: bool,
        secrets: Secrets<'_>,
        time: TimeSources,
        on_progress: &mut dyn FnMut(SyncProgressDto),
        cancel: &AtomicBool,
    ) -> SourceSyncDto {
        let mut entry = SourceSyncDto {
            source: name.to_owned(),
            kind: String::new(),
            run_id: None,
            status: "failed".into(),
            streams: Vec::new(),
            error: None,
        };
        let result = (|| -> Result<SyncReport, ApiError> {
            let registered = self.connector_source(name)?;
            entry.kind = registered.kind.clone();
            let token = resolve_token(secrets.store, name, secrets.env)?;
            let clock = time.clock.clone();
            let mut connector = open_connector(&registered.kind, name, &registered.config_json, token, time)?;
            let options = SyncOptions { full, ..SyncOptions::default() };
            let mut forward = |p: &SyncProgress| {
                on_progress(SyncProgressDto {
                    phase: "syncing".into(),
                    source: name.to_owned(),
                    stream: p.stream.clone(),
                    pages: p.pages,
                    records: p.records,
                    records_total: 0,
                })
            };
            Ok(parlance_connectors::sync(
                &self.warehouse,
                name,
                connector.as_mut(),
                &options,
                &*clock,
                &mut forward,
                cancel,
            )?)
        })();
        match result {
            Ok(report) => {
                entry.run_id = Some(report.run_id);
                entry.status = status_text(report.status).to_owned();
                entry.streams = report
                    .streams
                    .iter()
                    .map(|s| StreamSyncDto {
                        stream: s.stream.clone(),
                        pages: s.landed.pages,
                        records: s.records,
                        inserted: s.landed.inserted,
                        updated: s.landed.updated,
                        unchanged: s.landed.unchanged,
                        completed: s.completed,
                    })
                    .collect();
            }
            Err(e) => entry.error = Some(e.message),
        }
        entry
    }

    fn registered(&self, name: &str) -> Result<Option<Registered>, ApiError> {
        let reader = self.warehouse.reader()?;
        reader
            .query_row("SELECT kind, config_json FROM sources WHERE name = ?1", [name], |r| {
                Ok(Registered { kind: r.get(0)?, config_json: r.get(1)? })
            })
            .optional()
            .map_err(sql("reading a source"))
    }

    /// A registered source whose kind is a connector (not the demo or a file).
    fn connector_source(&self, name: &str) -> Result<Registered, ApiError> {
        let registered = self
            .registered(name)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no source named {name}")))?;
        if !KINDS.contains(&registered.kind.as_str()) {
            return Err(ApiError::invalid(format!(
                "source {name} is a {} source, which is not synced from an API",
                registered.kind
            )));
        }
        Ok(registered)
    }

    fn source_info(&self, name: &str) -> Result<SourceInfoDto, ApiError> {
        let registered = self
            .registered(name)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no source named {name}")))?;
        let reader = self.warehouse.reader()?;
        let records: i64 = reader
            .query_row("SELECT count(*) FROM landing_records WHERE source = ?1", [name], |r| r.get(0))
            .map_err(sql("counting a source's records"))?;
        let last_run = reader
            .query_row(
                "SELECT id, started_at, finished_at, status, inserted, updated, unchanged, error
                 FROM sync_runs WHERE source = ?1 ORDER BY id DESC LIMIT 1",
                [name],
                |r| {
                    Ok(RunDto {
                        id: r.get(0)?,
                        source: name.to_owned(),
                        started_at: r.get(1)?,
                        finished_at: r.get(2)?,
                        status: r.get(3)?,
                        inserted: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
                        updated: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
                        unchanged: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
                        error: r.get(7)?,
                    })
                },
            )
            .optional()
            .map_err(sql("reading a source's last run"))?;
        let config: serde_json::Value = serde_json::from_str(&registered.config_json).unwrap_or_default();
        Ok(SourceInfoDto {
            name: name.to_owned(),
            base_url: base_url_of(&registered.kind, &config),
            kind: registered.kind,
            config_json: registered.config_json,
            token_env_var: env_var_name(name),
            records: u64::try_from(records).unwrap_or(0),
            last_run,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_given_settings_are_stored() {
        let new = NewSourceDto {
            name: "crm".into(),
            kind: "hubspot".into(),
            base_url: Some("http://127.0.0.1:9".into()),
            page_size: Some(50),
            ..NewSourceDto::default()
        };
        assert_eq!(config_of(&new), r#"{"base_url":"http://127.0.0.1:9","page_size":50}"#);
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("shopify-main").is_ok());
        assert!(check_name("Shop Main").is_err());
        assert!(check_name("-x").is_err());
        assert!(check_name("").is_err());
    }
}
