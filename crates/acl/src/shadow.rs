//! Whether a rule can never decide because another rule of the same ACL always wins
//! over it: every path the loser matches, the winner matches too, and the winner ranks
//! above it in `CheckAllowedFromNonExactPaths`' order (or, among prefix rules, is the
//! longer prefix). The order only compares figures of the two patterns (first wildcard,
//! trailing `*`, number of `+`, length, text), never the path, so one comparison holds
//! for every path; `docs/acl.md` §6 explains the cases.
//!
//! Rules with the same pattern are merged, not shadowed (`NewACL`), and exact rules
//! never lose (an exact winner would contain only its own path): both are left to the
//! caller.

use crate::acl::Criterion;
use crate::policy::{strip_slash, PatternKind};

/// A pattern as the lookup sees it: `/`-separated parts, `+` parts matching one
/// segment, the last part a prefix when the pattern ends in `*`.
pub(crate) struct Shape<'a> {
    pub(crate) kind: PatternKind,
    pub(crate) parts: Vec<&'a str>,
    pub(crate) glob: bool,
    /// The figures the server's order compares (see `Candidate::priority`).
    first: usize,
    wildcards: usize,
    wc_path: &'a str,
}

pub(crate) fn shape(pattern: &str) -> Option<Shape<'_>> {
    let kind = PatternKind::of(pattern);
    let p = strip_slash(pattern);
    let (wc_path, glob) = match kind {
        PatternKind::Templated => return None,
        PatternKind::Exact => (p, false),
        PatternKind::Prefix | PatternKind::Segment => match p.strip_suffix('*') {
            Some(w) => (w, true),
            None => (p, false),
        },
    };
    let parts: Vec<&str> = wc_path.split('/').collect();
    let (first, wildcards) = match kind {
        PatternKind::Segment => (
            p.find('+').unwrap_or(0),
            parts.iter().filter(|s| **s == "+").count(),
        ),
        _ => (wc_path.len(), 0),
    };
    Some(Shape {
        kind,
        parts,
        glob,
        first,
        wildcards,
        wc_path,
    })
}

/// Every path `r` matches, `w` matches too.
fn contains(w: &Shape<'_>, r: &Shape<'_>) -> bool {
    let (n, m) = (w.parts.len(), r.parts.len());
    let enough = if w.glob { m >= n } else { !r.glob && m == n };
    if !enough {
        return false;
    }
    let seg = |s: &Shape<'_>, part: &str| s.kind == PatternKind::Segment && part == "+";
    w.parts
        .iter()
        .zip(&r.parts)
        .enumerate()
        .all(|(i, (wp, rp))| {
            // `r`'s globbed last part may go on with anything, slashes included.
            let r_spills = r.glob && i == m - 1;
            if w.glob && i == n - 1 {
                // `w` asks only that this part starts with its text.
                wp.is_empty() || (!seg(r, rp) && rp.starts_with(wp))
            } else if seg(w, wp) {
                !r_spills
            } else {
                !r_spills && !seg(r, rp) && rp == wp
            }
        })
}

/// `Some(why)` when `winner` decides every request `loser` matches, so `loser` never
/// decides; `None` otherwise, and for two spellings of one pattern (they merge).
pub fn shadows(winner: &str, loser: &str) -> Option<Criterion> {
    shadows_pattern(&Pattern::new(winner), &Pattern::new(loser))
}

/// A rule's pattern analysed once, for [`shadows_pattern`]: a lint comparing every rule
/// of an ACL with every other would otherwise parse each pattern once per pair.
pub struct Pattern<'a> {
    stripped: &'a str,
    /// `None` for a templated pattern, which is never compared.
    shape: Option<Shape<'a>>,
}

impl<'a> Pattern<'a> {
    pub fn new(pattern: &'a str) -> Self {
        Pattern {
            stripped: strip_slash(pattern),
            shape: shape(pattern),
        }
    }
}

/// [`shadows`] on patterns analysed beforehand.
pub fn shadows_pattern(winner: &Pattern<'_>, loser: &Pattern<'_>) -> Option<Criterion> {
    if winner.stripped == loser.stripped {
        return None;
    }
    let (w, r) = (winner.shape.as_ref()?, loser.shape.as_ref()?);
    // An exact rule is looked up before any wildcard and only loses to itself.
    if r.kind == PatternKind::Exact || !contains(w, r) {
        return None;
    }
    ranks_above(w, r)
}

/// Whether `narrow` decides every request it matches although `broad` matches each of
/// them too: there `broad`'s capabilities give way to `narrow`'s, they are not added.
/// An exact `narrow` wins over any glob that matches its path.
pub fn narrows(narrow: &Pattern<'_>, broad: &Pattern<'_>) -> bool {
    if narrow.stripped == broad.stripped {
        return false;
    }
    let (Some(n), Some(b)) = (narrow.shape.as_ref(), broad.shape.as_ref()) else {
        return false;
    };
    if b.kind == PatternKind::Exact || !contains(b, n) {
        return false;
    }
    n.kind == PatternKind::Exact || ranks_above(n, b).is_some()
}

