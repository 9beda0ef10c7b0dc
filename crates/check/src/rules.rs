//! ACL rules shared by `policy` blocks and workloads: capabilities, path globs, and
//! merging rules by path.

use kp_diag::{did_you_mean, one_of, Diagnostic, Span};

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
    // One pass for the glob characters: every rule path of a program comes here.
    let last = path.len().saturating_sub(1);
    let (mut star_inside, mut plus) = (false, false);
    for (i, b) in path.bytes().enumerate() {
        star_inside |= b == b'*' && i != last;
        plus |= b == b'+';
    }
    let problem = if path.is_empty() {
        Some(("an empty path".to_string(), None))
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
    } else if plus && path.split('/').any(|seg| seg.contains('+') && seg != "+") {
        Some((
            "`+` must be a whole path segment".to_string(),
            Some("write `+` between slashes: `secret/data/+/config`".to_string()),
        ))
    } else {
        None
    };
    let Some((why, help)) = problem else {
        return true;
    };
    let d = Diagnostic::error(
        codes::INVALID_GLOB,
        span,
        format!("invalid policy path `{path}`"),
    )
    .with_label(why);
    diags.push(match help {
        Some(h) => d.with_help(h),
        None => d,
    });
    false
}

/// Rules merged by path in order of first appearance, capabilities unioned. Paths are
/// the source's text where written there (shared, not copied: a program has thousands).
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<(Text, Capabilities)>,
}

impl RuleSet {
    /// Room for `n` rules (a statement adds at most one per argument).
    pub fn with_capacity(n: usize) -> Self {
        RuleSet {
            rules: Vec::with_capacity(n),
        }
    }

    pub fn add(&mut self, path: &Text, caps: &[usize]) {
        let idx = match self.rules.iter().position(|(p, _)| p == path) {
            Some(i) => i,
            None => {
                self.rules.push((path.clone(), Capabilities::default()));
                self.rules.len() - 1
            }
        };
        self.grant(idx, caps);
    }

    /// [`RuleSet::add`] for a path built by the caller: kept, not copied.
    pub fn add_owned(&mut self, path: String, caps: &[usize]) {
        let idx = match self.rules.iter().position(|(p, _)| *p == path) {
            Some(i) => i,
            None => {
                self.rules.push((Text::from(path), Capabilities::default()));
                self.rules.len() - 1
            }
        };
        self.grant(idx, caps);
    }

    fn grant(&mut self, idx: usize, caps: &[usize]) {
        if let Some((_, set)) = self.rules.get_mut(idx) {
            *set = set.union(Capabilities::from_indices(caps.iter().copied()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
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
        ] {
            assert_eq!(check_glob(path, Span::default(), &mut d), valid, "{path}");
        }
    }
}
