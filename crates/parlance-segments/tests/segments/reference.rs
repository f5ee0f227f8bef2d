//! The reference evaluator: the documented meaning of the language written
//! straightforwardly over a [`World`] in memory, profile by profile, event by
//! event — no SQL, no cleverness (sequences are found by trying every chain).
//! The differential test checks the compiled SQL against it.

use std::cmp::Ordering;

use parlance_vocabulary::dates::{self, CalendarSpan};
use parlance_vocabulary::{
    AggregateFn, ArithOp, CompareOp, Date, DefinitionKind, EventSpec, Expr, ExprKind, FieldType, Literal,
    Measure, PointsKind, Program, Resolution, Sequence, WindowKind,
};
use serde_json::Value as Json;

use crate::world::{Event, Profile, World};

#[derive(Clone, Debug, PartialEq)]
pub enum V {
    Unset,
    Num(f64),
    Text(String),
    Date(Date),
    Bool(bool),
    List(Vec<V>),
    Span(CalendarSpan),
}

impl V {
    fn cmp(&self, other: &V) -> Option<Ordering> {
        match (self, other) {
            (V::Num(a), V::Num(b)) => a.partial_cmp(b),
            (V::Text(a), V::Text(b)) => Some(a.cmp(b)),
            (V::Date(a), V::Date(b)) => Some(a.cmp(b)),
            (V::Bool(a), V::Bool(b)) => Some(a.cmp(b)),
            (V::Span(a), V::Span(b)) => a.approx_days().partial_cmp(&b.approx_days()),
            _ => None,
        }
    }
}

#[derive(Clone, Copy)]
enum Ctx<'w> {
    Profile(&'w Profile),
    Event(&'w Event),
}

pub struct Reference<'a> {
    pub world: &'a World,
    pub program: &'a Program,
    pub today: Date,
}

impl<'a> Reference<'a> {
    fn end(&self) -> String {
        dates::next_day(self.today).to_string()
    }

    fn seen(&self, e: &Event) -> bool {
        e.at < self.end()
    }

