//! The vocabulary crate's one integration-test binary; one module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod check;
mod compile;
mod docs;
mod format;
mod graph;
mod injection;
mod parse;
mod properties;

use expect_test::Expect;
use parlance_vocabulary::{Catalog, LineIndex, analyze, dump, format as fmt, parse};

/// Snapshot of the S-expression tree, then the syntax diagnostics if any.
pub fn check_parse(input: &str, expect: Expect) {
    let parsed = parse(input);
    let mut out = dump(&parsed.file);
    if !parsed.diagnostics.is_empty() {
        out.push_str("---\n");
        let index = LineIndex::new(input);
        for d in &parsed.diagnostics {
            out.push_str(&d.render(&index));
            out.push('\n');
        }
    }
    expect.assert_eq(&out);
}

/// Snapshot of the formatted text; also asserts it is a fixed point.
pub fn check_format(input: &str, expect: Expect) {
    let parsed = parse(input);
    assert!(!parsed.has_errors(), "input has syntax errors: {:?}", parsed.diagnostics);
    let once = fmt(&parsed.file);
    let reparsed = parse(&once);
    assert!(!reparsed.has_errors(), "formatted text has syntax errors: {:?}\n{once}", reparsed.diagnostics);
    assert_eq!(dump(&reparsed.file), dump(&parsed.file), "formatting changed the tree");
    let twice = fmt(&reparsed.file);
    assert_eq!(once, twice, "formatting is not idempotent");
    expect.assert_eq(&once);
}

/// Snapshot of every diagnostic (syntax and checker) against the demo catalog.
pub fn check_diagnostics(input: &str, expect: Expect) {
    check_diagnostics_with(input, &Catalog::demo(), expect);
}

/// Snapshot of every diagnostic against `catalog`.
pub fn check_diagnostics_with(input: &str, catalog: &Catalog, expect: Expect) {
    let analysis = analyze(input, catalog);
    let index = LineIndex::new(input);
    let mut out = String::new();
    for d in &analysis.diagnostics {
        out.push_str(&d.render(&index));
        if let Some(fix) = &d.fix {
            out.push_str(&format!(" [fix: {:?}]", fix.replacement));
        }
        out.push('\n');
    }
    expect.assert_eq(&out);
}
