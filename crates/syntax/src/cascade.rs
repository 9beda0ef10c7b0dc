//! No cascades: a syntax error costs exactly one diagnostic.
//!
//! It lives here, beside the parser that decides what a syntax error drops, so that every
//! front end that checks a parsed file (the `keyplan` facade, `kp-ide`) filters the same way.
//!
//! When the parser drops an attribute (or a whole entry), the checker sees a block without
//! it and would report what follows from its absence: a missing required field, a binding
//! lint, a type mismatch on a truncated value. Those repeat the syntax error in misleading
//! words, so every non-syntax diagnostic whose primary span starts inside a top-level
//! block holding a syntax error is left out; fixing the syntax error brings them back
//! if they still apply. A whole top-level block is the unit because a dropped entry can
//! change what any part of its block means (a workload's login and its statements).

use crate::ast::Block;
use kp_diag::{Diagnostic, Span};

/// Prefix of every parser diagnostic's code.
pub const SYNTAX_PREFIX: &str = "kp::syntax::";

/// The spans of the top-level `blocks` that contain the start of a syntax diagnostic.
pub fn blocks_with_syntax_errors(blocks: &[Block], syntax: &[Diagnostic]) -> Vec<Span> {
    let mut starts: Vec<usize> = syntax
        .iter()
        .filter(|d| d.code.starts_with(SYNTAX_PREFIX))
        .map(|d| d.span.start)
        .collect();
    kp_sort::unstable(&mut starts);
    // Blocks come in source order and do not overlap: one merge-like pass.
    blocks
        .iter()
        .map(|b| b.span)
        .filter(|span| {
            let first = starts.partition_point(|&s| s < span.start);
            starts.get(first).is_some_and(|&s| s <= span.end)
        })
        .collect()
}

/// `checked` without the diagnostics that start inside a block of `broken` (sorted
/// spans from [`blocks_with_syntax_errors`]); syntax diagnostics are always kept.
pub fn without_cascades(broken: &[Span], checked: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if broken.is_empty() {
        return checked;
    }
    checked
        .into_iter()
        .filter(|d| d.code.starts_with(SYNTAX_PREFIX) || !inside_any(broken, d.span.start))
        .collect()
}

fn inside_any(sorted: &[Span], offset: usize) -> bool {
    let after = sorted.partition_point(|s| s.start <= offset);
    after
        .checked_sub(1)
        .and_then(|i| sorted.get(i))
        .is_some_and(|s| offset <= s.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_on_the_edges_of_a_block_count_as_inside() {
        let broken = [Span::new(10, 20), Span::new(30, 40)];
        let inside: Vec<usize> = [9, 10, 15, 20, 21, 29, 30, 40, 41]
            .into_iter()
            .filter(|&o| inside_any(&broken, o))
            .collect();
        assert_eq!(inside, [10, 15, 20, 30, 40]);
    }
}
