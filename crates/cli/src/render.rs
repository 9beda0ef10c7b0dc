//! Diagnostics for people (miette's graphical reports) and for machines (JSON).

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use keyplan::{Diagnostic, Located, LocatedRelated, Report, Severity, SourceMap};
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

/// Writes the diagnostics as graphical reports with their snippets, each in its file.
pub fn human(out: &mut dyn Write, sources: &Arc<SourceMap>, diagnostics: &[Diagnostic]) {
    let handler = handler();
    for d in diagnostics.iter().take(MAX_SHOWN) {
        let report = Report::in_map(d.clone(), Arc::clone(sources));
        let mut rendered = String::new();
        if handler.render_report(&mut rendered, &report).is_ok() {
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
}

pub fn json(out: &mut dyn Write, located: &[JsonDiagnostic]) {
    let report = JsonReport {
        diagnostics: located,
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
