//! The check every result passes before it is returned: same tree, spans aside, and the
//! same comments in the same order, each between the same two tokens of the tree.
//! Whatever the printer does, a layout that changes meaning, drops a comment or moves
//! one onto another entry never reaches a file.

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
        && anchors(file, comments) == anchors(&reparsed.file, &after)
}

/// For each comment, how many tokens of the tree end before it. Punctuation that
/// the layout adds or drops (commas) does not count; keywords, names, labels, values and
/// the brackets and braces of bodies, lists and maps do. Equal anchors mean each comment
/// still follows the same token: `read "a", deny "b" # c` may not become
/// `read "a" # c` / `deny "b"`.
fn anchors(file: &File, comments: &[Span]) -> Vec<usize> {
    let mut ends = Vec::new();
    for block in &file.blocks {
        block_token_ends(block, &mut ends);
    }
    kp_sort::unstable(&mut ends);
    comments
        .iter()
        .map(|c| ends.partition_point(|&end| end <= c.start))
        .collect()
}

fn block_token_ends(block: &Block, ends: &mut Vec<usize>) {
    ends.push(block.keyword.span.end);
    ends.extend(block.labels.iter().map(|l| l.span().end));
    let Some(body) = &block.body else {
        return;
    };
    ends.push(body.span.start + 1);
    for entry in &body.entries {
        match entry {
            Entry::Attribute(a) => {
                ends.push(a.name.span.end);
                expr_token_ends(&a.value, ends);
            }
            Entry::Statement(s) => {
                ends.push(s.verb.span.end);
                s.args.iter().for_each(|e| expr_token_ends(e, ends));
            }
            Entry::Block(b) => block_token_ends(b, ends),
        }
    }
    ends.push(body.span.end);
}

fn expr_token_ends(expr: &Expr, ends: &mut Vec<usize>) {
    match &expr.kind {
        ExprKind::List(items) => {
            ends.push(expr.span.start + 1);
            items.iter().for_each(|e| expr_token_ends(e, ends));
            ends.push(expr.span.end);
        }
        ExprKind::Map(entries) => {
            ends.push(expr.span.start + 1);
            for entry in entries {
                ends.push(entry.key.span.end);
                expr_token_ends(&entry.value, ends);
            }
            ends.push(expr.span.end);
        }
        _ => ends.push(expr.span.end),
    }
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

#[cfg(test)]
mod tests {
    use super::same_program;

    fn same(src: &str, out: &str) -> bool {
        let parsed = kp_syntax::parse(src);
        same_program(src, &parsed.file, &kp_syntax::comments(src), out)
    }

    /// A comment moved onto another entry, even with the tree and the comments' order
    /// kept, is refused.
    #[test]
    fn a_comment_moved_to_another_entry_is_refused() {
        let src = "workload w {\n  read \"a\", deny \"a/b\" # about the deny\n}\n";
        assert!(same(
            src,
            "workload w {\n  read \"a\"\n  deny \"a/b\" # about the deny\n}\n"
        ));
        assert!(!same(
            src,
            "workload w {\n  read \"a\" # about the deny\n  deny \"a/b\"\n}\n"
        ));
        let src = "auth jwt {\n  role r { a = 1 } # after the block\n}\n";
        assert!(same(
            src,
            "auth jwt {\n  role r {\n    a = 1\n  } # after the block\n}\n"
        ));
        assert!(!same(
            src,
            "auth jwt {\n  role r {\n    a = 1 # after the block\n  }\n}\n"
        ));
    }
}
