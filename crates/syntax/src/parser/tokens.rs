//! Token-level recognisers, written with nom where it serves (numbers, heredocs,
//! `env(...)`) and over bytes for the hot ones (words, blanks, comments, strings).
//!
//! Each recogniser looks at the text at the lexer's cursor and either declines (nom error:
//! "not this kind of token") or consumes one token. Problems inside a token that has
//! clearly started (a bad escape, a missing closing quote) are not nom errors: they are
//! returned as data, so the lexer can report them and still produce a token, which keeps
//! the parser from cascading.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while, take_while1};
use nom::character::complete::{anychar, char, digit1, space0};
use nom::combinator::{opt, recognize};
use nom::sequence::pair;
use nom::{IResult, Parser};

/// The unit error type: a declined recogniser needs no details, and it is the cheapest.
pub(super) type Res<'a, T> = IResult<&'a str, T, ()>;

pub(super) fn is_ident_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Byte offset of `rest` inside `whole`, where `rest` is a suffix of `whole`.
fn offset(whole: &str, rest: &str) -> usize {
    whole.len().saturating_sub(rest.len())
}

/// `[A-Za-z_][A-Za-z0-9_-]*`
pub(super) fn ident(i: &str) -> Res<'_, &str> {
    let bytes = i.as_bytes();
    match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {}
        _ => return Err(nom::Err::Error(())),
    }
    Ok(split(i, super::scan::word_end(bytes, 1)))
}

/// `(rest, taken)` after the first `len` bytes of `i`.
fn split(i: &str, len: usize) -> (&str, &str) {
    match (i.get(len..), i.get(..len)) {
        (Some(rest), Some(taken)) => (rest, taken),
        _ => ("", i),
    }
}

const BOM: &str = "\u{feff}";

/// Blanks that separate tokens. `\r` is here so CRLF files lex like LF files; a leading
/// byte-order mark is harmless too.
pub(super) fn blanks(i: &str) -> Res<'_, &str> {
    let bytes = i.as_bytes();
    let mut len = 0;
    loop {
        match bytes.get(len) {
            Some(b' ' | b'\t' | b'\r') => len += 1,
            Some(0xEF) if i.get(len..).is_some_and(|r| r.starts_with(BOM)) => len += BOM.len(),
            _ => break,
        }
    }
    if len == 0 {
        return Err(nom::Err::Error(()));
    }
    Ok(split(i, len))
}

/// `# ...` or `// ...` up to (not including) the newline.
pub(super) fn comment(i: &str) -> Res<'_, &str> {
    if !(i.starts_with('#') || i.starts_with("//")) {
        return Err(nom::Err::Error(()));
    }
    Ok(split(i, i.find('\n').unwrap_or(i.len())))
}

/// A run of characters that cannot start any token, reported as one unexpected token.
/// Characters that *may* start a token but did not here (`/`, `<`, `-`) are taken one at
/// a time so the next token after them is still found.
pub(super) fn unknown(i: &str) -> Res<'_, &str> {
    alt((take_while1(|c| !may_start_token(c)), recognize(anychar))).parse_complete(i)
}

fn may_start_token(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c.is_ascii_whitespace()
        || matches!(
            c,
            '_' | '"' | '#' | '{' | '}' | '[' | ']' | '(' | ')' | ',' | '=' | '.' | '<' | '-' | '/'
        )
}

/// A double-quoted string, as far as it goes.
#[derive(Debug, Default)]
pub(super) struct StrScan {
    /// The value, when it differs from the text between the quotes (an escape was
    /// resolved); `None` for the common string that is its own source text.
    pub owned: Option<String>,
    /// End of the text between the quotes, relative to the opening quote (it starts at 1).
    pub content_end: usize,
    /// False when the line (or the file) ended before the closing quote.
    pub terminated: bool,
    /// Byte ranges, relative to the opening quote, of escapes that are not recognised.
    pub bad_escapes: Vec<(usize, usize)>,
}

impl StrScan {
    /// The value, given `token`: the text of the string's token.
    #[cfg(test)]
    pub fn value<'a>(&'a self, token: &'a str) -> &'a str {
        match &self.owned {
            Some(v) => v,
            None => token.get(1..self.content_end).unwrap_or_default(),
        }
    }
}

