//! The parser: tokens to a [`SourceFile`], never failing.
//!
//! A hand-written recursive-descent parser, with a Pratt loop for
//! expressions. Every function returns what it understood; a problem becomes a
//! [`Diagnostic`] and the parser carries on:
//!
//! * Inside an expression, a missing operand becomes [`ExprKind::Error`] without
//!   consuming anything, so the enclosing clause ends where the problem is.
//! * At clause level, an unexpected token is reported once and the parser
//!   skips ahead to the next *synchronisation point*: a definition keyword or
//!   a clause keyword of any definition, outside brackets opened while skipping.
//! * At most one diagnostic is reported per source position, so one mistake
//!   does not cascade into a screenful.
//! * Nesting deeper than [`MAX_DEPTH`] is reported and skipped, so hostile input
//!   cannot exhaust the stack.

use crate::ast::*;
use crate::diagnostics::{Code, Diagnostic};
use crate::lexer::{self, Token, TokenKind};
use crate::span::{LineIndex, Span};

/// How deeply expressions may nest (parentheses, `not`, lists, aggregates).
pub const MAX_DEPTH: u32 = 64;

/// The result of [`parse`]: the tree and the syntax diagnostics.
#[derive(Clone, Debug)]
pub struct Parse {
    /// What was understood.
    pub file: SourceFile,
    /// Lexical and syntax problems, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parse {
    /// Whether any diagnostic is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses a vocabulary file. Never fails and never panics: whatever is not
/// understood is described in [`Parse::diagnostics`].
#[must_use]
pub fn parse(text: &str) -> Parse {
    // Spans are u32; a text that large is no vocabulary file. Parse the prefix.
    let text = if text.len() > (u32::MAX as usize) / 2 {
        let mut end = (u32::MAX as usize) / 2;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.get(..end).unwrap_or("")
    } else {
        text
    };
    let lexed = lexer::lex(text);
    let reported = lexed.diagnostics.iter().map(|d| d.span.start).collect();
    let mut p = Parser {
        text,
        lines: LineIndex::new(text),
        tokens: lexed.tokens,
        pos: 0,
        diagnostics: lexed.diagnostics,
        reported,
        prev_end: 0,
        depth: 0,
        in_filter: false,
    };
    let definitions = p.file();
    let mut diagnostics = p.diagnostics;
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    Parse { file: SourceFile { definitions, comments: lexed.comments }, diagnostics }
}

/// Every clause keyword of every kind of definition.
const CLAUSE_KEYWORDS: &[&str] = &[
    "owner",
    "description",
    "tags",
    "deprecated",
    "where",
    "points",
    "stage",
    "horizon",
    "discount",
    "margin",
    "contact",
    "return",
    "tier",
    "group",
    "map",
    "ignore",
];

/// Words that continue an expression after an operand; a clause keyword followed
/// by one of these is a field name, not a clause.
const INFIX_WORDS: &[&str] = &["and", "or", "in", "contains", "matches", "between", "not", "then"];

pub(crate) fn allowed(kind: DefinitionKind, keyword: &str) -> bool {
    match keyword {
        "owner" | "description" | "tags" | "deprecated" => true,
        "where" => kind == DefinitionKind::Segment,
        "points" => kind == DefinitionKind::Score,
        "stage" => kind == DefinitionKind::Stages,
        "horizon" | "discount" | "margin" | "contact" | "return" | "tier" => kind == DefinitionKind::Value,
        "group" | "map" | "ignore" => kind == DefinitionKind::Touchpoints,
        _ => false,
    }
}

fn home_of(keyword: &str) -> &'static str {
    match keyword {
        "where" => "a segment",
        "points" => "a score",
        "stage" => "a stages block",
        "horizon" | "discount" | "margin" | "contact" | "return" | "tier" => "a value block",
        "group" | "map" | "ignore" => "a touchpoints block",
        _ => "another definition",
    }
}

/// Words that can never start an operand.
const RESERVED_OPERATORS: &[&str] = &[
    "and",
    "or",
    "then",
    "within",
    "between",
    "contains",
    "matches",
    "in",
    "when",
    "otherwise",
    "per",
    "max",
];

// Binding powers of the Pratt loop.
const BP_OR: u8 = 1;
const BP_AND: u8 = 3;
const BP_NOT: u8 = 5;
const BP_CMP: u8 = 5;
const BP_ADD: u8 = 7;
const BP_NEG: u8 = 9;

struct Parser<'a> {
    text: &'a str,
    lines: LineIndex<'a>,
    tokens: Vec<Token>,
    pos: usize,
    diagnostics: Vec<Diagnostic>,
    /// Source offsets at which the parser has reported an error.
    reported: std::collections::BTreeSet<u32>,
    /// End of the last consumed token.
    prev_end: u32,
    depth: u32,
    /// Inside an event filter: paths never start sequences, `where` ends nothing.
    in_filter: bool,
}

