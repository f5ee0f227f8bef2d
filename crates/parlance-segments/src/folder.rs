//! A vocabulary folder: definition files read and checked together.
//!
//! Every `*.parlance` file under the folder (sub-folders included, hidden
//! ones such as `.git` skipped) is parsed; each file is then checked against
//! the warehouse catalog plus the definitions of the *other* files (their
//! names, dependencies, deprecations, and the stage and tier names of a
//! `stages` or `value` block elsewhere), so references across files resolve
//! and cycles through several files are found.
//!
//! A definition is **good** when its region of the file — from the comment
//! lines directly above it to the next definition — has no error, and no
//! other file defines the same name (a conflict puts a diagnostic on both).
//! Only good definitions are published; a broken one keeps its last good
//! version. A definition's text is its region formatted canonically, so a
//! change of layout alone is not a new version.
//!
//! Nothing here writes; [`crate::store`] publishes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use parlance_vocabulary::{
    Catalog, Code, DefRef, Definition, DefinitionKind, Diagnostic, FieldType, LineIndex, Span, analyze,
    format_text, parse,
};

use crate::error::{Result, SegmentsError};

/// The extension of vocabulary files.
pub const EXTENSION: &str = "parlance";

/// One file of the folder.
#[derive(Clone, Debug)]
pub struct VocabularyFile {
    /// Its path inside the folder, `/`-separated.
    pub path: String,
    /// Its text (empty when unreadable).
    pub text: String,
    /// Problems found, syntax and checker, in order.
    pub diagnostics: Vec<Diagnostic>,
    /// Why it could not be read, when it could not.
    pub unreadable: Option<String>,
}

impl VocabularyFile {
    /// Whether any problem is an error (an unreadable file counts).
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.unreadable.is_some() || self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Each diagnostic as `path:line:col: severity[code] message (hint)`.
    #[must_use]
    pub fn rendered(&self) -> Vec<String> {
        if let Some(why) = &self.unreadable {
            return vec![format!("{}: error[unreadable] {why}", self.path)];
        }
        let index = LineIndex::new(&self.text);
        self.diagnostics.iter().map(|d| format!("{}:{}", self.path, d.render(&index))).collect()
    }
}

/// One definition found in the folder.
#[derive(Clone, Debug)]
pub struct FolderDefinition {
    /// Its kind.
    pub kind: DefinitionKind,
    /// Its name.
    pub name: String,
    /// The file it is in.
    pub file: String,
    /// The line its keyword is on (1-based).
    pub line: u32,
    /// Its canonical text (its region of the file, formatted); the region
    /// as written when it does not parse.
    pub text: String,
    /// Whether it can be published: no error in its region, no conflict.
    pub good: bool,
    /// Its deprecation note, if deprecated.
    pub deprecated: Option<String>,
    /// What it references.
    pub depends_on: Vec<DefRef>,
}

impl FolderDefinition {
    /// Its kind and name.
    #[must_use]
    pub fn def_ref(&self) -> DefRef {
        DefRef::new(self.kind, self.name.clone())
    }
}

/// A folder read and checked.
#[derive(Clone, Debug, Default)]
pub struct CheckedFolder {
    /// Every file, by path.
    pub files: Vec<VocabularyFile>,
    /// Every named definition, in file order.
    pub definitions: Vec<FolderDefinition>,
}

impl CheckedFolder {
    /// The file at `path`.
    #[must_use]
    pub fn file(&self, path: &str) -> Option<&VocabularyFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// Errors across all files.
    #[must_use]
    pub fn error_count(&self) -> usize {
        self.files
            .iter()
            .map(|f| {
                usize::from(f.unreadable.is_some()) + f.diagnostics.iter().filter(|d| d.is_error()).count()
            })
            .sum()
    }

    /// Warnings across all files.
    #[must_use]
    pub fn warning_count(&self) -> usize {
        self.files.iter().map(|f| f.diagnostics.iter().filter(|d| !d.is_error()).count()).sum()
    }
}

