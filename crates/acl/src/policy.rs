//! Policies as data, and how the server classifies a rule's path pattern when it parses
//! a policy (`internal/vault/policy/policy.go`, `parsePaths`).

use std::fmt;

use kp_schema::Target;
use serde::Serialize;

use crate::caps::Caps;

/// One `path "PATTERN" { capabilities = [...] }` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The pattern as written in the policy.
    pub pattern: String,
    pub capabilities: Caps,
}

/// A named ACL policy: its rules in source order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub name: String,
    pub rules: Vec<Rule>,
}

/// Why a policy or rule was rejected, as the server rejects it when it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AclError {
    /// A capability name the server does not know.
    UnknownCapability { pattern: String, capability: String },
    /// `+*` in a pattern: the server refuses it.
    PlusStar { pattern: String },
    /// `root` together with other policies: the server refuses to build such an ACL.
    RootWithOthers,
}

impl fmt::Display for AclError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AclError::UnknownCapability {
                pattern,
                capability,
            } => write!(
                f,
                "path {}: invalid capability {}",
                kp_diag::quoted(pattern),
                kp_diag::quoted(capability)
            ),
            AclError::PlusStar { pattern } => write!(
                f,
                "path {}: invalid use of wildcards ('+*' is forbidden)",
                kp_diag::quoted(pattern)
            ),
            AclError::RootWithOthers => f.write_str("other policies present along with root"),
        }
    }
}

impl std::error::Error for AclError {}

impl Rule {
    /// A rule from capability names, as a policy's HCL lists them. `deny` anywhere in the
    /// list makes the rule deny-only, as the server's parser does.
    pub fn new<S: AsRef<str>>(pattern: &str, capabilities: &[S]) -> Result<Rule, AclError> {
        let mut caps = Caps::NONE;
        for name in capabilities {
            let name = name.as_ref();
            let cap = Caps::from_name(name).ok_or_else(|| AclError::UnknownCapability {
                pattern: pattern.to_string(),
                capability: name.to_string(),
            })?;
            if cap == Caps::DENY {
                caps = Caps::DENY;
                break;
            }
            caps |= cap;
        }
        if strip_slash(pattern).contains("+*") {
            return Err(AclError::PlusStar {
                pattern: pattern.to_string(),
            });
        }
        Ok(Rule {
            pattern: pattern.to_string(),
            capabilities: caps,
        })
    }

    /// How the server files this rule.
    pub fn kind(&self) -> PatternKind {
        PatternKind::of(&self.pattern)
    }
}

impl Policy {
    pub fn new(name: impl Into<String>, rules: Vec<Rule>) -> Policy {
        Policy {
            name: name.into(),
            rules,
        }
    }

    /// The policy named `root`: an ACL holding it (alone) allows everything.
    pub fn root() -> Policy {
        Policy::new("root", Vec::new())
    }

    /// The built-in `default` policy as `target`'s product writes it on initialisation
    /// ([`default_policy_rules`]). Servers keep the copy written when they were
    /// initialised, and operators may edit it: this is the stock version.
    pub fn default_policy(target: Target) -> Policy {
        let rules = default_policy_rules(target)
            .map(|(pattern, caps)| Rule {
                pattern: (*pattern).to_string(),
                capabilities: caps
                    .iter()
                    .filter_map(|c| Caps::from_name(c))
                    .fold(Caps::NONE, |a, c| a | c),
            })
            .collect();
        Policy::new(DEFAULT_POLICY, rules)
    }
}

/// The name of the built-in policy attached to tokens unless `no_default_policy`.
pub const DEFAULT_POLICY: &str = "default";

