//! The expression compiler: one method per construct.

use crate::ast::*;
use crate::catalog::{Field, FieldType};
use crate::check::Resolution;
use crate::compile::storage::{self, Feature, FieldSource, ValueColumn};
use crate::compile::{CompileError, Connective, Origin, Param, Program, Query, SqlValue, top_level_clauses};
use crate::dates::{self, CalendarSpan};
use crate::format::expr_text;
use crate::graph::DefRef;
use crate::span::Span;

type Result<T> = std::result::Result<T, CompileError>;

/// What kind of value an explain column holds, for showing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A number or an amount of money.
    Number,
    /// Text.
    Text,
    /// A `YYYY-MM-DD` date.
    Date,
    /// 0 or 1.
    Bool,
    /// A JSON array.
    List,
}

/// The query behind `--explain`: one row for the profile, with for each
/// top-level clause a 0/1 column and then one column per operand.
///
/// The first column is `merged_into` of the profile (NULL for a live one);
/// then the clauses' columns follow in order. The query returns no row when
/// the profile does not exist.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplainQuery {
    /// The statement and its parameters (the profile id included).
    pub query: Query,
    /// Whether every clause or one clause must hold.
    pub connective: Connective,
    /// The clauses, in order.
    pub clauses: Vec<ClauseQuery>,
}

/// One top-level clause of an explained segment.
#[derive(Clone, Debug, PartialEq)]
pub struct ClauseQuery {
    /// The clause as the formatter writes it.
    pub text: String,
    /// Where it is in the program's text.
    pub span: Span,
    /// The operands shown beside it (`count(email.opened within 30d)`), as
    /// written, with the kind of their value columns.
    pub operands: Vec<(String, ValueKind)>,
}

/// The type of a compiled value.
#[derive(Clone, Debug, PartialEq)]
enum VTy {
    Number,
    Text,
    Date,
    Bool,
    List(Box<VTy>),
    /// A constant length of time; it has no SQL of its own.
    Span(CalendarSpan),
}

impl VTy {
    fn of(ty: &FieldType) -> VTy {
        match ty {
            FieldType::Number | FieldType::Money => VTy::Number,
            FieldType::String | FieldType::Enum(_) => VTy::Text,
            FieldType::Date => VTy::Date,
            FieldType::Bool => VTy::Bool,
            FieldType::List(e) => VTy::List(Box::new(VTy::of(e))),
        }
    }

    fn kind(&self) -> ValueKind {
        match self {
            VTy::Number | VTy::Span(_) => ValueKind::Number,
            VTy::Text => ValueKind::Text,
            VTy::Date => ValueKind::Date,
            VTy::Bool => ValueKind::Bool,
            VTy::List(_) => ValueKind::List,
        }
    }
}

/// A compiled value: SQL that yields it (NULL when unset) and its type.
#[derive(Clone, Debug)]
struct Val {
    sql: String,
    ty: VTy,
}

/// A value known while compiling.
#[derive(Clone, Debug, PartialEq)]
enum Const {
    Number(f64),
    Date(Date),
    Span(CalendarSpan),
    Other,
}

/// Where an expression is compiled.
#[derive(Clone, Debug)]
enum Scope {
    /// On a profile: `alias` is a row of `profiles`.
    Profile(String),
    /// Inside a filter on event rows `alias`: paths are their properties.
    Event(String),
}

pub(crate) struct Compiler<'p> {
    program: &'p Program,
    today: Date,
    params: Vec<Param>,
    aliases: usize,
    /// Definitions being compiled, to refuse a cycle instead of looping.
    stack: Vec<DefRef>,
    end: Option<String>,
}

impl<'p> Compiler<'p> {
    pub(crate) fn new(program: &'p Program, today: Date) -> Self {
        Self { program, today, params: Vec::new(), aliases: 0, stack: Vec::new(), end: None }
    }

    // ----- entry points ------------------------------------------------

    pub(crate) fn segment(mut self, name: &str) -> Result<Query> {
        let cond = self.segment_condition(name, "p0", None)?;
        let sql = format!("SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND {cond}");
        Ok(Query { sql, params: self.params })
    }

    pub(crate) fn score(mut self, name: &str) -> Result<Query> {
        let score = self.score_value(name, "p0", None)?;
        let sql = format!("SELECT p0.id, {} FROM profiles p0 WHERE p0.merged_into IS NULL", score.sql);
        Ok(Query { sql, params: self.params })
    }

    pub(crate) fn stages(mut self) -> Result<Query> {
        let stage = self.stage_value("p0", None)?;
        let sql = format!("SELECT p0.id, {} FROM profiles p0 WHERE p0.merged_into IS NULL", stage.sql);
        Ok(Query { sql, params: self.params })
    }

    pub(crate) fn explain(mut self, name: &str, profile: i64) -> Result<ExplainQuery> {
        let def = self.definition(DefinitionKind::Segment, name, None)?;
        let condition = def
            .condition()
            .ok_or_else(|| CompileError::new(def.span, format!("segment `{name}` has no condition")))?;
        self.stack.push(DefRef::new(DefinitionKind::Segment, name));
        let scope = Scope::Profile("p0".to_owned());
        let (connective, items) = top_level_clauses(condition);
        let mut columns = vec!["p0.merged_into".to_owned()];
        let mut clauses = Vec::new();
        for item in items {
            columns.push(self.cond(item, &scope)?);
            let mut operands = Vec::new();
            for operand in explained_operands(item) {
                let v = self.value(operand, &scope)?;
                if matches!(v.ty, VTy::Span(_)) {
                    continue;
                }
                operands.push((expr_text(operand), v.ty.kind()));
                columns.push(v.sql);
            }
            clauses.push(ClauseQuery { text: expr_text(item), span: item.span, operands });
        }
        self.stack.pop();
        let id = self.param(SqlValue::Integer(profile), Origin::Name);
        let sql = format!("SELECT {} FROM profiles p0 WHERE p0.id = {id}", columns.join(", "));
        Ok(ExplainQuery { query: Query { sql, params: self.params }, connective, clauses })
    }

