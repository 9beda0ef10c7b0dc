//! The request paths a set of patterns tells apart: every combination of the patterns
//! that some one path matches together, each with such a path.
//!
//! An ACL's answer for a path depends only on which of its patterns match the path: the
//! exact rule if one matches, else the longest matching prefix and the matching segment
//! rules ranked by figures of the patterns alone (`docs/acl.md` §4, §6). Two paths that
//! the same patterns match therefore get the same answer from every ACL built from
//! those patterns, and one path per combination (a *region*) is enough to compare two
//! ACLs on every path there is; the access diff does so.
//!
//! A pattern is read as its `/`-separated parts: a literal, a `+` (any one segment, empty
//! included) or, as the last part of a pattern ending in `*`, a literal the segment
//! starts with (the rest of the path being free). The search walks paths segment by
//! segment, keeping which patterns still match so far; at each depth it tries only the
//! values the patterns can tell apart (each literal, each prefix alone and followed by
//! a character no pattern names, and such a character alone), and each state (patterns
//! still matching, patterns already satisfied) once, breadth first, so every region's
//! path is a shortest one.

use crate::policy::PatternKind;
use crate::shadow::{shape, Shape};

/// Paths one set of patterns matches together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// A request path in the region (a shortest one).
    pub sample: String,
    /// The positions, ascending, of the patterns matching every path of the region.
    pub patterns: Vec<usize>,
}

/// Every non-empty combination of `patterns` that some request path matches exactly
/// (those patterns and no other), with one such path each, in the order found (shorter
/// samples first). Templated patterns (`{{identity...}}`) are never evaluated by
/// [`crate::Acl`] and match nothing here.
pub fn regions(patterns: &[&str]) -> Vec<Region> {
    let shapes: Vec<Option<Shape<'_>>> = patterns.iter().map(|p| shape(p)).collect();
    let walk = Walk { shapes: &shapes };
    let start = State {
        segments: Vec::new(),
        fresh: String::new(),
        alive: (0..shapes.len())
            .filter(|&i| shapes.get(i).is_some_and(Option::is_some))
            .collect(),
        satisfied: Vec::new(),
    };
    // Sorted lists, not `BTreeSet`s: the tree's code is kilobytes of the playground's
    // wasm for each element type (`kp_sort::insert_sorted`).
    let mut seen: Vec<(usize, Vec<usize>, Vec<usize>)> = Vec::new();
    let mut found: Vec<Vec<usize>> = Vec::new();
    let mut out = Vec::new();
    // Breadth first: a list read from its front, states appended behind.
    let mut queue = vec![start];
    let mut next_state = 0;
    while let Some(slot) = queue.get_mut(next_state) {
        next_state += 1;
        let state = std::mem::take(slot);
        let depth = state.segments.len();
        if depth > 0 {
            let matched = walk.matched_at_end(&state);
            if !matched.is_empty() && kp_sort::insert_sorted(&mut found, matched.clone()) {
                out.push(Region {
                    sample: state.segments.join("/"),
                    patterns: matched,
                });
            }
        }
        if state.alive.is_empty() {
            // Longer paths match the satisfied patterns alone, as this one does.
            continue;
        }
        for next in walk.successors(&state) {
            // Without patterns still matching, depth no longer matters.
            let at = if next.alive.is_empty() { 0 } else { depth + 1 };
            if kp_sort::insert_sorted(&mut seen, (at, next.alive.clone(), next.satisfied.clone())) {
                queue.push(next);
            }
        }
    }
    out
}

/// A path being built, and where the patterns stand on it.
#[derive(Default)]
struct State {
    segments: Vec<String>,
    /// The characters chosen so far as segments no pattern names (to vary them).
    fresh: String,
    /// Patterns matching every segment so far and needing more.
    alive: Vec<usize>,
    /// Patterns ending in `*` whose last part a segment started with: they match
    /// however the path goes on.
    satisfied: Vec<usize>,
}

struct Walk<'s, 'a> {
    shapes: &'s [Option<Shape<'a>>],
}

