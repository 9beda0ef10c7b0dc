//! `calls.json`: the Vault API calls of the plan, in apply order.
//!
//! Every call is a POST (Vault treats POST and PUT alike) to a path relative to `/v1/`.
//! `depends_on` lists only calls of this plan, so a client may run the calls of one
//! dependency-free set concurrently; ids the program names but does not define (extern
//! policies) are the server's business.

use kp_check::ir::Program;
use kp_check::Target;
use kp_graph::Graph;

use crate::body::{dependencies_in_order, env_names, kind_name, nodes_once, target_name};
use crate::writer::Json;
use crate::OutputFile;

/// Roughly what one call takes, pretty-printed, so the buffer rarely grows.
const BYTES_PER_CALL: usize = 700;

/// The file's name.
pub(crate) const FILE_NAME: &str = "calls.json";

pub(crate) fn emit(program: &Program, graph: &Graph, target: Target) -> OutputFile {
    let mut json = Json::pretty(graph.order.len() * BYTES_PER_CALL);
    write(program, graph, target, &mut json);
    OutputFile {
        name: FILE_NAME.to_string(),
        contents: json.finish(),
    }
}

/// [`emit`]'s text written into `sink` a chunk at a time as it is produced: a plan of
/// megabytes is never held whole (no fresh pages for it, one buffer reused in cache).
pub(crate) fn emit_to(
    program: &Program,
    graph: &Graph,
    target: Target,
    sink: &mut dyn std::io::Write,
    chunk: usize,
) -> std::io::Result<()> {
    let mut json = Json::streaming(sink, chunk);
    write(program, graph, target, &mut json);
    json.finish_streamed()
}

fn write(program: &Program, graph: &Graph, target: Target, json: &mut Json) {
    let dependencies = dependencies_in_order(graph);
    let id = |n: usize| graph.nodes.get(n).map(|n| n.id.as_str());
    json.begin_object();
    json.known_member("target", target_name(target));
    json.key("calls");
    json.begin_array();
    let calls = graph
        .order
        .iter()
        .filter_map(|&i| Some((i, program.resources.get(graph.nodes.get(i)?.resource)?)));
    for (i, r) in calls {
        json.element();
        json.begin_object();
        json.str_member("id", &r.id);
        json.known_member("kind", kind_name(r.kind));
        json.known_member("method", "POST");
        json.str_member("path", &r.path);
        json.key("body");
        json.body(&r.body);
        json.key("depends_on");
        json.strs(nodes_once(dependencies.get(i)).filter_map(id));
        json.end_object();
        json.flush_if_full();
    }
    json.end_array();
    json.key("env");
    json.strs(env_names(program));
    json.end_object();
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

    /// Streamed in chunks of any size, the text is the one built in memory; a sink that
    /// fails makes the stream fail.
    #[test]
    fn streamed_calls_are_the_same_bytes() {
        let (p, g) = fixtures::pipeline();
        let whole = emit(&p, &g, Target::Vault).contents;
        for chunk in [1, 100, 4096, crate::writer::CHUNK] {
            let mut streamed = Vec::new();
            emit_to(&p, &g, Target::Vault, &mut streamed, chunk).unwrap();
            assert_eq!(String::from_utf8(streamed).unwrap(), whole, "chunk {chunk}");
        }
        let mut full = [0u8; 64];
        let error = emit_to(&p, &g, Target::Vault, &mut full.as_mut_slice(), 16).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::WriteZero);
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
