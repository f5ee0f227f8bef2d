//! The vocabulary's `touchpoints` block compiled to ordered rules.
//!
//! For each event the **first** rule whose event type matches and whose
//! `where` condition holds decides: `map` gives the event its label,
//! `ignore` drops it. An event no rule matches is not a touchpoint and is
//! left out of every journey analysis. Rules are grouped by event type
//! once, so matching an event costs one lookup plus the conditions of the
//! rules for its own type; rules after an unconditional one can never
//! apply and are dropped.

use std::collections::HashMap;

use parlance_vocabulary::ast::{ClauseKind, Definition, DefinitionKind, EventSpec};
use parlance_vocabulary::compile::storage::event_source;
use parlance_vocabulary::{Program, Resolution, Span};

use crate::error::JourneyError;
use crate::rules::{Compiler, Cond, RuleEvent, Scope};

pub use crate::rules::RuleEvent as TouchpointEvent;

/// Whether analyses see labels (`web:product_view`) or their groups (`web`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Level {
    /// Each label on its own.
    #[default]
    Label,
    /// Labels merged into their group; the group's name is the label.
    Group,
}

/// A label and the group it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelInfo {
    /// `web:product_view`.
    pub label: String,
    /// `web`.
    pub group: String,
    /// `Website` (the group's name when it has no title).
    pub group_title: String,
}

#[derive(Debug)]
pub(crate) struct Rule {
    condition: Option<Cond>,
    /// Index into `labels`; `None` for `ignore`.
    label: Option<u32>,
}

/// Compiled touchpoint rules.
#[derive(Debug)]
pub struct Touchpoints {
    labels: Vec<LabelInfo>,
    /// channel → name → that event type's rules, in source order.
    by_event: HashMap<String, HashMap<String, Vec<Rule>>>,
}

impl Touchpoints {
    /// Compiles the program's `touchpoints` block.
    ///
    /// # Errors
    ///
    /// When there is no touchpoints block, it has errors, or a rule uses
    /// something that cannot be evaluated on one event (`today`, aggregates).
    pub fn from_program(program: &Program) -> Result<Touchpoints, JourneyError> {
        let def = program
            .file()
            .definitions
            .iter()
            .find(|d| d.kind == DefinitionKind::Touchpoints)
            .ok_or(JourneyError::NoTouchpoints)?;
        let fail = |span: Span, message: String| {
            let at = program.line_col(span.start);
            JourneyError::Vocabulary { name: def.name().to_owned(), line: at.line, column: at.col, message }
        };
        if let Some(d) = program
            .analysis()
            .diagnostics
            .iter()
            .find(|d| d.is_error() && d.span.start >= def.span.start && d.span.start <= def.span.end)
        {
            return Err(fail(d.span, d.message.clone()));
        }
        build(program, def).map_err(|(span, message)| fail(span, message))
    }

    /// Every label a rule gives, in rule order, with its group.
    #[must_use]
    pub fn labels(&self) -> Vec<LabelInfo> {
        self.labels.clone()
    }

    /// The label of one event, or `None` when it is ignored or unmatched.
    #[must_use]
    pub fn label_of(&self, channel: &str, name: &str, event: RuleEvent<'_>) -> Option<&LabelInfo> {
        let rules = self.rules(channel, name)?;
        self.apply(rules, event).map(|i| &self.labels[i as usize])
    }

    /// The rules for one event type; `None` when no rule names it.
    pub(crate) fn rules(&self, channel: &str, name: &str) -> Option<&[Rule]> {
        self.by_event.get(channel)?.get(name).map(Vec::as_slice)
    }

    /// The label index the first applicable rule gives.
    pub(crate) fn apply(&self, rules: &[Rule], event: RuleEvent<'_>) -> Option<u32> {
        let mut scope = Scope::new(event);
        for rule in rules {
            if rule.condition.as_ref().is_none_or(|c| c.eval(&mut scope)) {
                return rule.label;
            }
        }
        None
    }

    /// The label of every label index at `level`: itself, or its group.
    pub(crate) fn level_names(&self, level: Level) -> Vec<String> {
        self.labels
            .iter()
            .map(|l| match level {
                Level::Label => l.label.clone(),
                Level::Group => l.group.clone(),
            })
            .collect()
    }
}

/// Whether a type's rules decide without looking at the event.
pub(crate) fn unconditional(rules: &[Rule]) -> Option<Option<u32>> {
    match rules.first() {
        Some(Rule { condition: None, label }) => Some(*label),
        _ => None,
    }
}

type Built<T> = Result<T, (Span, String)>;

fn build(program: &Program, def: &Definition) -> Built<Touchpoints> {
    let resolutions = &program.analysis().resolutions;
    let lookup = |span: Span| resolutions.get(&span);
    let compiler = Compiler { resolution: &lookup };
    let mut groups: Vec<(String, String)> = Vec::new();
    let mut labels: Vec<LabelInfo> = Vec::new();
    let mut by_event: HashMap<String, HashMap<String, Vec<Rule>>> = HashMap::new();
    for clause in &def.clauses {
        let (spec, label) = match &clause.kind {
            ClauseKind::Group { name, title } => {
                let title = title.as_ref().map_or(name.name.clone(), |t| t.value.clone());
                groups.push((name.name.clone(), title));
                continue;
            }
            ClauseKind::Map { event, label } => (event, Some(label)),
            ClauseKind::Ignore(event) => (event, None),
            _ => continue,
        };
        let (channel, name) = event_type(spec, &lookup)?;
        let label = label.map(|l| {
            let text = format!("{}:{}", l.group.name, l.name.name);
            let i = labels.iter().position(|x| x.label == text).unwrap_or_else(|| {
                let group_title = groups
                    .iter()
                    .find(|(g, _)| *g == l.group.name)
                    .map_or(l.group.name.clone(), |(_, t)| t.clone());
                labels.push(LabelInfo { label: text, group: l.group.name.clone(), group_title });
                labels.len() - 1
            });
            i as u32
        });
        let condition = spec.filter.as_deref().map(|f| compiler.cond(f)).transpose()?;
        let rules = by_event.entry(channel).or_default().entry(name).or_default();
        if unconditional(rules).is_none() {
            rules.push(Rule { condition, label });
        }
    }
    Ok(Touchpoints { labels, by_event })
}

fn event_type<'p>(
    spec: &EventSpec,
    lookup: &dyn Fn(Span) -> Option<&'p Resolution>,
) -> Built<(String, String)> {
    if let Some(w) = &spec.window {
        return Err((w.span, "a touchpoint rule applies to each event and cannot have a window".to_owned()));
    }
    let dotted = spec.path.dotted();
    match lookup(spec.path.span) {
        Some(Resolution::Event(event)) => event_source(event)
            .map(|(c, n)| (c.to_owned(), n.to_owned()))
            .ok_or_else(|| (spec.path.span, format!("`{dotted}` is not stored as a CHANNEL.NAME event"))),
        _ => Err((spec.path.span, format!("`{dotted}` is not a known event"))),
    }
}
