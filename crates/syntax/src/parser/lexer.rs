//! Source text to tokens. Trivia (blanks, comments) is dropped; newlines are kept because
//! they end entries. Problems inside a token are reported here, once, and the token is
//! still produced (or replaced by [`TokenKind::Invalid`]) so the parser does not cascade.

use std::collections::VecDeque;
use std::sync::Arc;

use kp_diag::{Diagnostic, Span};

use super::tokens::{self, NumberTail, StrScan};
use super::{codes, scan};
use crate::ast::{DurationUnit, StrLit, Text};

/// What a token is. Tokens are `Copy` (no payload to drop or move around): a string's
/// value is usually the text between its quotes, and the rare values that are not (an
/// escape resolved, a heredoc, `env(...)`) wait in [`Lexer::values`] until the parser
/// consumes their token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenKind {
    /// A bare word; its text is the source under the span.
    Ident,
    /// A string. Its value is the text between the quotes, unless the token is
    /// [`Token::queued`] (escapes resolved, or no closing quote).
    Str,
    /// A heredoc; its value is in the lexer's queue.
    Heredoc,
    /// An integer or a duration; its value is in the lexer's queue (which keeps the
    /// token, moved and copied at every step, at 24 bytes).
    Int,
    Duration,
    /// A well-formed `env("NAME")` (its literal is in the lexer's queue); malformed calls
    /// arrive as `env`, `(`, ... tokens.
    Env,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Comma,
    Eq,
    Dot,
    Newline,
    /// Characters that start no token; the parser reports them in context.
    Unknown,
    /// A malformed token the lexer has already reported; the parser skips it silently.
    Invalid,
    Eof,
}

/// A value that is not the text under its token, in token order.
#[derive(Debug)]
pub(super) enum Queued {
    Text(Text),
    Env(Box<StrLit>),
    Int(i64),
    Duration(u64, DurationUnit),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Token {
    pub kind: TokenKind,
    /// Whether the token's value waits in [`Lexer::values`]: always for heredocs,
    /// numbers and `env(...)`, for strings whose value is not their text.
    pub queued: bool,
    pub span: Span,
}

impl Token {
    /// The end of the file (where is for the lexer to say: this is a placeholder).
    pub(super) const EOF: Token = Token {
        kind: TokenKind::Eof,
        queued: false,
        span: Span { start: 0, end: 0 },
    };
}

/// Produces tokens on demand, so memory stays proportional to the tree rather than to
/// the token count (which random input can push to one per byte).
pub(super) struct Lexer<'s> {
    src: &'s str,
    /// Where the next token starts.
    pos: usize,
    /// The buffer holding `src` that the [`Text`] of names and strings are ranges of.
    pub(super) shared: Arc<String>,
    /// The values of the queued tokens produced and not yet consumed, in order.
    pub(super) values: VecDeque<Queued>,
    pub(super) diags: Vec<Diagnostic>,
    /// An unterminated heredoc ran to the end of the file: the parser should not also
    /// report every block left open by it.
    pub(super) swallowed_eof: bool,
    /// Spans of the comments passed over, in order: the tree has no place for them, but
    /// the formatter and editors need them.
    pub(super) comments: Vec<Span>,
    /// Where each unterminated string starts, in order.
    pub(super) unterminated: Vec<usize>,
}

impl<'s> Lexer<'s> {
    /// A lexer over `shared`, the text of one file, whose names and strings become
    /// ranges of `shared` itself (no copy).
    pub(super) fn new(src: &'s str, shared: Arc<String>) -> Self {
        Lexer::at(src, shared, 0)
    }

    /// [`Lexer::new`] starting at `pos`, which must be where a token starts (or a line,
    /// or the end): tokens depend on the text from where they start on, never before.
    pub(super) fn at(src: &'s str, shared: Arc<String>, pos: usize) -> Self {
        Lexer {
            src,
            pos,
            shared,
            values: VecDeque::new(),
            diags: Vec::new(),
            swallowed_eof: false,
            comments: Vec::new(),
            unterminated: Vec::new(),
        }
    }

    /// The next token; [`TokenKind::Eof`] at the end, as often as asked.
    pub(super) fn next(&mut self) -> Token {
        let mut one = [Token::EOF];
        self.lex_into(&mut one);
        one[0]
    }

