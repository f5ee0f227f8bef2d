//! The syntax tree.
//!
//! Every node carries the [`Span`] of the text it came from, so diagnostics can
//! point at it and the formatter can place comments. Literals are already typed
//! values (a [`Date`] is a date, a [`Duration`] has a unit), so a later compiler
//! binds them as parameters without re-reading text. Names that refer to the
//! catalog — [`Path`]s — stay unresolved here; [`crate::check()`] resolves them
//! and returns what each one means, keyed by the path's span.
//!
//! Parentheses are kept as [`ExprKind::Paren`] so the formatter prints the
//! grouping the author chose.

use std::fmt;

use crate::lexer::Comment;
use crate::span::Span;

/// A parsed vocabulary file: its definitions in source order and its comments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceFile {
    /// The definitions, in source order.
    pub definitions: Vec<Definition>,
    /// Every `#` comment, in source order; the formatter places them.
    pub comments: Vec<Comment>,
}

impl SourceFile {
    /// Calls `f` on every expression of every clause, outermost first,
    /// filters and window bounds included. A compiler or linter can find every
    /// path, literal and aggregate this way without matching every node kind.
    pub fn walk_exprs(&self, f: &mut impl FnMut(&Expr)) {
        for def in &self.definitions {
            for clause in &def.clauses {
                match &clause.kind {
                    ClauseKind::Where(e) => e.walk(f),
                    ClauseKind::Points(p) => match &p.kind {
                        PointsKind::Per { measure: Measure::Value(e), .. } | PointsKind::When(e) => e.walk(f),
                        PointsKind::Per { measure: Measure::Events(spec), .. } => spec.walk(f),
                    },
                    ClauseKind::Stage(StageRule { when: Some(e), .. }) => e.walk(f),
                    ClauseKind::Map { event, .. } | ClauseKind::Ignore(event) => event.walk(f),
                    _ => {}
                }
            }
        }
    }
}

/// The five kinds of definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DefinitionKind {
    /// `segment` — a named condition on profiles.
    Segment,
    /// `score` — a weighted sum of behaviours.
    Score,
    /// `stages` — ordered lifecycle rules with a fallback.
    Stages,
    /// `value` — parameters of the universal customer-value metric.
    Value,
    /// `touchpoints` — how events map to journey labels.
    Touchpoints,
}

impl DefinitionKind {
    /// Every kind, in documentation order.
    pub const ALL: [DefinitionKind; 5] = [
        DefinitionKind::Segment,
        DefinitionKind::Score,
        DefinitionKind::Stages,
        DefinitionKind::Value,
        DefinitionKind::Touchpoints,
    ];

    /// The keyword that starts it.
    #[must_use]
    pub fn keyword(self) -> &'static str {
        match self {
            DefinitionKind::Segment => "segment",
            DefinitionKind::Score => "score",
            DefinitionKind::Stages => "stages",
            DefinitionKind::Value => "value",
            DefinitionKind::Touchpoints => "touchpoints",
        }
    }

    /// The kind a keyword starts, if any.
    #[must_use]
    pub fn from_keyword(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.keyword() == word)
    }

    /// Whether a vocabulary holds at most one definition of this kind.
    #[must_use]
    pub fn is_singleton(self) -> bool {
        matches!(self, DefinitionKind::Stages | DefinitionKind::Value | DefinitionKind::Touchpoints)
    }
}

impl fmt::Display for DefinitionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// A name as written: `lapsed_vip`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// A string literal, escapes applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringLit {
    /// The value.
    pub value: String,
    /// Where, quotes included.
    pub span: Span,
}

/// A number literal at clause level (points, costs, thresholds), sign included.
#[derive(Clone, Debug, PartialEq)]
pub struct NumberLit {
    /// The number.
    pub value: Number,
    /// Where.
    pub span: Span,
}

