//! The keyplan formatter: one canonical layout for a `.kp` file.
//!
//! - two-space indentation, one entry per line, `=` aligned within a run of attributes
//!   (a run ends at a blank line or at an entry that is not an attribute), statement
//!   arguments aligned within a run of statements;
//! - one blank line between top-level blocks (consecutive `extern policy` lines may stay
//!   together); elsewhere at most one blank line, where the author put one;
//! - lists and maps on one line when they fit in the width and hold no comment, else one
//!   item per line (lists with a trailing comma);
//! - heredocs, strings and numbers exactly as written, except that every line of the
//!   result ends in `\n`, heredoc lines included (a CRLF file becomes an LF file; a
//!   heredoc's value never counted the `\r`);
//! - every comment kept, on its line: a comment after an entry stays after it, a comment
//!   on its own line stays on its own line before the same entry (with several entries
//!   on one line, a comment ending it follows the last of them).
//!
//! The result is checked before it is returned: it must parse to the same tree (spans
//! aside) with the same comments in the same order, each after the same token of the
//! tree, so formatting never changes what a program means nor which entry a comment is
//! about, even if the printer has a bug.

// In the playground's wasm: the standard sorts only through `kp_sort` (clippy.toml).
#![deny(clippy::disallowed_methods)]

mod printer;
mod verify;

use kp_diag::{Diagnostic, Span};

/// Diagnostic code of the (never expected) refusal to return a result that would change
/// the program.
pub const INTERNAL: &str = "kp::fmt::internal";

/// Layout options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Lines longer than this (in characters) wrap their lists and maps, one item per
    /// line. Text that cannot wrap (a long string) may still exceed it.
    pub width: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { width: 100 }
    }
}

/// Formats one source text with the default [`Options`].
///
/// A text with syntax errors is refused: the parser's diagnostics come back, and no
/// layout is guessed for a tree that was only partly recovered.
pub fn format(source: &str) -> Result<String, Vec<Diagnostic>> {
    format_with(source, &Options::default())
}

/// Formats one source text.
///
/// A `\r` alone ends a line as the parser reads it: an old Mac file comes out with `\n`
/// line ends (the same lines; its spans are the same in both).
pub fn format_with(source: &str, options: &Options) -> Result<String, Vec<Diagnostic>> {
    let source = &*kp_diag::lone_cr_as_lf(source);
    let parsed = kp_syntax::parse(source);
    if !parsed.diagnostics.is_empty() {
        return Err(parsed.diagnostics);
    }
    let comments = kp_syntax::comments(source);
    let out = printer::print(source, &parsed.file, &comments, options);
    if !verify::same_program(source, &parsed.file, &comments, &out) {
        return Err(vec![Diagnostic::error(
            INTERNAL,
            Span::new(0, 0),
            "the formatter could not lay out this file without changing it",
        )
        .with_label("the file was left as it is")
        .with_help(
            "this is a bug in keyplan's formatter: please report it with this file",
        )]);
    }
    // A byte-order mark is the file's encoding, not layout: kept, so that a file an editor
    // saved with one formats to itself and `fmt --check` passes it.
    if source.starts_with(BOM) {
        return Ok([BOM, &out].concat());
    }
    Ok(out)
}

const BOM: &str = "\u{feff}";
