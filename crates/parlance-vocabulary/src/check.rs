//! The checker: names resolved against a [`Catalog`], types, structure, cycles.
//!
//! The checker runs on whatever tree the parser produced, errors included:
//! [`ExprKind::Error`] has the unknown type, which is compatible with
//! everything, so a syntax error never causes a second, type-level complaint.
//! For the same reason a name that failed to resolve has the unknown type.
//!
//! Its output, besides diagnostics, is what every [`Path`] means — a catalog
//! field, an event, an event property, a score — keyed by the path's span, so
//! that a compiler can walk the tree and find each name already resolved.

use std::collections::{BTreeMap, BTreeSet};

use crate::ast::*;
use crate::catalog::{Catalog, EventType, Field, FieldType};
use crate::diagnostics::{Code, Diagnostic};
use crate::format::expr_text;
use crate::graph::{DefRef, DependencyGraph, dependency_graph, find_cycles};
use crate::lexer::quote;
use crate::parser::{Parse, allowed, parse};
use crate::span::Span;

/// What a name in the file refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// A profile field. For `stage` and `value.tier` the allowed values come
    /// from the file's stages and value blocks when it has them.
    Field(Field),
    /// A score (`score.engagement`), by name.
    Score(String),
    /// A segment (`in segment lapsed_vip`), by name.
    Segment(String),
    /// An event type (`email.opened` in `count(email.opened)`), by name.
    Event(String),
    /// An event property: `order.amount` in `sum(order.amount)`, `amount` in a
    /// filter on `order`, `at` in `last(order).at`.
    Property {
        /// The event's name.
        event: String,
        /// The property's name.
        property: String,
        /// Its type.
        ty: FieldType,
    },
}

/// The result of [`check`].
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// Problems found, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// What each resolved name means, by the span of the path (or identifier).
    pub resolutions: BTreeMap<Span, Resolution>,
    /// Which definition references which.
    pub graph: DependencyGraph,
}

impl Checked {
    /// What the name at `span` refers to.
    #[must_use]
    pub fn resolution(&self, span: Span) -> Option<&Resolution> {
        self.resolutions.get(&span)
    }

    /// Whether any diagnostic is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parse and check results together: what the editor and the API need.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The syntax tree.
    pub file: SourceFile,
    /// Syntax and checker diagnostics together, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// See [`Checked::resolutions`].
    pub resolutions: BTreeMap<Span, Resolution>,
    /// See [`Checked::graph`].
    pub graph: DependencyGraph,
}

impl Analysis {
    /// Whether any diagnostic is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses and checks a text.
#[must_use]
pub fn analyze(text: &str, catalog: &Catalog) -> Analysis {
    let Parse { file, mut diagnostics } = parse(text);
    let checked = check(&file, catalog);
    diagnostics.extend(checked.diagnostics);
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    Analysis { file, diagnostics, resolutions: checked.resolutions, graph: checked.graph }
}

/// Checks a parsed file against a catalog.
#[must_use]
pub fn check(file: &SourceFile, catalog: &Catalog) -> Checked {
    let mut local: BTreeMap<DefRef, usize> = BTreeMap::new();
    for (i, def) in file.definitions.iter().enumerate() {
        if def.name.is_some() {
            local.entry(DefRef::new(def.kind, def.name())).or_insert(i);
        }
    }
    let first_of = |kind: DefinitionKind| file.definitions.iter().find(|d| d.kind == kind);
    let stage_names =
        first_of(DefinitionKind::Stages).map(|d| d.stages().map(|s| s.name.name.clone()).collect());
    let tier_names: Option<Vec<String>> = first_of(DefinitionKind::Value)
        .map(|d| d.tiers().map(|t| t.name.name.clone()).collect::<Vec<_>>())
        .filter(|t| !t.is_empty());
    let local_deprecated = file
        .definitions
        .iter()
        .filter_map(|d| {
            Some((DefRef::new(d.kind, d.name.as_ref()?.name.clone()), d.deprecated()?.to_owned()))
        })
        .collect();
    let mut c = Checker {
        catalog,
        local_deprecated,
        local,
        stage_names,
        tier_names,
        diagnostics: Vec::new(),
        resolutions: BTreeMap::new(),
    };
    c.duplicates(file);
    for def in &file.definitions {
        c.definition(def);
    }
    let graph = dependency_graph(file);
    c.cycles(file, &graph);
    let mut diagnostics = c.diagnostics;
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    Checked { diagnostics, resolutions: c.resolutions, graph }
}

/// The candidate closest to `name`, if any is close enough to suggest.
///
/// Close means a normalised Damerau–Levenshtein similarity of at least 0.6,
/// or the same last dotted part (`city` → `trait.city`). Ties go to the
/// earliest candidate, so suggestions are deterministic.
#[must_use]
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let last = |s: &str| s.rsplit('.').next().unwrap_or("").to_owned();
    let name_last = last(name);
    let mut best: Option<(f64, &str)> = None;
    for cand in candidates {
        if cand == name {
            continue;
        }
        let mut score = strsim::normalized_damerau_levenshtein(name, cand);
        if score < 0.6 && !name_last.is_empty() && last(cand) == name_last {
            score = 0.6;
        }
        if score >= 0.6 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// Types during checking.
#[derive(Clone, Debug, PartialEq)]
enum Ty {
    /// Already reported, or not knowable: compatible with everything.
    Unknown,
    Bool,
    Number,
    Money,
    Text,
    Date,
    Duration,
    Enum(Vec<String>),
    List(Box<Ty>),
    Event(String),
}

impl Ty {
    fn of(ft: &FieldType) -> Ty {
        match ft {
            FieldType::Number => Ty::Number,
            FieldType::Money => Ty::Money,
            FieldType::String => Ty::Text,
            FieldType::Date => Ty::Date,
            FieldType::Bool => Ty::Bool,
            FieldType::Enum(v) => Ty::Enum(v.clone()),
            FieldType::List(e) => Ty::List(Box::new(Ty::of(e))),
        }
    }

    fn describe(&self) -> String {
        match self {
            Ty::Unknown => "of unknown type".to_owned(),
            Ty::Bool => "true or false".to_owned(),
            Ty::Number => "a number".to_owned(),
            Ty::Money => "an amount of money".to_owned(),
            Ty::Text => "text".to_owned(),
            Ty::Date => "a date".to_owned(),
            Ty::Duration => "a length of time".to_owned(),
            Ty::Enum(v) => {
                let shown: Vec<String> = v.iter().take(6).map(|s| quote(s)).collect();
                let more = if v.len() > 6 { ", …" } else { "" };
                format!("one of {}{more}", shown.join(", "))
            }
            Ty::List(e) => format!("a list of {}", e.describe_plural()),
            Ty::Event(name) => format!("the event `{name}`"),
        }
    }

    fn describe_plural(&self) -> String {
        match self {
            Ty::Number => "numbers".to_owned(),
            Ty::Money => "amounts".to_owned(),
            Ty::Text | Ty::Enum(_) => "texts".to_owned(),
            Ty::Date => "dates".to_owned(),
            Ty::Bool => "true/false values".to_owned(),
            _ => "values".to_owned(),
        }
    }

    fn is_numeric(&self) -> bool {
        matches!(self, Ty::Number | Ty::Money)
    }

    fn is_text(&self) -> bool {
        matches!(self, Ty::Text | Ty::Enum(_))
    }

    fn is_orderable(&self) -> bool {
        matches!(self, Ty::Number | Ty::Money | Ty::Date)
    }
}

/// Where an expression is checked.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    /// Inside a filter on this event: paths are its properties.
    event: Option<&'a EventType>,
    /// Inside any event filter (even of an unknown event).
    in_filter: bool,
}

const PROFILE: Ctx<'static> = Ctx { event: None, in_filter: false };

/// A constant, for range checks.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Const {
    Number(f64),
    /// Days since 1970-01-01.
    Day(i64),
    /// Days from today (approximate for months and years).
    Relative(f64),
}

