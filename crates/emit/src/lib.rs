//! Emitters. Each is a pure function of the checked program and its graph, and
//! deterministic: the same input gives the same bytes (maps are ordered, JSON is
//! pretty-printed with two spaces and ends with a newline).
//!
//! Secrets ([`kp_check::ir::Value::Env`]) appear in every output only as the placeholder
//! `${NAME}`; the shell script reads them from the environment at run time.
//!
//! The JSON outputs are described by JSON Schemas under `schemas/output/`.

// In the playground's wasm: the standard sorts only through `kp_sort` (clippy.toml).
#![deny(clippy::disallowed_methods)]

mod api;
mod body;
mod hcl;
mod json;
mod sh;
mod writer;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod output_schemas;
#[cfg(test)]
mod tests;

pub use body::{kind_name, target_name};
use kp_check::ir::Program;
use kp_check::Target;
use kp_diag::SourceMap;
use kp_graph::Graph;

/// One named output (`calls.json`, `policies/trainer.hcl`, `apply.sh`, `graph.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub name: String,
    pub contents: String,
}

/// `calls.json`: `{"target", "calls": [{"id", "kind", "method", "path", "body",
/// "depends_on"}], "env"}` in apply order (`schemas/output/calls.schema.json`).
pub fn api(program: &Program, graph: &Graph, target: Target) -> OutputFile {
    api::emit(program, graph, target)
}

/// The name of [`api`]'s file.
pub const API_FILE: &str = api::FILE_NAME;

/// [`api`]'s text written into `sink` as it is produced, a buffer's worth at a time
/// (about 128 KiB), instead of returned whole: the CLI writes a large plan to its file
/// without holding it. The bytes are the same.
pub fn api_to(
    program: &Program,
    graph: &Graph,
    target: Target,
    sink: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    api::emit_to(program, graph, target, sink, writer::CHUNK)
}

/// One HCL document per policy in the plan (`policies/NAME.hcl`), formatted as
/// `vault policy fmt` would.
pub fn hcl(program: &Program) -> Vec<OutputFile> {
    hcl::emit(program)
}

/// `graph.json`: nodes, edges, order, levels, workloads and extern policies: what the
/// playground draws (`schemas/output/graph.schema.json`).
pub fn json(program: &Program, graph: &Graph) -> OutputFile {
    json::emit(program, graph, &SourceMap::new())
}

/// [`json`] with every span located in its file: `{file, start, end}`, offsets into
/// that file (a program of many files).
pub fn json_in(program: &Program, graph: &Graph, sources: &SourceMap) -> OutputFile {
    json::emit(program, graph, sources)
}

/// `apply.sh`: a reviewable bash script of `vault write` (or `bao write`) calls in apply
/// order, reading the server address, token and secrets from the environment.
pub fn sh(program: &Program, graph: &Graph, target: Target) -> OutputFile {
    sh::emit(program, graph, target)
}
