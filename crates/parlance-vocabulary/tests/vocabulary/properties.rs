//! Property tests: the formatter round-trip on generated definitions, and the
//! parser (and everything after it) never panicking on arbitrary input.

use parlance_vocabulary::lexer::quote;
use parlance_vocabulary::{Catalog, ExprKind, LineIndex, Literal, analyze, dump, format, parse};
use proptest::prelude::*;

// ----- generated definitions ------------------------------------------------

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,8}".prop_filter("not a keyword", |s| {
        !matches!(
            s.as_str(),
            "and"
                | "or"
                | "not"
                | "in"
                | "then"
                | "where"
                | "within"
                | "between"
                | "contains"
                | "matches"
                | "when"
                | "otherwise"
                | "per"
                | "max"
                | "of"
                | "to"
                | "from"
                | "for"
                | "today"
                | "true"
                | "false"
                | "no"
                | "owner"
                | "description"
                | "tags"
                | "points"
                | "stage"
                | "horizon"
                | "discount"
                | "margin"
                | "contact"
                | "return"
                | "tier"
                | "group"
                | "map"
                | "ignore"
                | "segment"
                | "score"
                | "stages"
                | "value"
                | "touchpoints"
                | "is"
                | "starts"
                | "if"
                | "cost"
        )
    })
}

/// Any text, written as a string literal.
fn string_lit() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|s| quote(&s))
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..100_000).prop_map(|n| n.to_string()),
        (0u32..1000, 0u32..100).prop_map(|(a, b)| format!("{a}.{b:02}")),
    ]
}

fn duration() -> impl Strategy<Value = String> {
    (1u32..100, prop_oneof![Just('d'), Just('w'), Just('m'), Just('y')]).prop_map(|(n, u)| format!("{n}{u}"))
}

fn date() -> impl Strategy<Value = String> {
    (1990i32..2040, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

fn window() -> impl Strategy<Value = String> {
    prop_oneof![
        duration().prop_map(|d| format!("within {d}")),
        (date(), date()).prop_map(|(a, b)| format!("between {a} and {b}")),
        (duration(), duration()).prop_map(|(a, b)| format!("between today - {a} and today - {b}")),
    ]
}

/// A comparison-level condition (binds tighter than `not`, `and`, `or`).
fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        (string_lit()).prop_map(|s| format!("trait.city = {s}")),
        (number(), prop_oneof![Just("="), Just("!="), Just("<"), Just("<="), Just(">"), Just(">=")])
            .prop_map(|(n, op)| format!("orders.count {op} {n}")),
        duration().prop_map(|d| format!("last(order).at < today - {d}")),
        (string_lit(), window(), number())
            .prop_map(|(s, w, n)| format!("count(email.opened where campaign = {s} {w}) >= {n}")),
        (window(), string_lit())
            .prop_map(|(w, s)| format!("sum(order.amount {w} where channel != {s}) > 10")),
        ident().prop_map(|i| format!("in segment {i}")),
        Just("is_known".to_owned()),
        (number(), number()).prop_map(|(a, b)| format!("value.total between {a} and {b}")),
        prop::collection::vec(string_lit(), 0..4)
            .prop_map(|v| format!("trait.country not in [{}]", v.join(", "))),
        string_lit().prop_map(|s| format!("trait.email starts-with {s}")),
        string_lit().prop_map(|s| format!("trait.email matches {s}")),
        Just("trait.birthday is-set".to_owned()),
        date().prop_map(|d| format!("orders.first_at >= {d}")),
        duration().prop_map(|d| format!("web.product_view then order within {d}")),
        duration().prop_map(|d| format!("cart.added where amount > 5 then no order within {d}")),
        string_lit().prop_map(|s| format!("(email.click then order where channel = {s})")),
        ident().prop_map(|i| format!("score.{i} >= 50")),
        string_lit().prop_map(|s| format!("first(web.session).source = {s}")),
        string_lit().prop_map(|s| format!("trait.interests not contains {s}")),
        Just("trait.phone is-not-set".to_owned()),
        (number(), number()).prop_map(|(a, b)| format!("survey.nps not between -{a} and {b}")),
        prop::collection::vec(number(), 1..4).prop_map(|v| format!("value.decile in [{}]", v.join(", "))),
        (date(), duration()).prop_map(|(d, u)| format!("orders.last_at >= {d} + {u} - 1d")),
        (duration(), string_lit())
            .prop_map(|(d, s)| format!("count(order within {d} where category = {s} or items > 1) = 0")),
        ident().prop_map(|i| format!("stage = \"{i}\"")),
    ]
}

