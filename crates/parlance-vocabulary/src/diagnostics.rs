//! Diagnostics: the one shape every problem in a vocabulary file takes.
//!
//! Invariant: a [`Code`]'s string never changes once released. The editor, the
//! API and the documentation refer to problems by code, never by message text.

use std::fmt::{self, Write as _};

use crate::span::{LineIndex, Span};

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The definition cannot be evaluated as written.
    Error,
    /// The definition evaluates, but probably not as meant.
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $text:literal, $severity:ident;)*) => {
        /// The stable identity of a kind of problem.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable kebab-case name, e.g. `"unknown-field"`.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// The severity this code is reported with.
            #[must_use]
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }
        }
    };
}

codes! {
    /// A character that cannot start any token, such as `;` or `{`.
    UnexpectedCharacter = "unexpected-character", Error;
    /// A string literal without its closing quote on the same line.
    UnterminatedString = "unterminated-string", Error;
    /// A backslash escape that is not `\" \\ \n \t \u{…}`.
    InvalidEscape = "invalid-escape", Error;
    /// A malformed number.
    InvalidNumber = "invalid-number", Error;
    /// A date that is not a real `YYYY-MM-DD` day.
    InvalidDate = "invalid-date", Error;
    /// A duration with an unknown unit, a fraction or out of range (`90x`, `1.5d`).
    InvalidDuration = "invalid-duration", Error;
    /// A token that does not fit the grammar where it stands.
    UnexpectedToken = "unexpected-token", Error;
    /// An opening `(` or `[` without its closing partner.
    UnclosedDelimiter = "unclosed-delimiter", Error;
    /// `a < b < c`: comparisons do not chain.
    ChainedComparison = "chained-comparison", Error;
    /// A call of something that is not an aggregate (`cnt(order)`).
    UnknownFunction = "unknown-function", Error;
    /// Nesting deeper than the parser follows.
    TooDeep = "too-deep", Error;
    /// A clause that belongs to another kind of definition (`points` in a segment).
    MisplacedClause = "misplaced-clause", Error;
    /// A clause given twice where one is allowed (two `where`).
    DuplicateClause = "duplicate-clause", Error;
    /// A required clause is missing (a segment without `where`).
    MissingClause = "missing-clause", Error;
    /// Two definitions of the same kind with the same name.
    DuplicateDefinition = "duplicate-definition", Error;
    /// A second `stages`, `value` or `touchpoints` block.
    DuplicateBlock = "duplicate-block", Error;
    /// Two stages, tiers, groups or margins with the same name inside one block.
    DuplicateName = "duplicate-name", Error;
    /// A stages block or tier list without its `otherwise` fallback.
    MissingFallback = "missing-fallback", Error;
    /// A stage or tier after the `otherwise` fallback, which can never match.
    RuleAfterFallback = "rule-after-fallback", Error;
    /// Tier thresholds that do not strictly decrease.
    TierOrder = "tier-order", Error;
    /// A field that is not in the catalog.
    UnknownField = "unknown-field", Error;
    /// An event name that is not in the catalog.
    UnknownEvent = "unknown-event", Error;
    /// An event property that the event does not have.
    UnknownProperty = "unknown-property", Error;
    /// `in segment x` where no segment `x` exists.
    UnknownSegment = "unknown-segment", Error;
    /// `score.x` where no score `x` exists.
    UnknownScore = "unknown-score", Error;
    /// A string compared with an enum field that is not one of its values.
    UnknownValue = "unknown-value", Error;
    /// A touchpoint label whose group is not declared with `group`.
    UnknownGroup = "unknown-group", Error;
    /// Operands whose types do not fit the operator.
    TypeMismatch = "type-mismatch", Error;
    /// Something used as a condition that is not true or false (a number, an event).
    NotACondition = "not-a-condition", Error;
    /// An aggregate with the wrong kind of argument (`sum(order)`, `count(order.amount)`).
    AggregateArgument = "aggregate-argument", Error;
    /// `first(…)`/`last(…)` without `.property`.
    MissingProperty = "missing-property", Error;
    /// A `matches` pattern that is not a valid regular expression.
    InvalidRegex = "invalid-regex", Error;
    /// A date computed wrongly: `today - 90` (no unit), `90d` where a date is needed.
    InvalidRelativeDate = "invalid-relative-date", Error;
    /// A `between` window or range whose start is after its end.
    EmptyRange = "empty-range", Warning;
    /// An empty list `[]`, which nothing is `in`.
    EmptyList = "empty-list", Warning;
    /// A sequence whose `then no` step is not the last one.
    InvalidSequence = "invalid-sequence", Error;
    /// A number outside its allowed range: a discount of 100 % or more, a
    /// negative cost, `per 0 of`.
    OutOfRange = "out-of-range", Error;
    /// A value horizon not in months or years, or not positive.
    InvalidHorizon = "invalid-horizon", Error;
    /// Definitions that reference each other in a circle.
    ReferenceCycle = "reference-cycle", Error;
    /// A reference to a segment or score marked `deprecated`.
    DeprecatedReference = "deprecated-reference", Warning;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A machine-applicable edit: replace `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What to replace.
    pub span: Span,
    /// The new text.
    pub replacement: String,
}

/// One problem found in a vocabulary file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// Which kind of problem.
    pub code: Code,
    /// A sentence for people.
    pub message: String,
    /// Where, as byte offsets into the text.
    pub span: Span,
    /// An optional hint, e.g. "did you mean `value.tier`?".
    pub suggestion: Option<String>,
    /// An optional edit that applies the hint.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's own severity.
    #[must_use]
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Self { severity: code.severity(), code, message: message.into(), span, suggestion: None, fix: None }
    }

    /// Adds a hint.
    #[must_use]
    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }

    /// Adds an edit.
    #[must_use]
    pub fn with_fix(mut self, span: Span, replacement: impl Into<String>) -> Self {
        self.fix = Some(Fix { span, replacement: replacement.into() });
        self
    }

    /// Whether this is an error (as opposed to a warning).
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// One line: `3:9 error[unknown-field] unknown field … (did you mean …?)`.
    #[must_use]
    pub fn render(&self, index: &LineIndex<'_>) -> String {
        let mut out = format!(
            "{} {}[{}] {}",
            index.line_col(self.span.start),
            self.severity.as_str(),
            self.code,
            self.message
        );
        if let Some(s) = &self.suggestion {
            let _ = write!(out, " ({s})");
        }
        out
    }
}

/// Renders diagnostics one per line, each followed by the offending source line
/// and a caret marker, in the familiar compiler style.
#[must_use]
pub fn render_all(text: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for d in diagnostics {
        let at = index.line_col(d.span.start);
        let end = index.line_col(d.span.end);
        let line = index.line_text(at.line);
        let width = if end.line == at.line { end.col.saturating_sub(at.col).max(1) } else { 1 };
        let _ = writeln!(out, "{}", d.render(&index));
        let _ = writeln!(out, "  | {line}");
        let _ = writeln!(out, "  | {}{}", " ".repeat(at.col as usize - 1), "^".repeat(width as usize));
    }
    out
}
