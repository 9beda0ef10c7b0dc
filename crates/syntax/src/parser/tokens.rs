//! Token-level recognisers, written with nom.
//!
//! Each recogniser looks at the text at the lexer's cursor and either declines (nom error:
//! "not this kind of token") or consumes one token. Problems inside a token that has
//! clearly started (a bad escape, a missing closing quote) are not nom errors: they are
//! returned as data, so the lexer can report them and still produce a token, which keeps
//! the parser from cascading.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while, take_while1};
use nom::character::complete::{anychar, char, digit1, satisfy, space0};
use nom::combinator::{opt, recognize};
use nom::sequence::pair;
use nom::{IResult, Parser};

/// The unit error type: a declined recogniser needs no details, and it is the cheapest.
pub(super) type Res<'a, T> = IResult<&'a str, T, ()>;

pub(super) fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

pub(super) fn is_ident_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Byte offset of `rest` inside `whole`, where `rest` is a suffix of `whole`.
fn offset(whole: &str, rest: &str) -> usize {
    whole.len().saturating_sub(rest.len())
}

/// `[A-Za-z_][A-Za-z0-9_-]*`
pub(super) fn ident(i: &str) -> Res<'_, &str> {
    recognize(pair(satisfy(is_ident_start), take_while(is_ident_continue))).parse_complete(i)
}

/// Blanks that separate tokens. `\r` is here so CRLF files lex like LF files; a leading
/// byte-order mark is harmless too.
pub(super) fn blanks(i: &str) -> Res<'_, &str> {
    take_while1(|c| matches!(c, ' ' | '\t' | '\r' | '\u{feff}')).parse_complete(i)
}

/// `# ...` or `// ...` up to (not including) the newline.
pub(super) fn comment(i: &str) -> Res<'_, &str> {
    recognize(pair(alt((tag("#"), tag("//"))), take_till(|c| c == '\n'))).parse_complete(i)
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
    pub value: String,
    /// False when the line (or the file) ended before the closing quote.
    pub terminated: bool,
    /// Byte ranges, relative to the opening quote, of escapes that are not recognised.
    pub bad_escapes: Vec<(usize, usize)>,
}

/// `"..."` with `\" \\ \n \t` escapes. Strings end at the end of their line: a missing
/// quote then costs one line, not the rest of the file.
pub(super) fn string(i: &str) -> Res<'_, StrScan> {
    let (mut rest, _) = char('"').parse_complete(i)?;
    let mut scan = StrScan::default();
    loop {
        let (r, chunk) = take_till(|c| matches!(c, '"' | '\\' | '\n')).parse_complete(rest)?;
        scan.value.push_str(chunk);
        rest = r;
        if let Ok((r, _)) = char::<_, ()>('"').parse_complete(rest) {
            scan.terminated = true;
            return Ok((r, scan));
        }
        let Ok((after_backslash, _)) = char::<_, ()>('\\').parse_complete(rest) else {
            // A newline or the end of the input: unterminated.
            return Ok((rest, scan));
        };
        match anychar::<_, ()>(after_backslash) {
            Ok((r, c @ ('"' | '\\' | 'n' | 't'))) => {
                scan.value.push(match c {
                    'n' => '\n',
                    't' => '\t',
                    other => other,
                });
                rest = r;
            }
            Ok((r, c)) if c != '\n' => {
                let start = offset(i, rest);
                scan.bad_escapes.push((start, offset(i, r)));
                // Keep the text as written: the best guess at what was meant.
                scan.value.push('\\');
                scan.value.push(c);
                rest = r;
            }
            // A backslash at the end of the line: the string is unterminated.
            _ => {
                scan.value.push('\\');
                return Ok((after_backslash, scan));
            }
        }
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

/// `<<EOT` or `<<-EOT`, then lines up to one holding only `EOT` (blanks around it are
/// allowed). The value is the lines in between, each ending in `\n`, as in HCL; `<<-`
/// removes the indentation common to all non-blank lines. The token ends right after the
/// closing marker, so the newline that follows still separates entries.
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
        if line.trim() == marker {
            let marker_end =
                offset(i, rest) + (line.len() - line.trim_start().len()) + marker.len();
            scan.terminated = true;
            scan.value = join_lines(&lines, dash.is_some());
            return Ok((i.get(marker_end..).unwrap_or_default(), scan));
        }
        lines.push(line.strip_suffix('\r').unwrap_or(line));
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
        let (rest, s) = string(r#""a\"b\\c\nd\te" x"#).unwrap();
        assert_eq!(s.value, "a\"b\\c\nd\te");
        assert!(s.terminated);
        assert_eq!(rest, " x");
    }

    #[test]
    fn strings_stop_at_newline() {
        let (rest, s) = string("\"abc\ndef\"").unwrap();
        assert!(!s.terminated);
        assert_eq!(s.value, "abc");
        assert_eq!(rest, "\ndef\"");
    }

    #[test]
    fn strings_keep_bad_escapes() {
        let (_, s) = string(r#""a\qb""#).unwrap();
        assert_eq!(s.value, "a\\qb");
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
    }

    #[test]
    fn env_calls() {
        let (rest, e) = env_call("env( \"X\" ) y").unwrap();
        assert_eq!(e.name.value, "X");
        assert_eq!(e.lit, (5, 8));
        assert_eq!(rest, " y");
        assert!(env_call("env(X)").is_err());
    }
}
