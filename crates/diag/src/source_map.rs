//! One offset space for a program of many files, as rustc's `SourceMap` does it.
//!
//! Every file gets a base offset: files are laid out one after another with a one-byte
//! gap, so `[base, base + len]` (end included: a diagnostic at the end of a file points
//! there) never overlaps the next file. A [`Span`] therefore stays two byte offsets and
//! still says which file it is in; only the edges that show positions to people (the
//! CLI, the playground, the language server) ask the map for file, line and column.

use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::{LineCol, LineIndex, Span};

/// Bytes between one file's end and the next file's base.
const GAP: usize = 1;

/// The index of a file in its [`SourceMap`], in the order files were added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FileId(pub u32);

/// One file of a program: its name (as shown to people), its text and its base offset.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: String,
    /// Shared with the syntax tree, whose names and strings are ranges of it.
    text: Arc<String>,
    base: usize,
    /// Built on the first position asked: a program without diagnostics never needs it.
    index: OnceLock<LineIndex>,
}

impl SourceFile {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text as the parser shares it (`kp_syntax::parse_shared_at`): the tree then
    /// points into this very buffer instead of a copy of it.
    pub fn shared_text(&self) -> &Arc<String> {
        &self.text
    }

    /// The global offset of the file's first byte.
    pub fn base(&self) -> usize {
        self.base
    }

    /// The file's extent in the global offset space.
    pub fn span(&self) -> Span {
        Span::new(self.base, self.base + self.text.len())
    }

    pub fn contains(&self, offset: usize) -> bool {
        offset >= self.base && offset <= self.base + self.text.len()
    }

    /// A global span as offsets into this file's text (clamped to it).
    pub fn local(&self, span: Span) -> Span {
        let at = |o: usize| o.saturating_sub(self.base).min(self.text.len());
        Span::new(at(span.start), at(span.end))
    }

    /// A span of this file's text in the global offset space.
    pub fn global(&self, local: Span) -> Span {
        Span::new(local.start + self.base, local.end + self.base)
    }

    pub fn line_index(&self) -> &LineIndex {
        self.index
            .get_or_init(|| LineIndex::shared(Arc::clone(&self.text)))
    }

    /// 1-based line and column (in characters) of a global offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.line_index().line_col(offset.saturating_sub(self.base))
    }

    /// 0-based line and UTF-16 column of a global offset, as LSP counts.
    pub fn utf16_position(&self, offset: usize) -> (u32, u32) {
        self.line_index()
            .utf16_position(offset.saturating_sub(self.base))
    }
}

/// Where a span is: its file and both ends, 1-based and in LSP's UTF-16 form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location<'a> {
    pub file: FileId,
    pub name: &'a str,
    /// The span as offsets into the file's text.
    pub local: Span,
    pub start: LineCol,
    pub end: LineCol,
    /// 0-based line and UTF-16 column of the start.
    pub start_utf16: (u32, u32),
    pub end_utf16: (u32, u32),
}

/// The files of one program in one global offset space.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        SourceMap::default()
    }

    /// A one-file program: its offsets are the file's own.
    pub fn single(name: impl Into<String>, text: impl Into<String>) -> Self {
        let mut map = SourceMap::new();
        map.add(name, text);
        map
    }

    /// Adds a file after the last one and returns its id.
    ///
    /// An old Mac file's line ends (`\r` alone) are kept as `\n`s
    /// ([`crate::lone_cr_as_lf`]: the same length, so every offset and position is the
    /// same): the parser reads them as line ends, and miette's snippets, which count only
    /// `\n`, then show the lines the positions name.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let base = self.files.last().map_or(0, |f| f.base + f.text.len() + GAP);
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        let mut text: String = text.into();
        if let std::borrow::Cow::Owned(lf) = crate::lone_cr_as_lf(&text) {
            text = lf;
        }
        self.files.push(SourceFile {
            name: name.into(),
            text: Arc::new(text),
            base,
            index: OnceLock::new(),
        });
        id
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The file a global offset falls in.
    pub fn file_id(&self, offset: usize) -> Option<FileId> {
        let i = self
            .files
            .partition_point(|f| f.base <= offset)
            .checked_sub(1)?;
        let file = self.files.get(i)?;
        file.contains(offset)
            .then(|| FileId(u32::try_from(i).unwrap_or(u32::MAX)))
    }

    pub fn file_of(&self, offset: usize) -> Option<&SourceFile> {
        self.get(self.file_id(offset)?)
    }

    /// File, lines and columns of a span (by its start; the end is clamped to that file).
    pub fn locate(&self, span: Span) -> Option<Location<'_>> {
        let id = self.file_id(span.start)?;
        let file = self.get(id)?;
        let local = file.local(span);
        let index = file.line_index();
        Some(Location {
            file: id,
            name: &file.name,
            local,
            start: index.line_col(local.start),
            end: index.line_col(local.end),
            start_utf16: index.utf16_position(local.start),
            end_utf16: index.utf16_position(local.end),
        })
    }

    /// The global offset of a 0-based line and UTF-16 column in a file (LSP positions).
    pub fn offset_of_utf16(&self, id: FileId, line: u32, col: u32) -> Option<usize> {
        let file = self.get(id)?;
        Some(file.base + file.line_index().offset_of_utf16(line, col))
    }

    /// The end of the offset space: the next file added would start one gap after it.
    pub fn end(&self) -> usize {
        self.files.last().map_or(0, |f| f.base + f.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_laid_out_one_after_another() {
        let mut map = SourceMap::new();
        let a = map.add("a.kp", "ab\ncd");
        let b = map.add("b.kp", "é\nxyz");
        assert_eq!(map.get(a).map(SourceFile::base), Some(0));
        assert_eq!(map.get(b).map(SourceFile::base), Some(6));
        // The end of a file belongs to it; the next byte is the next file's first.
        assert_eq!(map.file_id(5), Some(a));
        assert_eq!(map.file_id(6), Some(b));
        assert_eq!(map.file_id(6 + 6), Some(b));
        assert_eq!(map.file_id(6 + 7), None);
        let at = map.locate(Span::new(6 + 3, 6 + 6)).expect("in b.kp");
        assert_eq!(at.name, "b.kp");
        assert_eq!(at.local, Span::new(3, 6));
        assert_eq!(at.start, LineCol { line: 2, column: 1 });
        assert_eq!(at.end, LineCol { line: 2, column: 4 });
        assert_eq!(at.start_utf16, (1, 0));
        let first = map.locate(Span::new(3, 4)).expect("in a.kp");
        assert_eq!((first.name, first.start.line), ("a.kp", 2));
        assert_eq!(map.offset_of_utf16(b, 1, 2), Some(6 + 3 + 2));
    }

    #[test]
    fn a_single_file_keeps_its_offsets() {
        let map = SourceMap::single("main.kp", "x\ny");
        let at = map.locate(Span::new(2, 3)).expect("located");
        assert_eq!((at.local, at.start.line), (Span::new(2, 3), 2));
        assert!(SourceMap::new().locate(Span::new(0, 0)).is_none());
    }
}
