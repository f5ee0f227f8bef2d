//! The compiler: checked definitions → SQLite queries with bound parameters.
//!
//! Input is a [`Program`] — the text of every definition of a vocabulary,
//! parsed and checked together — and the evaluation date `today` (passed in,
//! never read from a clock). Output is a [`Query`]: SQL text plus the values
//! to bind to its numbered parameters `?1`, `?2`, … Nothing here opens a
//! database; `parlance-segments` runs the queries.
//!
//! # Invariant: no text a user typed is in the SQL
//!
//! Every literal of a definition is a [`Param`] whose [`Origin`] points at
//! the literal's span; catalog names (trait keys, event channels and names,
//! JSON paths of properties) are parameters too. The only identifiers in the
//! SQL are the fixed table and column names written in this module, and the
//! aliases it generates (`p0`, `e1`, …).
//!
//! # The meaning implemented
//!
//! * **Profiles** are the live ones (`merged_into IS NULL`), known people and
//!   anonymous visitors alike.
//! * **Two-valued logic.** Every condition compiles to a 0/1 expression that
//!   is never NULL: a comparison with an unset value is false
//!   (`coalesce(a = b, 0)`), and `not` turns false into true.
//! * **Time.** `today` is the evaluation date. Events are seen up to the end
//!   of `today` (`occurred_at < today + 1 day`), so evaluating as of an
//!   earlier date sees the event history as it was then; profile fields
//!   (traits, value) are their current values. Dates are `YYYY-MM-DD` text;
//!   constant dates (`today - 90d`, window starts) are folded with calendar
//!   arithmetic ([`crate::dates`]) and bound.
//! * **Aggregates** over no events: `count`, `distinct` and `sum` are 0;
//!   `avg`, `min`, `max`, `first`, `last` are unset. `first(e).p` is `p` of the
//!   earliest event (ties: the lowest event id), unset when that event has no `p`.
//! * **Sequences** compare timestamps to the second: a later step is strictly
//!   later; `within D` bounds first step to last; `then no` needs the window
//!   to have elapsed before the end of `today`.
//! * **References** (`in segment`, `score.x`, `stage`) are compiled inline
//!   from the referenced definition, so one query sees one snapshot at one
//!   date; materialised memberships and scores are outputs, never inputs.
//!
//! # Query shape
//!
//! A comparison of an event aggregate with a constant compiles to a set
//! test, `p.id IN (SELECT profile_id FROM events WHERE … GROUP BY profile_id
//! HAVING …)` (or `NOT IN` when profiles without events satisfy it), which
//! SQLite computes once per query and — at the top level of a condition —
//! uses to drive the scan, so the other conditions are evaluated only for the
//! profiles that have the behaviour. Everything else compiles to correlated
//! scalar subqueries on the current profile, resolved through the primary
//! keys and the `events(profile_id, occurred_at)` index.

mod expr;
pub mod storage;

use std::fmt;

use crate::ast::{Date, Definition, DefinitionKind, Expr, ExprKind, SourceFile};
use crate::catalog::Catalog;
use crate::check::{Analysis, analyze};
use crate::diagnostics::Diagnostic;
use crate::span::{LineCol, LineIndex, Span};

pub use expr::{ClauseQuery, ExplainQuery, ValueKind};

/// A vocabulary ready to compile: the definitions parsed and checked together.
#[derive(Clone, Debug)]
pub struct Program {
    text: String,
    analysis: Analysis,
}

impl Program {
    /// Parses and checks `text` (one file, or every definition of a
    /// vocabulary joined) against `catalog`.
    #[must_use]
    pub fn new(text: impl Into<String>, catalog: &Catalog) -> Self {
        let text = text.into();
        let analysis = analyze(&text, catalog);
        Self { text, analysis }
    }

    /// The text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Parse and check results.
    #[must_use]
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// The syntax tree.
    #[must_use]
    pub fn file(&self) -> &SourceFile {
        &self.analysis.file
    }

    /// The first definition of `kind` named `name`.
    #[must_use]
    pub fn definition(&self, kind: DefinitionKind, name: &str) -> Option<&Definition> {
        self.file().definitions.iter().find(|d| d.kind == kind && d.name() == name)
    }

    /// The stages block, if there is one.
    #[must_use]
    pub fn stages(&self) -> Option<&Definition> {
        self.file().definitions.iter().find(|d| d.kind == DefinitionKind::Stages)
    }

    /// Line and column of a byte offset.
    #[must_use]
    pub fn line_col(&self, offset: u32) -> LineCol {
        LineIndex::new(&self.text).line_col(offset)
    }

