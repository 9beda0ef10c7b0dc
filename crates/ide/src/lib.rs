//! What an editor asks about a keyplan program, answered from the compiler's own
//! knowledge: the checker's symbol table and resolved references ([`kp_check::index`]),
//! the endpoint schemas ([`kp_schema`]) and the block catalog ([`kp_check::catalog`]).
//!
//! Pure: source text and byte offsets in, plain Rust data out (spans are byte ranges).
//! The language server (`crates/lsp`) only converts to and from the protocol's types.
//! One [`Analysis`] is one parse and one check of a text; every query is cheap after.

mod actions;
mod complete;
mod docs;
mod hover;
mod locate;
mod navigate;
mod outline;
mod scope;

pub use actions::{CodeAction, TextEdit};
pub use complete::{CompletionItem, CompletionKind};
pub use hover::Hover;
pub use navigate::RenameError;
pub use outline::OutlineItem;

pub use kp_check::index::{DefKind, Definition, Index, Reference, SymbolKey};
pub use kp_diag::{Diagnostic, Span};
pub use kp_schema::Target;

use kp_syntax::ast::File;

/// One source text, parsed and checked.
#[derive(Debug)]
pub struct Analysis {
    source: String,
    file: File,
    diagnostics: Vec<Diagnostic>,
    index: Index,
    program: kp_check::ir::Program,
    target: Target,
}

impl Analysis {
    /// Parses and checks `source` exactly as `keyplan::compile` does, so the editor shows
    /// what `keyplan check` reports.
    pub fn new(source: &str, target: Target) -> Analysis {
        let parsed = kp_syntax::parse(source);
        let mut diagnostics = parsed.diagnostics;
        let (checked, index) = kp_check::check_indexed(&parsed.file, &kp_check::Options { target });
        // The facade's no-cascade rule: a block with a syntax error reports nothing else.
        let broken =
            kp_syntax::cascade::blocks_with_syntax_errors(&parsed.file.blocks, &diagnostics);
        diagnostics.extend(kp_syntax::cascade::without_cascades(
            &broken,
            checked.diagnostics,
        ));
        if !diagnostics.iter().any(Diagnostic::is_error) {
            if let Err(errs) = kp_graph::build(&checked.program) {
                diagnostics.extend(errs);
            }
        }
        diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        Analysis {
            source: source.to_string(),
            file: parsed.file,
            diagnostics,
            index,
            program: checked.program,
            target,
        }
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn target(&self) -> Target {
        self.target
    }

    /// Parse and check diagnostics, in source order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Every declaration and resolved reference.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Whether `offset` is inside the text (the end counts: a cursor after the last
    /// character).
    fn in_text(&self, offset: usize) -> bool {
        offset <= self.source.len() && self.source.is_char_boundary(offset)
    }
}

/// The anchor of a diagnostic code's entry in `docs/diagnostics.md`:
/// `kp::unknown-field` → `kpunknown-field` (GitHub heading slugs drop the backticks and `:`).
pub fn diagnostic_anchor(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect::<String>()
        .to_ascii_lowercase()
}
