//! The ACL built from a set of policies, and the lookup of one request path in it.
//!
//! Follows OpenBao's `internal/vault/policy/acl.go` (`NewACL`, `AllowOperation`,
//! `CheckAllowedFromNonExactPaths`) step by step; see `docs/acl.md` for the algorithm
//! and where each rule comes from.

use kp_sort::SortedMap;
use serde::Serialize;

use crate::caps::Caps;
use crate::policy::{strip_slash, template_may_match, AclError, PatternKind, Policy};

/// Which server's lookup order to follow. They differ only for LIST (and so for
/// `sys/capabilities`) on a path ending in `/` when no exact rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Server {
    /// HashiCorp Vault and OpenBao before 2.6: wildcard rules are tried on the path
    /// without its trailing `/` first, then on the full path.
    Vault,
    /// OpenBao 2.6 and later (openbao#3389): the full path first, the trimmed one only
    /// when nothing matched it, so a deeper `deny` glob is not bypassed.
    #[default]
    Openbao,
}

/// The request operation, which decides the capability needed and, for LIST and SCAN,
/// the trailing-slash fallbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Read,
    List,
    Update,
    Delete,
    Create,
    Patch,
    Scan,
    Help,
    Revoke,
    Renew,
    Rollback,
}

impl Operation {
    fn needs(self) -> Caps {
        match self {
            Operation::Read => Caps::READ,
            Operation::List => Caps::LIST,
            Operation::Update | Operation::Revoke | Operation::Renew | Operation::Rollback => {
                Caps::UPDATE
            }
            Operation::Delete => Caps::DELETE,
            Operation::Create => Caps::CREATE,
            Operation::Patch => Caps::PATCH,
            Operation::Scan => Caps::SCAN,
            Operation::Help => Caps::NONE,
        }
    }
}

/// A rule of one policy that went into a merged entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contribution {
    pub policy: String,
    pub capabilities: Caps,
}

/// All rules with the same pattern, merged as `NewACL` merges them: capabilities are
/// or-ed, except that a `deny` in any of them leaves only `deny`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// The pattern as the first policy wrote it.
    pattern: String,
    capabilities: Caps,
    contributions: Vec<Contribution>,
}

impl Entry {
    fn merge(&mut self, policy: &str, caps: Caps) {
        self.contributions.push(Contribution {
            policy: policy.to_string(),
            capabilities: caps,
        });
        if self.capabilities.is_deny() {
            return;
        }
        if caps.is_deny() {
            self.capabilities = Caps::DENY;
        } else {
            self.capabilities |= caps;
        }
    }
}

/// A segment-wildcard entry with the figures the priority order compares.
#[derive(Debug, Clone)]
struct SegmentEntry {
    entry: Entry,
    /// `strings.Index(fullWCPath, "+")`: byte offset of the first `+` anywhere.
    first_plus: usize,
    is_prefix: bool,
    /// The key without its trailing `*`.
    wc_path: String,
    parts: Vec<String>,
    /// The pattern up to its first `+`: every path it matches starts with this, so
    /// the lookup skips the segment comparison for paths that do not.
    literal: String,
}

/// A templated rule: not evaluated, reported when it may apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    pub policy: String,
    pub pattern: String,
    pub capabilities: Caps,
}

/// An ACL: what a token holding `policies` may do.
#[derive(Debug, Clone)]
pub struct Acl {
    /// Sorted `Vec`s searched by binary search, not `HashMap`s: a token's policies hold
    /// few rules, and each `HashMap` type compiled its own table code into the wasm.
    exact: SortedMap<String, Entry>,
    /// Keyed by the prefix (pattern without `*`).
    prefix: SortedMap<String, Entry>,
    /// Prefix lengths present, longest first: the longest-prefix search probes only these.
    prefix_lens: Vec<usize>,
    segment: Vec<SegmentEntry>,
    templated: Vec<RuleRef>,
    root: bool,
    policies: Vec<String>,
    empty: bool,
}

