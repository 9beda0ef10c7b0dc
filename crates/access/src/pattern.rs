//! Whether two patterns can match a common string: ACL path patterns (`+` one segment,
//! possibly empty; `*` any rest) and claim globs (`*` any run, anywhere).
//!
//! Both are read as sequences of literals and wildcards, and the question is whether
//! the two languages intersect: a search over pairs of positions, each visited once.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// A run of characters other than `/` (an ACL `+` segment).
    Segment,
    /// Any run of characters.
    Any,
}

fn acl_tokens(pattern: &str) -> Vec<Tok> {
    pattern
        .chars()
        .map(|c| match c {
            '+' => Tok::Segment,
            '*' => Tok::Any,
            c => Tok::Lit(c),
        })
        .collect()
}

fn glob_tokens(pattern: &str) -> Vec<Tok> {
    pattern
        .chars()
        .map(|c| if c == '*' { Tok::Any } else { Tok::Lit(c) })
        .collect()
}

/// Some request path matches both ACL patterns. A `*` only counts at the end (where
/// the server reads it as a glob), `+` only as a whole segment.
pub fn acl_overlap(a: &str, b: &str) -> bool {
    // Before either pattern's first wildcard both are literal, so a common path starts
    // with both texts there: most pairs of a program (other teams' paths) differ in it,
    // and are answered without the search (a lint asks every pair of rules).
    let literal = |p: &str| p.find(['*', '+']).unwrap_or(p.len());
    let (la, lb) = (literal(a), literal(b));
    let common = la.min(lb);
    if a.as_bytes().get(..common) != b.as_bytes().get(..common) {
        return false;
    }
    if la == a.len() && lb == b.len() {
        return a == b;
    }
    // Too long to compare: taken to meet, so that no lint says a rule decides nothing.
    intersect(&acl_tokens(a), &acl_tokens(b)).map_or(true, |w| w.is_some())
}

/// Some string matches both globs (go-glob: `*` matches any run).
pub fn glob_overlap(a: &str, b: &str) -> bool {
    glob_witness(a, b).is_some()
}

/// A string both globs match, if there is one.
pub fn glob_witness(a: &str, b: &str) -> Option<String> {
    intersect(&glob_tokens(a), &glob_tokens(b)).ok().flatten()
}

/// More pairs of positions than the search looks at (two patterns of a thousand
/// characters each): [`intersect`] says it did not look.
const MAX_PAIRS: usize = 1 << 20;

/// Two patterns too long to compare ([`MAX_PAIRS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TooLong;

