//! Renames and deprecations applied to the files of a vocabulary folder.
//!
//! Both edit the text in place (everything else stays as written) through
//! `parlance_vocabulary::edit`; publishing the result is a [`crate::store::sync`]
//! like any other change, so it gets versions with author and message.
//! A rename also renames the definition's row in the warehouse first, so its
//! history (and its memberships) carry over to the new name.

use std::path::Path;

use parlance_vocabulary::edit::{self, Edit};
use parlance_vocabulary::{DefinitionKind, parse};
use parlance_warehouse::{OptionalExtension, Warehouse, WarehouseError, params};

use crate::error::{Result, SegmentsError};
use crate::folder::read_folder;

/// Files changed by an edit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditedFiles {
    /// Paths inside the folder, with the number of edits in each.
    pub files: Vec<(String, usize)>,
}

fn write(dir: &Path, path: &str, text: &str) -> Result<()> {
    let full = dir.join(path);
    std::fs::write(&full, text).map_err(|e| SegmentsError::Io { path: full, detail: e.to_string() })
}

/// Renames `kind` `old` to `new` in every file of `dir` (the definition and
/// every reference), and the definition's warehouse row.
///
/// # Errors
///
/// [`SegmentsError::Invalid`] when `new` is not a valid name or already
/// taken, or a file mentioning `old` has syntax errors (fix them first: a
/// rename must not guess); [`SegmentsError::NotFound`] when no file defines
/// `old`; IO and warehouse errors.
pub fn rename(
    warehouse: &Warehouse,
    dir: &Path,
    kind: DefinitionKind,
    old: &str,
    new: &str,
) -> Result<EditedFiles> {
    if !edit::is_valid_name(new) {
        return Err(SegmentsError::Invalid(format!(
            "`{new}` cannot name a definition: use letters, digits and _"
        )));
    }
    let files = read_folder(dir)?;
    let mut plans: Vec<(String, String, Vec<Edit>)> = Vec::new();
    let mut defined = false;
    for (path, text) in files {
        let Ok(text) = text else { continue };
        let parsed = parse(&text);
        if parsed.file.definitions.iter().any(|d| d.kind == kind && d.name() == new) {
            return Err(SegmentsError::Invalid(format!("{kind} `{new}` already exists in {path}")));
        }
        if !text.contains(old) {
            continue;
        }
        if parsed.has_errors() {
            return Err(SegmentsError::Invalid(format!(
                "{path} has syntax errors; fix them before renaming, so no reference is missed"
            )));
        }
        defined |= parsed.file.definitions.iter().any(|d| d.kind == kind && d.name() == old);
        let edits = edit::rename(&parsed.file, kind, old, new);
        if !edits.is_empty() {
            plans.push((path, text, edits));
        }
    }
    if !defined {
        return Err(SegmentsError::NotFound(format!("no file defines {kind} `{old}`")));
    }
    warehouse.write(|tx| {
        let taken: Option<i64> = tx
            .query_row(
                "SELECT id FROM definitions WHERE kind = ?1 AND name = ?2",
                params![kind.keyword(), new],
                |r| r.get(0),
            )
            .optional()
            .map_err(|source| WarehouseError::Sqlite { context: "renaming".into(), source })?;
        if taken.is_none() {
            tx.execute(
                "UPDATE definitions SET name = ?3 WHERE kind = ?1 AND name = ?2",
                params![kind.keyword(), old, new],
            )
            .map_err(|source| WarehouseError::Sqlite { context: "renaming".into(), source })?;
        }
        Ok(())
    })?;
    let mut out = EditedFiles::default();
    for (path, text, edits) in plans {
        write(dir, &path, &edit::apply(&text, &edits))?;
        out.files.push((path, edits.len()));
    }
    Ok(out)
}

/// Marks `kind` `name` deprecated with `note` in its file (`None` removes
/// the mark).
///
/// # Errors
///
/// [`SegmentsError::NotFound`] when no file defines it; IO errors.
pub fn deprecate(dir: &Path, kind: DefinitionKind, name: &str, note: Option<&str>) -> Result<EditedFiles> {
    for (path, text) in read_folder(dir)? {
        let Ok(text) = text else { continue };
        let parsed = parse(&text);
        if !parsed.file.definitions.iter().any(|d| d.kind == kind && d.name() == name) {
            continue;
        }
        let mut out = EditedFiles::default();
        if let Some(e) = edit::deprecate(&text, &parsed.file, kind, name, note) {
            write(dir, &path, &edit::apply(&text, &[e]))?;
            out.files.push((path, 1));
        }
        return Ok(out);
    }
    Err(SegmentsError::NotFound(format!("no file defines {kind} `{name}`")))
}
