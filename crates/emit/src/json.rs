//! `graph.json`: the resource graph with everything the playground draws.
//!
//! Nodes come in source order (node `i` is resource `i`), each with its level so a
//! drawing can lay levels out as columns; edges point from the resource that must exist
//! first to the one that needs it. Workloads carry their rules, which with
//! `extern_policies` give the access matrix (workload × path → capabilities) without
//! parsing HCL.

use std::collections::HashMap;
use std::ops::Range;

use kp_check::ir::{PathRule, Program, Resource};
use kp_diag::{SourceMap, Span};
use kp_graph::Graph;
use rustc_hash::FxBuildHasher;

use crate::body::{env_names, kind_name, levels_by_node};
use crate::writer::Json;
use crate::OutputFile;

/// Roughly what one node and its share of the rest take, pretty-printed, so the buffer
/// rarely grows.
const BYTES_PER_NODE: usize = 2048;

pub(crate) fn emit(program: &Program, graph: &Graph, sources: &SourceMap) -> OutputFile {
    let id = |i: usize| graph.nodes.get(i).map(|n| n.id.as_str());
    let level = levels_by_node(graph);
    let mut json = Json::pretty(graph.nodes.len() * BYTES_PER_NODE);
    json.begin_object();

    // A derived policy's rules are its workload's, and both arrays sit at the same depth:
    // where each policy's were written, to copy them for the workload. Looked up by
    // workload through a map of the checker's symbol-table type (`&str` to position,
    // `FxBuildHasher`): the wasm carries one copy of its code, and no SipHash.
    let mut written: Vec<(Range<usize>, &[PathRule])> = Vec::new();
    let mut written_for: HashMap<&str, usize, FxBuildHasher> = HashMap::default();
    json.key("nodes");
    json.begin_array();
    for (i, n) in graph.nodes.iter().enumerate() {
        if let Some(r) = program.resources.get(n.resource) {
            json.element();
            let rules = node(&mut json, r, level.get(i).copied().flatten(), sources);
            if let (Some(w), Some((range, rules))) = (r.workload.as_deref(), rules) {
                written_for.insert(w, written.len());
                written.push((range, rules));
            }
        }
    }
    json.end_array();

    json.key("edges");
    json.begin_array();
    for e in &graph.edges {
        if let (Some(from), Some(to)) = (id(e.from), id(e.to)) {
            json.element();
            json.begin_object();
            json.str_member("from", from);
            json.str_member("to", to);
            json.end_object();
        }
    }
    json.end_array();

    json.key("order");
    json.strs(graph.order.iter().filter_map(|&i| id(i)));
    json.key("levels");
    json.begin_array();
    for l in &graph.levels {
        json.element();
        json.strs(l.iter().filter_map(|&i| id(i)));
    }
    json.end_array();

    json.key("workloads");
    json.begin_array();
    for w in &program.workloads {
        json.element();
        json.begin_object();
        json.str_member("name", &w.name);
        json.key("description");
        json.opt_str(w.description.as_deref());
        json.key("role");
        json.opt_str(w.role.as_deref());
        json.str_member("policy", &w.policy);
        json.key("rules");
        let copy = written_for
            .get(w.name.as_str())
            .and_then(|&i| written.get(i));
        match copy {
            Some((range, same)) if *same == w.rules.as_slice() => json.repeat(range.clone()),
            _ => rules(&mut json, &w.rules),
        }
        json.key("span");
        span(&mut json, w.span, sources);
        json.end_object();
    }
    json.end_array();

    json.key("extern_policies");
    json.strs(program.extern_policies.iter().map(|p| &p[..]));
    json.key("env");
    json.strs(env_names(program));
    json.end_object();
    OutputFile {
        name: "graph.json".to_string(),
        contents: json.finish(),
    }
}

/// Writes the node; for a policy, returns where its rules were written.
fn node<'p>(
    json: &mut Json,
    r: &'p Resource,
    level: Option<usize>,
    sources: &SourceMap,
) -> Option<(Range<usize>, &'p [PathRule])> {
    json.begin_object();
    json.str_member("id", &r.id);
    json.known_member("kind", kind_name(r.kind));
    json.str_member("name", &r.name);
    json.str_member("path", &r.path);
    json.key("read_path");
    json.opt_str(r.read_path.as_deref());
    json.key("mount");
    json.opt_str(r.mount.as_deref());
    json.key("workload");
    json.opt_str(r.workload.as_deref());
    json.str_member("schema", r.schema);
    json.key("level");
    json.opt_uint(level);
    json.key("body");
    json.body(&r.body);
    json.key("rules");
    let written = match &r.policy {
        Some(p) => {
            let start = json.mark();
            rules(json, &p.rules);
            Some((start..json.mark(), p.rules.as_slice()))
        }
        None => {
            json.null();
            None
        }
    };
    json.key("span");
    span(json, r.span, sources);
    json.end_object();
    written
}

fn rules(json: &mut Json, rules: &[PathRule]) {
    json.begin_array();
    for r in rules {
        json.element();
        json.begin_object();
        json.str_member("path", &r.path);
        json.key("capabilities");
        json.strs(r.capabilities.iter());
        json.end_object();
    }
    json.end_array();
}

/// Offsets into its file (`file` named); without a source map, global offsets.
fn span(json: &mut Json, s: Span, sources: &SourceMap) {
    json.begin_object();
    let (start, end) = match sources.file_of(s.start) {
        Some(file) => {
            json.str_member("file", file.name());
            let local = file.local(s);
            (local.start, local.end)
        }
        None => (s.start, s.end),
    };
    json.key("start");
    json.uint(start);
    json.key("end");
    json.uint(end);
    json.end_object();
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
