//! The Parlance vocabulary language: segments, scores, lifecycle stages, the
//! customer-value parameters and journey touchpoints, as text.
//!
//! ```text
//! segment lapsed_vip "Lapsed VIPs"
//!   owner "Lifecycle"
//!   where value.tier = "top"
//!     and last(order).at < today - 90d
//!     and count(email.opened within 30d) >= 1
//! ```
//!
//! The crate does no IO: text in, syntax tree and diagnostics out. The
//! pipeline is [`lex`](lexer::lex) → [`parse`] → [`check()`] (against a
//! [`Catalog`]) → [`format()`], with [`dependency_graph`] on the side;
//! [`analyze`] runs parse and check together. [`compile`](mod@compile) turns
//! checked definitions into SQL text with bound parameters (still no IO:
//! `parlance-segments` runs it), [`dates`] is the calendar arithmetic every
//! layer shares, and [`edit`] renames and deprecates in text. The full grammar, type rules
//! and diagnostic codes are in `docs/vocabulary.md`.
//!
//! # Design
//!
//! **Invariant: the parser never fails.** [`parse`] always returns a
//! [`SourceFile`] with everything it understood plus [`Diagnostic`]s with byte
//! spans ([`LineIndex`] turns them into 1-based lines and columns). An editor
//! calls it on every keystroke, on text that is almost always broken.
//!
//! **Why a hand-written parser.** Recursive descent with a Pratt loop for
//! expressions gives full control over error recovery and messages ("did you
//! forget `and`?", "stage rules say `when`"), costs no build-time dependency,
//! and keeps the grammar readable in one file. Keywords are contextual —
//! `value` starts a definition but `value.tier` is a field — which generators
//! handle poorly and a few lines of lookahead handle well.
//!
//! **Error recovery.** Inside an expression a missing operand becomes an
//! [`ExprKind::Error`] node without consuming input. At clause level an
//! unexpected token is reported and the parser skips to the next definition
//! keyword or clause keyword outside brackets. At most one diagnostic is
//! reported per source position, and nesting is capped at
//! [`parser::MAX_DEPTH`] so hostile input cannot overflow the stack.
//!
//! **A grammar of keywords, not of lines.** Line breaks are whitespace; each
//! clause starts with its own keyword, so no separators are needed and a
//! definition can be laid out freely. The [formatter](mod@format) owns the layout.
//!
//! **Typed literals, resolved names.** Literals are typed values in the tree
//! (dates are dates, durations carry units), ready to be bound as query
//! parameters. Names stay as written in the tree; [`check()`] resolves each
//! [`Path`] to a catalog field, event, event property or score and returns
//! those [`Resolution`]s keyed by span, so a compiler never looks a name up
//! twice and never pastes user text into SQL.
//!
//! **Formatter.** Canonical layout, idempotent: `format(parse(format(parse(x))))
//! == format(parse(x))`. Clauses keep their order; comments are never lost
//! (see [`format`](mod@format) for where they go).

pub mod ast;
pub mod catalog;
pub mod check;
pub mod compile;
pub mod dates;
pub mod diagnostics;
pub mod dump;
pub mod edit;
pub mod format;
#[doc(hidden)]
pub mod fuzzing;
pub mod graph;
pub mod lexer;
pub mod parser;
pub mod span;

pub use ast::*;
pub use catalog::{Catalog, EventType, Field, FieldType};
pub use check::{Analysis, Checked, Resolution, analyze, check, closest};
pub use compile::{
    CompileError, Connective, Origin, Param, Program, Query, SqlValue, compile_explain, compile_score,
    compile_segment, compile_stages,
};
pub use diagnostics::{Code, Diagnostic, Fix, Severity, render_all};
pub use dump::{dump, dump_expr};
pub use format::{format, format_text};
pub use graph::{DefRef, DependencyGraph, Reference, dependency_graph};
pub use lexer::Comment;
pub use parser::{Parse, parse};
pub use span::{LineCol, LineIndex, Span};
