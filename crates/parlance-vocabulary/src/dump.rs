//! A compact S-expression rendering of the syntax tree, for snapshot tests and
//! debugging. One line per definition header and per clause; expressions inline.
//!
//! ```text
//! (segment lapsed_vip "Lapsed VIPs"
//!   (where (and (= value.tier "top") (< (. (last order) at) (- today 90d)))))
//! ```

use std::fmt::Write as _;

use crate::ast::*;
use crate::lexer::quote;

/// Renders a file as S-expressions.
#[must_use]
pub fn dump(file: &SourceFile) -> String {
    let mut out = String::new();
    for def in &file.definitions {
        let _ = write!(
            out,
            "({} {}",
            def.kind.keyword(),
            def.name.as_ref().map_or("<missing>", |n| n.name.as_str())
        );
        if let Some(t) = &def.title {
            let _ = write!(out, " {}", quote(&t.value));
        }
        for c in &def.clauses {
            out.push_str("\n  ");
            clause(&mut out, c);
        }
        out.push_str(")\n");
    }
    out
}

/// Renders one expression as an S-expression.
#[must_use]
pub fn dump_expr(e: &Expr) -> String {
    let mut out = String::new();
    expr(&mut out, e);
    out
}

fn clause(out: &mut String, c: &Clause) {
    match &c.kind {
        ClauseKind::Owner(s) => {
            let _ = write!(out, "(owner {})", quote(&s.value));
        }
        ClauseKind::Description(s) => {
            let _ = write!(out, "(description {})", quote(&s.value));
        }
        ClauseKind::Deprecated(s) => {
            let _ = write!(out, "(deprecated {})", quote(&s.value));
        }
        ClauseKind::Tags(tags) => {
            out.push_str("(tags");
            for t in tags {
                let _ = write!(out, " {}", quote(&t.value));
            }
            out.push(')');
        }
        ClauseKind::Where(e) => {
            out.push_str("(where ");
            expr(out, e);
            out.push(')');
        }
        ClauseKind::Points(p) => {
            let _ = write!(out, "(points {} ", p.points.value.text);
            match &p.kind {
                PointsKind::Per { divisor, measure, max } => {
                    out.push_str("(per");
                    if let Some(d) = divisor {
                        let _ = write!(out, " (of {})", d.value.text);
                    }
                    out.push(' ');
                    match measure {
                        Measure::Events(spec) => {
                            out.push_str("(events ");
                            event_spec(out, spec);
                            out.push(')');
                        }
                        Measure::Value(e) => expr(out, e),
                    }
                    if let Some(m) = max {
                        let _ = write!(out, " (max {})", m.value.text);
                    }
                    out.push(')');
                }
                PointsKind::When(e) => {
                    out.push_str("(when ");
                    expr(out, e);
                    out.push(')');
                }
            }
            out.push(')');
        }
        ClauseKind::Stage(s) => {
            let _ = write!(out, "(stage {}", s.name.name);
            if let Some(t) = &s.title {
                let _ = write!(out, " {}", quote(&t.value));
            }
            match &s.when {
                Some(e) => {
                    out.push_str(" (when ");
                    expr(out, e);
                    out.push_str("))");
                }
                None => out.push_str(" otherwise)"),
            }
        }
        ClauseKind::Horizon(d) => {
            let _ = write!(out, "(horizon {})", d.value);
        }
        ClauseKind::Discount { rate, per } => {
            let _ = write!(out, "(discount {} per {})", rate.value.text, per.as_str());
        }
        ClauseKind::Margin { rate, category } => {
            let _ = write!(out, "(margin {}", rate.value.text);
            if let Some(c) = category {
                let _ = write!(out, " (for {})", quote(&c.value));
            }
            out.push(')');
        }
        ClauseKind::ContactCost { cost, channel } => {
            let _ = write!(out, "(contact-cost {}", cost.value.text);
            if let Some(c) = channel {
                let _ = write!(out, " (for {})", quote(&c.value));
            }
            out.push(')');
        }
        ClauseKind::ReturnCost(cost) => {
            let _ = write!(out, "(return-cost {})", cost.value.text);
        }
        ClauseKind::Tier(t) => {
            let _ = write!(out, "(tier {}", t.name.name);
            if let Some(title) = &t.title {
                let _ = write!(out, " {}", quote(&title.value));
            }
            match &t.from {
                Some(n) => {
                    let _ = write!(out, " (from {}))", n.value.text);
                }
                None => out.push_str(" otherwise)"),
            }
        }
        ClauseKind::Group { name, title } => {
            let _ = write!(out, "(group {}", name.name);
            if let Some(t) = title {
                let _ = write!(out, " {}", quote(&t.value));
            }
            out.push(')');
        }
        ClauseKind::Map { event, label } => {
            out.push_str("(map ");
            event_spec(out, event);
            let _ = write!(out, " (to {}:{}))", label.group.name, label.name.name);
        }
        ClauseKind::Ignore(event) => {
            out.push_str("(ignore ");
            event_spec(out, event);
            out.push(')');
        }
    }
}