/// A percentage literal at clause level.
#[derive(Clone, Debug, PartialEq)]
pub struct PercentLit {
    /// The percentage.
    pub value: Percent,
    /// Where.
    pub span: Span,
}

/// A duration literal at clause level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DurationLit {
    /// The duration.
    pub value: Duration,
    /// Where.
    pub span: Span,
}

/// One definition: `segment lapsed_vip "Lapsed VIPs" owner … where …`.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    /// Which kind.
    pub kind: DefinitionKind,
    /// The kind keyword's span.
    pub keyword: Span,
    /// The name; `None` when it is missing (a diagnostic says so).
    pub name: Option<Ident>,
    /// The optional human title after the name.
    pub title: Option<StringLit>,
    /// The clauses, in source order.
    pub clauses: Vec<Clause>,
    /// From the keyword to the end of the last clause.
    pub span: Span,
}

impl Definition {
    /// The name, or `""` when missing.
    #[must_use]
    pub fn name(&self) -> &str {
        self.name.as_ref().map_or("", |n| n.name.as_str())
    }

    /// The first clause with keyword `keyword`.
    #[must_use]
    pub fn clause(&self, keyword: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.kind.keyword() == keyword)
    }

    /// The owner (department), if given.
    #[must_use]
    pub fn owner(&self) -> Option<&str> {
        self.clauses.iter().find_map(|c| match &c.kind {
            ClauseKind::Owner(s) => Some(s.value.as_str()),
            _ => None,
        })
    }

    /// The description, if given.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.clauses.iter().find_map(|c| match &c.kind {
            ClauseKind::Description(s) => Some(s.value.as_str()),
            _ => None,
        })
    }

    /// The deprecation note, if the definition is deprecated.
    #[must_use]
    pub fn deprecated(&self) -> Option<&str> {
        self.clauses.iter().find_map(|c| match &c.kind {
            ClauseKind::Deprecated(s) => Some(s.value.as_str()),
            _ => None,
        })
    }

    /// All tags, in order.
    #[must_use]
    pub fn tags(&self) -> Vec<&str> {
        self.clauses
            .iter()
            .filter_map(|c| match &c.kind {
                ClauseKind::Tags(t) => Some(t.iter().map(|s| s.value.as_str())),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// A segment's condition (its first `where`).
    #[must_use]
    pub fn condition(&self) -> Option<&Expr> {
        self.clauses.iter().find_map(|c| match &c.kind {
            ClauseKind::Where(e) => Some(e),
            _ => None,
        })
    }

    /// A score's rules.
    pub fn points(&self) -> impl Iterator<Item = &PointsRule> {
        self.clauses.iter().filter_map(|c| match &c.kind {
            ClauseKind::Points(p) => Some(p),
            _ => None,
        })
    }

    /// A stages block's rules, in order.
    pub fn stages(&self) -> impl Iterator<Item = &StageRule> {
        self.clauses.iter().filter_map(|c| match &c.kind {
            ClauseKind::Stage(s) => Some(s),
            _ => None,
        })
    }

    /// A value block's tiers, in order.
    pub fn tiers(&self) -> impl Iterator<Item = &TierRule> {
        self.clauses.iter().filter_map(|c| match &c.kind {
            ClauseKind::Tier(t) => Some(t),
            _ => None,
        })
    }
}

/// One clause of a definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// What it says.
    pub kind: ClauseKind,
    /// The span of its keyword (the first, for `contact cost`).
    pub keyword: Span,
    /// The whole clause.
    pub span: Span,
}

/// The clauses.
#[derive(Clone, Debug, PartialEq)]
pub enum ClauseKind {
    /// `owner "Lifecycle"`
    Owner(StringLit),
    /// `description "…"`
    Description(StringLit),
    /// `tags "vip", "retention"`
    Tags(Vec<StringLit>),
    /// `deprecated "use lapsed_vip_v2"` (all kinds): still evaluated, but
    /// references to it are warned about.
    Deprecated(StringLit),
    /// `where CONDITION` (segments)
    Where(Expr),
    /// `points …` (scores)
    Points(PointsRule),
    /// `stage NAME "Title" when …` / `otherwise` (stages)
    Stage(StageRule),
    /// `horizon 12m` (value)
    Horizon(DurationLit),
    /// `discount 10% per year` (value)
    Discount {
        /// The rate.
        rate: PercentLit,
        /// Per year or per month.
        per: RatePeriod,
    },
    /// `margin 35%` / `margin 12% for "electronics"` (value)
    Margin {
        /// The gross margin.
        rate: PercentLit,
        /// The product category it applies to; `None` for the global margin.
        category: Option<StringLit>,
    },
    /// `contact cost 8.50 for "phone"` (value)
    ContactCost {
        /// Cost of one support contact.
        cost: NumberLit,
        /// The channel; `None` for every channel not listed.
        channel: Option<StringLit>,
    },
    /// `return cost 6` (value)
    ReturnCost(NumberLit),
    /// `tier top "Top" from 1000` / `otherwise` (value)
    Tier(TierRule),
    /// `group web "Website"` (touchpoints)
    Group {
        /// The group name used before `:` in labels.
        name: Ident,
        /// Its title.
        title: Option<StringLit>,
    },
    /// `map web.page_view where page_type = "product" to web:product_view` (touchpoints)
    Map {
        /// Which events.
        event: EventSpec,
        /// The label they get.
        label: Label,
    },
    /// `ignore web.heartbeat` (touchpoints)
    Ignore(EventSpec),
}

impl ClauseKind {
    /// The clause's keyword as written (`"contact cost"` for the two-word one).
    #[must_use]
    pub fn keyword(&self) -> &'static str {
        match self {
            ClauseKind::Owner(_) => "owner",
            ClauseKind::Description(_) => "description",
            ClauseKind::Tags(_) => "tags",
            ClauseKind::Deprecated(_) => "deprecated",
            ClauseKind::Where(_) => "where",
            ClauseKind::Points(_) => "points",
            ClauseKind::Stage(_) => "stage",
            ClauseKind::Horizon(_) => "horizon",
            ClauseKind::Discount { .. } => "discount",
            ClauseKind::Margin { .. } => "margin",
            ClauseKind::ContactCost { .. } => "contact cost",
            ClauseKind::ReturnCost(_) => "return cost",
            ClauseKind::Tier(_) => "tier",
            ClauseKind::Group { .. } => "group",
            ClauseKind::Map { .. } => "map",
            ClauseKind::Ignore(_) => "ignore",
        }
    }
}

