//! Skipping to a sync point after an error. Every skip treats brackets as pairs, so a
//! skipped `[ ... ]` or `{ ... }` never leaves a closer behind to confuse the next entry,
//! and every skip stops at the end of the file: no loop here can run away.

use super::cursor::Parser;
use super::lexer::TokenKind;

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
}