/// A string both token sequences match: the characters read on the way from the start to
/// an accepting pair of positions (each pair records the step that first reached it).
///
/// The pairs are cells of one table, not keys of a map: a `HashMap` (or a `BTreeSet`
/// beside a `BTreeMap`) compiled table code of its own into the playground's wasm, for
/// patterns of a few dozen characters.
fn intersect(a: &[Tok], b: &[Tok]) -> Result<Option<String>, TooLong> {
    /// How a cell was first reached: the cell before it and the character read.
    #[derive(Clone, Copy)]
    enum Cell {
        Unreached,
        Start,
        From(usize, Option<char>),
    }
    let width = b.len() + 1;
    let cells = (a.len() + 1)
        .checked_mul(width)
        .filter(|&n| n <= MAX_PAIRS)
        .ok_or(TooLong)?;
    let mut reached = vec![Cell::Unreached; cells];
    let mut expanded = vec![false; cells];
    if let Some(c) = reached.first_mut() {
        *c = Cell::Start;
    }
    let mut stack = vec![0usize];
    let empty = |t: &[Tok]| t.iter().all(|t| !matches!(t, Tok::Lit(_)));
    let witness = |reached: &[Cell], mut at: usize| {
        let mut read = Vec::new();
        while let Some(&Cell::From(from, c)) = reached.get(at) {
            read.extend(c);
            at = from;
        }
        read.into_iter().rev().collect::<String>()
    };
    while let Some(at) = stack.pop() {
        match expanded.get_mut(at) {
            Some(done) if !*done => *done = true,
            _ => continue,
        }
        let (i, j) = (at / width, at % width);
        let mut step = |(ti, tj): (usize, usize), c: Option<char>| {
            let to = ti * width + tj;
            if let Some(cell @ Cell::Unreached) = reached.get_mut(to) {
                *cell = Cell::From(at, c);
            }
            stack.push(to);
        };
        let (x, y) = (a.get(i), b.get(j));
        match (x, y) {
            (None, None) => return Ok(Some(witness(&reached, at))),
            (None, Some(_)) => {
                if empty(b.get(j..).unwrap_or(&[])) {
                    return Ok(Some(witness(&reached, at)));
                }
            }
            (Some(_), None) => {
                if empty(a.get(i..).unwrap_or(&[])) {
                    return Ok(Some(witness(&reached, at)));
                }
            }
            (Some(&x), Some(&y)) => {
                // A wildcard may end (match nothing more) on either side.
                if !matches!(x, Tok::Lit(_)) {
                    step((i + 1, j), None);
                }
                if !matches!(y, Tok::Lit(_)) {
                    step((i, j + 1), None);
                }
                match (x, y) {
                    (Tok::Lit(c), Tok::Lit(d)) if c == d => step((i + 1, j + 1), Some(c)),
                    (Tok::Lit(_), Tok::Lit(_)) => {}
                    // A wildcard consumes the other side's literal.
                    (Tok::Any, Tok::Lit(c)) => step((i, j + 1), Some(c)),
                    (Tok::Segment, Tok::Lit(c)) if c != '/' => step((i, j + 1), Some(c)),
                    (Tok::Lit(c), Tok::Any) => step((i + 1, j), Some(c)),
                    (Tok::Lit(c), Tok::Segment) if c != '/' => step((i + 1, j), Some(c)),
                    // Two wildcards consume a common character together.
                    (Tok::Segment | Tok::Any, Tok::Segment | Tok::Any) => {
                        step((i + 1, j + 1), Some('x'));
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::glob_match;

    #[test]
    fn acl_patterns() {
        let cases = [
            ("secret/data/*", "secret/data/a", true),
            ("secret/data/*", "secret/metadata/*", false),
            ("secret/+/a", "secret/data/*", true),
            ("secret/+/a", "secret/x/y/a", false),
            ("secret/+/a", "secret//a", true),
            ("*", "sys/mounts", true),
            ("s*", "sys/", true),
            ("a/b", "a/b", true),
            ("a/b", "a/c", false),
            ("+/+", "a/b/c", false),
            ("+/*", "a/b/c", true),
        ];
        for (a, b, want) in cases {
            assert_eq!(acl_overlap(a, b), want, "{a} ∩ {b}");
            assert_eq!(acl_overlap(b, a), want, "{b} ∩ {a}");
        }
    }

    /// The literal-prefix shortcut answers as the search does, on every pair of patterns
    /// of up to three characters over `a`, `b`, `/`, `+` and `*`.
    #[test]
    fn the_shortcut_agrees_with_the_search() {
        let mut patterns = vec![String::new()];
        for len in 1..=3 {
            let shorter: Vec<String> = patterns
                .iter()
                .filter(|p| p.len() == len - 1)
                .cloned()
                .collect();
            for p in shorter {
                for c in ['a', 'b', '/', '+', '*'] {
                    patterns.push(format!("{p}{c}"));
                }
            }
        }
        for a in &patterns {
            for b in &patterns {
                let searched =
                    intersect(&acl_tokens(a), &acl_tokens(b)).map_or(true, |w| w.is_some());
                assert_eq!(acl_overlap(a, b), searched, "{a:?} ∩ {b:?}");
            }
        }
    }

    #[test]
    fn globs() {
        let cases = [
            ("refs/heads/*", "refs/heads/main", true),
            ("refs/heads/*", "refs/tags/*", false),
            ("*-prod", "team-*", true),
            ("a*b", "b*a", false),
            ("*", "", true),
            ("x", "y", false),
        ];
        for (a, b, want) in cases {
            assert_eq!(glob_overlap(a, b), want, "{a} ∩ {b}");
            // The witness is a string both globs match.
            if let Some(w) = glob_witness(a, b) {
                assert!(glob_match(a, &w) && glob_match(b, &w), "{a} ∩ {b}: {w}");
            }
        }
    }

    /// Past [`MAX_PAIRS`] the search does not run: two ACL patterns are taken to meet
    /// (no lint says a rule decides nothing), two globs have no witness; neither panics
    /// nor allocates the table.
    #[test]
    fn patterns_too_long_to_compare_are_answered_without_the_search() {
        let long = format!("secret/{}*", "a".repeat(1100));
        let other = format!("secret/{}+/x", "a".repeat(1100));
        assert!(acl_overlap(&long, &other));
        // They meet (`...*` matches `...b`), but too long to look.
        assert_eq!(glob_witness(&format!("{long}b"), &long), None);
        assert!(glob_witness("secret/a*b", "secret/a*").is_some());
        // Within the limit the answer is the search's.
        assert!(!acl_overlap("secret/a*/x", "secret/b*"));
        assert_eq!(glob_witness("a*", "*b").as_deref(), Some("ab"));
    }
}
