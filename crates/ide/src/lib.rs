//! What an editor asks about a keyplan program, answered from the compiler's own
//! knowledge: the checker's symbol table and resolved references ([`kp_check::index`]),
//! the endpoint schemas ([`kp_schema`]) and the block catalog ([`kp_check::catalog`]).
//!
//! Pure: source text and byte offsets in, plain Rust data out (spans are byte ranges).
//! The language server (`crates/lsp`) only converts to and from the protocol's types.
//! One [`Analysis`] is one parse and one check of a text; every query is cheap after.

mod access_hover;
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
    /// The texts of the program's literal secrets, as diagnostics redact them: what an
    /// editor shows beyond the diagnostics (code action titles) redacts them too.
    secrets: Vec<String>,
    /// The target the program was checked for: the configured one, or the one it implies.
    target: Target,
    /// The one target the program's fields must all have: the configured one, or the one
    /// its target-only fields imply; `None` when it uses none, so either server's fit.
    pinned: Option<Target>,
    /// The target the editor named; `None` to check for the target the program implies,
    /// as `keyplan check` without `--target` does.
    configured: Option<Target>,
    /// What the checks lowered, replayed by the next [`Analysis::update`] for the items
    /// an edit cannot have changed.
    memos: Memos,
}

/// One memo per target checked: a memo holds one target's lowering, and a check for the
/// other target would empty it.
#[derive(Debug, Default)]
struct Memos {
    /// The configured target's check, or with none Vault's (always run first).
    first: kp_check::Memo,
    /// OpenBao's check of a program that implies a target: kept only while the program
    /// needs that check, so that it always holds the previous analysis' blocks.
    openbao: Option<kp_check::Memo>,
}

impl Memos {
    /// Tells each memo how the blocks changed since its last check (every memo kept was
    /// used by the previous analysis).
    fn blocks_edited(&mut self, edits: &[kp_syntax::Kept]) {
        self.first.blocks_edited(edits);
        if let Some(memo) = &mut self.openbao {
            memo.blocks_edited(edits);
        }
    }

    /// Items the last checks replayed.
    fn reused(&self) -> usize {
        self.first.reused() + self.openbao.as_ref().map_or(0, kp_check::Memo::reused)
    }
}

/// The check of the program for the target in use, with the `kp::implied-target`
/// warning when that target was implied by something only one server has.
struct Checked {
    result: kp_check::CheckResult,
    index: Index,
    target: Target,
    pinned: Option<Target>,
    warning: Option<Diagnostic>,
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
        Analysis::of_program_for(sources, Some(target))
    }

    /// [`Analysis::of_program`] for `target`, or with `None` for the target the program
    /// implies, as `keyplan::compile_sources_for` (and so `keyplan check` without
    /// `--target`) compiles it: with its `kp::implied-target` warning.
    pub fn of_program_for(sources: SourceMap, target: Option<Target>) -> Analysis {
        let parsed = sources
            .files()
            .iter()
            .map(incremental::FileParse::of)
            .collect();
        Analysis::assemble(sources, parsed, target, Memos::default())
    }

    /// Checks the program whose files were parsed into `parsed` (one per file of
    /// `sources`, in order): everything after the parser, as `keyplan::compile` does it,
    /// lowering again only the items `memos` cannot replay.
    fn assemble(
        sources: SourceMap,
        parsed: Vec<incremental::FileParse>,
        configured: Option<Target>,
        mut memos: Memos,
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
        // The facade's no-cascade rule: a block with a syntax error reports nothing else.
        let broken = kp_syntax::cascade::blocks_with_syntax_errors(&file.blocks, &syntax);
        let Checked {
            result: checked,
            mut index,
            target,
            pinned,
            warning,
        } = check(&file, &broken, &sources, configured, &mut memos);
        let mut diagnostics = syntax.clone();
        diagnostics.extend(checked.diagnostics);
        // In `keyplan check`'s order: the graph's errors, the implied target's warning,
        // then the identity lints (`keyplan::checked`); one stable sort keeps it.
        let lints = if diagnostics.iter().any(Diagnostic::is_error) {
            Vec::new()
        } else {
            match kp_graph::build(&checked.program) {
                // What `keyplan check` adds to a program that compiled
                // (`keyplan::access_lints`): the editor shows what the CLI reports.
                Ok(_) => kp_access::lints::lints_in(&checked.program, &sources, target),
                Err(errs) => {
                    diagnostics.extend(errs);
                    Vec::new()
                }
            }
        };
        diagnostics.extend(warning);
        diagnostics.extend(lints);
        diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        // As every other surface: a literal secret never echoes in a message.
        let secrets = kp_diag::redact::secret_texts(&sources, &checked.secrets);
        kp_diag::redact::diagnostics(&mut diagnostics, &secrets);
        navigate::add_owns_references(&file, &mut index);
        Analysis {
            source,
            sources,
            file,
            syntax,
            diagnostics,
            index,
            program: checked.program,
            secrets,
            target,
            pinned,
            configured,
            memos,
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

    /// The target the program was checked for: the configured one, or the one it implies.
    pub fn target(&self) -> Target {
        self.target
    }

    /// The one target every field must have: the configured one, or the one the program's
    /// target-only fields imply; `None` when either server's fields fit.
    pub fn pinned_target(&self) -> Option<Target> {
        self.pinned
    }

    /// The target the analysis was asked for; `None` when the program picks it.
    pub fn configured_target(&self) -> Option<Target> {
        self.configured
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

/// The program checked for `configured`, or with none as `keyplan check` without
/// `--target` checks it ([`kp_check::implied`]): for Vault, then for OpenBao only when
/// Vault's check says the target matters, keeping the check of the target implied.
fn check(
    file: &File,
    broken: &[Span],
    sources: &SourceMap,
    configured: Option<Target>,
    memos: &mut Memos,
) -> Checked {
    let first_target = configured.unwrap_or(Target::Vault);
    let (first, first_index) = check_one(file, broken, first_target, &mut memos.first);
    if configured.is_some() || !kp_check::implied::needs_openbao_check(&first) {
        // A memo left out of a check no longer follows the program's blocks.
        memos.openbao = None;
        return Checked {
            result: first,
            index: first_index,
            target: first_target,
            pinned: configured,
            warning: None,
        };
    }
    let memo = memos.openbao.get_or_insert_with(kp_check::Memo::new);
    let (openbao, openbao_index) = check_one(file, broken, Target::Openbao, memo);
    let (target, warning) = kp_check::implied::choose(&first, &openbao, sources);
    let (result, index) = match target {
        Target::Vault => (first, first_index),
        Target::Openbao => (openbao, openbao_index),
    };
    Checked {
        result,
        index,
        target,
        pinned: warning.is_some().then_some(target),
        warning,
    }
}

/// One target's check, replaying from `memo`, without the cascades of syntax errors.
fn check_one(
    file: &File,
    broken: &[Span],
    target: Target,
    memo: &mut kp_check::Memo,
) -> (kp_check::CheckResult, Index) {
    let (mut checked, index) =
        kp_check::check_reusing(file, &kp_check::Options { target }, true, memo);
    checked.diagnostics = kp_syntax::cascade::without_cascades(broken, checked.diagnostics);
    (checked, index)
}
