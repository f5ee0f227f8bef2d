//! Documentation enforced by tests: `docs/vocabulary.md` lists every
//! diagnostic code and construct, and its examples are valid and canonical.

use parlance_vocabulary::{AggregateFn, Catalog, Code, CompareOp, DefinitionKind, analyze, format};

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/vocabulary.md");
    std::fs::read_to_string(path).expect("docs/vocabulary.md exists")
}

#[test]
fn every_diagnostic_code_is_documented() {
    let doc = doc();
    let missing: Vec<&str> =
        Code::ALL.iter().map(|c| c.as_str()).filter(|c| !doc.contains(&format!("| `{c}` |"))).collect();
    assert!(missing.is_empty(), "codes missing from the diagnostics table: {missing:?}");
}

#[test]
fn every_construct_is_documented() {
    let doc = doc();
    let mut words: Vec<String> = DefinitionKind::ALL.iter().map(|k| format!("### {}", k.keyword())).collect();
    words.extend(AggregateFn::ALL.iter().map(|f| format!("`{}(", f.as_str())));
    let ops = [
        CompareOp::Eq,
        CompareOp::NotEq,
        CompareOp::Lt,
        CompareOp::LtEq,
        CompareOp::Gt,
        CompareOp::GtEq,
        CompareOp::In,
        CompareOp::NotIn,
        CompareOp::Contains,
        CompareOp::NotContains,
        CompareOp::StartsWith,
        CompareOp::NotStartsWith,
        CompareOp::Matches,
        CompareOp::NotMatches,
    ];
    words.extend(ops.iter().map(|op| format!("`{}`", op.as_str())));
    for w in
        ["`is-set`", "`is-not-set`", "`between", "then no", "in segment", "score.", "otherwise", "`today`"]
    {
        words.push(w.to_owned());
    }
    let missing: Vec<&String> = words.iter().filter(|w| !doc.contains(w.as_str())).collect();
    assert!(missing.is_empty(), "not documented: {missing:?}");
}

#[test]
fn examples_are_valid_and_canonical() {
    let doc = doc();
    let mut count = 0;
    let mut rest = doc.as_str();
    while let Some(start) = rest.find("```parlance\n") {
        let body = &rest[start + "```parlance\n".len()..];
        let end = body.find("```").expect("closed code block");
        let example = &body[..end];
        let analysis = analyze(example, &Catalog::demo());
        assert!(
            analysis.diagnostics.is_empty(),
            "example has diagnostics: {:?}\n{example}",
            analysis.diagnostics
        );
        assert_eq!(format(&analysis.file), example, "example is not in canonical form");
        count += 1;
        rest = &body[end..];
    }
    assert!(count >= 8, "expected the examples, found {count}");
}
