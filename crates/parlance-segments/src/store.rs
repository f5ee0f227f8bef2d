//! The definitions in the warehouse, with their full history.
//!
//! `definitions` holds one row per (kind, name) ever published — its file,
//! whether it is deprecated, and `removed_at` once it left the vocabulary;
//! `definition_versions` holds every published text with its author, time
//! and message. [`sync`] publishes a checked folder:
//!
//! - a good definition whose canonical text differs from its latest version
//!   gets a new version (the first one creates the definition); the same
//!   text is not a new version, whatever the layout of the file;
//! - a broken definition changes nothing: its last good version stays the
//!   published one (the report lists it as kept);
//! - a definition no file defines any more is removed — unless the file it
//!   was last read from is still there with errors, since a broken file may
//!   only *look* as if it lost a definition.
//!
//! The published vocabulary ([`published`]) is the latest version of every
//! definition not removed; [`published_program`] joins their texts into one
//! [`Program`] that the compiler evaluates.

use std::collections::BTreeSet;

use parlance_vocabulary::{Catalog, DefRef, DefinitionKind, Program};
use parlance_warehouse::{Connection, OptionalExtension, Timestamp, Warehouse, WarehouseError, params};

use crate::error::{Context, Result, SegmentsError};
use crate::folder::{CheckedFolder, FolderDefinition};

/// A published definition: the latest version of one not removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// `definitions.id`.
    pub id: i64,
    /// Its kind.
    pub kind: DefinitionKind,
    /// Its name.
    pub name: String,
    /// The file it was last read from.
    pub file: Option<String>,
    /// Whether it is deprecated.
    pub deprecated: bool,
    /// Its latest version number (1, 2, …).
    pub version: i64,
    /// `definition_versions.id` of that version.
    pub version_id: i64,
    /// The text of that version.
    pub text: String,
    /// Who published it.
    pub author: String,
    /// When (RFC 3339).
    pub created_at: String,
}

impl Published {
    /// Its kind and name.
    #[must_use]
    pub fn def_ref(&self) -> DefRef {
        DefRef::new(self.kind, self.name.clone())
    }
}

/// One version of a definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// 1, 2, …
    pub version: i64,
    /// `definition_versions.id`.
    pub id: i64,
    /// Who published it.
    pub author: String,
    /// Why.
    pub message: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// The text.
    pub text: String,
}

/// What a [`sync`] did.
#[derive(Clone, Debug, Default)]
pub struct SyncReport {
    /// Definitions published for the first time.
    pub created: Vec<DefRef>,
    /// Definitions with a new version.
    pub updated: Vec<DefRef>,
    /// Good definitions whose text was already the latest version.
    pub unchanged: Vec<DefRef>,
    /// Broken definitions whose last good version stays published.
    pub kept: Vec<DefRef>,
    /// Broken definitions never published.
    pub rejected: Vec<DefRef>,
    /// Definitions no file defines any more.
    pub removed: Vec<DefRef>,
}

impl SyncReport {
    /// Whether anything published changed.
    #[must_use]
    pub fn changed(&self) -> bool {
        !(self.created.is_empty() && self.updated.is_empty() && self.removed.is_empty())
    }
}

/// Who publishes, when and why.
#[derive(Clone, Copy, Debug)]
pub struct Publication<'a> {
    /// Recorded as the version's author.
    pub author: &'a str,
    /// Recorded as the version's message.
    pub message: &'a str,
    /// Recorded as the version's time.
    pub now: Timestamp,
}

fn kind_of(text: &str) -> Option<DefinitionKind> {
    DefinitionKind::from_keyword(text)
}

fn wh(what: &'static str) -> impl FnOnce(rusqlite::Error) -> WarehouseError {
    move |source| WarehouseError::Sqlite { context: what.to_owned(), source }
}