/// `per year` or `per month`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RatePeriod {
    /// An annual rate.
    Year,
    /// A monthly rate.
    Month,
}

impl RatePeriod {
    /// `"year"` or `"month"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RatePeriod::Year => "year",
            RatePeriod::Month => "month",
        }
    }
}

/// `points N per …` or `points N when …`.
#[derive(Clone, Debug, PartialEq)]
pub struct PointsRule {
    /// Points awarded (may be negative).
    pub points: NumberLit,
    /// How they are awarded.
    pub kind: PointsKind,
}

/// How a points rule awards its points.
#[derive(Clone, Debug, PartialEq)]
pub enum PointsKind {
    /// `per [K of] MEASURE [max M]`: points × ⌊measure / K⌋, capped at M.
    Per {
        /// `K of`: award per K units; `None` means 1.
        divisor: Option<NumberLit>,
        /// What is counted or summed.
        measure: Measure,
        /// The cap on this rule's points.
        max: Option<NumberLit>,
    },
    /// `when CONDITION`: the points once, if the condition holds.
    When(Expr),
}

/// What a `per` rule measures.
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// `per web.page_view where … within 30d`: the number of matching events.
    Events(EventSpec),
    /// `per sum(web.page_view.seconds within 30d)`: any numeric expression.
    Value(Expr),
}

