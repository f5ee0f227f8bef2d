//! `where` conditions of touchpoint rules, evaluated on one event in memory.
//!
//! The meaning follows the SQL compiler of `parlance-vocabulary` so a rule
//! selects the same events a segment's event filter would: a property is
//! read with its catalog type (a JSON value of another type is unset), a
//! comparison involving an unset value is false, and `not` turns false into
//! true. Dates compare as `YYYY-MM-DD` text; `at` is the event's date.

use std::cmp::Ordering;

use parlance_vocabulary::ast::{CompareOp, Expr, ExprKind, Literal};
use parlance_vocabulary::{FieldType, Resolution, Span, dates};
use regex::Regex;
use serde_json::Value as Json;

/// One event as the rules see it.
#[derive(Clone, Copy, Debug)]
pub struct RuleEvent<'a> {
    /// RFC 3339 UTC.
    pub occurred_at: &'a str,
    /// `events.properties_json`.
    pub properties_json: &'a str,
    /// `events.revenue`.
    pub revenue: Option<f64>,
}

/// A compiled condition.
#[derive(Debug)]
pub enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Compare(CompareOp, Operand, Operand),
    In(Operand, Vec<Operand>),
    Contains(Operand, Operand),
    StartsWith(Operand, Operand),
    Matches(Operand, Regex),
    Between(Operand, Operand, Operand),
    IsSet(Operand),
    Truthy(Operand),
}

/// A property of the event, or a constant.
#[derive(Debug)]
pub enum Operand {
    At,
    Revenue,
    Json { key: String, ty: FieldType },
    Const(Val),
}

/// A value; booleans are numbers (0/1) and dates are text, as in SQL.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Num(f64),
    Text(String),
    List(Vec<Val>),
}

/// The properties of the event being matched, parsed on first use.
#[derive(Debug)]
pub struct Scope<'a> {
    event: RuleEvent<'a>,
    parsed: Option<Option<serde_json::Map<String, Json>>>,
}

impl<'a> Scope<'a> {
    pub fn new(event: RuleEvent<'a>) -> Self {
        Self { event, parsed: None }
    }

    fn json(&mut self, key: &str) -> Option<&Json> {
        let text = self.event.properties_json;
        let parsed = self.parsed.get_or_insert_with(|| match serde_json::from_str::<Json>(text) {
            Ok(Json::Object(map)) => Some(map),
            _ => None,
        });
        parsed.as_ref()?.get(key)
    }
}

impl Cond {
    pub fn eval(&self, s: &mut Scope<'_>) -> bool {
        match self {
            Cond::All(items) => items.iter().all(|c| c.eval(s)),
            Cond::Any(items) => items.iter().any(|c| c.eval(s)),
            Cond::Not(inner) => !inner.eval(s),
            Cond::Compare(op, l, r) => match (l.value(s), r.value(s)) {
                (Some(a), Some(b)) => compare(*op, &a, &b),
                _ => false,
            },
            Cond::In(l, items) => {
                let Some(a) = l.value(s) else { return false };
                items.iter().any(|i| i.value(s).is_some_and(|b| a == b))
            }
            Cond::Contains(l, r) => match (l.value(s), r.value(s)) {
                (Some(Val::List(items)), Some(b)) => items.contains(&b),
                (Some(Val::Text(a)), Some(Val::Text(b))) => a.contains(b.as_str()),
                _ => false,
            },
            Cond::StartsWith(l, r) => match (l.value(s), r.value(s)) {
                (Some(Val::Text(a)), Some(Val::Text(b))) => a.starts_with(b.as_str()),
                _ => false,
            },
            Cond::Matches(l, re) => matches!(l.value(s), Some(Val::Text(a)) if re.is_match(&a)),
            Cond::Between(v, lo, hi) => match (v.value(s), lo.value(s), hi.value(s)) {
                (Some(v), Some(lo), Some(hi)) => {
                    compare(CompareOp::GtEq, &v, &lo) && compare(CompareOp::LtEq, &v, &hi)
                }
                _ => false,
            },
            Cond::IsSet(v) => v.value(s).is_some(),
            Cond::Truthy(v) => matches!(v.value(s), Some(Val::Num(x)) if x == 1.0),
        }
    }
}

fn compare(op: CompareOp, a: &Val, b: &Val) -> bool {
    let ord = match (a, b) {
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
        (Val::Text(x), Val::Text(y)) => Some(x.cmp(y)),
        _ => None,
    };
    let Some(ord) = ord else { return false };
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::NotEq => ord != Ordering::Equal,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::LtEq => ord != Ordering::Greater,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::GtEq => ord != Ordering::Less,
        _ => false,
    }
}

impl Operand {
    fn value(&self, s: &mut Scope<'_>) -> Option<Val> {
        match self {
            Operand::Const(v) => Some(v.clone()),
            Operand::At => dates::parse_date_prefix(s.event.occurred_at).map(|d| Val::Text(d.to_string())),
            Operand::Revenue => s.event.revenue.map(Val::Num),
            Operand::Json { key, ty } => typed(s.json(key)?, ty),
        }
    }
}

