//! The connection definitions are evaluated on.
//!
//! A [`Sandbox`] is a read-only reader of the warehouse (`query_only`, from
//! [`Warehouse::reader`]) with three more guards, so that even a compiler bug
//! could not turn a definition into a write or a runaway query:
//!
//! - **an authorizer** that allows only `SELECT`, reading the tables of the
//!   unified and derived layers, and an allow-list of functions; writes,
//!   `ATTACH`, `PRAGMA`, schema changes, transactions and recursive queries
//!   are refused while the statement is prepared;
//! - **a time limit**: a progress handler interrupts a statement that runs
//!   longer than the limit ([`SegmentsError::TimedOut`]). It measures elapsed
//!   time with a monotonic clock — a watchdog, never an input to a result;
//! - **the functions the compiler needs**, registered as deterministic:
//!   `parlance_regexp(pattern, text)` (the `regex` crate, the engine the
//!   checker validates patterns with; compiled once per statement),
//!   `parlance_date(text)`, `parlance_date_add(date, months, days)`,
//!   `parlance_ts_add(timestamp, months, days)` (calendar arithmetic from
//!   `parlance_vocabulary::dates`) and `parlance_floor(x)`.

use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use parlance_vocabulary::dates::{self, CalendarSpan};
use parlance_vocabulary::{Query, SqlValue};
use parlance_warehouse::{Reader, Warehouse};
use rusqlite::functions::FunctionFlags;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Row};

use crate::error::{Result, SegmentsError};

/// How long one evaluation may run unless the caller says otherwise.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(30);

/// Tables a definition's query may read.
const READABLE: &[&str] = &[
    "profiles",
    "events",
    "traits",
    "orders",
    "support_contacts",
    "profile_value",
    "identifiers",
    "segment_membership",
    "definitions",
    "definition_versions",
    "profile_scores",
    "stage_history",
    "json_each",
];

/// Functions a definition's query may call.
const FUNCTIONS: &[&str] = &[
    "count",
    "total",
    "sum",
    "avg",
    "min",
    "max",
    "coalesce",
    "ifnull",
    "substr",
    "length",
    "instr",
    "abs",
    "json_extract",
    "json_type",
    "json_each",
    "parlance_regexp",
    "parlance_date",
    "parlance_date_add",
    "parlance_ts_add",
    "parlance_floor",
];

/// A guarded read-only connection; see the module docs.
pub struct Sandbox {
    reader: Reader,
    limit: Duration,
    deadline: Arc<Mutex<Option<Instant>>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("limit", &self.limit).finish_non_exhaustive()
    }
}

impl Deref for Sandbox {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.reader
    }
}

impl Sandbox {
    /// Opens a sandbox on `warehouse` whose statements may each run for `limit`.
    ///
    /// # Errors
    ///
    /// When the reader cannot be opened or set up.
    pub fn open(warehouse: &Warehouse, limit: Duration) -> Result<Self> {
        let reader = warehouse.reader()?;
        register_functions(&reader)?;
        reader.authorizer(Some(authorize));
        let deadline: Arc<Mutex<Option<Instant>>> = Arc::new(Mutex::new(None));
        let watched = Arc::clone(&deadline);
        reader.progress_handler(
            2_000,
            Some(move || {
                let due = watched.lock().ok().and_then(|d| *d);
                due.is_some_and(|due| Instant::now() >= due)
            }),
        );
        Ok(Self { reader, limit, deadline })
    }

