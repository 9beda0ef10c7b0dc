//! What a change grants or takes away, per identity.
//!
//! Effective access is compared, not source: for each pattern either side grants, what
//! a request on that pattern gets under each side's rules, decided as the server decides
//! (`kp-acl`: the most specific matching rule wins, a `deny` wins its pattern), and the
//! identity's login conditions. Renaming a policy, reordering rules or reformatting the
//! file therefore changes nothing here, and taking away a narrower rule shows what the
//! broader rule now grants on its paths (dropping `deny "a/prod"` under `update "a/*"`
//! grants `update` on `a/prod`). Policies whose rules are unknown (`extern policy`,
//! `default`) are compared by name, as the login field `token_policies`: their names are
//! all there is to compare.

use std::collections::{BTreeMap, BTreeSet};

use kp_acl::{Acl, Operation, Policy, Rule, Server};
use kp_check::ir::{PathRule, Program};
use kp_sort::SortedMap;
use serde::Serialize;
use serde_json::Value as Json;

use crate::matrix::{cap_index, matrix, policy_rules, IdentityAccess};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccessDiff {
    pub changed: bool,
    pub identities: Vec<IdentityChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentityChange {
    pub identity: String,
    pub change: Change,
    pub added: Vec<PatternCaps>,
    pub removed: Vec<PatternCaps>,
    pub login: Vec<LoginChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Modified,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatternCaps {
    pub pattern: String,
    pub capabilities: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoginChange {
    pub field: String,
    pub old: Json,
    pub new: Json,
    pub direction: Direction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Widened,
    Narrowed,
    Changed,
}

/// The login field the unknown policies are compared under.
const POLICIES_FIELD: &str = "token_policies";

/// Compares two programs' effective access. Identities are listed in the new program's
/// order, removed ones after them in the old program's order.
pub fn diff(old_program: &Program, new_program: &Program) -> AccessDiff {
    let old_rules = policy_rules(old_program);
    let new_rules = policy_rules(new_program);
    let old = matrix(old_program).identities;
    let new = matrix(new_program).identities;
    let old_by_id: BTreeMap<&str, &IdentityAccess> =
        old.iter().map(|i| (i.identity.id.as_str(), i)).collect();
    let new_ids: BTreeSet<&str> = new.iter().map(|i| i.identity.id.as_str()).collect();
    let mut identities = Vec::new();
    for n in &new {
        match old_by_id.get(n.identity.id.as_str()) {
            None => identities.push(IdentityChange {
                identity: n.identity.id.clone(),
                change: Change::Added,
                added: grants(n),
                removed: Vec::new(),
                login: Vec::new(),
            }),
            Some(o) => {
                let (added, removed) =
                    compare_grants(&Effective::of(o, &old_rules), &Effective::of(n, &new_rules));
                let login = compare_login(o, n);
                if !(added.is_empty() && removed.is_empty() && login.is_empty()) {
                    identities.push(IdentityChange {
                        identity: n.identity.id.clone(),
                        change: Change::Modified,
                        added,
                        removed,
                        login,
                    });
                }
            }
        }
    }
    for o in old
        .iter()
        .filter(|o| !new_ids.contains(o.identity.id.as_str()))
    {
        identities.push(IdentityChange {
            identity: o.identity.id.clone(),
            change: Change::Removed,
            added: Vec::new(),
            removed: grants(o),
            login: Vec::new(),
        });
    }
    AccessDiff {
        changed: !identities.is_empty(),
        identities,
    }
}

fn grants(i: &IdentityAccess) -> Vec<PatternCaps> {
    i.grants
        .iter()
        .map(|g| PatternCaps {
            pattern: g.pattern.clone(),
            capabilities: g.capabilities.clone(),
        })
        .collect()
}

/// One side's access of an identity: its merged grants as written, and the ACL its
/// program's rules build, which answers for any path.
struct Effective<'a> {
    access: &'a IdentityAccess,
    acl: Option<Acl>,
}

impl<'a> Effective<'a> {
    fn of(
        access: &'a IdentityAccess,
        rules: &kp_sort::SortedMap<&str, &[PathRule]>,
    ) -> Effective<'a> {
        let policies: Vec<Policy> = access
            .identity
            .policies
            .iter()
            .filter_map(|name| {
                let rules = rules.get(name.as_str())?;
                // The checker lets only valid patterns and Vault's capability names through.
                let rules = rules
                    .iter()
                    .filter_map(|r| Rule::new(r.path.as_str(), &r.capabilities.to_vec()).ok())
                    .collect();
                Some(Policy::new(name.clone(), rules))
            })
            .collect();
        Effective {
            access,
            acl: Acl::new(&policies).ok(),
        }
    }

    /// The capabilities a request on `pattern` (read as a path) gets: the deciding
    /// rule's, `deny` alone when it denies. A templated pattern (`{{identity...}}`)
    /// names no one path until rendered for an entity, so it keeps its own grant.
    fn at(&self, pattern: &str) -> BTreeSet<usize> {
        let written = || {
            self.access
                .grants
                .iter()
                .find(|g| g.pattern == pattern)
                .map(|g| g.capabilities.iter().filter_map(|c| cap_index(c)).collect())
                .unwrap_or_default()
        };
        let Some(acl) = self.acl.as_ref().filter(|_| !pattern.contains("{{")) else {
            return written();
        };
        // The server choice only matters for LIST on a trailing `/`: not for a read.
        let caps = acl
            .check(pattern, Operation::Read, Server::Openbao)
            .capabilities;
        if caps.is_deny() {
            return cap_index("deny").into_iter().collect();
        }
        caps.names().into_iter().filter_map(cap_index).collect()
    }
}

/// Capabilities gained and lost per pattern, where a pattern is any one either side
/// writes: what the old rules decided there against what the new rules decide.
fn compare_grants(
    old: &Effective<'_>,
    new: &Effective<'_>,
) -> (Vec<PatternCaps>, Vec<PatternCaps>) {
    let patterns: BTreeSet<&str> = old
        .access
        .grants
        .iter()
        .chain(&new.access.grants)
        .map(|g| g.pattern.as_str())
        .collect();
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for p in patterns {
        let before = old.at(p);
        let after = new.at(p);
        let gained = ordered(after.difference(&before));
        let lost = ordered(before.difference(&after));
        if !gained.is_empty() {
            added.push(PatternCaps {
                pattern: p.to_string(),
                capabilities: gained,
            });
        }
        if !lost.is_empty() {
            removed.push(PatternCaps {
                pattern: p.to_string(),
                capabilities: lost,
            });
        }
    }
    (added, removed)
}

/// Names in Vault's canonical order (the indices come sorted from the set).
fn ordered<'a>(caps: impl Iterator<Item = &'a usize>) -> Vec<String> {
    caps.filter_map(|&i| kp_check::ir::CAPABILITIES.get(i))
        .map(|c| (*c).to_string())
        .collect()
}