    // ----- helpers -----------------------------------------------------

    fn param(&mut self, value: SqlValue, origin: Origin) -> String {
        self.params.push(Param { value, origin });
        format!("?{}", self.params.len())
    }

    /// The exclusive end of the evaluation date, bound once.
    fn end(&mut self) -> String {
        if let Some(e) = &self.end {
            return e.clone();
        }
        let text = dates::next_day(self.today).to_string();
        let p = self.param(SqlValue::Text(text), Origin::End);
        self.end = Some(p.clone());
        p
    }

    fn alias(&mut self, prefix: &str) -> String {
        self.aliases += 1;
        format!("{prefix}{}", self.aliases)
    }

    fn resolution(&self, span: Span) -> Option<&'p Resolution> {
        self.program.analysis().resolutions.get(&span)
    }

    fn error_at(&self, span: Span, message: impl Into<String>) -> CompileError {
        CompileError::new(span, message)
    }

    /// A definition, refused when missing or with errors.
    fn definition(&self, kind: DefinitionKind, name: &str, at: Option<Span>) -> Result<&'p Definition> {
        let program = self.program;
        let def = match kind {
            DefinitionKind::Stages => program.stages(),
            _ => program.definition(kind, name),
        };
        let Some(def) = def else {
            let what = if kind == DefinitionKind::Stages {
                "stages block".to_owned()
            } else {
                format!("{kind} `{name}`")
            };
            return Err(self.error_at(at.unwrap_or_default(), format!("there is no {what}")));
        };
        if let Some(err) = program.first_error_in(def.span) {
            let lc = program.line_col(err.span.start);
            return Err(self.error_at(
                err.span,
                format!("{} `{}` has an error at {lc}: {}", def.kind, def.name(), err.message),
            ));
        }
        Ok(def)
    }

    fn enter(&mut self, r: DefRef, at: Option<Span>) -> Result<()> {
        if self.stack.contains(&r) {
            let mut path: Vec<String> = self.stack.iter().map(ToString::to_string).collect();
            path.push(r.to_string());
            return Err(
                self.error_at(at.unwrap_or_default(), format!("{r} refers to itself: {}", path.join(" → ")))
            );
        }
        self.stack.push(r);
        Ok(())
    }

    // ----- definitions inline ----------------------------------------

    fn segment_condition(&mut self, name: &str, alias: &str, at: Option<Span>) -> Result<String> {
        let def = self.definition(DefinitionKind::Segment, name, at)?;
        let condition = def
            .condition()
            .ok_or_else(|| CompileError::new(def.span, format!("segment `{name}` has no condition")))?;
        self.enter(DefRef::new(DefinitionKind::Segment, name), at)?;
        let sql = self.cond(condition, &Scope::Profile(alias.to_owned()));
        self.stack.pop();
        sql
    }

    fn score_value(&mut self, name: &str, alias: &str, at: Option<Span>) -> Result<Val> {
        let def = self.definition(DefinitionKind::Score, name, at)?;
        self.enter(DefRef::new(DefinitionKind::Score, name), at)?;
        let scope = Scope::Profile(alias.to_owned());
        let mut parts = Vec::new();
        for rule in def.points() {
            let points = rule.points.value.value;
            let n = self.param(SqlValue::Real(points), Origin::Literal(rule.points.span));
            match &rule.kind {
                PointsKind::Per { divisor, measure, max } => {
                    let amount = match measure {
                        Measure::Events(spec) => {
                            let e = self.alias("e");
                            let rows = self.event_rows(spec, &e, Some(&format!("{alias}.id")), &scope)?;
                            format!("(SELECT count(*) FROM events {e} WHERE {})", rows.filter)
                        }
                        Measure::Value(expr) => {
                            let v = self.value(expr, &scope)?;
                            if v.ty != VTy::Number {
                                return Err(self.error_at(expr.span, "`per` needs a number"));
                            }
                            v.sql
                        }
                    };
                    let units = match divisor {
                        Some(d) => {
                            let k = self.param(SqlValue::Real(d.value.value), Origin::Literal(d.span));
                            format!("coalesce(parlance_floor(({amount}) / {k}), 0)")
                        }
                        None => format!("coalesce(parlance_floor({amount}), 0)"),
                    };
                    let mut part = format!("({n} * {units})");
                    if let Some(m) = max {
                        let cap = self.param(SqlValue::Real(m.value.value), Origin::Literal(m.span));
                        part = if points >= 0.0 {
                            format!("min({part}, {cap})")
                        } else {
                            format!("max({part}, -{cap})")
                        };
                    }
                    parts.push(part);
                }
                PointsKind::When(c) => {
                    let c = self.cond(c, &scope)?;
                    parts.push(format!("(CASE WHEN {c} THEN {n} ELSE 0 END)"));
                }
            }
        }
        self.stack.pop();
        let sql = if parts.is_empty() { "0".to_owned() } else { format!("({})", parts.join(" + ")) };
        Ok(Val { sql, ty: VTy::Number })
    }

    fn stage_value(&mut self, alias: &str, at: Option<Span>) -> Result<Val> {
        let def = self.definition(DefinitionKind::Stages, "", at)?;
        self.enter(DefRef::new(DefinitionKind::Stages, def.name()), at)?;
        let scope = Scope::Profile(alias.to_owned());
        let mut sql = String::from("(CASE");
        let mut fallback = false;
        for rule in def.stages() {
            let name = self.param(SqlValue::Text(rule.name.name.clone()), Origin::Name);
            match &rule.when {
                Some(c) => {
                    let c = self.cond(c, &scope)?;
                    sql.push_str(&format!(" WHEN {c} THEN {name}"));
                }
                None => {
                    sql.push_str(&format!(" ELSE {name}"));
                    fallback = true;
                    break;
                }
            }
        }
        self.stack.pop();
        if !fallback {
            return Err(self.error_at(def.span, "the stages block has no `otherwise` stage"));
        }
        sql.push_str(" END)");
        Ok(Val { sql, ty: VTy::Text })
    }

    // ----- conditions --------------------------------------------------

    /// A condition: SQL that is 0 or 1, never NULL.
    fn cond(&mut self, e: &Expr, scope: &Scope) -> Result<String> {
        match &e.kind {
            ExprKind::And(items) | ExprKind::Or(items) => {
                let joiner = if matches!(e.kind, ExprKind::And(_)) { " AND " } else { " OR " };
                let mut parts = Vec::with_capacity(items.len());
                for i in items {
                    parts.push(self.cond(i, scope)?);
                }
                Ok(format!("({})", parts.join(joiner)))
            }
            ExprKind::Not(inner) => Ok(format!("(NOT {})", self.cond(inner, scope)?)),
            ExprKind::Paren(inner) => self.cond(inner, scope),
            ExprKind::Compare { op, lhs, rhs } => {
                let positive = self.compare(op.positive(), lhs, rhs, scope, e.span)?;
                Ok(if *op == op.positive() { positive } else { format!("(NOT {positive})") })
            }
            ExprKind::Between { negated, value, low, high } => {
                let positive = match self.aggregate_set(Test::Between(low, high), value, scope)? {
                    Some(set) => set,
                    None => {
                        let v = self.value(value, scope)?;
                        let lo = self.value(low, scope)?;
                        let hi = self.value(high, scope)?;
                        format!("coalesce({} BETWEEN {} AND {}, 0)", v.sql, lo.sql, hi.sql)
                    }
                };
                Ok(if *negated { format!("(NOT {positive})") } else { positive })
            }
            ExprKind::IsSet { negated, value } => {
                let v = self.value(value, scope)?;
                Ok(format!("({} IS {}NULL)", v.sql, if *negated { "" } else { "NOT " }))
            }
            ExprKind::InSegment(name) => self.in_segment(name, scope),
            ExprKind::Sequence(seq) => self.sequence(seq, scope, e.span),
            ExprKind::Error => Err(self.error_at(e.span, "this condition did not parse")),
            _ => {
                let v = self.value(e, scope)?;
                if v.ty != VTy::Bool {
                    return Err(self.error_at(e.span, format!("`{}` is not a condition", expr_text(e))));
                }
                Ok(format!("coalesce({} = 1, 0)", v.sql))
            }
        }
    }

    fn compare(
        &mut self,
        op: CompareOp,
        lhs: &Expr,
        rhs: &Expr,
        scope: &Scope,
        span: Span,
    ) -> Result<String> {
        if matches!(
            op,
            CompareOp::Eq
                | CompareOp::NotEq
                | CompareOp::Lt
                | CompareOp::LtEq
                | CompareOp::Gt
                | CompareOp::GtEq
        ) {
            if let Some(set) = self.aggregate_set(Test::Compare(op, rhs, false), lhs, scope)? {
                return Ok(set);
            }
            if let Some(set) = self.aggregate_set(Test::Compare(op, lhs, true), rhs, scope)? {
                return Ok(set);
            }
        }
        let l = self.value(lhs, scope)?;
        match op {
            CompareOp::In => {
                let ExprKind::List(items) = &strip(rhs).kind else {
                    return Err(self.error_at(rhs.span, "`in` needs a list"));
                };
                if items.is_empty() {
                    return Ok("0".to_owned());
                }
                let mut sqls = Vec::with_capacity(items.len());
                for i in items {
                    sqls.push(self.value(i, scope)?.sql);
                }
                Ok(format!("coalesce({} IN ({}), 0)", l.sql, sqls.join(", ")))
            }
            CompareOp::Contains => {
                let r = self.value(rhs, scope)?;
                match &l.ty {
                    VTy::List(elem) => {
                        let j = self.alias("j");
                        let element = typed_element(&j, elem);
                        Ok(format!(
                            "coalesce((SELECT 1 FROM json_each({}) {j} WHERE {element} = {} LIMIT 1), 0)",
                            l.sql, r.sql
                        ))
                    }
                    _ => Ok(format!("coalesce(instr({}, {}) > 0, 0)", l.sql, r.sql)),
                }
            }
            CompareOp::StartsWith => {
                let r = self.value(rhs, scope)?;
                Ok(format!("coalesce(substr({0}, 1, length({1})) = {1}, 0)", l.sql, r.sql))
            }
            CompareOp::Matches => {
                let r = self.value(rhs, scope)?;
                Ok(format!("coalesce(parlance_regexp({}, {}), 0)", r.sql, l.sql))
            }
            _ => {
                let r = self.value(rhs, scope)?;
                let sym = sql_operator(op);
                match (&l.ty, &r.ty) {
                    (VTy::Span(a), VTy::Span(b)) => {
                        let a = self.param(SqlValue::Real(a.approx_days()), Origin::Derived(lhs.span));
                        let b = self.param(SqlValue::Real(b.approx_days()), Origin::Derived(rhs.span));
                        Ok(format!("({a} {sym} {b})"))
                    }
                    (VTy::Span(_), _) | (_, VTy::Span(_)) => {
                        Err(self.error_at(span, "a length of time can only be compared with another"))
                    }
                    _ => Ok(format!("coalesce({} {sym} {}, 0)", l.sql, r.sql)),
                }
            }
        }
    }

    fn in_segment(&mut self, name: &Ident, scope: &Scope) -> Result<String> {
        match self.resolution(name.span) {
            Some(Resolution::Segment(_)) => {}
            _ => return Err(self.error_at(name.span, format!("unknown segment `{}`", name.name))),
        }
        match scope {
            Scope::Profile(alias) => {
                let alias = alias.clone();
                self.segment_condition(&name.name, &alias, Some(name.span))
            }
            Scope::Event(event) => {
                let p = self.alias("p");
                let c = self.segment_condition(&name.name, &p, Some(name.span))?;
                Ok(format!(
                    "({event}.profile_id IN (SELECT {p}.id FROM profiles {p} WHERE {p}.merged_into IS NULL AND {c}))"
                ))
            }
        }
    }

    // ----- values ------------------------------------------------------

    fn value(&mut self, e: &Expr, scope: &Scope) -> Result<Val> {
        match &e.kind {
            ExprKind::Paren(inner) => self.value(inner, scope),
            ExprKind::Literal(lit) => Ok(self.literal(lit, e.span)),
            ExprKind::Today => {
                let p = self.param(SqlValue::Text(self.today.to_string()), Origin::Derived(e.span));
                Ok(Val { sql: p, ty: VTy::Date })
            }
            ExprKind::Path(path) => self.path(path, scope),
            ExprKind::Aggregate(agg) => self.aggregate(agg, scope, e.span),
            ExprKind::Arith { op, lhs, rhs } => self.arith(*op, lhs, rhs, scope, e),
            ExprKind::Neg(inner) => {
                let v = self.value(inner, scope)?;
                if v.ty != VTy::Number {
                    return Err(self.error_at(e.span, "only numbers can be negated"));
                }
                Ok(Val { sql: format!("(- {})", v.sql), ty: VTy::Number })
            }
            ExprKind::List(_) => Err(self.error_at(e.span, "a list can only follow `in`")),
            ExprKind::Error => Err(self.error_at(e.span, "this expression did not parse")),
            ExprKind::Or(_)
            | ExprKind::And(_)
            | ExprKind::Not(_)
            | ExprKind::Compare { .. }
            | ExprKind::Between { .. }
            | ExprKind::IsSet { .. }
            | ExprKind::InSegment(_)
            | ExprKind::Sequence(_) => Ok(Val { sql: self.cond(e, scope)?, ty: VTy::Bool }),
        }
    }

    fn literal(&mut self, lit: &Literal, span: Span) -> Val {
        let origin = Origin::Literal(span);
        match lit {
            Literal::Number(n) => Val { sql: self.param(SqlValue::Real(n.value), origin), ty: VTy::Number },
            Literal::Percent(p) => Val { sql: self.param(SqlValue::Real(p.value), origin), ty: VTy::Number },
            Literal::String(s) => Val { sql: self.param(SqlValue::Text(s.clone()), origin), ty: VTy::Text },
            Literal::Date(d) => Val { sql: self.param(SqlValue::Text(d.to_string()), origin), ty: VTy::Date },
            Literal::Bool(b) => {
                Val { sql: self.param(SqlValue::Integer(i64::from(*b)), origin), ty: VTy::Bool }
            }
            Literal::Duration(d) => Val { sql: String::new(), ty: VTy::Span(CalendarSpan::of(*d)) },
        }
    }

    fn arith(&mut self, op: ArithOp, lhs: &Expr, rhs: &Expr, scope: &Scope, whole: &Expr) -> Result<Val> {
        match self.fold(whole) {
            Const::Date(d) => {
                let p = self.param(SqlValue::Text(d.to_string()), Origin::Derived(whole.span));
                return Ok(Val { sql: p, ty: VTy::Date });
            }
            Const::Span(s) => return Ok(Val { sql: String::new(), ty: VTy::Span(s) }),
            Const::Number(_) | Const::Other => {}
        }
        let l = self.value(lhs, scope)?;
        let r = self.value(rhs, scope)?;
        let sign = if op == ArithOp::Add { 1 } else { -1 };
        let date_plus = |c: &mut Self, date: &str, span: CalendarSpan, at: Span| {
            let months = c.param(SqlValue::Integer(sign * span.months), Origin::Derived(at));
            let days = c.param(SqlValue::Integer(sign * span.days), Origin::Derived(at));
            Val { sql: format!("parlance_date_add({date}, {months}, {days})"), ty: VTy::Date }
        };
        match (&l.ty, &r.ty) {
            (VTy::Number, VTy::Number) => {
                Ok(Val { sql: format!("({} {} {})", l.sql, op.as_str(), r.sql), ty: VTy::Number })
            }
            (VTy::Date, VTy::Span(s)) => Ok(date_plus(self, &l.sql, *s, rhs.span)),
            (VTy::Span(s), VTy::Date) if op == ArithOp::Add => Ok(date_plus(self, &r.sql, *s, lhs.span)),
            _ => Err(self.error_at(whole.span, format!("cannot compute `{}`", expr_text(whole)))),
        }
    }

    /// Folds constants: numbers, dates relative to `today`, durations.
    fn fold(&self, e: &Expr) -> Const {
        match &e.kind {
            ExprKind::Paren(inner) => self.fold(inner),
            ExprKind::Literal(Literal::Number(n)) => Const::Number(n.value),
            ExprKind::Literal(Literal::Percent(p)) => Const::Number(p.value),
            ExprKind::Literal(Literal::Date(d)) => Const::Date(*d),
            ExprKind::Literal(Literal::Duration(d)) => Const::Span(CalendarSpan::of(*d)),
            ExprKind::Today => Const::Date(self.today),
            ExprKind::Neg(inner) => match self.fold(inner) {
                Const::Number(n) => Const::Number(-n),
                _ => Const::Other,
            },
            ExprKind::Arith { op, lhs, rhs } => {
                let add = *op == ArithOp::Add;
                match (self.fold(lhs), self.fold(rhs)) {
                    (Const::Number(a), Const::Number(b)) => Const::Number(if add { a + b } else { a - b }),
                    (Const::Date(d), Const::Span(s)) => {
                        Const::Date(if add { dates::add(d, s) } else { dates::subtract(d, s) })
                    }
                    (Const::Span(s), Const::Date(d)) if add => Const::Date(dates::add(d, s)),
                    (Const::Span(a), Const::Span(b)) => {
                        Const::Span(if add { a.plus(b) } else { a.plus(b.negated()) })
                    }
                    _ => Const::Other,
                }
            }
            _ => Const::Other,
        }
    }

    fn path(&mut self, path: &Path, scope: &Scope) -> Result<Val> {
        let resolution = self.resolution(path.span);
        match (resolution, scope) {
            (Some(Resolution::Field(field)), Scope::Profile(alias)) => {
                let alias = alias.clone();
                self.field(field, &alias, path.span)
            }
            (Some(Resolution::Score(name)), Scope::Profile(alias)) => {
                let alias = alias.clone();
                self.score_value(name, &alias, Some(path.span))
            }
            (Some(Resolution::Property { property, ty, .. }), Scope::Event(alias)) => {
                let alias = alias.clone();
                Ok(self.property(&alias, property, ty))
            }
            (Some(Resolution::Event(name)), _) => {
                Err(self.error_at(path.span, format!("`{name}` is an event, not a value")))
            }
            _ => Err(self.error_at(path.span, format!("`{}` is not resolved", path.dotted()))),
        }
    }

    fn field(&mut self, field: &Field, alias: &str, span: Span) -> Result<Val> {
        let ty = VTy::of(&field.ty);
        let source = storage::field_source(&field.path).ok_or_else(|| {
            self.error_at(span, format!("`{}` is in the catalog but not stored in the warehouse", field.path))
        })?;
        let sql = match source {
            FieldSource::IsKnown => format!("({alias}.kind = 'person')"),
            FieldSource::ProfileId => format!("{alias}.id"),
            FieldSource::Trait { key } => {
                let k = self.param(SqlValue::Text(key), Origin::Name);
                let t = self.alias("t");
                let extract = typed_json(&format!("{t}.value_json"), "'$'", &ty);
                format!(
                    "(SELECT {extract} FROM traits {t} WHERE {t}.profile_id = {alias}.id AND {t}.key = {k} \
                     ORDER BY {t}.observed_at DESC, {t}.source DESC LIMIT 1)"
                )
            }
            FieldSource::Feature(f) => self.feature(f, alias),
            FieldSource::Value(column) => {
                let v = self.alias("v");
                let column = match column {
                    ValueColumn::Total => "value",
                    ValueColumn::Tier => "tier",
                    ValueColumn::Decile => "decile",
                };
                format!("(SELECT {v}.{column} FROM profile_value {v} WHERE {v}.profile_id = {alias}.id)")
            }
            FieldSource::ValueComponent { key } => {
                let path = self.param(SqlValue::Text(storage::json_path(&key)), Origin::Name);
                let v = self.alias("v");
                let extract = typed_json(&format!("{v}.components_json"), &path, &VTy::Number);
                format!("(SELECT {extract} FROM profile_value {v} WHERE {v}.profile_id = {alias}.id)")
            }
            FieldSource::Stage => return self.stage_value(alias, Some(span)),
        };
        Ok(Val { sql, ty })
    }

    fn feature(&mut self, feature: Feature, alias: &str) -> String {
        let end = self.end();
        let orders = |what: &str, extra: &str, o: &str| {
            format!(
                "(SELECT {what} FROM orders {o} WHERE {o}.profile_id = {alias}.id AND {o}.ordered_at < {end} \
                 AND {o}.status != 'cancelled'{extra})"
            )
        };
        match feature {
            Feature::OrderCount => {
                let o = self.alias("o");
                orders("count(*)", "", &o)
            }
            Feature::OrderTotal => {
                let o = self.alias("o");
                orders(&format!("total({o}.amount - {o}.refunded_amount)"), "", &o)
            }
            Feature::OrderAverage => {
                let o = self.alias("o");
                orders(&format!("avg({o}.amount)"), "", &o)
            }
            Feature::FirstOrderAt => {
                let o = self.alias("o");
                orders(&format!("substr(min({o}.ordered_at), 1, 10)"), "", &o)
            }
            Feature::LastOrderAt => {
                let o = self.alias("o");
                orders(&format!("substr(max({o}.ordered_at), 1, 10)"), "", &o)
            }
            Feature::ReturnCount => {
                let o = self.alias("o");
                let extra = format!(" AND {o}.status IN ('returned', 'refunded', 'partially_refunded')");
                orders("count(*)", &extra, &o)
            }
            Feature::SupportContacts | Feature::LastSupportAt => {
                let s = self.alias("s");
                let what = if feature == Feature::SupportContacts {
                    "count(*)".to_owned()
                } else {
                    format!("substr(max({s}.contacted_at), 1, 10)")
                };
                format!(
                    "(SELECT {what} FROM support_contacts {s} WHERE {s}.profile_id = {alias}.id AND {s}.contacted_at < {end})"
                )
            }
            Feature::FirstSeen | Feature::LastSeen => {
                let e = self.alias("e");
                let f = if feature == Feature::FirstSeen { "min" } else { "max" };
                format!(
                    "(SELECT substr({f}({e}.occurred_at), 1, 10) FROM events {e} WHERE {e}.profile_id = {alias}.id AND {e}.occurred_at < {end})"
                )
            }
        }
    }

    /// A property of the event row `alias`.
    fn property(&mut self, alias: &str, property: &str, ty: &FieldType) -> Val {
        let ty = VTy::of(ty);
        let sql = match property {
            "at" => format!("substr({alias}.occurred_at, 1, 10)"),
            "revenue" => format!("{alias}.revenue"),
            key => {
                let path = self.param(SqlValue::Text(storage::json_path(key)), Origin::Name);
                typed_json(&format!("{alias}.properties_json"), &path, &ty)
            }
        };
        Val { sql, ty }
    }

    // ----- events --------------------------------------------------------

    /// The conditions selecting the rows `alias` of `events` that `spec`
    /// names: event type, seen by the end of `today`, window, filter; and the
    /// property it names, if any.
    fn event_rows(
        &mut self,
        spec: &EventSpec,
        alias: &str,
        profile: Option<&str>,
        scope: &Scope,
    ) -> Result<Rows> {
        let (event, property) = match self.resolution(spec.path.span) {
            Some(Resolution::Event(name)) => (name.clone(), None),
            Some(Resolution::Property { event, property, ty }) => {
                (event.clone(), Some((property.clone(), ty.clone())))
            }
            _ => return Err(self.error_at(spec.path.span, format!("unknown event `{}`", spec.path.dotted()))),
        };
        let Some((channel, name)) = storage::event_source(&event) else {
            return Err(self.error_at(
                spec.path.span,
                format!("the event `{event}` is in the catalog but not stored in the warehouse"),
            ));
        };
        let (channel, name) = (channel.to_owned(), name.to_owned());
        let mut parts = Vec::new();
        if let Some(p) = profile {
            parts.push(format!("{alias}.profile_id = {p}"));
        }
        let n = self.param(SqlValue::Text(name), Origin::Name);
        let c = self.param(SqlValue::Text(channel), Origin::Name);
        let end = self.end();
        parts.push(format!("{alias}.name = {n} AND {alias}.channel = {c} AND {alias}.occurred_at < {end}"));
        if let Some(w) = &spec.window {
            match &w.kind {
                WindowKind::Within(d) => {
                    let start = dates::subtract(self.today, CalendarSpan::of(d.value));
                    let p = self.param(SqlValue::Text(start.to_string()), Origin::Derived(w.span));
                    parts.push(format!("{alias}.occurred_at >= {p}"));
                }
                WindowKind::Between(a, b) => match (self.fold(a), self.fold(b)) {
                    (Const::Date(from), Const::Date(to)) => {
                        let from_origin =
                            if is_literal(a) { Origin::Literal(a.span) } else { Origin::Derived(a.span) };
                        let from = self.param(SqlValue::Text(from.to_string()), from_origin);
                        let to = self
                            .param(SqlValue::Text(dates::next_day(to).to_string()), Origin::Derived(b.span));
                        parts.push(format!("{alias}.occurred_at >= {from} AND {alias}.occurred_at < {to}"));
                    }
                    _ => {
                        let from = self.value(a, scope)?;
                        let to = self.value(b, scope)?;
                        parts.push(format!(
                            "substr({alias}.occurred_at, 1, 10) BETWEEN {} AND {}",
                            from.sql, to.sql
                        ));
                    }
                },
            }
        }
        if let Some(filter) = &spec.filter {
            let f = self.cond(filter, &Scope::Event(alias.to_owned()))?;
            parts.push(f);
        }
        let property = property.map(|(p, ty)| self.property(alias, &p, &ty));
        Ok(Rows { filter: parts.join(" AND "), property })
    }

    /// An aggregate as a scalar on the current profile.
    fn aggregate(&mut self, agg: &Aggregate, scope: &Scope, span: Span) -> Result<Val> {
        let Scope::Profile(alias) = scope else {
            return Err(self.error_at(span, "an event filter cannot contain an aggregate"));
        };
        let alias = alias.clone();
        let e = self.alias("e");
        let rows = self.event_rows(&agg.target, &e, Some(&format!("{alias}.id")), scope)?;
        let from = format!("FROM events {e} WHERE {}", rows.filter);
        let need = |c: &Self, rows: &Rows| {
            rows.property
                .clone()
                .ok_or_else(|| c.error_at(span, format!("`{}` needs a property", agg.func.as_str())))
        };
        Ok(match agg.func {
            AggregateFn::Count => Val { sql: format!("(SELECT count(*) {from})"), ty: VTy::Number },
            AggregateFn::Distinct => {
                let p = need(self, &rows)?;
                Val { sql: format!("(SELECT count(DISTINCT {}) {from})", p.sql), ty: VTy::Number }
            }
            AggregateFn::Sum => {
                let p = need(self, &rows)?;
                Val { sql: format!("(SELECT total({}) {from})", p.sql), ty: VTy::Number }
            }
            AggregateFn::Avg => {
                let p = need(self, &rows)?;
                Val { sql: format!("(SELECT avg({}) {from})", p.sql), ty: VTy::Number }
            }
            AggregateFn::Min | AggregateFn::Max => {
                let p = need(self, &rows)?;
                Val { sql: format!("(SELECT {}({}) {from})", agg.func.as_str(), p.sql), ty: p.ty }
            }
            AggregateFn::First | AggregateFn::Last => {
                let Some(prop) = &agg.property else {
                    return Err(self.error_at(span, "`first` and `last` need `.property`"));
                };
                let Some(Resolution::Property { property, ty, .. }) = self.resolution(prop.span) else {
                    return Err(self.error_at(prop.span, format!("unknown property `{}`", prop.name)));
                };
                let p = self.property(&e, property, ty);
                let dir = if agg.func == AggregateFn::First { "ASC" } else { "DESC" };
                Val {
                    sql: format!(
                        "(SELECT {} {from} ORDER BY {e}.occurred_at {dir}, {e}.id {dir} LIMIT 1)",
                        p.sql
                    ),
                    ty: p.ty,
                }
            }
        })
    }

    /// `AGG op constant` (or `between`) as a set of profiles computed once:
    /// `id IN (… HAVING test)`, or `id NOT IN (… HAVING NOT test)` when
    /// profiles without matching events pass the test. `None` when the
    /// shape does not allow it (then the scalar form is used).
    fn aggregate_set(&mut self, test: Test<'_>, agg_expr: &Expr, scope: &Scope) -> Result<Option<String>> {
        let Scope::Profile(alias) = scope else { return Ok(None) };
        let ExprKind::Aggregate(agg) = &strip(agg_expr).kind else { return Ok(None) };
        if let Some(w) = &agg.target.window
            && let WindowKind::Between(a, b) = &w.kind
            && !(matches!(self.fold(a), Const::Date(_)) && matches!(self.fold(b), Const::Date(_)))
        {
            return Ok(None);
        }
        let at_only = agg.property.as_ref().is_some_and(|p| p.name == "at");
        let empty_is_zero = match agg.func {
            AggregateFn::Count | AggregateFn::Distinct | AggregateFn::Sum => true,
            AggregateFn::Avg | AggregateFn::Min | AggregateFn::Max => false,
            AggregateFn::First | AggregateFn::Last if at_only => false,
            AggregateFn::First | AggregateFn::Last => return Ok(None),
        };
        // Does a profile without matching events (the aggregate 0 or unset) pass?
        let empty_passes = if empty_is_zero {
            let number = |e: &Expr| match self.fold(e) {
                Const::Number(n) => Some(n),
                _ => None,
            };
            match test {
                Test::Compare(op, other, flipped) => {
                    let Some(k) = number(other) else { return Ok(None) };
                    let (a, b) = if flipped { (k, 0.0) } else { (0.0, k) };
                    match op {
                        CompareOp::Eq => a == b,
                        CompareOp::NotEq => a != b,
                        CompareOp::Lt => a < b,
                        CompareOp::LtEq => a <= b,
                        CompareOp::Gt => a > b,
                        CompareOp::GtEq => a >= b,
                        _ => return Ok(None),
                    }
                }
                Test::Between(lo, hi) => {
                    let (Some(lo), Some(hi)) = (number(lo), number(hi)) else { return Ok(None) };
                    lo <= 0.0 && 0.0 <= hi
                }
            }
        } else {
            let constant = |e: &Expr| !matches!(self.fold(e), Const::Other);
            let all_constant = match test {
                Test::Compare(_, other, _) => constant(other),
                Test::Between(lo, hi) => constant(lo) && constant(hi),
            };
            if !all_constant {
                return Ok(None);
            }
            false
        };
        let alias = alias.clone();
        let e = self.alias("e");
        let rows = self.event_rows(&agg.target, &e, None, scope)?;
        let value = match agg.func {
            AggregateFn::Count => "count(*)".to_owned(),
            AggregateFn::First => format!("substr(min({e}.occurred_at), 1, 10)"),
            AggregateFn::Last => format!("substr(max({e}.occurred_at), 1, 10)"),
            func => {
                let Some(p) = &rows.property else { return Ok(None) };
                match func {
                    AggregateFn::Distinct => format!("count(DISTINCT {})", p.sql),
                    AggregateFn::Sum => format!("total({})", p.sql),
                    other => format!("{}({})", other.as_str(), p.sql),
                }
            }
        };
        let test_sql = match test {
            Test::Compare(op, other, flipped) => {
                let k = self.value(other, scope)?;
                let sym = sql_operator(op);
                if flipped {
                    format!("coalesce({} {sym} {value}, 0)", k.sql)
                } else {
                    format!("coalesce({value} {sym} {}, 0)", k.sql)
                }
            }
            Test::Between(lo, hi) => {
                let lo = self.value(lo, scope)?;
                let hi = self.value(hi, scope)?;
                format!("coalesce({value} BETWEEN {} AND {}, 0)", lo.sql, hi.sql)
            }
        };
        let group =
            format!("SELECT {e}.profile_id FROM events {e} WHERE {} GROUP BY {e}.profile_id", rows.filter);
        Ok(Some(if empty_passes {
            format!("({alias}.id NOT IN ({group} HAVING NOT {test_sql}))")
        } else {
            format!("({alias}.id IN ({group} HAVING {test_sql}))")
        }))
    }

    /// `A then B … within D`, `A then no B within D`: the profiles with a
    /// qualifying first step, found from the first step's events.
    fn sequence(&mut self, seq: &Sequence, scope: &Scope, span: Span) -> Result<String> {
        let Scope::Profile(alias) = scope else {
            return Err(self.error_at(span, "an event filter cannot contain a sequence"));
        };
        let alias = alias.clone();
        let (absent, positive): (Vec<&SequenceStep>, Vec<&SequenceStep>) =
            seq.steps.iter().partition(|s| s.absent);
        let absent = match absent.as_slice() {
            [] => None,
            [z] if seq.steps.last().is_some_and(|l| l.absent) => Some(*z),
            _ => return Err(self.error_at(span, "only the last step of a sequence can be `then no`")),
        };
        let Some(first) = positive.first() else {
            return Err(self.error_at(span, "a sequence needs a first step"));
        };
        if positive.len() + usize::from(absent.is_some()) < 2 {
            return Err(self.error_at(span, "a sequence needs at least two steps"));
        }
        let a = self.alias("a");
        let first_rows = self.event_rows(&first.event, &a, None, scope)?;
        let limit = match seq.within {
            Some(d) => {
                let s = CalendarSpan::of(d.value);
                let m = self.param(SqlValue::Integer(s.months), Origin::Derived(d.span));
                let days = self.param(SqlValue::Integer(s.days), Origin::Derived(d.span));
                Some(format!("parlance_ts_add({a}.occurred_at, {m}, {days})"))
            }
            None => None,
        };
        let owner = format!("{a}.profile_id");
        let mut last = format!("{a}.occurred_at");
        let last_positive = positive.len() - 1;
        for (i, step) in positive.iter().enumerate().skip(1) {
            let b = self.alias("b");
            let rows = self.event_rows(&step.event, &b, Some(&owner), scope)?;
            last = if absent.is_some() && i == last_positive {
                // Before a `then no`, the latest such event leaves the shortest gap to fill.
                let bound =
                    limit.as_ref().map(|l| format!(" AND {b}.occurred_at <= {l}")).unwrap_or_default();
                format!(
                    "(SELECT {b}.occurred_at FROM events {b} WHERE {} AND {b}.occurred_at > {last}{bound} \
                     ORDER BY {b}.occurred_at DESC LIMIT 1)",
                    rows.filter
                )
            } else {
                // Otherwise the earliest next step leaves the most room for the rest.
                format!(
                    "(SELECT {b}.occurred_at FROM events {b} WHERE {} AND {b}.occurred_at > {last} \
                     ORDER BY {b}.occurred_at ASC LIMIT 1)",
                    rows.filter
                )
            };
        }
        let mut tests = Vec::new();
        match absent {
            None => match &limit {
                // NULL (no such chain) fails the comparison too.
                Some(l) => tests.push(format!("{last} <= {l}")),
                None => tests.push(format!("{last} IS NOT NULL")),
            },
            Some(z) => {
                if positive.len() > 1 {
                    tests.push(format!("{last} IS NOT NULL"));
                }
                let zz = self.alias("z");
                let rows = self.event_rows(&z.event, &zz, Some(&owner), scope)?;
                let bound =
                    limit.as_ref().map(|l| format!(" AND {zz}.occurred_at <= {l}")).unwrap_or_default();
                tests.push(format!(
                    "NOT EXISTS (SELECT 1 FROM events {zz} WHERE {} AND {zz}.occurred_at > {last}{bound})",
                    rows.filter
                ));
                if let Some(l) = &limit {
                    let end = self.end();
                    tests.push(format!("{l} < {end}"));
                }
            }
        }
        Ok(format!(
            "({alias}.id IN (SELECT {a}.profile_id FROM events {a} WHERE {} AND {}))",
            first_rows.filter,
            tests.join(" AND ")
        ))
    }
}