/// One rule of a stock policy: pattern and capability names.
pub type StockRule = (&'static str, &'static [&'static str]);

/// The stock `default` policy of `target`'s product, rule by rule in its order.
///
/// OpenBao's (`internal/vault/policy_store.go`, `defaultPolicy`; OpenBao 2.7.2 answers
/// exactly these for `sys/policies/acl/default`) has 16 rules. HashiCorp Vault's
/// (`vault/policy_store.go`, `defaultPolicy`, Vault 1.9 and later) has two more:
/// `sys/renew` and `sys/control-group/request`, both `update`.
///
/// Keyed on the product, not on [`crate::Server`]: `Server::Vault` also stands for
/// OpenBao before 2.6, whose default policy is OpenBao's.
pub fn default_policy_rules(target: Target) -> impl Iterator<Item = &'static StockRule> + Clone {
    let vault = target == Target::Vault;
    DEFAULT_POLICY_RULES
        .iter()
        .filter(move |(_, vault_only)| vault || !vault_only)
        .map(|(rule, _)| rule)
}

/// Both products' stock `default` rules in one table, in Vault's order (OpenBao's is the
/// same without the two rules marked `true`, Vault's only): one copy in the playground's
/// wasm, not two.
const DEFAULT_POLICY_RULES: [(StockRule, bool); 18] = [
    (("auth/token/lookup-self", &["read"]), false),
    (("auth/token/renew-self", &["update"]), false),
    (("auth/token/revoke-self", &["update"]), false),
    (("sys/capabilities-self", &["update"]), false),
    (
        ("identity/entity/id/{{identity.entity.id}}", &["read"]),
        false,
    ),
    (
        ("identity/entity/name/{{identity.entity.name}}", &["read"]),
        false,
    ),
    (("sys/internal/ui/resultant-acl", &["read"]), false),
    (("sys/renew", &["update"]), true),
    (("sys/leases/renew", &["update"]), false),
    (("sys/leases/lookup", &["update"]), false),
    (
        (
            "cubbyhole/*",
            &["create", "read", "update", "delete", "list"],
        ),
        false,
    ),
    (("sys/wrapping/wrap", &["update"]), false),
    (("sys/wrapping/lookup", &["update"]), false),
    (("sys/wrapping/unwrap", &["update"]), false),
    (("sys/tools/hash", &["update"]), false),
    (("sys/tools/hash/*", &["update"]), false),
    (("sys/control-group/request", &["update"]), true),
    (
        ("identity/oidc/provider/+/authorize", &["read", "update"]),
        false,
    ),
];

/// Which of the server's three rule tables a pattern lands in, or none when it holds an
/// identity template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PatternKind {
    /// No wildcard: matches one path only (`exactRules`).
    Exact,
    /// Ends in `*` without `+` segments: matches every path starting with the rest
    /// (`prefixRules`, longest prefix wins).
    Prefix,
    /// Has a `+` segment (the server's test: the pattern is `+`, starts with `+/` or
    /// contains `/+`), with or without a trailing `*` (`segmentWildcardPaths`).
    Segment,
    /// Holds `{{identity...}}`: rendered per entity at request time, dropped when it
    /// cannot render. Never evaluated here, only reported as conditional.
    Templated,
}

impl PatternKind {
    pub fn of(pattern: &str) -> PatternKind {
        if is_templated(pattern) {
            return PatternKind::Templated;
        }
        let p = strip_slash(pattern);
        if has_segment_wildcards(p) {
            PatternKind::Segment
        } else if p.ends_with('*') {
            PatternKind::Prefix
        } else {
            PatternKind::Exact
        }
    }
}

/// The server drops one leading `/` from a rule's path (paths start after `/v1/`).
pub(crate) fn strip_slash(pattern: &str) -> &str {
    pattern.strip_prefix('/').unwrap_or(pattern)
}

/// `parsePaths`: `pc.Path == "+" || strings.Count(pc.Path, "/+") > 0 ||
/// strings.HasPrefix(pc.Path, "+/")`. Note `foo/+bar` counts too (its `+bar` segment
/// then only matches literally).
pub(crate) fn has_segment_wildcards(p: &str) -> bool {
    p == "+" || p.contains("/+") || p.starts_with("+/")
}

pub(crate) fn is_templated(pattern: &str) -> bool {
    pattern
        .find("{{")
        .is_some_and(|i| pattern.get(i..).is_some_and(|t| t.contains("}}")))
}

