use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// 1-based line and column; columns count Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Maps byte offsets of one text to lines and columns (1-based chars, or 0-based UTF-16
/// for the language server).
#[derive(Debug)]
pub struct LineIndex {
    /// Byte offset at which each line starts: built on the first query the budget below
    /// does not cover.
    starts: OnceLock<Vec<usize>>,
    /// Bytes that queries have counted newlines in without the table. A build that
    /// reports one warning asks for a few positions, and counting up to each (vectorised)
    /// costs a fraction of the table (a push per line: 2.4% of a 1 MB build). Once the
    /// queries have counted as many bytes as the text holds, the table is built, so a
    /// text with many diagnostics pays at most twice the table's cost.
    counted: AtomicUsize,
    /// Whether the text holds a carriage return, which miette may count as a line
    /// break (see [`LineIndex::window`]): looked for when a snippet is first read.
    has_cr: OnceLock<bool>,
    /// Whether the text holds a carriage return not followed by a newline (an old Mac
    /// file's line ends), which ends a line as `\n` does ([`has_lone_cr`]): the lines
    /// are then read from the table only.
    lone_cr: OnceLock<bool>,
    /// Shared with the file it indexes: an editor's check builds an index of the whole
    /// program whenever it reports a diagnostic, and a copy of the text was most of that.
    text: Arc<String>,
}

impl Clone for LineIndex {
    fn clone(&self) -> Self {
        LineIndex {
            starts: self.starts.clone(),
            counted: AtomicUsize::new(self.counted.load(Ordering::Relaxed)),
            has_cr: self.has_cr.clone(),
            lone_cr: self.lone_cr.clone(),
            text: Arc::clone(&self.text),
        }
    }
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        Self::shared(Arc::new(text.to_string()))
    }

    /// The index of a text the caller shares (a [`crate::SourceFile`]'s).
    pub fn shared(text: Arc<String>) -> Self {
        LineIndex {
            starts: OnceLock::new(),
            counted: AtomicUsize::new(0),
            has_cr: OnceLock::new(),
            lone_cr: OnceLock::new(),
            text,
        }
    }

    fn lone_cr(&self) -> bool {
        *self.lone_cr.get_or_init(|| has_lone_cr(&self.text))
    }

    fn starts(&self) -> &[usize] {
        self.starts.get_or_init(|| {
            let text = self.text.as_bytes();
            let mut starts = Vec::with_capacity(text.len() / 24 + 1);
            starts.push(self.first_start());
            if self.lone_cr() {
                starts.extend(
                    text.iter()
                        .enumerate()
                        .filter(|&(i, _)| ends_line(text, i))
                        .map(|(i, _)| i + 1),
                );
            } else {
                starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
            }
            starts
        })
    }

    /// Where line 0 starts: a byte-order mark is no column (editors and CI annotations
    /// count after it).
    fn first_start(&self) -> usize {
        if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        }
    }

    /// The 0-based line holding `offset` (at most the text's length) and where it starts.
    fn line_and_start(&self, offset: usize) -> (usize, usize) {
        let text = self.text.as_bytes();
        if self.starts.get().is_none()
            && !self.lone_cr()
            && self.counted.fetch_add(offset, Ordering::Relaxed) + offset <= text.len()
        {
            let before = text.get(..offset).unwrap_or_default();
            // Not `memchr`'s count and reverse search: their code put the playground's
            // wasm over its budget.
            let line = count_newlines(before);
            let start = match before.iter().rposition(|&b| b == b'\n') {
                Some(i) => i + 1,
                None => self.first_start(),
            };
            return (line, start);
        }
        let starts = self.starts();
        let line = match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        (line, starts.get(line).copied().unwrap_or(0))
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
        let offset = offset.min(self.text.len());
        let (line, start) = self.line_and_start(offset);
        // Line 0 starts at 0 for a reader, byte-order mark or not.
        match line.saturating_sub(lines_before) {
            0 => Some((0, 0)),
            first if lines_before == 0 => Some((start, first)),
            first => {
                // The line start `lines_before` newlines above `start`.
                let above = self.text.as_bytes().get(..start.saturating_sub(1))?;
                let mut newlines = above.iter().enumerate().rev().filter(|(_, &b)| b == b'\n');
                let (at, _) = newlines.nth(lines_before - 1)?;
                Some((at + 1, first))
            }
        }
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let (line, start) = self.line_and_start(offset);
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
        let (line, start) = self.line_and_start(offset);
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count());
        (line as u32, col as u32)
    }

    /// Byte offset of a 0-based line and UTF-16 column (clamped to the text).
    pub fn offset_of_utf16(&self, line: u32, col: u32) -> usize {
        let Some(&start) = self.starts().get(line as usize) else {
            return self.text.len();
        };
        let mut units = 0u32;
        for (i, ch) in self.text.get(start..).unwrap_or("").char_indices() {
            if units >= col
                || ch == '\n'
                || (ch == '\r' && ends_line(self.text.as_bytes(), start + i))
            {
                return start + i;
            }
            units += ch.len_utf16() as u32;
        }
        self.text.len()
    }

    pub fn line_count(&self) -> usize {
        self.starts().len()
    }
}