/// `stage NAME "Title" when CONDITION` or `stage NAME "Title" otherwise`.
#[derive(Clone, Debug, PartialEq)]
pub struct StageRule {
    /// The stage's name (the value of the `stage` field).
    pub name: Ident,
    /// Its title.
    pub title: Option<StringLit>,
    /// `Some(condition)`, or `None` for the `otherwise` fallback.
    pub when: Option<Expr>,
}

/// `tier NAME "Title" from N` or `tier NAME "Title" otherwise`.
#[derive(Clone, Debug, PartialEq)]
pub struct TierRule {
    /// The tier's name (a value of `value.tier`).
    pub name: Ident,
    /// Its title.
    pub title: Option<StringLit>,
    /// `Some(threshold)` on `value.total`, or `None` for the `otherwise` fallback.
    pub from: Option<NumberLit>,
}

/// A journey label: `web:product_view`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The group before `:`.
    pub group: Ident,
    /// The name after `:`.
    pub name: Ident,
    /// The whole label.
    pub span: Span,
}

/// A dotted name: `value.tier`, `email.opened`, `order.amount`.
///
/// Which catalog entry it names — field, event, event property, score — is
/// decided by the checker, because `order.amount` and `email.opened` look alike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// The parts between dots.
    pub segments: Vec<Ident>,
    /// The whole path.
    pub span: Span,
}

impl Path {
    /// The path as written: `"value.tier"`.
    #[must_use]
    pub fn dotted(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.segments.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            out.push_str(&s.name);
        }
        out
    }
}

/// Events, optionally filtered and windowed: `email.opened where campaign = "spring" within 30d`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventSpec {
    /// The event, or for `sum`/`avg`/… an event property (`order.amount`).
    pub path: Path,
    /// `where …` over the event's properties.
    pub filter: Option<Box<Expr>>,
    /// `within …` / `between … and …`.
    pub window: Option<Window>,
    /// Whether the window was written before the filter (kept for the formatter).
    pub window_first: bool,
    /// The whole spec.
    pub span: Span,
}

impl EventSpec {
    /// Calls `f` on the filter's and the window's expressions.
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        if let Some(filter) = &self.filter {
            filter.walk(f);
        }
        if let Some(Window { kind: WindowKind::Between(a, b), .. }) = &self.window {
            a.walk(f);
            b.walk(f);
        }
    }
}

/// A time window over events.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// Which kind.
    pub kind: WindowKind,
    /// From the keyword to the end.
    pub span: Span,
}

/// The kinds of window.
#[derive(Clone, Debug, PartialEq)]
pub enum WindowKind {
    /// `within 30d`: from `today - 30d` up to now.
    Within(DurationLit),
    /// `between FROM and TO`: both dates inclusive.
    Between(Box<Expr>, Box<Expr>),
}

/// An expression: a condition or a value.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

