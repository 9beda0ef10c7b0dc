//! The parser: a nom lexer ([`lexer`], built on the recognisers in [`tokens`]) feeding a
//! recursive-descent parser ([`grammar`], [`values`]) that recovers from errors
//! ([`recovery`]) so that one pass reports as many problems as possible.
//!
//! The lexer runs on demand, a batch of tokens ahead of the parser ([`cursor`]): every
//! decision of the grammar looks at one or two tokens, which keeps recovery simple, time
//! linear, and memory proportional to the tree rather than to the token count. The one
//! exception is a top-level header whose line lacks its `{`: the lines below it are
//! read, up to the next one that starts in column 1, to see whether they are its body
//! (`Parser::brace_below`).

mod codes;
mod cursor;
mod grammar;
mod lexer;
mod recovery;
mod reparse;
mod scan;
mod tokens;
mod values;

use std::sync::Arc;

use kp_diag::Diagnostic;

use crate::ast::File;

pub use reparse::{reparse, Kept};

/// Whether `word` reads back as one name where a value is expected (a reference): the
/// lexer's identifier `[A-Za-z_][A-Za-z0-9_-]*`, whole, and not `true`/`false`, which
/// read as booleans. Tools that write names (rename) check with it.
pub fn is_name(word: &str) -> bool {
    matches!(tokens::ident(word), Ok(("", _))) && !matches!(word, "true" | "false")
}

/// Nesting deeper than this (blocks, lists, maps) is reported, not recursed into.
pub const MAX_DEPTH: usize = 64;

