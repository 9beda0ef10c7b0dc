//! The parser's state: a cursor over the tokens, the nesting depth, the diagnostics, and
//! the helpers every grammar rule shares (looking ahead, describing tokens, reporting).

use kp_diag::{Diagnostic, Span};

use super::codes;
use super::lexer::{Lexer, Queued, Token, TokenKind};
use super::MAX_DEPTH;

/// How many tokens the lexer produces at a time (see [`Parser::ahead`]); a power of two.
const BATCH: usize = 64;
use crate::ast::{Entry, Expr, ExprKind, Ident, List, MapEntry, StrLit, Text};

pub(super) struct Parser<'s> {
    pub(super) src: &'s str,
    pub(super) lexer: Lexer<'s>,
    /// The current token.
    current: Token,
    /// The tokens after it, lexed a batch at a time: a lexer called for one token at a
    /// time sets itself up (and saves the parser's registers) for every token, and that
    /// was a third of the parse. A batch is at most [`BATCH`] tokens, so memory stays
    /// proportional to the tree, not to the token count.
    ahead: [Token; BATCH],
    /// How many tokens of `ahead` the last batch filled.
    filled: usize,
    /// Index in `ahead` of the token after the current one.
    next: usize,
    /// The value of the last consumed token, when the lexer queued one (see
    /// [`Token::queued`]).
    value: Option<Queued>,
    /// End of the last consumed token.
    pub(super) prev_end: usize,
    /// End of the last consumed token that is not a newline: where a construct left open
    /// at a sync point ends.
    pub(super) solid_end: usize,
    pub(super) depth: usize,
    /// Where the last look for a `}` closing nothing ended without one
    /// ([`Parser::stray_closer_below`]).
    pub(super) no_stray_closer_until: usize,
    diags: Vec<Diagnostic>,
    /// Stacks the entries of the bodies, the items of the lists (and statement heads) and
    /// the entries of the maps being parsed are collected on: each group is then moved
    /// into a vector of exactly its size, where pushing into a vector of its own would
    /// double its capacity (a one-item list took room for four).
    pub(super) entries: Vec<Entry>,
    pub(super) exprs: Vec<Expr>,
    pub(super) map_entries: Vec<MapEntry>,
    /// Something already reported runs to the end of the file (an unclosed construct, an
    /// unterminated heredoc): the constructs around it would only repeat the news.
    pub(super) eof_reported: bool,
}

impl<'s> Parser<'s> {
    /// A parser of `src` from `start`, `src` being a prefix of `shared`'s text (the
    /// tree's names and strings are ranges of `shared`). `start` is the start of a file
    /// (0, or a file's base in a text laid out as a program's files are) or a token at
    /// the top level: the parser there is in the state a parse from the start reaches at
    /// that token, if the top-level loop reached it (see [`Parser::file_until`]).
    pub(super) fn starting_at(src: &'s str, shared: std::sync::Arc<String>, start: usize) -> Self {
        let mut parser = Parser {
            src,
            lexer: Lexer::at(src, shared, start),
            current: Token::EOF,
            ahead: [Token::EOF; BATCH],
            filled: 0,
            next: 0,
            value: None,
            prev_end: start,
            solid_end: start,
            depth: 0,
            no_stray_closer_until: 0,
            diags: Vec::new(),
            entries: Vec::new(),
            exprs: Vec::new(),
            map_entries: Vec::new(),
            eof_reported: false,
        };
        parser.current = parser.advance();
        parser
    }

    /// The parser's diagnostics and the lexer's, in no particular order.
    pub(super) fn into_diagnostics(self) -> Vec<Diagnostic> {
        let mut diags = self.lexer.diags;
        diags.extend(self.diags);
        diags
    }

    pub(super) fn peek(&self) -> &Token {
        &self.current
    }

    /// The token after the current one.
    fn following(&mut self) -> Token {
        if self.next >= self.filled {
            self.refill();
        }
        // `next < filled <= BATCH`, a power of two: the mask changes nothing but lets the
        // index go unchecked.
        self.ahead[self.next % BATCH]
    }

    /// Moves past the token after the current one and returns it.
    #[inline]
    fn advance(&mut self) -> Token {
        let token = self.following();
        self.next += 1;
        token
    }

    /// Lexes the next batch of tokens into `ahead` (the last batch ends at the end of the
    /// file).
    fn refill(&mut self) {
        self.next = 0;
        self.filled = self.lexer.lex_into(&mut self.ahead);
    }

    /// Consumes the token at the cursor and every token of the same kind right after it
    /// (`}}}`, `,,,`): the span of the run, reported as one mistake rather than one per
    /// token.
    pub(super) fn bump_run(&mut self) -> Span {
        let kind = self.peek().kind;
        let mut span = self.bump().span;
        while self.at(&kind) {
            span.end = self.bump().span.end;
        }
        span
    }