impl Parser<'_> {
    // ----- token access -------------------------------------------------

    fn nth(&self, n: usize) -> Token {
        self.tokens.get(self.pos + n).or_else(|| self.tokens.last()).copied().unwrap_or(Token {
            kind: TokenKind::Eof,
            span: Span::empty(self.prev_end),
            line_start: true,
        })
    }

    fn peek(&self) -> Token {
        self.nth(0)
    }

    fn at(&self, kind: TokenKind) -> bool {
        self.peek().kind == kind
    }

    fn nth_text(&self, n: usize) -> &str {
        let t = self.nth(n);
        t.span.text(self.text)
    }

    fn at_word(&self, word: &str) -> bool {
        self.nth_is_word(0, word)
    }

    fn nth_is_word(&self, n: usize, word: &str) -> bool {
        self.nth(n).kind == TokenKind::Ident && self.nth_text(n) == word
    }

    fn bump(&mut self) -> Token {
        let t = self.peek();
        if t.kind != TokenKind::Eof {
            self.pos += 1;
            self.prev_end = t.span.end;
        }
        t
    }

    fn eat(&mut self, kind: TokenKind) -> Option<Token> {
        if self.at(kind) { Some(self.bump()) } else { None }
    }

    fn eat_word(&mut self, word: &str) -> Option<Token> {
        if self.at_word(word) { Some(self.bump()) } else { None }
    }

    /// Describes the current token for messages: "`foo`" or "the end of the file".
    fn found(&self) -> String {
        let t = self.peek();
        match t.kind {
            TokenKind::Eof => "the end of the file".to_owned(),
            _ => {
                let text = t.span.text(self.text);
                let short: String = text.chars().take(40).collect();
                if short.len() < text.len() { format!("`{short}…`") } else { format!("`{short}`") }
            }
        }
    }

    fn span_from(&self, start: u32) -> Span {
        Span::new(start, self.prev_end.max(start))
    }

    // ----- diagnostics --------------------------------------------------

    /// Records a diagnostic unless one was already reported at the same place.
    fn report(&mut self, d: Diagnostic) {
        if !self.reported.insert(d.span.start) {
            return;
        }
        self.diagnostics.push(d);
    }

    fn unexpected(&mut self, expected: &str) {
        let msg = format!("expected {expected}, found {}", self.found());
        let span = self.peek().span;
        self.report(Diagnostic::new(Code::UnexpectedToken, span, msg));
    }

    fn expect(&mut self, kind: TokenKind, expected: &str) -> Option<Token> {
        if let Some(t) = self.eat(kind) {
            return Some(t);
        }
        self.unexpected(expected);
        None
    }

    fn expect_word(&mut self, word: &str) -> Option<Token> {
        if let Some(t) = self.eat_word(word) {
            return Some(t);
        }
        self.unexpected(&format!("`{word}`"));
        None
    }

    fn expect_close(&mut self, kind: TokenKind, open: Span) {
        if self.eat(kind).is_some() {
            return;
        }
        let at = self.lines.line_col(open.start);
        let (open_c, close_c) = if kind == TokenKind::RParen { ("(", ")") } else { ("[", "]") };
        let span = self.peek().span;
        let msg = format!("expected `{close_c}` to close the `{open_c}` at {at}, found {}", self.found());
        self.report(
            Diagnostic::new(Code::UnclosedDelimiter, span, msg)
                .with_fix(Span::empty(self.prev_end), close_c.to_owned()),
        );
    }

    // ----- keywords and synchronisation ---------------------------------

    /// Whether the token after position `n` makes the word at `n` a keyword
    /// rather than the start of a field path or comparison.
    fn keyword_position(&self, n: usize) -> bool {
        let next = self.nth(n + 1);
        !matches!(
            next.kind,
            TokenKind::Dot
                | TokenKind::Eq
                | TokenKind::NotEq
                | TokenKind::Lt
                | TokenKind::LtEq
                | TokenKind::Gt
                | TokenKind::GtEq
                | TokenKind::StartsWith
                | TokenKind::IsSet
                | TokenKind::IsNotSet
                | TokenKind::Colon
        )
    }

    fn at_definition_start(&self) -> bool {
        let after_in = self.pos > 0
            && self
                .tokens
                .get(self.pos - 1)
                .is_some_and(|t| t.kind == TokenKind::Ident && t.span.text(self.text) == "in");
        !after_in
            && self.peek().kind == TokenKind::Ident
            && DefinitionKind::from_keyword(self.nth_text(0)).is_some()
            && self.keyword_position(0)
    }

    /// Whether the current token starts a clause. `stage` only counts inside a
    /// stages block or when a name follows, since elsewhere it is a field.
    fn at_clause_keyword(&self, kind: Option<DefinitionKind>) -> bool {
        let t = self.peek();
        if t.kind != TokenKind::Ident {
            return false;
        }
        let word = self.nth_text(0);
        if !CLAUSE_KEYWORDS.contains(&word) || !self.keyword_position(0) {
            return false;
        }
        if word == "stage" {
            // `stage in [...]`, `stage not in [...]` compare the field.
            let next_is_operator =
                self.nth(1).kind == TokenKind::Ident && INFIX_WORDS.contains(&self.nth_text(1));
            return !next_is_operator
                && (kind == Some(DefinitionKind::Stages) || self.nth(1).kind == TokenKind::Ident);
        }
        true
    }

    fn at_sync_point(&self) -> bool {
        self.at(TokenKind::Eof) || self.at_definition_start() || self.at_clause_keyword(None)
    }

    /// Skips to the next definition or clause keyword outside brackets opened
    /// while skipping. Always consumes at least one token unless at a sync point.
    fn recover(&mut self, to_definition_only: bool) {
        let mut depth = 0u32;
        let mut first = true;
        loop {
            let t = self.peek();
            if t.kind == TokenKind::Eof {
                return;
            }
            if !first && depth == 0 {
                if self.at_definition_start() {
                    return;
                }
                if !to_definition_only && self.at_clause_keyword(None) {
                    return;
                }
            }
            match t.kind {
                TokenKind::LParen | TokenKind::LBracket => depth += 1,
                TokenKind::RParen | TokenKind::RBracket => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.bump();
            first = false;
        }
    }

    // ----- file and definitions ----------------------------------------

    fn file(&mut self) -> Vec<Definition> {
        let mut defs = Vec::new();
        while !self.at(TokenKind::Eof) {
            if self.at_definition_start() {
                defs.push(self.definition());
            } else {
                let span = self.peek().span;
                let msg = format!(
                    "expected a definition (`segment`, `score`, `stages`, `value` or `touchpoints`), found {}",
                    self.found()
                );
                self.report(Diagnostic::new(Code::UnexpectedToken, span, msg));
                self.recover(true);
            }
        }
        defs
    }

    fn definition(&mut self) -> Definition {
        let kw = self.bump();
        let kind = DefinitionKind::from_keyword(kw.span.text(self.text)).unwrap_or(DefinitionKind::Segment);
        let name = if self.at(TokenKind::Ident)
            && !self.at_clause_keyword(Some(kind))
            && !self.at_definition_start()
        {
            let t = self.bump();
            Some(Ident { name: t.span.text(self.text).to_owned(), span: t.span })
        } else {
            self.unexpected(&format!("a name for the {}", kind.keyword()));
            None
        };
        let title = self.eat(TokenKind::String).map(|t| self.string_lit(t));
        let mut clauses = Vec::new();
        let mut last_was_condition = false;
        loop {
            if self.at(TokenKind::Eof) || self.at_definition_start() {
                break;
            }
            if self.at_clause_keyword(Some(kind)) {
                if let Some(c) = self.clause(kind) {
                    last_was_condition = clause_ends_in_condition(&c);
                    clauses.push(c);
                }
                continue;
            }
            let span = self.peek().span;
            let mut d = Diagnostic::new(
                Code::UnexpectedToken,
                span,
                format!(
                    "unexpected {} in {} `{}`",
                    self.found(),
                    kind.keyword(),
                    name.as_ref().map_or("", |n| n.name.as_str())
                ),
            );
            if last_was_condition && self.can_start_operand() {
                d = d
                    .with_suggestion("to add a condition, join it with `and` or `or`")
                    .with_fix(Span::empty(span.start), "and ");
            } else {
                d = d.with_suggestion(expected_clauses(kind));
            }
            self.report(d);
            self.recover(false);
        }
        Definition { kind, keyword: kw.span, name, title, clauses, span: self.span_from(kw.span.start) }
    }

    fn can_start_operand(&self) -> bool {
        matches!(
            self.peek().kind,
            TokenKind::Ident | TokenKind::LParen | TokenKind::Number | TokenKind::String | TokenKind::Date
        )
    }

    fn string_lit(&self, t: Token) -> StringLit {
        StringLit { value: lexer::string_value(t.span.text(self.text)), span: t.span }
    }

    fn expect_string(&mut self, what: &str) -> Option<StringLit> {
        match self.eat(TokenKind::String) {
            Some(t) => Some(self.string_lit(t)),
            None => {
                self.unexpected(what);
                None
            }
        }
    }

    fn expect_ident(&mut self, what: &str) -> Option<Ident> {
        if self.at(TokenKind::Ident) {
            let t = self.bump();
            return Some(Ident { name: t.span.text(self.text).to_owned(), span: t.span });
        }
        self.unexpected(what);
        None
    }

    // ----- clauses -----------------------------------------------------

    fn clause(&mut self, def: DefinitionKind) -> Option<Clause> {
        let kw = self.bump();
        let word = kw.span.text(self.text).to_owned();
        if !allowed(def, &word) {
            let msg =
                format!("`{word}` belongs in {}, not in a {} definition", home_of(&word), def.keyword());
            self.report(Diagnostic::new(Code::MisplacedClause, kw.span, msg));
        }
        let kind = match word.as_str() {
            "owner" => ClauseKind::Owner(
                self.expect_string("the owner's department as a string, e.g. \"Lifecycle\"")?,
            ),
            "description" => ClauseKind::Description(self.expect_string("a description string")?),
            "deprecated" => ClauseKind::Deprecated(
                self.expect_string("why it is deprecated, e.g. \"use lapsed_vip_v2\"")?,
            ),
            "tags" => {
                let mut tags = vec![self.expect_string("a tag string, e.g. \"vip\"")?];
                while self.eat(TokenKind::Comma).is_some() {
                    tags.push(self.expect_string("a tag string after `,`")?);
                }
                ClauseKind::Tags(tags)
            }
            "where" => ClauseKind::Where(self.condition()),
            "points" => ClauseKind::Points(self.points()?),
            "stage" => ClauseKind::Stage(self.stage_rule()?),
            "horizon" => ClauseKind::Horizon(self.expect_duration("a horizon such as 12m")?),
            "discount" => {
                let rate = self.expect_percent("a discount rate such as 10%")?;
                self.expect_word("per")?;
                let per = if self.eat_word("year").is_some() {
                    RatePeriod::Year
                } else if self.eat_word("month").is_some() {
                    RatePeriod::Month
                } else {
                    self.unexpected("`year` or `month`");
                    return None;
                };
                ClauseKind::Discount { rate, per }
            }
            "margin" => {
                let rate = self.expect_percent("a gross margin such as 35%")?;
                let category = match self.eat_word("for") {
                    Some(_) => Some(self.expect_string("a product category string after `for`")?),
                    None => None,
                };
                ClauseKind::Margin { rate, category }
            }
            "contact" => {
                self.expect_word("cost")?;
                let cost = self.expect_number("the cost of one support contact", true)?;
                let channel = match self.eat_word("for") {
                    Some(_) => Some(self.expect_string("a channel string after `for`, e.g. \"phone\"")?),
                    None => None,
                };
                ClauseKind::ContactCost { cost, channel }
            }
            "return" => {
                self.expect_word("cost")?;
                ClauseKind::ReturnCost(self.expect_number("the cost of one return", true)?)
            }
            "tier" => ClauseKind::Tier(self.tier_rule()?),
            "group" => {
                let name = self.expect_ident("a group name, e.g. web")?;
                let title = self.eat(TokenKind::String).map(|t| self.string_lit(t));
                ClauseKind::Group { name, title }
            }
            "map" => {
                let event = self.event_spec(false)?;
                self.expect_word("to")?;
                let label = self.label()?;
                ClauseKind::Map { event, label }
            }
            "ignore" => ClauseKind::Ignore(self.event_spec(false)?),
            _ => return None,
        };
        Some(Clause { kind, keyword: kw.span, span: self.span_from(kw.span.start) })
    }

    fn points(&mut self) -> Option<PointsRule> {
        let points = self.expect_number("the number of points", true)?;
        let kind = if self.eat_word("per").is_some() {
            let divisor = if self.at(TokenKind::Number) && self.nth_is_word(1, "of") {
                let n = self.expect_number("a number", false);
                self.bump();
                n
            } else {
                None
            };
            let measure = if self.at(TokenKind::Ident)
                && self.nth(1).kind != TokenKind::LParen
                && !matches!(self.nth_text(0), "today" | "true" | "false")
            {
                Measure::Events(self.event_spec(true)?)
            } else {
                Measure::Value(self.expr(BP_ADD))
            };
            let max = match self.at_word("max") && self.nth(1).kind != TokenKind::LParen {
                true => {
                    self.bump();
                    Some(self.expect_number("the most points this rule gives", true)?)
                }
                false => None,
            };
            PointsKind::Per { divisor, measure, max }
        } else if self.eat_word("when").is_some() {
            PointsKind::When(self.condition())
        } else {
            self.unexpected("`per` (points per event) or `when` (points when a condition holds)");
            return None;
        };
        Some(PointsRule { points, kind })
    }

    fn stage_rule(&mut self) -> Option<StageRule> {
        let name = self.expect_ident("a stage name, e.g. acquisition")?;
        let title = self.eat(TokenKind::String).map(|t| self.string_lit(t));
        if self.eat_word("otherwise").is_some() {
            return Some(StageRule { name, title, when: None });
        }
        if self.at_word("where") || self.at_word("if") {
            let t = self.bump();
            let word = t.span.text(self.text).to_owned();
            self.report(
                Diagnostic::new(
                    Code::UnexpectedToken,
                    t.span,
                    format!("stage rules say `when`, not `{word}`"),
                )
                .with_suggestion("write `when`")
                .with_fix(t.span, "when"),
            );
            return Some(StageRule { name, title, when: Some(self.condition()) });
        }
        if self.eat_word("when").is_none() {
            self.unexpected("`when` followed by a condition, or `otherwise`");
            return None;
        }
        Some(StageRule { name, title, when: Some(self.condition()) })
    }

    fn tier_rule(&mut self) -> Option<TierRule> {
        let name = self.expect_ident("a tier name, e.g. top")?;
        let title = self.eat(TokenKind::String).map(|t| self.string_lit(t));
        if self.eat_word("otherwise").is_some() {
            return Some(TierRule { name, title, from: None });
        }
        if self.eat_word("from").is_none() {
            self.unexpected("`from` followed by a value threshold, or `otherwise`");
            return None;
        }
        let from = self.expect_number("the tier's lowest customer value", true)?;
        Some(TierRule { name, title, from: Some(from) })
    }

    fn label(&mut self) -> Option<Label> {
        let group = self.expect_ident("a journey label such as web:product_view")?;
        self.expect(TokenKind::Colon, "`:` between the label's group and name, as in web:product_view")?;
        let name = self.expect_ident("the label's name after `:`")?;
        let span = group.span.cover(name.span);
        Some(Label { group, name, span })
    }

    // ----- literals ----------------------------------------------------

    fn expect_number(&mut self, what: &str, allow_negative: bool) -> Option<NumberLit> {
        let start = self.peek().span.start;
        let negative = allow_negative && self.at(TokenKind::Minus) && self.nth(1).kind == TokenKind::Number;
        if negative {
            self.bump();
        }
        let Some(t) = self.eat(TokenKind::Number) else {
            self.unexpected(what);
            return None;
        };
        let mut n = self.number(t)?;
        if negative {
            n.value = -n.value;
            n.text = format!("-{}", n.text);
        }
        Some(NumberLit { value: n, span: self.span_from(start) })
    }

    fn number(&mut self, t: Token) -> Option<Number> {
        let text = t.span.text(self.text);
        let clean: String = text.chars().filter(|&c| c != '_').collect();
        match clean.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(Number { value: v, text: text.to_owned() }),
            _ => {
                self.report(Diagnostic::new(
                    Code::InvalidNumber,
                    t.span,
                    format!("`{text}` is not a number this language can hold"),
                ));
                None
            }
        }
    }

    fn expect_percent(&mut self, what: &str) -> Option<PercentLit> {
        if let Some(t) = self.eat(TokenKind::Percent) {
            let text = t.span.text(self.text);
            let clean: String = text.trim_end_matches('%').chars().filter(|&c| c != '_').collect();
            return match clean.parse::<f64>() {
                Ok(v) if v.is_finite() => Some(PercentLit {
                    value: Percent { value: v / 100.0, text: text.to_owned() },
                    span: t.span,
                }),
                _ => {
                    self.report(Diagnostic::new(
                        Code::InvalidNumber,
                        t.span,
                        format!("`{text}` is not a percentage"),
                    ));
                    None
                }
            };
        }
        if self.at(TokenKind::Number) {
            let t = self.peek();
            let text = t.span.text(self.text).to_owned();
            self.report(
                Diagnostic::new(
                    Code::UnexpectedToken,
                    t.span,
                    format!("expected {what}, found the plain number `{text}`"),
                )
                .with_suggestion(format!("write rates as percentages, e.g. `{text}%`"))
                .with_fix(t.span, format!("{text}%")),
            );
            return None;
        }
        self.unexpected(what);
        None
    }

    fn expect_duration(&mut self, what: &str) -> Option<DurationLit> {
        if self.at(TokenKind::Duration) {
            let t = self.bump();
            return self.duration(t).map(|value| DurationLit { value, span: t.span });
        }
        if self.at(TokenKind::Number) {
            let t = self.peek();
            let text = t.span.text(self.text).to_owned();
            self.report(
                Diagnostic::new(
                    Code::InvalidDuration,
                    t.span,
                    format!("expected {what}, found `{text}` without a unit"),
                )
                .with_suggestion(format!("add a unit: `{text}d`, `{text}w`, `{text}m` or `{text}y`")),
            );
            self.bump();
            return None;
        }
        self.unexpected(what);
        None
    }

    /// Reads a duration token such as `90d`, reporting bad units and amounts.
    fn duration(&mut self, t: Token) -> Option<Duration> {
        let text = t.span.text(self.text);
        let split = text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len());
        let (digits, unit_text) = text.split_at(split);
        let Some(unit) = DurationUnit::from_suffix(unit_text) else {
            let hint = match unit_text {
                "day" | "days" => Some("d"),
                "wk" | "week" | "weeks" => Some("w"),
                "mo" | "mon" | "month" | "months" => Some("m"),
                "yr" | "yrs" | "year" | "years" => Some("y"),
                _ => None,
            };
            let mut d = Diagnostic::new(
                Code::InvalidDuration,
                t.span,
                format!(
                    "unknown duration unit `{unit_text}` in `{text}`: units are d (days), w (weeks), m (months) and y (years)"
                ),
            );
            if let Some(u) = hint {
                d = d
                    .with_suggestion(format!("write `{digits}{u}`"))
                    .with_fix(t.span, format!("{digits}{u}"));
            } else if matches!(unit_text, "h" | "min" | "s" | "hours" | "minutes" | "seconds") {
                d = d.with_suggestion("windows are whole days; the shortest is `1d`");
            }
            self.report(d);
            return None;
        };
        if digits.contains('.') {
            self.report(
                Diagnostic::new(
                    Code::InvalidDuration,
                    t.span,
                    format!("`{text}`: durations are whole numbers"),
                )
                .with_suggestion("round it, or use a smaller unit: `10d`, not `1.5w`"),
            );
            return None;
        }
        let clean: String = digits.chars().filter(|&c| c != '_').collect();
        match clean.parse::<u32>() {
            Ok(amount) if amount <= unit.max_amount() => Some(Duration { amount, unit }),
            _ => {
                self.report(Diagnostic::new(
                    Code::InvalidDuration,
                    t.span,
                    format!(
                        "`{text}` is too long: durations go up to 100 years ({}{})",
                        unit.max_amount(),
                        unit.suffix()
                    ),
                ));
                None
            }
        }
    }

    fn date(&mut self, t: Token) -> Option<Date> {
        let text = t.span.text(self.text);
        let mut parts = text.split('-').map(|p| p.chars().filter(|&c| c != '_').collect::<String>());
        let y = parts.next().and_then(|p| p.parse::<i32>().ok());
        let m = parts.next().and_then(|p| p.parse::<u8>().ok());
        let d = parts.next().and_then(|p| p.parse::<u8>().ok());
        match (y, m, d) {
            (Some(y), Some(m), Some(d)) => {
                if let Some(date) = Date::new(y, m, d) {
                    return Some(date);
                }
                self.report(Diagnostic::new(
                    Code::InvalidDate,
                    t.span,
                    format!("`{text}` is not a day of the calendar"),
                ));
            }
            _ => self.report(Diagnostic::new(
                Code::InvalidDate,
                t.span,
                format!("`{text}` is not a date; write YYYY-MM-DD"),
            )),
        }
        None
    }

    // ----- expressions -------------------------------------------------

    /// A condition: a full expression.
    fn condition(&mut self) -> Expr {
        self.expr(0)
    }

    fn error_expr(&self) -> Expr {
        Expr { kind: ExprKind::Error, span: Span::empty(self.peek().span.start) }
    }

    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.peek().span;
            self.report(Diagnostic::new(
                Code::TooDeep,
                span,
                format!("this nests deeper than {MAX_DEPTH} levels; split it into several segments"),
            ));
            // Skip the rest of the clause: nothing useful can be kept.
            while !self.at_sync_point() {
                self.bump();
            }
            self.depth -= 1;
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// The Pratt loop: parses operators binding at least as tightly as `min_bp`.
    fn expr(&mut self, min_bp: u8) -> Expr {
        if !self.enter() {
            return self.error_expr();
        }
        let mut lhs = self.prefix();
        let start = lhs.span.start;
        let mut compared = false;
        loop {
            let t = self.peek();
            if self.at_word("or") && BP_OR >= min_bp {
                self.bump();
                let rhs = self.expr(BP_OR + 1);
                lhs = join(lhs, rhs, true, self.span_from(start));
            } else if self.at_word("and") && BP_AND >= min_bp {
                self.bump();
                let rhs = self.expr(BP_AND + 1);
                lhs = join(lhs, rhs, false, self.span_from(start));
            } else if let Some(op) = self.comparison_ahead() {
                if BP_CMP < min_bp {
                    break;
                }
                if compared {
                    if matches!(op, CmpToken::Op(_)) {
                        self.report(
                            Diagnostic::new(Code::ChainedComparison, t.span, "comparisons do not chain")
                                .with_suggestion("join two comparisons with `and`, or use `between … and …`"),
                        );
                    }
                    break;
                }
                compared = true;
                lhs = self.comparison(lhs, op, start);
            } else if matches!(t.kind, TokenKind::Plus | TokenKind::Minus) && BP_ADD >= min_bp {
                self.bump();
                let op = if t.kind == TokenKind::Plus { ArithOp::Add } else { ArithOp::Sub };
                let rhs = self.expr(BP_ADD + 1);
                lhs = Expr {
                    kind: ExprKind::Arith { op, lhs: Box::new(lhs), rhs: Box::new(rhs) },
                    span: self.span_from(start),
                };
            } else {
                break;
            }
        }
        self.leave();
        lhs
    }

    fn comparison_ahead(&self) -> Option<CmpToken> {
        let t = self.peek();
        let simple = match t.kind {
            TokenKind::Eq => Some(CompareOp::Eq),
            TokenKind::NotEq => Some(CompareOp::NotEq),
            TokenKind::Lt => Some(CompareOp::Lt),
            TokenKind::LtEq => Some(CompareOp::LtEq),
            TokenKind::Gt => Some(CompareOp::Gt),
            TokenKind::GtEq => Some(CompareOp::GtEq),
            _ => None,
        };
        if let Some(op) = simple {
            return Some(CmpToken::Op(op));
        }
        match t.kind {
            TokenKind::IsSet => return Some(CmpToken::IsSet(false)),
            TokenKind::IsNotSet => return Some(CmpToken::IsSet(true)),
            TokenKind::StartsWith => return Some(CmpToken::Word(CompareOp::StartsWith, 1)),
            _ => {}
        }
        let word_op = |n: usize| -> Option<CmpToken> {
            let tok = self.nth(n);
            if tok.kind == TokenKind::StartsWith {
                return Some(CmpToken::Word(CompareOp::StartsWith, 1));
            }
            if tok.kind != TokenKind::Ident {
                return None;
            }
            match self.nth_text(n) {
                "in" if !self.nth_is_word(n + 1, "segment") => Some(CmpToken::Word(CompareOp::In, 1)),
                "contains" => Some(CmpToken::Word(CompareOp::Contains, 1)),
                "matches" => Some(CmpToken::Word(CompareOp::Matches, 1)),
                "between" => Some(CmpToken::Between(false, 1)),
                _ => None,
            }
        };
        if self.at_word("not") {
            return match word_op(1)? {
                CmpToken::Word(op, _) => Some(CmpToken::Word(negate(op), 2)),
                CmpToken::Between(_, _) => Some(CmpToken::Between(true, 2)),
                other => Some(other),
            };
        }
        word_op(0)
    }

    fn comparison(&mut self, lhs: Expr, op: CmpToken, start: u32) -> Expr {
        match op {
            CmpToken::Op(op) => {
                self.bump();
                let rhs = self.expr(BP_CMP + 1);
                Expr {
                    kind: ExprKind::Compare { op, lhs: Box::new(lhs), rhs: Box::new(rhs) },
                    span: self.span_from(start),
                }
            }
            CmpToken::Word(op, tokens) => {
                for _ in 0..tokens {
                    self.bump();
                }
                let rhs = self.expr(BP_CMP + 1);
                Expr {
                    kind: ExprKind::Compare { op, lhs: Box::new(lhs), rhs: Box::new(rhs) },
                    span: self.span_from(start),
                }
            }
            CmpToken::IsSet(negated) => {
                self.bump();
                Expr { kind: ExprKind::IsSet { negated, value: Box::new(lhs) }, span: self.span_from(start) }
            }
            CmpToken::Between(negated, tokens) => {
                for _ in 0..tokens {
                    self.bump();
                }
                let low = self.expr(BP_ADD);
                let high =
                    if self.expect_word("and").is_some() { self.expr(BP_ADD) } else { self.error_expr() };
                Expr {
                    kind: ExprKind::Between {
                        negated,
                        value: Box::new(lhs),
                        low: Box::new(low),
                        high: Box::new(high),
                    },
                    span: self.span_from(start),
                }
            }
        }
    }

    fn prefix(&mut self) -> Expr {
        let t = self.peek();
        let start = t.span.start;
        match t.kind {
            TokenKind::Ident => self.word_prefix(),
            TokenKind::Number => {
                self.bump();
                match self.number(t) {
                    Some(n) => Expr { kind: ExprKind::Literal(Literal::Number(n)), span: t.span },
                    None => Expr { kind: ExprKind::Error, span: t.span },
                }
            }
            TokenKind::Percent => match self.expect_percent("a percentage") {
                Some(p) => Expr { kind: ExprKind::Literal(Literal::Percent(p.value)), span: p.span },
                None => Expr { kind: ExprKind::Error, span: t.span },
            },
            TokenKind::Duration => {
                self.bump();
                match self.duration(t) {
                    Some(d) => Expr { kind: ExprKind::Literal(Literal::Duration(d)), span: t.span },
                    None => Expr { kind: ExprKind::Error, span: t.span },
                }
            }
            TokenKind::Date => {
                self.bump();
                match self.date(t) {
                    Some(d) => Expr { kind: ExprKind::Literal(Literal::Date(d)), span: t.span },
                    None => Expr { kind: ExprKind::Error, span: t.span },
                }
            }
            TokenKind::String => {
                self.bump();
                let value = lexer::string_value(t.span.text(self.text));
                Expr { kind: ExprKind::Literal(Literal::String(value)), span: t.span }
            }
            TokenKind::LParen => {
                self.bump();
                let saved = self.in_filter;
                self.in_filter = false;
                let inner = self.expr(0);
                self.in_filter = saved;
                self.expect_close(TokenKind::RParen, t.span);
                Expr { kind: ExprKind::Paren(Box::new(inner)), span: self.span_from(start) }
            }
            TokenKind::LBracket => self.list(),
            TokenKind::Minus => {
                self.bump();
                let inner = self.expr(BP_NEG);
                Expr { kind: ExprKind::Neg(Box::new(inner)), span: self.span_from(start) }
            }
            _ => {
                self.unexpected("a condition or a value");
                self.error_expr()
            }
        }
    }

    fn word_prefix(&mut self) -> Expr {
        let t = self.peek();
        let start = t.span.start;
        let word = t.span.text(self.text);
        if word == "not" {
            self.bump();
            let inner = self.expr(BP_NOT);
            return Expr { kind: ExprKind::Not(Box::new(inner)), span: self.span_from(start) };
        }
        if word == "in" && self.nth_is_word(1, "segment") {
            self.bump();
            self.bump();
            return match self.expect_ident("a segment name") {
                Some(name) => Expr { kind: ExprKind::InSegment(name), span: self.span_from(start) },
                None => Expr { kind: ExprKind::Error, span: self.span_from(start) },
            };
        }
        if matches!(word, "true" | "false") && self.nth(1).kind != TokenKind::Dot {
            self.bump();
            return Expr { kind: ExprKind::Literal(Literal::Bool(word == "true")), span: t.span };
        }
        if word == "today" && self.nth(1).kind != TokenKind::Dot {
            self.bump();
            return Expr { kind: ExprKind::Today, span: t.span };
        }
        if self.nth(1).kind == TokenKind::LParen {
            return self.call();
        }
        if self.at_definition_start() || self.at_clause_keyword(None) || RESERVED_OPERATORS.contains(&word) {
            self.unexpected("a condition or a value");
            return self.error_expr();
        }
        let path = self.path();
        if !self.in_filter && (self.at_word("then") || (self.at_word("where") && self.then_ahead())) {
            return self.sequence(path);
        }
        Expr { span: path.span, kind: ExprKind::Path(path) }
    }

    /// Whether a `then` follows at this bracket depth before the clause ends:
    /// tells `A where f then B` (a sequence) from `… A` followed by a `where` clause.
    fn then_ahead(&self) -> bool {
        let mut depth = 0u32;
        // Filters are short; a bounded look-ahead keeps hostile input linear.
        for n in 1..256 {
            let t = self.nth(n);
            match t.kind {
                TokenKind::Eof => return false,
                TokenKind::LParen | TokenKind::LBracket => depth += 1,
                TokenKind::RParen | TokenKind::RBracket => {
                    if depth == 0 {
                        return false;
                    }
                    depth -= 1;
                }
                TokenKind::Ident if depth == 0 => {
                    let word = self.nth_text(n);
                    if word == "then" {
                        return true;
                    }
                    let keyword = (CLAUSE_KEYWORDS.contains(&word)
                        || DefinitionKind::from_keyword(word).is_some())
                        && self.keyword_position(n);
                    if keyword && word != "stage" {
                        return false;
                    }
                }
                _ => {}
            }
        }
        false
    }

    fn path(&mut self) -> Path {
        let mut segments = Vec::new();
        if let Some(first) = self.expect_ident("a name") {
            segments.push(first);
            while self.at(TokenKind::Dot) {
                self.bump();
                match self.expect_ident("a name after `.`") {
                    Some(id) => segments.push(id),
                    None => break,
                }
            }
        }
        let span = match (segments.first(), segments.last()) {
            (Some(a), Some(b)) => a.span.cover(b.span),
            _ => Span::empty(self.peek().span.start),
        };
        Path { segments, span }
    }

    fn list(&mut self) -> Expr {
        let open = self.bump();
        if !self.enter() {
            return self.error_expr();
        }
        let mut items = Vec::new();
        while !self.at(TokenKind::RBracket) && !self.at_sync_point() {
            let before = self.pos;
            items.push(self.expr(BP_ADD));
            if self.eat(TokenKind::Comma).is_none() {
                break;
            }
            if self.pos == before {
                break;
            }
        }
        self.expect_close(TokenKind::RBracket, open.span);
        self.leave();
        Expr { kind: ExprKind::List(items), span: self.span_from(open.span.start) }
    }

    /// `name(…)`: an aggregate, or an unknown function reported and skipped.
    fn call(&mut self) -> Expr {
        let name_tok = self.bump();
        let name = name_tok.span.text(self.text).to_owned();
        let open = self.bump();
        let Some(func) = AggregateFn::from_name(&name) else {
            let mut d =
                Diagnostic::new(Code::UnknownFunction, name_tok.span, format!("`{name}` is not a function"));
            let names: Vec<&str> = AggregateFn::ALL.iter().map(|f| f.as_str()).collect();
            if let Some(best) = crate::check::closest(&name, names.iter().copied()) {
                d = d
                    .with_suggestion(format!("did you mean `{best}`?"))
                    .with_fix(name_tok.span, best.to_owned());
            } else {
                d = d
                    .with_suggestion("the functions are count, sum, avg, min, max, first, last and distinct");
            }
            self.report(d);
            // Skip the balanced argument list.
            let mut depth = 1u32;
            while depth > 0 && !self.at(TokenKind::Eof) {
                match self.bump().kind {
                    TokenKind::LParen => depth += 1,
                    TokenKind::RParen => depth -= 1,
                    _ => {}
                }
            }
            return Expr { kind: ExprKind::Error, span: self.span_from(name_tok.span.start) };
        };
        if !self.enter() {
            return self.error_expr();
        }
        let target = match self.event_spec(true) {
            Some(spec) => spec,
            None => {
                self.leave();
                while !self.at(TokenKind::RParen) && !self.at_sync_point() {
                    self.bump();
                }
                self.eat(TokenKind::RParen);
                return Expr { kind: ExprKind::Error, span: self.span_from(name_tok.span.start) };
            }
        };
        self.expect_close(TokenKind::RParen, open.span);
        self.leave();
        let property = if self.at(TokenKind::Dot) {
            self.bump();
            self.expect_ident("a property name after `.`, e.g. `at`")
        } else {
            None
        };
        Expr {
            kind: ExprKind::Aggregate(Box::new(Aggregate {
                func,
                func_span: name_tok.span,
                target,
                property,
            })),
            span: self.span_from(name_tok.span.start),
        }
    }

    /// `path [where filter] [window]`, in either order.
    fn event_spec(&mut self, allow_window: bool) -> Option<EventSpec> {
        if !self.at(TokenKind::Ident) {
            self.unexpected("an event name, e.g. email.opened");
            return None;
        }
        let path = self.path();
        let start = path.span.start;
        let mut filter = None;
        let mut window = None;
        let mut window_first = false;
        loop {
            if filter.is_none() && self.at_word("where") {
                self.bump();
                filter = Some(Box::new(self.filter()));
            } else if allow_window && window.is_none() && (self.at_word("within") || self.at_word("between"))
            {
                window_first = filter.is_none();
                window = self.window();
            } else {
                break;
            }
        }
        Some(EventSpec { path, filter, window, window_first, span: self.span_from(start) })
    }

    fn filter(&mut self) -> Expr {
        let saved = self.in_filter;
        self.in_filter = true;
        let e = self.expr(0);
        self.in_filter = saved;
        e
    }

    fn window(&mut self) -> Option<Window> {
        let kw = self.bump();
        let start = kw.span.start;
        if kw.span.text(self.text) == "within" {
            let d = self.expect_duration("a duration such as 30d")?;
            return Some(Window { kind: WindowKind::Within(d), span: self.span_from(start) });
        }
        let from = self.expr(BP_ADD);
        self.expect_word("and")?;
        let to = self.expr(BP_ADD);
        Some(Window { kind: WindowKind::Between(Box::new(from), Box::new(to)), span: self.span_from(start) })
    }

    /// `A [where f] then [no] B [where f] … [within D]`; `first` is already read.
    fn sequence(&mut self, first: Path) -> Expr {
        let start = first.span.start;
        let mut steps = vec![self.step(first, false, start)];
        if !self.at_word("then") {
            self.unexpected("`then` and the next event of the sequence");
        }
        while self.at_word("then") {
            let then = self.bump();
            let absent = self.eat_word("no").is_some();
            if !self.at(TokenKind::Ident) {
                self.unexpected("an event name after `then`");
                break;
            }
            let path = self.path();
            steps.push(self.step(path, absent, then.span.start));
        }
        let within = match self.at_word("within") {
            true => {
                self.bump();
                self.expect_duration("a duration such as 7d")
            }
            false => None,
        };
        Expr { kind: ExprKind::Sequence(Sequence { steps, within }), span: self.span_from(start) }
    }

    fn step(&mut self, path: Path, absent: bool, start: u32) -> SequenceStep {
        let ev_start = path.span.start;
        let filter = self.eat_word("where").map(|_| Box::new(self.filter()));
        let event =
            EventSpec { path, filter, window: None, window_first: false, span: self.span_from(ev_start) };
        SequenceStep { absent, event, span: self.span_from(start) }
    }
}

