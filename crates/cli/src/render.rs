//! Diagnostics for people (miette's graphical reports) and for machines (JSON).

use std::io::{IsTerminal, Write};

use keyplan::{Diagnostic, LineIndex, Located, Report, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme};
use serde::Serialize;

use crate::source::Source;

fn handler() -> GraphicalReportHandler {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme).with_context_lines(2)
}

/// Writes every diagnostic as a graphical report with its snippet.
pub fn human(out: &mut dyn Write, source: &Source, diagnostics: &[Diagnostic]) {
    let handler = handler();
    for d in diagnostics {
        let report = Report::new(d.clone(), &source.name, &source.text);
        let mut text = String::new();
        if handler.render_report(&mut text, &report).is_ok() {
            let _ = writeln!(out, "{text}");
        }
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

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub fn locate(source: &Source, diagnostics: &[Diagnostic]) -> Vec<Located> {
    let index = LineIndex::new(&source.text);
    diagnostics
        .iter()
        .map(|d| d.locate(&source.name, &index))
        .collect()
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: &'a [Located],
}

pub fn json(out: &mut dyn Write, located: &[Located]) {
    let report = JsonReport {
        diagnostics: located,
    };
    if let Ok(text) = serde_json::to_string_pretty(&report) {
        let _ = writeln!(out, "{text}");
    }
}
