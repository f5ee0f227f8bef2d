use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

use crate::error::SqlContext;
use crate::{WarehouseError, WarehouseResult};

/// `PRAGMA application_id` of every Parlance warehouse: "PLNC".
pub const APPLICATION_ID: i32 = 0x504C_4E43;

/// Append-only: add new files at the end, never edit a released one.
const MIGRATION_FILES: &[&str] = &[include_str!("../migrations/0001_init.sql")];

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATION_FILES.len() as i64;

static MIGRATIONS: LazyLock<Migrations<'static>> =
    LazyLock::new(|| Migrations::new(MIGRATION_FILES.iter().map(|sql| M::up(sql)).collect()));

const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An open warehouse: the single writer plus a factory for read-only readers.
#[derive(Debug)]
pub struct Warehouse {
    path: PathBuf,
    writer: Mutex<Connection>,
}

/// A read-only connection. Many may be open while the writer works.
#[derive(Debug)]
pub struct Reader {
    conn: Connection,
}

impl Deref for Reader {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl Warehouse {
    /// Opens the warehouse at `path`, creating and initialising it when the
    /// file does not exist (or is empty), and migrating an older schema.
    pub fn open(path: &Path) -> WarehouseResult<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| unopenable(path, e))?;
        configure(&conn, path)?;
        let found = check_identity(&conn, path)?;
        if found == 0 {
            conn.pragma_update(None, "application_id", APPLICATION_ID).map_err(|e| classify(path, e))?;
        }
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| classify(path, e))?;
        MIGRATIONS.to_latest(&mut conn).map_err(|e| WarehouseError::Migration(e.to_string()))?;
        Ok(Self { path: path.to_owned(), writer: Mutex::new(conn) })
    }

    /// Like [`Warehouse::open`], but a missing file is an error instead of a
    /// new warehouse: for commands that only report.
    pub fn open_existing(path: &Path) -> WarehouseResult<Self> {
        if !path.exists() {
            return Err(WarehouseError::Unopenable {
                path: path.to_owned(),
                detail: "no such file (run `parlance demo` or a sync to create one)".into(),
            });
        }
        Self::open(path)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` inside one IMMEDIATE transaction on the single writer and
    /// commits it; an error rolls everything back.
    pub fn write<T>(&self, work: impl FnOnce(&Transaction<'_>) -> WarehouseResult<T>) -> WarehouseResult<T> {
        let mut conn = self.writer.lock().map_err(|_| WarehouseError::Invalid {
            what: "writer".into(),
            detail: "an earlier write panicked; reopen the warehouse".into(),
        })?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("starting a write transaction")?;
        let value = work(&tx)?;
        tx.commit().context("committing a write transaction")?;
        Ok(value)
    }

    /// A new read-only connection; it never blocks on, or blocks, the writer.
    pub fn reader(&self) -> WarehouseResult<Reader> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(|e| unopenable(&self.path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT).context("setting busy timeout")?;
        conn.pragma_update(None, "query_only", true).context("making reader query-only")?;
        Ok(Reader { conn })
    }

    /// `PRAGMA integrity_check` plus foreign-key check: empty when healthy,
    /// otherwise one line per problem.
    pub fn integrity_check(&self) -> WarehouseResult<Vec<String>> {
        let reader = self.reader()?;
        let mut problems = Vec::new();
        let mut stmt = reader.prepare("PRAGMA integrity_check").context("integrity check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).context("integrity check")?;
        for row in rows {
            let line = row.context("integrity check")?;
            if line != "ok" {
                problems.push(line);
            }
        }
        let mut fk = reader.prepare("PRAGMA foreign_key_check").context("foreign key check")?;
        let rows = fk
            .query_map([], |r| Ok(format!("foreign key violation in {}", r.get::<_, String>(0)?)))
            .context("foreign key check")?;
        for row in rows {
            problems.push(row.context("foreign key check")?);
        }
        Ok(problems)
    }

    /// The schema version stored in the file.
    pub fn schema_version(&self) -> WarehouseResult<i64> {
        let reader = self.reader()?;
        reader.query_row("PRAGMA user_version", [], |r| r.get(0)).context("reading schema version")
    }
}

fn configure(conn: &Connection, path: &Path) -> WarehouseResult<()> {
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| classify(path, e))?;
    conn.pragma_update(None, "foreign_keys", true).map_err(|e| classify(path, e))?;
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(|e| classify(path, e))?;
    // 512 MiB of page cache (allocated only as used): landing keeps a large unique index hot.
    conn.pragma_update(None, "cache_size", -524_288).map_err(|e| classify(path, e))?;
    Ok(())
}

/// Returns the file's schema version (0 for a brand-new file) after checking
/// that the file is a Parlance warehouse this build can open.
fn check_identity(conn: &Connection, path: &Path) -> WarehouseResult<i64> {
    let app_id: i32 =
        conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(|e| classify(path, e))?;
    let version: i64 =
        conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| classify(path, e))?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(|e| classify(path, e))?;
    if app_id == 0 && version == 0 && tables == 0 {
        return Ok(0);
    }
    if app_id != APPLICATION_ID {
        return Err(WarehouseError::NotAWarehouse {
            path: path.to_owned(),
            detail: format!("an SQLite database of another application, with {tables} schema objects"),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(WarehouseError::SchemaTooNew {
            path: path.to_owned(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(version)
}

fn classify(path: &Path, e: rusqlite::Error) -> WarehouseError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => WarehouseError::NotAWarehouse {
            path: path.to_owned(),
            detail: "the file is not an SQLite database".into(),
        },
        Some(ErrorCode::DatabaseCorrupt) => {
            WarehouseError::Corrupt { path: path.to_owned(), detail: e.to_string() }
        }
        _ => unopenable(path, e),
    }
}

fn unopenable(path: &Path, e: rusqlite::Error) -> WarehouseError {
    WarehouseError::Unopenable { path: path.to_owned(), detail: e.to_string() }
}
