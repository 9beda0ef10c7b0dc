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
mod incremental;
mod locate;
mod navigate;
mod outline;
mod scope;

pub use actions::{CodeAction, TextEdit};
pub use complete::{CompletionItem, CompletionKind};
pub use hover::Hover;
pub use incremental::{Retired, Reuse};
pub use navigate::RenameError;
pub use outline::OutlineItem;

pub use kp_check::index::{DefKind, Definition, Index, Reference, SymbolKey};
pub use kp_diag::{Diagnostic, FileId, SourceFile, SourceMap, Span};
pub use kp_schema::Target;

use kp_syntax::ast::File;

/// One program (one or many files), parsed and checked.
///
/// Every offset, in and out, is global in the program's [`SourceMap`]: a file's local
/// offset plus its base. `source` is the files joined by one `\n` each, which lays them
/// out exactly as the map does (one byte between files), so text lookups by global
/// offset need no map, and a line never runs from one file into the next.
#[derive(Debug)]
pub struct Analysis {
    source: String,
    sources: SourceMap,
    file: File,
    /// The parser's diagnostics, file by file: kept apart so that an update can reuse
    /// those of the files it does not parse again.
    syntax: Vec<Diagnostic>,
    diagnostics: Vec<Diagnostic>,
    index: Index,
    program: kp_check::ir::Program,
    target: Target,
    /// What the check lowered, replayed by the next [`Analysis::update`] for the items
    /// an edit cannot have changed.
    memo: kp_check::Memo,
}

impl Analysis {
    /// Parses and checks `source` exactly as `keyplan check` does (`keyplan::compile`,
    /// then the identity lints of `keyplan::checked`), so the editor shows what the CLI
    /// reports.
    pub fn new(source: &str, target: Target) -> Analysis {
        Analysis::of_program(SourceMap::single("main.kp", source), target)
    }

    /// A program of many files, as `keyplan::compile_sources` compiles it: each file
    /// parsed on its own at its base, all their blocks checked as one program, so names
    /// resolve across files.
    pub fn of_program(sources: SourceMap, target: Target) -> Analysis {
        let parsed = sources
            .files()
            .iter()
            .map(incremental::FileParse::of)
            .collect();
        Analysis::assemble(sources, parsed, target, kp_check::Memo::new())
    }

    /// Checks the program whose files were parsed into `parsed` (one per file of
    /// `sources`, in order): everything after the parser, as `keyplan::compile` does it,
    /// lowering again only the items `memo` cannot replay.
    fn assemble(
        sources: SourceMap,
        parsed: Vec<incremental::FileParse>,
        target: Target,
        mut memo: kp_check::Memo,
    ) -> Analysis {
        let mut syntax = Vec::new();
        let mut file = File {
            blocks: Vec::with_capacity(parsed.iter().map(|p| p.blocks.len()).sum()),
            span: Span::new(0, sources.end()),
        };
        let mut source = String::with_capacity(sources.end());
        for (i, f) in sources.files().iter().enumerate() {
            if i > 0 {
                source.push('\n');
            }
            source.push_str(f.text());
        }
        for p in parsed {
            syntax.extend(p.syntax);
            file.blocks.extend(p.blocks);
        }
        let (checked, index) =
            kp_check::check_reusing(&file, &kp_check::Options { target }, true, &mut memo);
        // The facade's no-cascade rule: a block with a syntax error reports nothing else.
        let broken = kp_syntax::cascade::blocks_with_syntax_errors(&file.blocks, &syntax);
        let mut diagnostics = syntax.clone();
        diagnostics.extend(kp_syntax::cascade::without_cascades(
            &broken,
            checked.diagnostics,
        ));
        if !diagnostics.iter().any(Diagnostic::is_error) {
            match kp_graph::build(&checked.program) {
                // What `keyplan check` adds to a program that compiled
                // (`keyplan::access_lints`): the editor shows what the CLI reports.
                Ok(_) => diagnostics.extend(kp_access::lints::lints_in(&checked.program, &sources)),
                Err(errs) => diagnostics.extend(errs),
            }
        }
        diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        // As every other surface: a literal secret never echoes in a message.
        kp_diag::redact::diagnostics(
            &mut diagnostics,
            &kp_diag::redact::secret_texts(&sources, &checked.secrets),
        );
        Analysis {
            source,
            sources,
            file,
            syntax,
            diagnostics,
            index,
            program: checked.program,
            target,
            memo,
        }
    }

    /// The program's text in the global offset space (files joined by `\n`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The program's files.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
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
