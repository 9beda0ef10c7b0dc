//! `calls.json`: the Vault API calls of the plan, in apply order.
//!
//! Every call is a POST (Vault treats POST and PUT alike) to a path relative to `/v1/`.
//! `depends_on` lists only calls of this plan, so a client may run the calls of one
//! dependency-free set concurrently; ids the program names but does not define (extern
//! policies) are the server's business.

use kp_check::ir::Program;
use kp_check::Target;
use kp_graph::Graph;
use serde_json::json;

use crate::body::{dependency_ids, env_names, kind_name, pretty, redacted, serde_name};
use crate::OutputFile;

pub(crate) fn emit(program: &Program, graph: &Graph, target: Target) -> OutputFile {
    let calls: Vec<serde_json::Value> = graph
        .order
        .iter()
        .filter_map(|&i| Some((i, program.resources.get(graph.nodes.get(i)?.resource)?)))
        .map(|(i, r)| {
            json!({
                "id": r.id,
                "kind": kind_name(r.kind),
                "method": "POST",
                "path": r.path,
                "body": redacted(&r.body),
                "depends_on": dependency_ids(graph, i),
            })
        })
        .collect();
    let doc = json!({
        "target": serde_name(&target),
        "calls": calls,
        "env": env_names(program),
    });
    OutputFile {
        name: "calls.json".to_string(),
        contents: pretty(&doc),
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
