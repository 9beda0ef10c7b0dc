//! The resource graph: one node per [`kp_check::ir::Resource`], an edge for every
//! "must exist first" relation, and a deterministic topological order.
//!
//! Node `i` is resource `i` of the program, so indices into `nodes` and into
//! `Program::resources` are interchangeable. Ids a resource depends on that the program
//! does not define (an `extern policy`, a mount managed elsewhere) give no edge: the
//! server is expected to hold them already.

// In the playground's wasm: the standard sorts only through `kp_sort` (clippy.toml).
#![deny(clippy::disallowed_methods)]

mod cycles;
mod lists;

pub use lists::NodeLists;

use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap};

use kp_check::ir::{Program, ResourceKind};
use kp_diag::Diagnostic;
use rustc_hash::FxBuildHasher;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Graph {
    pub nodes: Vec<Node>,
    /// Sorted by `(to, from)`, without duplicates.
    pub edges: Vec<Edge>,
    /// Node indices in apply order: every node after the nodes it depends on; ties
    /// broken by source order, so the same program always yields the same order and a
    /// program written in dependency order keeps its own order.
    pub order: Vec<usize>,
    /// The nodes grouped by depth: a node's level is one more than the highest level of
    /// the nodes it depends on (0 without dependencies). The nodes of one level depend
    /// only on earlier levels, so a level may be applied concurrently. Within a level,
    /// nodes keep their relative position in `order`.
    pub levels: Vec<Vec<usize>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub id: kp_check::ir::ResourceId,
    pub kind: ResourceKind,
    /// Index into `Program::resources`.
    pub resource: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Edge {
    /// The node that must exist first.
    pub from: usize,
    pub to: usize,
}

/// Builds the graph; a dependency cycle is an error diagnostic (one per independent
/// cycle), and so is an id defined twice, since edges would be ambiguous.
pub fn build(program: &Program) -> Result<Graph, Vec<Diagnostic>> {
    let index = index_ids(program)?;
    let nodes: Vec<Node> = program
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| Node {
            id: r.id.clone(),
            kind: r.kind,
            resource: i,
        })
        .collect();

    // `(to, from)` pairs sorted and deduplicated in one vector: a set of pairs cost a
    // tree node per edge.
    let mut pairs: Vec<(usize, usize)> = Vec::with_capacity(
        program
            .resources
            .iter()
            .map(|r| r.depends_on.len() + usize::from(r.mount.is_some()))
            .sum(),
    );
    // Pairs come grouped by `to` in ascending order: sorting each resource's few
    // dependencies sorts them all.
    for (to, r) in program.resources.iter().enumerate() {
        let first = pairs.len();
        for dep in r.mount.iter().chain(&r.depends_on) {
            if let Some(&from) = index.get(dep.as_str()) {
                pairs.push((to, from));
            }
        }
        // Most resources have one or two: the call only for those with more than one.
        if let Some(own) = pairs.get_mut(first..).filter(|own| own.len() > 1) {
            kp_sort::unstable(own);
        }
    }
    pairs.dedup();
    let edges: Vec<Edge> = pairs
        .into_iter()
        .map(|(to, from)| Edge { from, to })
        .collect();

    let adjacency = Adjacency::new(nodes.len(), &edges);
    let order = kahn(&adjacency);
    if order.len() < nodes.len() {
        let mut placed = vec![false; nodes.len()];
        for &i in &order {
            if let Some(p) = placed.get_mut(i) {
                *p = true;
            }
        }
        let stuck: Vec<usize> = (0..nodes.len())
            .filter(|&i| !placed.get(i).copied().unwrap_or(true))
            .collect();
        return Err(cycles::diagnostics(program, &adjacency, &stuck));
    }
    let levels = levels(&adjacency, &order);
    Ok(Graph {
        nodes,
        edges,
        order,
        levels,
    })
}

/// Ids to resource indices, hashed: ids share long prefixes (`auth/ci/role/team-…`), so
/// a sorted map compared most of each id at every step of every lookup.
fn index_ids(program: &Program) -> Result<HashMap<&str, usize, IdHasher>, Vec<Diagnostic>> {
    let mut index: HashMap<&str, usize, IdHasher> =
        HashMap::with_capacity_and_hasher(program.resources.len(), IdHasher::default());
    let mut errors = Vec::new();
    for (i, r) in program.resources.iter().enumerate() {
        match index.entry(r.id.as_str()) {
            Entry::Occupied(first) => {
                let first_span = program.resources.get(*first.get()).map(|f| f.span);
                let mut d = Diagnostic::error(
                    "kp::duplicate-resource",
                    r.span,
                    format!("`{}` is defined more than once", r.id),
                )
                .with_label("defined again here");
                if let Some(span) = first_span {
                    d = d.with_related(span, "first defined here");
                }
                errors.push(d);
            }
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
        }
    }
    if errors.is_empty() {
        Ok(index)
    } else {
        Err(errors)
    }
}