impl Acl {
    /// Builds the ACL of exactly these policies (add [`Policy::default_policy`] yourself
    /// when the token carries it). Errors as `NewACL` does: `root` with others.
    pub fn new(policies: &[Policy]) -> Result<Acl, AclError> {
        let mut acl = Acl {
            exact: SortedMap::new(),
            prefix: SortedMap::new(),
            prefix_lens: Vec::new(),
            segment: Vec::new(),
            templated: Vec::new(),
            root: false,
            policies: policies.iter().map(|p| p.name.clone()).collect(),
            empty: policies.is_empty(),
        };
        let mut seg_index: SortedMap<String, usize> = SortedMap::new();
        for policy in policies {
            if policy.name == "root" {
                if policies.len() != 1 {
                    return Err(AclError::RootWithOthers);
                }
                acl.root = true;
            }
            for rule in &policy.rules {
                let path = strip_slash(&rule.pattern);
                let caps = rule.capabilities;
                let fresh = |key: &str| Entry {
                    pattern: key.to_string(),
                    capabilities: Caps::NONE,
                    contributions: Vec::new(),
                };
                match rule.kind() {
                    PatternKind::Templated => acl.templated.push(RuleRef {
                        policy: policy.name.clone(),
                        pattern: rule.pattern.clone(),
                        capabilities: caps,
                    }),
                    PatternKind::Exact => acl
                        .exact
                        .get_or_insert_with(path.to_string(), || fresh(path))
                        .merge(&policy.name, caps),
                    PatternKind::Prefix => {
                        let key = path.strip_suffix('*').unwrap_or(path);
                        acl.prefix
                            .get_or_insert_with(key.to_string(), || fresh(path))
                            .merge(&policy.name, caps);
                    }
                    PatternKind::Segment => {
                        let i = *seg_index.get_or_insert_with(path.to_string(), || {
                            acl.segment.push(SegmentEntry::new(path));
                            acl.segment.len() - 1
                        });
                        acl.segment[i].entry.merge(&policy.name, caps);
                    }
                }
            }
        }
        let mut lens: Vec<usize> = acl.prefix.keys().map(String::len).collect();
        // kp-sort's one sort: `sort_unstable_by` would compile another copy into the wasm.
        kp_sort::by(&mut lens, |a, b| b.cmp(a));
        lens.dedup();
        acl.prefix_lens = lens;
        Ok(acl)
    }

    /// The policies this ACL was built from, in order.
    pub fn policies(&self) -> &[String] {
        &self.policies
    }

    /// What `sys/capabilities` answers for `path`: the lookup of a LIST request.
    pub fn capabilities(&self, path: &str, server: Server) -> Decision {
        self.check(path, Operation::List, server)
    }

    /// The lookup `AllowOperation` does for `op` on `path`, without the parameter,
    /// wrapping-TTL and pagination checks (they need a request body).
    pub fn check(&self, path: &str, op: Operation, server: Server) -> Decision {
        let mut conditional: Vec<RuleRef> = self
            .templated
            .iter()
            .filter(|r| {
                let p = path.trim_start_matches('/');
                // Cheap test first: the literal text before the first template or `+`.
                let lit = strip_slash(&r.pattern);
                let lit = lit.split(['{', '+']).next().unwrap_or(lit);
                p.starts_with(lit) && template_may_match(&r.pattern, p)
            })
            .cloned()
            .collect();
        conditional.dedup();
        let mut d = Decision {
            capabilities: Caps::NONE,
            root: false,
            allowed: false,
            decided_by: None,
            conditional,
        };
        if self.root {
            d.root = true;
            d.allowed = true;
            return d;
        }
        if op == Operation::Help {
            d.allowed = true;
            return d;
        }
        let path = path.trim_start_matches('/');
        let listing = match server {
            Server::Openbao => matches!(op, Operation::List | Operation::Scan),
            Server::Vault => op == Operation::List,
        };
        let trimmed = path.strip_suffix('/');
        let decider = self
            .exact_step(path, Step::Exact)
            .or_else(|| {
                listing
                    .then(|| self.exact_step(path.trim_end_matches_once('/'), Step::ExactTrimmed))
                    .flatten()
            })
            .or_else(|| match (server, listing, trimmed) {
                (Server::Vault, true, Some(t)) => self
                    .non_exact(t, Step::WildcardTrimmed)
                    .or_else(|| self.non_exact(path, Step::Wildcard)),
                (Server::Openbao, true, Some(t)) => self
                    .non_exact(path, Step::Wildcard)
                    .or_else(|| self.non_exact(t, Step::WildcardTrimmed)),
                _ => self.non_exact(path, Step::Wildcard),
            });
        if let Some(dec) = decider {
            d.capabilities = dec.capabilities;
            d.allowed = !dec.capabilities.is_deny() && dec.capabilities.contains(op.needs());
            d.decided_by = Some(dec);
        }
        d
    }

