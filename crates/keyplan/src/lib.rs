//! The keyplan compiler as one pure function: [`compile`] a source text for a target,
//! then [`emit`] any output format. No I/O: the CLI, the live applier, the wasm
//! playground and the language server all call this.

// In the playground's wasm: the standard sorts only through `kp_sort` (clippy.toml).
#![deny(clippy::disallowed_methods)]

use std::sync::Arc;

pub use kp_access as access;
pub use kp_check::{ir, Options};
pub use kp_diag::{
    did_you_mean, Diagnostic, FileId, LineIndex, Located, LocatedRelated, Location, Report,
    Severity, SourceFile, SourceMap, Span,
};
pub use kp_emit::OutputFile;
pub use kp_graph::Graph;
pub use kp_schema::Target;

mod access_api;
pub mod cascade;
pub use kp_access::explain;
pub mod explain_code;
mod implied;
pub mod json_api;
use kp_diag::redact;

pub use access_api::{
    access_diff, access_lints, access_matrix, checked, simulate_claims, simulate_claims_at,
};
pub use kp_diag::redact::REDACTED;

/// Vault's ACL evaluator, for callers of [`explain`] that need its types.
pub use kp_acl as acl;

pub use implied::{compile_implied, compile_sources_for, compile_sources_implied};

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
    /// The program's files: every span above is a global offset into this map.
    pub sources: SourceMap,
    /// Spans of the secrets written as literals (already redacted from `diagnostics`).
    pub secrets: Vec<Span>,
    /// The parsed tree, which nothing reads after the check.
    _tree: KeptTree,
}

/// A compilation's parsed tree, kept only so that it is freed with the rest of the
/// [`Compiled`], and not at all by a CLI that exits without dropping it. Freeing it
/// mid-compile, node by node, was 2% of a large build's instructions and about 6% of its
/// wall time, and the graph and emitters did not reuse its memory enough to lower the
/// peak. The wasm has no atomic counts to save and no size to spare for the drop glue:
/// it frees the tree at once. A clone does not copy it (nothing reads it).
pub(crate) struct KeptTree {
    #[cfg(not(target_arch = "wasm32"))]
    _tree: Option<kp_syntax::ast::File>,
}

impl KeptTree {
    fn new(tree: Option<kp_syntax::ast::File>) -> Self {
        #[cfg(target_arch = "wasm32")]
        drop(tree);
        KeptTree {
            #[cfg(not(target_arch = "wasm32"))]
            _tree: tree,
        }
    }

    fn none() -> Self {
        KeptTree::new(None)
    }
}

impl Clone for KeptTree {
    fn clone(&self) -> Self {
        KeptTree::none()
    }
}

impl std::fmt::Debug for KeptTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeptTree")
    }
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The sources with every literal secret starred out (same offsets): render
    /// diagnostic snippets from this, never from `sources`.
    pub fn display_sources(&self) -> SourceMap {
        if self.secrets.is_empty() {
            return self.sources.clone();
        }
        redact::sources(&self.sources, &self.secrets)
    }

    /// Stars out this program's literal secrets in diagnostics made outside the compile
    /// (the formatter's, lints added afterwards), as its own already are.
    pub fn redact(&self, diagnostics: &mut [Diagnostic]) {
        if !self.secrets.is_empty() {
            redact::diagnostics(
                diagnostics,
                &redact::secret_texts(&self.sources, &self.secrets),
            );
        }
    }
}

/// The name a one-file program's spans are located in by [`compile`].
pub const SINGLE_FILE: &str = "main.kp";

/// Compiles a one-file program (its file is named [`SINGLE_FILE`]); offsets are the text's own.
pub fn compile(source: &str, options: &Options) -> Compiled {
    compile_sources(SourceMap::single(SINGLE_FILE, source), options)
}

/// Compiles a program of many files, `(name, text)` in the order given (callers sort
/// them, e.g. by path, so that outputs do not depend on directory order). Each file is
/// parsed on its own at its base in one [`SourceMap`]; the checker sees all their
/// blocks as one program, so references resolve across files.
pub fn compile_files<N: AsRef<str>, T: AsRef<str>>(
    files: &[(N, T)],
    options: &Options,
) -> Compiled {
    let mut sources = SourceMap::new();
    for (name, text) in files {
        sources.add(name.as_ref(), text.as_ref());
    }
    compile_sources(sources, options)
}

/// [`compile_files`] over a map already built (the language server keeps one).
pub fn compile_sources(sources: SourceMap, options: &Options) -> Compiled {
    let parsed = parse_sources(&sources);
    let checked = check_parsed(&parsed, options);
    let (diagnostics, tree) = parsed.into_parts();
    finish(sources, diagnostics, tree, checked, options.target)
}

/// [`compile_sources`] of a program already parsed, replaying from `memo` the lowering of
/// the items an edit since the memo's last check did not change (a playground's
/// keystrokes).
pub(crate) fn compile_reusing(
    sources: SourceMap,
    parsed: &Parsed,
    options: &Options,
    memo: &mut kp_check::Memo,
) -> Compiled {
    let checked =
        parsed.without_cascades(kp_check::check_reusing(&parsed.tree, options, false, memo).0);
    finish(
        sources,
        parsed.diagnostics.clone(),
        KeptTree::none(),
        checked,
        options.target,
    )
}

