//! Injection-shaped input: names and strings full of quotes, `;`, `--`, `/*`
//! and SQL keywords become inert string literals, plain identifiers or
//! diagnostics — never anything a compiler could paste into SQL.

use expect_test::expect;
use parlance_vocabulary::{Analysis, Catalog, ExprKind, Literal, Resolution, analyze};

use super::check_diagnostics;

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Every name in the tree is a plain identifier, and every resolved name is
/// an entry of the catalog: identifiers reach a query only from the catalog.
pub fn assert_inert(analysis: &Analysis) {
    let catalog = Catalog::demo();
    for def in &analysis.file.definitions {
        if let Some(name) = &def.name {
            assert!(is_identifier(&name.name), "definition name {:?}", name.name);
        }
    }
    analysis.file.walk_exprs(&mut |e| match &e.kind {
        ExprKind::Path(p) => {
            for s in &p.segments {
                assert!(is_identifier(&s.name), "path segment {:?}", s.name);
            }
        }
        ExprKind::InSegment(name) => assert!(is_identifier(&name.name)),
        ExprKind::Aggregate(agg) => {
            for s in &agg.target.path.segments {
                assert!(is_identifier(&s.name), "event segment {:?}", s.name);
            }
        }
        _ => {}
    });
    for r in analysis.resolutions.values() {
        match r {
            Resolution::Field(f) => {
                let known =
                    catalog.get_field(&f.path).is_some() || f.path == "stage" || f.path == "value.tier";
                assert!(known, "field {:?} is not from the catalog", f.path);
            }
            Resolution::Event(e) => assert!(catalog.get_event(e).is_some(), "event {e:?}"),
            Resolution::Property { event, property, .. } => {
                assert!(
                    catalog.get_event(event).and_then(|ev| ev.property(property)).is_some(),
                    "{event}.{property}"
                );
            }
            Resolution::Score(n) | Resolution::Segment(n) => assert!(is_identifier(n)),
        }
    }
}

fn strings(analysis: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    analysis.file.walk_exprs(&mut |e| {
        if let ExprKind::Literal(Literal::String(s)) = &e.kind {
            out.push(s.clone());
        }
    });
    out
}

#[test]
fn sql_in_strings_stays_a_string() {
    let text = r#"
segment x
  where trait.city = "Robert'); DROP TABLE profiles;--"
    and trait.email = "\" OR 1=1 --"
    and trait.country = "/* */ UNION SELECT * FROM sqlite_master"
    and count(order where category = "web'; --" within 30d) > 0
    and trait.city != "\"; ATTACH DATABASE '/tmp/x' AS y; --"
"#;
    let analysis = analyze(text, &Catalog::demo());
    assert_inert(&analysis);
    assert_eq!(
        strings(&analysis),
        [
            "Robert'); DROP TABLE profiles;--",
            "\" OR 1=1 --",
            "/* */ UNION SELECT * FROM sqlite_master",
            "web'; --",
            "\"; ATTACH DATABASE '/tmp/x' AS y; --",
        ]
    );
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
}

#[test]
fn sql_outside_strings_is_a_diagnostic() {
    let text = "segment drop_table where trait.city = 'x'; DROP TABLE profiles; --\n";
    assert_inert(&analyze(text, &Catalog::demo()));
    check_diagnostics(
        text,
        expect![[r#"
        1:39 error[unexpected-character] unexpected `'` (strings are written in double quotes: "…")
        1:40 error[unknown-field] unknown field `x`
        1:41 error[unexpected-character] unexpected `';` (strings are written in double quotes: "…")
        1:44 error[unexpected-token] unexpected `DROP` in segment `drop_table` (to add a condition, join it with `and` or `or`) [fix: "and "]
        1:63 error[unexpected-character] unexpected `;` (clauses need no separator: start each on its own line)
    "#]],
    );
}

#[test]
fn sql_keywords_as_names_are_just_unknown_names() {
    let text = r#"segment select where select.from = 1 and union.all = "x" and in segment drop and sqlite_master.sql is-set"#;
    assert_inert(&analyze(text, &Catalog::demo()));
    check_diagnostics(
        text,
        expect![[r#"
        1:22 error[unknown-field] unknown field `select.from`
        1:42 error[unknown-field] unknown field `union.all`
        1:73 error[unknown-segment] there is no segment `drop`
        1:82 error[unknown-field] unknown field `sqlite_master.sql`
    "#]],
    );
}

#[test]
fn quotes_and_comments_in_names() {
    let text = "segment `x` where is_known\nsegment x\"y where is_known\nsegment z /* c */ where trait.city = \"a\" or 1=1 --\n";
    assert_inert(&analyze(text, &Catalog::demo()));
    check_diagnostics(
        text,
        expect![[r#"
        1:9 error[unexpected-character] unexpected "`"
        1:11 error[unexpected-character] unexpected "`"
        2:9 error[duplicate-definition] segment `x` is defined more than once (rename one of them or delete the older one)
        2:9 error[missing-clause] segment `x` has no `where` condition (add `where` and the condition profiles must meet)
        2:10 error[unterminated-string] this string has no closing `"` (close it on the same line; write a line break as \n) [fix: "\""]
        3:11 error[unexpected-character] unexpected `/*`
        3:14 error[unexpected-token] unexpected `c` in segment `z` (a segment has owner, description, tags and where clauses)
        3:16 error[unexpected-character] unexpected `*/`
        4:1 error[unexpected-token] expected a condition or a value, found the end of the file
    "#]],
    );
}

#[test]
fn unterminated_string_swallows_nothing_past_its_line() {
    let text = "segment a where trait.city = \"x; DROP TABLE t; --\nsegment b where is_known\n";
    let analysis = analyze(text, &Catalog::demo());
    assert_inert(&analysis);
    assert_eq!(analysis.file.definitions.len(), 2, "the second definition survives");
    check_diagnostics(
        text,
        expect![[r#"
        1:30 error[unterminated-string] this string has no closing `"` (close it on the same line; write a line break as \n) [fix: "\""]
    "#]],
    );
}
