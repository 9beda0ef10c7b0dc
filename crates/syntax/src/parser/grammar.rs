//! Files, blocks, bodies and their entries.
//!
//! An entry starts with a word; what follows decides its kind: `=` makes an attribute,
//! words or strings up to a `{` make a block, and anything else up to the end of the line
//! makes a statement (`read "secret/*"`, `sign ssh.ca`). At the top level, the words up to
//! the end of the line make a bodiless block (`extern policy my-policy`).
//!
//! Inside a body, entries are separated by newlines or commas, as map entries are, so a
//! short block fits on one line: `login ci { bound_audiences = ["vault"], user_claim = "sub" }`.

use kp_diag::{Diagnostic, Span};

use super::codes;
use super::cursor::{shorten, Parser};
use super::lexer::TokenKind;
use super::values::ValueError;
use crate::ast::{
    Attribute, Block, Body, Entry, Expr, ExprKind, File, Ident, Label, List, Statement, StrLit,
};

const ENTRY_HELP: &str = "an entry is `name = value`, `keyword label { ... }` or `verb argument`, \
                          ended by a newline or a `,`";
/// For `owns policies "a", "b"` and the like: a `,` ends an entry only inside a block.
const COMMA_IN_HEAD_HELP: &str = "labels are separated by spaces, not commas \
                                  (e.g. `owns policies \"ci-*\" \"team-*\"`)";
const BRACE_HELP: &str = "a block's `{` goes on the same line as its keyword and labels";
const VALUE_HELP: &str = "a value is a string, a number, a duration (`15m`), `true`, `false`, \
                          a name, a list `[...]`, a map `{...}` or `env(\"NAME\")`";

/// The words after an entry's keyword, parsed as values: block labels or statement
/// arguments, which one is known only at the `{` or the end of the line.
///
/// The words stay on the parser's expression stack from `base` on until they become a
/// block's labels or a statement's arguments: a block's head went through a vector of
/// its own on the way to its labels, an allocation per block for nothing.
struct Head {
    base: usize,
    /// False when an error was reported (and the rest of the head skipped).
    ok: bool,
}

