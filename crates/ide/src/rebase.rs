//! Moving a parsed tree (and its syntax diagnostics) to another place in the program's
//! offset space, by a signed distance: a file whose text did not change but whose base
//! did (an earlier file grew or shrank), or the blocks after an edit in the same file.
//! Moving is a walk over spans; parsing again would rebuild every node and string.

use kp_diag::Span;
use kp_syntax::ast::{Block, Entry, Expr, ExprKind, Ident, Label, StrLit};

fn span(s: &mut Span, delta: isize) {
    *s = s.moved(delta);
}

fn ident(i: &mut Ident, delta: isize) {
    span(&mut i.span, delta);
}

fn str_lit(s: &mut StrLit, delta: isize) {
    span(&mut s.span, delta);
}

pub fn block(b: &mut Block, delta: isize) {
    if delta == 0 {
        return;
    }
    ident(&mut b.keyword, delta);
    for label in &mut b.labels {
        match label {
            Label::Ident(i) => ident(i, delta),
            Label::Str(s) => str_lit(s, delta),
        }
    }
    if let Some(body) = &mut b.body {
        span(&mut body.span, delta);
        for entry in &mut body.entries {
            match entry {
                Entry::Attribute(a) => {
                    ident(&mut a.name, delta);
                    expr(&mut a.value, delta);
                    span(&mut a.span, delta);
                }
                Entry::Block(b) => block(b, delta),
                Entry::Statement(s) => {
                    ident(&mut s.verb, delta);
                    s.args.iter_mut().for_each(|a| expr(a, delta));
                    span(&mut s.span, delta);
                }
            }
        }
    }
    span(&mut b.span, delta);
}

fn expr(e: &mut Expr, delta: isize) {
    span(&mut e.span, delta);
    match &mut e.kind {
        ExprKind::Path(segments) => segments.iter_mut().for_each(|s| ident(s, delta)),
        ExprKind::List(items) => items.iter_mut().for_each(|i| expr(i, delta)),
        ExprKind::Map(entries) => {
            for m in entries {
                span(&mut m.key.span, delta);
                expr(&mut m.value, delta);
                span(&mut m.span, delta);
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

pub use kp_diag::delta;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_there_and_back_is_the_identity() {
        let src = "auth jwt ci { role r { bound_audiences = [\"a\", \"b\"]\n claim_mappings = { x = \"y\" } } }\nworkload w {\n login ci { user_claim = \"sub\" }\n read \"a/*\"\n token_policies = env(\"X\")\n}\n";
        let parsed = kp_syntax::parse_at(src, 7);
        let mut blocks = parsed.file.blocks.clone();
        for b in &mut blocks {
            block(b, -7);
        }
        assert_eq!(blocks, kp_syntax::parse(src).file.blocks);
        for b in &mut blocks {
            block(b, 7);
        }
        assert_eq!(blocks, parsed.file.blocks);
    }
}