    fn live(&self) -> impl Iterator<Item = &'a Profile> {
        self.world.profiles.iter().filter(|p| p.merged_into.is_none())
    }

    pub fn segment(&self, name: &str) -> Vec<i64> {
        let mut out: Vec<i64> = self.live().filter(|p| self.in_segment(name, p)).map(|p| p.id).collect();
        out.sort_unstable();
        out
    }

    pub fn score(&self, name: &str) -> Vec<(i64, f64)> {
        self.live().map(|p| (p.id, self.score_of(name, p))).collect()
    }

    pub fn stages(&self) -> Vec<(i64, String)> {
        self.live().map(|p| (p.id, self.stage_of(p))).collect()
    }

    fn in_segment(&self, name: &str, p: &Profile) -> bool {
        let def = self.program.definition(DefinitionKind::Segment, name).unwrap();
        self.cond(def.condition().unwrap(), Ctx::Profile(p))
    }

    fn score_of(&self, name: &str, p: &Profile) -> f64 {
        let def = self.program.definition(DefinitionKind::Score, name).unwrap();
        let mut total = 0.0;
        for rule in def.points() {
            let n = rule.points.value.value;
            match &rule.kind {
                PointsKind::Per { divisor, measure, max } => {
                    let amount = match measure {
                        Measure::Events(spec) => self.events(spec, p).len() as f64,
                        Measure::Value(e) => match self.value(e, Ctx::Profile(p)) {
                            V::Num(x) => x,
                            _ => 0.0,
                        },
                    };
                    let k = divisor.as_ref().map_or(1.0, |d| d.value.value);
                    let mut part = n * (amount / k).floor();
                    if let Some(m) = max {
                        part = if n >= 0.0 { part.min(m.value.value) } else { part.max(-m.value.value) };
                    }
                    total += part;
                }
                PointsKind::When(c) => {
                    if self.cond(c, Ctx::Profile(p)) {
                        total += n;
                    }
                }
            }
        }
        total
    }

    fn stage_of(&self, p: &Profile) -> String {
        let def = self.program.stages().unwrap();
        for rule in def.stages() {
            match &rule.when {
                Some(c) if self.cond(c, Ctx::Profile(p)) => return rule.name.name.clone(),
                Some(_) => {}
                None => return rule.name.name.clone(),
            }
        }
        String::new()
    }

    fn resolution(&self, e: &Expr) -> Option<&Resolution> {
        match &e.kind {
            ExprKind::Path(p) => self.program.analysis().resolutions.get(&p.span),
            _ => None,
        }
    }

    fn cond(&self, e: &Expr, ctx: Ctx<'_>) -> bool {
        match &e.kind {
            ExprKind::And(items) => items.iter().all(|i| self.cond(i, ctx)),
            ExprKind::Or(items) => items.iter().any(|i| self.cond(i, ctx)),
            ExprKind::Not(x) => !self.cond(x, ctx),
            ExprKind::Paren(x) => self.cond(x, ctx),
            ExprKind::Compare { op, lhs, rhs } => {
                let positive = self.compare(op.positive(), lhs, rhs, ctx);
                if *op == op.positive() { positive } else { !positive }
            }
            ExprKind::Between { negated, value, low, high } => {
                let v = self.value(value, ctx);
                let lo = self.value(low, ctx);
                let hi = self.value(high, ctx);
                let inside = matches!(lo.cmp(&v), Some(Ordering::Less | Ordering::Equal))
                    && matches!(v.cmp(&hi), Some(Ordering::Less | Ordering::Equal));
                inside != *negated
            }
            ExprKind::IsSet { negated, value } => (self.value(value, ctx) != V::Unset) != *negated,
            ExprKind::InSegment(ident) => {
                let profile = match ctx {
                    Ctx::Profile(p) => Some(p),
                    Ctx::Event(ev) => {
                        self.world.profiles.iter().find(|p| p.id == ev.profile && p.merged_into.is_none())
                    }
                };
                profile.is_some_and(|p| self.in_segment(&ident.name, p))
            }
            ExprKind::Sequence(seq) => match ctx {
                Ctx::Profile(p) => self.sequence(seq, p),
                Ctx::Event(_) => false,
            },
            _ => self.value(e, ctx) == V::Bool(true),
        }
    }

    fn compare(&self, op: CompareOp, lhs: &Expr, rhs: &Expr, ctx: Ctx<'_>) -> bool {
        let a = self.value(lhs, ctx);
        if a == V::Unset {
            return false;
        }
        match op {
            CompareOp::In => {
                let ExprKind::List(items) = &strip(rhs).kind else { return false };
                items.iter().any(|i| a.cmp(&self.value(i, ctx)) == Some(Ordering::Equal))
            }
            CompareOp::Contains => match (&a, self.value(rhs, ctx)) {
                (V::List(items), b) => items.iter().any(|i| i.cmp(&b) == Some(Ordering::Equal)),
                (V::Text(t), V::Text(s)) => t.contains(&s),
                _ => false,
            },
            CompareOp::StartsWith => match (&a, self.value(rhs, ctx)) {
                (V::Text(t), V::Text(s)) => t.starts_with(&s),
                _ => false,
            },
            CompareOp::Matches => match (&a, self.value(rhs, ctx)) {
                (V::Text(t), V::Text(re)) => regex::Regex::new(&re).unwrap().is_match(t),
                _ => false,
            },
            _ => {
                let b = self.value(rhs, ctx);
                match a.cmp(&b) {
                    None => false,
                    Some(o) => match op {
                        CompareOp::Eq => o == Ordering::Equal,
                        CompareOp::NotEq => o != Ordering::Equal,
                        CompareOp::Lt => o == Ordering::Less,
                        CompareOp::LtEq => o != Ordering::Greater,
                        CompareOp::Gt => o == Ordering::Greater,
                        _ => o != Ordering::Less,
                    },
                }
            }
        }
    }

    fn value(&self, e: &Expr, ctx: Ctx<'_>) -> V {
        match &e.kind {
            ExprKind::Paren(x) => self.value(x, ctx),
            ExprKind::Literal(l) => match l {
                Literal::Number(n) => V::Num(n.value),
                Literal::Percent(p) => V::Num(p.value),
                Literal::String(s) => V::Text(s.clone()),
                Literal::Date(d) => V::Date(*d),
                Literal::Bool(b) => V::Bool(*b),
                Literal::Duration(d) => V::Span(CalendarSpan::of(*d)),
            },
            ExprKind::Today => V::Date(self.today),
            ExprKind::Neg(x) => match self.value(x, ctx) {
                V::Num(n) => V::Num(-n),
                _ => V::Unset,
            },
            ExprKind::Arith { op, lhs, rhs } => {
                let add = *op == ArithOp::Add;
                match (self.value(lhs, ctx), self.value(rhs, ctx)) {
                    (V::Num(a), V::Num(b)) => V::Num(if add { a + b } else { a - b }),
                    (V::Date(d), V::Span(s)) => {
                        V::Date(if add { dates::add(d, s) } else { dates::subtract(d, s) })
                    }
                    (V::Span(s), V::Date(d)) if add => V::Date(dates::add(d, s)),
                    (V::Span(a), V::Span(b)) => V::Span(if add { a.plus(b) } else { a.plus(b.negated()) }),
                    _ => V::Unset,
                }
            }
            ExprKind::Path(_) => match (self.resolution(e), ctx) {
                (Some(Resolution::Field(f)), Ctx::Profile(p)) => self.field(&f.path, &f.ty, p),
                (Some(Resolution::Score(name)), Ctx::Profile(p)) => V::Num(self.score_of(name, p)),
                (Some(Resolution::Property { property, ty, .. }), Ctx::Event(ev)) => {
                    property_of(ev, property, ty)
                }
                _ => V::Unset,
            },
            ExprKind::Aggregate(agg) => {
                let Ctx::Profile(p) = ctx else { return V::Unset };
                let events = self.events(&agg.target, p);
                let prop = match self.program.analysis().resolutions.get(&agg.target.path.span) {
                    Some(Resolution::Property { property, ty, .. }) => Some((property.clone(), ty.clone())),
                    _ => None,
                };
                let values = |events: &[&Event]| -> Vec<V> {
                    let (name, ty) = prop.clone().unwrap();
                    events.iter().map(|e| property_of(e, &name, &ty)).filter(|v| *v != V::Unset).collect()
                };
                match agg.func {
                    AggregateFn::Count => V::Num(events.len() as f64),
                    AggregateFn::Sum => {
                        V::Num(values(&events).iter().map(|v| if let V::Num(x) = v { *x } else { 0.0 }).sum())
                    }
                    AggregateFn::Avg => {
                        let vs = values(&events);
                        if vs.is_empty() {
                            V::Unset
                        } else {
                            V::Num(
                                vs.iter().map(|v| if let V::Num(x) = v { *x } else { 0.0 }).sum::<f64>()
                                    / vs.len() as f64,
                            )
                        }
                    }
                    AggregateFn::Min | AggregateFn::Max => {
                        let mut vs = values(&events);
                        vs.sort_by(|a, b| a.cmp(b).unwrap_or(Ordering::Equal));
                        let v = if agg.func == AggregateFn::Min { vs.first() } else { vs.last() };
                        v.cloned().unwrap_or(V::Unset)
                    }
                    AggregateFn::Distinct => {
                        let vs = values(&events);
                        let mut distinct: Vec<V> = Vec::new();
                        for v in vs {
                            if !distinct.iter().any(|d| d.cmp(&v) == Some(Ordering::Equal) || *d == v) {
                                distinct.push(v);
                            }
                        }
                        V::Num(distinct.len() as f64)
                    }
                    AggregateFn::First | AggregateFn::Last => {
                        let mut sorted = events.clone();
                        sorted.sort_by(|a, b| (&a.at, a.id).cmp(&(&b.at, b.id)));
                        let pick =
                            if agg.func == AggregateFn::First { sorted.first() } else { sorted.last() };
                        let Some(ev) = pick else { return V::Unset };
                        let prop = agg.property.as_ref().unwrap();
                        match self.program.analysis().resolutions.get(&prop.span) {
                            Some(Resolution::Property { property, ty, .. }) => property_of(ev, property, ty),
                            _ => V::Unset,
                        }
                    }
                }
            }
            ExprKind::List(_) | ExprKind::Error => V::Unset,
            _ => V::Bool(self.cond(e, ctx)),
        }
    }

    fn field(&self, path: &str, ty: &FieldType, p: &Profile) -> V {
        let end = self.end();
        let orders: Vec<_> = self
            .world
            .orders
            .iter()
            .filter(|o| o.profile == p.id && o.at < end && o.status != "cancelled")
            .collect();
        let contacts: Vec<_> =
            self.world.contacts.iter().filter(|c| c.profile == p.id && c.at < end).collect();
        let events: Vec<_> = self.world.events.iter().filter(|e| e.profile == p.id && self.seen(e)).collect();
        let date_of = |s: &str| dates::parse_date_prefix(s).map_or(V::Unset, V::Date);
        let value = self.world.values.iter().find(|v| v.profile == p.id);
        match path {
            "is_known" => V::Bool(p.known),
            "orders.count" => V::Num(orders.len() as f64),
            "orders.total" => V::Num(orders.iter().map(|o| o.amount - o.refunded).sum()),
            "orders.average" => {
                if orders.is_empty() {
                    V::Unset
                } else {
                    V::Num(orders.iter().map(|o| o.amount).sum::<f64>() / orders.len() as f64)
                }
            }
            "orders.first_at" => orders.iter().map(|o| o.at.clone()).min().map_or(V::Unset, |a| date_of(&a)),
            "orders.last_at" => orders.iter().map(|o| o.at.clone()).max().map_or(V::Unset, |a| date_of(&a)),
            "returns.count" => V::Num(
                orders
                    .iter()
                    .filter(|o| matches!(o.status.as_str(), "returned" | "refunded" | "partially_refunded"))
                    .count() as f64,
            ),
            "support.contacts" => V::Num(contacts.len() as f64),
            "support.last_at" => {
                contacts.iter().map(|c| c.at.clone()).max().map_or(V::Unset, |a| date_of(&a))
            }
            "profile.first_seen" => {
                events.iter().map(|e| e.at.clone()).min().map_or(V::Unset, |a| date_of(&a))
            }
            "profile.last_seen" => {
                events.iter().map(|e| e.at.clone()).max().map_or(V::Unset, |a| date_of(&a))
            }
            "value.total" => value.map_or(V::Unset, |v| V::Num(v.value)),
            "value.tier" => value.and_then(|v| v.tier.clone()).map_or(V::Unset, V::Text),
            "value.decile" => value.and_then(|v| v.decile).map_or(V::Unset, |d| V::Num(d as f64)),
            "stage" => V::Text(self.stage_of(p)),
            other if other.starts_with("value.") => {
                let key = other.trim_start_matches("value.");
                value.and_then(|v| v.components.get(key)).map_or(V::Unset, |j| typed(j, &FieldType::Number))
            }
            other => {
                let key = other.strip_prefix("trait.").unwrap_or(other);
                let latest = self
                    .world
                    .traits
                    .iter()
                    .filter(|t| t.profile == p.id && t.key == key)
                    .max_by(|a, b| (&a.observed_at, &a.source).cmp(&(&b.observed_at, &b.source)));
                latest.map_or(V::Unset, |t| typed(&t.value, ty))
            }
        }
    }

    /// The profile's events that `spec` selects: type, seen by the end of
    /// today, window, filter.
    fn events(&self, spec: &EventSpec, p: &Profile) -> Vec<&'a Event> {
        let name = match self.program.analysis().resolutions.get(&spec.path.span) {
            Some(Resolution::Event(n)) => n.clone(),
            Some(Resolution::Property { event, .. }) => event.clone(),
            _ => return Vec::new(),
        };
        self.world
            .events
            .iter()
            .filter(|e| e.profile == p.id && format!("{}.{}", e.channel, e.name) == name && self.seen(e))
            .filter(|e| {
                let day = dates::parse_date_prefix(&e.at).unwrap();
                match spec.window.as_ref().map(|w| &w.kind) {
                    None => true,
                    Some(WindowKind::Within(d)) => {
                        day >= dates::subtract(self.today, CalendarSpan::of(d.value))
                    }
                    Some(WindowKind::Between(a, b)) => {
                        match (self.value(a, Ctx::Profile(p)), self.value(b, Ctx::Profile(p))) {
                            (V::Date(a), V::Date(b)) => a <= day && day <= b,
                            _ => false,
                        }
                    }
                }
            })
            .filter(|e| spec.filter.as_ref().is_none_or(|f| self.cond(f, Ctx::Event(e))))
            .collect()
    }

    fn step_events(&self, spec: &EventSpec, p: &Profile) -> Vec<&'a Event> {
        self.events(spec, p)
    }

    /// Tries every chain of steps.
    fn sequence(&self, seq: &Sequence, p: &Profile) -> bool {
        let positive: Vec<_> = seq.steps.iter().filter(|s| !s.absent).collect();
        let absent = seq.steps.iter().find(|s| s.absent);
        let span = seq.within.map(|d| CalendarSpan::of(d.value));
        let candidates: Vec<Vec<&Event>> = positive.iter().map(|s| self.step_events(&s.event, p)).collect();
        let zs: Vec<&Event> = absent.map(|z| self.step_events(&z.event, p)).unwrap_or_default();
        let end = self.end();
        let mut chain: Vec<&Event> = Vec::new();
        #[allow(clippy::too_many_arguments)]
        fn search<'e>(
            r: &Reference<'_>,
            i: usize,
            chain: &mut Vec<&'e Event>,
            candidates: &[Vec<&'e Event>],
            zs: &[&'e Event],
            span: Option<CalendarSpan>,
            has_absent: bool,
            end: &str,
        ) -> bool {
            let _ = r;
            if i == candidates.len() {
                let first = chain.first().unwrap();
                let last = chain.last().unwrap();
                let limit = span.map(|s| dates::add_to_timestamp(&first.at, s).unwrap());
                if let Some(l) = &limit
                    && last.at > *l
                {
                    return false;
                }
                if has_absent {
                    let blocked =
                        zs.iter().any(|z| z.at > last.at && limit.as_ref().is_none_or(|l| z.at <= *l));
                    if blocked {
                        return false;
                    }
                    if let Some(l) = &limit
                        && l.as_str() >= end
                    {
                        return false;
                    }
                }
                return true;
            }
            for ev in &candidates[i] {
                if chain.last().is_none_or(|prev| ev.at > prev.at) {
                    chain.push(ev);
                    if search(r, i + 1, chain, candidates, zs, span, has_absent, end) {
                        return true;
                    }
                    chain.pop();
                }
            }
            false
        }
        search(self, 0, &mut chain, &candidates, &zs, span, absent.is_some(), &end)
    }
}

fn strip(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Paren(x) => strip(x),
        _ => e,
    }
}

/// A JSON value as a value of type `ty`; another JSON type is unset.
fn typed(j: &Json, ty: &FieldType) -> V {
    match ty {
        FieldType::Number | FieldType::Money => j.as_f64().map_or(V::Unset, V::Num),
        FieldType::String | FieldType::Enum(_) => j.as_str().map_or(V::Unset, |s| V::Text(s.to_owned())),
        FieldType::Date => j.as_str().and_then(dates::parse_date_prefix).map_or(V::Unset, V::Date),
        FieldType::Bool => j.as_bool().map_or(V::Unset, V::Bool),
        FieldType::List(elem) => match j.as_array() {
            Some(items) => V::List(items.iter().map(|i| typed(i, elem)).collect()),
            None => V::Unset,
        },
    }
}

fn property_of(e: &Event, name: &str, ty: &FieldType) -> V {
    match name {
        "at" => dates::parse_date_prefix(&e.at).map_or(V::Unset, V::Date),
        "revenue" => e.revenue.map_or(V::Unset, V::Num),
        key => e.properties.get(key).map_or(V::Unset, |j| typed(j, ty)),
    }
}
