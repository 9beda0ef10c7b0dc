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
            let _ = writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(file.name),
                start.line,
                start.column,
                end.line,
                end.column,
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
    fn escaping() {
        assert_eq!(data("100%\r\nnext"), "100%25%0D%0Anext");
        assert_eq!(property("kp::a,b"), "kp%3A%3Aa%2Cb");
    }
}
