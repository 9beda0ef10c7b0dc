//! Adapts [`Diagnostic`] to miette so any miette handler renders it with its snippet.

use std::fmt;
use std::sync::Arc;

use miette::{
    LabeledSpan, MietteError, MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};

use crate::{Diagnostic, Severity, SourceMap};

/// A diagnostic bundled with the named source it points into.
#[derive(Debug)]
pub struct Report {
    diagnostic: Diagnostic,
    source: Source,
}

#[derive(Debug)]
enum Source {
    One(NamedSource<Arc<str>>),
    /// A program of many files: each label is shown in its own file.
    Map(MapSource),
}

impl Report {
    /// `text` is shared, not copied: a file with thousands of diagnostics renders each
    /// against the same source.
    pub fn new(diagnostic: Diagnostic, file: &str, text: Arc<str>) -> Self {
        Report {
            diagnostic,
            source: Source::One(NamedSource::new(file, text)),
        }
    }

    /// A diagnostic of a program of many files: every label (a duplicate's "first
    /// defined here" in another file too) is shown with its own file's name and lines.
    pub fn in_map(diagnostic: Diagnostic, map: Arc<SourceMap>) -> Self {
        Report {
            diagnostic,
            source: Source::Map(MapSource(map)),
        }
    }
}

#[derive(Debug)]
struct MapSource(Arc<SourceMap>);

impl SourceCode for MapSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let file = self
            .0
            .file_of(span.offset())
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((span.offset() - file.base()).into(), span.len());
        let inner = file
            .text()
            .read_span(&local, context_lines_before, context_lines_after)?;
        // miette matches labels to snippets by offset: give the snippet global offsets.
        let global = SourceSpan::new(
            (inner.span().offset() + file.base()).into(),
            inner.span().len(),
        );
        // miette counts the column of a span read without context (the report's
        // `[file:line:col]` header) in bytes; the JSON, SARIF and editors count
        // characters (docs/diagnostics.md), and so does the header then.
        let column = if context_lines_before == 0 {
            char_column(file.text(), local.offset(), inner.column())
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            file.name().to_string(),
            inner.data(),
            global,
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

/// The 0-based character column of byte `offset` of `text`, given its byte column.
fn char_column(text: &str, offset: usize, byte_column: usize) -> usize {
    offset
        .checked_sub(byte_column)
        .and_then(|line_start| text.get(line_start..offset))
        .map_or(byte_column, |before| {
            before.trim_start_matches('\u{feff}').chars().count()
        })
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(match &self.source {
            Source::One(named) => named,
            Source::Map(map) => map,
        })
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = &self.diagnostic;
        let primary = LabeledSpan::new_primary_with_span(
            (!d.label.is_empty()).then(|| d.label.clone()),
            d.span,
        );
        let related = d
            .related
            .iter()
            .map(|r| LabeledSpan::new_with_span(Some(r.label.clone()), r.span));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}
