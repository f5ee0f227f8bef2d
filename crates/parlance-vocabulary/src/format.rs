//! The canonical formatter.
//!
//! Rules, applied to the syntax tree (so the output depends only on the tree
//! and the comments, which is what makes it idempotent):
//!
//! * Definitions are separated by one empty line; the header — keyword, name,
//!   title — is on one line; each clause is on its own line, indented by two
//!   spaces, in the order written (the formatter never reorders).
//! * A condition whose top level is a chain of `and` (or of `or`) puts each
//!   further operand on its own line, indented two more spaces and led by the
//!   connective. A parenthesised chain stays on one line if it fits in
//!   [`WIDTH`] columns, and is otherwise broken the same way inside `(` … `)`.
//! * One space around operators and after commas; none inside brackets.
//!   Strings are re-quoted with the canonical escapes, dates are written
//!   `YYYY-MM-DD`, durations without leading zeros; numbers keep the digits
//!   the author wrote (`19.90` stays `19.90`). Parentheses the author wrote are
//!   kept; the formatter adds them only where the tree needs them.
//!
//! Comments: no comment is ever dropped. A comment that ends a line the
//! formatter also ends (after a header, a clause, or one operand of a broken
//! condition) stays at the end of that line. Every other comment is moved to
//! its own line, just before the next line the formatter starts, at that
//! line's indentation. An empty line after an own-line comment is kept.
//!
//! Formatting a file with syntax errors would drop what was not understood, so
//! [`format_text`] refuses such files; [`format()`] formats whatever tree it is
//! given.

use crate::ast::*;
use crate::diagnostics::Diagnostic;
use crate::lexer::{Comment, quote};
use crate::parser::parse;

/// The line width the formatter tries to keep within.
pub const WIDTH: usize = 100;

/// Formats a source text, or returns its syntax errors if it has any.
///
/// # Errors
///
/// The diagnostics of [`parse`] when any of them is an error.
pub fn format_text(text: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = parse(text);
    if parsed.has_errors() {
        return Err(parsed.diagnostics);
    }
    Ok(format(&parsed.file))
}

/// Formats a syntax tree in the canonical layout, comments included.
#[must_use]
pub fn format(file: &SourceFile) -> String {
    let mut p = Printer { out: String::new(), comments: &file.comments, next: 0 };
    for (i, def) in file.definitions.iter().enumerate() {
        if i > 0 {
            p.out.push('\n');
        }
        p.definition(def);
    }
    if p.next < p.comments.len() {
        if !file.definitions.is_empty() {
            p.out.push('\n');
        }
        p.flush_before(u32::MAX, 0);
    }
    p.out
}

struct Printer<'a> {
    out: String,
    comments: &'a [Comment],
    /// The first comment not yet printed.
    next: usize,
}

/// Precedence levels of printed expressions, loosest first.
const P_SEQ_OPEN: u8 = 0;
const P_OR: u8 = 1;
const P_AND: u8 = 2;
const P_NOT: u8 = 3;
const P_CMP: u8 = 4;
const P_ADD: u8 = 5;
const P_NEG: u8 = 6;
const P_ATOM: u8 = 7;

