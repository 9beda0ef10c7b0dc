//! The access matrix: identity × pattern → capabilities.
//!
//! An identity's grants are the rules of the policies its login yields, merged per
//! pattern as the server merges them when it builds one ACL from several policies
//! (`vault/acl.go`, `NewACL`): capabilities of the same pattern add up, and a `deny`
//! anywhere leaves `deny` alone. Which of several matching patterns decides a request is
//! the evaluator's job (`kp-acl`); the matrix shows patterns as written.
//!
//! The built-in `default`, unless the program defines it, adds the stock rules of the
//! target's product ([`kp_acl::default_policy_rules`]), as `explain` evaluates them.
//! Policies the program does not define (`extern policy`) are listed per identity as
//! `external`: their rules are not known here.

use kp_acl::{Acl, Policy, Rule, Target};
use kp_check::ir::{PathRule, Program, Resource, ResourceKind, CAPABILITIES};
use kp_sort::SortedMap;
use serde::Serialize;

use crate::identity::{identities, Identity};

/// The whole matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matrix {
    /// Every pattern any identity is granted, sorted.
    pub patterns: Vec<String>,
    pub identities: Vec<IdentityAccess>,
}

/// One identity's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentityAccess {
    #[serde(flatten)]
    pub identity: Identity,
    /// Merged grants, sorted by pattern.
    pub grants: Vec<Grant>,
    /// Policies of the login whose rules this program does not define.
    pub external: Vec<String>,
}

/// Capabilities on one pattern and the policies they come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub pattern: String,
    /// In Vault's canonical order; `["deny"]` alone when any policy denies.
    pub capabilities: Vec<String>,
    /// The policies with a rule on this pattern, in login order.
    pub policies: Vec<String>,
}

impl Grant {
    /// Whether the grant comes from `default` alone (every identity holds it unless its
    /// login leaves `default` out).
    pub fn from_default_only(&self) -> bool {
        !self.policies.is_empty() && self.policies.iter().all(|p| p == kp_acl::DEFAULT_POLICY)
    }
}

/// Policy name → its resource, for the policies the program defines (with rules).
pub fn defined_policies(program: &Program) -> SortedMap<&str, &Resource> {
    SortedMap::from_unsorted(
        program
            .resources
            .iter()
            .filter(|r| r.kind == ResourceKind::Policy && r.policy.is_some())
            .map(|r| (r.name.as_str(), r))
            .collect(),
    )
}

/// Policy name → rules, for the policies the program defines.
pub fn policy_rules(program: &Program) -> SortedMap<&str, &[PathRule]> {
    program
        .resources
        .iter()
        .filter_map(|r| match (&r.kind, &r.policy) {
            (ResourceKind::Policy, Some(doc)) => Some((r.name.as_str(), doc.rules.as_slice())),
            _ => None,
        })
        .collect()
}

/// The ACL of a token holding `policies`, built from the program's `rules`: the built-in
/// `default`, unless the program defines it, with the stock rules of `default`'s target
/// when one is given; policies the program does not define are left out (their rules
/// are not known here). A rule that does not build is skipped: the checker lets only
/// valid patterns and capabilities through.
pub(crate) fn acl_of(
    policies: &[String],
    rules: &SortedMap<&str, &[PathRule]>,
    default: Option<Target>,
) -> Option<Acl> {
    let policies: Vec<Policy> = policies
        .iter()
        .filter_map(|name| match (rules.get(name.as_str()), default) {
            (Some(rules), _) => Some(Policy::new(
                name.clone(),
                rules
                    .iter()
                    .filter_map(|r| Rule::new(r.path.as_str(), &r.capabilities.to_vec()).ok())
                    .collect(),
            )),
            (None, Some(target)) if name == kp_acl::DEFAULT_POLICY => {
                Some(Policy::default_policy(target))
            }
            (None, _) => None,
        })
        .collect();
    Acl::new(&policies).ok()
}

/// The matrix of `program` on `target`, the built-in `default` with its stock rules.
pub fn matrix(program: &Program, target: Target) -> Matrix {
    matrix_of(program, Some(target))
}

/// The matrix, with `default`'s stock rules of this target, or (`None`) `default` listed
/// as external, as the access diff compares it: by name.
pub(crate) fn matrix_of(program: &Program, default: Option<Target>) -> Matrix {
    let rules = policy_rules(program);
    let identities: Vec<IdentityAccess> = identities(program)
        .into_iter()
        .map(|identity| access_of(identity, &rules, default))
        .collect();
    // Sorted and deduplicated as a set would be, with the one shared sort (kp-sort).
    let mut patterns: Vec<&str> = identities
        .iter()
        .flat_map(|i| i.grants.iter().map(|g| g.pattern.as_str()))
        .collect();
    kp_sort::sort(&mut patterns);
    patterns.dedup();
    Matrix {
        patterns: patterns.into_iter().map(String::from).collect(),
        identities,
    }
}

/// One identity's merged grants: the program's policies by their rules, an undefined
/// `default` by the stock rules of `default`'s target (external when `None`).
pub fn access_of(
    identity: Identity,
    rules: &SortedMap<&str, &[PathRule]>,
    default: Option<Target>,
) -> IdentityAccess {
    // Each pattern's capabilities as bits by their index in `CAPABILITIES` (a
    // `BTreeSet<usize>` compiled its own tree code into the wasm).
    let mut merged: SortedMap<&str, (CapBits, Vec<String>)> = SortedMap::new();
    let mut external = Vec::new();
    let mut add = |policy: &String, pattern, caps: CapBits| {
        let (bits, from) = merged.get_or_default(pattern);
        *bits |= caps;
        if !from.contains(policy) {
            from.push(policy.clone());
        }
    };
    for policy in &identity.policies {
        match (rules.get(policy.as_str()), default) {
            (Some(policy_rules), _) => {
                for rule in policy_rules.iter() {
                    add(
                        policy,
                        rule.path.as_str(),
                        cap_bits(rule.capabilities.iter()),
                    );
                }
            }
            (None, Some(target)) if policy == kp_acl::DEFAULT_POLICY => {
                for (pattern, caps) in kp_acl::default_policy_rules(target) {
                    add(policy, pattern, cap_bits(caps.iter().copied()));
                }
            }
            (None, _) => external.push(policy.clone()),
        }
    }
    let deny = cap_index("deny");
    let grants = merged
        .into_entries()
        .into_iter()
        .map(|(pattern, (caps, policies))| {
            let capabilities = if deny.is_some_and(|d| caps & 1 << d != 0) {
                vec!["deny".to_string()]
            } else {
                CAPABILITIES
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| caps & 1 << i != 0)
                    .map(|(_, c)| (*c).to_string())
                    .collect()
            };
            Grant {
                pattern: pattern.to_string(),
                capabilities,
                policies,
            }
        })
        .collect();
    IdentityAccess {
        identity,
        grants,
        external,
    }
}

/// A set of capabilities, bit `i` for `CAPABILITIES[i]`.
type CapBits = u16;
const _: () = assert!(CAPABILITIES.len() <= CapBits::BITS as usize);

fn cap_bits<'c>(caps: impl Iterator<Item = &'c str>) -> CapBits {
    caps.filter_map(cap_index).fold(0, |bits, i| bits | 1 << i)
}

/// Position in Vault's canonical capability order, `None` for an unknown word.
pub fn cap_index(cap: &str) -> Option<usize> {
    CAPABILITIES.iter().position(|c| *c == cap)
}

#[cfg(test)]
mod tests;
