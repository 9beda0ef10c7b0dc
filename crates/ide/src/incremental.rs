//! Only parse and lower again what changed: [`Analysis::update`] takes the previous
//! analysis of a program and the program's new files, reuses the parse of every file whose
//! text did not change (moved to its new base), and in a file that did change, parses again
//! only the top-level blocks the edit can reach. The checker then runs on the whole tree:
//! it resolves names across blocks and files, so what one block means can depend on any
//! other; but it replays, from the [`kp_check::Memo`] the previous analysis kept, the
//! lowering of every item whose block and whose environment (every name the program
//! declares) did not change.
//!
//! The result is the analysis [`Analysis::of_program`] computes from scratch, exactly:
//! `tests/incremental.rs` checks this on random edit sequences (and kp-check's
//! `tests/memo.rs` the checker's replay alone).

use std::collections::HashMap;

use kp_diag::{Diagnostic, SourceMap};
use kp_syntax::ast::Block;

use crate::{rebase, Analysis};

/// One file's parse, at its base in the program.
pub(crate) struct FileParse {
    pub blocks: Vec<Block>,
    pub syntax: Vec<Diagnostic>,
}

impl FileParse {
    /// Parses `text` from scratch at `base`.
    pub fn of(text: &str, base: usize) -> FileParse {
        let parsed = kp_syntax::parse_at(text, base);
        FileParse {
            blocks: parsed.file.blocks,
            syntax: parsed.diagnostics,
        }
    }

    fn moved(mut self, delta: isize) -> FileParse {
        if delta != 0 {
            self.blocks.iter_mut().for_each(|b| rebase::block(b, delta));
            self.syntax.iter_mut().for_each(|d| d.move_by(delta));
        }
        self
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
    /// Top-level items whose lowering the check replayed instead of doing again.
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
    /// identical to `Analysis::of_program(sources, self.target())`.
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
            target,
            memo,
        } = self;
        let mut garbage = Vec::new();
        let mut previous = split_by_file(&old_sources, file.blocks, syntax);
        let mut reuse = Reuse::default();
        let parsed = sources
            .files()
            .iter()
            .map(|f| {
                let Some(old) = previous.remove(f.name()) else {
                    let p = FileParse::of(f.text(), f.base());
                    reuse.parsed_blocks += p.blocks.len();
                    return p;
                };
                if old.text == f.text() {
                    reuse.files += 1;
                    return old.parse.moved(rebase::delta(old.base, f.base()));
                }
                reparse(old, f.text(), f.base(), &mut reuse, &mut garbage)
            })
            .collect();
        garbage.extend(previous.into_values().flat_map(|p| p.parse.blocks));
        let retired = Retired {
            _sources: old_sources,
            _source: source,
            _diagnostics: diagnostics,
            _index: index,
            _program: program,
            _blocks: garbage,
        };
        let analysis = Analysis::assemble(sources, parsed, target, memo);
        reuse.replayed_items = analysis.memo.reused();
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

/// The parse of `text` at `base`, a new version of `old`: the top-level blocks before and
/// after the changed bytes are reused, the text between them is parsed on its own.
///
/// Reuse is sound when the grammar reads top-level blocks one after another with no state
/// carried from one to the next. That holds between two blocks that parsed cleanly, so
/// blocks are reused only from a file without syntax errors, only when the text between
/// them parses cleanly on its own, and with one untouched block of margin on each side of
/// the change (the parser looks a token or two ahead). Anything else parses the whole
/// file again.
fn reparse(
    old: Previous<'_>,
    text: &str,
    base: usize,
    reuse: &mut Reuse,
    garbage: &mut Vec<Block>,
) -> FileParse {
    let full = |reuse: &mut Reuse, garbage: &mut Vec<Block>, old: Vec<Block>| {
        garbage.extend(old);
        let p = FileParse::of(text, base);
        reuse.parsed_blocks += p.blocks.len();
        p
    };
    if !old.parse.syntax.is_empty() || old.parse.blocks.is_empty() {
        return full(reuse, garbage, old.parse.blocks);
    }
    let (prefix, suffix) = common_ends(old.text, text);
    let old_len = old.text.len();
    let local = |b: &Block| (b.span.start - old.base, b.span.end - old.base);
    // Blocks ending before the first changed byte, less one of margin.
    let before = old
        .parse
        .blocks
        .iter()
        .take_while(|b| local(b).1 < prefix)
        .count()
        .saturating_sub(1);
    // Blocks starting after the last changed byte, less one of margin.
    let after_start = old
        .parse
        .blocks
        .iter()
        .position(|b| local(b).0 > old_len - suffix)
        .map_or(old.parse.blocks.len(), |i| i + 1)
        .max(before);
    if before == 0 && after_start >= old.parse.blocks.len() {
        return full(reuse, garbage, old.parse.blocks);
    }
    let grown = rebase::delta(old_len, text.len());
    let from = match before.checked_sub(1).and_then(|i| old.parse.blocks.get(i)) {
        Some(b) => local(b).1,
        None => 0,
    };
    let to = match old.parse.blocks.get(after_start) {
        Some(b) => local(b).0.saturating_add_signed(grown),
        None => text.len(),
    };
    let Some(fragment) = text.get(from..to) else {
        return full(reuse, garbage, old.parse.blocks);
    };
    let middle = FileParse::of(fragment, base + from);
    if !middle.syntax.is_empty() {
        return full(reuse, garbage, old.parse.blocks);
    }
    let mut blocks = old.parse.blocks;
    let tail = blocks.split_off(after_start);
    garbage.extend(blocks.drain(before..));
    reuse.blocks += blocks.len() + tail.len();
    reuse.parsed_blocks += middle.blocks.len();
    let to_new_base = rebase::delta(old.base, base);
    blocks
        .iter_mut()
        .for_each(|b| rebase::block(b, to_new_base));
    blocks.extend(middle.blocks);
    blocks.extend(tail.into_iter().map(|mut b| {
        rebase::block(&mut b, to_new_base + grown);
        b
    }));
    FileParse {
        blocks,
        syntax: Vec::new(),
    }
}

/// The lengths of the longest common prefix and suffix of `a` and `b` that do not
/// overlap (in either text), on character boundaries.
fn common_ends(a: &str, b: &str) -> (usize, usize) {
    let mut prefix = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(prefix) || !b.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let limit = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .bytes()
        .rev()
        .zip(b.bytes().rev())
        .take(limit)
        .take_while(|(x, y)| x == y)
        .count();
    while !a.is_char_boundary(a.len() - suffix) || !b.is_char_boundary(b.len() - suffix) {
        suffix -= 1;
    }
    (prefix, suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_ends_do_not_overlap() {
        assert_eq!(common_ends("abc", "abc"), (3, 0));
        assert_eq!(common_ends("aXc", "aYYc"), (1, 1));
        assert_eq!(common_ends("aa", "aaa"), (2, 0));
        assert_eq!(common_ends("é", "è"), (0, 0));
    }
}
