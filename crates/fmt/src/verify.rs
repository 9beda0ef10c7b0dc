//! The check every result passes before it is returned: same tree, spans aside, and the
//! same comments in the same order. Whatever the printer does, a layout that changes
//! meaning or drops a comment never reaches a file.

use kp_diag::Span;
use kp_syntax::ast::{Block, Entry, Expr, ExprKind, File, Label};

pub(crate) fn same_program(src: &str, file: &File, comments: &[Span], out: &str) -> bool {
    let reparsed = kp_syntax::parse(out);
    if !reparsed.diagnostics.is_empty() || !same_blocks(&file.blocks, &reparsed.file.blocks) {
        return false;
    }
    let after = kp_syntax::comments(out);
    after.len() == comments.len()
        && comments
            .iter()
            .zip(&after)
            .all(|(a, b)| text(src, *a) == text(out, *b))
}

fn same_blocks(a: &[Block], b: &[Block]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_block(x, y))
}

fn same_block(a: &Block, b: &Block) -> bool {
    a.keyword.name == b.keyword.name
        && a.labels.len() == b.labels.len()
        && a.labels
            .iter()
            .zip(&b.labels)
            .all(|(x, y)| same_label(x, y))
        && match (&a.body, &b.body) {
            (None, None) => true,
            (Some(x), Some(y)) => {
                x.entries.len() == y.entries.len()
                    && x.entries
                        .iter()
                        .zip(&y.entries)
                        .all(|(p, q)| same_entry(p, q))
            }
            _ => false,
        }
}

fn same_label(a: &Label, b: &Label) -> bool {
    match (a, b) {
        (Label::Ident(x), Label::Ident(y)) => x.name == y.name,
        (Label::Str(x), Label::Str(y)) => x.value == y.value,
        _ => false,
    }
}

fn same_entry(a: &Entry, b: &Entry) -> bool {
    match (a, b) {
        (Entry::Attribute(x), Entry::Attribute(y)) => {
            x.name.name == y.name.name && same_expr(&x.value, &y.value)
        }
        (Entry::Statement(x), Entry::Statement(y)) => {
            x.verb.name == y.verb.name && same_exprs(&x.args, &y.args)
        }
        (Entry::Block(x), Entry::Block(y)) => same_block(x, y),
        _ => false,
    }
}

fn same_exprs(a: &[Expr], b: &[Expr]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_expr(x, y))
}

fn same_expr(a: &Expr, b: &Expr) -> bool {
    match (&a.kind, &b.kind) {
        (
            ExprKind::Str {
                value: v,
                heredoc: h,
            },
            ExprKind::Str {
                value: w,
                heredoc: k,
            },
        ) => v == w && h == k,
        (ExprKind::Int(x), ExprKind::Int(y)) => x == y,
        (ExprKind::Bool(x), ExprKind::Bool(y)) => x == y,
        (
            ExprKind::Duration {
                amount: x, unit: u, ..
            },
            ExprKind::Duration {
                amount: y, unit: v, ..
            },
        ) => x == y && u == v,
        (ExprKind::Ident(x), ExprKind::Ident(y)) => x == y,
        (ExprKind::Path(x), ExprKind::Path(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.name == q.name)
        }
        (ExprKind::List(x), ExprKind::List(y)) => same_exprs(x, y),
        (ExprKind::Map(x), ExprKind::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| p.key.name == q.key.name && same_expr(&p.value, &q.value))
        }
        (ExprKind::Env(x), ExprKind::Env(y)) => x.value == y.value,
        _ => false,
    }
}

fn text(s: &str, span: Span) -> &str {
    s.get(span.start..span.end).unwrap_or_default().trim_end()
}