/// Reads every vocabulary file under `dir`: `(path inside the folder, text
/// or why it could not be read)`, sorted by path. A missing folder has no files.
///
/// # Errors
///
/// When the folder exists but cannot be listed.
pub fn read_folder(dir: &Path) -> Result<Vec<(String, Result<String, String>)>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut pending: Vec<PathBuf> = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| SegmentsError::Io { path: folder.clone(), detail: e.to_string() })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == EXTENSION) {
                let relative = path.strip_prefix(dir).unwrap_or(&path);
                let key = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let text = match std::fs::read(&path) {
                    Ok(bytes) => {
                        String::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".to_owned())
                    }
                    Err(e) => Err(e.to_string()),
                };
                out.push((key, text));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Reads and checks the folder `dir` against `base` (the warehouse catalog).
///
/// # Errors
///
/// When the folder cannot be listed.
pub fn check_folder(dir: &Path, base: &Catalog) -> Result<CheckedFolder> {
    Ok(check_files(read_folder(dir)?, base))
}

/// What one parsed file contributes to the others' catalogs.
struct Parsed {
    path: String,
    text: String,
    unreadable: Option<String>,
    file: parlance_vocabulary::SourceFile,
    syntax: Vec<Diagnostic>,
}

/// Checks files given as `(path, text or why unreadable)`.
#[must_use]
pub fn check_files(files: Vec<(String, Result<String, String>)>, base: &Catalog) -> CheckedFolder {
    let parsed: Vec<Parsed> = files
        .into_iter()
        .map(|(path, text)| {
            let (text, unreadable) = match text {
                Ok(t) => (t, None),
                Err(why) => (String::new(), Some(why)),
            };
            let p = parse(&text);
            Parsed { path, text, unreadable, file: p.file, syntax: p.diagnostics }
        })
        .collect();
    // Where each definition is, to find conflicts.
    let mut homes: BTreeMap<DefRef, Vec<(usize, Span)>> = BTreeMap::new();
    let mut blocks: BTreeMap<DefinitionKind, Vec<(usize, Span)>> = BTreeMap::new();
    for (fi, p) in parsed.iter().enumerate() {
        let graph = parlance_vocabulary::dependency_graph(&p.file);
        let _ = graph;
        for def in &p.file.definitions {
            let Some(name) = &def.name else { continue };
            homes.entry(DefRef::new(def.kind, name.name.clone())).or_default().push((fi, name.span));
            if def.kind.is_singleton() {
                blocks.entry(def.kind).or_default().push((fi, def.keyword));
            }
        }
    }
    let mut out = CheckedFolder::default();
    for (fi, p) in parsed.iter().enumerate() {
        let catalog = catalog_for(base, &parsed, fi);
        let mut diagnostics =
            if p.unreadable.is_some() { Vec::new() } else { analyze(&p.text, &catalog).diagnostics };
        // Conflicts with other files.
        for def in &p.file.definitions {
            let Some(name) = &def.name else { continue };
            let r = DefRef::new(def.kind, name.name.clone());
            let elsewhere: Vec<String> = homes
                .get(&r)
                .into_iter()
                .flatten()
                .filter(|(other, _)| *other != fi)
                .filter_map(|(other, span)| parsed.get(*other).map(|o| place(o, *span)))
                .collect();
            if !elsewhere.is_empty() {
                diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateDefinition,
                        name.span,
                        format!("{r} is also defined in {}", elsewhere.join(", ")),
                    )
                    .with_suggestion("keep one of them: neither is published while both exist"),
                );
            } else if def.kind.is_singleton() {
                let others: Vec<String> = blocks
                    .get(&def.kind)
                    .into_iter()
                    .flatten()
                    .filter(|(other, _)| *other != fi)
                    .filter_map(|(other, span)| parsed.get(*other).map(|o| place(o, *span)))
                    .collect();
                if !others.is_empty() {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::DuplicateBlock,
                            def.keyword,
                            format!(
                                "a vocabulary has one `{}` block; another is in {}",
                                def.kind,
                                others.join(", ")
                            ),
                        )
                        .with_suggestion("merge the blocks into one file"),
                    );
                }
            }
        }
        diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        let regions = regions(&p.text, &p.file.definitions);
        let graph = parlance_vocabulary::dependency_graph(&p.file);
        let index = LineIndex::new(&p.text);
        for (di, def) in p.file.definitions.iter().enumerate() {
            let Some(name) = &def.name else { continue };
            let Some(&(start, end)) = regions.get(di) else { continue };
            let region = p.text.get(start as usize..end as usize).unwrap_or("");
            let broken = p.unreadable.is_some()
                || diagnostics.iter().any(|d| {
                    d.is_error() && d.span.start >= start && (d.span.start < end || (di + 1 == regions.len()))
                })
                || (di == 0 && diagnostics.iter().any(|d| d.is_error() && d.span.start < start));
            let canonical = format_text(region).ok();
            out.definitions.push(FolderDefinition {
                kind: def.kind,
                name: name.name.clone(),
                file: p.path.clone(),
                line: index.line_col(def.keyword.start).line,
                good: !broken && canonical.is_some(),
                text: canonical.unwrap_or_else(|| region.to_owned()),
                deprecated: def.deprecated().map(ToOwned::to_owned),
                depends_on: graph.dependencies(di).into_iter().cloned().collect(),
            });
        }
        let _ = &p.syntax;
        out.files.push(VocabularyFile {
            path: p.path.clone(),
            text: p.text.clone(),
            diagnostics,
            unreadable: p.unreadable.clone(),
        });
    }
    out
}