    /// Lexes tokens into `out` until it is full or the file has ended (its
    /// [`TokenKind::Eof`] included); returns how many, at least one if `out` is not empty.
    ///
    /// The tokens that make up nearly all of a program (blanks, newlines, punctuation,
    /// words, strings without escapes) are recognised here in one step over the bytes;
    /// everything else, and every error, takes the general path ([`Self::next_token`]).
    /// A batch at a time, in one loop with the cursor in a local: a call per token was a
    /// third of the parse.
    #[inline(never)]
    pub(super) fn lex_into(&mut self, out: &mut [Token]) -> usize {
        let bytes = self.src.as_bytes();
        let mut pos = self.pos;
        let mut filled = 0;
        while let Some(slot) = out.get_mut(filled) {
            let start = pos;
            let Some(&first) = bytes.get(start) else {
                *slot = Token {
                    kind: TokenKind::Eof,
                    queued: false,
                    span: Span::new(bytes.len(), bytes.len()),
                };
                filled += 1;
                break;
            };
            let (end, kind) = match first {
                // Most often one space (`role r {`, `= "ca"`), else a run (alignment,
                // indentation).
                b' ' if bytes.get(start + 1) != Some(&b' ') => {
                    pos = start + 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' => {
                    pos = scan::blanks_end(bytes, start + 1);
                    continue;
                }
                b'\n' => (start + 1, TokenKind::Newline),
                b'{' => (start + 1, TokenKind::LBrace),
                b'}' => (start + 1, TokenKind::RBrace),
                b'[' => (start + 1, TokenKind::LBracket),
                b']' => (start + 1, TokenKind::RBracket),
                b'(' => (start + 1, TokenKind::LParen),
                b')' => (start + 1, TokenKind::RParen),
                b',' => (start + 1, TokenKind::Comma),
                b'=' => (start + 1, TokenKind::Eq),
                b'.' => (start + 1, TokenKind::Dot),
                b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                    let end = scan::word_end(bytes, start + 1);
                    // `env` may start an `env("NAME")` token: general path.
                    if end - start == 3 && bytes.get(start..end) == Some(b"env") {
                        pos = self.general(start, slot, &mut filled);
                        continue;
                    }
                    (end, TokenKind::Ident)
                }
                b'0'..=b'9' => match plain_number(bytes, start) {
                    Some((end, value)) => {
                        let kind = match value {
                            Queued::Int(_) => TokenKind::Int,
                            _ => TokenKind::Duration,
                        };
                        self.values.push_back(value);
                        *slot = Token {
                            kind,
                            queued: true,
                            span: Span::new(start, end),
                        };
                        filled += 1;
                        pos = end;
                        continue;
                    }
                    None => {
                        pos = self.general(start, slot, &mut filled);
                        continue;
                    }
                },
                b'"' => {
                    let stop = scan::string_stop(bytes, start + 1);
                    if bytes.get(stop) != Some(&b'"') {
                        pos = self.general(start, slot, &mut filled);
                        continue;
                    }
                    (stop + 1, TokenKind::Str)
                }
                _ => {
                    pos = self.general(start, slot, &mut filled);
                    continue;
                }
            };
            *slot = Token {
                kind,
                queued: false,
                span: Span::new(start, end),
            };
            filled += 1;
            // Most tokens are followed by one space (`role r {`, `= "ca"`): passed over
            // here, without a turn of the loop (a longer run takes one).
            pos = end + usize::from(bytes.get(end) == Some(&b' '));
        }
        self.pos = pos;
        filled
    }

    /// [`Self::next_token`] at `start`, into `slot` if it makes a token (counted in
    /// `filled`); returns where the cursor is then. Out of line: the rare path.
    #[inline(never)]
    fn general(&mut self, start: usize, slot: &mut Token, filled: &mut usize) -> usize {
        self.pos = start;
        if let Some(token) = self.next_token() {
            *slot = token;
            *filled += 1;
        }
        self.pos
    }

    /// The text from the cursor on.
    fn rest(&self) -> &'s str {
        self.src.get(self.pos..).unwrap_or_default()
    }

    /// Moves the cursor to `rest` and makes the text passed over one token.
    fn push(&mut self, rest: &'s str, kind: TokenKind) -> Token {
        let start = self.pos;
        self.pos = self.src.len() - rest.len();
        Token {
            kind,
            queued: false,
            span: Span::new(start, self.pos),
        }
    }

    /// [`Self::push`] for a token whose value is queued.
    fn push_queued(&mut self, rest: &'s str, kind: TokenKind, value: Queued) -> Token {
        self.values.push_back(value);
        Token {
            queued: true,
            ..self.push(rest, kind)
        }
    }

    fn text(&self, span: Span) -> &'s str {
        self.src.get(span.start..span.end).unwrap_or_default()
    }

    /// The text `start..end` of the source, shared.
    #[inline]
    pub(super) fn slice(&self, start: usize, end: usize) -> Text {
        Text::slice(&self.shared, start, end)
    }

    /// The value of a string scanned at `start`.
    fn string_value(&self, start: usize, scan: StrScan) -> Text {
        match scan.owned {
            Some(value) => Text::from(value),
            None => self.slice(start + 1, start + scan.content_end),
        }
    }

    /// The general path: one token, or `None` after passing over trivia.
    fn next_token(&mut self) -> Option<Token> {
        let rest = self.rest();
        let &first = rest.as_bytes().first()?;
        let punct = match first {
            b' ' | b'\t' | b'\r' | 0xEF => {
                if let Ok((rest, _)) = tokens::blanks(rest) {
                    self.pos = self.src.len() - rest.len();
                    return None;
                }
                None
            }
            b'#' | b'/' => {
                if let Ok((rest, _)) = tokens::comment(rest) {
                    let start = self.pos;
                    self.pos = self.src.len() - rest.len();
                    self.comments.push(Span::new(start, self.pos));
                    return None;
                }
                None
            }
            b'\n' => Some(TokenKind::Newline),
            b'{' => Some(TokenKind::LBrace),
            b'}' => Some(TokenKind::RBrace),
            b'[' => Some(TokenKind::LBracket),
            b']' => Some(TokenKind::RBracket),
            b'(' => Some(TokenKind::LParen),
            b')' => Some(TokenKind::RParen),
            b',' => Some(TokenKind::Comma),
            b'=' => Some(TokenKind::Eq),
            b'.' => Some(TokenKind::Dot),
            _ => None,
        };
        if let Some(kind) = punct {
            return Some(self.push(rest.get(1..).unwrap_or_default(), kind));
        }
        Some(match first {
            b'"' => self.string(),
            b'<' => self.heredoc(),
            b if b.is_ascii_alphabetic() || b == b'_' => self.word(),
            b if b.is_ascii_digit() || b == b'-' => self.number(),
            _ => self.unknown(),
        })
    }

    fn unknown(&mut self) -> Token {
        match tokens::unknown(self.rest()) {
            Ok((rest, _)) => self.push(rest, TokenKind::Unknown),
            // Unreachable with a non-empty input, but never spin if it happens.
            Err(_) => self.push("", TokenKind::Unknown),
        }
    }

    fn word(&mut self) -> Token {
        let Ok((rest, name)) = tokens::ident(self.rest()) else {
            return self.unknown();
        };
        if name == "env" {
            if let Ok((after, call)) = tokens::env_call(self.rest()) {
                let start = self.pos;
                self.report_bad_escapes(start + call.lit.0, &call.name.bad_escapes);
                let value = StrLit {
                    value: self.string_value(start + call.lit.0, call.name),
                    span: Span::new(start + call.lit.0, start + call.lit.1),
                };
                return self.push_queued(after, TokenKind::Env, Queued::Env(Box::new(value)));
            }
        }
        self.push(rest, TokenKind::Ident)
    }

    fn string(&mut self) -> Token {
        let Ok((rest, scan)) = tokens::string(self.rest()) else {
            return self.unknown();
        };
        let start = self.pos;
        self.report_bad_escapes(start, &scan.bad_escapes);
        if !scan.terminated {
            self.unterminated.push(start);
            self.diags.push(
                Diagnostic::error(
                    codes::UNTERMINATED_STRING,
                    Span::new(start, start + 1),
                    "unterminated string",
                )
                .with_label("this string has no closing `\"`")
                .with_help(
                    "close it with `\"` on the same line; for text over several lines use \
                     a heredoc (`<<EOT`)",
                ),
            );
        }
        let value = self.string_value(start, scan);
        self.push_queued(rest, TokenKind::Str, Queued::Text(value))
    }

    fn report_bad_escapes(&mut self, base: usize, bad: &[(usize, usize)]) {
        for &(a, b) in bad {
            let span = Span::new(base + a, base + b);
            let text = self.text(span);
            self.diags.push(
                Diagnostic::error(
                    codes::INVALID_ESCAPE,
                    span,
                    format!("invalid escape `{text}` in string"),
                )
                .with_label("unknown escape")
                .with_help(
                    r#"the escapes are `\"`, `\\`, `\n` and `\t`; write `\\` for a backslash"#,
                ),
            );
        }
    }

    fn heredoc(&mut self) -> Token {
        let start = self.pos;
        let scan = match tokens::heredoc(self.rest()) {
            Ok(found) => found,
            Err(_) if self.rest().starts_with("<<") => {
                let rest = self.rest().get(2..).unwrap_or_default();
                let token = self.push(rest, TokenKind::Invalid);
                let span = token.span;
                self.diags.push(
                    Diagnostic::error(
                        codes::INVALID_HEREDOC,
                        span,
                        "expected a marker name after `<<`",
                    )
                    .with_label("heredoc without a marker")
                    .with_help(
                        "a heredoc starts with `<<EOT` (or `<<-EOT`) and ends with a line \
                         holding only `EOT`",
                    ),
                );
                return token;
            }
            Err(_) => return self.unknown(),
        };
        let (rest, scan) = scan;
        let opener = Span::new(start, start + scan.opener_len);
        let opener_text = self.text(opener);
        if let Some((a, b)) = scan.trailing {
            self.diags.push(
                Diagnostic::error(
                    codes::INVALID_HEREDOC,
                    Span::new(start + a, start + b),
                    format!("unexpected text after `{opener_text}`"),
                )
                .with_label("the heredoc's text starts on the next line")
                .with_help(format!("put `{opener_text}` last on its line")),
            );
        }
        if !scan.terminated {
            self.swallowed_eof = true;
            let marker = scan.marker;
            let diag = Diagnostic::error(
                codes::UNTERMINATED_HEREDOC,
                opener,
                format!("unterminated heredoc `{opener_text}`"),
            )
            .with_label(format!("no line holding only `{marker}` follows"))
            .with_help(format!(
                "end the text with a line holding only `{marker}` (indented only after `<<-`)"
            ));
            self.diags.push(diag);
        }
        let value = Queued::Text(Text::from(scan.value));
        self.push_queued(rest, TokenKind::Heredoc, value)
    }

    fn number(&mut self) -> Token {
        let Ok((rest, (digits, tail))) = tokens::number(self.rest()) else {
            return self.unknown();
        };
        let start = self.pos;
        let span = Span::new(start, self.src.len() - rest.len());
        let value = match tail {
            NumberTail::None => self.integer(span, digits),
            NumberTail::Unit(unit) => self.duration(span, digits, unit),
            NumberTail::Junk(junk) => {
                self.malformed_number(span, junk);
                None
            }
        };
        match value {
            Some(value @ Queued::Int(_)) => self.push_queued(rest, TokenKind::Int, value),
            Some(value) => self.push_queued(rest, TokenKind::Duration, value),
            None => self.push(rest, TokenKind::Invalid),
        }
    }

    fn integer(&mut self, span: Span, digits: &str) -> Option<Queued> {
        Some(match digits.parse::<i64>() {
            Ok(n) => Queued::Int(n),
            Err(_) => {
                self.diags.push(
                    Diagnostic::error(
                        codes::INTEGER_OVERFLOW,
                        span,
                        format!("integer `{digits}` is out of range"),
                    )
                    .with_label("does not fit in 64 bits")
                    .with_help(format!(
                        "integers range from {} to {}",
                        i64::MIN,
                        i64::MAX
                    )),
                );
                // Saturate: the value is wrong anyway, and the tree stays well-formed.
                Queued::Int(if digits.starts_with('-') {
                    i64::MIN
                } else {
                    i64::MAX
                })
            }
        })
    }

    fn duration(&mut self, span: Span, digits: &str, unit: char) -> Option<Queued> {
        let text = self.text(span);
        if digits.starts_with('-') {
            self.diags.push(
                Diagnostic::error(
                    codes::INVALID_DURATION,
                    span,
                    format!("invalid duration `{text}`"),
                )
                .with_label("durations cannot be negative")
                .with_help("write a duration as digits and a unit, e.g. `90s`"),
            );
            return None;
        }
        let unit = match unit {
            'm' => DurationUnit::Minutes,
            'h' => DurationUnit::Hours,
            'd' => DurationUnit::Days,
            _ => DurationUnit::Seconds,
        };
        let amount = digits.parse::<u64>().unwrap_or(u64::MAX);
        // The server reads a duration into Go's `time.Duration`, signed 64-bit
        // nanoseconds: above 9,223,372,036 s it refuses the write ("multiplication of
        // durations resulted in overflow", OpenBao 2.7.2).
        let seconds = amount
            .checked_mul(unit.seconds())
            .filter(|s| *s <= MAX_DURATION_SECONDS);
        if seconds.is_none() {
            self.diags.push(
                Diagnostic::error(
                    codes::INTEGER_OVERFLOW,
                    span,
                    format!("duration `{text}` is out of range"),
                )
                .with_label("too many seconds to represent")
                .with_help(format!(
                    "durations are at most {MAX_DURATION_SECONDS}s (about 292 years)"
                )),
            );
        }
        Some(Queued::Duration(amount, unit))
    }

    fn malformed_number(&mut self, span: Span, junk: &str) {
        let text = self.text(span);
        let diag = if junk.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let help = match compound_duration_seconds(text) {
                Some(total) => format!("use a single unit: `{total}s`"),
                None => "a duration is an integer directly followed by `s`, `m`, `h` or `d`, \
                         e.g. `90s`, `15m`, `1h`, `7d`"
                    .to_string(),
            };
            Diagnostic::error(
                codes::INVALID_DURATION,
                span,
                format!("invalid duration `{text}`"),
            )
            .with_label("not a number followed by one unit")
            .with_help(help)
        } else {
            let help = if junk.starts_with('.') {
                "only whole numbers are supported; a duration takes a smaller unit (`90m`, not `1.5h`)"
            } else {
                "an integer is digits with an optional leading `-`"
            };
            Diagnostic::error(
                codes::INVALID_NUMBER,
                span,
                format!("invalid number `{text}`"),
            )
            .with_label("not a valid integer")
            .with_help(help)
        };
        self.diags.push(diag);
    }
}