impl Expr {
    /// Calls `f` on this expression and every expression inside it, outermost
    /// first (event filters and window bounds included).
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Or(items) | ExprKind::And(items) | ExprKind::List(items) => {
                for i in items {
                    i.walk(f);
                }
            }
            ExprKind::Not(x) | ExprKind::Paren(x) | ExprKind::Neg(x) => x.walk(f),
            ExprKind::Compare { lhs, rhs, .. } | ExprKind::Arith { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            ExprKind::Between { value, low, high, .. } => {
                value.walk(f);
                low.walk(f);
                high.walk(f);
            }
            ExprKind::IsSet { value, .. } => value.walk(f),
            ExprKind::Sequence(seq) => {
                for step in &seq.steps {
                    step.event.walk(f);
                }
            }
            ExprKind::Aggregate(agg) => agg.target.walk(f),
            ExprKind::InSegment(_)
            | ExprKind::Path(_)
            | ExprKind::Literal(_)
            | ExprKind::Today
            | ExprKind::Error => {}
        }
    }
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `a or b or c` (two or more operands).
    Or(Vec<Expr>),
    /// `a and b and c` (two or more operands).
    And(Vec<Expr>),
    /// `not a`
    Not(Box<Expr>),
    /// `( a )` as written.
    Paren(Box<Expr>),
    /// `lhs OP rhs`
    Compare {
        /// The operator.
        op: CompareOp,
        /// Left.
        lhs: Box<Expr>,
        /// Right.
        rhs: Box<Expr>,
    },
    /// `value [not] between low and high` (inclusive).
    Between {
        /// Whether written `not between`.
        negated: bool,
        /// The tested value.
        value: Box<Expr>,
        /// Lower bound.
        low: Box<Expr>,
        /// Upper bound.
        high: Box<Expr>,
    },
    /// `value is-set` / `value is-not-set`.
    IsSet {
        /// Whether written `is-not-set`.
        negated: bool,
        /// The tested value.
        value: Box<Expr>,
    },
    /// `in segment NAME`
    InSegment(Ident),
    /// `A then B within 7d`, `A then no B within 2d`.
    Sequence(Sequence),
    /// A field, or inside a filter an event property.
    Path(Path),
    /// A literal value.
    Literal(Literal),
    /// `["Paris", "Lyon"]`
    List(Vec<Expr>),
    /// `today`
    Today,
    /// `count(…)`, `last(order).at`, …
    Aggregate(Box<Aggregate>),
    /// `lhs + rhs`, `lhs - rhs` (dates and durations, numbers).
    Arith {
        /// The operator.
        op: ArithOp,
        /// Left.
        lhs: Box<Expr>,
        /// Right.
        rhs: Box<Expr>,
    },
    /// `-x`
    Neg(Box<Expr>),
    /// Something that did not parse; a diagnostic covers it.
    Error,
}

/// Comparison operators, negated forms included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `contains`
    Contains,
    /// `not contains`
    NotContains,
    /// `starts-with`
    StartsWith,
    /// `not starts-with`
    NotStartsWith,
    /// `matches`
    Matches,
    /// `not matches`
    NotMatches,
}

impl CompareOp {
    /// The operator as written.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::NotEq => "!=",
            CompareOp::Lt => "<",
            CompareOp::LtEq => "<=",
            CompareOp::Gt => ">",
            CompareOp::GtEq => ">=",
            CompareOp::In => "in",
            CompareOp::NotIn => "not in",
            CompareOp::Contains => "contains",
            CompareOp::NotContains => "not contains",
            CompareOp::StartsWith => "starts-with",
            CompareOp::NotStartsWith => "not starts-with",
            CompareOp::Matches => "matches",
            CompareOp::NotMatches => "not matches",
        }
    }

    /// The operator without its `not`.
    #[must_use]
    pub fn positive(self) -> CompareOp {
        match self {
            CompareOp::NotIn => CompareOp::In,
            CompareOp::NotContains => CompareOp::Contains,
            CompareOp::NotStartsWith => CompareOp::StartsWith,
            CompareOp::NotMatches => CompareOp::Matches,
            op => op,
        }
    }
}

/// `+` or `-`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
}

impl ArithOp {
    /// The operator as written.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
        }
    }
}

/// `FUNC(EVENTS)` with an optional `.property` after `first`/`last`.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    /// Which function.
    pub func: AggregateFn,
    /// The function name's span.
    pub func_span: Span,
    /// What it aggregates.
    pub target: EventSpec,
    /// `.at` in `last(order).at`.
    pub property: Option<Ident>,
}

/// The aggregate functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggregateFn {
    /// Number of events.
    Count,
    /// Sum of a property.
    Sum,
    /// Average of a property.
    Avg,
    /// Smallest value of a property.
    Min,
    /// Largest value of a property.
    Max,
    /// The earliest event (then `.property`).
    First,
    /// The latest event (then `.property`).
    Last,
    /// Number of distinct values of a property.
    Distinct,
}