/// Whether the byte at `i` ends a line: a `\n`, or a `\r` not followed by one (the line
/// end of old Mac files, which editors and the Language Server Protocol count as one).
fn ends_line(text: &[u8], i: usize) -> bool {
    match text.get(i) {
        Some(b'\n') => true,
        Some(b'\r') => text.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

/// Whether `text` ends a line with a `\r` alone (not the `\r` of a `\r\n`).
pub fn has_lone_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'))
}

/// `text` with every `\r` that ends a line alone made a `\n`: the same length and the
/// same lines, so every offset into one is the same offset into the other. The parser and
/// the formatter read an old Mac file through it; any other text is borrowed as it is.
pub fn lone_cr_as_lf(text: &str) -> std::borrow::Cow<'_, str> {
    if !has_lone_cr(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    text.char_indices()
        .map(|(i, c)| if ends_line(bytes, i) { '\n' } else { c })
        .collect()
}

/// The newlines in `bytes`, counted per 255-byte chunk into a `u8` (which the chunk
/// cannot overflow): a sum the compiler vectorises, where a plain count went a byte at a
/// time.
fn count_newlines(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|chunk| usize::from(chunk.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'))))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every answer is the same whether the query counted newlines itself (the budget
    /// not yet spent) or read the table.
    #[test]
    fn counting_and_the_table_agree() {
        for text in [
            "",
            "a",
            "\n",
            "ab\ncdé\n\nf\n",
            "\u{feff}x\ny\n\nzz",
            "l0\nl1\nl2\nl3\n",
        ] {
            let table = LineIndex::new(text);
            table.line_count();
            for offset in 0..=text.len() + 1 {
                let fresh = LineIndex::new(text);
                assert_eq!(
                    fresh.line_col(offset),
                    table.line_col(offset),
                    "{text:?} {offset}"
                );
                let fresh = LineIndex::new(text);
                assert_eq!(fresh.utf16_position(offset), table.utf16_position(offset));
                for before in 0..4 {
                    let fresh = LineIndex::new(text);
                    assert_eq!(fresh.window(offset, before), table.window(offset, before));
                }
            }
        }
    }

    #[test]
    fn queries_build_the_table_once_they_have_counted_the_text() {
        let text = "a\n".repeat(50);
        let idx = LineIndex::new(&text);
        assert_eq!(idx.line_col(10).line, 6);
        assert!(idx.starts.get().is_none());
        for _ in 0..20 {
            idx.line_col(90);
        }
        assert!(idx.starts.get().is_some());
        assert_eq!(idx.line_col(90).line, 46);
    }

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

    /// A `\r` alone ends a line (old Mac files), as editors and the Language Server
    /// Protocol count it; the `\r` of a `\r\n` does not end one of its own.
    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let text = "ab\rcd\r\ne\r\rf";
        assert!(has_lone_cr(text));
        assert!(!has_lone_cr("a\r\nb\n"));
        assert_eq!(lone_cr_as_lf(text), "ab\ncd\r\ne\n\nf");
        for idx in [LineIndex::new(text), {
            let table = LineIndex::new(text);
            table.starts();
            table
        }] {
            assert_eq!(idx.line_col(0), LineCol { line: 1, column: 1 });
            assert_eq!(idx.line_col(3), LineCol { line: 2, column: 1 });
            assert_eq!(idx.line_col(7), LineCol { line: 3, column: 1 });
            assert_eq!(idx.line_col(9), LineCol { line: 4, column: 1 });
            assert_eq!(idx.line_col(10), LineCol { line: 5, column: 1 });
            assert_eq!(idx.utf16_position(4), (1, 1));
            // The end of a line: at its `\r` when alone, at the `\n` of a `\r\n`.
            assert_eq!(idx.offset_of_utf16(0, 9), 2);
            assert_eq!(idx.offset_of_utf16(1, 9), 6);
            assert_eq!(idx.offset_of_utf16(4, 0), 10);
            assert_eq!(idx.line_count(), 5);
        }
    }
}
