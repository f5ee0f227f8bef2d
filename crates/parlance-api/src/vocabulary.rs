//! The shared vocabulary: check, format, publish and browse definitions.
//!
//! Definitions are edited as files in a vocabulary folder (by default
//! `vocabulary/` beside the warehouse in the data directory, or any folder,
//! e.g. a team's git repository) and published into the warehouse with
//! their history. See `parlance-segments` for the design.

use std::path::{Path, PathBuf};

use parlance_segments::folder::{CheckedFolder, VocabularyFile, check_files, check_folder, read_folder};
use parlance_segments::store::{self, Publication, Published};
use parlance_segments::{Sandbox, SegmentsError, starter, warehouse_catalog};
use parlance_vocabulary::{Catalog, DefinitionKind, LineIndex, Severity, parse};
use parlance_warehouse::Timestamp;
use time::Date;

use crate::{
    ApiError, CompletionEventDto, CompletionFieldDto, CompletionsDto, DefinitionDto, DefinitionSummaryDto,
    DiagnosticDto, DiffDto, DraftCountDto, ErrorCode, FormatReportDto, Parlance, VersionDto,
    VocabularyCheckDto, VocabularyEntriesDto, VocabularyEntryDto, VocabularyFileDto, VocabularySaveDto,
    VocabularySyncDto,
};

/// Environment variable that overrides the default vocabulary folder.
pub const VOCABULARY_ENV: &str = "PARLANCE_VOCABULARY";

/// `$PARLANCE_VOCABULARY`, else `vocabulary/` in the OS data directory
/// (beside the default warehouse).
pub fn default_vocabulary_dir() -> Result<PathBuf, ApiError> {
    if let Some(path) = std::env::var_os(VOCABULARY_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    directories::ProjectDirs::from("dev", "Parlance", "Parlance")
        .map(|dirs| dirs.data_dir().join("vocabulary"))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!(
                    "no home directory to keep the vocabulary in; set {VOCABULARY_ENV} or pass --vocabulary"
                ),
            )
        })
}

impl From<SegmentsError> for ApiError {
    fn from(e: SegmentsError) -> Self {
        let code = match &e {
            SegmentsError::Warehouse(_) => {
                return match e {
                    SegmentsError::Warehouse(w) => w.into(),
                    other => ApiError::new(ErrorCode::Internal, other.to_string()),
                };
            }
            SegmentsError::NotFound(_) => ErrorCode::NotFound,
            SegmentsError::Invalid(_) | SegmentsError::Compile { .. } => ErrorCode::InvalidInput,
            // Stopped by the evaluation time limit.
            SegmentsError::TimedOut { .. } => ErrorCode::Cancelled,
            SegmentsError::Io { .. } => ErrorCode::Io,
            SegmentsError::Sqlite { .. } => ErrorCode::Internal,
        };
        ApiError::new(code, e.to_string())
    }
}

/// A definition kind by keyword (`segment`, `score`, …).
pub(crate) fn parse_kind(kind: Option<&str>) -> Result<Option<DefinitionKind>, ApiError> {
    kind.map(|k| {
        DefinitionKind::from_keyword(k).ok_or_else(|| {
            ApiError::invalid(format!("unknown kind {k:?}: use segment, score, stages, value or touchpoints"))
        })
    })
    .transpose()
}