impl Printer<'_> {
    /// Prints every pending comment that starts before `pos`, each on its own line.
    fn flush_before(&mut self, pos: u32, indent: usize) {
        while let Some(c) = self.comments.get(self.next) {
            if c.span.start >= pos {
                break;
            }
            self.out.push_str(&" ".repeat(indent));
            self.out.push('#');
            self.out.push_str(&c.text);
            self.out.push('\n');
            if c.blank_line_after {
                self.out.push('\n');
            }
            self.next += 1;
        }
    }

    /// Prints one output line for source text `start..end`.
    fn line(&mut self, indent: usize, start: u32, end: u32, text: &str) {
        self.flush_before(start, indent);
        self.out.push_str(&" ".repeat(indent));
        self.out.push_str(text);
        if let Some(c) = self.comments.get(self.next)
            && !c.own_line
            && c.after_token == end
            && c.span.start >= end
        {
            self.out.push_str(" #");
            self.out.push_str(&c.text);
            self.next += 1;
        }
        self.out.push('\n');
    }

    fn definition(&mut self, def: &Definition) {
        let mut header = def.kind.keyword().to_owned();
        let mut end = def.keyword.end;
        if let Some(n) = &def.name {
            header.push(' ');
            header.push_str(&n.name);
            end = n.span.end;
        }
        if let Some(t) = &def.title {
            header.push(' ');
            header.push_str(&quote(&t.value));
            end = t.span.end;
        }
        self.line(0, def.span.start, end, &header);
        for c in &def.clauses {
            self.clause(c);
        }
    }

    fn clause(&mut self, c: &Clause) {
        let start = c.span.start;
        let end = c.span.end;
        match &c.kind {
            ClauseKind::Owner(s) => self.line(2, start, end, &format!("owner {}", quote(&s.value))),
            ClauseKind::Description(s) => {
                self.line(2, start, end, &format!("description {}", quote(&s.value)))
            }
            ClauseKind::Deprecated(s) => self.line(2, start, end, &format!("deprecated {}", quote(&s.value))),
            ClauseKind::Tags(tags) => {
                let list: Vec<String> = tags.iter().map(|t| quote(&t.value)).collect();
                self.line(2, start, end, &format!("tags {}", list.join(", ")));
            }
            ClauseKind::Where(e) => self.condition(2, start, "where ".to_owned(), e, ""),
            ClauseKind::Points(p) => {
                let head = format!("points {} ", p.points.value.text);
                match &p.kind {
                    PointsKind::Per { divisor, measure, max } => {
                        let mut text = head;
                        text.push_str("per ");
                        if let Some(d) = divisor {
                            text.push_str(&d.value.text);
                            text.push_str(" of ");
                        }
                        match measure {
                            Measure::Events(spec) => text.push_str(&event_spec(spec)),
                            Measure::Value(e) => text.push_str(&inline(e, P_ADD)),
                        }
                        if let Some(m) = max {
                            text.push_str(" max ");
                            text.push_str(&m.value.text);
                        }
                        self.line(2, start, end, &text);
                    }
                    PointsKind::When(e) => self.condition(2, start, format!("{head}when "), e, ""),
                }
            }
            ClauseKind::Stage(s) => {
                let mut head = format!("stage {}", s.name.name);
                if let Some(t) = &s.title {
                    head.push(' ');
                    head.push_str(&quote(&t.value));
                }
                match &s.when {
                    Some(e) => self.condition(2, start, format!("{head} when "), e, ""),
                    None => self.line(2, start, end, &format!("{head} otherwise")),
                }
            }
            ClauseKind::Horizon(d) => self.line(2, start, end, &format!("horizon {}", d.value)),
            ClauseKind::Discount { rate, per } => {
                self.line(2, start, end, &format!("discount {} per {}", rate.value.text, per.as_str()));
            }
            ClauseKind::Margin { rate, category } => {
                let mut text = format!("margin {}", rate.value.text);
                if let Some(c) = category {
                    text.push_str(" for ");
                    text.push_str(&quote(&c.value));
                }
                self.line(2, start, end, &text);
            }
            ClauseKind::ContactCost { cost, channel } => {
                let mut text = format!("contact cost {}", cost.value.text);
                if let Some(c) = channel {
                    text.push_str(" for ");
                    text.push_str(&quote(&c.value));
                }
                self.line(2, start, end, &text);
            }
            ClauseKind::ReturnCost(cost) => {
                self.line(2, start, end, &format!("return cost {}", cost.value.text))
            }
            ClauseKind::Tier(t) => {
                let mut text = format!("tier {}", t.name.name);
                if let Some(title) = &t.title {
                    text.push(' ');
                    text.push_str(&quote(&title.value));
                }
                match &t.from {
                    Some(n) => {
                        text.push_str(" from ");
                        text.push_str(&n.value.text);
                    }
                    None => text.push_str(" otherwise"),
                }
                self.line(2, start, end, &text);
            }
            ClauseKind::Group { name, title } => {
                let mut text = format!("group {}", name.name);
                if let Some(t) = title {
                    text.push(' ');
                    text.push_str(&quote(&t.value));
                }
                self.line(2, start, end, &text);
            }
            ClauseKind::Map { event, label } => {
                let text = format!("map {} to {}:{}", event_spec(event), label.group.name, label.name.name);
                self.line(2, start, end, &text);
            }
            ClauseKind::Ignore(event) => self.line(2, start, end, &format!("ignore {}", event_spec(event))),
        }
    }

    /// Prints `prefix` + a condition starting a line at `indent`; a top-level
    /// chain continues on further lines. `suffix` ends the last line.
    fn condition(&mut self, indent: usize, start: u32, prefix: String, e: &Expr, suffix: &str) {
        let (items, connective): (&[Expr], &str) = match &e.kind {
            ExprKind::And(items) => (items, "and "),
            ExprKind::Or(items) => (items, "or "),
            _ => (std::slice::from_ref(e), ""),
        };
        let min = if connective.is_empty() { P_SEQ_OPEN } else { chain_min(connective) };
        let last = items.len().saturating_sub(1);
        for (i, item) in items.iter().enumerate() {
            let (line_indent, line_start, lead) = if i == 0 {
                (indent, start, prefix.clone())
            } else {
                (indent + 2, item.span.start, connective.to_owned())
            };
            let tail = if i == last { suffix } else { "" };
            self.operand(line_indent, line_start, lead, item, min, tail);
        }
    }

    /// Prints one operand of a condition, breaking a long parenthesised chain.
    fn operand(&mut self, indent: usize, start: u32, lead: String, e: &Expr, min: u8, tail: &str) {
        let text = inline(e, min);
        if indent + lead.len() + text.len() + tail.len() <= WIDTH {
            self.line(indent, start, e.span.end, &format!("{lead}{text}{tail}"));
            return;
        }
        // `(` … `)` or `not (` … `)`, with the span of the parenthesised node.
        let group = match &e.kind {
            ExprKind::Paren(inner) => Some(("", e.span, inner.as_ref())),
            ExprKind::Not(n) => match &n.kind {
                ExprKind::Paren(inner) => Some(("not ", n.span, inner.as_ref())),
                _ => None,
            },
            _ => None,
        };
        let Some((not, paren, inner)) =
            group.filter(|g| matches!(g.2.kind, ExprKind::And(_) | ExprKind::Or(_)))
        else {
            self.line(indent, start, e.span.end, &format!("{lead}{text}{tail}"));
            return;
        };
        let open_end = paren.start + 1;
        self.line(indent, start, open_end, &format!("{lead}{not}("));
        let (items, connective): (&[Expr], &str) = match &inner.kind {
            ExprKind::And(items) => (items, "and "),
            ExprKind::Or(items) => (items, "or "),
            _ => (std::slice::from_ref(inner), ""),
        };
        let inner_min = chain_min(connective);
        for (i, item) in items.iter().enumerate() {
            let lead = if i == 0 { String::new() } else { connective.to_owned() };
            self.operand(indent + 2, item.span.start, lead, item, inner_min, "");
        }
        let close_start = e.span.end.saturating_sub(1);
        self.line(indent, close_start, e.span.end, &format!("){tail}"));
    }
}