/// `"..."` with `\" \\ \n \t` escapes. Strings end at the end of their line: a missing
/// quote then costs one line, not the rest of the file.
///
/// Hand-written over bytes rather than with nom: strings are a third of the source, and
/// the common one (no escape) is a single search for the next `"`, `\` or newline, with
/// no copy (the value is a range of the source).
pub(super) fn string(i: &str) -> Res<'_, StrScan> {
    let bytes = i.as_bytes();
    if bytes.first() != Some(&b'"') {
        return Err(nom::Err::Error(()));
    }
    let mut scan = StrScan::default();
    // Start of the text not yet copied into `scan.owned` (only read once it exists).
    let mut chunk = 1;
    let mut pos = 1;
    loop {
        let found = bytes
            .get(pos..)
            .unwrap_or_default()
            .iter()
            .position(|&b| matches!(b, b'"' | b'\\' | b'\n'));
        let at = found.map_or(bytes.len(), |f| pos + f);
        if let Some(owned) = &mut scan.owned {
            owned.push_str(i.get(chunk..at).unwrap_or_default());
        }
        match bytes.get(at) {
            Some(b'"') => {
                scan.content_end = at;
                scan.terminated = true;
                return Ok((i.get(at + 1..).unwrap_or_default(), scan));
            }
            Some(b'\\') => {}
            // A newline or the end of the input: unterminated.
            _ => {
                scan.content_end = at;
                return Ok((i.get(at..).unwrap_or_default(), scan));
            }
        }
        let after_backslash = at + 1;
        let owned = scan
            .owned
            .get_or_insert_with(|| String::from(i.get(1..at).unwrap_or_default()));
        match i.get(after_backslash..).and_then(|r| r.chars().next()) {
            Some(c @ ('"' | '\\' | 'n' | 't')) => {
                owned.push(match c {
                    'n' => '\n',
                    't' => '\t',
                    other => other,
                });
                pos = after_backslash + 1;
            }
            Some(c) if c != '\n' => {
                let end = after_backslash + c.len_utf8();
                scan.bad_escapes.push((at, end));
                // Keep the text as written: the best guess at what was meant.
                owned.push('\\');
                owned.push(c);
                pos = end;
            }
            // A backslash at the end of the line: the string is unterminated.
            _ => {
                owned.push('\\');
                scan.content_end = after_backslash;
                return Ok((i.get(after_backslash..).unwrap_or_default(), scan));
            }
        }
        chunk = pos;
    }
}

/// What follows the digits of a number.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum NumberTail<'a> {
    None,
    /// One of `s m h d`, directly after the digits.
    Unit(char),
    /// Anything else glued to the digits (`10x`, `1h30m`, `1.5`, `3-4`): not a number.
    Junk(&'a str),
}

/// `-?[0-9]+` plus whatever is glued to it. Returns the signed digits and the tail.
pub(super) fn number(i: &str) -> Res<'_, (&str, NumberTail<'_>)> {
    let (rest, digits) = recognize(pair(opt(char('-')), digit1)).parse_complete(i)?;
    // `1.5` would otherwise lex as `1`, `.`, `5`: take the fraction as part of the junk.
    let fraction = recognize(pair(char::<_, ()>('.'), digit1)).parse_complete(rest);
    let (after, tail) = match fraction {
        Ok((r, _)) => {
            let (r, _) = take_while(is_ident_continue).parse_complete(r)?;
            (r, rest.get(..offset(rest, r)).unwrap_or_default())
        }
        Err(_) => take_while(is_ident_continue).parse_complete(rest)?,
    };
    let tail = match tail {
        "" => NumberTail::None,
        "s" | "m" | "h" | "d" => NumberTail::Unit(tail.chars().next().unwrap_or('s')),
        junk => NumberTail::Junk(junk),
    };
    Ok((after, (digits, tail)))
}

/// `env("NAME")` in its well-formed shape (blanks allowed inside the parentheses).
/// Malformed calls are declined here and diagnosed by the parser, which has the context.
pub(super) struct EnvScan {
    /// Start and end of the string literal (quotes included), relative to `env`.
    pub lit: (usize, usize),
    pub name: StrScan,
}

pub(super) fn env_call(i: &str) -> Res<'_, EnvScan> {
    let (r, _) = (tag("env"), space0, char('('), space0).parse_complete(i)?;
    let lit_start = offset(i, r);
    let (r, name) = string(r)?;
    if !name.terminated {
        return Err(nom::Err::Error(()));
    }
    let lit_end = offset(i, r);
    let (r, _) = (space0, char(')')).parse_complete(r)?;
    Ok((
        r,
        EnvScan {
            lit: (lit_start, lit_end),
            name,
        },
    ))
}

/// A heredoc, as far as it goes.
#[derive(Debug)]
pub(super) struct HeredocScan<'a> {
    pub marker: &'a str,
    /// Length of `<<EOT` / `<<-EOT`.
    pub opener_len: usize,
    /// Text after the marker on the opening line (relative range), which is not allowed.
    pub trailing: Option<(usize, usize)>,
    pub value: String,
    pub terminated: bool,
}