/// A JSON value read as `ty`; another JSON type is unset.
fn typed(j: &Json, ty: &FieldType) -> Option<Val> {
    match ty {
        FieldType::Number | FieldType::Money => j.as_f64().map(Val::Num),
        FieldType::String | FieldType::Enum(_) => j.as_str().map(|t| Val::Text(t.to_owned())),
        FieldType::Date => j.as_str().and_then(dates::parse_date_prefix).map(|d| Val::Text(d.to_string())),
        FieldType::Bool => j.as_bool().map(|b| Val::Num(f64::from(u8::from(b)))),
        FieldType::List(elem) => {
            j.as_array().map(|items| Val::List(items.iter().filter_map(|i| typed(i, elem)).collect()))
        }
    }
}

/// Compiles a `where` condition; the error is the span and what is wrong.
pub struct Compiler<'p> {
    pub resolution: &'p dyn Fn(Span) -> Option<&'p Resolution>,
}

type Result<T> = std::result::Result<T, (Span, String)>;

impl Compiler<'_> {
    pub fn cond(&self, e: &Expr) -> Result<Cond> {
        Ok(match &e.kind {
            ExprKind::And(items) => Cond::All(items.iter().map(|i| self.cond(i)).collect::<Result<_>>()?),
            ExprKind::Or(items) => Cond::Any(items.iter().map(|i| self.cond(i)).collect::<Result<_>>()?),
            ExprKind::Not(inner) => Cond::Not(Box::new(self.cond(inner)?)),
            ExprKind::Paren(inner) => self.cond(inner)?,
            ExprKind::Compare { op, lhs, rhs } => {
                let positive = self.compare(op.positive(), lhs, rhs)?;
                if *op == op.positive() { positive } else { Cond::Not(Box::new(positive)) }
            }
            ExprKind::Between { negated, value, low, high } => {
                let c = Cond::Between(self.operand(value)?, self.operand(low)?, self.operand(high)?);
                if *negated { Cond::Not(Box::new(c)) } else { c }
            }
            ExprKind::IsSet { negated, value } => {
                let c = Cond::IsSet(self.operand(value)?);
                if *negated { Cond::Not(Box::new(c)) } else { c }
            }
            ExprKind::Path(_) => Cond::Truthy(self.operand(e)?),
            ExprKind::Literal(Literal::Bool(b)) => {
                Cond::Truthy(Operand::Const(Val::Num(f64::from(u8::from(*b)))))
            }
            _ => return Err(unsupported(e)),
        })
    }

    fn compare(&self, op: CompareOp, lhs: &Expr, rhs: &Expr) -> Result<Cond> {
        let l = self.operand(lhs)?;
        Ok(match op {
            CompareOp::In => {
                let ExprKind::List(items) = &strip(rhs).kind else {
                    return Err((rhs.span, "`in` needs a list".to_owned()));
                };
                Cond::In(l, items.iter().map(|i| self.operand(i)).collect::<Result<_>>()?)
            }
            CompareOp::Contains => Cond::Contains(l, self.operand(rhs)?),
            CompareOp::StartsWith => Cond::StartsWith(l, self.operand(rhs)?),
            CompareOp::Matches => {
                let ExprKind::Literal(Literal::String(pattern)) = &strip(rhs).kind else {
                    return Err((rhs.span, "`matches` needs a pattern in quotes".to_owned()));
                };
                let re = Regex::new(pattern).map_err(|err| (rhs.span, format!("invalid pattern: {err}")))?;
                Cond::Matches(l, re)
            }
            op => Cond::Compare(op, l, self.operand(rhs)?),
        })
    }

    fn operand(&self, e: &Expr) -> Result<Operand> {
        let e = strip(e);
        Ok(match &e.kind {
            ExprKind::Literal(lit) => Operand::Const(literal(lit).ok_or_else(|| unsupported(e))?),
            ExprKind::Neg(inner) => match &strip(inner).kind {
                ExprKind::Literal(Literal::Number(n)) => Operand::Const(Val::Num(-n.value)),
                _ => return Err(unsupported(e)),
            },
            ExprKind::Path(path) => match (self.resolution)(path.span) {
                Some(Resolution::Property { property, ty, .. }) => match property.as_str() {
                    "at" => Operand::At,
                    "revenue" => Operand::Revenue,
                    key => Operand::Json { key: key.to_owned(), ty: ty.clone() },
                },
                _ => {
                    return Err((
                        path.span,
                        format!(
                            "`{}` is not a property of the event, which is all a rule can test",
                            path.dotted()
                        ),
                    ));
                }
            },
            _ => return Err(unsupported(e)),
        })
    }
}

fn literal(lit: &Literal) -> Option<Val> {
    Some(match lit {
        Literal::Number(n) => Val::Num(n.value),
        Literal::Percent(p) => Val::Num(p.value),
        Literal::String(s) => Val::Text(s.clone()),
        Literal::Date(d) => Val::Text(d.to_string()),
        Literal::Bool(b) => Val::Num(f64::from(u8::from(*b))),
        Literal::Duration(_) => return None,
    })
}

fn strip(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Paren(inner) => strip(inner),
        _ => e,
    }
}

fn unsupported(e: &Expr) -> (Span, String) {
    (
        e.span,
        "a touchpoint rule can only compare the event's properties with constants \
         (today, durations, aggregates and other fields are not available per event)"
            .to_owned(),
    )
}