#[derive(Clone, Copy, Debug)]
enum CmpToken {
    /// A symbol operator.
    Op(CompareOp),
    /// A word operator and how many tokens it spans (`not in` is 2).
    Word(CompareOp, u8),
    /// `is-set` (false) / `is-not-set` (true).
    IsSet(bool),
    /// `[not] between` and how many tokens.
    Between(bool, u8),
}

fn negate(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::In => CompareOp::NotIn,
        CompareOp::Contains => CompareOp::NotContains,
        CompareOp::StartsWith => CompareOp::NotStartsWith,
        CompareOp::Matches => CompareOp::NotMatches,
        op => op,
    }
}

/// Joins `lhs or rhs` / `lhs and rhs`, flattening a chain of the same connective.
fn join(lhs: Expr, rhs: Expr, or: bool, span: Span) -> Expr {
    let kind = match (lhs.kind, or) {
        (ExprKind::Or(mut items), true) => {
            items.push(rhs);
            ExprKind::Or(items)
        }
        (ExprKind::And(mut items), false) => {
            items.push(rhs);
            ExprKind::And(items)
        }
        (kind, true) => ExprKind::Or(vec![Expr { kind, span: lhs.span }, rhs]),
        (kind, false) => ExprKind::And(vec![Expr { kind, span: lhs.span }, rhs]),
    };
    Expr { kind, span }
}

fn clause_ends_in_condition(c: &Clause) -> bool {
    match &c.kind {
        ClauseKind::Where(_) => true,
        ClauseKind::Points(p) => matches!(p.kind, PointsKind::When(_)),
        ClauseKind::Stage(s) => s.when.is_some(),
        _ => false,
    }
}

fn expected_clauses(kind: DefinitionKind) -> &'static str {
    match kind {
        DefinitionKind::Segment => "a segment has owner, description, tags and where clauses",
        DefinitionKind::Score => "a score has owner, description, tags and points clauses",
        DefinitionKind::Stages => "a stages block has owner, description, tags and stage clauses",
        DefinitionKind::Value => {
            "a value block has horizon, discount, margin, contact cost, return cost and tier clauses"
        }
        DefinitionKind::Touchpoints => {
            "a touchpoints block has owner, description, tags, group, map and ignore clauses"
        }
    }
}

/// Parses `YYYY-MM-DD` (as a date literal would be written) into a valid date.
pub(crate) fn parse_date_text(s: &str) -> Option<Date> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || !(1..=2).contains(&m.len()) || !(1..=2).contains(&d.len()) {
        return None;
    }
    if !s.chars().all(|c| c.is_ascii_digit() || c == '-') {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}