/// The capabilities a policy rule can list, for [`Parser::statement`]'s help.
const CAPABILITY_WORDS: [&str; 8] = [
    "create", "read", "update", "patch", "delete", "list", "sudo", "deny",
];
impl Parser<'_> {
    pub(super) fn file(&mut self) -> File {
        let (mut blocks, _) = self.file_until(&|_| false);
        blocks.shrink_to_fit();
        File {
            blocks,
            span: Span::new(0, self.src.len()),
        }
    }

    /// The top-level blocks up to the end of the file, or up to the first top-level item
    /// whose first token starts at an offset `stop` accepts (returned with them).
    ///
    /// The top level carries no state from one item to the next: where this loop is about
    /// to read an item, the parser is in the state [`Parser::starting_at`] starts in at that
    /// item's first token (nothing is open, no value is pending, and the end of the file,
    /// the only thing that sets a flag, is not reached). Reparsing an edited text relies
    /// on it ([`crate::reparse`]).
    ///
    /// `stop` is a trait object so that the parse from scratch and the reparse share one
    /// copy of the loop (a call per item is nothing next to parsing it).
    pub(super) fn file_until(
        &mut self,
        stop: &dyn Fn(usize) -> bool,
    ) -> (Vec<Block>, Option<usize>) {
        let mut blocks = Vec::new();
        loop {
            match self.peek().kind {
                TokenKind::Eof => break,
                TokenKind::Newline => {
                    self.bump();
                }
                _ => {
                    let at = self.peek().span.start;
                    if stop(at) {
                        return (blocks, Some(at));
                    }
                    let before = self.pos();
                    if let Some(block) = self.top_level_item() {
                        blocks.push(block);
                    }
                    // Every rule consumes on error too; this only makes that certain.
                    if self.pos() == before {
                        self.bump();
                    }
                }
            }
        }
        (blocks, None)
    }

    fn top_level_item(&mut self) -> Option<Block> {
        if !self.at(&TokenKind::Ident) {
            self.top_level_junk();
            return None;
        }
        let keyword = self.ident();
        if self.at(&TokenKind::Eq) {
            self.top_level_attribute(keyword);
            return None;
        }
        let head = self.head(&keyword, true);
        if self.at(&TokenKind::LBrace)
            || (head.ok
                && self.at(&TokenKind::Newline)
                && self.misplaced_brace(keyword.span.start, false))
        {
            return self.block_with_body(keyword, head);
        }
        self.bodiless_block(keyword, head)
    }

    /// At the newline after a header: whether a body below it opens all the same
    /// ([`Self::brace_below`]). If so, one error at the end of the header's line, and the
    /// cursor is at the body's opener: the `{` on a later line, or this newline, read as
    /// the `{`.
    fn misplaced_brace(&mut self, head_start: usize, nested: bool) -> bool {
        let Some(open) = self.brace_below(head_start, nested) else {
            return false;
        };
        let below = self.peek().span.end;
        if nested && !self.stray_closer_below(head_start, below) {
            return false;
        }
        self.unexpected("the block's `{`", BRACE_HELP);
        while self.peek().span.start < open.start {
            self.bump();
        }
        true
    }

    /// Reports and skips a top-level line that does not start with a word.
    fn top_level_junk(&mut self) {
        const EXPECTED: &str = "a block such as `auth jwt { ... }`";
        match self.peek().kind {
            TokenKind::RBrace => {
                // A run of them on one line is one mistake: one error over the run (a line
                // of 10,000 was 10,000 errors, each published to an editor).
                let span = self.bump_run();
                self.report(
                    Diagnostic::error(codes::UNEXPECTED_TOKEN, span, "unexpected `}`")
                        .with_label("no block is open here")
                        .with_help("remove it, or look above for a block closed too early"),
                );
                return;
            }
            // Already reported by the lexer.
            TokenKind::Invalid => {}
            TokenKind::LBrace => self.unexpected(EXPECTED, BRACE_HELP),
            _ => self.unexpected(
                EXPECTED,
                "a keyplan file is a sequence of blocks: `KEYWORD LABEL* { ... }`",
            ),
        }
        self.sync_line();
    }

    fn top_level_attribute(&mut self, name: Ident) {
        self.report(
            Diagnostic::error(
                codes::UNEXPECTED_TOKEN,
                name.span,
                format!("attribute `{}` outside of a block", shorten(&name.name)),
            )
            .with_label("attributes belong in a block's body")
            .with_help("move it into the body of a block, e.g. `auth jwt { ... }`"),
        );
        // Parse the value anyway, so a multi-line value is skipped as a whole.
        self.attribute(name);
    }

    /// `extern policy my-policy`: a top-level head that ends with its line.
    fn bodiless_block(&mut self, keyword: Ident, head: Head) -> Option<Block> {
        if !head.ok {
            self.exprs.truncate(head.base);
            return None;
        }
        if self.exprs.len() <= head.base {
            self.report(
                Diagnostic::error(
                    codes::UNEXPECTED_TOKEN,
                    keyword.span,
                    format!(
                        "expected a label or `{{` after `{}`",
                        shorten(&keyword.name)
                    ),
                )
                .with_label("this block has neither labels nor a body")
                .with_help("a block is `KEYWORD LABEL* { ... }`, e.g. `auth jwt { ... }`"),
            );
            return None;
        }
        // To the last word, a label or not: a syntax error in an invalid label is then
        // inside the block, which gets no other diagnostic (`cascade`).
        let last = self.exprs.last().map(|word| word.span);
        let labels = self.labels(head.base, true, &keyword.name);
        let span = last.map_or(keyword.span, |end| keyword.span.to(end));
        Some(Block {
            keyword,
            labels,
            body: None,
            span,
        })
    }

    /// Parses the words after `keyword` up to a `{`, `}` or the end of the line.
    fn head(&mut self, keyword: &Ident, top_level: bool) -> Head {
        let base = self.exprs.len();
        let ok = loop {
            if matches!(
                self.peek().kind,
                TokenKind::Newline | TokenKind::Eof | TokenKind::RBrace | TokenKind::LBrace
            ) || (!top_level && self.at(&TokenKind::Comma))
            {
                break true;
            }
            match self.value() {
                Ok(arg) => self.exprs.push(arg),
                Err(ValueError::NotAValue) => {
                    let word = shorten(&keyword.name);
                    let expected = if top_level {
                        format!("a label, `{{` or the end of the line after `{word}`")
                    } else if self.exprs.len() == base {
                        format!("`=`, `{{` or a value after `{word}`")
                    } else {
                        format!("a value, `{{` or the end of the line after `{word}`")
                    };
                    let help = if top_level && self.exprs.len() > base && self.at(&TokenKind::Comma)
                    {
                        COMMA_IN_HEAD_HELP
                    } else {
                        ENTRY_HELP
                    };
                    self.unexpected(&expected, help);
                    self.sync_head();
                    break false;
                }
                Err(ValueError::Reported) => {
                    self.sync_head();
                    break false;
                }
            }
        };
        Head { base, ok }
    }

    /// Turns the head words on the expression stack from `base` on into labels (taking
    /// them off the stack), reporting (if `report`) the first that cannot be one.
    fn labels(&mut self, base: usize, report: bool, keyword: &str) -> List<Label> {
        let base = base.min(self.exprs.len());
        // A label naming a mount: `login`'s, or the path of `auth`/`secrets`.
        let path = matches!(keyword, "login" | "auth" | "secrets");
        if report {
            let invalid = self
                .exprs
                .get(base..)
                .unwrap_or_default()
                .iter()
                .find(|arg| {
                    !matches!(
                        arg.kind,
                        ExprKind::Ident(_)
                            | ExprKind::Bool(_)
                            | ExprKind::Str { heredoc: false, .. }
                    )
                });
            // Cloned to report it while the stack is borrowed: an error path.
            if let Some(arg) = invalid.cloned() {
                self.invalid_label(&arg, path);
            }
        }
        // A block nearly always has one label: that one needs no vector.
        if self.exprs.len() == base + 1 {
            let only = self.exprs.pop().and_then(|arg| self.label(arg, path));
            return only.map_or_else(List::default, List::from);
        }
        // Lent out while its words are moved, so that `label` can borrow the parser.
        let mut stack = std::mem::take(&mut self.exprs);
        let mut labels = Vec::with_capacity(stack.len() - base);
        labels.extend(stack.drain(base..).filter_map(|arg| self.label(arg, path)));
        self.exprs = stack;
        List::from(labels)
    }

    /// A head word as a label; `None` for one that cannot be (reported by [`Self::labels`]).
    /// A dotted mount label (`path`) is read as the path its error suggests (`ci.gitlab`
    /// as `"ci/gitlab"`), so that references to the mount do not cascade.
    fn label(&self, arg: Expr, path: bool) -> Option<Label> {
        Some(match arg.kind {
            ExprKind::Path(_) if path => Label::Str(StrLit {
                value: crate::ast::Text::from(self.text(arg.span).replace('.', "/")),
                span: arg.span,
            }),
            ExprKind::Ident(name) => Label::Ident(Ident {
                name,
                span: arg.span,
            }),
            // `true`/`false` are values in value position but fine as names.
            ExprKind::Bool(_) => Label::Ident(Ident {
                name: self.slice(arg.span),
                span: arg.span,
            }),
            ExprKind::Str {
                value,
                heredoc: false,
            } => Label::Str(StrLit {
                value,
                span: arg.span,
            }),
            _ => return None,
        })
    }

    fn invalid_label(&mut self, arg: &Expr, mount_path: bool) {
        let text = shorten(self.text(arg.span));
        let help = match arg.kind {
            // `login ci.gitlab`: a reference's dots stand for a mount path's slashes.
            ExprKind::Path(_) if mount_path => {
                format!("a mount path is a string: `\"{}\"`", text.replace('.', "/"))
            }
            ExprKind::Path(_) | ExprKind::Int(_) | ExprKind::Duration { .. } => {
                format!("quote it to use it as a label: `\"{text}\"`")
            }
            _ => "labels are names (`example-role`) or strings (`\"team/jwt\"`)".to_string(),
        };
        let found = match arg.kind {
            ExprKind::Str { heredoc: true, .. } => "a heredoc",
            _ => arg.kind_name(),
        };
        self.report(
            Diagnostic::error(
                codes::INVALID_LABEL,
                arg.span,
                format!("expected a block label, found {found}"),
            )
            .with_label("not a name or a string")
            .with_help(help),
        );
    }

    /// At the `{` after a block's head.
    fn block_with_body(&mut self, keyword: Ident, head: Head) -> Option<Block> {
        let labels = self.labels(head.base, head.ok, &keyword.name);
        let body = self.body(&keyword, &labels)?;
        self.expect_entry_end(|| "`}`".to_string());
        Some(Block {
            span: keyword.span.to(body.span),
            keyword,
            labels,
            body: Some(body),
        })
    }

    /// At a `{`; parses to the matching `}`. `None` if nested too deep (and skipped).
    /// `keyword` and `labels` name the block in messages.
    fn body(&mut self, keyword: &Ident, labels: &[Label]) -> Option<Body> {
        let open = self.bump().span;
        if !self.enter(open) {
            return None;
        }
        // This body's entries go on the shared stack, then into a vector of exact size.
        let base = self.entries.len();
        // A `,` separates entries, so it is only valid right after one (or a trailing one).
        let mut after_entry = false;
        // The verb of a statement a `,` just ended: `read "a", "b"` means `read "a" "b"`.
        let mut comma_after: Option<crate::ast::Text> = None;
        let end = loop {
            match self.peek().kind {
                TokenKind::Newline => {
                    self.bump();
                    after_entry = false;
                    comma_after = None;
                }
                TokenKind::Comma if after_entry => {
                    self.bump();
                    after_entry = false;
                    comma_after = match self.entries.get(base..).and_then(<[_]>::last) {
                        Some(Entry::Statement(s)) => Some(s.verb.name.clone()),
                        _ => None,
                    };
                }
                TokenKind::Str if comma_after.is_some() => {
                    let verb = comma_after.take().unwrap_or_default();
                    self.unexpected(
                        "an attribute, a block or a statement",
                        &format!(
                            "a statement's arguments are separated by spaces, not commas: \
                             `{verb} \"a/*\" \"b/*\"` (a `,` ends the statement)"
                        ),
                    );
                    self.sync_line();
                    after_entry = true;
                }
                TokenKind::RBrace => break self.bump().span.end,
                TokenKind::Eof => {
                    self.unclosed_block(open, &owner_text(keyword, labels));
                    break self.solid_end.max(open.end);
                }
                _ => {
                    comma_after = None;
                    let before = self.pos();
                    self.entry();
                    if self.pos() == before {
                        self.bump();
                    }
                    after_entry = true;
                }
            }
        };
        self.leave();
        Some(Body {
            entries: self.take_entries(base),
            span: Span::new(open.start, end),
        })
    }

    fn unclosed_block(&mut self, open: Span, owner: &str) {
        if !self.claim_eof_report() || self.closer_in_string(open) {
            return;
        }
        self.report(
            Diagnostic::error(
                codes::UNCLOSED_BLOCK,
                open,
                format!("unclosed block `{owner}`"),
            )
            .with_label("this `{` has no matching `}`")
            .with_help(format!(
                "add `}}` after the last entry of `{owner}` (or look for a `}}` missing \
                 inside it)"
            )),
        );
    }

    /// One entry of a body, pushed on the entry stack (built in place there rather than
    /// returned up through the callers: an entry is 96 bytes).
    fn entry(&mut self) {
        match self.peek().kind {
            TokenKind::Ident => {}
            TokenKind::Invalid => {
                self.sync_line();
                return;
            }
            _ => {
                let help = if self.at(&TokenKind::LBrace) {
                    BRACE_HELP
                } else {
                    ENTRY_HELP
                };
                self.unexpected("an attribute, a block or a statement", help);
                self.sync_line();
                return;
            }
        }
        let keyword = self.ident();
        // Each kind pushed where it is made: an `Option<Entry>` for all three was one
        // more copy of 96 bytes per entry.
        if self.at(&TokenKind::Eq) {
            if let Some(attribute) = self.attribute(keyword) {
                self.entries.push(Entry::Attribute(attribute));
            }
            return;
        }
        let head = self.head(&keyword, false);
        // A capability verb starts a statement (`read "x"`), never a block.
        let block_missing_brace = || {
            head.ok
                && !CAPABILITY_WORDS.contains(&keyword.name.as_str())
                && self.at(&TokenKind::Newline)
        };
        if self.at(&TokenKind::LBrace)
            || (block_missing_brace() && self.misplaced_brace(keyword.span.start, true))
        {
            if let Some(block) = self.block_with_body(keyword, head) {
                self.entries.push(Entry::Block(Box::new(block)));
            }
        } else if let Some(statement) = self.statement(keyword, head) {
            self.entries.push(Entry::Statement(statement));
        }
    }

    /// At the `=` after an attribute's name.
    pub(super) fn attribute(&mut self, name: Ident) -> Option<Attribute> {
        let eq = self.bump().span;
        if matches!(
            self.peek().kind,
            TokenKind::Newline | TokenKind::Eof | TokenKind::RBrace
        ) {
            self.report(
                Diagnostic::error(
                    codes::MISSING_VALUE,
                    eq,
                    format!("expected a value after `{} =`", shorten(&name.name)),
                )
                .with_label("the value is missing")
                .with_help("the value starts on the same line as the `=`"),
            );
            return None;
        }
        match self.value() {
            Ok(value) => {
                self.expect_entry_end(|| format!("the value of `{}`", shorten(&name.name)));
                Some(Attribute {
                    span: name.span.to(value.span),
                    name,
                    value,
                })
            }
            Err(ValueError::NotAValue) => {
                self.unexpected(
                    &format!("a value after `{} =`", shorten(&name.name)),
                    VALUE_HELP,
                );
                self.sync_line();
                None
            }
            Err(ValueError::Reported) => {
                self.sync_line();
                None
            }
        }
    }

    fn statement(&mut self, verb: Ident, head: Head) -> Option<Statement> {
        let args = self.take_args(head.base);
        if !head.ok {
            return None;
        }
        let Some(last) = args.last() else {
            let word = shorten(&verb.name);
            // A capability alone (`path "x" { read }`) is the likeliest slip: say where
            // capabilities go. The words are the language's (docs/language.md, Policies).
            let help = if CAPABILITY_WORDS.contains(&verb.name.as_str()) {
                format!("in a `path` block write `capabilities = [{word}]`; in a workload, `{word} \"PATH\"`")
            } else if matches!(&*verb.name, "creds" | "sign") {
                format!("a workload writes `{word} MOUNT.ROLE`")
            } else {
                format!("write `{word} = value`, `{word} {{ ... }}` or `{word} argument`")
            };
            self.report(
                Diagnostic::error(
                    codes::MISSING_VALUE,
                    verb.span,
                    format!("expected `=`, `{{` or a value after `{word}`"),
                )
                .with_label("a word alone is not an entry")
                .with_help(help),
            );
            return None;
        };
        Some(Statement {
            span: verb.span.to(last.span),
            verb,
            args,
        })
    }

    /// After an entry: only the end of the line, a `,` or the end of the body may follow;
    /// after a top-level block, only the end of the line (commas separate the entries of
    /// a body, not the blocks of a file). `after` names the entry's end in the message,
    /// built only when one is reported.
    fn expect_entry_end(&mut self, after: impl FnOnce() -> String) {
        let top_level = self.depth == 0;
        let kind = self.peek().kind;
        if self.prev_newline()
            || matches!(
                kind,
                TokenKind::Newline | TokenKind::Eof | TokenKind::RBrace
            )
            || (matches!(kind, TokenKind::Comma) && !top_level)
        {
            return;
        }
        let help = if self.at_detached_unit() {
            "write the unit right after the digits, e.g. `10s`"
        } else if top_level {
            "start each top-level block on a line of its own (`,` separates the entries of a body, not blocks)"
        } else {
            "put each entry on its own line, or separate entries with `,`"
        };
        self.unexpected(&format!("the end of the line after {}", after()), help);
        // `a = 1 b = 2`: the second attribute is kept, not skipped. A body's checks (and
        // the redaction of a secret it holds) then see every attribute written.
        if !top_level && self.at_attribute_start() {
            return;
        }
        self.sync_line();
    }

    /// `10 s`: a duration with a blank before its unit.
    fn at_detached_unit(&self) -> bool {
        let token = self.peek();
        matches!(token.kind, TokenKind::Ident)
            && matches!(self.text(token.span), "s" | "m" | "h" | "d")
            && self
                .src
                .get(..self.prev_end)
                .is_some_and(|before| before.ends_with(|c: char| c.is_ascii_digit()))
    }
}

/// `role example-role`, for messages about a block.
fn owner_text(keyword: &Ident, labels: &[Label]) -> String {
    let mut text = shorten(&keyword.name).to_string();
    for label in labels {
        if text.len() > 60 {
            text.push_str(" ...");
            break;
        }
        text.push(' ');
        match label {
            Label::Ident(i) => text.push_str(shorten(&i.name)),
            Label::Str(s) => {
                text.push('"');
                text.push_str(shorten(&s.value));
                text.push('"');
            }
        }
    }
    text
}
