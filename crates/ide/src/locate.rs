//! What is at a byte offset: the chain of blocks around it and the word under it.

use kp_diag::Span;
use kp_syntax::ast::{Attribute, Block, Entry, File};

/// The blocks whose body holds `offset`, outermost first.
pub fn enclosing_blocks(file: &File, offset: usize) -> Vec<&Block> {
    let mut chain = Vec::new();
    let mut entries: Option<&[Entry]> = None;
    let mut top = file.blocks.iter();
    loop {
        let found = match entries {
            None => top.by_ref().find(|b| in_body(b, offset)),
            Some(es) => es.iter().find_map(|e| match e {
                Entry::Block(b) if in_body(b, offset) => Some(&**b),
                _ => None,
            }),
        };
        let Some(b) = found else { break };
        chain.push(b);
        entries = Some(b.entries());
    }
    chain
}

/// Strictly inside the braces (after `{`, up to and including the position of `}`).
fn in_body(b: &Block, offset: usize) -> bool {
    b.body.as_ref().is_some_and(|body| {
        body.span.start < offset && offset < body.span.end.max(body.span.start + 1)
    })
}

/// The block whose head (keyword or labels) covers `offset`, with its parents.
pub fn block_at_head(file: &File, offset: usize) -> Option<(Vec<&Block>, &Block)> {
    let parents = enclosing_blocks(file, offset);
    let entries: Vec<&Block> = match parents.last() {
        Some(p) => p
            .entries()
            .iter()
            .filter_map(|e| match e {
                Entry::Block(b) => Some(&**b),
                _ => None,
            })
            .collect(),
        None => file.blocks.iter().collect(),
    };
    let b = entries
        .into_iter()
        .find(|b| covers(b.head_span(), offset))?;
    Some((parents, b))
}

/// The attribute of the innermost block whose name or value covers `offset`.
pub fn attribute_at<'a>(blocks: &[&'a Block], offset: usize) -> Option<&'a Attribute> {
    let b = blocks.last()?;
    b.entries().iter().find_map(|e| match e {
        Entry::Attribute(a) if covers(a.span, offset) => Some(a),
        _ => None,
    })
}

pub fn covers(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The identifier characters just before `offset` (what the user is typing) and where
/// they start.
pub fn prefix_at(source: &str, offset: usize) -> (usize, &str) {
    let before = source.get(..offset).unwrap_or("");
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map_or(offset, |(i, _)| i);
    (start, before.get(start..).unwrap_or(""))
}

/// The text of the line before `offset`.
pub fn line_before(source: &str, offset: usize) -> &str {
    let before = source.get(..offset).unwrap_or("");
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    before.get(start..).unwrap_or("")
}

/// The block spanning exactly `span`, at any depth.
pub fn block_with_span(file: &File, span: Span) -> Option<&Block> {
    fn walk<'a>(blocks: &mut dyn Iterator<Item = &'a Block>, span: Span) -> Option<&'a Block> {
        for b in blocks {
            if b.span == span {
                return Some(b);
            }
            if covers(b.span, span.start) {
                let mut inner = b.entries().iter().filter_map(|e| match e {
                    Entry::Block(b) => Some(&**b),
                    _ => None,
                });
                return walk(&mut inner, span);
            }
        }
        None
    }
    walk(&mut file.blocks.iter(), span)
}