    fn exact_step(&self, key: &str, step: Step) -> Option<Decider> {
        let e = self.exact.get(key)?;
        // Wildcard rules matching the same path never get a say: list them as beaten.
        let mut beaten = Vec::new();
        if let Some(w) = self.non_exact(key, Step::Wildcard) {
            beaten.push(Beaten {
                pattern: w.pattern,
                capabilities: w.capabilities,
                criterion: Criterion::ExactWins,
            });
            beaten.extend(w.beaten.into_iter().map(|b| Beaten {
                criterion: Criterion::ExactWins,
                ..b
            }));
        }
        Some(Decider::new(e, PatternKind::Exact, step, beaten))
    }

    /// `CheckAllowedFromNonExactPaths(path, false)`: the longest matching prefix rule and
    /// every matching segment-wildcard rule compete; the most specific one wins alone.
    fn non_exact(&self, path: &str, step: Step) -> Option<Decider> {
        let mut cands: Vec<Candidate<'_>> = Vec::new();
        // Longest prefix first; shorter matching prefixes lose to it without a contest
        // (the radix tree's LongestPrefix never sees them), kept for the explanation.
        let mut prefixes = self
            .prefix_lens
            .iter()
            .filter(|&&n| n <= path.len() && path.is_char_boundary(n))
            .filter_map(|&n| self.prefix.get(path.get(..n)?).map(|e| (n, e)));
        let longest = prefixes.next();
        let shorter: Vec<Beaten> = prefixes
            .map(|(_, e)| Beaten {
                pattern: e.pattern.clone(),
                capabilities: e.capabilities,
                criterion: Criterion::LongerPrefix,
            })
            .collect();
        if let Some((n, e)) = longest {
            cands.push(Candidate {
                first: n,
                is_prefix: true,
                wildcards: 0,
                wc_path: path.get(..n).unwrap_or(path),
                entry: e,
                kind: PatternKind::Prefix,
            });
        }
        let mut parts: Vec<&str> = Vec::new();
        for s in &self.segment {
            if !path.starts_with(s.literal.as_str()) {
                continue;
            }
            if parts.is_empty() {
                parts = path.split('/').collect();
            }
            {
                if let Some(wildcards) = s.matches(&parts) {
                    cands.push(Candidate {
                        first: s.first_plus,
                        is_prefix: s.is_prefix,
                        wildcards,
                        wc_path: &s.wc_path,
                        entry: &s.entry,
                        kind: PatternKind::Segment,
                    });
                }
            }
        }
        let best = cands
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| a.priority(b))
            .map(|(i, _)| i)?;
        let winner = &cands[best];
        let mut beaten: Vec<Beaten> = cands
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != best)
            .map(|(_, c)| Beaten {
                pattern: c.entry.pattern.clone(),
                capabilities: c.entry.capabilities,
                criterion: winner.criterion_over(c),
            })
            .collect();
        beaten.extend(shorter);
        Some(Decider::new(winner.entry, winner.kind, step, beaten))
    }
}

trait TrimOnce {
    fn trim_end_matches_once(&self, c: char) -> &str;
}

impl TrimOnce for str {
    /// `strings.TrimSuffix(path, "/")`: at most one slash.
    fn trim_end_matches_once(&self, c: char) -> &str {
        self.strip_suffix(c).unwrap_or(self)
    }
}