fn compare_login(old: &IdentityAccess, new: &IdentityAccess) -> Vec<LoginChange> {
    let fields = |i: &IdentityAccess| -> SortedMap<String, Json> {
        let mut f = i.identity.login.fields.clone();
        if !i.external.is_empty() {
            f.insert(
                POLICIES_FIELD.to_string(),
                Json::Array(i.external.iter().cloned().map(Json::String).collect()),
            );
        }
        f
    };
    let (o, n) = (fields(old), fields(new));
    let glob = |f: &SortedMap<String, Json>| {
        f.get("bound_claims_type").and_then(Json::as_str) == Some("glob")
    };
    let globs = (glob(&o), glob(&n));
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let before = o.get(k).cloned().unwrap_or(Json::Null);
            let after = n.get(k).cloned().unwrap_or(Json::Null);
            (before != after).then(|| LoginChange {
                field: k.clone(),
                direction: if k == "bound_claims" {
                    bound_claims(&before, &after, globs)
                } else {
                    direction(k, &before, &after)
                },
                old: before,
                new: after,
            })
        })
        .collect()
}

/// Whether a login field's change lets more tokens in (or yields a stronger token).
pub fn direction(field: &str, old: &Json, new: &Json) -> Direction {
    match field {
        // Lists that restrict who may log in: more values let more in, none means
        // no restriction.
        "bound_audiences"
        | "bound_service_account_names"
        | "bound_service_account_namespaces"
        | "token_bound_cidrs"
        | "secret_id_bound_cidrs"
        | "bound_cidrs"
        | "allowed_redirect_uris" => restriction_list(old, new),
        // Lists of what a token gets: more is wider, nothing is nothing.
        POLICIES_FIELD | "allowed_policies" | "allowed_entity_aliases" => {
            set_growth(&strings(old), &strings(new))
        }
        "bound_subject" | "bound_issuer" => match (old.is_null(), new.is_null()) {
            (false, true) => Direction::Widened,
            (true, false) => Direction::Narrowed,
            _ => Direction::Changed,
        },
        "bound_claims" => bound_claims(old, new, (false, false)),
        "bound_claims_type" => match (old.as_str(), new.as_str()) {
            (None | Some("string"), Some("glob")) => Direction::Widened,
            (Some("glob"), None | Some("string")) => Direction::Narrowed,
            _ => Direction::Changed,
        },
        // Lifetimes and use counts: 0 or unset means the system maximum or unlimited.
        "token_ttl"
        | "token_max_ttl"
        | "token_explicit_max_ttl"
        | "token_period"
        | "token_num_uses"
        | "ttl"
        | "max_ttl"
        | "period"
        | "explicit_max_ttl"
        | "num_uses"
        | "secret_id_ttl"
        | "secret_id_num_uses"
        | "token_period_seconds" => {
            let limit = |v: &Json| v.as_i64().filter(|n| *n > 0).unwrap_or(i64::MAX);
            match limit(new).cmp(&limit(old)) {
                std::cmp::Ordering::Greater => Direction::Widened,
                std::cmp::Ordering::Less => Direction::Narrowed,
                std::cmp::Ordering::Equal => Direction::Changed,
            }
        }
        // Renewable and orphan tokens live longer: turning either on widens.
        "renewable" | "orphan" => {
            let default = field == "renewable";
            match (
                old.as_bool().unwrap_or(default),
                new.as_bool().unwrap_or(default),
            ) {
                (false, true) => Direction::Widened,
                (true, false) => Direction::Narrowed,
                _ => Direction::Changed,
            }
        }
        "bind_secret_id" => match (old.as_bool(), new.as_bool()) {
            (Some(true) | None, Some(false)) => Direction::Widened,
            (Some(false), Some(true) | None) => Direction::Narrowed,
            _ => Direction::Changed,
        },
        _ => Direction::Changed,
    }
}