    /// The time limit of each statement.
    #[must_use]
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// Runs `query`, calling `row` for each result row, within the time limit.
    ///
    /// # Errors
    ///
    /// [`SegmentsError::TimedOut`] past the limit; a SQLite error (a refused
    /// statement included) otherwise.
    pub fn run<T>(
        &self,
        what: &str,
        query: &Query,
        mut row: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        self.arm();
        let result = (|| {
            let mut stmt = self.reader.prepare(&query.sql)?;
            let params: Vec<Value> = query.params.iter().map(|p| to_value(&p.value)).collect();
            let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(row(r)?);
            }
            Ok(out)
        })();
        self.disarm();
        result.map_err(|e| self.classify(what, e))
    }

    /// Runs arbitrary SQL under the same guards (for tests of the guards).
    ///
    /// # Errors
    ///
    /// As [`Sandbox::run`].
    pub fn run_sql(&self, sql: &str) -> Result<Vec<Vec<Value>>> {
        self.arm();
        let result = (|| {
            let mut stmt = self.reader.prepare(sql)?;
            let n = stmt.column_count();
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let mut values = Vec::with_capacity(n);
                for i in 0..n {
                    values.push(r.get::<_, Value>(i)?);
                }
                out.push(values);
            }
            Ok(out)
        })();
        self.disarm();
        result.map_err(|e| self.classify("running SQL", e))
    }

    fn arm(&self) {
        if let Ok(mut d) = self.deadline.lock() {
            *d = Some(Instant::now() + self.limit);
        }
    }

    fn disarm(&self) {
        if let Ok(mut d) = self.deadline.lock() {
            *d = None;
        }
    }

    fn classify(&self, what: &str, e: rusqlite::Error) -> SegmentsError {
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) {
            return SegmentsError::TimedOut { limit: self.limit };
        }
        SegmentsError::Sqlite { what: what.to_owned(), source: e }
    }
}

/// A compiled parameter as a SQLite value.
#[must_use]
pub fn to_value(v: &SqlValue) -> Value {
    match v {
        SqlValue::Integer(n) => Value::Integer(*n),
        SqlValue::Real(x) => Value::Real(*x),
        SqlValue::Text(s) => Value::Text(s.clone()),
    }
}

fn authorize(ctx: AuthContext<'_>) -> Authorization {
    match ctx.action {
        AuthAction::Select => Authorization::Allow,
        AuthAction::Read { table_name, .. } if READABLE.contains(&table_name) => Authorization::Allow,
        AuthAction::Function { function_name }
            if FUNCTIONS.iter().any(|f| f.eq_ignore_ascii_case(function_name)) =>
        {
            Authorization::Allow
        }
        _ => Authorization::Deny,
    }
}

fn register_functions(conn: &Connection) -> Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let fail = SegmentsError::sqlite("registering SQL functions");
    (|| {
        conn.create_scalar_function("parlance_regexp", 2, flags, |ctx| {
            let re = ctx.get_or_create_aux(0, |pattern: ValueRef<'_>| {
                let pattern =
                    pattern.as_str().map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
                regex::RegexBuilder::new(pattern)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
            })?;
            Ok(match ctx.get_raw(1) {
                ValueRef::Text(bytes) => std::str::from_utf8(bytes).ok().map(|t| re.is_match(t)),
                _ => None,
            })
        })?;
        conn.create_scalar_function("parlance_date", 1, flags, |ctx| {
            Ok(text_arg(ctx.get_raw(0)).and_then(dates::parse_date_prefix).map(|d| d.to_string()))
        })?;
        conn.create_scalar_function("parlance_date_add", 3, flags, |ctx| {
            let span = CalendarSpan { months: ctx.get::<i64>(1)?, days: ctx.get::<i64>(2)? };
            Ok(text_arg(ctx.get_raw(0))
                .and_then(dates::parse_date_prefix)
                .map(|d| dates::add(d, span).to_string()))
        })?;
        conn.create_scalar_function("parlance_ts_add", 3, flags, |ctx| {
            let span = CalendarSpan { months: ctx.get::<i64>(1)?, days: ctx.get::<i64>(2)? };
            Ok(text_arg(ctx.get_raw(0)).and_then(|t| dates::add_to_timestamp(t, span)))
        })?;
        conn.create_scalar_function("parlance_floor", 1, flags, |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Integer(n) => Some(n as f64),
                ValueRef::Real(x) => Some(x.floor()),
                _ => None,
            })
        })?;
        Ok(())
    })()
    .map_err(fail)
}

fn text_arg(v: ValueRef<'_>) -> Option<&str> {
    match v {
        ValueRef::Text(bytes) => std::str::from_utf8(bytes).ok(),
        _ => None,
    }
}