struct Checker<'a> {
    catalog: &'a Catalog,
    /// The file's definitions by kind and name (the first of duplicates).
    local: BTreeMap<DefRef, usize>,
    /// The file's deprecated definitions, with their notes.
    local_deprecated: BTreeMap<DefRef, String>,
    stage_names: Option<Vec<String>>,
    tier_names: Option<Vec<String>>,
    diagnostics: Vec<Diagnostic>,
    resolutions: BTreeMap<Span, Resolution>,
}

impl<'a> Checker<'a> {
    fn report(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn has(&self, kind: DefinitionKind, name: &str) -> bool {
        let r = DefRef::new(kind, name);
        self.local.contains_key(&r) || self.catalog.has_definition(&r)
    }

    /// Warns when a reference points at a deprecated definition.
    fn deprecation(&mut self, kind: DefinitionKind, name: &str, span: Span) {
        let r = DefRef::new(kind, name);
        let note = if self.local.contains_key(&r) {
            self.local_deprecated.get(&r).cloned()
        } else {
            self.catalog.deprecation(&r).map(ToOwned::to_owned)
        };
        if let Some(note) = note {
            let mut d = Diagnostic::new(Code::DeprecatedReference, span, format!("{r} is deprecated"));
            if !note.is_empty() {
                d = d.with_suggestion(note);
            }
            self.report(d);
        }
    }

    fn names(&self, kind: DefinitionKind) -> Vec<String> {
        let mut out: Vec<String> =
            self.local.keys().filter(|d| d.kind == kind).map(|d| d.name.clone()).collect();
        for n in self.catalog.names(kind) {
            if !out.iter().any(|o| o == n) {
                out.push(n.to_owned());
            }
        }
        out
    }

    // ----- definitions -------------------------------------------------

    fn duplicates(&mut self, file: &SourceFile) {
        let mut seen: BTreeSet<DefRef> = BTreeSet::new();
        let mut seen_kind: BTreeSet<DefinitionKind> = BTreeSet::new();
        for def in &file.definitions {
            if def.kind.is_singleton() && !seen_kind.insert(def.kind) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateBlock,
                        def.keyword,
                        format!("a vocabulary has one `{}` block, and this is a second one", def.kind),
                    )
                    .with_suggestion("merge the two blocks into one"),
                );
                continue;
            }
            let Some(name) = &def.name else { continue };
            if !seen.insert(DefRef::new(def.kind, &name.name)) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateDefinition,
                        name.span,
                        format!("{} `{}` is defined more than once", def.kind, name.name),
                    )
                    .with_suggestion("rename one of them or delete the older one"),
                );
            }
        }
    }

    fn definition(&mut self, def: &Definition) {
        let head = def.name.as_ref().map_or(def.keyword, |n| n.span);
        let mut once: BTreeMap<&'static str, Span> = BTreeMap::new();
        for clause in &def.clauses {
            let kw = clause.kind.keyword();
            if !allowed(def.kind, kw.split(' ').next().unwrap_or(kw)) {
                continue; // the parser reported it as misplaced
            }
            let single = matches!(
                clause.kind,
                ClauseKind::Owner(_)
                    | ClauseKind::Description(_)
                    | ClauseKind::Deprecated(_)
                    | ClauseKind::Tags(_)
                    | ClauseKind::Where(_)
                    | ClauseKind::Horizon(_)
                    | ClauseKind::Discount { .. }
                    | ClauseKind::ReturnCost(_)
                    | ClauseKind::Margin { category: None, .. }
                    | ClauseKind::ContactCost { channel: None, .. }
            );
            if single && once.insert(kw, clause.keyword).is_some() {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateClause,
                        clause.keyword,
                        format!("{} `{}` has more than one `{kw}` clause", def.kind, def.name()),
                    )
                    .with_suggestion(match clause.kind {
                        ClauseKind::Where(_) => "join the conditions with `and` in one `where`".to_owned(),
                        ClauseKind::Tags(_) => "list all tags in one clause: tags \"a\", \"b\"".to_owned(),
                        _ => format!("keep one `{kw}`"),
                    }),
                );
            }
            self.clause(clause);
        }
        match def.kind {
            DefinitionKind::Segment => {
                if def.condition().is_none() {
                    self.missing(
                        head,
                        format!("segment `{}` has no `where` condition", def.name()),
                        "add `where` and the condition profiles must meet",
                    );
                }
            }
            DefinitionKind::Score => {
                if def.points().next().is_none() {
                    self.missing(
                        head,
                        format!("score `{}` has no `points` rules", def.name()),
                        "add e.g. `points 5 per web.page_view within 30d`",
                    );
                }
            }
            DefinitionKind::Stages => self.stages(def, head),
            DefinitionKind::Value => self.value_block(def, head),
            DefinitionKind::Touchpoints => self.touchpoints(def, head),
        }
    }

    fn missing(&mut self, span: Span, message: String, suggestion: &str) {
        self.report(Diagnostic::new(Code::MissingClause, span, message).with_suggestion(suggestion));
    }

    fn clause(&mut self, clause: &Clause) {
        match &clause.kind {
            ClauseKind::Where(e) => self.condition(e, PROFILE),
            ClauseKind::Points(p) => self.points(p),
            ClauseKind::Stage(s) => {
                if let Some(e) = &s.when {
                    self.condition(e, PROFILE);
                }
            }
            ClauseKind::Map { event, .. } | ClauseKind::Ignore(event) => {
                self.events_only(event, "`map` and `ignore` name events");
            }
            _ => {}
        }
    }

    fn points(&mut self, p: &PointsRule) {
        match &p.kind {
            PointsKind::Per { divisor, measure, max } => {
                if let Some(d) = divisor
                    && d.value.value <= 0.0
                {
                    self.report(Diagnostic::new(
                        Code::OutOfRange,
                        d.span,
                        format!("`per {} of` must count in positive steps", d.value.text),
                    ));
                }
                if let Some(m) = max
                    && m.value.value <= 0.0
                {
                    self.report(
                        Diagnostic::new(
                            Code::OutOfRange,
                            m.span,
                            "`max` caps the size of a rule's points and must be positive",
                        )
                        .with_suggestion("for negative points, `max 20` means at most -20"),
                    );
                }
                match measure {
                    Measure::Events(spec) => self.events_only(spec, "`per` counts events; to weigh a property write e.g. `per sum(order.amount within 90d)`"),
                    Measure::Value(e) => {
                        let t = self.value(e, PROFILE);
                        if t != Ty::Unknown && !t.is_numeric() {
                            self.report(Diagnostic::new(
                                Code::TypeMismatch,
                                e.span,
                                format!("`per` needs something countable, but `{}` is {}", expr_text(e), t.describe()),
                            ));
                        }
                    }
                }
            }
            PointsKind::When(e) => self.condition(e, PROFILE),
        }
    }

    /// An event spec that must name an event, not a property.
    fn events_only(&mut self, spec: &EventSpec, hint: &str) {
        let (event, property) = self.event_spec(spec, false);
        if event.is_some() && property.is_some() {
            self.report(
                Diagnostic::new(
                    Code::AggregateArgument,
                    spec.path.span,
                    format!("`{}` is an event property, not an event", spec.path.dotted()),
                )
                .with_suggestion(hint),
            );
        }
    }

    fn stages(&mut self, def: &Definition, head: Span) {
        let mut names = BTreeSet::new();
        let mut fallback: Option<&StageRule> = None;
        for rule in def.stages() {
            if !names.insert(rule.name.name.as_str()) {
                self.report(Diagnostic::new(
                    Code::DuplicateName,
                    rule.name.span,
                    format!("stage `{}` is listed twice", rule.name.name),
                ));
            }
            if let Some(f) = fallback {
                self.report(
                    Diagnostic::new(
                        Code::RuleAfterFallback,
                        rule.name.span,
                        format!(
                            "stage `{}` comes after the fallback `{}` and can never be reached",
                            rule.name.name, f.name.name
                        ),
                    )
                    .with_suggestion("the `otherwise` stage must be the last one"),
                );
            } else if rule.when.is_none() {
                fallback = Some(rule);
            }
        }
        if fallback.is_none() {
            self.report(
                Diagnostic::new(
                    Code::MissingFallback,
                    head,
                    format!("stages `{}` has no fallback, so some profiles would be in no stage", def.name()),
                )
                .with_suggestion("end the block with a stage that says `otherwise`, e.g. `stage lapsed \"Lapsed\" otherwise`"),
            );
        }
    }

    fn value_block(&mut self, def: &Definition, head: Span) {
        let mut has = BTreeSet::new();
        let mut categories = BTreeSet::new();
        let mut channels = BTreeSet::new();
        let mut tiers = BTreeSet::new();
        let mut fallback: Option<&TierRule> = None;
        let mut last_threshold: Option<&NumberLit> = None;
        for clause in &def.clauses {
            match &clause.kind {
                ClauseKind::Horizon(h) => {
                    has.insert("horizon");
                    let months = match h.value.unit {
                        DurationUnit::Month => Some(h.value.amount),
                        DurationUnit::Year => Some(h.value.amount.saturating_mul(12)),
                        _ => None,
                    };
                    match months {
                        None => self.report(
                            Diagnostic::new(
                                Code::InvalidHorizon,
                                h.span,
                                "the value horizon is counted in months or years",
                            )
                            .with_suggestion("write e.g. `horizon 12m` or `horizon 1y`"),
                        ),
                        Some(0) => self.report(Diagnostic::new(
                            Code::InvalidHorizon,
                            h.span,
                            "the value horizon must be at least one month",
                        )),
                        Some(m) if m > 120 => self.report(Diagnostic::new(
                            Code::InvalidHorizon,
                            h.span,
                            "the value horizon can be at most 10 years (120m)",
                        )),
                        Some(_) => {}
                    }
                }
                ClauseKind::Discount { rate, .. } => {
                    has.insert("discount");
                    if !(0.0..1.0).contains(&rate.value.value) {
                        self.report(Diagnostic::new(Code::OutOfRange, rate.span, format!("a discount rate of {} is not possible: it must be at least 0% and below 100%", rate.value.text)));
                    }
                }
                ClauseKind::Margin { rate, category } => {
                    if !(-1.0..=1.0).contains(&rate.value.value) {
                        self.report(Diagnostic::new(
                            Code::OutOfRange,
                            rate.span,
                            format!(
                                "a gross margin of {} is not possible: it lies between -100% and 100%",
                                rate.value.text
                            ),
                        ));
                    }
                    match category {
                        None => {
                            has.insert("margin");
                        }
                        Some(c) => {
                            if !categories.insert(c.value.clone()) {
                                self.report(Diagnostic::new(
                                    Code::DuplicateName,
                                    c.span,
                                    format!("the margin for {} is given twice", quote(&c.value)),
                                ));
                            }
                        }
                    }
                }
                ClauseKind::ContactCost { cost, channel } => {
                    self.non_negative(cost);
                    if let Some(c) = channel
                        && !channels.insert(c.value.clone())
                    {
                        self.report(Diagnostic::new(
                            Code::DuplicateName,
                            c.span,
                            format!("the contact cost for {} is given twice", quote(&c.value)),
                        ));
                    }
                }
                ClauseKind::ReturnCost(cost) => self.non_negative(cost),
                ClauseKind::Tier(t) => {
                    if !tiers.insert(t.name.name.as_str()) {
                        self.report(Diagnostic::new(
                            Code::DuplicateName,
                            t.name.span,
                            format!("tier `{}` is listed twice", t.name.name),
                        ));
                    }
                    if let Some(f) = fallback {
                        self.report(
                            Diagnostic::new(
                                Code::RuleAfterFallback,
                                t.name.span,
                                format!(
                                    "tier `{}` comes after the fallback `{}` and can never be reached",
                                    t.name.name, f.name.name
                                ),
                            )
                            .with_suggestion("the `otherwise` tier must be the last one"),
                        );
                        continue;
                    }
                    match &t.from {
                        None => fallback = Some(t),
                        Some(n) => {
                            if let Some(prev) = last_threshold
                                && n.value.value >= prev.value.value
                            {
                                self.report(
                                        Diagnostic::new(
                                            Code::TierOrder,
                                            n.span,
                                            format!("tier `{}` starts at {}, which is not below the previous tier's {}", t.name.name, n.value.text, prev.value.text),
                                        )
                                        .with_suggestion("list tiers from the highest value down"),
                                    );
                            }
                            last_threshold = Some(n);
                        }
                    }
                }
                _ => {}
            }
        }
        for (clause, example) in
            [("horizon", "horizon 12m"), ("discount", "discount 10% per year"), ("margin", "margin 35%")]
        {
            if !has.contains(clause) {
                self.missing(
                    head,
                    format!("value `{}` has no `{clause}`", def.name()),
                    &format!("add e.g. `{example}`"),
                );
            }
        }
        if !tiers.is_empty() && fallback.is_none() {
            self.report(
                Diagnostic::new(
                    Code::MissingFallback,
                    head,
                    format!("value `{}` has tiers but no fallback tier", def.name()),
                )
                .with_suggestion("end the tiers with e.g. `tier low \"Low\" otherwise`"),
            );
        }
    }

    fn non_negative(&mut self, n: &NumberLit) {
        if n.value.value < 0.0 {
            self.report(Diagnostic::new(
                Code::OutOfRange,
                n.span,
                format!("a cost of {} is not possible: costs are not negative", n.value.text),
            ));
        }
    }

    fn touchpoints(&mut self, def: &Definition, head: Span) {
        let mut groups: Vec<&str> = Vec::new();
        for clause in &def.clauses {
            if let ClauseKind::Group { name, .. } = &clause.kind {
                if groups.contains(&name.name.as_str()) {
                    self.report(Diagnostic::new(
                        Code::DuplicateName,
                        name.span,
                        format!("group `{}` is declared twice", name.name),
                    ));
                } else {
                    groups.push(&name.name);
                }
            }
        }
        let mut maps = 0;
        for clause in &def.clauses {
            if let ClauseKind::Map { label, .. } = &clause.kind {
                maps += 1;
                let g = label.group.name.as_str();
                if !groups.contains(&g) {
                    let mut d = Diagnostic::new(
                        Code::UnknownGroup,
                        label.group.span,
                        format!("label `{g}:{}` uses the undeclared group `{g}`", label.name.name),
                    );
                    d = match closest(g, groups.iter().copied()) {
                        Some(best) => d
                            .with_suggestion(format!("did you mean `{best}`?"))
                            .with_fix(label.group.span, best.to_owned()),
                        None => d.with_suggestion(format!("declare it with `group {g} \"Title\"`")),
                    };
                    self.report(d);
                }
            }
        }
        if maps == 0 {
            self.missing(
                head,
                format!("touchpoints `{}` maps no events", def.name()),
                "add e.g. `map email.click to email:click`",
            );
        }
    }

    // ----- cycles ------------------------------------------------------

    fn cycles(&mut self, file: &SourceFile, graph: &DependencyGraph) {
        let n = file.definitions.len();
        let mut ids: BTreeMap<DefRef, usize> = BTreeMap::new();
        let mut nodes: Vec<DefRef> = Vec::new();
        for (i, def) in file.definitions.iter().enumerate() {
            let r = DefRef::new(def.kind, def.name());
            ids.entry(r.clone()).or_insert(i);
            nodes.push(r);
        }
        let singleton = |kind: DefinitionKind| file.definitions.iter().position(|d| d.kind == kind);
        let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
        // Where each local edge is written, for the report.
        let mut edge_span: BTreeMap<(usize, usize), Span> = BTreeMap::new();
        let mut pending: Vec<DefRef> = Vec::new();
        let mut id_of = |r: &DefRef,
                         nodes: &mut Vec<DefRef>,
                         adj: &mut Vec<Vec<usize>>,
                         pending: &mut Vec<DefRef>|
         -> usize {
            if r.name.is_empty()
                && r.kind.is_singleton()
                && let Some(i) = singleton(r.kind)
            {
                return i;
            }
            if let Some(&i) = ids.get(r) {
                return i;
            }
            let i = nodes.len();
            ids.insert(r.clone(), i);
            nodes.push(r.clone());
            adj.push(Vec::new());
            pending.push(r.clone());
            i
        };
        for r in &graph.references {
            let to = id_of(&r.to, &mut nodes, &mut adj, &mut pending);
            edge_span.entry((r.from, to)).or_insert(r.span);
            if let Some(list) = adj.get_mut(r.from)
                && !list.contains(&to)
            {
                list.push(to);
            }
        }
        // Follow definitions from elsewhere through the catalog.
        while let Some(ext) = pending.pop() {
            let from = id_of(&ext, &mut nodes, &mut adj, &mut pending);
            for dep in self.catalog.dependencies(&ext).to_vec() {
                let to = id_of(&dep, &mut nodes, &mut adj, &mut pending);
                if let Some(list) = adj.get_mut(from)
                    && !list.contains(&to)
                {
                    list.push(to);
                }
            }
        }
        for cycle in find_cycles(&adj) {
            let (Some(&first), Some(&second)) = (cycle.first(), cycle.get(1)) else { continue };
            if first >= n {
                continue; // entirely elsewhere: not this file's problem
            }
            let span = edge_span.get(&(first, second)).copied().unwrap_or_default();
            let path: Vec<String> =
                cycle.iter().filter_map(|&i| nodes.get(i)).map(ToString::to_string).collect();
            let name = nodes.get(first).map(ToString::to_string).unwrap_or_default();
            let message = if cycle.len() == 2 {
                format!("{name} refers to itself")
            } else {
                format!("{name} refers to itself through a cycle: {}", path.join(" → "))
            };
            self.report(
                Diagnostic::new(Code::ReferenceCycle, span, message).with_suggestion(
                    "a definition cannot depend on itself; remove one reference of the cycle",
                ),
            );
        }
    }

    // ----- expressions -------------------------------------------------

    /// Checks an expression that must be true or false.
    fn condition(&mut self, e: &Expr, ctx: Ctx<'_>) {
        let t = self.expr(e, ctx);
        match t {
            Ty::Bool | Ty::Unknown => {}
            Ty::Event(name) => {
                let fix = format!("count({name}) >= 1");
                self.report(
                    Diagnostic::new(
                        Code::NotACondition,
                        e.span,
                        format!("`{name}` is an event, not a condition"),
                    )
                    .with_suggestion(format!("to test that it happened, write `{fix}`"))
                    .with_fix(e.span, fix),
                );
            }
            t => {
                let text = expr_text(e);
                let example = match t {
                    Ty::Number | Ty::Money => format!("`{text} > 0`"),
                    Ty::Date => format!("`{text} >= today - 30d`"),
                    Ty::Text | Ty::Enum(_) => format!("`{text} = \"…\"` or `{text} is-set`"),
                    _ => format!("`{text} is-set`"),
                };
                self.report(
                    Diagnostic::new(
                        Code::NotACondition,
                        e.span,
                        format!("`{text}` is {}, not a condition", t.describe()),
                    )
                    .with_suggestion(format!("compare it, e.g. {example}")),
                );
            }
        }
    }

    /// Checks an expression used as a value; events are not values.
    fn value(&mut self, e: &Expr, ctx: Ctx<'_>) -> Ty {
        match self.expr(e, ctx) {
            Ty::Event(name) => {
                self.report(
                    Diagnostic::new(Code::TypeMismatch, e.span, format!("`{name}` is an event, not a value"))
                        .with_suggestion(format!(
                            "use an aggregate, e.g. `count({name})` or `last({name}).at`"
                        )),
                );
                Ty::Unknown
            }
            t => t,
        }
    }

    fn expr(&mut self, e: &Expr, ctx: Ctx<'_>) -> Ty {
        match &e.kind {
            ExprKind::Or(items) | ExprKind::And(items) => {
                for i in items {
                    self.condition(i, ctx);
                }
                Ty::Bool
            }
            ExprKind::Not(inner) => {
                self.condition(inner, ctx);
                Ty::Bool
            }
            ExprKind::Paren(inner) => self.expr(inner, ctx),
            ExprKind::Compare { op, lhs, rhs } => {
                self.compare(*op, lhs, rhs, ctx);
                Ty::Bool
            }
            ExprKind::Between { value, low, high, .. } => {
                let vt = self.value(value, ctx);
                let lt = self.value(low, ctx);
                let ht = self.value(high, ctx);
                if vt != Ty::Unknown && !vt.is_orderable() {
                    self.report(Diagnostic::new(
                        Code::TypeMismatch,
                        value.span,
                        format!(
                            "`between` compares numbers, money or dates, but `{}` is {}",
                            expr_text(value),
                            vt.describe()
                        ),
                    ));
                } else {
                    self.compatible(value, &vt, low, &lt);
                    self.compatible(value, &vt, high, &ht);
                    self.range(low, high, "range");
                }
                Ty::Bool
            }
            ExprKind::IsSet { value, .. } => {
                self.value(value, ctx);
                Ty::Bool
            }
            ExprKind::InSegment(name) => {
                self.segment_ref(name);
                Ty::Bool
            }
            ExprKind::Sequence(seq) => {
                self.sequence(seq);
                Ty::Bool
            }
            ExprKind::Path(path) => match ctx.event {
                Some(ev) => self.property_path(path, ev),
                None if ctx.in_filter => Ty::Unknown,
                None => self.field_path(path),
            },
            ExprKind::Literal(l) => match l {
                Literal::Number(_) | Literal::Percent(_) => Ty::Number,
                Literal::String(_) => Ty::Text,
                Literal::Date(_) => Ty::Date,
                Literal::Duration(_) => Ty::Duration,
                Literal::Bool(_) => Ty::Bool,
            },
            ExprKind::List(items) => {
                let mut elem = Ty::Unknown;
                for i in items {
                    let t = self.value(i, ctx);
                    if elem == Ty::Unknown {
                        elem = t;
                    }
                }
                Ty::List(Box::new(elem))
            }
            ExprKind::Today => Ty::Date,
            ExprKind::Aggregate(agg) => {
                if ctx.in_filter {
                    self.report(
                        Diagnostic::new(
                            Code::AggregateArgument,
                            e.span,
                            "an event filter cannot contain an aggregate",
                        )
                        .with_suggestion("filters compare the event's own properties with values"),
                    );
                    return Ty::Unknown;
                }
                self.aggregate(agg)
            }
            ExprKind::Arith { op, lhs, rhs } => self.arith(*op, lhs, rhs, ctx, e.span),
            ExprKind::Neg(inner) => {
                let t = self.value(inner, ctx);
                match t {
                    Ty::Number | Ty::Money | Ty::Unknown => t,
                    t => {
                        self.report(Diagnostic::new(
                            Code::TypeMismatch,
                            e.span,
                            format!("`{}` is {} and cannot be negated", expr_text(inner), t.describe()),
                        ));
                        Ty::Unknown
                    }
                }
            }
            ExprKind::Error => Ty::Unknown,
        }
    }

    fn segment_ref(&mut self, name: &Ident) {
        if self.has(DefinitionKind::Segment, &name.name) {
            self.resolutions.insert(name.span, Resolution::Segment(name.name.clone()));
            self.deprecation(DefinitionKind::Segment, &name.name, name.span);
            return;
        }
        let mut d =
            Diagnostic::new(Code::UnknownSegment, name.span, format!("there is no segment `{}`", name.name));
        let segments = self.names(DefinitionKind::Segment);
        if let Some(best) = closest(&name.name, segments.iter().map(String::as_str)) {
            d = d.with_suggestion(format!("did you mean `{best}`?")).with_fix(name.span, best.to_owned());
        } else if self.has(DefinitionKind::Score, &name.name) {
            d = d.with_suggestion(format!("`{0}` is a score: compare it, e.g. `score.{0} >= 50`", name.name));
        }
        self.report(d);
    }

    /// A profile-level path: a catalog field, `score.NAME`, `stage`, `value.tier`.
    fn field_path(&mut self, path: &Path) -> Ty {
        let dotted = path.dotted();
        let parts: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
        if let ["score", name] = parts.as_slice() {
            if self.has(DefinitionKind::Score, name) {
                self.resolutions.insert(path.span, Resolution::Score((*name).to_owned()));
                self.deprecation(DefinitionKind::Score, name, path.span);
                return Ty::Number;
            }
            let mut d = Diagnostic::new(Code::UnknownScore, path.span, format!("there is no score `{name}`"));
            let scores = self.names(DefinitionKind::Score);
            if let Some(best) = closest(name, scores.iter().map(String::as_str)) {
                d = d
                    .with_suggestion(format!("did you mean `score.{best}`?"))
                    .with_fix(path.span, format!("score.{best}"));
            }
            self.report(d);
            return Ty::Unknown;
        }
        let local_values = match dotted.as_str() {
            "stage" => self.stage_names.clone(),
            "value.tier" => self.tier_names.clone(),
            _ => None,
        };
        if let Some(values) = local_values {
            let field = Field { path: dotted, ty: FieldType::Enum(values.clone()) };
            self.resolutions.insert(path.span, Resolution::Field(field));
            return Ty::Enum(values);
        }
        if let Some(field) = self.catalog.get_field(&dotted) {
            self.resolutions.insert(path.span, Resolution::Field(field.clone()));
            return Ty::of(&field.ty);
        }
        if self.catalog.get_event(&dotted).is_some() {
            self.resolutions.insert(path.span, Resolution::Event(dotted.clone()));
            return Ty::Event(dotted);
        }
        if let Some((event, prop)) = dotted.rsplit_once('.')
            && let Some(ev) = self.catalog.get_event(event)
            && ev.property(prop).is_some()
        {
            let fix = format!("last({event}).{prop}");
            self.report(
                Diagnostic::new(
                    Code::UnknownField,
                    path.span,
                    format!("`{dotted}` is a property of the event `{event}`, not a profile field"),
                )
                .with_suggestion(format!("aggregate it, e.g. `{fix}` or `sum({dotted} within 30d)`"))
                .with_fix(path.span, fix),
            );
            return Ty::Unknown;
        }
        let mut candidates: Vec<String> = self.catalog.fields().map(|f| f.path.clone()).collect();
        candidates.extend(self.names(DefinitionKind::Score).into_iter().map(|s| format!("score.{s}")));
        let mut d = Diagnostic::new(Code::UnknownField, path.span, format!("unknown field `{dotted}`"));
        if let Some(best) = closest(&dotted, candidates.iter().map(String::as_str)) {
            d = d.with_suggestion(format!("did you mean `{best}`?")).with_fix(path.span, best.to_owned());
        } else if dotted == "stage" {
            d = d.with_suggestion("`stage` needs a stages block");
        }
        self.report(d);
        Ty::Unknown
    }

    /// A path inside a filter on `ev`: one of its properties.
    fn property_path(&mut self, path: &Path, ev: &EventType) -> Ty {
        let dotted = path.dotted();
        if let [only] = path.segments.as_slice()
            && let Some(ty) = ev.property(&only.name)
        {
            self.resolutions.insert(
                path.span,
                Resolution::Property { event: ev.name.clone(), property: only.name.clone(), ty: ty.clone() },
            );
            return Ty::of(&ty);
        }
        self.unknown_property(ev, &dotted, path.span);
        Ty::Unknown
    }

    fn unknown_property(&mut self, ev: &EventType, name: &str, span: Span) {
        let mut d = Diagnostic::new(
            Code::UnknownProperty,
            span,
            format!("the event `{}` has no property `{name}`", ev.name),
        );
        if let Some(best) = closest(name, ev.property_names()) {
            d = d.with_suggestion(format!("did you mean `{best}`?")).with_fix(span, best.to_owned());
        } else {
            let names: Vec<&str> = ev.property_names().collect();
            d = d.with_suggestion(format!("its properties are {}", names.join(", ")));
        }
        self.report(d);
    }

    /// Resolves the path of an event spec to an event and maybe a property,
    /// then checks its filter and window.
    fn event_spec(
        &mut self,
        spec: &EventSpec,
        _allow_property: bool,
    ) -> (Option<&'a EventType>, Option<(String, Ty, Span)>) {
        let path = &spec.path;
        let dotted = path.dotted();
        let catalog = self.catalog;
        let mut result: (Option<&'a EventType>, Option<(String, Ty, Span)>) = (None, None);
        if let Some(ev) = catalog.get_event(&dotted) {
            self.resolutions.insert(path.span, Resolution::Event(dotted.clone()));
            result = (Some(ev), None);
        } else if let Some((event, prop)) = dotted.rsplit_once('.')
            && let Some(ev) = catalog.get_event(event)
        {
            let last_span = path.segments.last().map_or(path.span, |s| s.span);
            match ev.property(prop) {
                Some(ty) => {
                    self.resolutions.insert(
                        path.span,
                        Resolution::Property {
                            event: event.to_owned(),
                            property: prop.to_owned(),
                            ty: ty.clone(),
                        },
                    );
                    result = (Some(ev), Some((prop.to_owned(), Ty::of(&ty), path.span)));
                }
                None => {
                    self.unknown_property(ev, prop, last_span);
                    result = (Some(ev), Some((prop.to_owned(), Ty::Unknown, path.span)));
                }
            }
        }
        if result.0.is_none() {
            let mut d = Diagnostic::new(Code::UnknownEvent, path.span, format!("unknown event `{dotted}`"));
            let names: Vec<&str> = catalog.events().map(|e| e.name.as_str()).collect();
            let prefix = dotted.rsplit_once('.').map(|(p, _)| p);
            if let Some(best) = closest(&dotted, names.iter().copied())
                .or_else(|| prefix.and_then(|p| closest(p, names.iter().copied())))
            {
                d = d.with_suggestion(format!("did you mean `{best}`?")).with_fix(path.span, best.to_owned());
            } else if catalog.get_field(&dotted).is_some() {
                d = d.with_suggestion(format!("`{dotted}` is a profile field, not an event"));
            }
            self.report(d);
        }
        if let Some(filter) = &spec.filter {
            let ctx = Ctx { event: result.0, in_filter: true };
            self.condition(filter, ctx);
        }
        if let Some(w) = &spec.window {
            self.window(w);
        }
        result
    }

    fn window(&mut self, w: &Window) {
        if let WindowKind::Between(a, b) = &w.kind {
            let at = self.value(a, PROFILE);
            let bt = self.value(b, PROFILE);
            let date_ok = self.expect_date(a, &at) & self.expect_date(b, &bt);
            if date_ok {
                self.range(a, b, "window");
            }
        }
    }

    /// Reports a window bound or comparison operand that should be a date.
    fn expect_date(&mut self, e: &Expr, t: &Ty) -> bool {
        match t {
            Ty::Date | Ty::Unknown => true,
            Ty::Duration => {
                self.relative_date_hint(e, "a length of time");
                false
            }
            Ty::Number => {
                self.relative_date_hint(e, "a number");
                false
            }
            t => {
                self.report(Diagnostic::new(
                    Code::TypeMismatch,
                    e.span,
                    format!("expected a date, but `{}` is {}", expr_text(e), t.describe()),
                ));
                false
            }
        }
    }

    fn relative_date_hint(&mut self, e: &Expr, what: &str) {
        let text = expr_text(e);
        let mut d =
            Diagnostic::new(Code::InvalidRelativeDate, e.span, format!("`{text}` is {what}, not a date"));
        let amount = match &e.kind {
            ExprKind::Literal(Literal::Duration(dur)) => Some(dur.to_string()),
            ExprKind::Literal(Literal::Number(n)) if n.value.fract() == 0.0 && n.value >= 0.0 => {
                Some(format!("{}d", n.text))
            }
            _ => None,
        };
        if let Some(a) = amount {
            let fix = format!("today - {a}");
            d = d.with_suggestion(format!("for a date in the past, write `{fix}`")).with_fix(e.span, fix);
        } else {
            d = d.with_suggestion("write a date like `2025-01-31` or `today - 90d`");
        }
        self.report(d);
    }

    /// Warns when the constant bounds `low`, `high` are the wrong way round.
    fn range(&mut self, low: &Expr, high: &Expr, what: &str) {
        if let (Some(a), Some(b)) = (constant(low), constant(high)) {
            let reversed = match (a, b) {
                (Const::Number(x), Const::Number(y)) | (Const::Relative(x), Const::Relative(y)) => x > y,
                (Const::Day(x), Const::Day(y)) => x > y,
                _ => false,
            };
            if reversed {
                self.report(
                    Diagnostic::new(
                        Code::EmptyRange,
                        low.span.cover(high.span),
                        format!(
                            "this {what} is empty: `{}` comes after `{}`",
                            expr_text(low),
                            expr_text(high)
                        ),
                    )
                    .with_suggestion(format!(
                        "write the earlier bound first: `between {} and {}`",
                        expr_text(high),
                        expr_text(low)
                    )),
                );
            }
        }
    }

    fn sequence(&mut self, seq: &Sequence) {
        let last = seq.steps.len().saturating_sub(1);
        for (i, step) in seq.steps.iter().enumerate() {
            self.events_only(
                &step.event,
                "sequences are made of events, e.g. `web.product_view then order within 7d`",
            );
            if step.absent && i != last {
                self.report(
                    Diagnostic::new(
                        Code::InvalidSequence,
                        step.span,
                        "only the last step of a sequence can be `then no …`",
                    )
                    .with_suggestion("split it into two conditions joined with `and`"),
                );
            }
        }
        if seq.steps.len() < 2
            && let Some(first) = seq.steps.first()
        {
            self.report(Diagnostic::new(
                Code::InvalidSequence,
                first.span,
                "a sequence needs at least two steps joined with `then`",
            ));
        }
    }

    fn aggregate(&mut self, agg: &Aggregate) -> Ty {
        let (event, property) = self.event_spec(&agg.target, true);
        let func = agg.func.as_str();
        let event_name = event.map(|e| e.name.clone()).unwrap_or_default();
        let needs_property = |c: &mut Self, example: &str| {
            let mut d = Diagnostic::new(
                Code::AggregateArgument,
                agg.target.path.span,
                format!("`{func}` needs a property of the event, as in `{func}({example})`"),
            );
            if let Some(ev) = event {
                let numeric: Vec<&str> = ev
                    .properties
                    .iter()
                    .filter(|(_, t)| matches!(t, FieldType::Number | FieldType::Money))
                    .map(|(k, _)| k.as_str())
                    .collect();
                if let Some(p) = numeric.first() {
                    d = d.with_fix(agg.target.path.span, format!("{}.{p}", ev.name));
                }
            }
            c.report(d);
        };
        if event.is_none() {
            return Ty::Unknown;
        }
        if !matches!(agg.func, AggregateFn::First | AggregateFn::Last)
            && let Some(p) = &agg.property
        {
            self.report(Diagnostic::new(
                    Code::AggregateArgument,
                    p.span,
                    format!("only `first(…)` and `last(…)` are followed by `.property`; `{func}` already gives a value"),
                ));
        }
        match agg.func {
            AggregateFn::Count => {
                if let Some((_, _, span)) = property {
                    self.report(
                        Diagnostic::new(
                            Code::AggregateArgument,
                            span,
                            format!("`count` counts events: write `count({event_name})`"),
                        )
                        .with_suggestion("to count distinct values of a property, use `distinct(…)`")
                        .with_fix(span, event_name.clone()),
                    );
                }
                Ty::Number
            }
            AggregateFn::Sum | AggregateFn::Avg => match property {
                None => {
                    needs_property(self, &format!("{event_name}.amount"));
                    Ty::Unknown
                }
                Some((_, t, _)) if t.is_numeric() || t == Ty::Unknown => t,
                Some((name, t, span)) => {
                    self.report(Diagnostic::new(
                        Code::TypeMismatch,
                        span,
                        format!("`{func}` adds up numbers, but `{name}` is {}", t.describe()),
                    ));
                    Ty::Unknown
                }
            },
            AggregateFn::Min | AggregateFn::Max => match property {
                None => {
                    needs_property(self, &format!("{event_name}.amount"));
                    Ty::Unknown
                }
                Some((_, t, _)) if t.is_orderable() || t == Ty::Unknown => t,
                Some((name, t, span)) => {
                    self.report(Diagnostic::new(
                        Code::TypeMismatch,
                        span,
                        format!("`{func}` needs numbers, money or dates, but `{name}` is {}", t.describe()),
                    ));
                    Ty::Unknown
                }
            },
            AggregateFn::Distinct => {
                if property.is_none() {
                    needs_property(self, &format!("{event_name}.category"));
                }
                Ty::Number
            }
            AggregateFn::First | AggregateFn::Last => {
                if let Some((name, _, span)) = &property {
                    let fix = format!("{func}({event_name}).{name}");
                    self.report(
                        Diagnostic::new(
                            Code::AggregateArgument,
                            *span,
                            format!("write the property after the parentheses: `{fix}`"),
                        )
                        .with_suggestion(format!(
                            "`{func}(…)` picks one event; `.{name}` then reads its property"
                        )),
                    );
                    return Ty::Unknown;
                }
                let Some(prop) = &agg.property else {
                    let span = agg.func_span.cover(agg.target.span);
                    self.report(
                        Diagnostic::new(
                            Code::MissingProperty,
                            span,
                            format!("`{func}({event_name})` is an event; say which of its properties to use"),
                        )
                        .with_suggestion(format!("e.g. `{func}({event_name}).at` for its date")),
                    );
                    return Ty::Unknown;
                };
                let Some(ev) = event else { return Ty::Unknown };
                match ev.property(&prop.name) {
                    Some(ty) => {
                        self.resolutions.insert(
                            prop.span,
                            Resolution::Property {
                                event: ev.name.clone(),
                                property: prop.name.clone(),
                                ty: ty.clone(),
                            },
                        );
                        Ty::of(&ty)
                    }
                    None => {
                        self.unknown_property(ev, &prop.name, prop.span);
                        Ty::Unknown
                    }
                }
            }
        }
    }

    fn arith(&mut self, op: ArithOp, lhs: &Expr, rhs: &Expr, ctx: Ctx<'_>, span: Span) -> Ty {
        let lt = self.value(lhs, ctx);
        let rt = self.value(rhs, ctx);
        match (&lt, &rt) {
            (Ty::Date, Ty::Duration) | (Ty::Duration, Ty::Date) if op == ArithOp::Add || lt == Ty::Date => {
                Ty::Date
            }
            (Ty::Date, Ty::Unknown) | (Ty::Unknown, Ty::Date) => Ty::Date,
            (Ty::Unknown, _) | (_, Ty::Unknown) => Ty::Unknown,
            (Ty::Date, Ty::Number) => {
                let mut d = Diagnostic::new(
                    Code::InvalidRelativeDate,
                    rhs.span,
                    format!(
                        "`{}` has no unit, so it cannot be {} a date",
                        expr_text(rhs),
                        if op == ArithOp::Add { "added to" } else { "taken from" }
                    ),
                );
                if let ExprKind::Literal(Literal::Number(n)) = &rhs.kind
                    && n.value.fract() == 0.0
                {
                    d = d
                        .with_suggestion(format!(
                            "add a unit: `{}d` (days), `{0}w`, `{0}m` or `{0}y`",
                            n.text
                        ))
                        .with_fix(rhs.span, format!("{}d", n.text));
                }
                self.report(d);
                Ty::Date
            }
            (a, b) if a.is_numeric() && b.is_numeric() => {
                if *a == Ty::Money || *b == Ty::Money {
                    Ty::Money
                } else {
                    Ty::Number
                }
            }
            (Ty::Duration, Ty::Duration) => Ty::Duration,
            (Ty::Date, Ty::Date) => {
                self.report(
                    Diagnostic::new(Code::TypeMismatch, span, "one date cannot be taken from another")
                        .with_suggestion("compare the dates instead, e.g. `last(order).at < today - 90d`"),
                );
                Ty::Unknown
            }
            (a, b) => {
                self.report(Diagnostic::new(
                    Code::TypeMismatch,
                    span,
                    format!(
                        "cannot {} {} and {}",
                        if op == ArithOp::Add { "add" } else { "subtract" },
                        a.describe(),
                        b.describe()
                    ),
                ));
                Ty::Unknown
            }
        }
    }

    fn compare(&mut self, op: CompareOp, lhs: &Expr, rhs: &Expr, ctx: Ctx<'_>) {
        let lt = self.value(lhs, ctx);
        let sym = op.as_str();
        match op.positive() {
            CompareOp::In => {
                let ExprKind::List(items) = &rhs.kind else {
                    let rt = self.value(rhs, ctx);
                    if rt == Ty::Unknown {
                        return;
                    }
                    let mut d = Diagnostic::new(
                        Code::TypeMismatch,
                        rhs.span,
                        format!(
                            "`{sym}` needs a list such as [\"a\", \"b\"], but `{}` is {}",
                            expr_text(rhs),
                            rt.describe()
                        ),
                    );
                    if matches!(rt, Ty::List(_)) {
                        let fix = format!("{} contains {}", expr_text(rhs), expr_text(lhs));
                        d = d.with_suggestion(format!("to test membership in a list field, write `{fix}`"));
                    }
                    self.report(d);
                    return;
                };
                if items.is_empty() {
                    self.report(Diagnostic::new(
                        Code::EmptyList,
                        rhs.span,
                        format!(
                            "nothing is in an empty list, so `{sym} []` is always {}",
                            if op == CompareOp::In { "false" } else { "true" }
                        ),
                    ));
                }
                for item in items {
                    let it = self.value(item, ctx);
                    self.compatible(lhs, &lt, item, &it);
                }
            }
            CompareOp::Contains => {
                let rt = self.value(rhs, ctx);
                match &lt {
                    Ty::Unknown => {}
                    t if t.is_text() => {
                        if rt != Ty::Unknown && !rt.is_text() {
                            self.report(Diagnostic::new(
                                Code::TypeMismatch,
                                rhs.span,
                                format!(
                                    "`{sym}` looks for text in text, but `{}` is {}",
                                    expr_text(rhs),
                                    rt.describe()
                                ),
                            ));
                        }
                    }
                    Ty::List(elem) => {
                        let elem = (**elem).clone();
                        self.compatible(lhs, &elem, rhs, &rt);
                    }
                    t => {
                        self.report(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                lhs.span,
                                format!(
                                    "`{sym}` needs text or a list on its left, but `{}` is {}",
                                    expr_text(lhs),
                                    t.describe()
                                ),
                            )
                            .with_suggestion("compare numbers with `=`, `<`, `>` or `between`"),
                        );
                    }
                }
            }
            CompareOp::StartsWith => {
                let rt = self.value(rhs, ctx);
                for (e, t) in [(lhs, &lt), (rhs, &rt)] {
                    if *t != Ty::Unknown && !t.is_text() {
                        self.report(Diagnostic::new(
                            Code::TypeMismatch,
                            e.span,
                            format!("`{sym}` works on text, but `{}` is {}", expr_text(e), t.describe()),
                        ));
                    }
                }
            }
            CompareOp::Matches => {
                if lt != Ty::Unknown && !lt.is_text() {
                    self.report(Diagnostic::new(
                        Code::TypeMismatch,
                        lhs.span,
                        format!("`{sym}` works on text, but `{}` is {}", expr_text(lhs), lt.describe()),
                    ));
                }
                match &rhs.kind {
                    ExprKind::Literal(Literal::String(pattern)) => {
                        if let Err(err) = regex::RegexBuilder::new(pattern).size_limit(1 << 20).build() {
                            self.report(
                                Diagnostic::new(
                                    Code::InvalidRegex,
                                    rhs.span,
                                    format!("invalid regular expression: {}", regex_message(&err)),
                                )
                                .with_suggestion(
                                    "patterns use Rust regex syntax; escape special characters with \\\\",
                                ),
                            );
                        }
                    }
                    _ => {
                        let rt = self.value(rhs, ctx);
                        if rt != Ty::Unknown {
                            self.report(Diagnostic::new(
                                Code::TypeMismatch,
                                rhs.span,
                                format!("`{sym}` needs its pattern written as a string, like \"^A.*\""),
                            ));
                        }
                    }
                }
            }
            CompareOp::Eq | CompareOp::NotEq => {
                let rt = self.value(rhs, ctx);
                if matches!(lt, Ty::List(_)) {
                    self.report(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            lhs.span,
                            format!("`{}` is a list and cannot be compared with `{sym}`", expr_text(lhs)),
                        )
                        .with_suggestion(format!("test membership with `{} contains …`", expr_text(lhs))),
                    );
                    return;
                }
                self.compatible(lhs, &lt, rhs, &rt);
            }
            _ => {
                let rt = self.value(rhs, ctx);
                for (e, t) in [(lhs, &lt), (rhs, &rt)] {
                    if *t != Ty::Unknown
                        && !t.is_orderable()
                        && *t != Ty::Duration
                        && !(*t == Ty::Number && lt == Ty::Date)
                    {
                        self.report(Diagnostic::new(
                            Code::TypeMismatch,
                            e.span,
                            format!(
                                "`{sym}` compares numbers, money or dates, but `{}` is {}",
                                expr_text(e),
                                t.describe()
                            ),
                        ));
                        return;
                    }
                }
                self.compatible(lhs, &lt, rhs, &rt);
            }
        }
    }

    /// Reports when `a` and `b` cannot be compared (with a specific hint for
    /// dates given as numbers or durations, and enum values checked).
    fn compatible(&mut self, a: &Expr, at: &Ty, b: &Expr, bt: &Ty) {
        match (at, bt) {
            (Ty::Unknown, _) | (_, Ty::Unknown) => {}
            (Ty::Enum(values), t) if t.is_text() => self.enum_value(values, b),
            (t, Ty::Enum(values)) if t.is_text() => self.enum_value(values, a),
            (x, y) if x.is_numeric() && y.is_numeric() => {}
            (Ty::Date, Ty::Duration | Ty::Number) => {
                self.relative_date_hint(b, if *bt == Ty::Number { "a number" } else { "a length of time" })
            }
            (Ty::Duration | Ty::Number, Ty::Date) => {
                self.relative_date_hint(a, if *at == Ty::Number { "a number" } else { "a length of time" })
            }
            (Ty::Date, Ty::Text) => self.date_as_text(a, b),
            (Ty::Text, Ty::Date) => self.date_as_text(b, a),
            (Ty::List(x), Ty::List(y)) => self.compatible(a, x, b, y),
            (x, y) if x == y => {}
            (x, y) => {
                let mut d = Diagnostic::new(
                    Code::TypeMismatch,
                    a.span.cover(b.span),
                    format!(
                        "cannot compare `{}` ({}) with `{}` ({})",
                        expr_text(a),
                        x.describe(),
                        expr_text(b),
                        y.describe()
                    ),
                );
                if *x == Ty::Bool && matches!(b.kind, ExprKind::Literal(Literal::String(_))) {
                    d = d.with_suggestion("true and false are written without quotes");
                }
                self.report(d);
            }
        }
    }

    fn date_as_text(&mut self, date: &Expr, text: &Expr) {
        let mut d = Diagnostic::new(
            Code::TypeMismatch,
            text.span,
            format!("`{}` is a date, but `{}` is text", expr_text(date), expr_text(text)),
        );
        if let ExprKind::Literal(Literal::String(s)) = &text.kind
            && crate::parser::parse_date_text(s).is_some()
        {
            d = d
                .with_suggestion(format!("write the date without quotes: {s}"))
                .with_fix(text.span, s.clone());
        }
        self.report(d);
    }

    fn enum_value(&mut self, values: &[String], e: &Expr) {
        let ExprKind::Literal(Literal::String(v)) = &e.kind else { return };
        if values.iter().any(|x| x == v) {
            return;
        }
        let shown: Vec<String> = values.iter().map(|s| quote(s)).collect();
        let mut d = Diagnostic::new(
            Code::UnknownValue,
            e.span,
            format!("{} is not one of {}", quote(v), shown.join(", ")),
        );
        if let Some(best) = closest(v, values.iter().map(String::as_str)) {
            d = d.with_suggestion(format!("did you mean {}?", quote(best))).with_fix(e.span, quote(best));
        }
        self.report(d);
    }
}

