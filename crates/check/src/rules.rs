//! ACL rules shared by `policy` blocks and workloads: capabilities, path globs, and
//! merging rules by path.

use crate::body::one_of;
use kp_diag::{did_you_mean, Diagnostic, Span};

use kp_syntax::ast::Text;

use crate::codes;
use crate::ir::{Capabilities, PathRule, Rules, CAPABILITIES};

/// The index of `word` in [`CAPABILITIES`]; reports unknown ones.
pub fn capability(word: &str, span: Span, diags: &mut Vec<Diagnostic>) -> Option<usize> {
    if let Some(i) = CAPABILITIES.iter().position(|c| *c == word) {
        return Some(i);
    }
    let hint = match word {
        "write" => Some("Vault has no `write` capability: use `create` and `update`".to_string()),
        "all" | "*" => Some("list the capabilities one by one".to_string()),
        "admin" | "root" => Some("use `sudo` for root-protected paths".to_string()),
        _ => did_you_mean(word, CAPABILITIES).map(|s| format!("did you mean `{s}`?")),
    };
    let list = format!("capabilities: {}", one_of(&CAPABILITIES));
    diags.push(
        Diagnostic::error(
            codes::UNKNOWN_CAPABILITY,
            span,
            format!("unknown capability `{word}`"),
        )
        .with_label("not a Vault capability")
        .with_help(match hint {
            Some(h) => crate::body::join_help([h, list]),
            None => list,
        }),
    );
    None
}

/// Checks a policy path glob as Vault reads it: `*` only at the end, `+` a whole segment.
pub fn check_glob(path: &str, span: Span, diags: &mut Vec<Diagnostic>) -> bool {
    if plainly_valid(path.as_bytes()) {
        return true;
    }
    let Some((why, help)) = glob_problem(path) else {
        return true;
    };
    let d = Diagnostic::error(
        codes::INVALID_GLOB,
        span,
        format!("invalid policy path `{}`", kp_diag::escape_controls(path)),
    )
    .with_label(why);
    diags.push(match help {
        Some(h) => d.with_help(h),
        None => d,
    });
    false
}

/// What is wrong with a policy path, and the help for it.
fn glob_problem(path: &str) -> Option<(String, Option<String>)> {
    let bytes = path.as_bytes();
    let before_last = bytes
        .get(..bytes.len().saturating_sub(1))
        .unwrap_or_default();
    let star_inside = before_last.contains(&b'*');
    if path.is_empty() {
        Some((
            "an empty path".to_string(),
            Some("write the request path the rule is for, e.g. `secret/data/app`".to_string()),
        ))
    } else if let Some(c) = path.chars().find(|c| c.is_control()) {
        // A newline would end the rule's line in the policy's HCL; other control
        // characters name no path a client sends.
        Some((
            format!("a control character (`{}`) in a path", c.escape_default()),
            Some("write the path on one line, without escapes such as `\\n` or `\\t`".to_string()),
        ))
    } else if path.trim().is_empty() {
        Some((
            "a path of only whitespace".to_string(),
            Some("write the request path the rule is for, e.g. `secret/data/app`".to_string()),
        ))
    } else if path.starts_with('/') {
        Some((
            "policy paths have no leading `/`".to_string(),
            Some(format!("write `\"{}\"`", path.trim_start_matches('/'))),
        ))
    } else if star_inside {
        Some((
            "`*` is a glob only at the end of a path".to_string(),
            Some("use `+` to match one path segment, e.g. `secret/data/+/config`".to_string()),
        ))
    } else if path.split('/').any(|seg| seg.contains('+') && seg != "+") {
        Some((
            "`+` must be a whole path segment".to_string(),
            Some("write `+` between slashes: `secret/data/+/config`".to_string()),
        ))
    } else {
        None
    }
}

/// Whether a path is valid at a glance: printable ASCII without spaces, no leading `/`,
/// no `+`, `*` only last. Every rule path of a program comes here and
/// nearly all are such. A path this turns away is judged (and its problem named) by
/// [`glob_problem`].
fn plainly_valid(path: &[u8]) -> bool {
    let Some((&last, before)) = path.split_last() else {
        return false;
    };
    if path.first() == Some(&b'/') {
        return false;
    }
    // A `+` (or a byte the word test is unsure of) is left to the full rules.
    plain_words(before) && (PLAIN[usize::from(last)] || last == b'*')
}

/// Printable ASCII but `*` and `+`, space excluded.
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0x21;
    while b < 0x7f {
        t[b] = !matches!(b as u8, b'*' | b'+');
        b += 1;
    }
    t
};

/// Whether every byte is [`PLAIN`], eight at a time; `false` may also mean unsure (a
/// borrow can flag a byte above one that is not plain), never `true` wrongly.
fn plain_words(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = ONES << 7;
    // Flags every byte equal to `c` (and perhaps bytes above a flagged one).
    let equal = |x: u64, c: u8| {
        let y = x ^ (ONES * u64::from(c));
        y.wrapping_sub(ONES) & !y & HIGHS
    };
    let not_plain = |x: u64| {
        // Below `!` (controls, space), DEL, `*`, `+`, and not ASCII.
        (x.wrapping_sub(ONES * 0x21) & !x & HIGHS)
            | equal(x, 0x7f)
            | equal(x, b'*')
            | equal(x, b'+')
            | (x & HIGHS)
    };
    let mut words = bytes.chunks_exact(8);
    let mut flagged = 0;
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        flagged |= not_plain(u64::from_le_bytes(w));
    }
    // The last bytes shifted into a word padded with `a` (a copy of a length not known
    // at compile time would be a call to `memcpy`).
    let rest = words
        .remainder()
        .iter()
        .rev()
        .fold(ONES * u64::from(b'a'), |word, &b| {
            (word << 8) | u64::from(b)
        });
    flagged |= not_plain(rest);
    flagged == 0
}

