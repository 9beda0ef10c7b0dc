//! The keyplan compiler as one pure function: [`compile`] a source text for a target,
//! then [`emit`] any output format. No I/O: the CLI, the live applier, the wasm
//! playground and the language server all call this.

pub use kp_check::{ir, Options};
pub use kp_diag::{did_you_mean, Diagnostic, LineIndex, Located, Report, Severity, Span};
pub use kp_emit::OutputFile;
pub use kp_graph::Graph;
pub use kp_schema::Target;

mod implied;
pub mod json_api;

pub use implied::compile_implied;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Emit {
    Api,
    Hcl,
    Json,
    Sh,
}

impl Emit {
    pub const ALL: [Emit; 4] = [Emit::Api, Emit::Hcl, Emit::Json, Emit::Sh];

    pub fn name(self) -> &'static str {
        match self {
            Emit::Api => "api",
            Emit::Hcl => "hcl",
            Emit::Json => "json",
            Emit::Sh => "sh",
        }
    }
}

/// A compiled program: its diagnostics (parse and check, in source order) and, when
/// there was no error, the checked program and its graph.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub diagnostics: Vec<Diagnostic>,
    pub program: Option<ir::Program>,
    pub graph: Option<Graph>,
    pub target: Target,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

pub fn compile(source: &str, options: &Options) -> Compiled {
    let parsed = kp_syntax::parse(source);
    let mut diagnostics = parsed.diagnostics;
    let checked = kp_check::check(&parsed.file, options);
    diagnostics.extend(checked.diagnostics);
    let mut program = None;
    let mut graph = None;
    if !diagnostics.iter().any(Diagnostic::is_error) {
        match kp_graph::build(&checked.program) {
            Ok(g) => {
                graph = Some(g);
                program = Some(checked.program);
            }
            Err(errs) => diagnostics.extend(errs),
        }
    }
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    Compiled {
        diagnostics,
        program,
        graph,
        target: options.target,
    }
}

/// The outputs of one format, or `None` when the program did not compile.
pub fn emit(compiled: &Compiled, format: Emit) -> Option<Vec<OutputFile>> {
    let program = compiled.program.as_ref()?;
    let graph = compiled.graph.as_ref()?;
    Some(match format {
        Emit::Api => vec![kp_emit::api(program, graph, compiled.target)],
        Emit::Hcl => kp_emit::hcl(program),
        Emit::Json => vec![kp_emit::json(program, graph)],
        Emit::Sh => vec![kp_emit::sh(program, graph, compiled.target)],
    })
}
