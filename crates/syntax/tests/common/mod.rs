//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use kp_diag::{LineIndex, Span};
use kp_syntax::ast::{Block, Entry, Expr, ExprKind, File, Label};
use kp_syntax::ParseResult;

/// `(code, line, column)` of each diagnostic, 1-based.
pub fn located(src: &str, result: &ParseResult) -> Vec<(String, usize, usize)> {
    let index = LineIndex::new(src);
    result
        .diagnostics
        .iter()
        .map(|d| {
            let at = index.line_col(d.span.start);
            (d.code.to_string(), at.line, at.column)
        })
        .collect()
}

/// Every span in the tree and in the diagnostics, for bounds checks.
pub fn all_spans(result: &ParseResult) -> Vec<Span> {
    let mut spans = vec![result.file.span];
    for block in &result.file.blocks {
        block_spans(block, &mut spans);
    }
    for d in &result.diagnostics {
        spans.push(d.span);
        spans.extend(d.related.iter().map(|r| r.span));
    }
    spans
}

fn block_spans(block: &Block, out: &mut Vec<Span>) {
    out.push(block.span);
    out.push(block.keyword.span);
    out.extend(block.labels.iter().map(Label::span));
    if let Some(body) = &block.body {
        out.push(body.span);
        for entry in &body.entries {
            match entry {
                Entry::Attribute(a) => {
                    out.extend([a.span, a.name.span]);
                    expr_spans(&a.value, out);
                }
                Entry::Block(b) => block_spans(b, out),
                Entry::Statement(s) => {
                    out.extend([s.span, s.verb.span]);
                    s.args.iter().for_each(|e| expr_spans(e, out));
                }
            }
        }
    }
}

fn expr_spans(expr: &Expr, out: &mut Vec<Span>) {
    out.push(expr.span);
    match &expr.kind {
        ExprKind::Path(segments) => out.extend(segments.iter().map(|s| s.span)),
        ExprKind::List(items) => items.iter().for_each(|e| expr_spans(e, out)),
        ExprKind::Map(entries) => {
            for entry in entries {
                out.extend([entry.span, entry.key.span]);
                expr_spans(&entry.value, out);
            }
        }
        ExprKind::Env(name) => out.push(name.span),
        _ => {}
    }
}

/// Panics unless every span is ordered, inside `src` and on char boundaries.
pub fn assert_spans_valid(src: &str, result: &ParseResult) {
    for span in all_spans(result) {
        assert!(span.start <= span.end, "reversed span {span:?}");
        assert!(
            span.end <= src.len(),
            "span {span:?} past the end ({})",
            src.len()
        );
        assert!(
            src.is_char_boundary(span.start) && src.is_char_boundary(span.end),
            "span {span:?} splits a character"
        );
    }
}

/// The source text under a span.
pub fn text(src: &str, span: Span) -> &str {
    &src[span.start..span.end]
}

pub fn first_block(file: &File) -> &Block {
    file.blocks.first().expect("a block")
}