/// Rules merged by path in order of first appearance, capabilities unioned. Paths are
/// the source's text where written there (shared, not copied: a program has thousands).
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<(Text, Capabilities)>,
    /// Positions in `rules`, sorted by path: finding a path's rule by a scan of every rule
    /// made a workload of thousands of rules quadratic to lower.
    by_path: Vec<usize>,
}

impl RuleSet {
    /// Room for `n` rules (a statement adds at most one per argument).
    pub fn with_capacity(n: usize) -> Self {
        RuleSet {
            rules: Vec::with_capacity(n),
            by_path: Vec::with_capacity(n),
        }
    }

    pub fn add(&mut self, path: &Text, caps: &[usize]) {
        let idx = match self.find(path.as_str()) {
            Ok(i) => i,
            Err(at) => self.insert(at, path.clone()),
        };
        self.grant(idx, caps);
    }

    /// [`RuleSet::add`] for a path built by the caller: kept, not copied.
    pub fn add_owned(&mut self, path: String, caps: &[usize]) {
        let idx = match self.find(&path) {
            Ok(i) => i,
            Err(at) => self.insert(at, Text::from(path)),
        };
        self.grant(idx, caps);
    }

    /// `Ok(position in rules)`, or `Err(where in by_path the path goes)`.
    fn find(&self, path: &str) -> Result<usize, usize> {
        // Compared as `str`s: `Text`'s own `Ord` is a call per comparison.
        let rules = &self.rules;
        let key = |&i: &usize| rules.get(i).map_or("", |(p, _)| p.as_str());
        self.by_path
            .binary_search_by(|i| key(i).cmp(path))
            .map(|at| self.by_path.get(at).copied().unwrap_or_default())
    }

    fn insert(&mut self, at: usize, path: Text) -> usize {
        self.rules.push((path, Capabilities::default()));
        let idx = self.rules.len() - 1;
        self.by_path.insert(at, idx);
        idx
    }

    fn grant(&mut self, idx: usize, caps: &[usize]) {
        if let Some((_, set)) = self.rules.get_mut(idx) {
            *set = set.union(Capabilities::from_indices(caps.iter().copied()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// What the rules grant on every path `path` matches: its own rule's capabilities
    /// and those of each `*` rule without `+` whose prefix starts `path` (a glob is taken
    /// as the text it is). Scans every rule: only warnings' helps ask.
    pub fn granted(&self, path: &str) -> Capabilities {
        self.rules
            .iter()
            .filter(|(p, _)| {
                let p = p.as_str();
                p == path
                    || p.strip_suffix('*')
                        .is_some_and(|prefix| !p.contains('+') && path.starts_with(prefix))
            })
            .fold(Capabilities::default(), |all, (_, caps)| all.union(*caps))
    }

    pub fn into_rules(self) -> Rules {
        self.rules
            .into_iter()
            .map(|(path, capabilities)| PathRule { path, capabilities })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_and_orders_capabilities() {
        let mut set = RuleSet::default();
        set.add(&Text::from("a/*"), &[5]);
        set.add_owned("b".to_string(), &[2]);
        set.add(&Text::from("a/*"), &[1, 5]);
        set.add_owned("b".to_string(), &[2]);
        let rules = set.into_rules();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].capabilities, ["read", "list"]);
        assert_eq!(rules[1].path, "b");
    }

    /// The glance accepts only paths the full rules accept: every path of up to four
    /// characters from an alphabet of the bytes the rules look at.
    #[test]
    fn a_path_valid_at_a_glance_is_valid() {
        let alphabet = ["a", "/", "*", "+", " ", "\n", "é", "\u{85}", "~"];
        let mut paths = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = paths
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            paths.extend(longer);
            paths.dedup();
        }
        // Longer, so that the bytes looked at fall in every position of a word too.
        let longer: Vec<String> = paths
            .iter()
            .flat_map(|p| {
                [
                    format!("secret/data/{p}"),
                    format!("{p}/config/x"),
                    format!("ab{p}cdefgh{p}"),
                ]
            })
            .collect();
        paths.extend(longer);
        let mut accepted = 0;
        for path in &paths {
            if plainly_valid(path.as_bytes()) {
                accepted += 1;
                assert_eq!(glob_problem(path), None, "{path:?} passes the glance only");
            }
        }
        assert!(
            accepted > 100,
            "the glance accepts most plain paths ({accepted})"
        );
    }

    #[test]
    fn globs() {
        let mut d = Vec::new();
        assert!(check_glob("secret/data/*", Span::default(), &mut d));
        assert!(check_glob("secret/+/x", Span::default(), &mut d));
        assert!(!check_glob("secret/*/x", Span::default(), &mut d));
        assert!(!check_glob("secret/a+/x", Span::default(), &mut d));
        assert!(!check_glob("/secret", Span::default(), &mut d));
        assert_eq!(d.len(), 3);
        // The last byte may be a `*`, no other; the edges: one byte, none,
        // the first byte, a star past eight bytes.
        for (path, valid) in [
            ("*", true),
            ("+", true),
            ("**", false),
            ("*a", false),
            ("", false),
            ("secret/data/team/*", true),
            ("secret/data/team*/x", false),
            ("secret/data/team/x+", false),
            ("secret/data/team/x/+", true),
            ("+/data/*", true),
            ("secret/data/tea+/*", false),
            ("secret/data/team/x/y/z*/", false),
        ] {
            assert_eq!(check_glob(path, Span::default(), &mut d), valid, "{path}");
        }
    }
}