fn strings(v: &Json) -> BTreeSet<String> {
    match v {
        Json::Array(items) => items.iter().flat_map(strings).collect(),
        Json::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        Json::Null => BTreeSet::new(),
        other => BTreeSet::from([other.to_string()]),
    }
}

fn set_growth(old: &BTreeSet<String>, new: &BTreeSet<String>) -> Direction {
    if new.is_superset(old) && new != old {
        Direction::Widened
    } else if new.is_subset(old) && new != old {
        Direction::Narrowed
    } else {
        Direction::Changed
    }
}

/// A restricting list: empty (or `*`) admits everyone.
fn restriction_list(old: &Json, new: &Json) -> Direction {
    let (o, n) = (strings(old), strings(new));
    let open = |s: &BTreeSet<String>| s.is_empty() || s.contains("*");
    match (open(&o), open(&n)) {
        (true, true) => Direction::Changed,
        (false, true) => Direction::Widened,
        (true, false) => Direction::Narrowed,
        (false, false) => set_growth(&o, &n),
    }
}

/// Each bound claim restricts: dropping one widens, adding one narrows, more accepted
/// values widen. Mixed movements are a change.
fn bound_claims(old: &Json, new: &Json, globs: (bool, bool)) -> Direction {
    // Under `bound_claims_type = "glob"` a claim bound to `*` restricts nothing but
    // its presence.
    let claims = |v: &Json, glob: bool| -> BTreeMap<String, BTreeSet<String>> {
        v.as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        let values = strings_whole(v);
                        let values = if glob && values.contains("*") {
                            BTreeSet::from(["*".to_string()])
                        } else {
                            values
                        };
                        (k.clone(), values)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (o, n) = (claims(old, globs.0), claims(new, globs.1));
    let mut wider = false;
    let mut narrower = false;
    for (k, before) in &o {
        match n.get(k) {
            None => wider = true,
            Some(after) if after.contains("*") && globs.1 && !(before.contains("*") && globs.0) => {
                wider = true
            }
            Some(after) if before.contains("*") && globs.0 && !(after.contains("*") && globs.1) => {
                narrower = true
            }
            Some(after) => match set_growth(before, after) {
                Direction::Widened => wider = true,
                Direction::Narrowed => narrower = true,
                Direction::Changed if before != after => {
                    wider = true;
                    narrower = true;
                }
                Direction::Changed => {}
            },
        }
    }
    narrower |= n.keys().any(|k| !o.contains_key(k));
    match (wider, narrower) {
        (true, false) => Direction::Widened,
        (false, true) => Direction::Narrowed,
        _ => Direction::Changed,
    }
}

/// Bound claim values: a string is one value, commas included (`claims.go`).
fn strings_whole(v: &Json) -> BTreeSet<String> {
    match v {
        Json::Array(items) => items.iter().flat_map(strings_whole).collect(),
        Json::String(s) => BTreeSet::from([s.clone()]),
        Json::Null => BTreeSet::new(),
        other => BTreeSet::from([other.to_string()]),
    }
}

#[cfg(test)]
mod tests;