/// The first line of a regex error that says what is wrong.
fn regex_message(err: &regex::Error) -> String {
    let text = err.to_string();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map_or_else(|| text.lines().next().unwrap_or("").trim().to_owned(), ToOwned::to_owned)
}

/// Evaluates constant bounds: numbers, dates and `today ± duration`.
fn constant(e: &Expr) -> Option<Const> {
    match &e.kind {
        ExprKind::Paren(inner) => constant(inner),
        ExprKind::Literal(Literal::Number(n)) => Some(Const::Number(n.value)),
        ExprKind::Neg(inner) => match constant(inner)? {
            Const::Number(n) => Some(Const::Number(-n)),
            _ => None,
        },
        ExprKind::Literal(Literal::Date(d)) => Some(Const::Day(days_from_civil(*d))),
        ExprKind::Today => Some(Const::Relative(0.0)),
        ExprKind::Arith { op, lhs, rhs } => {
            let ExprKind::Literal(Literal::Duration(d)) = &rhs.kind else { return None };
            let days = d.approx_days();
            let days = if *op == ArithOp::Add { days } else { -days };
            match constant(lhs)? {
                Const::Relative(r) => Some(Const::Relative(r + days)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(d: Date) -> i64 {
    let y = i64::from(d.year) - i64::from(d.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(d.month);
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(d.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
