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
/// root, for code scanning), its text and its diagnostics, and the related locations of
/// those diagnostics that are in other files (a duplicate's first definition).
#[derive(Debug, Clone, Copy)]
pub struct FileReport<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub diagnostics: &'a [Diagnostic],
    pub elsewhere: &'a [Elsewhere],
}

/// A related location of a diagnostic in another file than the diagnostic's: SARIF lists
/// it with the file's own URI (a diagnostic's `related` spans are in its file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elsewhere {
    /// The index of the diagnostic in its [`FileReport::diagnostics`].
    pub diagnostic: usize,
    /// The other file's name, as [`FileReport::name`] spells names.
    pub file: String,
    /// 1-based line and column (in characters) where the location starts and ends.
    pub start: (usize, usize),
    pub end: (usize, usize),
    pub label: String,
}

/// A program that could not be checked at all: a file missing, unreadable or not UTF-8
/// text. A report must say so, or a CI tool reading it sees a clean run.
#[derive(Debug, Clone, Copy)]
pub struct Failure<'a> {
    /// The path as given on the command line.
    pub name: &'a str,
    pub message: &'a str,
}
