//! Source spans, line/column conversion and keyplan's diagnostic type.
//!
//! Every stage of the compiler reports problems as [`Diagnostic`] values. They carry a
//! stable code (`kp::unknown-field`), a primary byte span with a label, optional secondary
//! labels, and a help text. [`Diagnostic::locate`] turns one into a [`Located`] value with
//! 1-based lines and columns: the one serialisable shape shared by the CLI's JSON output,
//! the wasm playground and the language server.

// In the playground's wasm: the standard sorts only through `kp_sort` (clippy.toml).
#![deny(clippy::disallowed_methods)]

mod line_index;
pub mod redact;
mod render;
mod source_map;

pub use line_index::{has_lone_cr, lone_cr_as_lf, LineCol, LineIndex};
pub use render::Report;
pub use source_map::{FileId, Location, SourceFile, SourceMap};

use serde::Serialize;

/// A half-open byte range `start..end` into one source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// The signed distance from offset `from` to offset `to`: how far a span moves ([`Span::moved`]).
pub fn delta(from: usize, to: usize) -> isize {
    // Offsets are lengths of texts held in memory: they fit in `isize`.
    isize::try_from(to).unwrap_or(isize::MAX) - isize::try_from(from).unwrap_or(isize::MAX)
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// This span moved by `delta` bytes: where it is after the text before it grew or
    /// shrank (callers only move spans to places that exist, so it never leaves `usize`).
    pub const fn moved(self, delta: isize) -> Span {
        Span {
            start: self.start.saturating_add_signed(delta),
            end: self.end.saturating_add_signed(delta),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        miette::SourceSpan::new(s.start.into(), s.len())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary location that explains the primary one ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub span: Span,
    pub label: String,
}

/// One problem found in a source text.
///
/// Messages follow one style: lowercase, no final period, user input in backticks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable, documented code such as `kp::unknown-field`.
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    /// Short text shown under the primary span.
    pub label: String,
    pub help: Option<String>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// Moves the diagnostic and its related spans by `delta` bytes ([`Span::moved`]).
    pub fn move_by(&mut self, delta: isize) {
        self.span = self.span.moved(delta);
        self.related
            .iter_mut()
            .for_each(|r| r.span = r.span.moved(delta));
    }

    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, span, message)
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, span, message)
    }

    fn new(severity: Severity, code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Self::with_message(severity, code, span, message.into())
    }

    #[inline(never)]
    fn with_message(severity: Severity, code: &'static str, span: Span, message: String) -> Self {
        Diagnostic {
            severity,
            code,
            message: without_controls(message),
            span,
            label: String::new(),
            help: None,
            related: Vec::new(),
        }
    }

    pub fn with_label(self, label: impl Into<String>) -> Self {
        self.label_string(label.into())
    }

    #[inline(never)]
    fn label_string(mut self, label: String) -> Self {
        self.label = without_controls(label);
        self
    }

    pub fn with_help(self, help: impl Into<String>) -> Self {
        self.help_string(help.into())
    }

    #[inline(never)]
    fn help_string(mut self, help: String) -> Self {
        self.help = Some(without_controls(help));
        self
    }

    pub fn with_related(self, span: Span, label: impl Into<String>) -> Self {
        self.related_string(span, label.into())
    }

    #[inline(never)]
    fn related_string(mut self, span: Span, label: String) -> Self {
        self.related.push(Related {
            span,
            label: without_controls(label),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Resolves byte offsets to 1-based line/column positions.
    pub fn locate(&self, file: &str, index: &LineIndex) -> Located {
        let start = index.line_col(self.span.start);
        let end = index.line_col(self.span.end);
        Located {
            severity: self.severity,
            code: self.code.to_string(),
            message: self.message.clone(),
            label: self.label.clone(),
            help: self.help.clone(),
            file: file.to_string(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            start_offset: self.span.start,
            end_offset: self.span.end,
        }
    }

    /// Resolves the primary span in a program of many files: the file's name, and lines,
    /// columns and offsets relative to that file.
    pub fn locate_in(&self, map: &SourceMap) -> Located {
        let at = locate_or_end(map, self.span);
        Located {
            severity: self.severity,
            code: self.code.to_string(),
            message: self.message.clone(),
            label: self.label.clone(),
            help: self.help.clone(),
            file: at.name.to_string(),
            line: at.start.line,
            column: at.start.column,
            end_line: at.end.line,
            end_column: at.end.column,
            start_offset: at.local.start,
            end_offset: at.local.end,
        }
    }

    /// The secondary labels with their files resolved: a duplicate across files names
    /// both.
    pub fn locate_related(&self, map: &SourceMap) -> Vec<LocatedRelated> {
        self.related
            .iter()
            .map(|r| {
                let at = locate_or_end(map, r.span);
                LocatedRelated {
                    label: r.label.clone(),
                    file: at.name.to_string(),
                    line: at.start.line,
                    column: at.start.column,
                    end_line: at.end.line,
                    end_column: at.end.column,
                }
            })
            .collect()
    }
}

/// A span outside every file (none should be) is shown at the end of the last file.
fn locate_or_end(map: &SourceMap, span: Span) -> Location<'_> {
    map.locate(span)
        .or_else(|| map.locate(Span::new(map.end(), map.end())))
        .unwrap_or(Location {
            file: FileId(0),
            name: "",
            local: span,
            start: LineCol { line: 1, column: 1 },
            end: LineCol { line: 1, column: 1 },
            start_utf16: (0, 0),
            end_utf16: (0, 0),
        })
}

/// A secondary label with its position resolved ("first defined here", in its file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocatedRelated {
    pub label: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// A diagnostic with its position resolved: the shape of `keyplan check --format json`,
/// of the wasm API and of the language server's diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located {
    pub severity: Severity,
    pub code: String,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    pub file: String,
    /// 1-based line of the span's start.
    pub line: usize,
    /// 1-based column (in characters) of the span's start.
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub start_offset: usize,
    pub end_offset: usize,
}

/// Returns the candidate closest to `word` by edit distance, if any is close enough to be
/// a plausible typo. Used for every "did you mean" in the compiler. A word that differs
/// from a candidate only in letter case is the closest there is: the language is
/// case-sensitive, and `WORKLOAD` is a typo of `workload`.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    // Names longer than this are not typed by hand; comparing them would cost time
    // quadratic in their length for no useful suggestion.
    const MAX_LEN: usize = 64;
    let word_len = word.chars().count();
    if word_len > MAX_LEN {
        return None;
    }
    let mut best: Option<(usize, &'a str)> = None;
    for cand in candidates {
        let cand_len = cand.chars().count();
        let limit = (word_len.max(cand_len) / 3).max(1);
        // The distance is at least the difference in length: most candidates stop here.
        if cand_len > MAX_LEN || word_len.abs_diff(cand_len) > limit {
            continue;
        }
        let d = typo_distance(word, cand);
        // A candidate that shares no character with the word is no typo of it (`3` for
        // `1` or `2` was "did you mean `1`?").
        if d <= limit && d < word_len.max(cand_len) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment (Levenshtein plus adjacent transpositions, the most common
/// typo: `jtw` for `jwt`), but 0 for a word equal but for its letter case. Out of line:
/// [`did_you_mean`] is copied into every caller.
#[inline(never)]
fn typo_distance(word: &str, cand: &str) -> usize {
    if word.eq_ignore_ascii_case(cand) {
        return 0;
    }
    strsim::osa_distance(word, cand)
}

/// `text` as a message quotes it: control characters (a newline in a path, say) escaped
/// as Rust writes them (`\n`, `\u{1}`), everything else as written. Not `escape_debug`,
/// whose Unicode tables are 3 KB of the playground's wasm.
/// A diagnostic's text with its control characters escaped: the texts quote the
/// program (names, values), and a raw escape or line break in one would reach a
/// terminal or a CI log as it is (`\x1b[31m` recolouring it, a newline faking a line).
fn without_controls(text: String) -> String {
    match escape_controls(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(escaped) => escaped,
    }
}

/// `text` as a word of a shell variable's name: ASCII letters and digits in capitals, every
/// run of other characters one `_`, none at either end (`certs/ci-ca.pem` -> `CI_CA_PEM`
/// of its last segment, `auth/ci/role/x` -> `AUTH_CI_ROLE_X`). Empty when `text` has no
/// letter or digit.
pub fn shell_word(text: &str) -> String {
    let mut word = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        };
        if !(c == '_' && (word.is_empty() || word.ends_with('_'))) {
            word.push(c);
        }
    }
    if word.ends_with('_') {
        word.pop();
    }
    word
}

pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text` in double quotes, as `{:?}` writes a string for plain text: `"`, `\\` and
/// control characters escaped. Not `{:?}` itself, whose Unicode tables
/// (`char::escape_debug`) are kilobytes of the playground's wasm.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Formats a list of names for a message: `` `a`, `b` or `c` ``.
pub fn one_of<S: AsRef<str>>(names: &[S]) -> String {
    // Written into one string: generic over `S`, a `join` would be one more copy of
    // std's join in the playground's wasm per caller's type.
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == names.len() { " or " } else { ", " });
        }
        out.push('`');
        out.push_str(name.as_ref());
        out.push('`');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn shell_words_are_capitals_digits_and_single_underscores() {
        assert_eq!(super::shell_word("ci-ca.pem"), "CI_CA_PEM");
        assert_eq!(super::shell_word("/auth/ci//role/x_/"), "AUTH_CI_ROLE_X");
        assert_eq!(super::shell_word("é-2026"), "2026");
        assert_eq!(super::shell_word("--"), "");
    }

    use super::*;

    #[test]
    fn quotes_as_debug_does_for_plain_text() {
        for text in [
            "secret/data/*",
            "a \"b\" \\ c",
            "tab\there\nnewline",
            "",
            "é+ü",
        ] {
            assert_eq!(quoted(text), format!("{text:?}"));
        }
        assert_eq!(quoted("\u{1}"), "\"\\u{1}\"");
    }

    #[test]
    fn escapes_control_characters_only() {
        assert_eq!(escape_controls("secret/data/é\"x\\"), "secret/data/é\"x\\");
        assert_eq!(
            escape_controls("a\nb\tc\u{1}d\u{7f}"),
            "a\\nb\\tc\\u{1}d\\u{7f}"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["token_ttl", "token_max_ttl", "token_policies"];
        assert_eq!(did_you_mean("token_tll", names), Some("token_ttl"));
        assert_eq!(did_you_mean("policies", ["allowed_policies"]), None);
        assert_eq!(did_you_mean("zzz", names), None);
        assert_eq!(did_you_mean("jtw", ["jwt", "oidc"]), Some("jwt"));
        // No character in common: no typo (`version = 3` suggested `1`).
        assert_eq!(did_you_mean("3", ["1", "2"]), None);
        assert_eq!(did_you_mean("ab", ["cb"]), Some("cb"));
        assert_eq!(did_you_mean("A", ["a"]), Some("a"));
        let words = [
            "workload", "policy", "auth", "kv", "read", "list", "approle",
        ];
        for typed in [
            "WORKLOAD", "POLICY", "AUTH", "KV", "READ", "LIST", "APPROLE", "Read",
        ] {
            let want = typed.to_ascii_lowercase();
            assert_eq!(did_you_mean(typed, words), Some(want.as_str()), "{typed}");
        }
        // Closer than any typo: `Reader` is a typo of `reader`, not of `header`.
        assert_eq!(did_you_mean("Reader", ["header", "reader"]), Some("reader"));
        let long = "a".repeat(10_000);
        assert_eq!(did_you_mean(&long, [long.as_str()]), None);
    }

    #[test]
    fn lists_choices() {
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}

#[cfg(test)]
mod control_tests {
    use super::*;

    /// QA: a raw escape in a quoted value reached the terminal as it was.
    #[test]
    fn a_diagnostic_s_texts_hold_no_control_character() {
        let d = Diagnostic::warning("kp::x", Span::default(), "`TODO\x1b[31m` looks odd")
            .with_label("here\u{7}")
            .with_help("write `a\tb`\non one line")
            .with_related(Span::default(), "first\r");
        assert_eq!(d.message, "`TODO\\u{1b}[31m` looks odd");
        assert_eq!(d.label, "here\\u{7}");
        assert_eq!(d.help.as_deref(), Some("write `a\\tb`\\non one line"));
        assert_eq!(d.related[0].label, "first\\r");
        // Text without one is kept as it is.
        let plain = Diagnostic::error("kp::x", Span::default(), "`é` is fine");
        assert_eq!(plain.message, "`é` is fine");
    }
}
