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

/// Moves every span of a tree by `by` bytes: a file parsed on its own is placed at its
/// base in a program's [`SourceMap`](kp_diag::SourceMap).
pub(crate) trait Shift {
    fn shift(&mut self, by: usize);
}

impl Shift for Span {
    fn shift(&mut self, by: usize) {
        self.start += by;
        self.end += by;
    }
}

impl Shift for File {
    fn shift(&mut self, by: usize) {
        self.span.shift(by);
        self.blocks.iter_mut().for_each(|b| b.shift(by));
    }
}

impl Shift for Ident {
    fn shift(&mut self, by: usize) {
        self.span.shift(by);
    }
}

impl Shift for StrLit {
    fn shift(&mut self, by: usize) {
        self.span.shift(by);
    }
}

impl Shift for Block {
    fn shift(&mut self, by: usize) {
        self.keyword.shift(by);
        for label in &mut self.labels {
            match label {
                Label::Ident(i) => i.shift(by),
                Label::Str(s) => s.shift(by),
            }
        }
        if let Some(body) = &mut self.body {
            body.span.shift(by);
            for entry in &mut body.entries {
                match entry {
                    Entry::Attribute(a) => {
                        a.name.shift(by);
                        a.value.shift(by);
                        a.span.shift(by);
                    }
                    Entry::Block(b) => b.shift(by),
                    Entry::Statement(s) => {
                        s.verb.shift(by);
                        s.args.iter_mut().for_each(|a| a.shift(by));
                        s.span.shift(by);
                    }
                }
            }
        }
        self.span.shift(by);
    }
}

impl Shift for Expr {
    fn shift(&mut self, by: usize) {
        self.span.shift(by);
        match &mut self.kind {
            ExprKind::Path(segments) => segments.iter_mut().for_each(|s| s.shift(by)),
            ExprKind::List(items) => items.iter_mut().for_each(|i| i.shift(by)),
            ExprKind::Map(entries) => {
                for e in entries {
                    e.key.span.shift(by);
                    e.value.shift(by);
                    e.span.shift(by);
                }
            }
            ExprKind::Env(name) => name.shift(by),
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
