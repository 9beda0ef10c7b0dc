use std::sync::Arc;

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
        LineIndex { starts, text }
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
