//! Shared helpers: parse and check a file, and read diagnostics.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kp_check::{check, ir::Program, Options, Target};
use kp_diag::{Diagnostic, LineIndex};

/// Parses and checks `src`: parse diagnostics first, then the checker's.
pub fn check_src(src: &str, target: Target) -> (Vec<Diagnostic>, Program) {
    let parsed = kp_syntax::parse(src);
    let mut diags = parsed.diagnostics;
    let result = check(&parsed.file, &Options { target });
    diags.extend(result.diagnostics);
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    (diags, result.program)
}

/// `path` is relative to the crate root.
pub fn check_file(path: &str, target: Target) -> (Vec<Diagnostic>, Program) {
    let full = if std::path::Path::new(path).is_absolute() {
        path.to_string()
    } else {
        format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
    };
    let src = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    check_src(&src, target)
}

pub fn codes_of(diags: &[Diagnostic]) -> Vec<String> {
    diags.iter().map(|d| d.code.to_string()).collect()
}

pub fn errors_of(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    diags.iter().filter(|d| d.is_error()).collect()
}

/// `code line:col` of every diagnostic, sorted.
pub fn located(src: &str, diags: &[Diagnostic]) -> Vec<String> {
    let index = LineIndex::new(src);
    let mut out: Vec<String> = diags
        .iter()
        .map(|d| {
            let lc = index.line_col(d.span.start);
            format!("{} {}:{}", d.code, lc.line, lc.column)
        })
        .collect();
    out.sort();
    out
}
