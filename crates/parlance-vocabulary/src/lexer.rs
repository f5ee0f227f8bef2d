//! The lexer: text to tokens and comments.
//!
//! Whitespace and line breaks separate tokens and mean nothing else: the grammar
//! is driven by keywords, so a definition may be laid out freely and the
//! formatter decides the canonical layout. Comments run from `#` to the end of
//! the line and are kept aside (see [`Comment`]) for the formatter.
//!
//! Keywords are not reserved here: every word is an [`TokenKind::Ident`] and the
//! parser decides from context whether `value` starts a definition or a field
//! path. Only the three hyphenated operators `starts-with`, `is-set` and
//! `is-not-set` are recognised by the lexer, because `-` is otherwise minus.
//!
//! The lexer never fails: a character it cannot use is reported and skipped.

use crate::diagnostics::{Code, Diagnostic};
use crate::span::{Span, offset};

/// The kinds of token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A word: `[A-Za-z_][A-Za-z0-9_]*`.
    Ident,
    /// Digits with an optional fraction: `42`, `19.90`, `1_000`.
    Number,
    /// A number followed by `%`: `35%`.
    Percent,
    /// A number followed directly by letters: `90d`; the unit is checked by the parser.
    Duration,
    /// `YYYY-MM-DD`, checked by the parser.
    Date,
    /// A double-quoted string with escapes.
    String,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `:`
    Colon,
    /// `=`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `starts-with`
    StartsWith,
    /// `is-set`
    IsSet,
    /// `is-not-set`
    IsNotSet,
    /// End of input; always the last token.
    Eof,
}

impl TokenKind {
    /// How the kind is named in "expected …" messages.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::Ident => "a name",
            TokenKind::Number => "a number",
            TokenKind::Percent => "a percentage",
            TokenKind::Duration => "a duration",
            TokenKind::Date => "a date",
            TokenKind::String => "a string",
            TokenKind::LParen => "`(`",
            TokenKind::RParen => "`)`",
            TokenKind::LBracket => "`[`",
            TokenKind::RBracket => "`]`",
            TokenKind::Comma => "`,`",
            TokenKind::Dot => "`.`",
            TokenKind::Colon => "`:`",
            TokenKind::Eq => "`=`",
            TokenKind::NotEq => "`!=`",
            TokenKind::Lt => "`<`",
            TokenKind::LtEq => "`<=`",
            TokenKind::Gt => "`>`",
            TokenKind::GtEq => "`>=`",
            TokenKind::Plus => "`+`",
            TokenKind::Minus => "`-`",
            TokenKind::StartsWith => "`starts-with`",
            TokenKind::IsSet => "`is-set`",
            TokenKind::IsNotSet => "`is-not-set`",
            TokenKind::Eof => "the end of the file",
        }
    }
}

/// One token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
    /// Whether only whitespace (or nothing) precedes it on its line.
    pub line_start: bool,
}

/// A `#` comment, kept for the formatter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// From `#` to the end of the line, line break excluded.
    pub span: Span,
    /// The text after `#`, trailing whitespace removed.
    pub text: String,
    /// Whether the comment has a line to itself.
    pub own_line: bool,
    /// The end of the last token before the comment (0 if none); a trailing
    /// comment belongs to the line that ends there.
    pub after_token: u32,
    /// Whether an empty line follows the comment.
    pub blank_line_after: bool,
}

/// The output of [`lex`].
#[derive(Clone, Debug, Default)]
pub struct Lexed {
    /// The tokens, ending with [`TokenKind::Eof`].
    pub tokens: Vec<Token>,
    /// The comments, in order.
    pub comments: Vec<Comment>,
    /// Problems found while lexing.
    pub diagnostics: Vec<Diagnostic>,
}