impl SegmentEntry {
    fn new(key: &str) -> SegmentEntry {
        let (wc_path, is_prefix) = match key.strip_suffix('*') {
            Some(p) => (p, true),
            None => (key, false),
        };
        SegmentEntry {
            entry: Entry {
                pattern: key.to_string(),
                capabilities: Caps::NONE,
                contributions: Vec::new(),
            },
            first_plus: key.find('+').unwrap_or(0),
            is_prefix,
            wc_path: wc_path.to_string(),
            parts: wc_path.split('/').map(str::to_string).collect(),
            literal: key
                .get(..key.find('+').unwrap_or(0))
                .unwrap_or("")
                .to_string(),
        }
    }

    /// The segment loop of `CheckAllowedFromNonExactPaths` (bareMount false): the number
    /// of `+` segments when the pattern matches. `+` matches any segment, empty included.
    fn matches(&self, path_parts: &[&str]) -> Option<usize> {
        if path_parts.len() < self.parts.len() {
            return None;
        }
        if !self.is_prefix && path_parts.len() != self.parts.len() {
            return None;
        }
        let last = self.parts.len() - 1;
        let mut wildcards = 0;
        for (i, acl_part) in self.parts.iter().enumerate() {
            let part = path_parts[i];
            if acl_part == "+" {
                wildcards += 1;
            } else if acl_part == part
                || (self.is_prefix && i == last && part.starts_with(acl_part.as_str()))
            {
                // literal segment, or the globbed last segment
            } else {
                return None;
            }
        }
        Some(wildcards)
    }
}

struct Candidate<'a> {
    first: usize,
    is_prefix: bool,
    wildcards: usize,
    wc_path: &'a str,
    entry: &'a Entry,
    kind: PatternKind,
}

impl Candidate<'_> {
    /// The server's `less`, as an ordering: greater is more specific.
    fn priority(&self, o: &Candidate<'_>) -> std::cmp::Ordering {
        self.first
            .cmp(&o.first)
            .then_with(|| o.is_prefix.cmp(&self.is_prefix))
            .then_with(|| o.wildcards.cmp(&self.wildcards))
            .then_with(|| self.wc_path.len().cmp(&o.wc_path.len()))
            .then_with(|| self.wc_path.cmp(o.wc_path))
    }

    /// The first comparison of the server's order that ranks `self` above `o`.
    fn criterion_over(&self, o: &Candidate<'_>) -> Criterion {
        if self.first != o.first {
            Criterion::LaterWildcard
        } else if self.is_prefix != o.is_prefix {
            Criterion::NotAGlob
        } else if self.wildcards != o.wildcards {
            Criterion::FewerWildcards
        } else if self.wc_path.len() != o.wc_path.len() {
            Criterion::Longer
        } else {
            Criterion::Lexical
        }
    }
}

/// Which lookup step found the deciding rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// An exact rule for the path as given.
    Exact,
    /// LIST fallback: an exact rule for the path without its trailing `/`.
    ExactTrimmed,
    /// Prefix and segment-wildcard rules on the path as given.
    Wildcard,
    /// LIST fallback: wildcard rules on the path without its trailing `/`.
    WildcardTrimmed,
}

/// Why a matching pattern lost to the winner: the first of the server's comparisons
/// that separates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Criterion {
    /// An exact rule matches: wildcard rules are not consulted.
    ExactWins,
    /// A shorter prefix (`*`) rule: the longest matching prefix is the only one considered.
    LongerPrefix,
    /// The winner's first wildcard (`+` or `*`) comes later in the path.
    LaterWildcard,
    /// Same first wildcard, and the winner does not end in `*`.
    NotAGlob,
    /// Same so far, and the winner has fewer `+` segments.
    FewerWildcards,
    /// Same so far, and the winner is longer.
    Longer,
    /// Tie on everything else: the lexically greater pattern wins.
    Lexical,
}

impl Criterion {
    pub fn describe(self) -> &'static str {
        match self {
            Criterion::ExactWins => "an exact rule matches",
            Criterion::LongerPrefix => "a longer prefix matches",
            Criterion::LaterWildcard => "its first wildcard comes later",
            Criterion::NotAGlob => "it does not end in *",
            Criterion::FewerWildcards => "it has fewer + segments",
            Criterion::Longer => "it is longer",
            Criterion::Lexical => "it sorts later (tie)",
        }
    }
}

