//! Explaining a dependency cycle: which resources, in which order.
//!
//! Kahn's algorithm only tells which nodes it could not place; those include nodes that
//! merely depend on a cycle. The strongly connected components of the unplaced nodes
//! are the cycles proper, and one diagnostic per component names its shortest cycle
//! through its first-declared node, so independent cycles are all reported at once.

use std::collections::VecDeque;

use kp_check::ir::Program;
use kp_diag::{Diagnostic, Span};

use crate::Adjacency;

pub(crate) fn diagnostics(program: &Program, adj: &Adjacency, stuck: &[usize]) -> Vec<Diagnostic> {
    let mut members = stuck.to_vec();
    kp_sort::unstable(&mut members);
    members.dedup();
    components(adj, &members)
        .into_iter()
        .filter_map(|component| shortest_cycle(adj, &component))
        .map(|cycle| diagnostic(program, &cycle))
        .collect()
}

/// Kosaraju's algorithm on the subgraph induced by `members` (sorted, each once),
/// iterative so a long chain cannot overflow the stack. Each component comes sorted, and
/// the components by their smallest node. Nodes are indices into the adjacency lists, so
/// what is known of each is kept in vectors indexed by node.
fn components(adj: &Adjacency, members: &[usize]) -> Vec<Vec<usize>> {
    let nodes = adj.len();
    let mut member = vec![false; nodes];
    for &m in members {
        if let Some(slot) = member.get_mut(m) {
            *slot = true;
        }
    }
    let is_member = |n: usize| member.get(n).copied().unwrap_or(false);
    let inside =
        |list: &[usize]| -> Vec<usize> { list.iter().copied().filter(|&n| is_member(n)).collect() };
    // Marks `n` seen; whether it was not before.
    fn first_visit(seen: &mut [bool], n: usize) -> bool {
        seen.get_mut(n)
            .is_some_and(|slot| !std::mem::replace(slot, true))
    }

    // Pass 1: finish order of a depth-first search along "is depended on by" edges.
    let mut finished = Vec::with_capacity(members.len());
    let mut visited = vec![false; nodes];
    for &root in members {
        if !first_visit(&mut visited, root) {
            continue;
        }
        let mut stack = vec![(root, inside(adj.dependents(root)), 0usize)];
        while let Some((node, next, pos)) = stack.last_mut() {
            if let Some(&child) = next.get(*pos) {
                *pos += 1;
                if first_visit(&mut visited, child) {
                    stack.push((child, inside(adj.dependents(child)), 0));
                }
            } else {
                finished.push(*node);
                stack.pop();
            }
        }
    }

    // Pass 2: in reverse finish order, everything reachable backwards is one component.
    let mut assigned = vec![false; nodes];
    let mut components: Vec<Vec<usize>> = Vec::new();
    for &root in finished.iter().rev() {
        if !first_visit(&mut assigned, root) {
            continue;
        }
        let mut component = Vec::new();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            component.push(n);
            for d in inside(adj.dependencies(n)) {
                if first_visit(&mut assigned, d) {
                    stack.push(d);
                }
            }
        }
        kp_sort::unstable(&mut component);
        components.push(component);
    }
    kp_sort::by_key(&mut components, |c| c.first().copied());
    components
}

/// The shortest cycle through the component's first node, as `[a, b, ..]` where each
/// depends on the next and the last depends on `a`; `None` for a single node that does
/// not depend on itself (it is only downstream of a cycle). `component` is sorted.
fn shortest_cycle(adj: &Adjacency, component: &[usize]) -> Option<Vec<usize>> {
    let start = *component.first()?;
    let position = |n: usize| component.binary_search(&n).ok();
    let deps = |n: usize| -> Vec<usize> {
        adj.dependencies(n)
            .iter()
            .copied()
            .filter(|&d| position(d).is_some())
            .collect()
    };
    if deps(start).contains(&start) {
        return Some(vec![start]);
    }
    // Breadth-first along dependencies, with neighbours in index order, so the cycle
    // found is the shortest and, among those, the same one every time. `parent` is by
    // position in the component.
    let mut parent: Vec<Option<usize>> = vec![None; component.len()];
    let parent_of = |parent: &[Option<usize>], n: usize| {
        position(n).and_then(|i| parent.get(i).copied().flatten())
    };
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for d in deps(n) {
            if d == start {
                let mut cycle = vec![n];
                let mut cur = n;
                while let Some(p) = parent_of(&parent, cur) {
                    cycle.push(p);
                    cur = p;
                }
                cycle.reverse();
                return Some(cycle);
            }
            if let Some(slot) = position(d).and_then(|i| parent.get_mut(i)) {
                if slot.is_none() {
                    *slot = Some(n);
                    queue.push_back(d);
                }
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
