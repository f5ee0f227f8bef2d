//! The harness behind the fuzz target (`fuzz/`) and its `cargo test` twin:
//! parse, check and compile arbitrary text, and check the compiler's
//! promises on whatever compiled. It panics when a promise is broken, which
//! is what the fuzzer and the property test look for.
//!
//! The promises:
//!
//! - nothing panics, whatever the text;
//! - every parameter that says it is a literal is bound to exactly the value
//!   of the literal at its span;
//! - every `?N` of the SQL has a parameter and every parameter is used;
//! - the SQL holds no text from the definition: its only quoted strings are
//!   the compiler's own constants, and it has no double quotes at all.

use std::collections::BTreeMap;

use crate::ast::{Date, DefinitionKind, ExprKind, Literal, PointsKind};
use crate::catalog::{Catalog, FieldType};
use crate::compile::storage::fixed_catalog;
use crate::compile::{
    Origin, Program, Query, SqlValue, compile_explain, compile_score, compile_segment, compile_stages,
};
use crate::span::Span;

/// The only quoted strings compiled SQL may contain.
pub const SQL_CONSTANTS: &[&str] = &[
    "person",
    "$",
    "integer",
    "real",
    "text",
    "true",
    "false",
    "array",
    "cancelled",
    "returned",
    "refunded",
    "partially_refunded",
];

/// A catalog shaped like a warehouse's: the fixed fields, traits and events
/// with properties of every type.
#[must_use]
pub fn catalog() -> Catalog {
    use FieldType::{Bool, Date as D, Money, Number, String as Text};
    fixed_catalog()
        .field("trait.city", Text)
        .field("trait.vip", Bool)
        .field("trait.birthday", D)
        .field("trait.interests", FieldType::list(Text))
        .field("survey.nps", Number)
        .field("survey.preferred_channel", Text)
        .field("value.cost_to_serve", Number)
        .event("email.opened", [("campaign_id", Text)])
        .event("email.clicked", [("campaign_id", Text), ("url", Text)])
        .event(
            "shop.order_placed",
            [("categories", FieldType::list(Text)), ("item_count", Number), ("revenue", Money)],
        )
        .event("web.page_view", [("path", Text), ("seconds", Number), ("first", Bool), ("day", D)])
        .event("support.call", [("reason", Text)])
}

/// Parses, checks and compiles every definition of `text`, checking the
/// promises on each query (see the module docs).
pub fn compile_everything(text: &str, today: Date) {
    let program = Program::new(text, &catalog());
    let mut literals: BTreeMap<Span, SqlValue> = BTreeMap::new();
    program.file().walk_exprs(&mut |e| {
        if let ExprKind::Literal(l) = &e.kind {
            let v = match l {
                Literal::Number(n) => Some(SqlValue::Real(n.value)),
                Literal::Percent(p) => Some(SqlValue::Real(p.value)),
                Literal::String(s) => Some(SqlValue::Text(s.clone())),
                Literal::Date(d) => Some(SqlValue::Text(d.to_string())),
                Literal::Bool(b) => Some(SqlValue::Integer(i64::from(*b))),
                Literal::Duration(_) => None,
            };
            if let Some(v) = v {
                literals.insert(e.span, v);
            }
        }
    });
    for def in &program.file().definitions {
        for rule in def.points() {
            literals.insert(rule.points.span, SqlValue::Real(rule.points.value.value));
            if let PointsKind::Per { divisor, max, .. } = &rule.kind {
                for n in divisor.iter().chain(max.iter()) {
                    literals.insert(n.span, SqlValue::Real(n.value.value));
                }
            }
        }
    }
    for def in &program.file().definitions {
        let name = def.name();
        let queries: Vec<Query> = match def.kind {
            DefinitionKind::Segment => {
                let mut q: Vec<Query> = compile_segment(&program, name, today).into_iter().collect();
                q.extend(compile_explain(&program, name, today, 1).map(|e| e.query));
                q
            }
            DefinitionKind::Score => compile_score(&program, name, today).into_iter().collect(),
            DefinitionKind::Stages => compile_stages(&program, today).into_iter().collect(),
            _ => Vec::new(),
        };
        for q in &queries {
            check_query(q, &literals);
        }
    }
}

/// Checks one compiled query's promises.
///
/// # Panics
///
/// When one is broken.
pub fn check_query(q: &Query, literals: &BTreeMap<Span, SqlValue>) {
    for p in &q.params {
        if let Origin::Literal(span) = &p.origin {
            assert_eq!(
                literals.get(span),
                Some(&p.value),
                "parameter bound to a literal's span differs from it"
            );
        }
    }
    let mut used = vec![false; q.params.len()];
    let bytes = q.sql.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) == Some(&b'?') {
            let mut j = i + 1;
            while bytes.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            let n: usize = q.sql.get(i + 1..j).and_then(|d| d.parse().ok()).unwrap_or(0);
            assert!(n >= 1 && n <= q.params.len(), "?{n} has no parameter");
            if let Some(u) = used.get_mut(n - 1) {
                *u = true;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    assert!(used.iter().all(|u| *u), "a parameter is not used in the SQL");
    assert!(!q.sql.contains('"'), "double quote in SQL");
    let mut rest = q.sql.as_str();
    while let Some(start) = rest.find('\'') {
        let after = rest.get(start + 1..).unwrap_or("");
        let end = after.find('\'').unwrap_or(after.len());
        let quoted = after.get(..end).unwrap_or("");
        assert!(SQL_CONSTANTS.contains(&quoted), "unexpected quoted text in SQL: {quoted:?}");
        rest = after.get(end + 1..).unwrap_or("");
    }
}