/// The tree (as much as could be recovered) and every syntax error found.
#[derive(Debug, Clone)]
pub struct ParseResult {
    pub file: File,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses one keyplan source text. Never panics, runs in time linear in the input, and
/// reports problems instead of stopping at the first one. Diagnostics come sorted by
/// position. Entries that could not be parsed are left out of the tree.
///
/// Syntax diagnostic codes:
///
/// | code | for |
/// |---|---|
/// | `kp::syntax::unexpected-token` | a token that does not fit where it stands (`a = ,`, `a = 1 2`), a block's `{` missing from its header's line |
/// | `kp::syntax::unexpected-character` | a character that starts no token (`/`, `*`, `;`, `'`) |
/// | `kp::syntax::missing-value` | `name =` with nothing after it, or a bare word alone on a line |
/// | `kp::syntax::unterminated-string` | a `"` with no closing quote on its line |
/// | `kp::syntax::invalid-escape` | an escape other than `\"`, `\\`, `\n`, `\t` |
/// | `kp::syntax::unterminated-heredoc` | `<<EOT` with no line holding only `EOT` after it |
/// | `kp::syntax::invalid-heredoc` | `<<` with no marker, or text after the marker on its line |
/// | `kp::syntax::unclosed-block` | a block's `{` with no matching `}` (not after an unterminated string, which may have taken it) |
/// | `kp::syntax::unclosed-list` | a `[` with no matching `]` |
/// | `kp::syntax::unclosed-map` | a map's `{` with no matching `}` |
/// | `kp::syntax::invalid-env` | a malformed `env(...)`, e.g. `env(NAME)` |
/// | `kp::syntax::invalid-label` | a block label that is neither a name nor a string |
/// | `kp::syntax::invalid-duration` | `10x`, `1h30m`, `-5m` |
/// | `kp::syntax::invalid-number` | `1.5`, `12_000`, `3-4` |
/// | `kp::syntax::integer-overflow` | an integer outside `i64`, a duration over 9,223,372,036 seconds (Go's `time.Duration`) |
/// | `kp::syntax::too-deep` | nesting deeper than [`MAX_DEPTH`] |
pub fn parse(source: &str) -> ParseResult {
    parse_shared(source, Arc::new(source.to_owned()))
}

/// [`parse`] of `shared`'s text (`source`), whose names and strings become ranges of
/// `shared` itself: a caller that keeps its text in an `Arc` (a program's
/// [`SourceMap`](kp_diag::SourceMap)) saves the parser a copy of it.
fn parse_shared(source: &str, shared: Arc<String>) -> ParseResult {
    parse_from(source, shared, 0)
}

/// The file that starts at `start` of `text` (a newline or nothing before it) and ends
/// with it.
///
/// A `\r` alone ends a line as `\n` does (old Mac files; editors and the Language Server
/// Protocol count it so): such a text is read through a copy where each is a `\n`, the
/// same length, so every span is the same in both.
///
/// Only the file's own text is looked at: `parse_within` parses each file of a program in
/// the text of the whole program, and looking at all of it for each file made a
/// 200-file program's parse quadratic (27 M instructions of `memchr`). A program's
/// files come from a [`SourceMap`](kp_diag::SourceMap), which already keeps a lone `\r`
/// as `\n`.
fn parse_from(text: &str, shared: Arc<String>, start: usize) -> ParseResult {
    if kp_diag::has_lone_cr(text.get(start..).unwrap_or_default()) {
        let shared = Arc::new(kp_diag::lone_cr_as_lf(&shared).into_owned());
        let text = shared.get(..text.len()).unwrap_or_default();
        return parse_text(text, Arc::clone(&shared), start);
    }
    parse_text(text, shared, start)
}

fn parse_text(text: &str, shared: Arc<String>, start: usize) -> ParseResult {
    let mut parser = cursor::Parser::starting_at(text, shared, start);
    let mut file = parser.file();
    file.span.start = start;
    let mut diagnostics = parser.into_diagnostics();
    // Lexer and parser report separately; users read top to bottom.
    kp_sort::by_key(&mut diagnostics, |d| d.span.start);
    ParseResult { file, diagnostics }
}

/// The spans of every comment (`# ...`, `// ...`, up to and not including the newline) in
/// source order. Text inside strings and heredocs is not a comment. Lexes the whole text
/// once more, so callers that need no comments (the compiler) pay nothing.
pub fn comments(source: &str) -> Vec<kp_diag::Span> {
    let source = &*kp_diag::lone_cr_as_lf(source);
    let mut lexer = lexer::Lexer::new(source, Arc::default());
    while lexer.next().kind != lexer::TokenKind::Eof {
        lexer.values.clear();
    }
    lexer.comments
}

/// Parses one file of a program whose files share one offset space: every span of the
/// tree and of the diagnostics is offset by `base` (the file's base in its
/// [`SourceMap`](kp_diag::SourceMap)).
pub fn parse_at(source: &str, base: usize) -> ParseResult {
    shift(parse(source), base)
}

/// [`parse_at`] of a text kept in an `Arc` (a [`SourceFile`](kp_diag::SourceFile)'s):
/// the tree's names and strings are ranges of `shared` itself, not of a copy.
pub fn parse_shared_at(shared: &Arc<String>, base: usize) -> ParseResult {
    shift(parse_shared(shared.as_str(), Arc::clone(shared)), base)
}

/// Parses the file that `shared[base..end]` holds, in a text laid out like a program's
/// [`SourceMap`](kp_diag::SourceMap) (each file at its base, a newline in each gap): the
/// spans come out at their place in the program, with no walk over the tree to move
/// them ([`parse_shared_at`]'s, 3% of a large program split over many files). The file
/// reads as it would alone: its first byte follows a newline, and nothing after `end`
/// is seen.
pub fn parse_within(shared: &Arc<String>, base: usize, end: usize) -> ParseResult {
    let text = shared.get(..end).unwrap_or_default();
    parse_from(text, Arc::clone(shared), base.min(text.len()))
}

fn shift(mut parsed: ParseResult, base: usize) -> ParseResult {
    if base != 0 {
        let delta = kp_diag::delta(0, base);
        parsed.file.span = parsed.file.span.moved(delta);
        parsed.file.blocks.iter_mut().for_each(|b| b.move_by(delta));
        parsed.diagnostics.iter_mut().for_each(|d| d.move_by(delta));
    }
    parsed
}
