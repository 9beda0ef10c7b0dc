//! Parsing an edited text again only where the edit can have changed the parse: an
//! editor's keystroke touches one block, and parsing the whole text for it was most of
//! the cost of checking a large program after it.
//!
//! # Why the result is the parse from scratch
//!
//! The top-level loop carries no state from one item to the next ([`Parser::file_until`]):
//! where it is about to read an item whose first token starts at `r`, a parse from scratch
//! is in the state [`Parser::starting_at`] starts in at `r`. Every top-level block of a parse starts
//! at such a point. So:
//!
//! - **Before the edit.** A parse from scratch of the new text reads the same tokens as
//!   the old parse up to an old block's start `r` when the text up to there is the same,
//!   and the token at `r` too (a decision before `r` may look one token ahead): the block
//!   is kept only if its first token and the byte after it are unchanged (so the token
//!   ends where it did), and it starts a line in column 1 (the token before it is a
//!   newline). A decision before `r` looks no further than that: one token ahead, or,
//!   for a header whose line lacks its `{` ([`Parser::brace_below`]), up to the first
//!   token in column 1 after it. From the last such block on, the new text is parsed by
//!   a parser started at `r`.
//! - **After the edit.** When that parser reaches an item at a point `q` of the unchanged
//!   end of the text where the old parse had a block (also starting a line in column 1,
//!   in both texts: a header's parse depends on whether it is there), both parses
//!   are in the same state on the same text from there on: the old blocks from there on
//!   are the new parse's, moved by how much the text grew.
//! - **Diagnostics.** Each is reported while its region is read (the lexer's, for the
//!   tokens it lexes; the parser's, at the token it is at): the old ones before `r` and
//!   from `q` on are kept (moved), the new parser's between them are taken. Within each
//!   region they are sorted as a parse from scratch sorts them (stably, by start), so the
//!   concatenation is that parse's order.
//!
//! `tests/reparse.rs` checks the result against a parse from scratch on random edits
//! that open and close strings, comments, heredocs, brackets and blocks.

use std::sync::Arc;

use kp_diag::{Diagnostic, Span};

use super::cursor::Parser;
use super::recovery::at_line_start;
use super::ParseResult;
use crate::ast::{Block, File};

/// What [`reparse`] kept of the old parse, by the old parse's block indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kept {
    /// The old blocks before this index are the new parse's first blocks.
    pub before: usize,
    /// The old blocks from this index on are the new parse's last blocks (moved).
    pub after: usize,
    /// How many blocks were parsed again, between those.
    pub parsed: usize,
}

/// The parse of `shared` (placed at `base`, as [`parse_shared_at`](crate::parse_shared_at)
/// places it) given `old`, the parse of `old_text` at `old_base`: exactly the parse from
/// scratch, but the top-level blocks before and after the changed bytes are taken from
/// `old` (see the module documentation).
pub fn reparse(
    old_text: &str,
    old: ParseResult,
    old_base: usize,
    shared: &Arc<String>,
    base: usize,
) -> (ParseResult, Kept) {
    let text = shared.as_str();
    // A `\r` alone ends a line ([`crate::parse`]): such a text is parsed whole, where
    // the line starts below would have to count it too.
    if kp_diag::has_lone_cr(text) || kp_diag::has_lone_cr(old_text) {
        let old_blocks = old.file.blocks.len();
        let new = crate::parse_shared_at(shared, base);
        let parsed = new.file.blocks.len();
        return (
            new,
            Kept {
                before: 0,
                after: old_blocks,
                parsed,
            },
        );
    }
    let (prefix, suffix) = common_ends(old_text, text);
    let ParseResult {
        file: File {
            blocks: mut old_blocks,
            ..
        },
        diagnostics: old_diagnostics,
    } = old;
    let local = |b: &Block| b.span.start.saturating_sub(old_base);
    // The last old block the edit cannot have changed the start of: parsing restarts there.
    let unchanged =
        old_blocks.partition_point(|b| b.keyword.span.end.saturating_sub(old_base) < prefix);
    let restart_block = old_blocks
        .get(..unchanged)
        .unwrap_or_default()
        .iter()
        .rposition(|b| at_line_start(old_text, local(b)) && b.keyword.name != "env");
    // With none, from the start: a parse from scratch.
    let (before, restart) = match restart_block.and_then(|i| Some((i, old_blocks.get(i)?))) {
        Some((i, b)) => (i, local(b)),
        None => (0, 0),
    };
    // Where the text after the edit starts, in the new text and in the old one.
    let tail = text.len() - suffix;
    let old_tail = old_text.len() - suffix;
    let later = old_blocks.get(before..).unwrap_or_default();
    let old_block_at = |at: usize| later.binary_search_by_key(&at, local).ok();
    let mut parser = Parser::starting_at(text, Arc::clone(shared), restart);
    let (mut middle, stop) = parser.file_until(&|q| {
        q >= tail
            && at_line_start(text, q)
            && at_line_start(old_text, q - tail + old_tail)
            && old_block_at(q - tail + old_tail).is_some()
    });
    let after = stop.map_or(old_blocks.len(), |q| {
        before + old_block_at(q - tail + old_tail).unwrap_or(later.len())
    });
    let end = stop.unwrap_or(text.len() + 1);
    let mut new_diagnostics: Vec<Diagnostic> = parser
        .into_diagnostics()
        .into_iter()
        .filter(|d| d.span.start < end)
        .collect();
    kp_sort::by_key(&mut new_diagnostics, |d| d.span.start);

    let kept = Kept {
        before,
        after,
        parsed: middle.len(),
    };
    let to_base = kp_diag::delta(old_base, base);
    let grown = kp_diag::delta(old_text.len(), text.len());
    let base_delta = kp_diag::delta(0, base);
    old_blocks
        .get_mut(..before)
        .unwrap_or_default()
        .iter_mut()
        .for_each(|b| b.move_by(to_base));
    old_blocks
        .get_mut(after..)
        .unwrap_or_default()
        .iter_mut()
        .for_each(|b| b.move_by(to_base + grown));
    middle.iter_mut().for_each(|b| b.move_by(base_delta));
    // Not `splice`: its machinery costs the wasm more than these steps.
    let moved_tail = old_blocks.split_off(after);
    old_blocks.truncate(before);
    old_blocks.extend(middle);
    old_blocks.extend(moved_tail);

    let old_end = stop.map_or(usize::MAX, |q| q - tail + old_tail);
    let mut diagnostics = Vec::with_capacity(old_diagnostics.len() + new_diagnostics.len());
    let mut suffix_diagnostics = Vec::new();
    for mut d in old_diagnostics {
        let at = d.span.start.saturating_sub(old_base);
        if at < restart {
            d.move_by(to_base);
            diagnostics.push(d);
        } else if at >= old_end {
            d.move_by(to_base + grown);
            suffix_diagnostics.push(d);
        }
    }
    diagnostics.extend(new_diagnostics.into_iter().map(|mut d| {
        d.move_by(base_delta);
        d
    }));
    diagnostics.extend(suffix_diagnostics);
    let file = File {
        blocks: old_blocks,
        span: Span::new(base, base + text.len()),
    };
    (ParseResult { file, diagnostics }, kept)
}

