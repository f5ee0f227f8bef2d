//! The parameters of the universal value, from the vocabulary's `value`
//! definition (`docs/vocabulary.md`, "value"): horizon, discount rate, margin
//! (global and per product category), cost per support contact (per channel,
//! with a default), cost per return, and the tiers.
//!
//! The text is parsed and checked by `parlance-vocabulary`; every error the
//! checker finds inside the `value` definition becomes a [`ClauseProblem`]
//! naming the line, the column and the clause it is in. Problems in other
//! definitions of the same file (segments, scores, …) are not this module's
//! business and do not stop the value from being computed.

use std::collections::BTreeMap;
use std::fmt;

use parlance_vocabulary::{
    Catalog, ClauseKind, Definition, DefinitionKind, LineIndex, RatePeriod, Span, TierRule, check, parse,
};

/// The starter `value` definition (`vocabulary/value.parlance` at the
/// repository root), used when the warehouse holds no `value` definition.
pub const STARTER_VALUE_DEFINITION: &str = include_str!("../../../vocabulary/value.parlance");

/// Where [`STARTER_VALUE_DEFINITION`] comes from, for messages.
pub const STARTER_ORIGIN: &str = "vocabulary/value.parlance (built in)";

/// The checked parameters of the universal value.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueParameters {
    /// The definition's name (`universal`).
    pub name: String,
    /// Its title, if given.
    pub title: Option<String>,
    /// Where the text came from (a file name, or a definition version).
    pub origin: String,
    /// How far ahead value is predicted, in months (1–120).
    pub horizon_months: u32,
    /// The discount rate as written.
    pub discount_rate: f64,
    /// Whether [`Self::discount_rate`] is per year or per month.
    pub discount_per_year: bool,
    /// Gross margin on order value for categories without their own.
    pub margin: f64,
    /// Gross margin per product category.
    pub category_margins: BTreeMap<String, f64>,
    /// Cost of a support contact on a channel not listed; `None` when the
    /// definition has no default (such contacts then cost nothing).
    pub default_contact_cost: Option<f64>,
    /// Cost of a support contact per channel (`email`, `phone`, `chat`, `web`).
    pub channel_contact_costs: BTreeMap<String, f64>,
    /// Cost of one return (0 when not given).
    pub return_cost: f64,
    /// Tiers on the value, highest first; the last has no threshold.
    pub tiers: Vec<Tier>,
}

/// One tier: a profile is in the first tier whose threshold its value reaches.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    /// Its name: a value of the `value.tier` field.
    pub name: String,
    /// Its title, if given.
    pub title: Option<String>,
    /// The lowest value in the tier; `None` for the `otherwise` fallback.
    pub from: Option<f64>,
}

/// One error in a `value` definition, located and named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseProblem {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// The checker's diagnostic code (`out-of-range`, `missing-clause`, …).
    pub code: String,
    /// The clause it is in, as written (whitespace collapsed), or the
    /// definition's head (`value universal`) for a problem with the whole block.
    pub clause: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when the checker knows.
    pub suggestion: Option<String>,
}

impl fmt::Display for ClauseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: error[{}] in `{}`: {}", self.line, self.col, self.code, self.clause, self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, " ({s})")?;
        }
        Ok(())
    }
}

/// Why a text does not give value parameters.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParameterError {
    /// The text has no `value` definition at all.
    #[error(
        "{origin}: no `value` definition (write e.g. `value universal` with `horizon 12m`, `discount 10% per year`, `margin 35%`)"
    )]
    NoDefinition {
        /// Where the text came from.
        origin: String,
    },
    /// More than one `value` definition: a vocabulary holds exactly one.
    #[error("{origin}:{line}: a second `value` definition; a vocabulary holds one value metric")]
    SeveralDefinitions {
        /// Where the text came from.
        origin: String,
        /// Line of the second definition.
        line: u32,
    },
    /// The definition has errors; each names its line, column and clause.
    #[error("{origin}: the value definition has {} error(s):\n{}", problems.len(), render(origin, problems))]
    Invalid {
        /// Where the text came from.
        origin: String,
        /// Every error, in source order.
        problems: Vec<ClauseProblem>,
    },
}

fn render(origin: &str, problems: &[ClauseProblem]) -> String {
    problems.iter().map(|p| format!("  {origin}:{p}")).collect::<Vec<_>>().join("\n")
}

impl ValueParameters {
    /// The built-in starter definition.
    pub fn starter() -> Result<Self, ParameterError> {
        Self::from_source(STARTER_VALUE_DEFINITION, STARTER_ORIGIN)
    }

