//! Importing files (`parlance import`, the Sources view): Segment-spec and
//! GA4 JSONL, and CSV with a column mapping, landed as a file source and
//! unified; and a preview that writes nothing.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use parlance_identity::Rules;
use parlance_import::{
    Format, ImportError, ImportOptions, ImportPhase, ImportProgress, LineProblem, Preview, PreviewRow,
};
use parlance_normalize::Normalized;
use parlance_warehouse::Timestamp;

use crate::{
    ApiError, ErrorCode, FieldValueDto, ImportOptionsDto, ImportPreviewDto, ImportProblemDto,
    ImportProgressDto, ImportSummaryDto, Parlance, PreviewRowDto,
};

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Warehouse(w) => w.into(),
            ImportError::Unify(u) => u.into(),
            ImportError::Io { .. } => ApiError::new(ErrorCode::Io, e.to_string()),
            ImportError::Cancelled { .. } => ApiError::new(ErrorCode::Cancelled, e.to_string()),
            ImportError::Invalid(_)
            | ImportError::Mapping { .. }
            | ImportError::Header { .. }
            | ImportError::Source(_)
            | ImportError::NotThisFormat { .. } => ApiError::invalid(e.to_string()),
        }
    }
}

fn options(dto: &ImportOptionsDto) -> Result<ImportOptions, ApiError> {
    let format = Format::parse(&dto.format).ok_or_else(|| {
        ApiError::invalid(format!("unknown format {:?}: choose csv, segment or ga4", dto.format))
    })?;
    let mut options = ImportOptions::new(PathBuf::from(&dto.path), format);
    options.csv_as = dto.csv_as.clone().filter(|s| !s.trim().is_empty());
    options.mapping = dto.mapping.as_ref().filter(|s| !s.trim().is_empty()).map(PathBuf::from);
    options.source = dto.source.clone().filter(|s| !s.trim().is_empty());
    Ok(options)
}

fn problem_dto(problem: &LineProblem) -> ImportProblemDto {
    ImportProblemDto { line: problem.line, message: problem.to_string(), landed: problem.landed }
}

impl Parlance {
    /// Imports a file as a file source: lands its records (re-importing
    /// the same file changes nothing), unifies them into profiles, and
    /// refreshes customer values (as after a demo generation). `today` and
    /// `now` come from the caller's clock. Lines that cannot be landed are listed
    /// in the summary with their line numbers; records that cannot be
    /// normalised are held in quarantine with the reason.
    ///
    /// Errors: `invalid-input` for an unknown format, a CSV without `--as`,
    /// a mapping that does not fit the file, a source that is not a file
    /// source of this format, or a file none of whose first lines can be
    /// read in the format; `io` when the file cannot be read; `cancelled`.
    pub fn import_file(
        &self,
        options_dto: &ImportOptionsDto,
        today: time::Date,
        now: Timestamp,
        on_progress: &mut dyn FnMut(ImportProgressDto),
        cancel: &AtomicBool,
    ) -> Result<ImportSummaryDto, ApiError> {
        let options = options(options_dto)?;
        let mut forward = |p: ImportProgress| {
            on_progress(ImportProgressDto {
                phase: match p.phase {
                    ImportPhase::Landing => "landing",
                    ImportPhase::Unifying => "unifying",
                }
                .to_owned(),
                done: p.done,
                total: p.total,
                records: p.records,
            })
        };
        let report = parlance_import::import_file(
            &self.warehouse,
            &options,
            &Rules::default(),
            now,
            &mut forward,
            cancel,
        )?;
        self.refresh_value_after_import(self.value_as_of(today)?, now)?;
        let land = &report.land;
        Ok(ImportSummaryDto {
            source: land.source.clone(),
            format: options.format.name().to_owned(),
            file: options.file.display().to_string(),
            records: land.records,
            inserted: land.stats.inserted,
            updated: land.stats.updated,
            unchanged: land.stats.unchanged,
            rejected: land.rejected,
            unified: report.unify.unified,
            quarantined: report.quarantined,
            problems: land.problems.iter().map(problem_dto).collect(),
            seconds: report.seconds,
        })
    }
}

impl Parlance {
    /// The observation end for values after an import: the demo's history
    /// end on a demo warehouse, else yesterday (as `parlance value fit`).
    fn value_as_of(&self, today: time::Date) -> Result<time::Date, ApiError> {
        let demo =
            parlance_warehouse::read_setting(&*self.warehouse.reader()?, parlance_demo::DEMO_SETTING_KEY)?;
        let stored = demo.as_ref().and_then(|v| v.get("as_of")?.as_str().map(str::to_owned));
        let yesterday = today.previous_day().unwrap_or(today);
        Ok(stored
            .and_then(|text| {
                time::Date::parse(&text, time::macros::format_description!("[year]-[month]-[day]")).ok()
            })
            .unwrap_or(yesterday))
    }
}

/// The first `limit` records of a file as an import would land and
/// normalise them (for CSV: each mapped field's value), with each one's
/// rows or the reason it would be quarantined. Writes nothing, opens no
/// warehouse.
pub fn preview_import(
    options_dto: &ImportOptionsDto,
    limit: u32,
    now: Timestamp,
) -> Result<ImportPreviewDto, ApiError> {
    let options = options(options_dto)?;
    let Preview { source, columns, mapping, defaults, rows, problems } =
        parlance_import::preview(&options, limit as usize, now)?;
    let pairs = |pairs: Vec<(String, String)>| {
        pairs.into_iter().map(|(field, value)| FieldValueDto { field, value }).collect()
    };
    Ok(ImportPreviewDto {
        source,
        format: options.format.name().to_owned(),
        columns,
        mapping: pairs(mapping),
        defaults: pairs(defaults),
        rows: rows.into_iter().map(|row| preview_row(row, pairs)).collect(),
        problems: problems.iter().map(problem_dto).collect(),
    })
}

fn preview_row(
    row: PreviewRow,
    pairs: impl Fn(Vec<(String, String)>) -> Vec<FieldValueDto>,
) -> PreviewRowDto {
    let mut dto = PreviewRowDto {
        line: row.line,
        stream: row.stream,
        source_id: row.source_id,
        fields: pairs(row.fields),
        identifiers: Vec::new(),
        events: Vec::new(),
        order: None,
        traits: Vec::new(),
        error: None,
    };
    match row.result {
        Err(reason) => dto.error = Some(reason),
        Ok(n) => describe(&n, &mut dto),
    }
    dto
}

/// The unified rows in words, for the preview.
fn describe(n: &Normalized, dto: &mut PreviewRowDto) {
    dto.identifiers = n.identifiers.iter().map(|id| format!("{} {}", id.kind, id.value)).collect();
    dto.events = n
        .events
        .iter()
        .map(|e| {
            let revenue = e.revenue.map(|r| format!(" revenue {r}")).unwrap_or_default();
            format!("{} at {}{revenue}", e.full_name(), e.occurred_at)
        })
        .collect();
    dto.order = n.order.as_ref().map(|o| {
        format!(
            "order {} at {}: {} {} {}{}",
            o.source_order_id,
            o.ordered_at,
            o.amount,
            o.currency,
            o.status.as_str(),
            if o.refunded_amount > 0.0 { format!(", {} refunded", o.refunded_amount) } else { String::new() }
        )
    });
    dto.traits = n.traits.iter().map(|t| format!("{} = {}", t.key, t.value)).collect();
}