/// The lengths of the longest common prefix and suffix of `a` and `b` that do not
/// overlap (in either text), on character boundaries.
///
/// A keystroke's texts share all but a few bytes: they are compared [`CHUNK`] bytes at a
/// time (a `memcmp` each, several times faster than byte by byte), then by bytes.
fn common_ends(a: &str, b: &str) -> (usize, usize) {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let shorter = a.len().min(b.len());
    let mut prefix = 0;
    while prefix + CHUNK <= shorter
        && a.get(prefix..prefix + CHUNK) == b.get(prefix..prefix + CHUNK)
    {
        prefix += CHUNK;
    }
    while prefix < shorter && a.get(prefix) == b.get(prefix) {
        prefix += 1;
    }
    while !is_boundary(a, prefix) || !is_boundary(b, prefix) {
        prefix -= 1;
    }
    let limit = shorter - prefix;
    let mut suffix = 0;
    while suffix + CHUNK <= limit && back(a, suffix, CHUNK) == back(b, suffix, CHUNK) {
        suffix += CHUNK;
    }
    while suffix < limit && back(a, suffix, 1) == back(b, suffix, 1) {
        suffix += 1;
    }
    while !is_boundary(a, a.len() - suffix) || !is_boundary(b, b.len() - suffix) {
        suffix -= 1;
    }
    (prefix, suffix)
}

/// The last `n` bytes of `text` before its last `suffix` ones.
fn back(text: &[u8], suffix: usize, n: usize) -> Option<&[u8]> {
    text.get(text.len() - suffix - n..text.len() - suffix)
}

/// Bytes compared at a time by [`common_ends`].
const CHUNK: usize = 64;

/// `str::is_char_boundary` on bytes known to be UTF-8.
fn is_boundary(text: &[u8], at: usize) -> bool {
    text.get(at).is_none_or(|&b| (b as i8) >= -0x40)
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
        // Past a chunk, and a chunk that differs in its last byte.
        let long = "a".repeat(200);
        assert_eq!(common_ends(&long, &format!("{long}b")), (200, 0));
        assert_eq!(
            common_ends(&format!("x{long}"), &format!("y{long}")),
            (0, 200)
        );
        let (a, b) = (format!("{long}1{long}"), format!("{long}22{long}"));
        assert_eq!(common_ends(&a, &b), (200, 200));
        let (a, b) = (
            format!("{}é", "a".repeat(63)),
            format!("{}è", "a".repeat(63)),
        );
        assert_eq!(common_ends(&a, &b), (63, 0));
    }

    #[test]
    fn a_line_starts_in_column_1() {
        assert!(at_line_start("a\nb", 2));
        assert!(at_line_start("b", 0));
        assert!(!at_line_start("a\n  b", 4));
        assert!(!at_line_start("a b", 2));
    }
}
