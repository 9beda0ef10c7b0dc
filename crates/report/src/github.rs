//! GitHub Actions workflow commands: one `::error` or `::warning` line per diagnostic,
//! which GitHub shows as an annotation on the file and line.

use std::fmt::Write;

use kp_diag::{LineIndex, Severity};

use crate::{Failure, FileReport};

/// The workflow commands for every diagnostic, one per line.
pub fn github(files: &[FileReport<'_>]) -> String {
    github_with_failures(files, &[])
}

/// [`github`], first an `::error` on each program that could not be read.
pub fn github_with_failures(files: &[FileReport<'_>], failures: &[Failure<'_>]) -> String {
    let mut out = String::new();
    for f in failures {
        let _ = writeln!(
            out,
            "::error file={},title=keyplan::{}",
            property(f.name),
            data(f.message)
        );
    }
    for file in files {
        let index = LineIndex::new(file.text);
        for d in file.diagnostics {
            let start = index.line_col(d.span.start);
            let end = index.line_col(d.span.end);
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            // GitHub refuses columns on an annotation over several lines (its API: "cannot
            // be sent when StartLine and EndLine are different values").
            let place = if start.line == end.line {
                format!(
                    "line={},col={},endLine={},endColumn={}",
                    start.line, start.column, end.line, end.column
                )
            } else {
                format!("line={},endLine={}", start.line, end.line)
            };
            let _ = writeln!(
                out,
                "::{command} file={},{place},title={}::{}",
                property(file.name),
                property(d.code),
                data(&message),
            );
        }
    }
    out
}

/// A command's message: `%`, `\r` and `\n` escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: as data, and `:` and `,` too.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_annotation_over_several_lines_has_no_columns() {
        // One diagnostic at bytes `start..end` of a three-line program.
        let annotate = |start, end| {
            let diagnostics = [kp_diag::Diagnostic::error(
                "kp::test",
                kp_diag::Span::new(start, end),
                "m",
            )];
            github(&[FileReport {
                name: "a.kp",
                text: "policy p {\n  x\n}\n",
                diagnostics: &diagnostics,
                elsewhere: &[],
            }])
        };
        assert_eq!(
            annotate(7, 14),
            "::error file=a.kp,line=1,endLine=2,title=kp%3A%3Atest::m\n"
        );
        assert_eq!(
            annotate(13, 14),
            "::error file=a.kp,line=2,col=3,endLine=2,endColumn=4,title=kp%3A%3Atest::m\n"
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(data("100%\r\nnext"), "100%25%0D%0Anext");
        assert_eq!(property("kp::a,b"), "kp%3A%3Aa%2Cb");
    }
}
