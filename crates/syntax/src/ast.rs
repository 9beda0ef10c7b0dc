//! The syntax tree. Every node keeps the byte span it was parsed from.
//!
//! The tree is deliberately generic (`KEYWORD LABEL* { body }`): which keywords, labels,
//! attributes and statements are meaningful is the checker's business, so that misplaced
//! or misspelt blocks get a "did you mean" instead of a parse error.

use kp_diag::Span;
use serde::Serialize;

pub use crate::list::List;
pub use crate::text::Text;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct File {
    pub blocks: Vec<Block>,
    pub span: Span,
}

/// An identifier or bare word: `[A-Za-z_][A-Za-z0-9_-]*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ident {
    pub name: Text,
    pub span: Span,
}

/// `KEYWORD LABEL* { body }`, or `KEYWORD LABEL*` with no body (`extern policy NAME`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    pub keyword: Ident,
    /// Nearly always one label, kept without an allocation.
    pub labels: List<Label>,
    /// `None` for a bodiless block such as `extern policy my-policy`.
    pub body: Option<Body>,
    pub span: Span,
}

/// A block label: a bare word (`jwt`, `example-role`) or a string (`"team/jwt"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Label {
    Ident(Ident),
    Str(StrLit),
}

impl Label {
    pub fn text(&self) -> &str {
        self.value()
    }

    /// The label's text as the tree holds it, shared with the source.
    pub fn value(&self) -> &Text {
        match self {
            Label::Ident(i) => &i.name,
            Label::Str(s) => &s.value,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Label::Ident(i) => i.span,
            Label::Str(s) => s.span,
        }
    }
}

/// `{ entries }`; `span` covers the braces.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Body {
    pub entries: Vec<Entry>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Entry {
    Attribute(Attribute),
    /// Boxed: a block is larger than the other entries and rarer than attributes.
    Block(Box<Block>),
    Statement(Statement),
}

