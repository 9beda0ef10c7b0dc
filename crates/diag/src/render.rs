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
    /// The primary label's snippet is drawn first, as rustc's `-->` line is: miette
    /// draws snippets by offset, so a duplicate whose first definition is in an earlier
    /// file, or many lines above in the same file, opened on that definition's
    /// `[file:line:col]`, not on the error's (which `--format json`, SARIF and editors
    /// give). See [`MapSource`].
    pub fn in_map(diagnostic: Diagnostic, map: Arc<SourceMap>) -> Self {
        let first = map.file_of(diagnostic.span.start).map(|f| {
            let local = diagnostic.span.start - f.base();
            // A label starting above these lines is drawn in a snippet of its own (miette
            // joins snippets whose context lines, 2 either side, touch or overlap).
            let before = f.text().get(..local).unwrap_or_default().as_bytes();
            let above = memchr::memrchr_iter(b'\n', before)
                .nth(JOINED_ABOVE)
                .map_or(0, |at| at + 1);
            Primary {
                base: f.base(),
                len: f.text().len(),
                above: f.base() + above,
            }
        });
        Report {
            diagnostic,
            source: Source::Map(MapSource { map, first }),
        }
    }

    /// A label's span as drawn (see [`MapSource`]).
    fn drawn(&self, span: crate::Span) -> SourceSpan {
        let start = match &self.source {
            Source::Map(map) => map.drawn(span.start),
            Source::One(_) => span.start,
        };
        SourceSpan::new(start.into(), span.end.saturating_sub(span.start))
    }
}

/// How many lines above the primary label's a label may start and still be drawn in its
/// snippet: with 2 lines of context either side, miette joins the two snippets.
const JOINED_ABOVE: usize = 4;

/// The primary label's file: its base and length, and the first offset of the lines a
/// label can start on and still be drawn in the primary label's snippet.
#[derive(Debug, Clone, Copy)]
struct Primary {
    base: usize,
    len: usize,
    above: usize,
}

/// A program's files in the order their snippets are drawn: the primary label's file
/// first (offsets from 0), then that file again for the labels far above the primary
/// one, then every other file in its order. Labels are moved into this space and
/// `read_span` moves them back, so a label is drawn with its own file's name and line
/// numbers wherever it is placed.
#[derive(Debug)]
struct MapSource {
    map: Arc<SourceMap>,
    first: Option<Primary>,
}

impl MapSource {
    /// A label's start as drawn.
    fn drawn(&self, offset: usize) -> usize {
        match self.first {
            Some(p) if (p.above..=p.base + p.len).contains(&offset) => offset - p.base,
            Some(p) if (p.base..p.above).contains(&offset) => offset - p.base + p.len + 1,
            Some(p) => offset + 2 * (p.len + 1),
            None => offset,
        }
    }

    /// Where the part of the drawn space holding `drawn` starts, drawn and globally:
    /// a global offset `g` of that part is drawn at `g - global + drawn`.
    fn part(&self, drawn: usize) -> Part {
        match self.first {
            Some(p) if drawn <= p.len => Part {
                drawn: 0,
                global: p.base,
            },
            Some(p) if drawn <= 2 * p.len + 1 => Part {
                drawn: p.len + 1,
                global: p.base,
            },
            Some(p) => Part {
                drawn: 2 * (p.len + 1),
                global: 0,
            },
            None => Part {
                drawn: 0,
                global: 0,
            },
        }
    }
}

/// A part of [`MapSource`]'s drawn space: where it starts, drawn and globally.
#[derive(Debug, Clone, Copy)]
struct Part {
    drawn: usize,
    global: usize,
}

impl Part {
    fn to_global(self, drawn: usize) -> usize {
        drawn - self.drawn + self.global
    }

    fn to_drawn(self, global: usize) -> usize {
        global - self.global + self.drawn
    }
}

impl SourceCode for MapSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let part = self.part(span.offset());
        let start = part.to_global(span.offset());
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
            part.to_drawn(inner.span().offset() + from + file.base())
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
        let at = |span: crate::Span| self.drawn(span);
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

    /// A report's snippets, in the order they are drawn in: each from its `[file:...]`
    /// header to the end of its frame.
    fn snippets(out: &str) -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        for line in out.lines() {
            if line.trim_start().starts_with(",-[") {
                all.push(String::new());
            }
            if let Some(last) = all.last_mut() {
                last.push_str(line);
                last.push('\n');
            }
        }
        all
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
            // The same snippets; the primary label's first (the whole text's reports are
            // drawn in offset order).
            let (mut a, mut b) = (snippets(&windowed), snippets(&whole));
            kp_sort::sort(&mut a);
            kp_sort::sort(&mut b);
            assert_eq!(a, b, "{windowed}\n{whole}");
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

    /// An old Mac file (`\r` alone ends its lines) is drawn with its lines: miette read
    /// it as one line and numbered the snippet's line from the wrong count.
    #[test]
    fn an_old_mac_file_is_drawn_with_its_lines() {
        let lf = "a = 1\nb = 2\nc = 3\nd = 4\n";
        let at = Span::new(12, 13);
        let d = Diagnostic::error("kp::a", at, "third line");
        let mac = Arc::new(SourceMap::single("p.kp", lf.replace('\n', "\r")));
        let want = rendered(&Report::in_map(
            d.clone(),
            Arc::new(SourceMap::single("p.kp", lf)),
        ));
        let got = rendered(&Report::in_map(d.clone(), Arc::clone(&mac)));
        assert_eq!(got, want);
        assert!(got.contains("p.kp:3:1"), "{got}");
        assert_eq!(d.locate_in(&mac).line, 3);
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
    /// The same in one file: a label many lines above the primary one is drawn after
    /// it, a label near it in its snippet.
    #[test]
    fn the_primary_label_s_snippet_is_drawn_first_in_one_file() {
        let text = "policy a {\n}\n\n\n\n\n\n\n\npolicy a {\n}\npolicy a {\n}\n";
        let map = Arc::new(SourceMap::single("p.kp", text));
        let second = text.find("policy a {\n}\npolicy").unwrap_or(0) + 7;
        let third = text.rfind("policy a").unwrap_or(0) + 7;
        let far = Diagnostic::error("kp::duplicate", Span::new(second, second + 1), "again")
            .with_label("defined again here")
            .with_related(Span::new(7, 8), "first defined here");
        let out = rendered(&Report::in_map(far, Arc::clone(&map)));
        let headers: Vec<&str> = out.lines().filter(|l| l.contains("[p.kp")).collect();
        assert_eq!(headers, ["    ,-[p.kp:10:8]", "   ,-[p.kp:1:8]"], "{out}");
        assert!(out.find("again here") < out.find("first defined"), "{out}");
        // Two lines apart: one snippet, on the primary label's position.
        let near = Diagnostic::error("kp::duplicate", Span::new(third, third + 1), "again")
            .with_label("defined again here")
            .with_related(Span::new(second, second + 1), "first defined here");
        let out = rendered(&Report::in_map(near, map));
        let headers: Vec<&str> = out.lines().filter(|l| l.contains("[p.kp")).collect();
        assert_eq!(headers, ["    ,-[p.kp:12:8]"], "{out}");
    }
}