/// What one pattern asks of the segment at some depth.
enum Part<'a> {
    /// Any segment (`+`).
    Any,
    /// The segment starts with this text, and the pattern is then satisfied.
    Prefix(&'a str),
    /// The segment is this text.
    Literal(&'a str),
    /// The pattern has no part here: another segment ends its match.
    Beyond,
}

impl<'a> Walk<'_, 'a> {
    fn part(&self, pattern: usize, depth: usize) -> Part<'a> {
        let Some(Some(s)) = self.shapes.get(pattern) else {
            return Part::Beyond;
        };
        let Some(&text) = s.parts.get(depth) else {
            return Part::Beyond;
        };
        if s.kind == PatternKind::Segment && text == "+" {
            Part::Any
        } else if s.glob && depth + 1 == s.parts.len() {
            Part::Prefix(text)
        } else {
            Part::Literal(text)
        }
    }

    /// The patterns matching the path if it ends here.
    fn matched_at_end(&self, state: &State) -> Vec<usize> {
        let depth = state.segments.len();
        let mut out: Vec<usize> = state
            .alive
            .iter()
            .copied()
            .filter(|&p| {
                self.shapes
                    .get(p)
                    .and_then(Option::as_ref)
                    .is_some_and(|s| !s.glob && s.parts.len() == depth)
            })
            .chain(state.satisfied.iter().copied())
            .collect();
        kp_sort::unstable(&mut out);
        out.dedup();
        out
    }

    /// The paths one segment longer that the patterns can tell apart.
    fn successors(&self, state: &State) -> Vec<State> {
        let depth = state.segments.len();
        let mut literals: Vec<(&'a str, usize)> = Vec::new();
        let mut prefixes: Vec<(&'a str, usize)> = Vec::new();
        let mut any: Vec<usize> = Vec::new();
        for &p in &state.alive {
            match self.part(p, depth) {
                Part::Any => any.push(p),
                Part::Prefix(t) => prefixes.push((t, p)),
                Part::Literal(t) => literals.push((t, p)),
                Part::Beyond => {}
            }
        }
        kp_sort::unstable(&mut literals);
        kp_sort::unstable(&mut prefixes);
        let named = |v: &str| {
            literals.binary_search_by(|(t, _)| (*t).cmp(v)).is_ok()
                || prefixes.binary_search_by(|(t, _)| (*t).cmp(v)).is_ok()
        };
        // A character no pattern names here, one not chosen before on this path if can be.
        let unnamed = |before: &str, avoid: &str| {
            let mut tries = ('a'..='z')
                .chain('0'..='9')
                .chain((0xC0..).filter_map(char::from_u32));
            let ok = |c: char, avoid: &str| {
                let v = format!("{before}{c}");
                (!named(&v) && !avoid.contains(c)).then_some(v)
            };
            let mut first = tries.clone();
            first
                .find_map(|c| ok(c, avoid))
                .or_else(|| tries.find_map(|c| ok(c, "")))
                .unwrap_or_default()
        };
        // Non-empty values first, so samples read as paths without empty segments.
        let mut values: Vec<(String, bool)> = Vec::new();
        let mut push = |v: String, fresh: bool| {
            if !values.iter().any(|(w, _)| *w == v) {
                values.push((v, fresh));
            }
        };
        for (t, _) in literals.iter().chain(&prefixes) {
            if !t.is_empty() {
                push((*t).to_string(), false);
            }
        }
        for (t, _) in &prefixes {
            if !t.is_empty() {
                push(unnamed(t, ""), false);
            }
        }
        push(unnamed("", &state.fresh), true);
        // The server drops a path's leading slashes: the first segment is never empty.
        if depth > 0 && literals.iter().chain(&prefixes).any(|(t, _)| t.is_empty()) {
            push(String::new(), false);
        }
        values
            .into_iter()
            .map(|(v, fresh)| {
                let mut alive = any.clone();
                let same = literals.partition_point(|(t, _)| *t < v.as_str());
                alive.extend(
                    literals
                        .iter()
                        .skip(same)
                        .take_while(|(t, _)| *t == v)
                        .map(|&(_, p)| p),
                );
                kp_sort::unstable(&mut alive);
                let mut satisfied = state.satisfied.clone();
                satisfied.extend(
                    prefixes
                        .iter()
                        .filter(|(t, _)| v.starts_with(t))
                        .map(|&(_, p)| p),
                );
                kp_sort::unstable(&mut satisfied);
                satisfied.dedup();
                let mut segments = state.segments.clone();
                let mut chosen = state.fresh.clone();
                if fresh {
                    chosen.push_str(&v);
                }
                segments.push(v);
                State {
                    segments,
                    fresh: chosen,
                    alive,
                    satisfied,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
