//! Diagnostics in the formats CI systems read: SARIF 2.1.0 (GitHub code scanning and
//! other SARIF viewers) and GitHub Actions workflow commands (annotations on a pull
//! request's diff), plus the documentation of every code, read from
//! `docs/diagnostics.md` (embedded at build time) so rules carry the same text as the doc.
//!
//! Pure: the caller reads the files and prints the result.

mod docs;
mod github;
mod sarif;

pub use docs::{rule, Rule, DOCS_URL};
pub use github::{github, github_with_failures};
pub use sarif::{sarif, sarif_with_failures};

use kp_diag::Diagnostic;

/// One checked file: the name reports use for it (a path relative to the repository
/// root, for code scanning), its text and its diagnostics.
#[derive(Debug, Clone, Copy)]
pub struct FileReport<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub diagnostics: &'a [Diagnostic],
}

/// A program that could not be checked at all: a file missing, unreadable or not UTF-8
/// text. A report must say so, or a CI tool reading it sees a clean run.
#[derive(Debug, Clone, Copy)]
pub struct Failure<'a> {
    /// The path as given on the command line.
    pub name: &'a str,
    pub message: &'a str,
}