fn chain_min(connective: &str) -> u8 {
    if connective == "or " { P_OR + 1 } else { P_AND + 1 }
}

/// The precedence of an expression as printed.
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Or(_) => P_OR,
        ExprKind::And(_) => P_AND,
        ExprKind::Not(_) => P_NOT,
        ExprKind::Compare { .. } | ExprKind::Between { .. } | ExprKind::IsSet { .. } => P_CMP,
        ExprKind::Arith { .. } => P_ADD,
        ExprKind::Neg(_) => P_NEG,
        // A sequence whose last step has a filter and no window would swallow
        // whatever follows it into that filter: it must stand alone.
        ExprKind::Sequence(seq) => {
            let open = seq.within.is_none() && seq.steps.last().is_some_and(|s| s.event.filter.is_some());
            if open { P_SEQ_OPEN } else { P_ATOM }
        }
        _ => P_ATOM,
    }
}

/// An expression on one line, parenthesised if looser than `min`.
fn inline(e: &Expr, min: u8) -> String {
    let text = inline_bare(e);
    if precedence(e) < min { format!("({text})") } else { text }
}

fn inline_bare(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Or(items) => items.iter().map(|i| inline(i, P_OR + 1)).collect::<Vec<_>>().join(" or "),
        ExprKind::And(items) => items.iter().map(|i| inline(i, P_AND + 1)).collect::<Vec<_>>().join(" and "),
        ExprKind::Not(inner) => format!("not {}", inline(inner, P_NOT)),
        ExprKind::Paren(inner) => format!("({})", inline(inner, P_SEQ_OPEN)),
        ExprKind::Compare { op, lhs, rhs } => {
            format!("{} {} {}", inline(lhs, P_ADD), op.as_str(), inline(rhs, P_ADD))
        }
        ExprKind::Between { negated, value, low, high } => format!(
            "{} {}between {} and {}",
            inline(value, P_ADD),
            if *negated { "not " } else { "" },
            inline(low, P_ADD),
            inline(high, P_ADD)
        ),
        ExprKind::IsSet { negated, value } => {
            format!("{} {}", inline(value, P_ADD), if *negated { "is-not-set" } else { "is-set" })
        }
        ExprKind::InSegment(name) => format!("in segment {}", name.name),
        ExprKind::Sequence(seq) => {
            let mut out = String::new();
            for (i, step) in seq.steps.iter().enumerate() {
                if i > 0 {
                    out.push_str(if step.absent { " then no " } else { " then " });
                }
                out.push_str(&event_spec(&step.event));
            }
            if let Some(w) = &seq.within {
                out.push_str(" within ");
                out.push_str(&w.value.to_string());
            }
            out
        }
        ExprKind::Path(p) => p.dotted(),
        ExprKind::Literal(l) => literal(l),
        ExprKind::List(items) => {
            format!("[{}]", items.iter().map(|i| inline(i, P_ADD)).collect::<Vec<_>>().join(", "))
        }
        ExprKind::Today => "today".to_owned(),
        ExprKind::Aggregate(agg) => {
            let mut out = format!("{}({})", agg.func.as_str(), event_spec(&agg.target));
            if let Some(p) = &agg.property {
                out.push('.');
                out.push_str(&p.name);
            }
            out
        }
        ExprKind::Arith { op, lhs, rhs } => {
            format!("{} {} {}", inline(lhs, P_ADD), op.as_str(), inline(rhs, P_NEG))
        }
        ExprKind::Neg(inner) => format!("-{}", inline(inner, P_NEG)),
        ExprKind::Error => String::new(),
    }
}

fn event_spec(spec: &EventSpec) -> String {
    let mut out = spec.path.dotted();
    let filter = spec.filter.as_ref().map(|f| format!(" where {}", inline(f, P_SEQ_OPEN)));
    let window = spec.window.as_ref().map(|w| match &w.kind {
        WindowKind::Within(d) => format!(" within {}", d.value),
        WindowKind::Between(a, b) => format!(" between {} and {}", inline(a, P_ADD), inline(b, P_ADD)),
    });
    let (first, second) = if spec.window_first { (window, filter) } else { (filter, window) };
    out.push_str(&first.unwrap_or_default());
    out.push_str(&second.unwrap_or_default());
    out
}

fn literal(l: &Literal) -> String {
    match l {
        Literal::Number(n) => n.text.clone(),
        Literal::Percent(p) => p.text.clone(),
        Literal::String(s) => quote(s),
        Literal::Date(d) => d.to_string(),
        Literal::Duration(d) => d.to_string(),
        Literal::Bool(b) => b.to_string(),
    }
}

/// An expression as the formatter writes it on one line (for messages).
#[must_use]
pub fn expr_text(e: &Expr) -> String {
    inline(e, P_SEQ_OPEN)
}
