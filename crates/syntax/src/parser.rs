use kp_diag::Diagnostic;

use crate::ast::File;

/// Nesting deeper than this (blocks, lists, maps) is reported, not recursed into.
pub const MAX_DEPTH: usize = 64;

/// The tree (as much as could be recovered) and every syntax error found.
#[derive(Debug, Clone)]
pub struct ParseResult {
    pub file: File,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn parse(_source: &str) -> ParseResult {
    todo!("parser")
}