/// A condition with its loosest operator: 0 atom, 1 not, 2 and, 3 or.
fn condition() -> impl Strategy<Value = String> {
    let leaf = atom().prop_map(|s| (s, 0u8));
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|(s, p)| (if p > 1 { format!("not ({s})") } else { format!("not {s}") }, 1)),
            inner.clone().prop_map(|(s, _)| (format!("({s})"), 0)),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| {
                let parts: Vec<String> =
                    items.into_iter().map(|(s, p)| if p > 2 { format!("({s})") } else { s }).collect();
                (parts.join(" and "), 2)
            }),
            prop::collection::vec(inner, 2..4).prop_map(|items| {
                let parts: Vec<String> = items.into_iter().map(|(s, _)| s).collect();
                (parts.join(" or "), 3)
            }),
        ]
    })
    .prop_map(|(s, _)| s)
}

fn comment() -> impl Strategy<Value = String> {
    "[ -~]{0,20}".prop_map(|s| format!("#{s}"))
}

/// Separators between clauses: any whitespace, sometimes with a comment.
fn sep() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(" ".to_owned()),
        Just("\n  ".to_owned()),
        Just("\n\n\t".to_owned()),
        comment().prop_map(|c| format!(" {c}\n  ")),
        comment().prop_map(|c| format!("\n{c}\n\n  ")),
    ]
}

fn meta() -> impl Strategy<Value = Vec<String>> {
    (
        prop::option::of(string_lit().prop_map(|s| format!("owner {s}"))),
        prop::option::of(string_lit().prop_map(|s| format!("description {s}"))),
        prop::option::of(
            prop::collection::vec(string_lit(), 1..3).prop_map(|t| format!("tags {}", t.join(", "))),
        ),
    )
        .prop_map(|(a, b, c)| [a, b, c].into_iter().flatten().collect())
}

fn definition() -> impl Strategy<Value = Vec<String>> {
    let header = |kw: &'static str| {
        (ident(), prop::option::of(string_lit())).prop_map(move |(n, t)| match t {
            Some(t) => format!("{kw} {n} {t}"),
            None => format!("{kw} {n}"),
        })
    };
    let segment = (header("segment"), meta(), condition()).prop_map(|(h, mut m, c)| {
        m.insert(0, h);
        m.push(format!("where {c}"));
        m
    });
    let points = prop_oneof![
        (number(), duration(), number())
            .prop_map(|(p, d, m)| format!("points {p} per web.page_view within {d} max {m}")),
        (number(), number())
            .prop_map(|(p, k)| format!("points {p} per {k} of sum(web.page_view.seconds within 30d)")),
        (number(), condition()).prop_map(|(p, c)| format!("points -{p} when {c}")),
        (number(), number())
            .prop_map(|(p, d)| format!("points {p} per web.page_view where depth >= {d} within 30d")),
    ];
    let score = (header("score"), meta(), prop::collection::vec(points, 1..4)).prop_map(|(h, mut m, p)| {
        m.insert(0, h);
        m.extend(p);
        m
    });
    let stages = (
        header("stages"),
        prop::collection::vec((ident(), prop::option::of(string_lit()), condition()), 0..3),
        ident(),
    )
        .prop_map(|(h, rules, last)| {
            let mut m = vec![h];
            m.extend(
                rules.into_iter().map(|(n, t, c)| format!("stage {n} {} when {c}", t.unwrap_or_default())),
            );
            m.push(format!("stage {last} otherwise"));
            m
        });
    let value = (header("value"), 1u32..50, number(), string_lit()).prop_map(|(h, months, cost, cat)| {
        vec![
            h,
            format!("horizon {months}m"),
            "discount 10% per year".to_owned(),
            "margin 35%".to_owned(),
            format!("margin 12.5% for {cat}"),
            format!("contact cost {cost} for \"phone\""),
            "return cost 6".to_owned(),
            "tier top \"Top\" from 1000".to_owned(),
            "tier low otherwise".to_owned(),
        ]
    });
    let touchpoints = (header("touchpoints"), string_lit()).prop_map(|(h, s)| {
        vec![
            h,
            "group web \"Website\"".to_owned(),
            format!("map web.page_view where page_type = {s} to web:product_view"),
            "ignore web.search".to_owned(),
        ]
    });
    prop_oneof![3 => segment, 2 => score, 1 => stages, 1 => value, 1 => touchpoints]
}

