use std::sync::{Arc, OnceLock};

/// 1-based line and column; columns count Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Maps byte offsets of one text to lines and columns (1-based chars, or 0-based UTF-16
/// for the language server).
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
    /// Whether the text holds a carriage return, which miette also counts as a line
    /// break (see [`LineIndex::window`]): looked for when a snippet is first read.
    has_cr: OnceLock<bool>,
    /// Shared with the file it indexes: an editor's check builds an index of the whole
    /// program whenever it reports a diagnostic, and a copy of the text was most of that.
    text: Arc<String>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        Self::shared(Arc::new(text.to_string()))
    }

    /// The index of a text the caller shares (a [`crate::SourceFile`]'s).
    pub fn shared(text: Arc<String>) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 24 + 1);
        // A byte-order mark is no column: editors and CI annotations count after it.
        starts.push(if text.starts_with('\u{feff}') { 3 } else { 0 });
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            starts,
            has_cr: OnceLock::new(),
            text,
        }
    }

    /// Where a snippet showing `lines_before` lines above the one holding `offset` can
    /// start reading: the byte offset of a line start at or before them, and that line's
    /// 0-based number. A renderer that counts lines from the start of its input (miette)
    /// then reads from there, not from the top of a large file. `None` for a text with a
    /// carriage return, whose line breaks miette counts differently.
    pub fn window(&self, offset: usize, lines_before: usize) -> Option<(usize, usize)> {
        let has_cr = self
            .has_cr
            .get_or_init(|| memchr::memchr(b'\r', self.text.as_bytes()).is_some());
        if *has_cr {
            return None;
        }
        let line = self.line_of(offset.min(self.text.len()));
        // Line 0 starts at 0 for a reader, byte-order mark or not.
        match line.saturating_sub(lines_before) {
            0 => Some((0, 0)),
            first => self.starts.get(first).map(|&at| (at, first)),
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line_of(offset);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(offset.saturating_sub(start), |s| s.chars().count());
        LineCol {
            line: line + 1,
            column: column + 1,
        }
    }

    /// 0-based line and UTF-16 column, as the Language Server Protocol counts.
    pub fn utf16_position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.line_of(offset);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count());
        (line as u32, col as u32)
    }

    /// Byte offset of a 0-based line and UTF-16 column (clamped to the text).
    pub fn offset_of_utf16(&self, line: u32, col: u32) -> usize {
        let Some(&start) = self.starts.get(line as usize) else {
            return self.text.len();
        };
        let mut units = 0u32;
        for (i, ch) in self.text.get(start..).unwrap_or("").char_indices() {
            if units >= col || ch == '\n' {
                return start + i;
            }
            units += ch.len_utf16() as u32;
        }
        self.text.len()
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based() {
        let idx = LineIndex::new("ab\ncdé\nf");
        assert_eq!(idx.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(3), LineCol { line: 2, column: 1 });
        assert_eq!(idx.line_col(7), LineCol { line: 2, column: 4 });
        assert_eq!(idx.line_col(9), LineCol { line: 3, column: 2 });
        assert_eq!(idx.line_col(99), LineCol { line: 3, column: 2 });
        assert_eq!(idx.utf16_position(8), (2, 0));
        assert_eq!(idx.offset_of_utf16(1, 2), 5);
    }

    #[test]
    fn a_window_starts_at_a_line_start_above_the_offset() {
        let idx = LineIndex::new("l0\nl1\nl2\nl3\n");
        assert_eq!(idx.window(10, 1), Some((6, 2)));
        assert_eq!(idx.window(10, 3), Some((0, 0)));
        assert_eq!(idx.window(1, 0), Some((0, 0)));
        assert_eq!(LineIndex::new("\u{feff}a\nb").window(5, 0), Some((5, 1)));
        assert_eq!(LineIndex::new("\u{feff}a\nb").window(5, 1), Some((0, 0)));
        assert_eq!(LineIndex::new("a\r\nb").window(3, 0), None);
    }

    /// QA: with a byte-order mark (Windows editors write one), every column of line 1
    /// was one too far in `check --format json|sarif|github`.
    #[test]
    fn a_byte_order_mark_is_no_column() {
        let idx = LineIndex::new("\u{feff}policy P {\n}");
        assert_eq!(idx.line_col(3), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(10), LineCol { line: 1, column: 8 });
        assert_eq!(idx.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(14), LineCol { line: 2, column: 1 });
    }
}
