//! A large program parsed on two threads: the CLI's build of a megabyte of source spends a
//! quarter of its time in the parser, and the parse splits where the top level does.
//!
//! # Why the result is the parse on one thread
//!
//! The top-level loop carries no state from one item to the next
//! ([`Parser::file_until`]): where a parse from scratch is about to read an item whose
//! first token starts at `mid`, it is in the state [`Parser::starting_at`] starts in at
//! `mid` (the invariant [`reparse`](super::reparse) rests on). So:
//!
//! - a second thread parses from a point `mid` where a line starts with a name in
//!   column 1 (where a top-level block starts in any program laid out as `keyplan fmt`
//!   lays it out) to the end;
//! - meanwhile the first parses from the start, up to the first item at or after `mid`.
//!   When that item starts at `mid`, the two parses are the one-thread parse, cut at
//!   `mid`: its blocks are the first's then the second's, and so are its diagnostics
//!   (each parse reports a region's diagnostics while reading it, and sorts them stably
//!   by start as the parse from scratch does). When it does not (`mid` was inside a
//!   block: a heredoc's line, a body written flush left), the first thread reads on to
//!   the end and the second's parse is dropped.
//!
//! The wasm has no threads: it never compiles this module.

use std::ops::Range;
use std::sync::Arc;

use kp_diag::Span;

use super::cursor::Parser;
use super::{parse_each, parse_from, ParseResult};
use crate::ast::File;
use crate::threads::both;

/// Below this, a program is parsed on one thread: starting one (some 50 µs) costs more
/// than it saves on a parse of about 0.5 ms.
pub(super) const TWO_THREADS_FROM: usize = 128 * 1024;

/// [`super::parse_program`] on two threads.
pub(super) fn parse_program(shared: &Arc<String>, files: &[Range<usize>]) -> Vec<ParseResult> {
    if let [file] = files {
        let text = shared.get(..file.end).unwrap_or_default();
        let start = file.start.min(text.len());
        let middle = start + (text.len() - start) / 2;
        return vec![parse_in_two(text, shared, start, middle)];
    }
    // The files in two runs of about equal size, the second parsed beside the first.
    let total: usize = files.iter().map(ExactSizeIterator::len).sum();
    let mut sum = 0;
    let cut = files
        .iter()
        .position(|file| {
            sum += file.len();
            sum >= total / 2
        })
        .map_or(files.len(), |i| i + 1);
    let (first, second) = files.split_at(cut);
    let (mut parsed, rest) = both(|| parse_each(shared, first), || parse_each(shared, second));
    parsed.extend(rest);
    parsed
}

/// The parse of the file of `text` that starts at `start`, on two threads when a line at
/// or after `near` starts with a name (see the module documentation).
pub(super) fn parse_in_two(
    text: &str,
    shared: &Arc<String>,
    start: usize,
    near: usize,
) -> ParseResult {
    let Some(mid) = item_line_after(text, near.max(start + 1)) else {
        return parse_from(text, Arc::clone(shared), start);
    };
    let first = || {
        let mut parser = Parser::starting_at(text, Arc::clone(shared), start);
        let (mut blocks, stop) = parser.file_until(&|at| at >= mid);
        let split = stop == Some(mid);
        if !split {
            blocks.extend(parser.file_until(&|_| false).0);
        }
        let mut diagnostics = parser.into_diagnostics();
        if split {
            // The lexer reads a batch of tokens ahead: past `mid`, the second thread's.
            diagnostics.retain(|d| d.span.start < mid);
        }
        kp_sort::by_key(&mut diagnostics, |d| d.span.start);
        (blocks, diagnostics, split)
    };
    let ((mut blocks, mut diagnostics, split), rest) =
        both(first, || parse_from(text, Arc::clone(shared), mid));
    if split {
        blocks.extend(rest.file.blocks);
        diagnostics.extend(rest.diagnostics);
    }
    blocks.shrink_to_fit();
    ParseResult {
        file: File {
            blocks,
            span: Span::new(start, text.len()),
        },
        diagnostics,
    }
}

/// The first offset at or after `near` that starts a line with a name other than `env`
/// (which the lexer reads by what follows it, as [`reparse`](super::reparse) avoids it).
fn item_line_after(text: &str, near: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = near.checked_sub(1)?;
    loop {
        let newline = from + bytes.get(from..)?.iter().position(|&b| b == b'\n')?;
        let line = newline + 1;
        let rest = bytes.get(line..)?;
        if rest.first().is_some_and(u8::is_ascii_alphabetic) && !rest.starts_with(b"env") {
            return Some(line);
        }
        from = line;
    }
}