/// The hasher of [`index_ids`]: rustc's Fx hash, a few instructions per eight bytes. Its
/// keys are the program's own ids and nothing is iterated in hash order, so neither
/// flooding resistance nor a random seed (absent on wasm) is needed. The same map type as
/// the checker's symbol tables (`&str` to position, `FxBuildHasher`), so the wasm carries
/// one copy of its code, not two (0.5 KB gzipped).
type IdHasher = FxBuildHasher;

/// Both directions of the edges, each node's list sorted by node index. Each direction
/// is one vector of every node's list end to end, and where each list starts: a vector
/// per node cost an allocation and its regrowths for each of thousands of nodes.
pub(crate) struct Adjacency {
    /// `dependencies(i)`: the nodes `i` depends on.
    dependencies: NodeLists<usize>,
    /// `dependents(i)`: the nodes that depend on `i`.
    dependents: NodeLists<usize>,
}

impl Adjacency {
    fn new(n: usize, edges: &[Edge]) -> Self {
        let mut dependencies = NodeLists::new(n, edges.iter().map(|e| (e.to, e.from)));
        let mut dependents = NodeLists::new(n, edges.iter().map(|e| (e.from, e.to)));
        // Edges sorted by `(to, from)`, as `build` makes them, leave every list sorted.
        let sorted = edges.windows(2).all(|w| match w {
            [a, b] => (a.to, a.from) <= (b.to, b.from),
            _ => true,
        });
        if !sorted {
            dependencies.sort_each();
            dependents.sort_each();
        }
        Adjacency {
            dependencies,
            dependents,
        }
    }

    /// The number of nodes.
    pub(crate) fn len(&self) -> usize {
        self.dependencies.len()
    }

    /// The nodes `i` depends on.
    pub(crate) fn dependencies(&self, i: usize) -> &[usize] {
        self.dependencies.get(i)
    }

    /// The nodes that depend on `i`.
    pub(crate) fn dependents(&self, i: usize) -> &[usize] {
        self.dependents.get(i)
    }
}

/// Kahn's algorithm with a min-heap of ready nodes: of all nodes whose dependencies are
/// placed, the earliest in the source goes next. The result is the unique smallest
/// topological order, so it depends on the program only. Shorter than the node count
/// when there is a cycle.
fn kahn(adj: &Adjacency) -> Vec<usize> {
    let mut waiting: Vec<usize> = (0..adj.len()).map(|i| adj.dependencies(i).len()).collect();
    let mut ready: BinaryHeap<Reverse<usize>> = waiting
        .iter()
        .enumerate()
        .filter(|(_, &w)| w == 0)
        .map(|(i, _)| Reverse(i))
        .collect();
    let mut order = Vec::with_capacity(waiting.len());
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for &j in adj.dependents(i) {
            if let Some(w) = waiting.get_mut(j) {
                *w -= 1;
                if *w == 0 {
                    ready.push(Reverse(j));
                }
            }
        }
    }
    order
}

/// Longest-path depth of every node, computed along `order` so each node's
/// dependencies already have theirs.
fn levels(adj: &Adjacency, order: &[usize]) -> Vec<Vec<usize>> {
    let mut depth = vec![0usize; order.len()];
    let mut levels: Vec<Vec<usize>> = Vec::new();
    for &i in order {
        let d = adj
            .dependencies(i)
            .iter()
            .filter_map(|&p| depth.get(p))
            .map(|&p| p + 1)
            .max()
            .unwrap_or(0);
        if let Some(slot) = depth.get_mut(i) {
            *slot = d;
        }
        if levels.len() <= d {
            levels.resize_with(d + 1, Vec::new);
        }
        if let Some(level) = levels.get_mut(d) {
            level.push(i);
        }
    }
    levels
}

impl Graph {
    /// The index of the node with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    pub fn node_by_id(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The nodes `i` depends on directly, by index.
    pub fn dependencies(&self, i: usize) -> Vec<usize> {
        self.edges
            .iter()
            .filter(|e| e.to == i)
            .map(|e| e.from)
            .collect()
    }

    /// The nodes that depend on `i` directly, by index.
    pub fn dependents(&self, i: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .edges
            .iter()
            .filter(|e| e.from == i)
            .map(|e| e.to)
            .collect();
        kp_sort::unstable(&mut out);
        out
    }

    /// Every node that depends on `i` directly or not, in apply order: what an applier
    /// must skip when writing `i` failed.
    pub fn downstream(&self, i: usize) -> Vec<usize> {
        let adj = Adjacency::new(self.nodes.len(), &self.edges);
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            for &d in adj.dependents(n) {
                if !std::mem::replace(&mut seen[d], true) {
                    stack.push(d);
                }
            }
        }
        self.order.iter().copied().filter(|&n| seen[n]).collect()
    }

    /// The level (see [`Graph::levels`]) node `i` is in.
    pub fn level_of(&self, i: usize) -> Option<usize> {
        self.levels.iter().position(|l| l.contains(&i))
    }

    /// The nodes in apply order.
    pub fn ordered(&self) -> impl Iterator<Item = &Node> + '_ {
        self.order.iter().filter_map(|&i| self.nodes.get(i))
    }
}

#[cfg(test)]
mod tests;
