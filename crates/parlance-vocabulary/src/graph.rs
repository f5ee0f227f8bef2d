//! The dependency graph between definitions.
//!
//! Built from the syntax tree alone (no catalog): a segment that says
//! `in segment lapsed_vip` depends on that segment, `score.engagement` on that
//! score, the `stage` field on the stages block and `value.*` fields on the
//! value block. The app uses it to refresh memberships in order and to show
//! what a change affects; the checker uses it to find reference cycles.

use std::collections::BTreeMap;
use std::fmt;

use crate::ast::*;
use crate::span::Span;

/// A definition by kind and name.
///
/// For the one-per-vocabulary blocks (`stages`, `value`, `touchpoints`) a
/// reference from a field such as `stage` carries the name of the block in the
/// same file, or an empty name when the block lives elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DefRef {
    /// Which kind.
    pub kind: DefinitionKind,
    /// Its name.
    pub name: String,
}

impl DefRef {
    /// A reference to `kind` `name`.
    #[must_use]
    pub fn new(kind: DefinitionKind, name: impl Into<String>) -> Self {
        Self { kind, name: name.into() }
    }
}

impl fmt::Display for DefRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{} {}", self.kind, self.name)
        }
    }
}

/// One reference from a definition of the file to another definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Index of the referring definition in [`SourceFile::definitions`].
    pub from: usize,
    /// What it references (in this file or elsewhere).
    pub to: DefRef,
    /// Where the reference is written.
    pub span: Span,
}

/// Which definition references which.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DependencyGraph {
    /// The file's definitions, by index.
    pub nodes: Vec<DefRef>,
    /// Every reference, in source order.
    pub references: Vec<Reference>,
}

impl DependencyGraph {
    /// The index of a definition of this file.
    #[must_use]
    pub fn index_of(&self, def: &DefRef) -> Option<usize> {
        self.nodes.iter().position(|n| n == def)
    }

    /// What definition `index` references, each target once, in source order.
    #[must_use]
    pub fn dependencies(&self, index: usize) -> Vec<&DefRef> {
        let mut out: Vec<&DefRef> = Vec::new();
        for r in self.references.iter().filter(|r| r.from == index) {
            if !out.contains(&&r.to) {
                out.push(&r.to);
            }
        }
        out
    }

    /// The definitions of this file that reference `target`, by index.
    #[must_use]
    pub fn dependents(&self, target: &DefRef) -> Vec<usize> {
        let mut out: Vec<usize> =
            self.references.iter().filter(|r| &r.to == target).map(|r| r.from).collect();
        out.dedup();
        out
    }

    /// The file's definitions ordered so that each comes after what it
    /// references, or the cycles (as index paths) that make that impossible.
    ///
    /// # Errors
    ///
    /// Every cycle found, one per strongly connected component, each starting
    /// and ending at its smallest index.
    pub fn topological_order(&self) -> Result<Vec<usize>, Vec<Vec<usize>>> {
        let adj = self.local_adjacency();
        let cycles = find_cycles(&adj);
        if !cycles.is_empty() {
            return Err(cycles);
        }
        let mut order = Vec::with_capacity(adj.len());
        let mut state = vec![0u8; adj.len()];
        for start in 0..adj.len() {
            // Iterative post-order DFS.
            if state.get(start).copied() != Some(0) {
                continue;
            }
            let mut stack = vec![(start, 0usize)];
            if let Some(s) = state.get_mut(start) {
                *s = 1;
            }
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let succ = adj.get(node).and_then(|a| a.get(*next)).copied();
                *next += 1;
                match succ {
                    Some(s) if state.get(s).copied() == Some(0) => {
                        if let Some(st) = state.get_mut(s) {
                            *st = 1;
                        }
                        stack.push((s, 0));
                    }
                    Some(_) => {}
                    None => {
                        order.push(node);
                        if let Some(st) = state.get_mut(node) {
                            *st = 2;
                        }
                        stack.pop();
                    }
                }
            }
        }
        Ok(order)
    }

    /// Adjacency between this file's definitions only.
    fn local_adjacency(&self) -> Vec<Vec<usize>> {
        let mut adj = vec![Vec::new(); self.nodes.len()];
        for r in &self.references {
            if let (Some(to), Some(list)) = (self.index_of(&r.to), adj.get_mut(r.from))
                && !list.contains(&to)
            {
                list.push(to);
            }
        }
        adj
    }
}