/// `name = value`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribute {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `VERB ARG+` on one line, e.g. `read "secret/data/*"` or `sign ssh.training-environment`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    pub verb: Ident,
    /// Nearly always one argument, kept without an allocation.
    pub args: List<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StrLit {
    /// The value with escapes resolved (heredocs: the lines between the markers).
    pub value: Text,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DurationUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl DurationUnit {
    pub fn seconds(self) -> u64 {
        match self {
            DurationUnit::Seconds => 1,
            DurationUnit::Minutes => 60,
            DurationUnit::Hours => 3600,
            DurationUnit::Days => 86400,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    /// `"..."`; `heredoc` is true for `<<EOT ... EOT`.
    Str {
        value: Text,
        heredoc: bool,
    },
    Int(i64),
    Bool(bool),
    /// `90s`, `15m`, `1h`, `7d`: `amount` in `unit`s. `seconds` is the total, saturating.
    Duration {
        amount: u64,
        unit: DurationUnit,
        seconds: u64,
    },
    /// A bare word: a reference (`example-policy`) or a capability (`read`).
    Ident(Text),
    /// A dotted reference: `ssh.training-environment` (at least two segments).
    Path(Vec<Ident>),
    List(Vec<Expr>),
    Map(Vec<MapEntry>),
    /// `env("NAME")`: a secret read from the environment at apply time.
    /// Boxed: rare, and larger than the other variants.
    Env(Box<StrLit>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapEntry {
    pub key: MapKey,
    pub value: Expr,
    pub span: Span,
}

/// A map key: `project_path = ...` or `"x-custom" = ...`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapKey {
    pub name: Text,
    pub span: Span,
}

impl Block {
    pub fn label_text(&self, i: usize) -> Option<&str> {
        self.labels.get(i).map(Label::text)
    }

    /// The span of the block's head: keyword and labels, without the body.
    pub fn head_span(&self) -> Span {
        self.labels
            .last()
            .map_or(self.keyword.span, |l| self.keyword.span.to(l.span()))
    }

    pub fn entries(&self) -> &[Entry] {
        self.body.as_ref().map_or(&[], |b| &b.entries)
    }
}

impl Expr {
    /// A short, user-facing name of the expression's shape, for type errors.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            ExprKind::Str { .. } => "a string",
            ExprKind::Int(_) => "an integer",
            ExprKind::Bool(_) => "a boolean",
            ExprKind::Duration { .. } => "a duration",
            ExprKind::Ident(_) => "a name",
            ExprKind::Path(_) => "a dotted reference",
            ExprKind::List(_) => "a list",
            ExprKind::Map(_) => "a map",
            ExprKind::Env(_) => "an `env(...)` secret",
        }
    }
}

impl Block {
    /// Moves every span of the block's tree by `delta` bytes (either way): a file parsed
    /// on its own placed at its base in a program's [`SourceMap`](kp_diag::SourceMap), or
    /// the blocks after an edit reused where the edit moved them. A walk over the spans;
    /// parsing again would rebuild every node and string.
    pub fn move_by(&mut self, delta: isize) {
        if delta != 0 {
            moved::block(self, delta);
        }
    }
}

mod moved {
    use super::{Block, Entry, Expr, ExprKind, Ident, Label, StrLit};

    fn ident(i: &mut Ident, delta: isize) {
        i.span = i.span.moved(delta);
    }

    fn str_lit(s: &mut StrLit, delta: isize) {
        s.span = s.span.moved(delta);
    }

    pub(super) fn block(b: &mut Block, delta: isize) {
        ident(&mut b.keyword, delta);
        for label in &mut b.labels {
            match label {
                Label::Ident(i) => ident(i, delta),
                Label::Str(s) => str_lit(s, delta),
            }
        }
        if let Some(body) = &mut b.body {
            body.span = body.span.moved(delta);
            for entry in &mut body.entries {
                match entry {
                    Entry::Attribute(a) => {
                        ident(&mut a.name, delta);
                        expr(&mut a.value, delta);
                        a.span = a.span.moved(delta);
                    }
                    Entry::Block(b) => block(b, delta),
                    Entry::Statement(s) => {
                        ident(&mut s.verb, delta);
                        s.args.iter_mut().for_each(|a| expr(a, delta));
                        s.span = s.span.moved(delta);
                    }
                }
            }
        }
        b.span = b.span.moved(delta);
    }

    fn expr(e: &mut Expr, delta: isize) {
        e.span = e.span.moved(delta);
        match &mut e.kind {
            ExprKind::Path(segments) => segments.iter_mut().for_each(|s| ident(s, delta)),
            ExprKind::List(items) => items.iter_mut().for_each(|i| expr(i, delta)),
            ExprKind::Map(entries) => {
                for m in entries {
                    m.key.span = m.key.span.moved(delta);
                    expr(&mut m.value, delta);
                    m.span = m.span.moved(delta);
                }
            }
            ExprKind::Env(name) => str_lit(name, delta),
            ExprKind::Str { .. }
            | ExprKind::Int(_)
            | ExprKind::Bool(_)
            | ExprKind::Duration { .. }
            | ExprKind::Ident(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_there_and_back_is_the_identity() {
        let src = "auth jwt ci { role r { bound_audiences = [\"a\", \"b\"]\n claim_mappings = { x = \"y\" } } }\nworkload w {\n login ci { user_claim = \"sub\" }\n read \"a/*\"\n sign ssh.ca\n token_policies = env(\"X\")\n}\n";
        let parsed = crate::parse_at(src, 7);
        let mut blocks = parsed.file.blocks.clone();
        blocks.iter_mut().for_each(|b| b.move_by(-7));
        assert_eq!(blocks, crate::parse(src).file.blocks);
        blocks.iter_mut().for_each(|b| b.move_by(7));
        assert_eq!(blocks, parsed.file.blocks);
    }

    /// The tree's memory is mostly entries and expressions: keep them compact (a `String`
    /// per name and an inline `Block` made an entry 128 bytes and an expression 64). A
    /// statement's inline argument costs an entry 8 bytes (104, was 96) and saves a
    /// 48-byte heap block per statement.
    #[test]
    fn nodes_stay_compact() {
        assert_eq!(std::mem::size_of::<Entry>(), 104);
        assert_eq!(std::mem::size_of::<List<Label>>(), 40);
        assert_eq!(std::mem::size_of::<List<Expr>>(), 48);
        assert_eq!(std::mem::size_of::<Expr>(), 48);
        assert_eq!(std::mem::size_of::<Ident>(), 32);
    }
}
