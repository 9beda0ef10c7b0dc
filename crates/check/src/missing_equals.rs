//! `name value` written where attributes belong (`user_claim "sub"`) is an attribute
//! that lost its `=`: `kp::unexpected-statement` says so. The attribute is then missing
//! from its block, so the block's other findings (a missing `user_claim`, no key source
//! for `jwks_url "..."`) would send the reader after a problem that is not there: as a
//! block with a syntax error, the block reports only that error until it is fixed.

use kp_diag::{Diagnostic, Span};
use kp_syntax::ast::{Block, Entry};

use crate::codes;

/// Drops the findings of every block holding such a statement, but those of its nested
/// blocks and the statements' own errors. Statements are a workload's grammar, so a
/// workload's own body is left out.
pub fn drop_cascades(blocks: &[Block], diags: &mut Vec<Diagnostic>) {
    let mut quiet: Vec<(Span, Vec<Span>)> = Vec::new();
    for b in blocks {
        collect(b, b.keyword.name == "workload", &mut quiet);
    }
    if quiet.is_empty() {
        return;
    }
    let within = |s: Span, at: Span| at.start <= s.start && s.start < at.end.max(at.start + 1);
    // A block the checker does not know (a misspelt `worklaod`) reports only its name:
    // its statements were never read as lost `=`s, and that error is no cascade.
    diags.retain(|d| {
        d.code == codes::UNEXPECTED_STATEMENT
            || d.code == codes::UNKNOWN_BLOCK
            || !quiet.iter().any(|(block, nested)| {
                within(d.span, *block) && !nested.iter().any(|n| within(d.span, *n))
            })
    });
}

fn collect(block: &Block, statements_belong: bool, quiet: &mut Vec<(Span, Vec<Span>)>) {
    let mut lost_equals = false;
    let mut nested = Vec::new();
    for entry in block.entries() {
        match entry {
            Entry::Statement(st) => lost_equals |= !statements_belong && st.args.len() == 1,
            Entry::Block(b) => {
                nested.push(b.span);
                collect(b, false, quiet);
            }
            Entry::Attribute(_) => {}
        }
    }
    if lost_equals {
        quiet.push((block.span, nested));
    }
}
