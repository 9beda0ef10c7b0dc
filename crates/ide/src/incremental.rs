//! Only parse and lower again what changed: [`Analysis::update`] takes the previous
//! analysis of a program and the program's new files, reuses the parse of every file whose
//! text did not change (moved to its new base), and in a file that did change, parses again
//! only the top-level blocks the edit can reach ([`kp_syntax::reparse`]). The checker then
//! runs on the whole tree: it resolves names across blocks and files, so what one block
//! means can depend on any other; but it replays, from the [`kp_check::Memo`] the previous
//! analysis kept, the lowering of every item whose block and whose environment (every name
//! the program declares) did not change.
//!
//! The result is the analysis [`Analysis::of_program`] computes from scratch, exactly:
//! `tests/incremental.rs` checks this on random edit sequences (and kp-check's
//! `tests/memo.rs` the checker's replay alone).

use std::collections::HashMap;

use kp_diag::{delta, Diagnostic, SourceFile, SourceMap, Span};
use kp_syntax::ast::{Block, File};
use kp_syntax::{Kept, ParseResult};

use crate::Analysis;

/// One file's parse, at its base in the program.
pub(crate) struct FileParse {
    pub blocks: Vec<Block>,
    pub syntax: Vec<Diagnostic>,
}

impl FileParse {
    /// Parses `file` from scratch at its base.
    pub fn of(file: &SourceFile) -> FileParse {
        FileParse::from(kp_syntax::parse_shared_at(file.shared_text(), file.base()))
    }

    fn moved(mut self, delta: isize) -> FileParse {
        if delta != 0 {
            self.blocks.iter_mut().for_each(|b| b.move_by(delta));
            self.syntax.iter_mut().for_each(|d| d.move_by(delta));
        }
        self
    }
}

impl From<kp_syntax::ParseResult> for FileParse {
    fn from(parsed: kp_syntax::ParseResult) -> FileParse {
        FileParse {
            blocks: parsed.file.blocks,
            syntax: parsed.diagnostics,
        }
    }
}

/// A file of the previous analysis: its text, base and parse.
struct Previous<'a> {
    text: &'a str,
    base: usize,
    parse: FileParse,
}

/// What an update did, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reuse {
    /// Files whose parse was reused whole.
    pub files: usize,
    /// Top-level blocks reused from changed files.
    pub blocks: usize,
    /// Top-level blocks parsed again (fragments and whole files).
    pub parsed_blocks: usize,
    /// Top-level items whose lowering the checks replayed instead of doing again (summed
    /// over both checks of a program that implies a target).
    pub replayed_items: usize,
}

/// What is left of an analysis after [`Analysis::update_retiring`]: dropping a program's
/// tree and lowered program takes a noticeable share of an update, so a server may drop
/// it after answering, or on another thread.
#[derive(Debug)]
pub struct Retired {
    _sources: SourceMap,
    _source: String,
    _diagnostics: Vec<Diagnostic>,
    _index: kp_check::index::Index,
    _program: kp_check::ir::Program,
    _blocks: Vec<Block>,
}

impl Analysis {
    /// The analysis of `sources`, reusing this one's parse where the text is the same:
    /// identical to `Analysis::of_program_for(sources, self.configured_target())`.
    pub fn update(self, sources: SourceMap) -> Analysis {
        self.update_retiring(sources).0
    }

    /// [`Analysis::update`], also saying how much of the parse it reused.
    pub fn update_counted(self, sources: SourceMap) -> (Analysis, Reuse) {
        let (analysis, reuse, _) = self.update_retiring(sources);
        (analysis, reuse)
    }

    /// [`Analysis::update`], handing back what is left of the previous analysis instead
    /// of dropping it.
    pub fn update_retiring(self, sources: SourceMap) -> (Analysis, Reuse, Retired) {
        let Analysis {
            source,
            sources: old_sources,
            file,
            syntax,
            diagnostics,
            index,
            program,
            secrets: _,
            target: _,
            pinned: _,
            configured,
            memos,
        } = self;
        let mut garbage = Vec::new();
        let same_files = old_sources.len() == sources.len()
            && old_sources
                .files()
                .iter()
                .zip(sources.files())
                .all(|(a, b)| a.name() == b.name());
        let mut previous = split_by_file(&old_sources, file.blocks, syntax);
        let mut reuse = Reuse::default();
        // The blocks the files parsed again replaced, by index in the whole program.
        let mut edits = Vec::new();
        let mut blocks_before = 0;
        let parsed = sources
            .files()
            .iter()
            .map(|f| {
                let Some(old) = previous.remove(f.name()) else {
                    let p = FileParse::of(f);
                    reuse.parsed_blocks += p.blocks.len();
                    return p;
                };
                let old_blocks = old.parse.blocks.len();
                let p = if old.text == f.text() {
                    reuse.files += 1;
                    old.parse.moved(delta(old.base, f.base()))
                } else {
                    let (p, kept) = reparse(old, f);
                    reuse.blocks += kept.before + (old_blocks - kept.after);
                    reuse.parsed_blocks += kept.parsed;
                    edits.push(Kept {
                        before: blocks_before + kept.before,
                        after: blocks_before + kept.after,
                        parsed: kept.parsed,
                    });
                    p
                };
                blocks_before += old_blocks;
                p
            })
            .collect();
        garbage.extend(previous.into_values().flat_map(|p| p.parse.blocks));
        let mut memos = memos;
        // The memos keep the fingerprints of the blocks the edits left alone.
        if same_files {
            memos.blocks_edited(&edits);
        }
        let retired = Retired {
            _sources: old_sources,
            _source: source,
            _diagnostics: diagnostics,
            _index: index,
            _program: program,
            _blocks: garbage,
        };
        let analysis = Analysis::assemble(sources, parsed, configured, memos);
        reuse.replayed_items = analysis.memos.reused();
        (analysis, reuse, retired)
    }
}

/// The previous parse cut back into its files, by name.
fn split_by_file(
    sources: &SourceMap,
    blocks: Vec<Block>,
    syntax: Vec<Diagnostic>,
) -> HashMap<&str, Previous<'_>> {
    let mut out = HashMap::with_capacity(sources.len());
    let mut blocks = blocks.into_iter().peekable();
    let mut syntax = syntax.into_iter().peekable();
    for f in sources.files() {
        let end = f.base() + f.text().len();
        let mut parse = FileParse {
            blocks: Vec::new(),
            syntax: Vec::new(),
        };
        while let Some(b) = blocks.next_if(|b| b.span.start <= end) {
            parse.blocks.push(b);
        }
        while let Some(d) = syntax.next_if(|d| d.span.start <= end) {
            parse.syntax.push(d);
        }
        out.insert(
            f.name(),
            Previous {
                text: f.text(),
                base: f.base(),
                parse,
            },
        );
    }
    out
}

/// The parse of `file`, a new version of `old`: the top-level blocks the edit cannot have
/// changed are reused ([`kp_syntax::reparse`]).
fn reparse(old: Previous<'_>, file: &SourceFile) -> (FileParse, Kept) {
    let end = old.base + old.text.len();
    let old_parse = ParseResult {
        file: File {
            blocks: old.parse.blocks,
            span: Span::new(old.base, end),
        },
        diagnostics: old.parse.syntax,
    };
    let (parsed, kept) = kp_syntax::reparse(
        old.text,
        old_parse,
        old.base,
        file.shared_text(),
        file.base(),
    );
    (FileParse::from(parsed), kept)
}