/// Publishes the good definitions of a checked folder (see the module docs).
///
/// # Errors
///
/// When the warehouse cannot be written.
pub fn sync(warehouse: &Warehouse, folder: &CheckedFolder, by: Publication<'_>) -> Result<SyncReport> {
    let report = warehouse.write(|tx| {
        let mut report = SyncReport::default();
        let now = by.now.to_string();
        let mut present: BTreeSet<DefRef> = BTreeSet::new();
        for def in &folder.definitions {
            present.insert(def.def_ref());
            if def.good {
                publish_one(tx, def, &by, &now, &mut report)?;
            } else {
                let has_version: bool = tx
                    .query_row(
                        "SELECT EXISTS (SELECT 1 FROM definitions d JOIN definition_versions v ON v.definition_id = d.id
                         WHERE d.kind = ?1 AND d.name = ?2 AND d.removed_at IS NULL)",
                        params![def.kind.keyword(), def.name],
                        |r| r.get(0),
                    )
                    .map_err(wh("looking up a definition"))?;
                if has_version { report.kept.push(def.def_ref()) } else { report.rejected.push(def.def_ref()) }
            }
        }
        // Removal.
        let mut stmt = tx
            .prepare("SELECT id, kind, name, file FROM definitions WHERE removed_at IS NULL")
            .map_err(wh("listing definitions"))?;
        let active: Vec<(i64, String, String, Option<String>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .map_err(wh("listing definitions"))?
            .collect::<rusqlite::Result<_>>()
            .map_err(wh("listing definitions"))?;
        drop(stmt);
        for (id, kind, name, file) in active {
            let Some(kind) = kind_of(&kind) else { continue };
            let r = DefRef::new(kind, name);
            if present.contains(&r) {
                continue;
            }
            let file_broken = file.as_deref().and_then(|f| folder.file(f)).is_some_and(|f| f.has_errors());
            if file_broken {
                report.kept.push(r);
                continue;
            }
            tx.execute("UPDATE definitions SET removed_at = ?2 WHERE id = ?1", params![id, now])
                .map_err(wh("removing a definition"))?;
            report.removed.push(r);
        }
        Ok(report)
    })?;
    Ok(report)
}

fn publish_one(
    tx: &Connection,
    def: &FolderDefinition,
    by: &Publication<'_>,
    now: &str,
    report: &mut SyncReport,
) -> std::result::Result<(), WarehouseError> {
    let kind = def.kind.keyword();
    let existing: Option<i64> = tx
        .query_row("SELECT id FROM definitions WHERE kind = ?1 AND name = ?2", params![kind, def.name], |r| {
            r.get(0)
        })
        .optional()
        .map_err(wh("looking up a definition"))?;
    let id = match existing {
        Some(id) => id,
        None => tx
            .query_row(
                "INSERT INTO definitions(kind, name, deprecated, file) VALUES (?1, ?2, 0, ?3) RETURNING id",
                params![kind, def.name, def.file],
                |r| r.get(0),
            )
            .map_err(wh("creating a definition"))?,
    };
    let latest: Option<(i64, String)> = tx
        .query_row(
            "SELECT version, source_text FROM definition_versions WHERE definition_id = ?1 ORDER BY version DESC LIMIT 1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(wh("reading the latest version"))?;
    let was_removed: bool = tx
        .query_row("SELECT removed_at IS NOT NULL FROM definitions WHERE id = ?1", [id], |r| r.get(0))
        .map_err(wh("reading a definition"))?;
    match &latest {
        Some((_, text)) if *text == def.text && !was_removed => report.unchanged.push(def.def_ref()),
        Some((_, text)) if *text == def.text => report.created.push(def.def_ref()),
        _ => {
            let version = latest.as_ref().map_or(1, |(v, _)| v + 1);
            tx.execute(
                "INSERT INTO definition_versions(definition_id, version, source_text, author, message, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, version, def.text, by.author, by.message, now],
            )
            .map_err(wh("recording a version"))?;
            if latest.is_some() && !was_removed {
                report.updated.push(def.def_ref());
            } else {
                report.created.push(def.def_ref());
            }
        }
    }
    tx.execute(
        "UPDATE definitions SET file = ?2, deprecated = ?3, removed_at = NULL WHERE id = ?1",
        params![id, def.file, def.deprecated.is_some()],
    )
    .map_err(wh("updating a definition"))?;
    Ok(())
}

/// The published vocabulary: the latest version of every definition not
/// removed, by kind then name.
///
/// # Errors
///
/// When a query fails.
pub fn published(conn: &Connection) -> Result<Vec<Published>> {
    let mut stmt = conn
        .prepare(
            "SELECT d.id, d.kind, d.name, d.file, d.deprecated, v.version, v.id, v.source_text, v.author, v.created_at
             FROM definitions d JOIN definition_versions v ON v.definition_id = d.id
             WHERE d.removed_at IS NULL
               AND v.version = (SELECT max(version) FROM definition_versions WHERE definition_id = d.id)
             ORDER BY d.kind, d.name",
        )
        .ctx("reading the published vocabulary")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
            ))
        })
        .ctx("reading the published vocabulary")?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, name, file, deprecated, version, version_id, text, author, created_at) =
            row.ctx("reading the published vocabulary")?;
        let Some(kind) = kind_of(&kind) else { continue };
        out.push(Published {
            id,
            kind,
            name,
            file,
            deprecated,
            version,
            version_id,
            text,
            author,
            created_at,
        });
    }
    out.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    Ok(out)
}