/// Whether glob `w` comes before glob `r` in the server's order, on any path both
/// match (the order compares only figures of the two patterns).
pub fn outranks(w: &Pattern<'_>, r: &Pattern<'_>) -> bool {
    match (w.shape.as_ref(), r.shape.as_ref()) {
        (Some(ws), Some(rs)) if ws.kind != PatternKind::Exact && rs.kind != PatternKind::Exact => {
            w.stripped != r.stripped && ranks_above(ws, rs).is_some()
        }
        _ => false,
    }
}

/// Why `w` ranks above `r` in `CheckAllowedFromNonExactPaths`' order, when it does.
fn ranks_above(w: &Shape<'_>, r: &Shape<'_>) -> Option<Criterion> {
    if w.kind == PatternKind::Prefix && r.kind == PatternKind::Prefix {
        // Only the longest matching prefix competes.
        return (w.wc_path.len() > r.wc_path.len()).then_some(Criterion::LongerPrefix);
    }
    let order = w
        .first
        .cmp(&r.first)
        .then_with(|| r.glob.cmp(&w.glob))
        .then_with(|| r.wildcards.cmp(&w.wildcards))
        .then_with(|| w.wc_path.len().cmp(&r.wc_path.len()))
        .then_with(|| w.wc_path.cmp(r.wc_path));
    if order != std::cmp::Ordering::Greater {
        return None;
    }
    Some(if w.first != r.first {
        Criterion::LaterWildcard
    } else if w.glob != r.glob {
        Criterion::NotAGlob
    } else if w.wildcards != r.wildcards {
        Criterion::FewerWildcards
    } else if w.wc_path.len() != r.wc_path.len() {
        Criterion::Longer
    } else {
        Criterion::Lexical
    })
}

/// The rules of one ACL indexed for [`shadows_pattern`] questions about each of them:
/// comparing every rule with every other was quadratic in a policy's rules (a workload
/// of 10,000 `read` rules took 3.3 s to lint).
///
/// A winner must contain its loser. An exact rule contains only itself and never
/// shadows; a prefix rule (`a/b*`) contains only patterns whose text before their own
/// wildcard starts with its text before the `*`, so it is looked up by each prefix of the
/// loser's. Rules with `+` are few and asked every time.
pub struct ShadowIndex<'a> {
    /// The prefix rules as (text before the `*`, position), sorted: a binary search finds
    /// a text's rules. Not a `HashMap`: its table code was the access module's only use
    /// of that map type (1 KB gzipped of the playground's wasm), for a lookup made once
    /// per distinct prefix length.
    prefixes: Vec<(&'a str, usize)>,
    /// The lengths of those texts, ascending, each once: a loser's text is looked up cut
    /// at each, not at each of its own lengths (a binary search per byte of every
    /// pattern was a fifth of `keyplan check` on 2,000 workloads).
    lengths: Vec<usize>,
    /// Positions of the rules with `+` segments.
    segments: Vec<usize>,
}

impl<'a> ShadowIndex<'a> {
    /// Indexes `patterns`, numbered in the order given.
    pub fn new<'p>(patterns: impl IntoIterator<Item = &'p Pattern<'a>>) -> Self
    where
        'a: 'p,
    {
        let mut prefixes = Vec::new();
        let mut segments = Vec::new();
        for (i, p) in patterns.into_iter().enumerate() {
            match &p.shape {
                Some(s) if s.kind == PatternKind::Prefix => prefixes.push((s.wc_path, i)),
                Some(s) if s.kind == PatternKind::Segment => segments.push(i),
                _ => {}
            }
        }
        kp_sort::unstable(&mut prefixes);
        let mut lengths: Vec<usize> = prefixes.iter().map(|(k, _)| k.len()).collect();
        kp_sort::unstable(&mut lengths);
        lengths.dedup();
        ShadowIndex {
            prefixes,
            lengths,
            segments,
        }
    }

    /// The positions, ascending, of the rules that may shadow `loser`: every rule for
    /// which [`shadows_pattern`] can answer `Some` is among them.
    pub fn may_shadow(&self, loser: &Pattern<'_>, out: &mut Vec<usize>) {
        out.clear();
        if loser
            .shape
            .as_ref()
            .is_some_and(|r| r.kind != PatternKind::Exact)
        {
            self.may_contain(loser, out);
        }
    }

    /// The positions, ascending, of the glob rules that may match every path `pattern`
    /// matches (an exact `pattern` included): every rule `pattern` [`narrows`] is among
    /// them.
    pub fn may_contain(&self, pattern: &Pattern<'_>, out: &mut Vec<usize>) {
        out.clear();
        let Some(r) = pattern.shape.as_ref() else {
            return;
        };
        out.extend_from_slice(&self.segments);
        let text = r.wc_path;
        for &len in self.lengths.iter().take_while(|&&len| len <= text.len()) {
            if let Some(key) = text.get(..len) {
                let start = self.prefixes.partition_point(|(k, _)| *k < key);
                let rules = self.prefixes.get(start..).unwrap_or_default();
                out.extend(rules.iter().take_while(|(k, _)| *k == key).map(|&(_, i)| i));
            }
        }
        kp_sort::unstable(out);
    }
}

#[cfg(test)]
mod tests;
