//! The checker: resolves names, types every attribute against the endpoint schemas,
//! runs the lints from the reference scenarios, and lowers the tree to [`ir::Program`]:
//! a flat list of Vault resources, each with the API path and body it will be written
//! with.

pub mod ir;

pub use kp_schema::Target;

use kp_diag::Diagnostic;
use kp_syntax::ast::File;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub target: Target,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            target: Target::Vault,
        }
    }
}

/// The lowered program (complete only when no error was reported) and the diagnostics.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub program: ir::Program,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn check(_file: &File, _options: &Options) -> CheckResult {
    todo!("checker")
}
