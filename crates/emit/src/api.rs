//! `calls.json`: the Vault API calls of the plan, in apply order.
//!
//! Every call is a POST (Vault treats POST and PUT alike) to a path relative to `/v1/`.
//! `depends_on` lists only calls of this plan, so a client may run the calls of one
//! dependency-free set concurrently; ids the program names but does not define (extern
//! policies) are the server's business.

use std::collections::BTreeSet;

use kp_check::ir::Program;
use kp_check::Target;
use kp_graph::Graph;
use serde::Serialize;

use crate::body::{dependencies_in_order, env_names, kind_name, pretty, Redacted};
use crate::OutputFile;

#[derive(Serialize)]
struct Calls<'p> {
    target: Target,
    calls: Vec<Call<'p>>,
    env: BTreeSet<&'p str>,
}

#[derive(Serialize)]
struct Call<'p> {
    id: &'p str,
    kind: &'static str,
    method: &'static str,
    path: &'p str,
    body: Redacted<'p>,
    depends_on: Vec<&'p str>,
}

/// Roughly what one call takes, pretty-printed, so the buffer rarely grows.
const BYTES_PER_CALL: usize = 700;

pub(crate) fn emit(program: &Program, graph: &Graph, target: Target) -> OutputFile {
    let dependencies = dependencies_in_order(graph);
    let id = |n: usize| graph.nodes.get(n).map(|n| n.id.as_str());
    let calls: Vec<Call> = graph
        .order
        .iter()
        .filter_map(|&i| Some((i, program.resources.get(graph.nodes.get(i)?.resource)?)))
        .map(|(i, r)| Call {
            id: &r.id,
            kind: kind_name(r.kind),
            method: "POST",
            path: &r.path,
            body: Redacted(&r.body),
            depends_on: dependencies
                .get(i)
                .into_iter()
                .flatten()
                .filter_map(|&d| id(d))
                .collect(),
        })
        .collect();
    let capacity = calls.len() * BYTES_PER_CALL;
    let doc = Calls {
        target,
        calls,
        env: env_names(program),
    };
    OutputFile {
        name: "calls.json".to_string(),
        contents: pretty(&doc, capacity),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn calls_of_the_pipeline_fixture() {
        let (p, g) = fixtures::pipeline();
        let out = emit(&p, &g, Target::Vault);
        assert_eq!(out.name, "calls.json");
        insta::assert_snapshot!(out.contents);
    }

    #[test]
    fn empty_program_has_no_calls() {
        let (p, g) = fixtures::graphed(Program::default());
        let out = emit(&p, &g, Target::Openbao);
        assert_eq!(
            out.contents,
            "{\n  \"target\": \"openbao\",\n  \"calls\": [],\n  \"env\": []\n}\n"
        );
    }
}