    /// Parses and checks `text` (a whole vocabulary file is fine) and builds
    /// the parameters from its one `value` definition. `origin` names the
    /// text in errors.
    pub fn from_source(text: &str, origin: &str) -> Result<Self, ParameterError> {
        let parsed = parse(text);
        let index = LineIndex::new(text);
        let mut values = parsed.file.definitions.iter().filter(|d| d.kind == DefinitionKind::Value);
        let Some(definition) = values.next() else {
            return Err(ParameterError::NoDefinition { origin: origin.to_owned() });
        };
        if let Some(second) = values.next() {
            let line = index.line_col(second.keyword.start).line;
            return Err(ParameterError::SeveralDefinitions { origin: origin.to_owned(), line });
        }
        // The value block references no catalog fields, so the empty catalog
        // checks it fully; diagnostics of other definitions are filtered out.
        let checked = check(&parsed.file, &Catalog::new());
        let inside = |span: Span| span.start >= definition.span.start && span.start <= definition.span.end;
        let problems: Vec<ClauseProblem> = parsed
            .diagnostics
            .iter()
            .chain(&checked.diagnostics)
            .filter(|d| d.is_error() && inside(d.span))
            .map(|d| {
                let at = index.line_col(d.span.start);
                ClauseProblem {
                    line: at.line,
                    col: at.col,
                    code: d.code.to_string(),
                    clause: clause_text(text, definition, d.span),
                    message: d.message.clone(),
                    suggestion: d.suggestion.clone(),
                }
            })
            .collect();
        if !problems.is_empty() {
            let mut problems = problems;
            problems.sort_by_key(|p| (p.line, p.col));
            problems.dedup();
            return Err(ParameterError::Invalid { origin: origin.to_owned(), problems });
        }
        Ok(Self::from_checked(definition, origin))
    }

    /// Builds parameters from a definition the checker found no error in.
    fn from_checked(definition: &Definition, origin: &str) -> Self {
        let mut parameters = Self {
            name: definition.name().to_owned(),
            title: definition.title.as_ref().map(|t| t.value.clone()),
            origin: origin.to_owned(),
            horizon_months: 12,
            discount_rate: 0.0,
            discount_per_year: true,
            margin: 0.0,
            category_margins: BTreeMap::new(),
            default_contact_cost: None,
            channel_contact_costs: BTreeMap::new(),
            return_cost: 0.0,
            tiers: Vec::new(),
        };
        for clause in &definition.clauses {
            match &clause.kind {
                ClauseKind::Horizon(h) => {
                    let per_unit =
                        if h.value.unit == parlance_vocabulary::DurationUnit::Year { 12 } else { 1 };
                    parameters.horizon_months = h.value.amount.saturating_mul(per_unit);
                }
                ClauseKind::Discount { rate, per } => {
                    parameters.discount_rate = rate.value.value;
                    parameters.discount_per_year = *per == RatePeriod::Year;
                }
                ClauseKind::Margin { rate, category: None } => parameters.margin = rate.value.value,
                ClauseKind::Margin { rate, category: Some(c) } => {
                    parameters.category_margins.insert(c.value.clone(), rate.value.value);
                }
                ClauseKind::ContactCost { cost, channel: None } => {
                    parameters.default_contact_cost = Some(cost.value.value)
                }
                ClauseKind::ContactCost { cost, channel: Some(c) } => {
                    parameters.channel_contact_costs.insert(c.value.clone(), cost.value.value);
                }
                ClauseKind::ReturnCost(cost) => parameters.return_cost = cost.value.value,
                ClauseKind::Tier(TierRule { name, title, from }) => parameters.tiers.push(Tier {
                    name: name.name.clone(),
                    title: title.as_ref().map(|t| t.value.clone()),
                    from: from.as_ref().map(|n| n.value.value),
                }),
                _ => {}
            }
        }
        parameters
    }

    /// The discount rate per month: the monthly rate as written, or the
    /// annual rate spread evenly, (1 + annual)^(1/12) − 1.
    pub fn monthly_discount_rate(&self) -> f64 {
        if self.discount_per_year {
            (1.0 + self.discount_rate).powf(1.0 / 12.0) - 1.0
        } else {
            self.discount_rate
        }
    }

    /// The gross margin of a product category (the global margin when the
    /// category has none of its own).
    pub fn category_margin(&self, category: &str) -> f64 {
        self.category_margins.get(category).copied().unwrap_or(self.margin)
    }

