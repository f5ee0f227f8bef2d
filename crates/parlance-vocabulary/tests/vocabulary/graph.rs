//! The dependency graph between definitions.

use expect_test::expect;
use parlance_vocabulary::{DefRef, DefinitionKind, LineIndex, dependency_graph, parse};

const VOCABULARY: &str = r#"
segment lapsed_vip where value.tier = "top" and in segment vip and score.engagement < 10
segment vip where in segment newsletter_subscribers or stage = "retention"
score engagement points 5 when in segment vip
stages lifecycle
  stage retention when orders.count >= 2
  stage lapsed otherwise
value standard horizon 12m discount 10% per year margin 30%
"#;

fn seg(name: &str) -> DefRef {
    DefRef::new(DefinitionKind::Segment, name)
}

#[test]
fn references_in_source_order() {
    let graph = dependency_graph(&parse(VOCABULARY).file);
    let index = LineIndex::new(VOCABULARY);
    let mut rendered = String::new();
    for r in &graph.references {
        let at = index.line_col(r.span.start);
        let text = r.span.text(VOCABULARY);
        rendered.push_str(&format!("{} -> {} at {at} `{text}`\n", graph.nodes[r.from], r.to));
    }
    expect![[r#"
        segment lapsed_vip -> value standard at 2:26 `value.tier`
        segment lapsed_vip -> segment vip at 2:60 `vip`
        segment lapsed_vip -> score engagement at 2:68 `score.engagement`
        segment vip -> segment newsletter_subscribers at 3:30 `newsletter_subscribers`
        segment vip -> stages lifecycle at 3:56 `stage`
        score engagement -> segment vip at 4:43 `vip`
    "#]]
    .assert_eq(&rendered);
}

#[test]
fn dependencies_and_dependents() {
    let graph = dependency_graph(&parse(VOCABULARY).file);
    let lapsed = graph.index_of(&seg("lapsed_vip")).unwrap();
    let deps: Vec<String> = graph.dependencies(lapsed).iter().map(ToString::to_string).collect();
    assert_eq!(deps, ["value standard", "segment vip", "score engagement"]);
    let vip_users: Vec<&DefRef> =
        graph.dependents(&seg("vip")).into_iter().map(|i| &graph.nodes[i]).collect();
    assert_eq!(vip_users, [&seg("lapsed_vip"), &DefRef::new(DefinitionKind::Score, "engagement")]);
    assert!(graph.dependents(&seg("lapsed_vip")).is_empty());
}

#[test]
fn topological_order_puts_dependencies_first() {
    let graph = dependency_graph(&parse(VOCABULARY).file);
    let order = graph.topological_order().unwrap();
    let pos = |name: &DefRef| order.iter().position(|&i| &graph.nodes[i] == name).unwrap();
    assert!(pos(&seg("vip")) < pos(&seg("lapsed_vip")));
    assert!(pos(&seg("vip")) < pos(&DefRef::new(DefinitionKind::Score, "engagement")));
    assert!(pos(&DefRef::new(DefinitionKind::Stages, "lifecycle")) < pos(&seg("vip")));
    assert_eq!(order.len(), graph.nodes.len());
}

#[test]
fn topological_order_reports_cycles() {
    let graph = dependency_graph(
        &parse("segment a where in segment b\nsegment b where in segment a\nsegment c where in segment c")
            .file,
    );
    assert_eq!(graph.topological_order(), Err(vec![vec![0, 1, 0], vec![2, 2]]));
}

#[test]
fn filters_name_properties_not_definitions() {
    // `stage` inside an event filter is the event's property, not the stages block.
    let graph = dependency_graph(&parse(r#"segment a where count(order where stage = "x") > 1"#).file);
    assert!(graph.references.is_empty());
}

#[test]
fn external_singletons_have_empty_names() {
    let graph = dependency_graph(&parse(r#"segment a where stage = "x" and value.total > 1"#).file);
    let targets: Vec<String> = graph.references.iter().map(|r| r.to.to_string()).collect();
    assert_eq!(targets, ["stages", "value"]);
}
