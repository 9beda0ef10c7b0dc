//! The resource graph: one node per [`kp_check::ir::Resource`], an edge for every
//! "must exist first" relation, and a deterministic topological order.

use kp_check::ir::{Program, ResourceKind};
use kp_diag::Diagnostic;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Node indices in apply order: every node after the nodes it depends on; ties
    /// broken by source order, so the same program always yields the same order.
    pub order: Vec<usize>,
    /// `order` cut into levels: the nodes of one level depend only on earlier levels,
    /// so a level may be applied concurrently.
    pub levels: Vec<Vec<usize>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub id: String,
    pub kind: ResourceKind,
    /// Index into `Program::resources`.
    pub resource: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    /// The node that must exist first.
    pub from: usize,
    pub to: usize,
}

/// Builds the graph; a dependency cycle is an error diagnostic.
pub fn build(_program: &Program) -> Result<Graph, Vec<Diagnostic>> {
    todo!("graph")
}
