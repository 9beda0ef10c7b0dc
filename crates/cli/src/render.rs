//! Diagnostics for people (miette's graphical reports) and for machines (JSON).

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use keyplan::{Compiled, Diagnostic, Located, LocatedRelated, Report, Severity, SourceMap};
use miette::{GraphicalReportHandler, GraphicalTheme};
use serde::Serialize;

fn handler() -> GraphicalReportHandler {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme).with_context_lines(2)
}

/// Graphical reports shown per file; the rest are counted. Past this many, a person
/// fixes the first ones and reruns (and `--format json` still lists every one).
const MAX_SHOWN: usize = 200;

/// The last character column a snippet is drawn for. miette pads the underline to the
/// label's display column with a format width, which panics past 65535; a column is at
/// most 4 display columns a character (a tab), so past this the report is drawn without
/// its snippet, located by `file:line:col`. Nobody reads a snippet that far right anyway.
const MAX_SNIPPET_COLUMN: usize = 10_000;

/// Writes diagnostics for people: graphical reports with their snippets, each in its
/// file. Every command shows diagnostics through here, so the same redaction applies
/// everywhere: snippets come from `program`'s sources with its literal secrets starred
/// out, and the diagnostics' texts are starred too (those made outside its compile, the
/// formatter's or lints, included).
pub fn human(out: &mut dyn Write, program: &Compiled, diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let handler = handler();
    let sources = Arc::new(program.display_sources());
    let mut shown: Vec<Diagnostic> = diagnostics.iter().take(MAX_SHOWN).cloned().collect();
    program.redact(&mut shown);
    for d in shown {
        let mut rendered = String::new();
        let drawn = match too_far_right(&sources, &d) {
            None => handler.render_report(&mut rendered, &Report::in_map(d, Arc::clone(&sources))),
            Some(at) => handler.render_report(&mut rendered, &Unsnipped { d, at }),
        };
        if drawn.is_ok() {
            let _ = writeln!(out, "{rendered}");
        }
    }
    if let Some(hidden) = diagnostics.len().checked_sub(MAX_SHOWN).filter(|n| *n > 0) {
        let _ = writeln!(
            out,
            "... and {hidden} more (`--format json` lists every diagnostic)"
        );
    }
}

/// `file:line:col` of a diagnostic with a label too far right on its line for a
/// snippet, or a line to draw longer than a snippet shows; `None` when every label can
/// be drawn.
fn too_far_right(sources: &SourceMap, d: &Diagnostic) -> Option<String> {
    let at = d.locate_in(sources);
    let related = d.locate_related(sources);
    let columns = [at.column, at.end_column]
        .into_iter()
        .chain(related.iter().flat_map(|r| [r.column, r.end_column]));
    let far = columns.into_iter().any(|c| c > MAX_SNIPPET_COLUMN)
        || std::iter::once(d.span)
            .chain(d.related.iter().map(|r| r.span))
            .any(|span| draws_a_long_line(sources, span));
    far.then(|| format!("{}:{}:{}", at.file, at.line, at.column))
}

/// Whether a snippet of `span` draws a line longer than [`MAX_SNIPPET_COLUMN`]
/// characters: miette draws every line of a label and its context lines (2 either
/// side) whole, so one line of a minified file next to a label (a block's warning on
/// the 200,000-character rule inside it) filled the terminal.
fn draws_a_long_line(sources: &SourceMap, span: keyplan::Span) -> bool {
    let Some(file) = sources.file_of(span.start) else {
        return false;
    };
    let text = file.text();
    let start = span.start.saturating_sub(file.base()).min(text.len());
    let end = span
        .end
        .saturating_sub(file.base())
        .clamp(start, text.len());
    let before = text.get(..start).unwrap_or_default();
    let from = before.rmatch_indices('\n').nth(2).map_or(0, |(i, _)| i + 1);
    let after = text.get(end..).unwrap_or_default();
    let to = after
        .match_indices('\n')
        .nth(2)
        .map_or(text.len(), |(i, _)| end + i);
    text.get(from..to)
        .unwrap_or_default()
        .split('\n')
        .any(|line| line.len() > MAX_SNIPPET_COLUMN && line.chars().count() > MAX_SNIPPET_COLUMN)
}

/// A diagnostic drawn without its snippet, its location written under its message.
#[derive(Debug)]
struct Unsnipped {
    d: Diagnostic,
    at: String,
}

impl std::fmt::Display for Unsnipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\nat {}", self.d.message, self.at)?;
        if !self.d.label.is_empty() {
            write!(f, ": {}", self.d.label)?;
        }
        write!(f, " (the line is too long to show)")
    }
}

impl std::error::Error for Unsnipped {}

impl miette::Diagnostic for Unsnipped {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.d.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
}

pub fn summary(out: &mut dyn Write, diagnostics: &[Diagnostic]) {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    if errors + warnings > 0 {
        let _ = writeln!(
            out,
            "{}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        );
    }
}

/// The closing line after the reports of a run, once whatever the number of files:
/// where to read more about a code, as rustc points at `rustc --explain`.
pub fn explain_hint(out: &mut dyn Write, first_code: Option<&str>) {
    if let Some(code) = first_code {
        let _ = writeln!(
            out,
            "For more about a code, try `keyplan explain-code {code}`."
        );
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A diagnostic located in its file, with its secondary labels (a duplicate's first
/// definition, perhaps in another file).
#[derive(Serialize)]
pub struct JsonDiagnostic {
    #[serde(flatten)]
    located: Located,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<LocatedRelated>,
}

pub fn locate(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            located: d.locate_in(sources),
            related: d.locate_related(sources),
        })
        .collect()
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: &'a [JsonDiagnostic],
    /// Programs that could not be read: absent when every one was.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unreadable: &'a [Unreadable<'a>],
}

#[derive(Serialize)]
struct Unreadable<'a> {
    file: &'a str,
    message: &'a str,
}

pub fn json(out: &mut dyn Write, located: &[JsonDiagnostic], failures: &[kp_report::Failure<'_>]) {
    let unreadable: Vec<Unreadable<'_>> = failures
        .iter()
        .map(|f| Unreadable {
            file: f.name,
            message: f.message,
        })
        .collect();
    let report = JsonReport {
        diagnostics: located,
        unreadable: &unreadable,
    };
    if let Ok(text) = serde_json::to_string_pretty(&report) {
        let _ = writeln!(out, "{text}");
    }
}

pub fn value(out: &mut dyn Write, value: &serde_json::Value) {
    if let Ok(text) = serde_json::to_string_pretty(value) {
        let _ = writeln!(out, "{text}");
    }
}

pub fn text(out: &mut dyn Write, text: &str) {
    let _ = out.write_all(text.as_bytes());
}