/// The value and end of the number at `start` when it is a plain one: an integer or a
/// duration of a few digits, followed by neither more of a word nor a fraction. Any
/// other number (an error to report, a value that may not fit) takes the general path,
/// which gives the same value for these.
#[inline]
fn plain_number(bytes: &[u8], start: usize) -> Option<(usize, Queued)> {
    let mut end = start;
    let mut value: u64 = 0;
    while let Some(&b @ b'0'..=b'9') = bytes.get(end) {
        value = value * 10 + u64::from(b - b'0');
        end += 1;
        // 18 digits always fit in an `i64`.
        if end - start > 18 {
            return None;
        }
    }
    let ends_word = |at: usize| bytes.get(at).is_none_or(|&b| !scan::WORD[usize::from(b)]);
    let unit = match bytes.get(end) {
        Some(b'.') => return None,
        Some(b's') => DurationUnit::Seconds,
        Some(b'm') => DurationUnit::Minutes,
        Some(b'h') => DurationUnit::Hours,
        Some(b'd') => DurationUnit::Days,
        _ if ends_word(end) => return Some((end, Queued::Int(i64::try_from(value).ok()?))),
        _ => return None,
    };
    // Five digits of days stay below the longest duration.
    (ends_word(end + 1) && end - start <= 5).then_some((end + 1, Queued::Duration(value, unit)))
}

