//! `graph.json`: the resource graph with everything the playground draws.
//!
//! Nodes come in source order (node `i` is resource `i`), each with its level so a
//! drawing can lay levels out as columns; edges point from the resource that must exist
//! first to the one that needs it. Workloads carry their rules, which with
//! `extern_policies` give the access matrix (workload × path → capabilities) without
//! parsing HCL.

use kp_check::ir::{PathRule, Program, Resource};
use kp_diag::Span;
use kp_graph::Graph;
use serde_json::{json, Value as Json};

use crate::body::{env_names, kind_name, pretty, redacted};
use crate::OutputFile;

pub(crate) fn emit(program: &Program, graph: &Graph) -> OutputFile {
    let id = |i: usize| graph.nodes.get(i).map(|n| n.id.clone());
    let nodes: Vec<Json> = graph
        .nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| Some(node(program.resources.get(n.resource)?, graph.level_of(i))))
        .collect();
    let edges: Vec<Json> = graph
        .edges
        .iter()
        .filter_map(|e| Some(json!({ "from": id(e.from)?, "to": id(e.to)? })))
        .collect();
    let order: Vec<String> = graph.order.iter().filter_map(|&i| id(i)).collect();
    let levels: Vec<Vec<String>> = graph
        .levels
        .iter()
        .map(|l| l.iter().filter_map(|&i| id(i)).collect())
        .collect();
    let workloads: Vec<Json> = program
        .workloads
        .iter()
        .map(|w| {
            json!({
                "name": w.name,
                "description": w.description,
                "role": w.role,
                "policy": w.policy,
                "rules": rules(&w.rules),
                "span": span(w.span),
            })
        })
        .collect();
    let doc = json!({
        "nodes": nodes,
        "edges": edges,
        "order": order,
        "levels": levels,
        "workloads": workloads,
        "extern_policies": program.extern_policies,
        "env": env_names(program),
    });
    OutputFile {
        name: "graph.json".to_string(),
        contents: pretty(&doc),
    }
}

fn node(r: &Resource, level: Option<usize>) -> Json {
    json!({
        "id": r.id,
        "kind": kind_name(r.kind),
        "name": r.name,
        "path": r.path,
        "read_path": r.read_path,
        "mount": r.mount,
        "workload": r.workload,
        "schema": r.schema,
        "level": level,
        "body": redacted(&r.body),
        "rules": r.policy.as_ref().map(|p| rules(&p.rules)),
        "span": span(r.span),
    })
}

fn rules(rules: &[PathRule]) -> Json {
    rules
        .iter()
        .map(|r| json!({ "path": r.path, "capabilities": r.capabilities }))
        .collect()
}

fn span(s: Span) -> Json {
    json!({ "start": s.start, "end": s.end })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn graph_of_the_pipeline_fixture() {
        let (p, g) = fixtures::pipeline();
        let out = emit(&p, &g);
        assert_eq!(out.name, "graph.json");
        insta::assert_snapshot!(out.contents);
    }
}