/// Selected event rows.
struct Rows {
    /// The WHERE conditions.
    filter: String,
    /// The property named by the spec (`order.amount`), if any.
    property: Option<Val>,
}

/// What an aggregate is tested against in a set form.
#[derive(Clone, Copy)]
enum Test<'a> {
    /// `AGG op other`, or `other op AGG` when flipped.
    Compare(CompareOp, &'a Expr, bool),
    /// `AGG between lo and hi`.
    Between(&'a Expr, &'a Expr),
}

fn strip(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Paren(inner) => strip(inner),
        _ => e,
    }
}

fn is_literal(e: &Expr) -> bool {
    matches!(strip(e).kind, ExprKind::Literal(_))
}

fn sql_operator(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => "=",
        CompareOp::NotEq => "!=",
        CompareOp::Lt => "<",
        CompareOp::LtEq => "<=",
        CompareOp::Gt => ">",
        _ => ">=",
    }
}

/// A JSON value at `path` of `doc`, as SQL of the type `ty`; a value of
/// another JSON type is unset.
fn typed_json(doc: &str, path: &str, ty: &VTy) -> String {
    match ty {
        VTy::Number | VTy::Span(_) => format!(
            "(CASE WHEN json_type({doc}, {path}) IN ('integer', 'real') THEN json_extract({doc}, {path}) END)"
        ),
        VTy::Text => {
            format!("(CASE WHEN json_type({doc}, {path}) = 'text' THEN json_extract({doc}, {path}) END)")
        }
        VTy::Date => format!(
            "parlance_date(CASE WHEN json_type({doc}, {path}) = 'text' THEN json_extract({doc}, {path}) END)"
        ),
        VTy::Bool => format!("(CASE json_type({doc}, {path}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)"),
        VTy::List(_) => {
            format!("(CASE WHEN json_type({doc}, {path}) = 'array' THEN json_extract({doc}, {path}) END)")
        }
    }
}