    /// The first error inside `span`, if any.
    fn first_error_in(&self, span: Span) -> Option<&Diagnostic> {
        self.analysis
            .diagnostics
            .iter()
            .find(|d| d.is_error() && d.span.start >= span.start && d.span.start <= span.end)
    }
}

/// A value bound to a query parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum SqlValue {
    /// A whole number (booleans are 0 and 1).
    Integer(i64),
    /// A number.
    Real(f64),
    /// Text (dates are `YYYY-MM-DD`).
    Text(String),
}

impl fmt::Display for SqlValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlValue::Integer(n) => write!(f, "{n}"),
            SqlValue::Real(x) => write!(f, "{x:?}"),
            SqlValue::Text(s) => write!(f, "{s:?}"),
        }
    }
}

/// Where a parameter's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The literal written at this span, bound as written (a number, a
    /// percentage as a fraction, a string, a date, `true`/`false` as 1/0).
    Literal(Span),
    /// Computed from the expression at this span and the evaluation date:
    /// `today`, `today - 90d`, the first day of `within 30d`, a duration.
    Derived(Span),
    /// A name from the catalog or the vocabulary: a trait key, an event's
    /// channel or name, a property's JSON path, a stage name.
    Name,
    /// The end of the evaluation date (the day after `today`): events at or
    /// after it are not seen.
    End,
}

/// One bound parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The value.
    pub value: SqlValue,
    /// Where it came from.
    pub origin: Origin,
}

/// SQL with its parameters: `?N` in the text is `params[N - 1]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The statement.
    pub sql: String,
    /// The values of `?1`, `?2`, …
    pub params: Vec<Param>,
}

impl Query {
    /// The SQL with each parameter's value shown in a comment after it, for
    /// people reading snapshots and `--explain` output (never executed).
    #[must_use]
    pub fn annotated(&self) -> String {
        let mut out = self.sql.clone();
        out.push('\n');
        for (i, p) in self.params.iter().enumerate() {
            let origin = match &p.origin {
                Origin::Literal(_) => "literal",
                Origin::Derived(_) => "derived",
                Origin::Name => "name",
                Origin::End => "end",
            };
            out.push_str(&format!("-- ?{} = {} ({origin})\n", i + 1, p.value));
        }
        out
    }
}

/// Why a definition could not be compiled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CompileError {
    /// What is wrong, for people.
    pub message: String,
    /// Where, in the program's text.
    pub span: Span,
}

impl CompileError {
    pub(crate) fn new(span: Span, message: impl Into<String>) -> Self {
        Self { message: message.into(), span }
    }
}

/// The query of a segment: the ids of its members as of `today`
/// (`SELECT p0.id FROM profiles p0 WHERE …`).
///
/// # Errors
///
/// When there is no such segment, or it (or something it references) has
/// errors, or references something not stored in the warehouse.
pub fn compile_segment(program: &Program, name: &str, today: Date) -> Result<Query, CompileError> {
    expr::Compiler::new(program, today).segment(name)
}

/// The query of a score: `SELECT p0.id, <score>` for every live profile.
///
/// # Errors
///
/// As [`compile_segment`].
pub fn compile_score(program: &Program, name: &str, today: Date) -> Result<Query, CompileError> {
    expr::Compiler::new(program, today).score(name)
}

/// The query of the lifecycle stages: `SELECT p0.id, <stage name>` for
/// every live profile, first matching rule winning.
///
/// # Errors
///
/// When the program has no stages block, or it has errors.
pub fn compile_stages(program: &Program, today: Date) -> Result<Query, CompileError> {
    expr::Compiler::new(program, today).stages()
}

/// The query explaining a segment for one profile: each top-level clause's
/// truth and its operands' values.
///
/// # Errors
///
/// As [`compile_segment`].
pub fn compile_explain(
    program: &Program,
    name: &str,
    today: Date,
    profile: i64,
) -> Result<ExplainQuery, CompileError> {
    expr::Compiler::new(program, today).explain(name, profile)
}

/// The top-level clauses of a condition: the operands of an outermost `and`
/// or `or` (with which one it is), or the condition itself.
#[must_use]
pub fn top_level_clauses(condition: &Expr) -> (Connective, Vec<&Expr>) {
    let mut e = condition;
    while let ExprKind::Paren(inner) = &e.kind {
        e = inner;
    }
    match &e.kind {
        ExprKind::And(items) => (Connective::All, items.iter().collect()),
        ExprKind::Or(items) => (Connective::Any, items.iter().collect()),
        _ => (Connective::All, vec![e]),
    }
}

/// How top-level clauses combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connective {
    /// Every clause must hold (`and`, or a single clause).
    All,
    /// One clause must hold (`or`).
    Any,
}