/// Whether a templated pattern could match `path` once its templates render. A template
/// renders to a non-empty value without `/`, `*` or `+` (the server blocks those
/// substitutions unless the policy opts in), so it matches one or more characters of
/// one segment.
pub(crate) fn template_may_match(pattern: &str, path: &str) -> bool {
    let p = strip_slash(pattern);
    let (body, prefix) = match p.strip_suffix('*') {
        Some(b) => (b, true),
        None => (p, false),
    };
    let tokens = tokenize(body);
    matches(&tokens, path.as_bytes(), prefix)
}

#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Lit(&'a [u8]),
    /// `{{...}}`: one or more characters, no `/`.
    Template,
    /// A whole `+` segment: zero or more characters, no `/`.
    Plus,
}

fn tokenize(body: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    for (i, seg) in body.split('/').enumerate() {
        if i > 0 {
            out.push(Tok::Lit(b"/"));
        }
        if seg == "+" && has_segment_wildcards(body) {
            out.push(Tok::Plus);
            continue;
        }
        let mut rest = seg;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest.get(start..).and_then(|t| t.find("}}")) else {
                break;
            };
            if start > 0 {
                out.push(Tok::Lit(&rest.as_bytes()[..start]));
            }
            out.push(Tok::Template);
            rest = rest.get(start + len + 2..).unwrap_or("");
        }
        if !rest.is_empty() {
            out.push(Tok::Lit(rest.as_bytes()));
        }
    }
    out
}

fn matches(tokens: &[Tok<'_>], path: &[u8], prefix: bool) -> bool {
    let Some((first, rest)) = tokens.split_first() else {
        return prefix || path.is_empty();
    };
    match first {
        Tok::Lit(l) => path.starts_with(l) && matches(rest, &path[l.len()..], prefix),
        Tok::Template | Tok::Plus => {
            let min = usize::from(*first == Tok::Template);
            let seg_end = path.iter().position(|&b| b == b'/').unwrap_or(path.len());
            (min..=seg_end).any(|n| matches(rest, &path[n..], prefix))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_like_the_server() {
        assert_eq!(PatternKind::of("secret/data/x"), PatternKind::Exact);
        assert_eq!(PatternKind::of("secret/*"), PatternKind::Prefix);
        assert_eq!(PatternKind::of("*"), PatternKind::Prefix);
        assert_eq!(PatternKind::of("+"), PatternKind::Segment);
        assert_eq!(PatternKind::of("+/x"), PatternKind::Segment);
        assert_eq!(PatternKind::of("a/+/b*"), PatternKind::Segment);
        assert_eq!(PatternKind::of("a/+b"), PatternKind::Segment);
        assert_eq!(PatternKind::of("a+/b"), PatternKind::Exact);
        assert_eq!(PatternKind::of("a/*/b"), PatternKind::Exact);
        assert_eq!(
            PatternKind::of("identity/entity/id/{{identity.entity.id}}"),
            PatternKind::Templated
        );
    }

    #[test]
    fn rejects_what_the_server_rejects() {
        assert!(matches!(
            Rule::new("a/+*", &["read"]),
            Err(AclError::PlusStar { .. })
        ));
        assert!(matches!(
            Rule::new("a", &["write"]),
            Err(AclError::UnknownCapability { .. })
        ));
        let r = Rule::new("a", &["read", "deny", "list"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.capabilities, Caps::DENY);
    }

    #[test]
    fn templates_match_one_segment_part() {
        let p = "identity/entity/id/{{identity.entity.id}}";
        assert!(template_may_match(p, "identity/entity/id/abc"));
        assert!(!template_may_match(p, "identity/entity/id/"));
        assert!(!template_may_match(p, "identity/entity/id/a/b"));
        let p = "kv/data/{{identity.entity.name}}/*";
        assert!(template_may_match(p, "kv/data/alice/x/y"));
        assert!(!template_may_match(p, "kv/data/alice"));
        let p = "kv/+/team-{{identity.groups.names.x.id}}";
        assert!(template_may_match(p, "kv/data/team-1"));
        assert!(!template_may_match(p, "kv/data/team-"));
    }
}
