//! Skipping to a sync point after an error. Every skip treats brackets as pairs, so a
//! skipped `[ ... ]` or `{ ... }` never leaves a closer behind to confuse the next entry,
//! and every skip stops at the end of the file: no loop here can run away.

use std::sync::Arc;

use kp_diag::Span;

use super::cursor::Parser;
use super::lexer::{Lexer, TokenKind};

impl Parser<'_> {
    /// Skips tokens until `stop` holds outside any brackets opened during the skip.
    /// A `}` at that level always stops: it closes the body around the bad entry.
    fn skip_until(&mut self, stop: impl Fn(&mut Self) -> bool) {
        let mut depth = 0usize;
        loop {
            let kind = self.peek().kind;
            if matches!(kind, TokenKind::Eof)
                || (depth == 0 && (stop(self) || matches!(kind, TokenKind::RBrace)))
            {
                return;
            }
            match kind {
                TokenKind::LBrace | TokenKind::LBracket | TokenKind::LParen => depth += 1,
                TokenKind::RBrace | TokenKind::RBracket | TokenKind::RParen => {
                    depth = depth.saturating_sub(1);
                }
                _ => {}
            }
            self.bump();
        }
    }

    /// To the end of the entry: its line, the `,` after it inside a body (where commas
    /// separate entries), or the `}` of its body.
    pub(super) fn sync_line(&mut self) {
        let in_body = self.depth > 0;
        self.skip_until(|p| p.at(&TokenKind::Newline) || (in_body && p.at(&TokenKind::Comma)));
    }

    /// Like [`Self::sync_line`], but also stops at a `{` on the line, so a block whose
    /// head is broken still gets its body parsed (and its closing `}` matched).
    pub(super) fn sync_head(&mut self) {
        self.skip_until(|p| matches!(p.peek().kind, TokenKind::Newline | TokenKind::LBrace));
    }

    /// To the next item of a list, its end, or the next `name =` (the list was left open).
    pub(super) fn sync_list(&mut self) {
        self.skip_until(|p| {
            matches!(p.peek().kind, TokenKind::Comma | TokenKind::RBracket)
                || p.at_attribute_start()
        });
    }

    /// To the next entry of a map or its end.
    pub(super) fn sync_map(&mut self) {
        self.skip_until(|p| matches!(p.peek().kind, TokenKind::Comma | TokenKind::Newline));
    }

    /// Skips to the closer matching an opener that was just consumed (of any bracket
    /// kind: mismatched pairs are rare and this is already an error path).
    pub(super) fn skip_group_rest(&mut self) {
        let mut depth = 1usize;
        while depth > 0 {
            match self.bump().kind {
                TokenKind::LBrace | TokenKind::LBracket | TokenKind::LParen => depth += 1,
                TokenKind::RBrace | TokenKind::RBracket | TokenKind::RParen => depth -= 1,
                TokenKind::Eof => {
                    // The group runs to the end of the file and its error is reported.
                    self.eof_reported = true;
                    return;
                }
                _ => {}
            }
        }
    }

    /// At the newline that ends a header first on its line (`workload a`, `  role r`):
    /// where a body below it opens all the same. That is a `{` first on the next line
    /// (blank lines aside), or this newline when the lines below are indented deeper than
    /// the header up to one at the header's indentation starting with `}` that closes no
    /// block they opened (the `{` was left out, and that `}` closes the body). A look at
    /// lines, not tokens: cheap, and a miss (a `}` in a string, say) only leaves the old
    /// reading, a header without a body.
    ///
    /// Inside a body (`nested`), where `read "x"` is a statement and not a header, the
    /// first line below must also read as a body's (an attribute or a block's header):
    /// statements are never followed by deeper lines of their own.
    ///
    /// Reads lines no further than the first indented no deeper than the header: at the
    /// latest where the next top-level header starts, so no two scans overlap, and no
    /// further than a reparse may restart.
    pub(super) fn brace_below(&self, head_start: usize, nested: bool) -> Option<Span> {
        let newline = self.peek().span;
        let indent = indentation_before(self.src, head_start)?;
        let mut at = newline.end;
        let mut first = true;
        // Blocks opened (a line ending with `{`) and not closed (one starting with `}`)
        // by the lines below: the `}` at the header's indentation may close the last.
        let mut open = 0usize;
        loop {
            let rest = self.src.get(at..)?;
            let end = rest.bytes().position(|b| b == b'\n');
            let line = rest.get(..end.unwrap_or(rest.len()))?;
            let text = line.trim_start_matches([' ', '\t']);
            let here = line.len() - text.len();
            match text.bytes().next() {
                None | Some(b'\r') => {}
                Some(b'{') if first => {
                    let brace = at + here;
                    return Some(Span::new(brace, brace + 1));
                }
                _ if here <= indent => {
                    // Inside a body, a `}` right below is the body's own end (`read "x"`
                    // last in an unindented block), not an empty block's.
                    let closes = here == indent && text.starts_with('}') && !(first && nested);
                    return (open == 0 && closes).then_some(newline);
                }
                _ => {
                    if first && nested && !reads_as_body_line(text) {
                        return None;
                    }
                    first = false;
                    open = braces(text, open);
                }
            }
            at += end? + 1;
        }
    }

    /// Inside a body, whether the text from `from` on (lines below a header lacking its
    /// `{`) holds a `}` that closes nothing when read as it is, `depth` blocks being
    /// open: the `}` the missing `{` would have matched. Without one the text means what
    /// it says (a statement above oddly indented lines), and the header is no block's.
    ///
    /// Reads no further than the first line starting a new top-level item; a read that
    /// finds no such `}` is remembered, so headers above the same place read nothing
    /// again (a file of many such headers costs one read, not one each).
    pub(super) fn stray_closer_below(&mut self, head_start: usize, from: usize) -> bool {
        if head_start < self.no_stray_closer_until {
            return false;
        }
        // Tokens, not lines: a `}` in a heredoc or a comment closes nothing.
        let mut lexer = Lexer::at(self.src, Arc::clone(&self.lexer.shared), from);
        let mut level = self.depth;
        let end = loop {
            let token = lexer.next();
            match token.kind {
                TokenKind::Eof => break self.src.len(),
                TokenKind::LBrace => level += 1,
                TokenKind::RBrace => match level.checked_sub(1) {
                    Some(outer) => level = outer,
                    None => return true,
                },
                TokenKind::Ident if level == 0 && at_line_start(self.src, token.span.start) => {
                    break token.span.start;
                }
                _ => {}
            }
        };
        self.no_stray_closer_until = end;
        false
    }
}