/// Splits `text` into tokens and comments. Never fails.
#[must_use]
pub fn lex(text: &str) -> Lexed {
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        out: Lexed::default(),
        line_start: true,
        last_token_end: 0,
        bad_run: None,
    };
    lexer.run();
    lexer.out
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    out: Lexed,
    line_start: bool,
    last_token_end: u32,
    /// Start and end of a run of unusable characters, reported as one diagnostic.
    bad_run: Option<(usize, usize)>,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Lexer<'_> {
    fn peek(&self, n: usize) -> u8 {
        self.bytes.get(self.pos + n).copied().unwrap_or(0)
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let b = self.peek(0);
            if b == b'\n' {
                self.flush_bad();
                self.pos += 1;
                self.line_start = true;
                continue;
            }
            if b.is_ascii_whitespace() {
                self.flush_bad();
                self.pos += 1;
                continue;
            }
            if b == b'#' {
                self.flush_bad();
                self.comment();
                continue;
            }
            let start = self.pos;
            let kind = match b {
                b'(' => self.single(TokenKind::LParen),
                b')' => self.single(TokenKind::RParen),
                b'[' => self.single(TokenKind::LBracket),
                b']' => self.single(TokenKind::RBracket),
                b',' => self.single(TokenKind::Comma),
                b'.' => self.single(TokenKind::Dot),
                b':' => self.single(TokenKind::Colon),
                b'+' => self.single(TokenKind::Plus),
                b'-' => self.single(TokenKind::Minus),
                b'=' => {
                    if self.peek(1) == b'=' {
                        self.pos += 2;
                        self.out.diagnostics.push(
                            Diagnostic::new(
                                Code::UnexpectedCharacter,
                                Span::new(offset(start), offset(start + 2)),
                                "`==` is written `=`",
                            )
                            .with_suggestion("write `=`")
                            .with_fix(Span::new(offset(start), offset(start + 2)), "="),
                        );
                        Some(TokenKind::Eq)
                    } else {
                        self.single(TokenKind::Eq)
                    }
                }
                b'!' if self.peek(1) == b'=' => {
                    self.pos += 2;
                    Some(TokenKind::NotEq)
                }
                b'<' if self.peek(1) == b'=' => {
                    self.pos += 2;
                    Some(TokenKind::LtEq)
                }
                b'<' if self.peek(1) == b'>' => {
                    self.pos += 2;
                    self.out.diagnostics.push(
                        Diagnostic::new(
                            Code::UnexpectedCharacter,
                            Span::new(offset(start), offset(start + 2)),
                            "`<>` is written `!=`",
                        )
                        .with_suggestion("write `!=`")
                        .with_fix(Span::new(offset(start), offset(start + 2)), "!="),
                    );
                    Some(TokenKind::NotEq)
                }
                b'<' => self.single(TokenKind::Lt),
                b'>' if self.peek(1) == b'=' => {
                    self.pos += 2;
                    Some(TokenKind::GtEq)
                }
                b'>' => self.single(TokenKind::Gt),
                b'"' => {
                    self.string();
                    Some(TokenKind::String)
                }
                b if b.is_ascii_digit() => Some(self.number()),
                b if is_ident_start(b) => Some(self.word()),
                _ => None,
            };
            match kind {
                Some(kind) => {
                    self.flush_bad();
                    self.push(kind, start);
                }
                None => {
                    // Skip one whole character, never part of one.
                    let len =
                        self.text.get(self.pos..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
                    self.pos += len;
                    self.bad_run = Some(match self.bad_run {
                        Some((s, _)) => (s, self.pos),
                        None => (start, self.pos),
                    });
                }
            }
        }
        self.flush_bad();
        let end = offset(self.bytes.len());
        self.out.tokens.push(Token {
            kind: TokenKind::Eof,
            span: Span::empty(end),
            line_start: self.line_start,
        });
        // A blank line after the file's last comment is kept only when
        // something follows it (regression: a header comment block lost the
        // blank line before the file's only definition).
        let last_token_end = self.last_token_end;
        if let Some(last) = self.out.comments.last_mut()
            && last.span.start >= last_token_end
        {
            last.blank_line_after = false;
        }
    }

    fn single(&mut self, kind: TokenKind) -> Option<TokenKind> {
        self.pos += 1;
        Some(kind)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        let span = Span::new(offset(start), offset(self.pos));
        self.out.tokens.push(Token { kind, span, line_start: self.line_start });
        self.line_start = false;
        self.last_token_end = span.end;
    }

    fn flush_bad(&mut self) {
        if let Some((start, end)) = self.bad_run.take() {
            let span = Span::new(offset(start), offset(end));
            let found = span.text(self.text);
            let shown = if found.contains('`') { format!("\"{found}\"") } else { format!("`{found}`") };
            let mut d = Diagnostic::new(Code::UnexpectedCharacter, span, format!("unexpected {shown}"));
            if found.starts_with(';') {
                d = d.with_suggestion("clauses need no separator: start each on its own line");
            } else if found.starts_with('\'') {
                d = d.with_suggestion("strings are written in double quotes: \"…\"");
            } else if found.starts_with('&') || found.starts_with('|') {
                d = d.with_suggestion("write `and` / `or`");
            }
            self.out.diagnostics.push(d);
        }
    }

    fn comment(&mut self) {
        let start = self.pos;
        while self.pos < self.bytes.len() && self.peek(0) != b'\n' {
            self.pos += 1;
        }
        let raw = self.text.get(start + 1..self.pos).unwrap_or("");
        // Is the next line empty?
        let mut p = self.pos + 1;
        while p < self.bytes.len() && matches!(self.bytes.get(p), Some(b' ' | b'\t' | b'\r')) {
            p += 1;
        }
        let blank_line_after = self.pos < self.bytes.len() && matches!(self.bytes.get(p), Some(b'\n'));
        self.out.comments.push(Comment {
            span: Span::new(offset(start), offset(self.pos)),
            text: raw.trim_end().to_owned(),
            own_line: self.line_start,
            after_token: self.last_token_end,
            blank_line_after,
        });
    }

    fn string(&mut self) {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek(0) {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => {
                    let esc_start = self.pos;
                    self.pos += 1;
                    match self.peek(0) {
                        b'"' | b'\\' | b'n' | b't' | b'r' => self.pos += 1,
                        b'u' if self.peek(1) == b'{' => {
                            self.pos += 2;
                            let digits_start = self.pos;
                            while self.peek(0).is_ascii_hexdigit() {
                                self.pos += 1;
                            }
                            let digits = self.text.get(digits_start..self.pos).unwrap_or("");
                            let ok = self.peek(0) == b'}'
                                && !digits.is_empty()
                                && digits.len() <= 6
                                && u32::from_str_radix(digits, 16).ok().and_then(char::from_u32).is_some();
                            if self.peek(0) == b'}' {
                                self.pos += 1;
                            }
                            if !ok {
                                self.out.diagnostics.push(Diagnostic::new(
                                    Code::InvalidEscape,
                                    Span::new(offset(esc_start), offset(self.pos)),
                                    "`\\u{…}` needs 1 to 6 hex digits naming a Unicode character",
                                ));
                            }
                        }
                        0 | b'\n' => {}
                        _ => {
                            let len = self
                                .text
                                .get(self.pos..)
                                .and_then(|s| s.chars().next())
                                .map_or(1, char::len_utf8);
                            self.pos += len;
                            self.out.diagnostics.push(
                                Diagnostic::new(
                                    Code::InvalidEscape,
                                    Span::new(offset(esc_start), offset(self.pos)),
                                    format!(
                                        "unknown escape `{}`",
                                        self.text.get(esc_start..self.pos).unwrap_or("")
                                    ),
                                )
                                .with_suggestion(
                                    "escapes are \\\" \\\\ \\n \\t \\r and \\u{…}; write a backslash as \\\\",
                                ),
                            );
                        }
                    }
                }
                0 if self.pos >= self.bytes.len() => break,
                b'\n' => break,
                _ => {
                    let len =
                        self.text.get(self.pos..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
                    self.pos += len;
                }
            }
        }
        self.out.diagnostics.push(
            Diagnostic::new(
                Code::UnterminatedString,
                Span::new(offset(start), offset(self.pos)),
                "this string has no closing `\"`",
            )
            .with_suggestion("close it on the same line; write a line break as \\n")
            .with_fix(Span::empty(offset(self.pos)), "\""),
        );
    }

    fn digits(&mut self) {
        while self.peek(0).is_ascii_digit() || (self.peek(0) == b'_' && self.peek(1).is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn number(&mut self) -> TokenKind {
        let start = self.pos;
        self.digits();
        // A date: 4 digits, '-', 1-2 digits, '-', 1-2 digits.
        if self.pos - start == 4 && self.peek(0) == b'-' && self.peek(1).is_ascii_digit() {
            let save = self.pos;
            self.pos += 1;
            let m = self.pos;
            self.digits();
            let month_len = self.pos - m;
            if (1..=2).contains(&month_len) && self.peek(0) == b'-' && self.peek(1).is_ascii_digit() {
                self.pos += 1;
                let d = self.pos;
                self.digits();
                if (1..=2).contains(&(self.pos - d)) && !is_ident_continue(self.peek(0)) {
                    return TokenKind::Date;
                }
            }
            self.pos = save;
        }
        if self.peek(0) == b'.' && self.peek(1).is_ascii_digit() {
            self.pos += 1;
            self.digits();
        }
        if self.peek(0) == b'%' {
            self.pos += 1;
            return TokenKind::Percent;
        }
        if is_ident_start(self.peek(0)) {
            while is_ident_continue(self.peek(0)) {
                self.pos += 1;
            }
            return TokenKind::Duration;
        }
        TokenKind::Number
    }

    fn word(&mut self) -> TokenKind {
        let start = self.pos;
        while is_ident_continue(self.peek(0)) {
            self.pos += 1;
        }
        let word = self.text.get(start..self.pos).unwrap_or("");
        let rest = self.text.get(self.pos..).unwrap_or("");
        let hyphenated: &[(&str, &str, TokenKind)] = &[
            ("starts", "-with", TokenKind::StartsWith),
            ("is", "-not-set", TokenKind::IsNotSet),
            ("is", "-set", TokenKind::IsSet),
        ];
        for &(head, tail, kind) in hyphenated {
            if word == head && rest.starts_with(tail) {
                let after = rest.as_bytes().get(tail.len()).copied().unwrap_or(0);
                if !is_ident_continue(after) {
                    self.pos += tail.len();
                    return kind;
                }
            }
        }
        TokenKind::Ident
    }
}

/// The value of a string token's text (quotes included), escapes applied.
/// Invalid escapes are kept as written; the lexer has already reported them.
#[must_use]
pub fn string_value(token_text: &str) -> String {
    let inner = token_text.strip_prefix('"').unwrap_or(token_text);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('u') if chars.peek() == Some(&'{') => {
                chars.next();
                let mut digits = String::new();
                while let Some(&d) = chars.peek() {
                    if d.is_ascii_hexdigit() {
                        digits.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                let closed = chars.peek() == Some(&'}');
                if closed {
                    chars.next();
                }
                match u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32) {
                    Some(ch) if closed => out.push(ch),
                    _ => {
                        out.push_str("\\u{");
                        out.push_str(&digits);
                        if closed {
                            out.push('}');
                        }
                    }
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Writes `value` as a string literal that [`string_value`] reads back exactly.
#[must_use]
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