/// Every file of a program parsed at its base, as one tree.
pub(crate) struct Parsed {
    pub(crate) tree: kp_syntax::ast::File,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Spans of the top-level blocks with a syntax error.
    pub(crate) broken: Vec<Span>,
}

impl Parsed {
    /// The parse diagnostics and the tree (for [`Compiled`] to keep).
    pub(crate) fn into_parts(self) -> (Vec<Diagnostic>, KeptTree) {
        (self.diagnostics, KeptTree::new(Some(self.tree)))
    }
}

pub(crate) fn parse_sources(sources: &SourceMap) -> Parsed {
    let files = sources.files();
    // The files laid out as the map places them, a newline in each gap, so that each
    // file's spans come out in the program's offsets with no walk to move them. One file
    // at base 0 is laid out as it is: the tree's names and strings point into the map's
    // own text, with no copy.
    let laid_out = match files {
        [file] if file.base() == 0 => Arc::clone(file.shared_text()),
        _ => {
            let mut laid_out = String::with_capacity(sources.end());
            for file in files {
                while laid_out.len() < file.base() {
                    laid_out.push('\n');
                }
                laid_out.push_str(file.text());
            }
            Arc::new(laid_out)
        }
    };
    let parsed: Vec<_> = files
        .iter()
        .map(|f| kp_syntax::parse_within(&laid_out, f.base(), f.base() + f.text().len()))
        .collect();
    // One file's blocks are taken as they are; many files' are moved once into a vector
    // of the right size rather than into one that grows (and copies) file by file.
    let mut blocks = Vec::new();
    let mut diagnostics = Vec::new();
    let many = parsed.len() > 1;
    if many {
        blocks.reserve_exact(parsed.iter().map(|p| p.file.blocks.len()).sum());
    }
    for parsed in parsed {
        diagnostics.extend(parsed.diagnostics);
        if many {
            blocks.extend(parsed.file.blocks);
        } else {
            blocks = parsed.file.blocks;
        }
    }
    Parsed::new(
        kp_syntax::ast::File {
            blocks,
            span: Span::new(0, sources.end()),
        },
        diagnostics,
    )
}

impl Parsed {
    pub(crate) fn new(tree: kp_syntax::ast::File, diagnostics: Vec<Diagnostic>) -> Parsed {
        let broken = cascade::blocks_with_syntax_errors(&tree.blocks, &diagnostics);
        Parsed {
            tree,
            diagnostics,
            broken,
        }
    }
}

/// The checker on a parsed program. A block with a syntax error lost attributes: its
/// other diagnostics would be cascades of that one mistake (issue 11), so they are
/// dropped here, where every entry point (one file, a directory, the language server,
/// wasm, the implied target) passes.
pub(crate) fn check_parsed(parsed: &Parsed, options: &Options) -> kp_check::CheckResult {
    parsed.without_cascades(kp_check::check(&parsed.tree, options))
}

impl Parsed {
    fn without_cascades(&self, mut checked: kp_check::CheckResult) -> kp_check::CheckResult {
        checked.diagnostics = cascade::without_cascades(&self.broken, checked.diagnostics);
        checked
    }
}

/// The phases after the checker: the graph (only when nothing failed so far), then the
/// diagnostics in source order with literal secrets redacted.
pub(crate) fn finish(
    sources: SourceMap,
    mut diagnostics: Vec<Diagnostic>,
    tree: KeptTree,
    checked: kp_check::CheckResult,
    target: Target,
) -> Compiled {
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
    kp_sort::by_key(&mut diagnostics, |d| (d.span.start, d.span.end));
    redact::diagnostics(
        &mut diagnostics,
        &redact::secret_texts(&sources, &checked.secrets),
    );
    Compiled {
        diagnostics,
        program,
        graph,
        target,
        sources,
        secrets: checked.secrets,
        _tree: tree,
    }
}

/// The outputs of one format, or `None` when the program did not compile.
pub fn emit(compiled: &Compiled, format: Emit) -> Option<Vec<OutputFile>> {
    let program = compiled.program.as_ref()?;
    let graph = compiled.graph.as_ref()?;
    Some(match format {
        Emit::Api => vec![kp_emit::api(program, graph, compiled.target)],
        Emit::Hcl => kp_emit::hcl(program),
        Emit::Json => vec![kp_emit::json_in(program, graph, &compiled.sources)],
        Emit::Sh => vec![kp_emit::sh(program, graph, compiled.target)],
    })
}

/// The name of [`Emit::Api`]'s one file.
pub use kp_emit::API_FILE;

/// [`emit`] of [`Emit::Api`] written into `sink` as it is produced, a buffer's worth at a
/// time, instead of returned whole (the CLI streams a large plan to its file); `None`
/// when the program did not compile. The bytes are those of `emit`'s file.
pub fn emit_api_to(
    compiled: &Compiled,
    sink: &mut dyn std::io::Write,
) -> Option<std::io::Result<()>> {
    let program = compiled.program.as_ref()?;
    let graph = compiled.graph.as_ref()?;
    Some(kp_emit::api_to(program, graph, compiled.target, sink))
}