/// The indentation (in bytes) of the line holding `at`, when only blanks come before
/// `at` on it: where a header starts its line.
fn indentation_before(text: &str, at: usize) -> Option<usize> {
    let before = text.get(..at)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let lead = before.get(line_start..)?;
    lead.bytes()
        .all(|b| b == b' ' || b == b'\t')
        .then_some(lead.len())
}

/// Whether a line reads as one of a body: an attribute (`name =`) or a block's header
/// (a `{` opened on it).
fn reads_as_body_line(text: &str) -> bool {
    let word = text
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        .count();
    let after = text
        .get(word..)
        .unwrap_or_default()
        .trim_start_matches([' ', '\t']);
    (word > 0 && after.starts_with('=') && !after.starts_with("==")) || braces(text, 0) > 0
}

/// `open` after the braces of `line`, those in strings and comments left out: a block
/// opened on a line with a comment after its `{` is open all the same.
fn braces(line: &str, mut open: usize) -> usize {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match (in_string, b) {
            (true, b'\\') => i += 1,
            (_, b'"') => in_string = !in_string,
            (true, _) => {}
            (false, b'#') => break,
            (false, b'/') if bytes.get(i + 1) == Some(&b'/') => break,
            (false, b'{') => open += 1,
            (false, b'}') => open = open.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    open
}

/// Whether `at` starts a line of `text` (column 1): where top-level headers start.
pub(super) fn at_line_start(text: &str, at: usize) -> bool {
    matches!(text.as_bytes().get(at.wrapping_sub(1)), None | Some(b'\n'))
}