    /// The margin of an order with these categories: the mean of their
    /// margins (orders carry category names, not per-category amounts, so
    /// each category counts equally), or the global margin without categories.
    pub fn order_margin<'a>(&self, categories: impl IntoIterator<Item = &'a str>) -> f64 {
        let (sum, count) =
            categories.into_iter().fold((0.0, 0u32), |(s, n), c| (s + self.category_margin(c), n + 1));
        if count == 0 { self.margin } else { sum / f64::from(count) }
    }

    /// The cost of one support contact on `channel`.
    pub fn contact_cost(&self, channel: &str) -> f64 {
        self.channel_contact_costs.get(channel).copied().or(self.default_contact_cost).unwrap_or(0.0)
    }

    /// The tier a value falls in; `None` when the definition has no tiers.
    pub fn tier_for(&self, value: f64) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.from.is_none_or(|from| value >= from))
    }

    /// A short, stable fingerprint of the parameters (FNV-1a over their
    /// canonical description), part of the model version.
    pub fn fingerprint(&self) -> u64 {
        fnv1a(self.describe().as_bytes())
    }

    /// The parameters in one canonical line, for fingerprints and reports.
    pub fn describe(&self) -> String {
        let mut out = format!(
            "value {} horizon {}m discount {}% per {} margin {}%",
            self.name,
            self.horizon_months,
            self.discount_rate * 100.0,
            if self.discount_per_year { "year" } else { "month" },
            self.margin * 100.0
        );
        for (category, margin) in &self.category_margins {
            out.push_str(&format!(" margin {}% for {category:?}", margin * 100.0));
        }
        if let Some(cost) = self.default_contact_cost {
            out.push_str(&format!(" contact cost {cost}"));
        }
        for (channel, cost) in &self.channel_contact_costs {
            out.push_str(&format!(" contact cost {cost} for {channel:?}"));
        }
        out.push_str(&format!(" return cost {}", self.return_cost));
        for tier in &self.tiers {
            match tier.from {
                Some(from) => out.push_str(&format!(" tier {} from {from}", tier.name)),
                None => out.push_str(&format!(" tier {} otherwise", tier.name)),
            }
        }
        out
    }
}

/// FNV-1a, 64 bits: tiny, and stable across builds (unlike `DefaultHasher`).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The source text of the clause containing `at`, whitespace collapsed; the
/// definition's head when no clause contains it.
fn clause_text(text: &str, definition: &Definition, at: Span) -> String {
    let span = definition
        .clauses
        .iter()
        .find(|c| c.span.start <= at.start && at.start < c.span.end.max(c.span.start + 1))
        .map(|c| c.span)
        .unwrap_or_else(|| match &definition.name {
            Some(name) => definition.keyword.cover(name.span),
            None => definition.keyword,
        });
    span.text(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_definition_is_valid_and_complete() {
        let p = ValueParameters::starter().unwrap();
        assert_eq!(p.name, "universal");
        assert_eq!(p.horizon_months, 12);
        for category in ["books", "music", "electronics", "home", "fashion"] {
            assert!(p.category_margins.contains_key(category), "{category}");
        }
        for channel in ["email", "phone", "chat", "web"] {
            assert!(p.channel_contact_costs.contains_key(channel), "{channel}");
        }
        assert!(p.return_cost > 0.0);
        let names: Vec<&str> = p.tiers.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["top", "high", "medium", "low"]);
    }

    #[test]
    fn an_annual_discount_compounds_to_the_same_year() {
        let p = ValueParameters::starter().unwrap();
        let monthly = p.monthly_discount_rate();
        assert!(((1.0 + monthly).powi(12) - (1.0 + p.discount_rate)).abs() < 1e-12);
    }

    #[test]
    fn order_margins_average_their_categories() {
        let p = ValueParameters::from_source(
            "value v horizon 12m discount 1% per month margin 40% margin 20% for \"a\" margin 60% for \"b\"",
            "t",
        )
        .unwrap();
        assert!((p.order_margin(["a", "b"]) - 0.4).abs() < 1e-12);
        assert!((p.order_margin(["a"]) - 0.2).abs() < 1e-12);
        assert!((p.order_margin(["unlisted"]) - 0.4).abs() < 1e-12);
        assert!((p.order_margin([]) - 0.4).abs() < 1e-12);
        assert_eq!(p.contact_cost("phone"), 0.0, "no default contact cost: contacts cost nothing");
        assert_eq!(p.tier_for(1e9), None);
    }
}