pub(crate) fn diagnostics_of(file: &VocabularyFile) -> Vec<DiagnosticDto> {
    if let Some(why) = &file.unreadable {
        return vec![DiagnosticDto {
            file: file.path.clone(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            severity: "error".into(),
            code: "unreadable".into(),
            message: why.clone(),
            suggestion: None,
        }];
    }
    let index = LineIndex::new(&file.text);
    file.diagnostics
        .iter()
        .map(|d| {
            let (a, b) = (index.line_col(d.span.start), index.line_col(d.span.end));
            DiagnosticDto {
                file: file.path.clone(),
                line: a.line,
                column: a.col,
                end_line: b.line,
                end_column: b.col,
                severity: if d.severity == Severity::Error { "error" } else { "warning" }.into(),
                code: d.code.as_str().into(),
                message: d.message.clone(),
                suggestion: d.suggestion.clone(),
            }
        })
        .collect()
}

fn summary_from_text(
    kind: DefinitionKind,
    name: &str,
    text: &str,
    file: Option<String>,
    version: Option<i64>,
    good: bool,
) -> DefinitionSummaryDto {
    let parsed = parse(text);
    let def = parsed.file.definitions.iter().find(|d| d.kind == kind && d.name() == name);
    DefinitionSummaryDto {
        kind: kind.keyword().into(),
        name: name.into(),
        title: def.and_then(|d| d.title.as_ref().map(|t| t.value.clone())),
        owner: def.and_then(|d| d.owner().map(ToOwned::to_owned)),
        description: def.and_then(|d| d.description().map(ToOwned::to_owned)),
        tags: def.map(|d| d.tags().into_iter().map(ToOwned::to_owned).collect()).unwrap_or_default(),
        file,
        version,
        deprecated: def.and_then(|d| d.deprecated().map(ToOwned::to_owned)),
        good,
        members: None,
    }
}

fn check_dto(dir: &Path, checked: &CheckedFolder) -> VocabularyCheckDto {
    let diagnostics: Vec<DiagnosticDto> = checked.files.iter().flat_map(diagnostics_of).collect();
    VocabularyCheckDto {
        folder: dir.display().to_string(),
        files: checked.files.iter().map(|f| f.path.clone()).collect(),
        definitions: checked
            .definitions
            .iter()
            .map(|d| summary_from_text(d.kind, &d.name, &d.text, Some(d.file.clone()), None, d.good))
            .collect(),
        errors: diagnostics.iter().filter(|d| d.severity == "error").count() as u32,
        warnings: diagnostics.iter().filter(|d| d.severity == "warning").count() as u32,
        diagnostics,
    }
}

/// `vocab fmt`: rewrites every file of `dir` in the canonical layout (with
/// `check`, only reports which would change). Files with syntax errors are
/// left alone and their diagnostics returned.
pub fn format_vocabulary(dir: &Path, check: bool) -> Result<FormatReportDto, ApiError> {
    let mut report = FormatReportDto { changed: Vec::new(), skipped: Vec::new(), diagnostics: Vec::new() };
    for (path, text) in read_folder(dir)? {
        let text = match text {
            Ok(t) => t,
            Err(why) => {
                report.skipped.push(path.clone());
                report.diagnostics.extend(diagnostics_of(&VocabularyFile {
                    path,
                    text: String::new(),
                    diagnostics: Vec::new(),
                    unreadable: Some(why),
                }));
                continue;
            }
        };
        match parlance_vocabulary::format_text(&text) {
            Ok(formatted) => {
                if formatted != text {
                    if !check {
                        let full = dir.join(&path);
                        std::fs::write(&full, &formatted)
                            .map_err(|e| ApiError::new(ErrorCode::Io, format!("{}: {e}", full.display())))?;
                    }
                    report.changed.push(path);
                }
            }
            Err(diagnostics) => {
                report.diagnostics.extend(diagnostics_of(&VocabularyFile {
                    path: path.clone(),
                    text,
                    diagnostics,
                    unreadable: None,
                }));
                report.skipped.push(path);
            }
        }
    }
    Ok(report)
}

impl Parlance {
    /// The warehouse's field catalog, read on a sandboxed reader.
    pub(crate) fn catalog(&self) -> Result<(Sandbox, Catalog), ApiError> {
        let sandbox = Sandbox::open(&self.warehouse, parlance_segments::DEFAULT_TIME_LIMIT)?;
        let catalog = warehouse_catalog(&sandbox)?;
        Ok((sandbox, catalog))
    }

    /// `vocab check`: checks every file of the folder `dir` against the
    /// warehouse's catalog and each other. Nothing is written.
    pub fn vocabulary_check(&self, dir: &Path) -> Result<VocabularyCheckDto, ApiError> {
        let (_, catalog) = self.catalog()?;
        Ok(check_dto(dir, &check_folder(dir, &catalog)?))
    }

    /// The editor's check of one unsaved file: `text` as the file `file` of
    /// the folder `dir`, checked with the folder's other files.
    pub fn vocabulary_check_text(
        &self,
        dir: &Path,
        file: &str,
        text: &str,
    ) -> Result<Vec<DiagnosticDto>, ApiError> {
        let (_, catalog) = self.catalog()?;
        let mut files = read_folder(dir)?;
        files.retain(|(p, _)| p != file);
        files.push((file.to_owned(), Ok(text.to_owned())));
        let checked = check_files(files, &catalog);
        Ok(checked.file(file).map(diagnostics_of).unwrap_or_default())
    }

    /// `vocab list`: the published definitions, with current member counts.
    pub fn vocabulary_list(&self) -> Result<Vec<DefinitionSummaryDto>, ApiError> {
        let reader = self.warehouse.reader()?;
        let defs = store::published(&reader)?;
        let mut out = Vec::with_capacity(defs.len());
        for d in &defs {
            let mut s = summary_from_text(d.kind, &d.name, &d.text, d.file.clone(), Some(d.version), true);
            if d.kind == DefinitionKind::Segment {
                let n: i64 = reader
                    .query_row(
                        "SELECT count(*) FROM segment_membership WHERE definition_version_id = ?1 AND left_at IS NULL",
                        [d.version_id],
                        |r| r.get(0),
                    )
                    .map_err(|e| ApiError::new(ErrorCode::Internal, format!("counting members: {e}")))?;
                s.members = Some(n as u64);
            }
            out.push(s);
        }
        Ok(out)
    }

    fn published_one(&self, kind: Option<&str>, name: &str) -> Result<(Vec<Published>, Published), ApiError> {
        let reader = self.warehouse.reader()?;
        let defs = store::published(&reader)?;
        let one = store::find(&defs, parse_kind(kind)?, name)?.clone();
        Ok((defs, one))
    }

    /// `vocab show`: a published definition's text, what it uses and what uses it.
    pub fn vocabulary_show(&self, kind: Option<&str>, name: &str) -> Result<DefinitionDto, ApiError> {
        let (defs, d) = self.published_one(kind, name)?;
        let graph_of = |p: &Published| {
            let parsed = parse(&p.text);
            let graph = parlance_vocabulary::dependency_graph(&parsed.file);
            let index = graph.index_of(&p.def_ref());
            index.map(|i| graph.dependencies(i).into_iter().cloned().collect::<Vec<_>>()).unwrap_or_default()
        };
        let named = |r: &parlance_vocabulary::DefRef| -> parlance_vocabulary::DefRef {
            // A reference to a block elsewhere carries no name: name it.
            if r.name.is_empty() {
                defs.iter().find(|x| x.kind == r.kind).map_or(r.clone(), Published::def_ref)
            } else {
                r.clone()
            }
        };
        let uses: Vec<String> = graph_of(&d).iter().map(|r| named(r).to_string()).collect();
        let me = d.def_ref();
        let used_by: Vec<String> = defs
            .iter()
            .filter(|other| other.def_ref() != me && graph_of(other).iter().any(|r| named(r) == me))
            .map(|other| other.def_ref().to_string())
            .collect();
        Ok(DefinitionDto {
            summary: summary_from_text(d.kind, &d.name, &d.text, d.file.clone(), Some(d.version), true),
            text: d.text.clone(),
            author: d.author.clone(),
            published_at: d.created_at.clone(),
            uses,
            used_by,
        })
    }

    /// `vocab history`: every version of a definition, oldest first.
    pub fn vocabulary_history(&self, kind: Option<&str>, name: &str) -> Result<Vec<VersionDto>, ApiError> {
        let kind = self.kind_of(kind, name)?;
        let reader = self.warehouse.reader()?;
        Ok(store::history(&reader, kind, name)?
            .into_iter()
            .map(|v| VersionDto {
                version: v.version,
                author: v.author,
                message: v.message,
                created_at: v.created_at,
                text: v.text,
            })
            .collect())
    }

    /// `vocab diff`: a unified diff between two versions (by default the
    /// latest and the one before).
    pub fn vocabulary_diff(
        &self,
        kind: Option<&str>,
        name: &str,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<DiffDto, ApiError> {
        let kind = self.kind_of(kind, name)?;
        let reader = self.warehouse.reader()?;
        let versions = store::history(&reader, kind, name)?;
        let latest = versions.last().map_or(1, |v| v.version);
        let to_v = to.unwrap_or(latest);
        let from_v = from.unwrap_or(to_v - 1);
        let diff = store::diff(&reader, kind, name, Some(from_v), Some(to_v))?;
        Ok(DiffDto { kind: kind.keyword().into(), name: name.into(), from: from_v, to: to_v, diff })
    }

    /// The kind of a definition named `name` (published or removed), when
    /// not given.
    fn kind_of(&self, kind: Option<&str>, name: &str) -> Result<DefinitionKind, ApiError> {
        if let Some(k) = parse_kind(kind)? {
            return Ok(k);
        }
        let reader = self.warehouse.reader()?;
        let mut stmt = reader
            .prepare("SELECT kind FROM definitions WHERE name = ?1 ORDER BY kind")
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        let kinds: Vec<String> = stmt
            .query_map([name], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        match kinds.as_slice() {
            [one] => DefinitionKind::from_keyword(one)
                .ok_or_else(|| ApiError::invalid(format!("unknown kind {one}"))),
            [] => {
                Err(ApiError::new(ErrorCode::NotFound, format!("no definition `{name}` was ever published")))
            }
            _ => {
                Err(ApiError::invalid(format!("`{name}` names a {}; say which kind", kinds.join(" and a "))))
            }
        }
    }

    /// `vocab sync`: publishes the good definitions of the folder `dir` as new
    /// versions (by `author`, with `message`, at `now`), then refreshes
    /// memberships, scores and stages as of `today`. An empty or missing
    /// folder is first filled with the starter vocabulary. The app calls this
    /// when the folder's files change.
    pub fn vocabulary_sync(
        &self,
        dir: &Path,
        author: &str,
        message: &str,
        today: Date,
        now: Timestamp,
    ) -> Result<VocabularySyncDto, ApiError> {
        starter::seed_folder(dir)?;
        let (sandbox, catalog) = self.catalog()?;
        let checked = check_folder(dir, &catalog)?;
        let report = store::sync(&self.warehouse, &checked, Publication { author, message, now })?;
        let refresh = self.refresh_with(&sandbox, &catalog, today, now)?;
        let names = |v: &[parlance_vocabulary::DefRef]| v.iter().map(ToString::to_string).collect();
        Ok(VocabularySyncDto {
            folder: dir.display().to_string(),
            created: names(&report.created),
            updated: names(&report.updated),
            unchanged: names(&report.unchanged),
            kept: names(&report.kept),
            rejected: names(&report.rejected),
            removed: names(&report.removed),
            diagnostics: checked.files.iter().flat_map(diagnostics_of).collect(),
            refresh,
        })
    }

    /// `vocab rename`: renames a definition and every reference to it in
    /// the folder's files, keeps its history under the new name, and publishes.
    #[allow(clippy::too_many_arguments)]
    pub fn vocabulary_rename(
        &self,
        dir: &Path,
        kind: &str,
        old: &str,
        new: &str,
        author: &str,
        today: Date,
        now: Timestamp,
    ) -> Result<VocabularySyncDto, ApiError> {
        let kind = parse_kind(Some(kind))?.ok_or_else(|| ApiError::invalid("a kind is needed"))?;
        parlance_segments::edit::rename(&self.warehouse, dir, kind, old, new)?;
        self.vocabulary_sync(dir, author, &format!("rename {kind} {old} to {new}"), today, now)
    }

    /// `vocab deprecate`: marks a definition deprecated with `note` in its
    /// file (`None` lifts it), and publishes.
    #[allow(clippy::too_many_arguments)]
    pub fn vocabulary_deprecate(
        &self,
        dir: &Path,
        kind: &str,
        name: &str,
        note: Option<&str>,
        author: &str,
        today: Date,
        now: Timestamp,
    ) -> Result<VocabularySyncDto, ApiError> {
        let kind = parse_kind(Some(kind))?.ok_or_else(|| ApiError::invalid("a kind is needed"))?;
        parlance_segments::edit::deprecate(dir, kind, name, note)?;
        let message = match note {
            Some(n) => format!("deprecate {kind} {name}: {n}"),
            None => format!("undeprecate {kind} {name}"),
        };
        self.vocabulary_sync(dir, author, &message, today, now)
    }

    /// After an import, sync or demo: publishes the starter vocabulary into a
    /// warehouse that has none yet, then refreshes memberships, scores and stages.
    pub(crate) fn refresh_vocabulary_after_import(
        &self,
        today: Date,
        now: Timestamp,
    ) -> Result<(), ApiError> {
        let (sandbox, catalog) = self.catalog()?;
        if store::published(&sandbox)?.is_empty() {
            let checked = check_files(starter::files(), &catalog);
            store::sync(
                &self.warehouse,
                &checked,
                Publication { author: "Parlance", message: "starter vocabulary", now },
            )?;
        }
        self.refresh_with(&sandbox, &catalog, today, now)?;
        Ok(())
    }
}

// The Vocabulary view: the editor works on whole files of the folder, so a
// save is exactly what another editor (or a `git pull`) would do to it.

/// A path inside the vocabulary folder as the editor may name it: relative,
/// `/`-separated, no `..`, ending in `.parlance`. Anything else could write
/// outside the folder.
fn folder_file(dir: &Path, file: &str) -> Result<PathBuf, ApiError> {
    let parts: Vec<&str> = file.split('/').collect();
    let plain = parts.iter().all(|p| !p.is_empty() && *p != "." && *p != ".." && !p.contains('\\'));
    let suffix = format!(".{}", parlance_segments::folder::EXTENSION);
    if !plain || !file.ends_with(&suffix) || file.starts_with('/') || file.contains(':') {
        return Err(ApiError::invalid(format!(
            "{file:?} is not a vocabulary file name: use a relative path inside the folder ending in {suffix}"
        )));
    }
    Ok(parts.iter().fold(dir.to_owned(), |path, part| path.join(part)))
}

fn has_errors(diagnostics: &[DiagnosticDto]) -> bool {
    diagnostics.iter().any(|d| d.severity == "error")
}

/// A definition with its errors and warnings.
type ProblemCount = (parlance_vocabulary::DefRef, u32, u32);

/// Errors and warnings per definition of one file, by the region each
/// diagnostic starts in.
fn counts_by_definition(file: &VocabularyFile) -> Vec<ProblemCount> {
    let parsed = parse(&file.text);
    let regions = parlance_segments::folder::regions(&file.text, &parsed.file.definitions);
    let mut out: Vec<ProblemCount> = parsed
        .file
        .definitions
        .iter()
        .map(|d| (parlance_vocabulary::DefRef::new(d.kind, d.name()), 0, 0))
        .collect();
    for d in &file.diagnostics {
        let at = regions.iter().rposition(|(start, _)| *start <= d.span.start).unwrap_or(0);
        if let Some(entry) = out.get_mut(at) {
            if d.is_error() {
                entry.1 += 1;
            } else {
                entry.2 += 1;
            }
        }
    }
    out
}

fn completion_field(path: &str, ty: &parlance_vocabulary::FieldType) -> CompletionFieldDto {
    CompletionFieldDto { path: path.to_owned(), ty: ty.to_string() }
}

impl Parlance {
    /// The editor's completions: the warehouse's fields and events, and the
    /// names of the published segments, scores and stages.
    pub fn vocabulary_completions(&self) -> Result<CompletionsDto, ApiError> {
        let (sandbox, catalog) = self.catalog()?;
        let defs = store::published(&sandbox)?;
        let names = |kind: DefinitionKind| -> Vec<String> {
            defs.iter().filter(|d| d.kind == kind).map(|d| d.name.clone()).collect()
        };
        let stages = defs
            .iter()
            .filter(|d| d.kind == DefinitionKind::Stages)
            .flat_map(|d| {
                let parsed = parse(&d.text);
                parsed
                    .file
                    .definitions
                    .iter()
                    .flat_map(|def| def.stages().map(|s| s.name.name.clone()).collect::<Vec<_>>())
                    .collect::<Vec<_>>()
            })
            .collect();
        Ok(CompletionsDto {
            fields: catalog.fields().map(|f| completion_field(&f.path, &f.ty)).collect(),
            events: catalog
                .events()
                .map(|e| CompletionEventDto {
                    name: e.name.clone(),
                    properties: e
                        .property_names()
                        .filter_map(|p| e.property(p).map(|ty| completion_field(p, &ty)))
                        .collect(),
                })
                .collect(),
            segments: names(DefinitionKind::Segment),
            scores: names(DefinitionKind::Score),
            stages,
        })
    }

    /// The Vocabulary view's list: every definition of the folder `dir` with
    /// its problems, its published version and (segments) current members.
    /// An empty or missing folder is first given the starter files, as a
    /// sync would.
    pub fn vocabulary_entries(&self, dir: &Path) -> Result<VocabularyEntriesDto, ApiError> {
        starter::seed_folder(dir)?;
        let (_, catalog) = self.catalog()?;
        let checked = check_folder(dir, &catalog)?;
        let published = self.vocabulary_list()?;
        let counts: Vec<(String, Vec<ProblemCount>)> =
            checked.files.iter().map(|f| (f.path.clone(), counts_by_definition(f))).collect();
        let entries = checked
            .definitions
            .iter()
            .map(|d| {
                let mut summary =
                    summary_from_text(d.kind, &d.name, &d.text, Some(d.file.clone()), None, d.good);
                let live = published.iter().find(|p| p.kind == d.kind.keyword() && p.name == d.name);
                summary.version = live.and_then(|p| p.version);
                summary.members = live.and_then(|p| p.members);
                let me = d.def_ref();
                let (errors, warnings) = counts
                    .iter()
                    .filter(|(file, _)| *file == d.file)
                    .flat_map(|(_, c)| c.iter())
                    .find(|(r, _, _)| *r == me)
                    .map_or((0, 0), |(_, e, w)| (*e, *w));
                // A conflict with another file makes it unpublishable even
                // when its own region is clean.
                let errors = if d.good { errors } else { errors.max(1) };
                VocabularyEntryDto { summary, line: d.line, errors, warnings }
            })
            .collect();
        Ok(VocabularyEntriesDto {
            folder: dir.display().to_string(),
            entries,
            files: checked.files.iter().map(|f| f.path.clone()).collect(),
            diagnostics: checked.files.iter().flat_map(diagnostics_of).collect(),
        })
    }

    /// The text of the file `file` of the folder `dir`, for the editor.
    pub fn vocabulary_file(&self, dir: &Path, file: &str) -> Result<VocabularyFileDto, ApiError> {
        let path = folder_file(dir, file)?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| ApiError::new(ErrorCode::Io, format!("{}: {e}", path.display())))?;
        Ok(VocabularyFileDto { folder: dir.display().to_string(), file: file.to_owned(), text })
    }

    /// The live count as the editor types: `text` (the whole file `file`)
    /// checked against the published vocabulary, whose definitions it
    /// replaces; with no error, the members of its segment `segment` (else
    /// its first segment) as of `as_of`. A broken draft gives diagnostics,
    /// not an error.
    pub fn vocabulary_draft_count(
        &self,
        file: &str,
        text: &str,
        segment: Option<&str>,
        as_of: Date,
    ) -> Result<DraftCountDto, ApiError> {
        let started = std::time::Instant::now();
        let (sandbox, catalog) = self.catalog()?;
        let draft = parse(text);
        let defines = |p: &Published| {
            draft
                .file
                .definitions
                .iter()
                .any(|d| d.kind == p.kind && (p.kind.is_singleton() || d.name() == p.name))
        };
        let published = store::published(&sandbox)?;
        let others: Vec<&Published> = published.iter().filter(|p| !defines(p)).collect();
        // Each published definition as its own file, so conflicts with the
        // draft are reported the way the folder reports them.
        let mut files: Vec<(String, Result<String, String>)> = others
            .iter()
            .map(|p| (format!("published {} {}", p.kind.keyword(), p.name), Ok(p.text.clone())))
            .collect();
        files.push((file.to_owned(), Ok(text.to_owned())));
        let diagnostics = check_files(files, &catalog).file(file).map(diagnostics_of).unwrap_or_default();
        let segments: Vec<&str> = draft
            .file
            .definitions
            .iter()
            .filter(|d| d.kind == DefinitionKind::Segment && d.name.is_some())
            .map(|d| d.name())
            .collect();
        let name = segment.filter(|s| segments.contains(s)).or(segments.first().copied());
        let mut out = DraftCountDto {
            segment: name.map(ToOwned::to_owned),
            members: None,
            as_of: as_of.to_string(),
            diagnostics,
            seconds: 0.0,
        };
        if let (Some(name), false) = (name, has_errors(&out.diagnostics)) {
            let mut texts: Vec<&str> = others.iter().map(|p| p.text.as_str()).collect();
            texts.push(text);
            let program = parlance_vocabulary::Program::new(texts.join("\n"), &catalog);
            let members = parlance_segments::evaluate::evaluate(&sandbox, &program, name, as_of)?;
            out.members = Some(members.len() as u64);
        }
        out.seconds = started.elapsed().as_secs_f64();
        Ok(out)
    }

    /// The editor's save: writes `text` as the file `file` of the folder `dir`
    /// and publishes the folder (by `author`, with `message`), refreshing as
    /// of `today`. A draft with errors is refused: nothing is written, so the
    /// file and the last good version stay as they were.
    #[allow(clippy::too_many_arguments)]
    pub fn vocabulary_save(
        &self,
        dir: &Path,
        file: &str,
        text: &str,
        author: &str,
        message: &str,
        today: Date,
        now: Timestamp,
    ) -> Result<VocabularySaveDto, ApiError> {
        let path = folder_file(dir, file)?;
        if author.trim().is_empty() || message.trim().is_empty() {
            return Err(ApiError::invalid("a save needs an author and a message"));
        }
        let diagnostics = self.vocabulary_check_text(dir, file, text)?;
        if has_errors(&diagnostics) {
            return Ok(VocabularySaveDto { saved: false, file: file.to_owned(), diagnostics, sync: None });
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| ApiError::new(ErrorCode::Io, format!("{}: {e}", parent.display())))?;
        }
        std::fs::write(&path, text)
            .map_err(|e| ApiError::new(ErrorCode::Io, format!("{}: {e}", path.display())))?;
        let sync = self.vocabulary_sync(dir, author.trim(), message.trim(), today, now)?;
        Ok(VocabularySaveDto { saved: true, file: file.to_owned(), diagnostics, sync: Some(sync) })
    }
}