fn event_spec(out: &mut String, spec: &EventSpec) {
    out.push_str(&spec.path.dotted());
    let filter = |out: &mut String| {
        if let Some(f) = &spec.filter {
            out.push_str(" (where ");
            expr(out, f);
            out.push(')');
        }
    };
    let window = |out: &mut String| {
        if let Some(w) = &spec.window {
            out.push(' ');
            window(out, w);
        }
    };
    if spec.window_first {
        window(out);
        filter(out);
    } else {
        filter(out);
        window(out);
    }
}

fn window(out: &mut String, w: &Window) {
    match &w.kind {
        WindowKind::Within(d) => {
            let _ = write!(out, "(within {})", d.value);
        }
        WindowKind::Between(a, b) => {
            out.push_str("(between ");
            expr(out, a);
            out.push(' ');
            expr(out, b);
            out.push(')');
        }
    }
}

fn expr(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Or(items) | ExprKind::And(items) => {
            out.push_str(if matches!(e.kind, ExprKind::Or(_)) { "(or" } else { "(and" });
            for i in items {
                out.push(' ');
                expr(out, i);
            }
            out.push(')');
        }
        ExprKind::Not(inner) => {
            out.push_str("(not ");
            expr(out, inner);
            out.push(')');
        }
        ExprKind::Paren(inner) => {
            out.push_str("(paren ");
            expr(out, inner);
            out.push(')');
        }
        ExprKind::Compare { op, lhs, rhs } => {
            let _ = write!(out, "({} ", op.as_str().replace(' ', "-"));
            expr(out, lhs);
            out.push(' ');
            expr(out, rhs);
            out.push(')');
        }
        ExprKind::Between { negated, value, low, high } => {
            out.push_str(if *negated { "(not-between " } else { "(between " });
            expr(out, value);
            out.push(' ');
            expr(out, low);
            out.push(' ');
            expr(out, high);
            out.push(')');
        }
        ExprKind::IsSet { negated, value } => {
            out.push_str(if *negated { "(is-not-set " } else { "(is-set " });
            expr(out, value);
            out.push(')');
        }
        ExprKind::InSegment(name) => {
            let _ = write!(out, "(in-segment {})", name.name);
        }
        ExprKind::Sequence(seq) => {
            out.push_str("(sequence");
            for step in &seq.steps {
                out.push(' ');
                if step.absent {
                    out.push_str("(no ");
                }
                if step.event.filter.is_some() {
                    out.push('(');
                }
                event_spec(out, &step.event);
                if step.event.filter.is_some() {
                    out.push(')');
                }
                if step.absent {
                    out.push(')');
                }
            }
            if let Some(w) = &seq.within {
                let _ = write!(out, " (within {})", w.value);
            }
            out.push(')');
        }
        ExprKind::Path(p) => out.push_str(&p.dotted()),
        ExprKind::Literal(l) => literal(out, l),
        ExprKind::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                expr(out, item);
            }
            out.push(']');
        }
        ExprKind::Today => out.push_str("today"),
        ExprKind::Aggregate(agg) => {
            if agg.property.is_some() {
                out.push_str("(. ");
            }
            let _ = write!(out, "({} ", agg.func.as_str());
            event_spec(out, &agg.target);
            out.push(')');
            if let Some(p) = &agg.property {
                let _ = write!(out, " {})", p.name);
            }
        }
        ExprKind::Arith { op, lhs, rhs } => {
            let _ = write!(out, "({} ", op.as_str());
            expr(out, lhs);
            out.push(' ');
            expr(out, rhs);
            out.push(')');
        }
        ExprKind::Neg(inner) => {
            out.push_str("(neg ");
            expr(out, inner);
            out.push(')');
        }
        ExprKind::Error => out.push_str("<error>"),
    }
}

fn literal(out: &mut String, l: &Literal) {
    match l {
        Literal::Number(n) => out.push_str(&n.text),
        Literal::Percent(p) => out.push_str(&p.text),
        Literal::String(s) => out.push_str(&quote(s)),
        Literal::Date(d) => {
            let _ = write!(out, "{d}");
        }
        Literal::Duration(d) => {
            let _ = write!(out, "{d}");
        }
        Literal::Bool(b) => {
            let _ = write!(out, "{b}");
        }
    }
}