impl AggregateFn {
    /// Every function.
    pub const ALL: [AggregateFn; 8] = [
        AggregateFn::Count,
        AggregateFn::Sum,
        AggregateFn::Avg,
        AggregateFn::Min,
        AggregateFn::Max,
        AggregateFn::First,
        AggregateFn::Last,
        AggregateFn::Distinct,
    ];

    /// Its name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AggregateFn::Count => "count",
            AggregateFn::Sum => "sum",
            AggregateFn::Avg => "avg",
            AggregateFn::Min => "min",
            AggregateFn::Max => "max",
            AggregateFn::First => "first",
            AggregateFn::Last => "last",
            AggregateFn::Distinct => "distinct",
        }
    }

    /// The function a name calls.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// A sequence of events in time.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    /// Two or more steps in order; only the last may be absent (`then no`).
    pub steps: Vec<SequenceStep>,
    /// `within 7d`: the time from the first step to the last.
    pub within: Option<DurationLit>,
}

/// One step of a sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceStep {
    /// `then no …`: the event must not follow.
    pub absent: bool,
    /// The event (with an optional filter, never a window).
    pub event: EventSpec,
    /// From `then` (or the event, for the first step) to the end.
    pub span: Span,
}

/// A literal value, already typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `42`, `19.90`
    Number(Number),
    /// `35%`
    Percent(Percent),
    /// `"text"`
    String(String),
    /// `2025-01-31`
    Date(Date),
    /// `90d`
    Duration(Duration),
    /// `true`, `false`
    Bool(bool),
}

/// A number with the text it was written as (so `19.90` stays `19.90`).
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    /// The value.
    pub value: f64,
    /// The digits as written (with a leading `-` when negative).
    pub text: String,
}

/// A percentage: `35%` has `value` 0.35.
#[derive(Clone, Debug, PartialEq)]
pub struct Percent {
    /// The fraction.
    pub value: f64,
    /// The text as written, `%` included.
    pub text: String,
}

/// A calendar date (proleptic Gregorian), always valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31.
    pub day: u8,
}

impl Date {
    /// The date, if it exists.
    #[must_use]
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Self { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A whole number of days, weeks, months or years.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Duration {
    /// How many.
    pub amount: u32,
    /// Of what.
    pub unit: DurationUnit,
}

impl Duration {
    /// An approximate length in days (months 30.44, years 365.25), for ordering
    /// checks only; evaluation uses calendar arithmetic.
    #[must_use]
    pub fn approx_days(self) -> f64 {
        f64::from(self.amount) * self.unit.approx_days()
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.suffix())
    }
}

/// Duration units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    /// `d`
    Day,
    /// `w`
    Week,
    /// `m` — calendar months.
    Month,
    /// `y` — calendar years.
    Year,
}

impl DurationUnit {
    /// The suffix letter.
    #[must_use]
    pub fn suffix(self) -> char {
        match self {
            DurationUnit::Day => 'd',
            DurationUnit::Week => 'w',
            DurationUnit::Month => 'm',
            DurationUnit::Year => 'y',
        }
    }

    /// The unit a suffix letter names.
    #[must_use]
    pub fn from_suffix(s: &str) -> Option<Self> {
        match s {
            "d" => Some(DurationUnit::Day),
            "w" => Some(DurationUnit::Week),
            "m" => Some(DurationUnit::Month),
            "y" => Some(DurationUnit::Year),
            _ => None,
        }
    }

    /// The largest amount accepted (100 years).
    #[must_use]
    pub fn max_amount(self) -> u32 {
        match self {
            DurationUnit::Day => 36_525,
            DurationUnit::Week => 5_218,
            DurationUnit::Month => 1_200,
            DurationUnit::Year => 100,
        }
    }

    fn approx_days(self) -> f64 {
        match self {
            DurationUnit::Day => 1.0,
            DurationUnit::Week => 7.0,
            DurationUnit::Month => 30.44,
            DurationUnit::Year => 365.25,
        }
    }
}
