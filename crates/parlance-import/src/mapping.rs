//! The column mapping of a CSV import: which column of the file holds which
//! canonical field, resolved against the file's header.
//!
//! A mapping file is TOML (`.toml`) or JSON (any other extension):
//!
//! ```toml
//! as = "orders"            # optional: the kind of rows, when --as is not given
//!
//! [columns]                # canonical field = "column name in the file"
//! order_id = "Order #"
//! ordered_at = "Date"
//! amount = "Total (EUR)"
//! email = "E-mail"
//!
//! [defaults]               # values for fields the file has no column for
//! currency = "EUR"
//! ```
//!
//! A field not listed under `columns` maps to a column with its own name
//! (compared case-insensitively), so a file whose header uses the
//! conventional names needs no mapping file at all. Customers also take
//! `trait.<key>` fields (`"trait.plan" = "Plan"`; a column named
//! `trait.plan` maps itself).

use std::collections::BTreeMap;
use std::path::Path;

use parlance_normalize::CsvKind;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ImportError;

/// A mapping file as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    /// `customers`, `orders` or `events`; `--as` wins when both are given.
    #[serde(rename = "as", default)]
    pub kind: Option<String>,
    /// Canonical field → column name in the file.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Canonical field → value used when the cell is empty or unmapped.
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
}

impl MappingFile {
    /// Reads a mapping file: TOML when its name ends in `.toml`, else JSON.
    pub fn read(path: &Path) -> Result<MappingFile, ImportError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ImportError::Mapping {
            file: file.clone(),
            detail: format!("cannot read it: {e}"),
        })?;
        let is_toml = path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("toml"));
        let parsed = if is_toml {
            toml::from_str(&text).map_err(|e| e.to_string())
        } else {
            serde_json::from_str(&text).map_err(|e| e.to_string())
        };
        parsed.map_err(|detail| ImportError::Mapping {
            file,
            detail: format!("not a {} mapping: {}", if is_toml { "TOML" } else { "JSON" }, detail.trim()),
        })
    }
}

/// A mapping resolved against a file's header: every field that has a
/// column, and the defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedMapping {
    pub kind: &'static CsvKind,
    /// Canonical field → column, in the kind's field order (traits last).
    pub columns: Vec<(String, String)>,
    pub defaults: Vec<(String, String)>,
}

impl ResolvedMapping {
    /// The column of `field`, if it has one.
    pub fn column(&self, field: &str) -> Option<&str> {
        self.columns.iter().find(|(f, _)| f == field).map(|(_, column)| column.as_str())
    }

    /// The stream's section of the source configuration.
    pub(crate) fn config_section(&self, file: &str) -> Value {
        let columns: serde_json::Map<String, Value> =
            self.columns.iter().map(|(field, column)| (field.clone(), json!(column))).collect();
        let defaults: serde_json::Map<String, Value> =
            self.defaults.iter().map(|(field, value)| (field.clone(), json!(value))).collect();
        json!({ "mapping": columns, "defaults": defaults, "file": file })
    }
}

/// Resolves `mapping` (or none) for rows of `kind` against `header`.
/// `file` names the CSV file and `mapping_file` the mapping's, for errors.
pub fn resolve(
    kind: &'static CsvKind,
    header: &[String],
    mapping: Option<&MappingFile>,
    file: &str,
    mapping_file: &str,
) -> Result<ResolvedMapping, ImportError> {
    let empty = MappingFile::default();
    let mapping = mapping.unwrap_or(&empty);
    for field in mapping.columns.keys().chain(mapping.defaults.keys()) {
        check_field(kind, field, mapping_file)?;
    }
    let listing = || header.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", ");
    let mut columns: Vec<(String, String)> = Vec::new();
    for field in kind.fields {
        let column = match mapping.columns.get(*field) {
            Some(column) => {
                let column = column.trim();
                if !header.iter().any(|h| h == column) {
                    return Err(ImportError::Header {
                        file: file.to_owned(),
                        detail: format!(
                            "{mapping_file} maps {field} to column {column:?}, which the header does not have (columns: {})",
                            listing()
                        ),
                    });
                }
                Some(column.to_owned())
            }
            None => header.iter().find(|h| h.trim().eq_ignore_ascii_case(field)).cloned(),
        };
        if let Some(column) = column {
            columns.push(((*field).to_owned(), column));
        }
    }
    if kind.traits {
        for (field, column) in &mapping.columns {
            if field.starts_with("trait.") {
                let column = column.trim();
                if !header.iter().any(|h| h == column) {
                    return Err(ImportError::Header {
                        file: file.to_owned(),
                        detail: format!(
                            "{mapping_file} maps {field} to column {column:?}, which the header does not have (columns: {})",
                            listing()
                        ),
                    });
                }
                columns.push((field.clone(), column.to_owned()));
            }
        }
        for column in header {
            let field = column.trim();
            if field.len() > "trait.".len()
                && field.starts_with("trait.")
                && !columns.iter().any(|(f, _)| f == field)
            {
                columns.push((field.to_owned(), column.clone()));
            }
        }
    }
    let defaults: Vec<(String, String)> =
        mapping.defaults.iter().map(|(field, value)| (field.clone(), value.trim().to_owned())).collect();
    for group in kind.required {
        let covered = group
            .iter()
            .any(|field| columns.iter().any(|(f, _)| f == field) || defaults.iter().any(|(f, _)| f == field));
        if !covered {
            let wanted = match group {
                [one] => format!("no column for {one}: name a column {one:?}"),
                several => format!(
                    "no column for any of {}: name a column so",
                    several.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ")
                ),
            };
            return Err(ImportError::Header {
                file: file.to_owned(),
                detail: format!(
                    "{wanted}, or map one in a mapping file (--mapping){}; the columns are: {}",
                    if group.contains(&"currency") { " or give it a default" } else { "" },
                    listing()
                ),
            });
        }
    }
    Ok(ResolvedMapping { kind, columns, defaults })
}

fn check_field(kind: &CsvKind, field: &str, mapping_file: &str) -> Result<(), ImportError> {
    if kind.fields.contains(&field) || (kind.traits && field.len() > 6 && field.starts_with("trait.")) {
        return Ok(());
    }
    let suggestion = kind
        .fields
        .iter()
        .map(|known| (distance(field, known), known))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, known)| format!("; did you mean {known:?}?"))
        .unwrap_or_default();
    let traits = if kind.traits { ", or trait.<key>" } else { "" };
    Err(ImportError::Mapping {
        file: mapping_file.to_owned(),
        detail: format!(
            "{field:?} is not a field of {}{suggestion} (fields: {}{traits})",
            kind.name,
            kind.fields.join(", ")
        ),
    })
}

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb)).min(row[j] + 1).min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::distance;

    #[test]
    fn edit_distance() {
        assert_eq!(distance("amout", "amount"), 1);
        assert_eq!(distance("order_id", "order_id"), 0);
        assert_eq!(distance("", "abc"), 3);
    }
}
