//! Explaining a dependency cycle: which resources, in which order.
//!
//! Kahn's algorithm only tells which nodes it could not place; those include nodes that
//! merely depend on a cycle. The strongly connected components of the unplaced nodes
//! are the cycles proper, and one diagnostic per component names its shortest cycle
//! through its first-declared node, so independent cycles are all reported at once.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use kp_check::ir::Program;
use kp_diag::{Diagnostic, Span};

use crate::Adjacency;

pub(crate) fn diagnostics(program: &Program, adj: &Adjacency, stuck: &[usize]) -> Vec<Diagnostic> {
    let members = kp_sort::set(stuck.iter().copied());
    components(adj, &members)
        .into_iter()
        .filter_map(|component| shortest_cycle(adj, &component))
        .map(|cycle| diagnostic(program, &cycle))
        .collect()
}

/// Kosaraju's algorithm on the subgraph induced by `members`, iterative so a long chain
/// cannot overflow the stack. Components come sorted by their smallest node.
fn components(adj: &Adjacency, members: &BTreeSet<usize>) -> Vec<BTreeSet<usize>> {
    let inside = |list: Option<&Vec<usize>>| -> Vec<usize> {
        list.into_iter()
            .flatten()
            .copied()
            .filter(|n| members.contains(n))
            .collect()
    };

    // Pass 1: finish order of a depth-first search along "is depended on by" edges.
    let mut finished = Vec::with_capacity(members.len());
    let mut visited = BTreeSet::new();
    for &root in members {
        if !visited.insert(root) {
            continue;
        }
        let mut stack = vec![(root, inside(adj.dependents.get(root)), 0usize)];
        while let Some((node, next, pos)) = stack.last_mut() {
            if let Some(&child) = next.get(*pos) {
                *pos += 1;
                if visited.insert(child) {
                    stack.push((child, inside(adj.dependents.get(child)), 0));
                }
            } else {
                finished.push(*node);
                stack.pop();
            }
        }
    }

    // Pass 2: in reverse finish order, everything reachable backwards is one component.
    let mut component_of: BTreeMap<usize, usize> = BTreeMap::new();
    let mut components: Vec<BTreeSet<usize>> = Vec::new();
    for &root in finished.iter().rev() {
        if component_of.contains_key(&root) {
            continue;
        }
        let id = components.len();
        let mut component = BTreeSet::new();
        let mut stack = vec![root];
        component_of.insert(root, id);
        while let Some(n) = stack.pop() {
            component.insert(n);
            for d in inside(adj.dependencies.get(n)) {
                if let std::collections::btree_map::Entry::Vacant(e) = component_of.entry(d) {
                    e.insert(id);
                    stack.push(d);
                }
            }
        }
        components.push(component);
    }
    kp_sort::by_key(&mut components, |c| c.first().copied());
    components
}

/// The shortest cycle through the component's first node, as `[a, b, ..]` where each
/// depends on the next and the last depends on `a`; `None` for a single node that does
/// not depend on itself (it is only downstream of a cycle).
fn shortest_cycle(adj: &Adjacency, component: &BTreeSet<usize>) -> Option<Vec<usize>> {
    let start = *component.first()?;
    let deps = |n: usize| -> Vec<usize> {
        adj.dependencies
            .get(n)
            .into_iter()
            .flatten()
            .copied()
            .filter(|d| component.contains(d))
            .collect()
    };
    if deps(start).contains(&start) {
        return Some(vec![start]);
    }
    // Breadth-first along dependencies, with neighbours in index order, so the cycle
    // found is the shortest and, among those, the same one every time.
    let mut parent: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for d in deps(n) {
            if d == start {
                let mut cycle = vec![n];
                let mut cur = n;
                while let Some(&p) = parent.get(&cur) {
                    cycle.push(p);
                    cur = p;
                }
                cycle.reverse();
                return Some(cycle);
            }
            if d != start && !parent.contains_key(&d) {
                parent.insert(d, n);
                queue.push_back(d);
            }
        }
    }
    None
}

fn diagnostic(program: &Program, cycle: &[usize]) -> Diagnostic {
    let id = |i: usize| program.resources.get(i).map_or("?", |r| r.id.as_str());
    let span = |i: usize| program.resources.get(i).map_or(Span::default(), |r| r.span);
    let first = cycle.first().copied().unwrap_or_default();
    let next = |k: usize| cycle.get(k + 1).or(cycle.first()).copied().unwrap_or(first);

    let mut path: Vec<String> = cycle.iter().map(|&i| format!("`{}`", id(i))).collect();
    path.push(format!("`{}`", id(first)));
    let mut d = Diagnostic::error(
        "kp::dependency-cycle",
        span(first),
        format!("dependency cycle: {}", path.join(" -> ")),
    )
    .with_label(format!("`{}` depends on `{}`", id(first), id(next(0))))
    .with_help("resources must be creatable in some order: remove one of these dependencies");
    for (k, &i) in cycle.iter().enumerate().skip(1) {
        d = d.with_related(span(i), format!("`{}` depends on `{}`", id(i), id(next(k))));
    }
    d
}