/// One cycle per strongly connected component that has one (a self-reference
/// included), as a path of node indices that starts and ends at the
/// component's smallest index. Components are reported by that index.
#[must_use]
pub fn find_cycles(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    // Tarjan's algorithm, iteratively.
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next_index = 0usize;
    let mut components: Vec<Vec<usize>> = Vec::new();
    for root in 0..n {
        if index.get(root).copied() != Some(usize::MAX) {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some((v, i)) = work.pop() {
            if i == 0 {
                set(&mut index, v, next_index);
                set(&mut low, v, next_index);
                next_index += 1;
                stack.push(v);
                set(&mut on_stack, v, true);
            }
            let succs = adj.get(v).map_or(&[][..], Vec::as_slice);
            if let Some(&w) = succs.get(i) {
                work.push((v, i + 1));
                if get(&index, w) == usize::MAX {
                    work.push((w, 0));
                } else if get(&on_stack, w) {
                    let lw = get(&low, v).min(get(&index, w));
                    set(&mut low, v, lw);
                }
                continue;
            }
            // All successors done: propagate low-link to the parent.
            if get(&low, v) == get(&index, v) {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    set(&mut on_stack, w, false);
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(comp);
            }
            if let Some(&(parent, _)) = work.last() {
                let lp = get(&low, parent).min(get(&low, v));
                set(&mut low, parent, lp);
            }
        }
    }
    let mut cycles = Vec::new();
    for comp in components {
        let Some(&start) = comp.iter().min() else { continue };
        let self_loop = adj.get(start).is_some_and(|s| s.contains(&start));
        if comp.len() == 1 && !self_loop {
            continue;
        }
        if self_loop {
            cycles.push(vec![start, start]);
            continue;
        }
        // Shortest path back to `start` inside the component (BFS).
        let mut prev: BTreeMap<usize, usize> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut found = None;
        'bfs: while let Some(v) = queue.pop_front() {
            for &w in adj.get(v).map_or(&[][..], Vec::as_slice) {
                if !comp.contains(&w) {
                    continue;
                }
                if w == start {
                    found = Some(v);
                    break 'bfs;
                }
                if let std::collections::btree_map::Entry::Vacant(e) = prev.entry(w) {
                    e.insert(v);
                    queue.push_back(w);
                }
            }
        }
        if let Some(last) = found {
            let mut path = vec![last];
            let mut v = last;
            while v != start {
                match prev.get(&v) {
                    Some(&p) => {
                        path.push(p);
                        v = p;
                    }
                    None => break,
                }
            }
            path.reverse();
            path.push(start);
            cycles.push(path);
        }
    }
    cycles.sort();
    cycles
}

fn get<T: Copy + Default>(v: &[T], i: usize) -> T {
    v.get(i).copied().unwrap_or_default()
}

fn set<T>(v: &mut [T], i: usize, value: T) {
    if let Some(slot) = v.get_mut(i) {
        *slot = value;
    }
}

/// Builds the dependency graph of a file.
#[must_use]
pub fn dependency_graph(file: &SourceFile) -> DependencyGraph {
    let singleton_name = |kind: DefinitionKind| -> String {
        file.definitions.iter().find(|d| d.kind == kind).map(|d| d.name().to_owned()).unwrap_or_default()
    };
    let stages = singleton_name(DefinitionKind::Stages);
    let value = singleton_name(DefinitionKind::Value);
    let mut graph = DependencyGraph {
        nodes: file.definitions.iter().map(|d| DefRef::new(d.kind, d.name())).collect(),
        references: Vec::new(),
    };
    for (from, def) in file.definitions.iter().enumerate() {
        let mut walker = Walker { from, stages: &stages, value: &value, out: &mut graph.references };
        for clause in &def.clauses {
            walker.clause(clause);
        }
    }
    graph
}

struct Walker<'a> {
    from: usize,
    stages: &'a str,
    value: &'a str,
    out: &'a mut Vec<Reference>,
}

impl Walker<'_> {
    fn push(&mut self, kind: DefinitionKind, name: &str, span: Span) {
        self.out.push(Reference { from: self.from, to: DefRef::new(kind, name), span });
    }

    fn clause(&mut self, c: &Clause) {
        match &c.kind {
            ClauseKind::Where(e) => self.expr(e),
            ClauseKind::Points(p) => match &p.kind {
                PointsKind::Per { measure: Measure::Value(e), .. } | PointsKind::When(e) => self.expr(e),
                PointsKind::Per { measure: Measure::Events(spec), .. } => self.spec(spec),
            },
            ClauseKind::Stage(s) => {
                if let Some(e) = &s.when {
                    self.expr(e);
                }
            }
            _ => {}
        }
    }

    fn spec(&mut self, spec: &EventSpec) {
        // Filters name event properties, never definitions; only window bounds
        // can hold profile-level expressions.
        if let Some(Window { kind: WindowKind::Between(a, b), .. }) = &spec.window {
            self.expr(a);
            self.expr(b);
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Or(items) | ExprKind::And(items) | ExprKind::List(items) => {
                for i in items {
                    self.expr(i);
                }
            }
            ExprKind::Not(x) | ExprKind::Paren(x) | ExprKind::Neg(x) => self.expr(x),
            ExprKind::IsSet { value, .. } => self.expr(value),
            ExprKind::Compare { lhs, rhs, .. } | ExprKind::Arith { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Between { value, low, high, .. } => {
                self.expr(value);
                self.expr(low);
                self.expr(high);
            }
            ExprKind::InSegment(name) => self.push(DefinitionKind::Segment, &name.name, name.span),
            ExprKind::Path(p) => {
                let names: Vec<&str> = p.segments.iter().map(|s| s.name.as_str()).collect();
                match names.as_slice() {
                    ["score", name] => self.push(DefinitionKind::Score, name, p.span),
                    ["stage"] => {
                        let stages = self.stages.to_owned();
                        self.push(DefinitionKind::Stages, &stages, p.span);
                    }
                    ["value", ..] => {
                        let value = self.value.to_owned();
                        self.push(DefinitionKind::Value, &value, p.span);
                    }
                    _ => {}
                }
            }
            ExprKind::Aggregate(agg) => self.spec(&agg.target),
            ExprKind::Sequence(_) | ExprKind::Literal(_) | ExprKind::Today | ExprKind::Error => {}
        }
    }
}