/// An element of `json_each` row `j`, as SQL of the element type.
fn typed_element(j: &str, ty: &VTy) -> String {
    match ty {
        VTy::Number | VTy::Span(_) | VTy::List(_) => {
            format!("(CASE WHEN {j}.type IN ('integer', 'real') THEN {j}.value END)")
        }
        VTy::Text => format!("(CASE WHEN {j}.type = 'text' THEN {j}.value END)"),
        VTy::Date => format!("parlance_date(CASE WHEN {j}.type = 'text' THEN {j}.value END)"),
        VTy::Bool => format!("(CASE {j}.type WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)"),
    }
}

/// The operands of a clause worth showing beside it: what is compared,
/// except literals.
fn explained_operands(clause: &Expr) -> Vec<&Expr> {
    let e = strip(clause);
    let mut out = Vec::new();
    let keep = |x: &'_ Expr| {
        let x = strip(x);
        !matches!(x.kind, ExprKind::Literal(_) | ExprKind::List(_) | ExprKind::Today)
            && !matches!(&x.kind, ExprKind::Arith { lhs, .. } if matches!(strip(lhs).kind, ExprKind::Today | ExprKind::Literal(_)))
    };
    match &e.kind {
        ExprKind::Not(inner) => return explained_operands(inner),
        ExprKind::Compare { lhs, rhs, .. } => {
            for x in [lhs, rhs] {
                if keep(x) {
                    out.push(strip(x));
                }
            }
        }
        ExprKind::Between { value, low, high, .. } => {
            for x in [value, low, high] {
                if keep(x) {
                    out.push(strip(x));
                }
            }
        }
        ExprKind::IsSet { value, .. } => out.push(strip(value)),
        _ => {}
    }
    out
}
