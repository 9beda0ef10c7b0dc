//! Emitters. Each is a pure function of the checked program and its graph, and
//! deterministic: the same input gives the same bytes.

use kp_check::ir::Program;
use kp_check::Target;
use kp_graph::Graph;

/// One named output (`calls.json`, `policies/trainer.hcl`, `apply.sh`, `graph.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub name: String,
    pub contents: String,
}

/// `{"calls": [{"id", "method", "path", "body", "depends_on"}]}` in apply order.
pub fn api(_program: &Program, _graph: &Graph) -> OutputFile {
    todo!()
}

/// One HCL document per policy in the plan, formatted as `vault policy fmt` would.
pub fn hcl(_program: &Program) -> Vec<OutputFile> {
    todo!()
}

/// The resource graph as JSON.
pub fn json(_program: &Program, _graph: &Graph) -> OutputFile {
    todo!()
}

/// A reviewable shell script of curl calls reading VAULT_ADDR, VAULT_TOKEN and secrets
/// from the environment.
pub fn sh(_program: &Program, _graph: &Graph, _target: Target) -> OutputFile {
    todo!()
}