/// The longest duration a server takes: Go's `time.Duration` is 64-bit nanoseconds.
const MAX_DURATION_SECONDS: u64 = i64::MAX as u64 / 1_000_000_000;

/// The total of `1h30m`-style text, to suggest the single-unit spelling.
fn compound_duration_seconds(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut amount: Option<u64> = None;
    for c in text.chars() {
        if let Some(d) = c.to_digit(10) {
            amount = Some(
                amount
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(u64::from(d))?,
            );
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return None,
        };
        total = total.checked_add(amount.take()?.checked_mul(unit)?)?;
    }
    amount.is_none().then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A number's token, value and diagnostics from the fast path of [`Lexer::next`]
    /// are the general path's (nom's), plain or not.
    #[test]
    fn plain_numbers_lex_as_the_general_path_does() {
        let lex = |text: &str, general: bool| {
            let shared = Arc::new(text.to_string());
            let mut lexer = Lexer::new(text, Arc::clone(&shared));
            let token = if general {
                lexer.next_token()
            } else {
                Some(lexer.next())
            };
            let after = lexer.next();
            format!("{token:?} {:?} {:?} {after:?}", lexer.values, lexer.diags)
        };
        for text in [
            "0",
            "7",
            "007",
            "15m",
            "90s",
            "1h",
            "7d",
            "15m,",
            "15m.x",
            "15m\n",
            "5]",
            "5 x",
            "5é",
            "15mé",
            "1h30m",
            "1.5",
            "1.",
            "10x",
            "15ms",
            "3-4",
            "12_000",
            "1e5",
            "0x10",
            "123456789012345678",
            "1234567890123456789",
            "9223372036854775807",
            "9223372036854775808",
            "99999999999999999999",
            "999999999999d",
            "9999999999999d",
            "106751991167300d",
            "106751991167299d",
            "99999d",
            "106751d",
            "106752d",
            "9223372036s",
            "9223372037s",
            "-5",
            "-5m",
        ] {
            assert_eq!(lex(text, false), lex(text, true), "{text}");
        }
    }
}