/// The published vocabulary as one program, checked against `base`.
///
/// # Errors
///
/// When a query fails.
pub fn published_program(conn: &Connection, base: &Catalog) -> Result<(Program, Vec<Published>)> {
    let defs = published(conn)?;
    Ok((program_of(&defs, base), defs))
}

/// The texts of `defs` joined into one program.
#[must_use]
pub fn program_of(defs: &[Published], base: &Catalog) -> Program {
    let text: Vec<&str> = defs.iter().map(|d| d.text.as_str()).collect();
    Program::new(text.join("\n"), base)
}

/// Finds a published definition by name, and kind when given.
///
/// # Errors
///
/// [`SegmentsError::NotFound`] when there is none; [`SegmentsError::Invalid`]
/// when the name is ambiguous across kinds and no kind was given.
pub fn find<'a>(defs: &'a [Published], kind: Option<DefinitionKind>, name: &str) -> Result<&'a Published> {
    let matches: Vec<&Published> =
        defs.iter().filter(|d| d.name == name && kind.is_none_or(|k| d.kind == k)).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(SegmentsError::NotFound(match kind {
            Some(k) => format!("there is no published {k} `{name}`"),
            None => format!("there is no published definition `{name}`"),
        })),
        many => Err(SegmentsError::Invalid(format!(
            "`{name}` names a {}; say which kind",
            many.iter().map(|d| d.kind.keyword()).collect::<Vec<_>>().join(" and a ")
        ))),
    }
}

/// Every version of a definition, oldest first.
///
/// # Errors
///
/// [`SegmentsError::NotFound`] when it was never published.
pub fn history(conn: &Connection, kind: DefinitionKind, name: &str) -> Result<Vec<Version>> {
    let mut stmt = conn
        .prepare(
            "SELECT v.version, v.id, v.author, v.message, v.created_at, v.source_text
             FROM definitions d JOIN definition_versions v ON v.definition_id = d.id
             WHERE d.kind = ?1 AND d.name = ?2 ORDER BY v.version",
        )
        .ctx("reading history")?;
    let versions: Vec<Version> = stmt
        .query_map(params![kind.keyword(), name], |r| {
            Ok(Version {
                version: r.get(0)?,
                id: r.get(1)?,
                author: r.get(2)?,
                message: r.get(3)?,
                created_at: r.get(4)?,
                text: r.get(5)?,
            })
        })
        .ctx("reading history")?
        .collect::<rusqlite::Result<_>>()
        .ctx("reading history")?;
    if versions.is_empty() {
        return Err(SegmentsError::NotFound(format!("{kind} `{name}` was never published")));
    }
    Ok(versions)
}

/// A unified diff between two versions of a definition (`from` defaults to
/// the one before `to`, `to` to the latest).
///
/// # Errors
///
/// When the definition or a version does not exist.
pub fn diff(
    conn: &Connection,
    kind: DefinitionKind,
    name: &str,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<String> {
    let versions = history(conn, kind, name)?;
    let latest = versions.last().map_or(1, |v| v.version);
    let to = to.unwrap_or(latest);
    let from = from.unwrap_or(to - 1);
    let get = |n: i64| -> Result<&Version> {
        versions.iter().find(|v| v.version == n).ok_or_else(|| {
            SegmentsError::NotFound(format!("{kind} `{name}` has no version {n} (latest is {latest})"))
        })
    };
    let empty = Version {
        version: 0,
        id: 0,
        author: String::new(),
        message: String::new(),
        created_at: String::new(),
        text: String::new(),
    };
    let a = if from == 0 { &empty } else { get(from)? };
    let b = get(to)?;
    Ok(unified_diff(&a.text, &b.text, &format!("{name}@v{from}"), &format!("{name}@v{to}")))
}

/// A unified diff of two texts, with three lines of context.
#[must_use]
pub fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}