/// `<<EOT` or `<<-EOT`, then lines up to one holding only `EOT`, which `<<-` allows to be
/// indented (a `\r` before the newline is no part of a line). The value is the lines in
/// between, each ending in `\n`, as in HCL; `<<-` removes the indentation common to all
/// non-blank lines. The token ends right after the closing marker, so the newline that
/// follows still separates entries.
pub(super) fn heredoc(i: &str) -> Res<'_, HeredocScan<'_>> {
    let (r, (_, dash, marker)) = (tag("<<"), opt(char('-')), ident).parse_complete(i)?;
    let opener_len = offset(i, r);
    let (r, trail) = take_till(|c| c == '\n').parse_complete(r)?;
    let trailing = (!trail.trim().is_empty()).then(|| {
        let start = opener_len + (trail.len() - trail.trim_start().len());
        (start, opener_len + trail.trim_end().len())
    });
    let mut scan = HeredocScan {
        marker,
        opener_len,
        trailing,
        value: String::new(),
        terminated: false,
    };
    let Ok((mut rest, _)) = char::<_, ()>('\n').parse_complete(r) else {
        return Ok((r, scan));
    };
    let mut lines: Vec<&str> = Vec::new();
    while !rest.is_empty() {
        let (after_line, line) = take_till(|c| c == '\n').parse_complete(rest)?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let body = if dash.is_some() {
            line.trim_start_matches([' ', '\t'])
        } else {
            line
        };
        if body == marker {
            let marker_end = offset(i, rest) + line.len();
            scan.terminated = true;
            scan.value = join_lines(&lines, dash.is_some());
            return Ok((i.get(marker_end..).unwrap_or_default(), scan));
        }
        lines.push(line);
        rest = opt(char('\n')).parse_complete(after_line)?.0;
    }
    scan.value = join_lines(&lines, dash.is_some());
    Ok((rest, scan))
}

fn join_lines(lines: &[&str], strip_indent: bool) -> String {
    let indent = if strip_indent {
        lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
            .min()
            .unwrap_or(0)
    } else {
        0
    };
    let mut out = String::new();
    for line in lines {
        // Blanks and tabs are one byte each, so `indent` is a char boundary on every
        // non-blank line; blank lines may be shorter and become empty.
        out.push_str(line.get(indent..).unwrap_or(""));
        out.push('\n');
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn strings_resolve_escapes() {
        let src = r#""a\"b\\c\nd\te" x"#;
        let (rest, s) = string(src).unwrap();
        assert_eq!(s.value(src), "a\"b\\c\nd\te");
        assert!(s.terminated);
        assert_eq!(rest, " x");
    }

    #[test]
    fn strings_stop_at_newline() {
        let (rest, s) = string("\"abc\ndef\"").unwrap();
        assert!(!s.terminated);
        assert_eq!(s.value("\"abc\ndef\""), "abc");
        assert_eq!(rest, "\ndef\"");
    }

    #[test]
    fn strings_keep_bad_escapes() {
        let (_, s) = string(r#""a\qb""#).unwrap();
        assert_eq!(s.value(""), "a\\qb");
        assert_eq!(s.bad_escapes, vec![(2, 4)]);
    }

    #[test]
    fn numbers_and_units() {
        assert_eq!(
            number("90s,").unwrap(),
            (",", ("90", NumberTail::Unit('s')))
        );
        assert_eq!(number("-12]").unwrap(), ("]", ("-12", NumberTail::None)));
        assert_eq!(number("1h30m").unwrap().1 .1, NumberTail::Junk("h30m"));
        assert_eq!(number("1.5h").unwrap().1 .1, NumberTail::Junk(".5h"));
        assert!(number("-x").is_err());
    }

    #[test]
    fn heredocs() {
        let src = "<<EOT\nline 1\n  line 2\nEOT\nx";
        let (rest, h) = heredoc(src).unwrap();
        assert!(h.terminated);
        assert_eq!(h.value, "line 1\n  line 2\n");
        assert_eq!(rest, "\nx");

        let (_, h) = heredoc("<<-EOT\n    a\n      b\n\n    EOT").unwrap();
        assert_eq!(h.value, "a\n  b\n\n");

        let (rest, h) = heredoc("<<EOT\nabc").unwrap();
        assert!(!h.terminated);
        assert_eq!(rest, "");

        // Only `<<-` ends at an indented marker; a tab and a space are one column each.
        let (rest, h) = heredoc("<<EOT\n  EOT\nEOT \nEOT\r\nx").unwrap();
        assert_eq!((h.value.as_str(), rest), ("  EOT\nEOT \n", "\r\nx"));
        let (rest, h) = heredoc("<<-EOT\n\ta\n  b\n \tEOT\nx").unwrap();
        assert_eq!((h.value.as_str(), rest), ("a\n b\n", "\nx"));
        let (rest, h) = heredoc("<<-EOT\n  a\n  EOT  \n").unwrap();
        assert_eq!((h.terminated, rest), (false, ""));
    }

    #[test]
    fn env_calls() {
        let (rest, e) = env_call("env( \"X\" ) y").unwrap();
        assert_eq!(e.name.value("\"X\""), "X");
        assert_eq!(e.lit, (5, 8));
        assert_eq!(rest, " y");
        assert!(env_call("env(X)").is_err());
    }
}
