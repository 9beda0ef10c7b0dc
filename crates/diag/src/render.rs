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
    ///
    /// The primary label's file is drawn first, whatever the files' order: miette draws
    /// snippets by offset, so a duplicate whose first definition is in an earlier file
    /// opened on that file's `[file:line:col]`, not on the error's (which `--format json`,
    /// SARIF and editors give), as rustc's `-->` line does.
    pub fn in_map(diagnostic: Diagnostic, map: Arc<SourceMap>) -> Self {
        let first = map
            .file_of(diagnostic.span.start)
            .map(|f| (f.base(), f.text().len()));
        Report {
            diagnostic,
            source: Source::Map(MapSource { map, first }),
        }
    }

    /// A global offset in the order snippets are drawn in (see [`Report::in_map`]).
    fn drawn(&self, offset: usize) -> usize {
        match &self.source {
            Source::Map(map) => map.drawn(offset),
            Source::One(_) => offset,
        }
    }
}

/// A program's files, offsets moved so that the primary label's file comes first: its
/// offsets start at 0, and every other file's are moved past its end (in their order).
#[derive(Debug)]
struct MapSource {
    map: Arc<SourceMap>,
    /// Base and length of the primary label's file.
    first: Option<(usize, usize)>,
}

impl MapSource {
    /// A global offset as drawn.
    fn drawn(&self, offset: usize) -> usize {
        match self.first {
            Some((base, len)) if (base..=base + len).contains(&offset) => offset - base,
            Some((_, len)) => offset + len + 1,
            None => offset,
        }
    }

    /// A drawn offset as the global one.
    fn global(&self, drawn: usize) -> usize {
        match self.first {
            Some((base, len)) if drawn <= len => drawn + base,
            Some((_, len)) => drawn - (len + 1),
            None => drawn,
        }
    }
}

impl SourceCode for MapSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = self.global(span.offset());
        let file = self.map.file_of(start).ok_or(MietteError::OutOfBounds)?;
        // A span drawn across two files (miette tries to join nearby snippets) is none.
        if start + span.len() > file.base() + file.text().len() {
            return Err(MietteError::OutOfBounds);
        }
        let span = &SourceSpan::new(start.into(), span.len());
        let local = SourceSpan::new((span.offset() - file.base()).into(), span.len());
        // miette reads a text from its start, counting lines to the span: it is given the
        // text from a line start a line above the context it shows, and the lines above
        // that are added back (a diagnostic near the end of a large file otherwise costs
        // a scan of all of it).
        let (from, lines_above) = file
            .line_index()
            .window(local.offset(), context_lines_before + 1)
            .unwrap_or((0, 0));
        let windowed = SourceSpan::new((local.offset() - from).into(), local.len());
        let inner = file.text().get(from..).unwrap_or_default().read_span(
            &windowed,
            context_lines_before,
            context_lines_after,
        )?;
        // miette matches labels to snippets by offset: give the snippet global offsets.
        let global = SourceSpan::new(
            self.drawn(inner.span().offset() + from + file.base())
                .into(),
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
            inner.line() + lines_above,
            column,
            inner.line_count() + lines_above,
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
        let at = |span: crate::Span| {
            let start = self.drawn(span.start);
            SourceSpan::new(start.into(), span.end.saturating_sub(span.start))
        };
        let primary = LabeledSpan::new_primary_with_span(
            (!d.label.is_empty()).then(|| d.label.clone()),
            at(d.span),
        );
        let related = d
            .related
            .iter()
            .map(move |r| LabeledSpan::new_with_span(Some(r.label.clone()), at(r.span)));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    fn rendered(report: &Report) -> String {
        let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::none())
            .with_context_lines(2);
        let mut out = String::new();
        handler
            .render_report(&mut out, report)
            .expect("a report renders");
        out
    }

    /// A file's snippet is read from a window of its text near the span: what shows is
    /// what miette shows reading the whole text (line numbers, context, labels).
    #[test]
    fn a_snippet_read_from_a_window_is_the_one_read_from_the_whole_text() {
        let text: String = (0..40)
            .map(|i| format!("line {i} holds = \"value {i}\"\n"))
            .collect();
        let at = |line: usize, from: usize, to: usize| {
            let start = text
                .match_indices('\n')
                .nth(line.wrapping_sub(1))
                .map_or(0, |(i, _)| i + 1);
            Span::new(start + from, start + to)
        };
        let cases = [
            Diagnostic::error("kp::a", at(0, 0, 4), "first line"),
            Diagnostic::error("kp::a", at(1, 5, 6), "second line"),
            Diagnostic::error("kp::a", at(25, 0, 4), "middle").with_related(at(3, 7, 12), "above"),
            Diagnostic::warning("kp::a", at(39, 8, 13), "last line")
                .with_related(at(38, 0, 4), "just above"),
            Diagnostic::error("kp::a", at(20, 0, 60), "over two lines"),
            Diagnostic::error("kp::a", Span::new(text.len(), text.len()), "at the end"),
        ];
        let map = Arc::new(SourceMap::single("p.kp", text.clone()));
        for d in cases {
            let whole = rendered(&Report::new(d.clone(), "p.kp", Arc::from(text.as_str())));
            let windowed = rendered(&Report::in_map(d, Arc::clone(&map)));
            assert_eq!(windowed, whole);
        }
        // The same in the second file of a program: its offsets start past the first's.
        let mut two = SourceMap::new();
        two.add("a.kp", "policy a {\n}\n");
        let id = two.add("p.kp", text.clone());
        let base = two.get(id).map_or(0, |f| f.base());
        let local = at(25, 0, 4);
        let d = Diagnostic::error("kp::a", local, "middle").with_related(at(24, 0, 4), "above");
        let moved = Diagnostic::error(
            "kp::a",
            Span::new(local.start + base, local.end + base),
            "middle",
        )
        .with_related(
            Span::new(at(24, 0, 4).start + base, at(24, 0, 4).end + base),
            "above",
        );
        let whole = rendered(&Report::new(d, "p.kp", Arc::from(text.as_str())));
        assert_eq!(rendered(&Report::in_map(moved, Arc::new(two))), whole);
    }

    /// QA: a duplicate in the second file of a program, first defined in the first, was
    /// drawn first defined here first: the report opened on the other file's position.
    #[test]
    fn the_primary_label_s_file_is_drawn_first() {
        let mut map = SourceMap::new();
        let a = map.add("a.kp", "policy shared {\n}\n");
        let b = map.add("b.kp", "# b\npolicy shared {\n}\n");
        let (a, b) = (
            map.get(a).map_or(0, |f| f.base()),
            map.get(b).map_or(0, |f| f.base()),
        );
        let d = Diagnostic::error("kp::duplicate", Span::new(b + 11, b + 17), "again")
            .with_label("defined again here")
            .with_related(Span::new(a + 7, a + 13), "first defined here");
        let out = rendered(&Report::in_map(d, Arc::new(map)));
        let headers: Vec<&str> = out.lines().filter(|l| l.contains("[")).collect();
        assert_eq!(headers.len(), 2, "{out}");
        assert!(headers[0].contains("[b.kp:2:8]"), "{out}");
        assert!(headers[1].contains("[a.kp:1:8]"), "{out}");
        let again = out.find("defined again here").unwrap_or(usize::MAX);
        let first = out.find("first defined here").unwrap_or(0);
        assert!(again < first, "{out}");
    }
}