fn vocabulary() -> impl Strategy<Value = String> {
    prop::collection::vec((definition(), prop::collection::vec(sep(), 12)), 1..4).prop_map(|defs| {
        let mut out = String::new();
        for (clauses, seps) in defs {
            for (i, clause) in clauses.iter().enumerate() {
                out.push_str(clause);
                out.push_str(seps.get(i % seps.len()).map_or(" ", String::as_str));
            }
            out.push('\n');
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn formatter_round_trip(text in vocabulary()) {
        let parsed = parse(&text);
        prop_assert!(!parsed.has_errors(), "generated text has errors: {:?}\n{}", parsed.diagnostics, text);
        let once = format(&parsed.file);
        let reparsed = parse(&once);
        prop_assert!(!reparsed.has_errors(), "formatted text has errors: {:?}\n{}", reparsed.diagnostics, once);
        prop_assert_eq!(dump(&reparsed.file), dump(&parsed.file), "formatting changed the tree\n{}", once);
        prop_assert_eq!(format(&reparsed.file), once.clone(), "formatting is not idempotent");
        // No comment is lost.
        prop_assert_eq!(reparsed.file.comments.len(), parsed.file.comments.len());
    }

    #[test]
    fn strings_round_trip_exactly(value in any::<String>()) {
        let text = format!("segment s where trait.city = {}", quote(&value));
        let parsed = parse(&text);
        prop_assert!(parsed.diagnostics.is_empty());
        let mut found = None;
        parsed.file.walk_exprs(&mut |e| if let ExprKind::Literal(Literal::String(s)) = &e.kind { found = Some(s.clone()) });
        prop_assert_eq!(found, Some(value));
    }
}

// ----- arbitrary input ------------------------------------------------------

/// Fragments that stress the parser: keywords, brackets, quotes, unicode.
fn soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("segment".to_owned()),
        Just("score".to_owned()),
        Just("stages".to_owned()),
        Just("value".to_owned()),
        Just("touchpoints".to_owned()),
        Just("where".to_owned()),
        Just("when".to_owned()),
        Just("stage".to_owned()),
        Just("points".to_owned()),
        Just("per".to_owned()),
        Just("tier".to_owned()),
        Just("map".to_owned()),
        Just("and".to_owned()),
        Just("or".to_owned()),
        Just("not".to_owned()),
        Just("in".to_owned()),
        Just("then".to_owned()),
        Just("no".to_owned()),
        Just("within".to_owned()),
        Just("between".to_owned()),
        Just("count(".to_owned()),
        Just("last(".to_owned()),
        Just(").".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("\"".to_owned()),
        Just(",".to_owned()),
        Just(".".to_owned()),
        Just(":".to_owned()),
        Just("=".to_owned()),
        Just(">=".to_owned()),
        Just("-".to_owned()),
        Just("90d".to_owned()),
        Just("90x".to_owned()),
        Just("2025-02-30".to_owned()),
        Just("12%".to_owned()),
        Just("is-set".to_owned()),
        Just("starts-with".to_owned()),
        Just("#".to_owned()),
        Just("\n".to_owned()),
        Just("\\".to_owned()),
        Just("\\u{".to_owned()),
        Just("é".to_owned()),
        Just("😀".to_owned()),
        Just("\u{0}".to_owned()),
        Just("\r\n".to_owned()),
        Just("otherwise".to_owned()),
        Just("today".to_owned()),
        "[a-z_.]{1,6}".prop_map(|s| s),
        "[0-9]{1,25}".prop_map(|s| s),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.join(" "))
}

/// Parses, checks and formats arbitrary text; asserts spans are sane.
fn survives(text: &str) {
    let analysis = analyze(text, &Catalog::demo());
    let index = LineIndex::new(text);
    for d in &analysis.diagnostics {
        assert!(d.span.end as usize <= text.len(), "span past the end: {d:?}");
        assert!(text.is_char_boundary(d.span.start as usize) && text.is_char_boundary(d.span.end as usize));
        let _ = d.render(&index);
    }
    let _ = parlance_vocabulary::render_all(text, &analysis.diagnostics);
    let _ = format(&analysis.file);
    let _ = dump(&analysis.file);
    let _ = analysis.graph.topological_order();
    super::injection::assert_inert(&analysis);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_strings(text in any::<String>()) {
        survives(&text);
    }

    #[test]
    fn never_panics_on_token_soup(text in soup()) {
        survives(&text);
    }

    #[test]
    fn never_panics_on_mutated_definitions(text in vocabulary(), cut in any::<prop::sample::Index>(), insert in soup()) {
        // Splice garbage into a valid file at a character boundary.
        let chars: Vec<char> = text.chars().collect();
        let at = cut.index(chars.len() + 1);
        let mutated: String = chars[..at].iter().collect::<String>() + &insert + &chars[at..].iter().collect::<String>();
        survives(&mutated);
    }
}

proptest! {
    #[test]
    fn line_col_matches_a_naive_count(text in "(.|\n){0,300}", at in any::<prop::sample::Index>()) {
        let offset = at.index(text.len() + 1);
        let index = LineIndex::new(&text);
        // Naive: lines before, then characters since the line's start.
        let mut boundary = offset;
        while !text.is_char_boundary(boundary) {
            boundary -= 1;
        }
        let before = &text[..boundary];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
        let got = index.line_col(u32::try_from(offset).unwrap());
        prop_assert_eq!((got.line as usize, got.col as usize), (line, col));
    }
}
