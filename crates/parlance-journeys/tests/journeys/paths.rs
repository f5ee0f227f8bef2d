use parlance_journeys::{
    JourneyError, PathEdge, PathMap, PathNode, PathOptions, path_edge_profiles, path_node_profiles, paths,
};

use crate::log;

/// Profile 1: A A B C (the repeat collapses); profile 2: A B, then after a
/// long pause A C; profile 3: B C.
fn sample() -> parlance_journeys::EventLog {
    log(&[
        (1, 0, "A"),
        (1, 10, "A"),
        (1, 20, "B"),
        (1, 50, "C"),
        (2, 0, "A"),
        (2, 100, "B"),
        (2, 5000, "A"),
        (2, 5010, "C"),
        (3, 0, "B"),
        (3, 10, "C"),
    ])
}

fn all() -> PathOptions {
    PathOptions {
        session_gap_seconds: None,
        start: None,
        end: None,
        max_steps: 5,
        min_edge_profiles: 1,
        max_edges: 0,
    }
}

fn node(step: usize, label: &str, profiles: u64, sequences: u64, drop_off: u64) -> PathNode {
    PathNode { step, label: label.to_owned(), profiles, sequences, drop_off }
}

fn edge(from: usize, to: usize, occurrences: u64, profiles: u64, avg_seconds: f64) -> PathEdge {
    PathEdge { from, to, occurrences, profiles, avg_seconds }
}

fn labels(map: &PathMap) -> Vec<(usize, &str)> {
    map.nodes.iter().map(|n| (n.step, n.label.as_str())).collect()
}

#[test]
fn per_profile_sequences_collapse_repeats() {
    let map = paths(&sample(), &all()).unwrap();
    assert_eq!(
        map.nodes,
        [
            node(0, "A", 2, 2, 0),
            node(0, "B", 1, 1, 0),
            node(1, "B", 2, 2, 0),
            node(1, "C", 1, 1, 1),
            node(2, "A", 1, 1, 0),
            node(2, "C", 1, 1, 1),
            node(3, "C", 1, 1, 1),
        ]
    );
    // A→B: 20 s (profile 1, from the first A) and 100 s (profile 2).
    assert_eq!(
        map.edges,
        [
            edge(0, 2, 2, 2, 60.0),
            edge(1, 3, 1, 1, 10.0),
            edge(2, 4, 1, 1, 4900.0),
            edge(2, 5, 1, 1, 30.0),
            edge(4, 6, 1, 1, 10.0)
        ]
    );
    assert_eq!((map.sequences, map.profiles), (3, 3));
}

#[test]
fn sessions_split_at_gaps_longer_than_the_limit() {
    let map = paths(&sample(), &PathOptions { session_gap_seconds: Some(1000), ..all() }).unwrap();
    assert_eq!((map.sequences, map.profiles), (4, 3));
    assert_eq!(map.nodes[0], node(0, "A", 2, 3, 0));
    let a_c =
        map.edges.iter().find(|e| map.nodes[e.from].label == "A" && map.nodes[e.to].label == "C").unwrap();
    assert_eq!((a_c.occurrences, a_c.profiles, a_c.avg_seconds), (1, 1, 10.0));
    // A gap of exactly the limit does not split.
    let exact = paths(&sample(), &PathOptions { session_gap_seconds: Some(4900), ..all() }).unwrap();
    assert_eq!(exact.sequences, 3);
}

#[test]
fn start_and_end_anchors() {
    let start = paths(&sample(), &PathOptions { start: Some("B".into()), ..all() }).unwrap();
    assert_eq!(labels(&start), [(0, "B"), (1, "C"), (1, "A"), (2, "C")]);
    assert_eq!(start.nodes[0], node(0, "B", 3, 3, 0));
    assert_eq!(start.edges[0], edge(0, 1, 2, 2, 20.0));
    // Cut after the first A following the start; profiles without one stay whole.
    let both =
        paths(&sample(), &PathOptions { start: Some("B".into()), end: Some("A".into()), ..all() }).unwrap();
    assert_eq!(labels(&both), [(0, "B"), (1, "C"), (1, "A")]);
    assert_eq!(both.nodes[2], node(1, "A", 1, 1, 1));
    // A sequence without the start anchor is left out.
    let none =
        paths(&log(&[(1, 0, "A"), (2, 0, "B")]), &PathOptions { start: Some("B".into()), ..all() }).unwrap();
    assert_eq!((none.sequences, none.profiles), (1, 1));
}

#[test]
fn the_step_limit_ends_sequences() {
    let map = paths(&sample(), &PathOptions { max_steps: 2, ..all() }).unwrap();
    assert_eq!(labels(&map), [(0, "A"), (0, "B"), (1, "B"), (1, "C")]);
    assert_eq!(map.nodes[2], node(1, "B", 2, 2, 2));
    assert_eq!(map.edges.len(), 2);
}

#[test]
fn minimum_weight_and_edge_limit() {
    let heavy = paths(&sample(), &PathOptions { min_edge_profiles: 2, ..all() }).unwrap();
    assert_eq!(labels(&heavy), [(0, "A"), (1, "B")]);
    assert_eq!(heavy.edges, [edge(0, 1, 2, 2, 60.0)]);
    let one = paths(&sample(), &PathOptions { max_edges: 1, ..all() }).unwrap();
    assert_eq!(labels(&one), [(0, "A"), (0, "B"), (1, "B")]);
    assert_eq!(one.edges, [edge(0, 2, 2, 2, 60.0)]);
    // Ties (all one profile, one occurrence) keep the lowest step, then labels.
    let two = paths(&sample(), &PathOptions { max_edges: 3, ..all() }).unwrap();
    let kept: Vec<(usize, &str, &str)> = two
        .edges
        .iter()
        .map(|e| (two.nodes[e.from].step, two.nodes[e.from].label.as_str(), two.nodes[e.to].label.as_str()))
        .collect();
    assert_eq!(kept, [(0, "A", "B"), (0, "B", "C"), (1, "B", "A")]);
}

#[test]
fn drill_down_returns_the_profiles_behind_nodes_and_edges() {
    let log = sample();
    let map = paths(&log, &all()).unwrap();
    assert_eq!(path_node_profiles(&log, &all(), &map.nodes[2]), [1, 2]);
    assert_eq!(path_node_profiles(&log, &all(), &map.nodes[1]), [3]);
    assert_eq!(path_edge_profiles(&log, &all(), &map.nodes[2], &map.nodes[4]), [2]);
    assert_eq!(path_edge_profiles(&log, &all(), &map.nodes[0], &map.nodes[2]), [1, 2]);
    // Not consecutive steps: nothing.
    assert!(path_edge_profiles(&log, &all(), &map.nodes[0], &map.nodes[5]).is_empty());
}

#[test]
fn bad_options_are_errors_that_name_the_problem() {
    let err = paths(&sample(), &PathOptions { start: Some("web:nope".into()), ..all() }).unwrap_err();
    assert!(matches!(err, JourneyError::UnknownLabel { .. }));
    let text = err.to_string();
    assert!(text.contains("web:nope") && text.contains("A, B, C"), "{text}");
    assert!(
        paths(&sample(), &PathOptions { max_steps: 0, ..all() }).unwrap_err().to_string().contains("step")
    );
    assert!(paths(&sample(), &PathOptions { session_gap_seconds: Some(0), ..all() }).is_err());
}
