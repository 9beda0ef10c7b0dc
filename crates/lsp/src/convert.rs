//! Byte spans ⇄ LSP positions (0-based lines, UTF-16 columns), through kp-diag's
//! line index.

use kp_diag::{LineIndex, Span};
use lsp_types::{Position, Range};

pub fn position(index: &LineIndex, offset: usize) -> Position {
    let (line, character) = index.utf16_position(offset);
    Position { line, character }
}

pub fn range(index: &LineIndex, span: Span) -> Range {
    Range {
        start: position(index, span.start),
        end: position(index, span.end),
    }
}

/// The byte offset of a position, or `None` past the end of the text (a line that does
/// not exist): such requests answer empty.
pub fn offset(index: &LineIndex, text_len: usize, pos: Position) -> Option<usize> {
    if pos.line as usize >= index.line_count() {
        return None;
    }
    let off = index.offset_of_utf16(pos.line, pos.character);
    (off <= text_len).then_some(off)
}

pub fn span(index: &LineIndex, text_len: usize, r: Range) -> Option<Span> {
    let start = offset(index, text_len, r.start)?;
    let end = offset(index, text_len, r.end).unwrap_or(text_len);
    Some(Span::new(start, end.max(start)))
}