/// A matching pattern that did not decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Beaten {
    pub pattern: String,
    pub capabilities: Caps,
    pub criterion: Criterion,
}

/// The rule that decided a lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decider {
    /// The policy to credit: the one whose `deny` won, else the first that granted
    /// anything on this pattern, else the first with the pattern.
    pub policy: String,
    pub pattern: String,
    pub kind: PatternKind,
    pub step: Step,
    /// The merged capabilities of the pattern.
    pub capabilities: Caps,
    /// Every policy's rule with this pattern, merged.
    pub contributions: Vec<Contribution>,
    /// Other matching patterns at this step, with why each lost.
    pub beaten: Vec<Beaten>,
}

impl Decider {
    fn new(e: &Entry, kind: PatternKind, step: Step, beaten: Vec<Beaten>) -> Decider {
        let credit = e
            .contributions
            .iter()
            .find(|c| c.capabilities.is_deny())
            .or_else(|| e.contributions.iter().find(|c| !c.capabilities.is_empty()))
            .or_else(|| e.contributions.first());
        Decider {
            policy: credit.map(|c| c.policy.clone()).unwrap_or_default(),
            pattern: e.pattern.clone(),
            kind,
            step,
            capabilities: e.capabilities,
            contributions: e.contributions.clone(),
            beaten,
        }
    }

    /// One line on why this rule decided.
    pub fn why(&self) -> String {
        let mut s = match (self.kind, self.step) {
            (_, Step::Exact) => "exact match".to_string(),
            (_, Step::ExactTrimmed) => {
                "exact match on the path without its trailing / (LIST fallback)".to_string()
            }
            (PatternKind::Prefix, _) => "longest matching prefix".to_string(),
            _ => "segment-wildcard match".to_string(),
        };
        if self.step == Step::WildcardTrimmed {
            s.push_str(", on the path without its trailing / (LIST fallback)");
        }
        let merged: Vec<&str> = self
            .contributions
            .iter()
            .map(|c| c.policy.as_str())
            .collect();
        if merged.len() > 1 {
            s.push_str(&format!("; merged from {}", merged.join(", ")));
            if self.capabilities.is_deny() {
                s.push_str(" (deny wins)");
            }
        }
        if self.capabilities.is_empty() {
            s.push_str("; grants nothing, and still shadows less specific rules");
        }
        for b in &self.beaten {
            s.push_str(&format!(
                "; beats {} ({}) because {}",
                kp_diag::quoted(&b.pattern),
                b.capabilities,
                b.criterion.describe()
            ));
        }
        s
    }
}

/// The answer of one lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The deciding rule's merged capabilities (only `deny` when denied).
    pub capabilities: Caps,
    /// The ACL is `root`: everything is allowed.
    pub root: bool,
    /// Whether the operation checked is allowed (for [`Acl::capabilities`], LIST).
    pub allowed: bool,
    /// `None` when no rule matched (or for root).
    pub decided_by: Option<Decider>,
    /// Templated rules that could apply to this path once rendered for an entity: the
    /// answer above is what a token without a matching entity gets.
    pub conditional: Vec<RuleRef>,
}

impl Decision {
    /// The names `sys/capabilities` answers with: `["root"]`, `["deny"]` when nothing
    /// is granted, else the granted capabilities alphabetically.
    pub fn names(&self) -> Vec<&'static str> {
        if self.root {
            return vec!["root"];
        }
        if self.capabilities.is_deny() || self.capabilities.is_empty() {
            return vec!["deny"];
        }
        self.capabilities.names()
    }

    /// Whether a templated rule may change this answer for some entity.
    pub fn is_conditional(&self) -> bool {
        !self.conditional.is_empty()
    }
}

impl Acl {
    /// Whether the ACL holds no policy (a token without policies: everything denied).
    pub fn is_empty(&self) -> bool {
        self.empty
    }
}
