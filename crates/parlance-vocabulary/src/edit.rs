//! Edits of vocabulary text that keep everything else as written: renaming a
//! definition together with every reference to it, and marking one
//! deprecated. Pure: text in, edits out; the store applies them to files.

use crate::ast::*;
use crate::lexer::quote;
use crate::parser::parse;
use crate::span::Span;

/// Replace `span` of the text with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// What to replace.
    pub span: Span,
    /// The new text.
    pub replacement: String,
}

/// Applies non-overlapping edits.
#[must_use]
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.span.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for e in sorted {
        let (start, end) = (e.span.start as usize, e.span.end as usize);
        if start < at || end > text.len() {
            continue;
        }
        out.push_str(text.get(at..start).unwrap_or(""));
        out.push_str(&e.replacement);
        at = end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

/// Whether `name` can name a definition: an identifier that is not a
/// keyword of the language.
#[must_use]
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let ident = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    ident && parse(&format!("segment {name} where true")).diagnostics.is_empty()
}

/// The edits renaming `kind` `old` to `new` in `file`: the definition's own
/// name and every `in segment old` or `score.old`.
#[must_use]
pub fn rename(file: &SourceFile, kind: DefinitionKind, old: &str, new: &str) -> Vec<Edit> {
    let mut edits = Vec::new();
    for def in &file.definitions {
        if def.kind == kind
            && let Some(n) = &def.name
            && n.name == old
        {
            edits.push(Edit { span: n.span, replacement: new.to_owned() });
        }
    }
    file.walk_exprs(&mut |e| match (&e.kind, kind) {
        (ExprKind::InSegment(ident), DefinitionKind::Segment) if ident.name == old => {
            edits.push(Edit { span: ident.span, replacement: new.to_owned() });
        }
        (ExprKind::Path(path), DefinitionKind::Score) => {
            if let [first, second] = path.segments.as_slice()
                && first.name == "score"
                && second.name == old
            {
                edits.push(Edit { span: second.span, replacement: new.to_owned() });
            }
        }
        _ => {}
    });
    edits.sort_by_key(|e| e.span.start);
    edits.dedup();
    edits
}

/// The edit marking `kind` `name` deprecated with `note` (replacing an
/// existing note), or with `None` removing its `deprecated` clause. `None`
/// when the file has no such definition or nothing needs to change.
#[must_use]
pub fn deprecate(
    text: &str,
    file: &SourceFile,
    kind: DefinitionKind,
    name: &str,
    note: Option<&str>,
) -> Option<Edit> {
    let def = file.definitions.iter().find(|d| d.kind == kind && d.name() == name)?;
    let existing = def.clauses.iter().find(|c| matches!(c.kind, ClauseKind::Deprecated(_)));
    match (existing, note) {
        (Some(c), Some(note)) => {
            Some(Edit { span: c.span, replacement: format!("deprecated {}", quote(note)) })
        }
        (None, Some(note)) => {
            let header_end =
                def.title.as_ref().map(|t| t.span.end).or(def.name.as_ref().map(|n| n.span.end))?;
            Some(Edit {
                span: Span::empty(header_end),
                replacement: format!("\n  deprecated {}", quote(note)),
            })
        }
        (Some(c), None) => {
            // The whole line when the clause is alone on it.
            let bytes = text.as_bytes();
            let mut start = c.span.start as usize;
            while start > 0 && matches!(bytes.get(start - 1), Some(b' ' | b'\t')) {
                start -= 1;
            }
            let mut end = c.span.end as usize;
            let line_alone = start == 0 || bytes.get(start - 1) == Some(&b'\n');
            if line_alone {
                while matches!(bytes.get(end), Some(b' ' | b'\t')) {
                    end += 1;
                }
                if bytes.get(end) == Some(&b'\n') {
                    end += 1;
                }
            } else {
                start = c.span.start as usize;
            }
            Some(Edit { span: Span::new(start as u32, end as u32), replacement: String::new() })
        }
        (None, None) => None,
    }
}
