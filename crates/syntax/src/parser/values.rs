//! Values: literals, names, dotted references, lists, maps and `env("NAME")`.
//!
//! Inside `[...]` newlines are blanks; inside a map they separate entries, like commas.
//! A list that meets a `}` or a `name =` was left open: it is reported and closed there,
//! so the entries after it still parse.

use kp_diag::{Diagnostic, Span};

use super::codes;
use super::cursor::{shorten, Parser};
use super::lexer::{Token, TokenKind};
use crate::ast::{Expr, ExprKind, MapEntry, MapKey};

/// Why [`Parser::value`] produced no value.
pub(super) enum ValueError {
    /// The current token cannot start a value; nothing was consumed or reported, so the
    /// caller reports it with its context.
    NotAValue,
    /// The error was reported (possibly by the lexer) and the bad tokens consumed.
    Reported,
}

const LIST_HELP: &str = "a list is `[a, b, c]`: items separated by commas, newlines allowed";
const MAP_HELP: &str = "a map is `{ key = value, ... }`: entries separated by commas or newlines";

impl Parser<'_> {
    pub(super) fn value(&mut self) -> Result<Expr, ValueError> {
        match self.peek().kind {
            TokenKind::Ident => self.word_value(),
            TokenKind::LBracket => self.list(),
            TokenKind::LBrace => self.map(),
            TokenKind::Invalid => {
                self.bump();
                Err(ValueError::Reported)
            }
            TokenKind::Str
            | TokenKind::Heredoc
            | TokenKind::Int
            | TokenKind::Duration
            | TokenKind::Env => {
                let token = self.bump();
                Ok(Expr {
                    kind: self.literal(&token),
                    span: token.span,
                })
            }
            _ => Err(ValueError::NotAValue),
        }
    }

    /// A word: `true`/`false`, a name, a dotted reference, or a malformed `env(...)`.
    fn word_value(&mut self) -> Result<Expr, ValueError> {
        let first = self.ident();
        if first.name == "env" && self.at(&TokenKind::LParen) {
            self.invalid_env(first.span);
            return Err(ValueError::Reported);
        }
        // Most words are one segment: those need no list of segments.
        if !self.at_glued_dot(first.span.end) {
            let kind = match first.name.as_str() {
                "true" => ExprKind::Bool(true),
                "false" => ExprKind::Bool(false),
                _ => ExprKind::Ident(first.name),
            };
            return Ok(Expr {
                kind,
                span: first.span,
            });
        }
        // Most dotted references have two segments (`ssh.team-1`).
        let mut segments = Vec::with_capacity(2);
        segments.push(first);
        while let Some(last) = segments.last().map(|s| s.span) {
            if !self.at_glued_dot(last.end) {
                break;
            }
            let dot_end = self.bump().span.end;
            let next = self.peek();
            if !matches!(next.kind, TokenKind::Ident) || next.span.start != dot_end {
                self.unexpected(
                    "a name right after `.`",
                    "a dotted reference is names joined by dots, e.g. `ssh.training-environment`",
                );
                return Err(ValueError::Reported);
            }
            segments.push(self.ident());
        }
        let span = match (segments.first(), segments.last()) {
            (Some(first), Some(last)) => first.span.to(last.span),
            _ => return Err(ValueError::Reported),
        };
        let kind = match segments.as_slice() {
            [one] => match one.name.as_str() {
                "true" => ExprKind::Bool(true),
                "false" => ExprKind::Bool(false),
                _ => ExprKind::Ident(one.name.clone()),
            },
            _ => {
                segments.shrink_to_fit();
                ExprKind::Path(segments)
            }
        };
        Ok(Expr { kind, span })
    }

    /// Whether the next token is a `.` right after `end` (a dotted reference goes on).
    fn at_glued_dot(&self, end: usize) -> bool {
        let dot = self.peek();
        matches!(dot.kind, TokenKind::Dot) && dot.span.start == end
    }

    /// At the `(` of an `env(...)` the lexer did not recognise as well-formed.
    fn invalid_env(&mut self, env: Span) {
        let mut end = self.bump().span.end;
        loop {
            match self.peek().kind {
                TokenKind::Newline
                | TokenKind::Eof
                | TokenKind::RBrace
                | TokenKind::LBrace
                | TokenKind::Comma => break,
                TokenKind::RParen => {
                    end = self.bump().span.end;
                    break;
                }
                _ => end = self.bump().span.end,
            }
        }
        let span = Span::new(env.start, end);
        let text = shorten(self.text(span));
        self.report(
            Diagnostic::error(codes::INVALID_ENV, span, format!("malformed `{text}`"))
                .with_label("expected `env(\"NAME\")`")
                .with_help("`env` takes one quoted variable name, e.g. `env(\"DB_PASSWORD\")`"),
        );
    }

    fn list(&mut self) -> Result<Expr, ValueError> {
        let open = self.bump().span;
        if !self.enter(open) {
            return Err(ValueError::Reported);
        }
        let base = self.exprs.len();
        let mut after_item = false;
        let end = loop {
            while self.at(&TokenKind::Newline) {
                self.bump();
            }
            let kind = self.peek().kind;
            match kind {
                TokenKind::RBracket => break self.bump().span.end,
                TokenKind::Eof | TokenKind::RBrace => break self.unclosed(open, false),
                _ if self.at_attribute_start() => break self.unclosed(open, false),
                TokenKind::Comma if after_item => {
                    self.bump();
                    after_item = false;
                    continue;
                }
                _ if after_item => {
                    self.unexpected("`,` or `]` after a list item", LIST_HELP);
                    self.sync_list();
                    continue;
                }
                TokenKind::Comma => {
                    self.extra_commas("a value or `]`", LIST_HELP);
                    continue;
                }
                _ => {}
            }
            match self.value() {
                Ok(item) => self.exprs.push(item),
                Err(ValueError::NotAValue) => {
                    self.unexpected("a value or `]`", LIST_HELP);
                    self.sync_list();
                }
                Err(ValueError::Reported) => self.sync_list(),
            }
            // After an error too: the sync stopped at a separator, a closer or an entry.
            after_item = true;
        };
        self.leave();
        Ok(Expr {
            kind: ExprKind::List(self.take_exprs(base)),
            span: Span::new(open.start, end),
        })
    }

    /// Reports and skips the commas at the cursor, where an item or entry was expected:
    /// one error over a run of them (`[a,,,,b]` was an error per comma).
    fn extra_commas(&mut self, expected: &str, help: &str) {
        let span = self.bump_run();
        self.report(
            Diagnostic::error(
                codes::UNEXPECTED_TOKEN,
                span,
                format!("expected {expected}, found `,`"),
            )
            .with_label("unexpected `,`")
            .with_help(help),
        );
    }

    /// Reports a list or map left open; returns where the value ends.
    fn unclosed(&mut self, open: Span, map: bool) -> usize {
        let at_eof = self.at(&TokenKind::Eof);
        if (!at_eof || self.claim_eof_report()) && !self.closer_in_string(open) {
            let (code, what, close) = if map {
                (codes::UNCLOSED_MAP, "map", "}")
            } else {
                (codes::UNCLOSED_LIST, "list", "]")
            };
            let first = if map { "{" } else { "[" };
            self.report(
                Diagnostic::error(code, open, format!("unclosed {what}"))
                    .with_label(format!("this `{first}` has no matching `{close}`"))
                    .with_help(format!("add `{close}` after the last item of the {what}")),
            );
        }
        self.solid_end.max(open.end)
    }

    fn map(&mut self) -> Result<Expr, ValueError> {
        let open = self.bump().span;
        if !self.enter(open) {
            return Err(ValueError::Reported);
        }
        let base = self.map_entries.len();
        let mut after_entry = false;
        let end = loop {
            match self.peek().kind {
                TokenKind::Newline => {
                    self.bump();
                    after_entry = false;
                }
                TokenKind::RBrace => break self.bump().span.end,
                TokenKind::Eof => break self.unclosed(open, true),
                TokenKind::Comma if after_entry => {
                    self.bump();
                    after_entry = false;
                }
                _ if after_entry => {
                    self.unexpected("`,`, a newline or `}` after a map entry", MAP_HELP);
                    self.sync_map();
                }
                TokenKind::Comma => {
                    self.extra_commas("a key (a name or a string) or `}`", MAP_HELP)
                }
                TokenKind::Ident | TokenKind::Str => {
                    if let Some(entry) = self.map_entry() {
                        self.map_entries.push(entry);
                    }
                    after_entry = true;
                }
                _ => {
                    self.unexpected("a key (a name or a string) or `}`", MAP_HELP);
                    self.sync_map();
                    after_entry = true;
                }
            }
        };
        self.leave();
        Ok(Expr {
            kind: ExprKind::Map(self.take_map_entries(base)),
            span: Span::new(open.start, end),
        })
    }

    /// At a map key; on error, reports and syncs to the next entry.
    fn map_entry(&mut self) -> Option<MapEntry> {
        let key_token = self.bump();
        let name = match key_token.kind {
            TokenKind::Str => self.string_value(&key_token),
            _ => self.slice(key_token.span),
        };
        let key = MapKey {
            name,
            span: key_token.span,
        };
        let shown = shorten(self.text(key.span));
        if !self.at(&TokenKind::Eq) {
            self.unexpected(&format!("`=` after the key `{shown}`"), MAP_HELP);
            self.sync_map();
            return None;
        }
        let eq = self.bump().span;
        if matches!(
            self.peek().kind,
            TokenKind::Newline | TokenKind::Eof | TokenKind::RBrace | TokenKind::Comma
        ) {
            self.report(
                Diagnostic::error(
                    codes::MISSING_VALUE,
                    eq,
                    format!("expected a value after `{shown} =`"),
                )
                .with_label("the value is missing")
                .with_help("the value starts on the same line as the `=`"),
            );
            return None;
        }
        match self.value() {
            Ok(value) => Some(MapEntry {
                span: key.span.to(value.span),
                key,
                value,
            }),
            Err(ValueError::NotAValue) => {
                self.unexpected(&format!("a value after `{shown} =`"), MAP_HELP);
                self.sync_map();
                None
            }
            Err(ValueError::Reported) => {
                self.sync_map();
                None
            }
        }
    }
}

impl Parser<'_> {
    /// The expression of a literal token just consumed (a string, heredoc, number,
    /// duration or `env(...)`).
    fn literal(&mut self, token: &Token) -> ExprKind {
        match token.kind {
            TokenKind::Heredoc => ExprKind::Str {
                value: self.string_value(token),
                heredoc: true,
            },
            TokenKind::Int | TokenKind::Duration => self.number_value(),
            TokenKind::Env => ExprKind::Env(self.env_value(token)),
            _ => ExprKind::Str {
                value: self.string_value(token),
                heredoc: false,
            },
        }
    }
}