/// `file:line:col` of a span in a parsed file.
fn place(p: &Parsed, span: Span) -> String {
    format!("{}:{}", p.path, LineIndex::new(&p.text).line_col(span.start))
}

/// The catalog file `fi` is checked against: the warehouse's plus the
/// definitions of every other file.
fn catalog_for(base: &Catalog, parsed: &[Parsed], fi: usize) -> Catalog {
    let mut catalog = base.clone();
    for (oi, other) in parsed.iter().enumerate() {
        if oi == fi {
            continue;
        }
        let graph = parlance_vocabulary::dependency_graph(&other.file);
        for (di, def) in other.file.definitions.iter().enumerate() {
            let Some(name) = &def.name else { continue };
            let r = DefRef::new(def.kind, name.name.clone());
            let deps: Vec<DefRef> = graph.dependencies(di).into_iter().cloned().collect();
            match def.kind {
                DefinitionKind::Segment | DefinitionKind::Score => {
                    catalog = catalog.definition(r.clone(), deps);
                    if let Some(note) = def.deprecated() {
                        catalog = catalog.deprecated(r, note);
                    }
                }
                DefinitionKind::Stages => {
                    let names: Vec<String> = def.stages().map(|s| s.name.name.clone()).collect();
                    catalog = catalog.field("stage", FieldType::Enum(names));
                    catalog = catalog.definition(DefRef::new(DefinitionKind::Stages, ""), deps);
                }
                DefinitionKind::Value => {
                    let tiers: Vec<String> = def.tiers().map(|t| t.name.name.clone()).collect();
                    if !tiers.is_empty() {
                        catalog = catalog.field("value.tier", FieldType::Enum(tiers));
                    }
                }
                DefinitionKind::Touchpoints => {}
            }
        }
    }
    catalog
}

/// Each definition's region: from the comment lines directly above its
/// keyword (no blank line between) to the next definition's region.
#[must_use]
pub fn regions(text: &str, definitions: &[Definition]) -> Vec<(u32, u32)> {
    let starts: Vec<u32> = definitions.iter().map(|d| leading_comments_start(text, d.span.start)).collect();
    let mut out = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len() as u32);
        out.push((start, end.max(start)));
    }
    out
}

fn leading_comments_start(text: &str, keyword: u32) -> u32 {
    let bytes = text.as_bytes();
    // Start of the keyword's line.
    let mut line_start = keyword as usize;
    while line_start > 0 && bytes.get(line_start - 1) != Some(&b'\n') {
        line_start -= 1;
    }
    if text.get(line_start..keyword as usize).is_some_and(|s| !s.trim().is_empty()) {
        return keyword; // something else on the line before the keyword
    }
    let mut start = line_start;
    while start > 0 {
        let prev_end = start - 1; // the '\n' ending the previous line
        let mut prev_start = prev_end;
        while prev_start > 0 && bytes.get(prev_start - 1) != Some(&b'\n') {
            prev_start -= 1;
        }
        let line = text.get(prev_start..prev_end).unwrap_or("");
        if line.trim_start().starts_with('#') {
            start = prev_start;
        } else {
            break;
        }
    }
    start as u32
}