    /// Whether the current token is of `kind`'s kind (payloads are not compared: this
    /// asks about punctuation and words, and a discriminant compare is the cheapest).
    pub(super) fn at(&self, kind: &TokenKind) -> bool {
        std::mem::discriminant(&self.peek().kind) == std::mem::discriminant(kind)
    }

    /// Where the parser is, to check that loops make progress: the end of the last
    /// consumed token, which grows with every token (only the end of the file, never
    /// consumed, is empty).
    pub(super) fn pos(&self) -> usize {
        self.prev_end
    }

    /// Consumes the current token and hands it over (its queued value, if any, for
    /// [`Self::string_value`], [`Self::number_value`] or [`Self::env_value`]).
    pub(super) fn bump(&mut self) -> Token {
        let token = self.current;
        if matches!(token.kind, TokenKind::Eof) {
            return token;
        }
        self.current = self.advance();
        if token.queued {
            self.dequeue_value();
        }
        self.prev_end = token.span.end;
        if !matches!(token.kind, TokenKind::Newline) {
            self.solid_end = token.span.end;
        }
        token
    }

    /// Whether the last consumed token was a newline: an entry may end on one that a
    /// multi-line value (an unclosed list) already consumed. Then, and only then, the
    /// last token ends after the last token that is not a newline.
    pub(super) fn prev_newline(&self) -> bool {
        self.prev_end != self.solid_end
    }

    /// Takes the value of a queued token being consumed. Out of line: few tokens have one,
    /// and the old value's drop would otherwise weigh on every [`Self::bump`].
    #[inline(never)]
    fn dequeue_value(&mut self) {
        self.value = self.lexer.values.pop_front();
    }

