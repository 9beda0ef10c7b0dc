//! `graph.json`: the resource graph with everything the playground draws.
//!
//! Nodes come in source order (node `i` is resource `i`), each with its level so a
//! drawing can lay levels out as columns; edges point from the resource that must exist
//! first to the one that needs it. Workloads carry their rules, which with
//! `extern_policies` give the access matrix (workload × path → capabilities) without
//! parsing HCL.

use std::collections::BTreeSet;

use kp_check::ir::{PathRule, Program, Resource};
use kp_diag::{SourceMap, Span};
use kp_graph::Graph;
use serde::Serialize;

use crate::body::{env_names, kind_name, levels_by_node, pretty, Redacted};
use crate::OutputFile;

#[derive(Serialize)]
struct GraphDoc<'p> {
    nodes: Vec<Node<'p>>,
    edges: Vec<Edge<'p>>,
    order: Vec<&'p str>,
    levels: Vec<Vec<&'p str>>,
    workloads: Vec<Workload<'p>>,
    extern_policies: &'p [String],
    env: BTreeSet<&'p str>,
}

#[derive(Serialize)]
struct Node<'p> {
    id: &'p str,
    kind: &'static str,
    name: &'p str,
    path: &'p str,
    read_path: Option<&'p str>,
    mount: Option<&'p str>,
    workload: Option<&'p str>,
    schema: &'static str,
    level: Option<usize>,
    body: Redacted<'p>,
    rules: Option<Vec<Rule<'p>>>,
    span: SpanOut<'p>,
}

#[derive(Serialize)]
struct Edge<'p> {
    from: &'p str,
    to: &'p str,
}

#[derive(Serialize)]
struct Workload<'p> {
    name: &'p str,
    description: Option<&'p str>,
    role: Option<&'p str>,
    policy: &'p str,
    rules: Vec<Rule<'p>>,
    span: SpanOut<'p>,
}

#[derive(Serialize)]
struct Rule<'p> {
    path: &'p str,
    capabilities: &'p [&'static str],
}

/// Offsets into `file`; without a source map (no `file`), global offsets.
#[derive(Serialize)]
struct SpanOut<'p> {
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'p str>,
    start: usize,
    end: usize,
}

/// Roughly what one node and its share of the rest take, pretty-printed, so the buffer
/// rarely grows.
const BYTES_PER_NODE: usize = 2048;

pub(crate) fn emit(program: &Program, graph: &Graph, sources: &SourceMap) -> OutputFile {
    let id = |i: usize| graph.nodes.get(i).map(|n| n.id.as_str());
    let level = levels_by_node(graph);
    let nodes: Vec<Node> = graph
        .nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            Some(node(
                program.resources.get(n.resource)?,
                level.get(i).copied().flatten(),
                sources,
            ))
        })
        .collect();
    let edges: Vec<Edge> = graph
        .edges
        .iter()
        .filter_map(|e| {
            Some(Edge {
                from: id(e.from)?,
                to: id(e.to)?,
            })
        })
        .collect();
    let order: Vec<&str> = graph.order.iter().filter_map(|&i| id(i)).collect();
    let levels: Vec<Vec<&str>> = graph
        .levels
        .iter()
        .map(|l| l.iter().filter_map(|&i| id(i)).collect())
        .collect();
    let workloads: Vec<Workload> = program
        .workloads
        .iter()
        .map(|w| Workload {
            name: &w.name,
            description: w.description.as_deref(),
            role: w.role.as_deref(),
            policy: &w.policy,
            rules: rules(&w.rules),
            span: span(w.span, sources),
        })
        .collect();
    let capacity = nodes.len() * BYTES_PER_NODE;
    let doc = GraphDoc {
        nodes,
        edges,
        order,
        levels,
        workloads,
        extern_policies: &program.extern_policies,
        env: env_names(program),
    };
    OutputFile {
        name: "graph.json".to_string(),
        contents: pretty(&doc, capacity),
    }
}

fn node<'p>(r: &'p Resource, level: Option<usize>, sources: &'p SourceMap) -> Node<'p> {
    Node {
        id: &r.id,
        kind: kind_name(r.kind),
        name: &r.name,
        path: &r.path,
        read_path: r.read_path.as_deref(),
        mount: r.mount.as_deref(),
        workload: r.workload.as_deref(),
        schema: r.schema,
        level,
        body: Redacted(&r.body),
        rules: r.policy.as_ref().map(|p| rules(&p.rules)),
        span: span(r.span, sources),
    }
}

fn rules(rules: &[PathRule]) -> Vec<Rule<'_>> {
    rules
        .iter()
        .map(|r| Rule {
            path: &r.path,
            capabilities: &r.capabilities,
        })
        .collect()
}

fn span(s: Span, sources: &SourceMap) -> SpanOut<'_> {
    match sources.file_of(s.start) {
        Some(file) => {
            let local = file.local(s);
            SpanOut {
                file: Some(file.name()),
                start: local.start,
                end: local.end,
            }
        }
        None => SpanOut {
            file: None,
            start: s.start,
            end: s.end,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn graph_of_the_pipeline_fixture() {
        let (p, g) = fixtures::pipeline();
        let out = emit(&p, &g, &SourceMap::new());
        assert_eq!(out.name, "graph.json");
        insta::assert_snapshot!(out.contents);
    }
}