    pub(super) fn text(&self, span: Span) -> &'s str {
        self.src.get(span.start..span.end).unwrap_or_default()
    }

    /// The source under `span`, as a [`Text`] sharing the source (no copy).
    pub(super) fn slice(&self, span: Span) -> Text {
        self.lexer.slice(span.start, span.end)
    }

    /// The value of a string or heredoc token just consumed.
    #[inline]
    pub(super) fn string_value(&mut self, token: &Token) -> Text {
        match token.kind {
            TokenKind::Str if !token.queued => {
                self.lexer.slice(token.span.start + 1, token.span.end - 1)
            }
            _ => match self.value.take() {
                Some(Queued::Text(text)) => text,
                _ => Text::default(),
            },
        }
    }

    /// The value of an integer or duration token just consumed.
    pub(super) fn number_value(&mut self) -> ExprKind {
        match self.value.take() {
            Some(Queued::Duration(amount, unit)) => ExprKind::Duration {
                amount,
                unit,
                seconds: amount.saturating_mul(unit.seconds()),
            },
            Some(Queued::Int(n)) => ExprKind::Int(n),
            // Not reached: every number token queues its value.
            _ => ExprKind::Int(0),
        }
    }

    /// The literal of an `env("NAME")` token just consumed.
    pub(super) fn env_value(&mut self, token: &Token) -> Box<StrLit> {
        match self.value.take() {
            Some(Queued::Env(lit)) => lit,
            // Not reached: every `Env` token queues its literal.
            _ => Box::new(StrLit {
                value: Text::default(),
                span: token.span,
            }),
        }
    }

    /// Consumes an identifier token.
    #[inline]
    pub(super) fn ident(&mut self) -> Ident {
        let span = self.bump().span;
        Ident {
            name: self.slice(span),
            span,
        }
    }

    /// Is the cursor at `name =`, the start of an attribute or map entry?
    pub(super) fn at_attribute_start(&mut self) -> bool {
        self.at(&TokenKind::Ident) && matches!(self.following().kind, TokenKind::Eq)
    }

    /// Whether to report a construct left open at the end of the file: only the first
    /// such report is useful, the enclosing constructs are open for the same reason.
    pub(super) fn claim_eof_report(&mut self) -> bool {
        let first = !(self.eof_reported || self.lexer.swallowed_eof);
        self.eof_reported = true;
        first
    }

    /// Whether the closer of `open`, a `{` or `[` left open up to here, may have been
    /// taken by an unterminated string (which runs to the end of its line): one was read
    /// since `open`. That string's error is the one to fix.
    pub(super) fn closer_in_string(&self, open: Span) -> bool {
        let strings = &self.lexer.unterminated;
        let after = strings.partition_point(|&at| at <= open.end);
        strings
            .get(after)
            .is_some_and(|&at| at < self.peek().span.start)
    }

    pub(super) fn report(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    /// How a token is named in messages.
    pub(super) fn describe(&self, token: &Token) -> String {
        match &token.kind {
            TokenKind::Str => "a string".to_string(),
            TokenKind::Heredoc => "a heredoc".to_string(),
            TokenKind::Env => "`env(...)`".to_string(),
            TokenKind::Newline => "the end of the line".to_string(),
            TokenKind::Eof => "the end of the file".to_string(),
            _ => format!("`{}`", shorten(self.text(token.span))),
        }
    }

    /// Reports the current token as not what was `expected`.
    pub(super) fn unexpected(&mut self, expected: &str, help: &str) {
        let token = self.peek();
        let span = token.span;
        let diag = if matches!(token.kind, TokenKind::Unknown) {
            let text = shorten(self.text(span));
            // A control character is not printed: it would garble the message.
            let message = if text
                .as_bytes()
                .first()
                .is_some_and(|&b| b < b' ' || b == 0x7f)
            {
                String::from("unexpected control character")
            } else {
                format!("unexpected character `{text}`")
            };
            Diagnostic::error(codes::UNEXPECTED_CHARACTER, span, message)
                .with_label(format!("expected {expected}"))
                .with_help(
                    match self.src.get(span.start..).unwrap_or("").starts_with("/*") {
                        true => "comments are `#` or `//` to the end of the line",
                        false => unknown_help(text).unwrap_or(help),
                    },
                )
        } else {
            let found = self.describe(token);
            let label = match token.kind {
                TokenKind::Newline => "the line ends here".to_string(),
                TokenKind::Eof => "the file ends here".to_string(),
                // "unexpected string", not "unexpected a string".
                _ => format!("unexpected {}", found.strip_prefix("a ").unwrap_or(&found)),
            };
            Diagnostic::error(
                codes::UNEXPECTED_TOKEN,
                span,
                format!("expected {expected}, found {found}"),
            )
            .with_label(label)
            .with_help(help)
        };
        self.report(diag);
    }

    /// Enters a nested body, list or map whose opening token was just consumed. Past
    /// [`MAX_DEPTH`] the rest of the group is skipped instead, which bounds the recursion
    /// (and so the stack) whatever the input.
    pub(super) fn enter(&mut self, open: Span) -> bool {
        if self.depth < MAX_DEPTH {
            self.depth += 1;
            return true;
        }
        self.report(
            Diagnostic::error(codes::TOO_DEEP, open, "nesting is too deep")
                .with_label(format!("this is nested more than {MAX_DEPTH} levels deep"))
                .with_help("flatten the structure: blocks, lists and maps nest at most 64 deep"),
        );
        self.skip_group_rest();
        false
    }

    pub(super) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// The entries pushed since the stack held `base`, in a vector of exact capacity.
    pub(super) fn take_entries(&mut self, base: usize) -> Vec<Entry> {
        take_from(&mut self.entries, base)
    }

    pub(super) fn take_exprs(&mut self, base: usize) -> Vec<Expr> {
        take_from(&mut self.exprs, base)
    }

    /// [`Self::take_exprs`] as a [`List`]: a single expression needs no vector.
    pub(super) fn take_args(&mut self, base: usize) -> List<Expr> {
        if self.exprs.len() == base + 1 {
            if let Some(only) = self.exprs.pop() {
                return List::from(only);
            }
        }
        List::from(self.take_exprs(base))
    }

    pub(super) fn take_map_entries(&mut self, base: usize) -> Vec<MapEntry> {
        take_from(&mut self.map_entries, base)
    }
}

fn take_from<T>(stack: &mut Vec<T>, base: usize) -> Vec<T> {
    match base {
        // `split_off(0)` (or `mem::take`) would hand over the stack itself, capacity and
        // all: move the elements into a vector of their exact size instead.
        0 => {
            let mut taken = Vec::with_capacity(stack.len());
            taken.append(stack);
            taken
        }
        // One allocation of exactly the group's size, and one copy.
        _ => stack.split_off(base.min(stack.len())),
    }
}

/// Cuts long user text so a message stays one readable line.
pub(super) fn shorten(text: &str) -> &str {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => text.get(..i).unwrap_or(text),
        None => text,
    }
}

/// A more specific hint for characters people commonly type by mistake.
fn unknown_help(text: &str) -> Option<&'static str> {
    match text.chars().next()? {
        ':' => Some("attributes and map entries use `=` (`name = value`); quote URLs and paths"),
        '/' | '*' | '@' | '$' | '%' | '?' | '!' | '+' => {
            Some("paths, globs and URLs are strings: quote them, e.g. `\"secret/data/*\"`")
        }
        ';' => Some("entries end at the end of the line: remove the `;`"),
        '\'' | '`' => Some("strings use double quotes: `\"...\"`"),
        c if !c.is_ascii() => {
            Some("names are ASCII letters, digits, `-` and `_`; strings use `\"`")
        }
        _ => None,
    }
}
