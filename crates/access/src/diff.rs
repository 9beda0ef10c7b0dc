//! What a change grants or takes away, per identity.
//!
//! Effective access is compared, not source: for every path the patterns of either side
//! match, what a request there gets under each side's rules, decided as the server
//! decides (`kp-acl`: the most specific matching rule wins, a `deny` wins its pattern),
//! and the identity's login conditions; `default` by its stock rules on the target, as the
//! server, `explain` and `access` count it (QA: compared by name, an exact rule on
//! `cubbyhole/x` showed as `read` added where it took away the `create`, `update`,
//! `delete` and `list` that `default`'s `cubbyhole/*` gave there, and
//! `token_no_default_policy = true` removed nothing). The paths are compared one region at a time
//! ([`kp_acl::regions`]): a change is listed on a pattern when it holds on the pattern's
//! paths, else on an example path (`secret/data/app/*` narrowed to `secret/data/app/+`
//! loses `read` on `secret/data/app/a/b`; see `compare_grants`). Renaming a policy,
//! reordering rules or reformatting the file therefore changes nothing here, and taking
//! away a narrower rule shows what the broader rule now grants on its paths (dropping `deny "a/prod"` under `update "a/*"`
//! grants `update` on `a/prod`). Policies whose rules are unknown (`extern policy`) are
//! compared by name, as the login field `token_policies`: their names are all there is
//! to compare. An identity added or removed lists its grants without `default`'s, which
//! every identity holds.
//!
//! A `deny` is no grant: a pattern a deny now decides is a denial added (what it took
//! away is listed as removed), one a deny no longer decides a denial removed (what it
//! lets through is listed as added). The counts of [`DiffSummary`] are what the text and
//! Markdown summaries print, so the JSON and the text agree.

use std::collections::{BTreeMap, BTreeSet};

use kp_acl::{Acl, Operation, Server, Target};
use kp_check::ir::{PathRule, Program};
use kp_sort::SortedMap;
use serde::Serialize;
use serde_json::Value as Json;

use crate::matrix::{acl_of, cap_index, matrix_of, policy_rules, IdentityAccess};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccessDiff {
    pub changed: bool,
    pub summary: DiffSummary,
    pub identities: Vec<IdentityChange>,
}

/// The counts of a diff, as its text summary words them. Grants and denials of identities
/// that stay, and of added ones (all new); a removed identity's are counted as the
/// identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DiffSummary {
    pub identities_added: usize,
    pub identities_removed: usize,
    pub identities_modified: usize,
    pub grants_added: usize,
    pub grants_removed: usize,
    pub denials_added: usize,
    pub denials_removed: usize,
    /// Login conditions that now let more tokens in.
    pub logins_widened: usize,
}

impl DiffSummary {
    fn of(identities: &[IdentityChange]) -> DiffSummary {
        let mut s = DiffSummary::default();
        for c in identities {
            match c.change {
                Change::Added => s.identities_added += 1,
                Change::Removed => s.identities_removed += 1,
                Change::Modified => s.identities_modified += 1,
            }
            if c.change != Change::Removed {
                s.grants_added += c.added.len();
                s.denials_added += c.denials_added.len();
            }
            if c.change == Change::Modified {
                s.grants_removed += c.removed.len();
                s.denials_removed += c.denials_removed.len();
            }
            s.logins_widened += c
                .login
                .iter()
                .filter(|l| l.direction == Direction::Widened)
                .count();
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentityChange {
    pub identity: String,
    pub change: Change,
    /// Capabilities now granted, per pattern (never `deny`).
    pub added: Vec<PatternCaps>,
    /// Capabilities no longer granted, per pattern (never `deny`).
    pub removed: Vec<PatternCaps>,
    /// Patterns a `deny` now decides.
    pub denials_added: Vec<String>,
    /// Patterns a `deny` no longer decides.
    pub denials_removed: Vec<String>,
    /// The entries above named by an example path, not by a pattern: one path of those
    /// a change reaches where no pattern of either side covers just them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
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

/// Compares two programs' effective access on `target` (whose stock `default` policy an
/// identity holds unless the program defines its own). Identities are listed in the new
/// program's order, removed ones after them in the old program's order.
pub fn diff(old_program: &Program, new_program: &Program, target: Target) -> AccessDiff {
    let old_rules = policy_rules(old_program);
    let new_rules = policy_rules(new_program);
    let old = matrix_of(old_program, Some(target)).identities;
    let new = matrix_of(new_program, Some(target)).identities;
    let old_by_id: BTreeMap<&str, &IdentityAccess> =
        old.iter().map(|i| (i.identity.id.as_str(), i)).collect();
    let new_ids: BTreeSet<&str> = new.iter().map(|i| i.identity.id.as_str()).collect();
    let mut identities = Vec::new();
    for n in &new {
        match old_by_id.get(n.identity.id.as_str()) {
            None => {
                let (added, denials_added) = grants(n);
                identities.push(IdentityChange {
                    identity: n.identity.id.clone(),
                    change: Change::Added,
                    added,
                    removed: Vec::new(),
                    denials_added,
                    denials_removed: Vec::new(),
                    examples: Vec::new(),
                    login: Vec::new(),
                });
            }
            Some(o) => {
                let g = compare_grants(
                    &Effective::of(o, &old_rules, target),
                    &Effective::of(n, &new_rules, target),
                );
                let login = compare_login(o, n);
                if !(g.is_empty() && login.is_empty()) {
                    identities.push(IdentityChange {
                        identity: n.identity.id.clone(),
                        change: Change::Modified,
                        added: g.added,
                        removed: g.removed,
                        denials_added: g.denials_added,
                        denials_removed: g.denials_removed,
                        examples: g.examples,
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
        let (removed, denials_removed) = grants(o);
        identities.push(IdentityChange {
            identity: o.identity.id.clone(),
            change: Change::Removed,
            added: Vec::new(),
            removed,
            denials_added: Vec::new(),
            denials_removed,
            examples: Vec::new(),
            login: Vec::new(),
        });
    }
    AccessDiff {
        changed: !identities.is_empty(),
        summary: DiffSummary::of(&identities),
        identities,
    }
}

/// An identity's grants as written, and apart the patterns it is denied; not those of
/// `default` alone, which every identity holds.
fn grants(i: &IdentityAccess) -> (Vec<PatternCaps>, Vec<String>) {
    let mut granted = Vec::new();
    let mut denied = Vec::new();
    for g in i.grants.iter().filter(|g| !g.from_default_only()) {
        if g.capabilities.iter().any(|c| c == DENY) {
            denied.push(g.pattern.clone());
        } else {
            granted.push(PatternCaps {
                pattern: g.pattern.clone(),
                capabilities: g.capabilities.clone(),
            });
        }
    }
    (granted, denied)
}

const DENY: &str = "deny";

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
        target: Target,
    ) -> Effective<'a> {
        Effective {
            access,
            acl: acl_of(&access.identity.policies, rules, Some(target)),
        }
    }

    /// The capabilities the rules as written give `pattern` itself.
    fn written(&self, pattern: &str) -> BTreeSet<usize> {
        self.access
            .grants
            .iter()
            .find(|g| g.pattern == pattern)
            .map(|g| g.capabilities.iter().filter_map(|c| cap_index(c)).collect())
            .unwrap_or_default()
    }

    /// The capabilities a request on `path` gets: the deciding rule's, `deny` alone when
    /// it denies.
    fn at(&self, acl: &Acl, path: &str) -> BTreeSet<usize> {
        // The server choice only matters for LIST on a trailing `/`: not for a read.
        let caps = acl
            .check(path, Operation::Read, Server::Openbao)
            .capabilities;
        if caps.is_deny() {
            return cap_index(DENY).into_iter().collect();
        }
        caps.names().into_iter().filter_map(cap_index).collect()
    }
}

/// What changed on the patterns of one identity.
#[derive(Default)]
struct GrantChanges {
    added: Vec<PatternCaps>,
    removed: Vec<PatternCaps>,
    denials_added: Vec<String>,
    denials_removed: Vec<String>,
    examples: Vec<String>,
}

impl GrantChanges {
    /// Whether an entry is on `path`.
    fn names(&self, path: &str) -> bool {
        self.added
            .iter()
            .chain(&self.removed)
            .any(|g| g.pattern == path)
            || self
                .denials_added
                .iter()
                .chain(&self.denials_removed)
                .any(|p| p == path)
    }

    fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.denials_added.is_empty()
            && self.denials_removed.is_empty()
    }
}

/// One piece of a change of access on a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Atom {
    /// A capability (its index in `CAPABILITIES`) now granted.
    Gained(usize),
    /// A capability no longer granted.
    Lost(usize),
    /// A `deny` now decides.
    DenialAdded,
    /// A `deny` no longer decides.
    DenialRemoved,
}

/// The change from `before` to `after` (capability indices, `deny` among them).
fn atoms(before: &BTreeSet<usize>, after: &BTreeSet<usize>) -> BTreeSet<Atom> {
    let deny = cap_index(DENY);
    let denied = |caps: &BTreeSet<usize>| deny.is_some_and(|d| caps.contains(&d));
    let not_deny = |c: &&usize| Some(**c) != deny;
    let mut out: BTreeSet<Atom> = after
        .difference(before)
        .filter(not_deny)
        .map(|&c| Atom::Gained(c))
        .chain(
            before
                .difference(after)
                .filter(not_deny)
                .map(|&c| Atom::Lost(c)),
        )
        .collect();
    match (denied(before), denied(after)) {
        (false, true) => out.insert(Atom::DenialAdded),
        (true, false) => out.insert(Atom::DenialRemoved),
        _ => false,
    };
    out
}

/// Capabilities gained and lost, and denials added and removed, on the paths the
/// patterns of either side cover, decided for each path as the server decides.
///
/// The patterns split the paths into regions, each the paths one combination of them
/// matches ([`kp_acl::regions`]); both sides' ACLs answer alike on every path of a
/// region, so one path each is compared. A change is then reported
/// - on a pattern, when it holds on every path the pattern matches;
/// - on a pattern, when it holds on its own paths (those the patterns containing it
///   match, and no other) and every other path of it with a different answer is
///   reported on a narrower pattern (an exception listed beside it): `+ a/* update`
///   beside `+ denial a/prod`;
/// - otherwise on the region's example path (`- secret/data/app/a/b read`): a pattern
///   only partly covered by another, where naming the pattern would claim too much.
///
/// A templated pattern (`{{identity...}}`) names no one path until rendered for an
/// entity, so it keeps its own grant, compared as written.
fn compare_grants(old: &Effective<'_>, new: &Effective<'_>) -> GrantChanges {
    let patterns: BTreeSet<&str> = old
        .access
        .grants
        .iter()
        .chain(&new.access.grants)
        .map(|g| g.pattern.as_str())
        .collect();
    let mut found: BTreeMap<String, BTreeSet<Atom>> = BTreeMap::new();
    let (Some(old_acl), Some(new_acl)) = (&old.acl, &new.acl) else {
        // No ACL to ask (the server would refuse to build one): as written.
        for p in patterns {
            found.insert(p.to_string(), atoms(&old.written(p), &new.written(p)));
        }
        return GrantChanges::from(found);
    };
    let (templated, evaluated): (Vec<&str>, Vec<&str>) =
        patterns.into_iter().partition(|p| p.contains("{{"));
    for p in templated {
        found.insert(p.to_string(), atoms(&old.written(p), &new.written(p)));
    }
    let regions = kp_acl::regions(&evaluated);
    let changes: Vec<BTreeSet<Atom>> = regions
        .iter()
        .map(|r| atoms(&old.at(old_acl, &r.sample), &new.at(new_acl, &r.sample)))
        .collect();
    // Each pattern's regions, and the patterns matching all of its paths (itself and
    // those containing it).
    let mut of: Vec<Vec<usize>> = vec![Vec::new(); evaluated.len()];
    for (r, region) in regions.iter().enumerate() {
        for &p in &region.patterns {
            if let Some(v) = of.get_mut(p) {
                v.push(r);
            }
        }
    }
    let common = |p: usize| -> Vec<usize> {
        of[p]
            .iter()
            .map(|&r| regions[r].patterns.clone())
            .reduce(|mut a, b| {
                a.retain(|x| b.contains(x));
                a
            })
            .unwrap_or_default()
    };
    // Atoms holding on every path of a pattern.
    let uniform: Vec<BTreeSet<Atom>> = of
        .iter()
        .map(|rs| {
            rs.iter()
                .map(|&r| changes[r].clone())
                .reduce(|a, b| a.intersection(&b).copied().collect())
                .unwrap_or_default()
        })
        .collect();
    let mut reported = uniform.clone();
    for (p, rs) in of.iter().enumerate() {
        let wide = common(p);
        let Some(&own) = rs.iter().find(|&&r| regions[r].patterns == wide) else {
            continue;
        };
        // A path of `p` whose answer an entry on a narrower pattern lists.
        let excepted = |r: usize| {
            regions[r]
                .patterns
                .iter()
                .any(|q| !wide.contains(q) && !uniform[*q].is_empty())
        };
        for a in changes[own].difference(&uniform[p]) {
            if rs.iter().all(|&r| changes[r].contains(a) || excepted(r)) {
                reported[p].insert(*a);
            }
        }
    }
    for (p, atoms) in evaluated.iter().zip(&reported) {
        if !atoms.is_empty() {
            found
                .entry((*p).to_string())
                .or_default()
                .extend(atoms.iter().copied());
        }
    }
    // What no pattern's entry says, on the region's example path.
    for (region, change) in regions.iter().zip(&changes) {
        let unsaid: Vec<Atom> = change
            .iter()
            .filter(|a| !region.patterns.iter().any(|&q| reported[q].contains(a)))
            .copied()
            .collect();
        if !unsaid.is_empty() {
            found
                .entry(region.sample.clone())
                .or_default()
                .extend(unsaid);
        }
    }
    let mut changes = GrantChanges::from(found);
    changes.examples = regions
        .iter()
        .map(|r| &r.sample)
        .filter(|sample| !evaluated.contains(&sample.as_str()))
        .filter(|sample| changes.names(sample))
        .cloned()
        .collect();
    changes
}

impl From<BTreeMap<String, BTreeSet<Atom>>> for GrantChanges {
    fn from(found: BTreeMap<String, BTreeSet<Atom>>) -> GrantChanges {
        let mut out = GrantChanges::default();
        for (p, atoms) in found {
            let gained: Vec<usize> = atoms
                .iter()
                .filter_map(|a| match a {
                    Atom::Gained(c) => Some(*c),
                    _ => None,
                })
                .collect();
            let lost: Vec<usize> = atoms
                .iter()
                .filter_map(|a| match a {
                    Atom::Lost(c) => Some(*c),
                    _ => None,
                })
                .collect();
            if atoms.contains(&Atom::DenialAdded) {
                out.denials_added.push(p.clone());
            }
            if atoms.contains(&Atom::DenialRemoved) {
                out.denials_removed.push(p.clone());
            }
            if !gained.is_empty() {
                out.added.push(PatternCaps {
                    pattern: p.clone(),
                    capabilities: ordered(gained.iter()),
                });
            }
            if !lost.is_empty() {
                out.removed.push(PatternCaps {
                    pattern: p,
                    capabilities: ordered(lost.iter()),
                });
            }
        }
        out
    }
}

/// Names in Vault's canonical order (the indices come sorted from the set).
fn ordered<'a>(caps: impl Iterator<Item = &'a usize>) -> Vec<String> {
    caps.filter_map(|&i| kp_check::ir::CAPABILITIES.get(i))
        .map(|c| (*c).to_string())
        .collect()
}

fn compare_login(old: &IdentityAccess, new: &IdentityAccess) -> Vec<LoginChange> {
    let fields = |i: &IdentityAccess| -> SortedMap<String, Json> {
        let mut f: SortedMap<String, Json> = i
            .identity
            .login
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.json()))
            .collect();
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
                } else if k == "bound_claims_type" && !has_star(&o) && !has_star(&n) {
                    // Globs without a `*` match only themselves (QA: listed as widened).
                    Direction::Changed
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
        | "allowed_redirect_uris" => restriction_list(old, new, false),
        "allowed_common_names"
        | "allowed_dns_sans"
        | "allowed_email_sans"
        | "allowed_uri_sans"
        | "allowed_names"
        | "allowed_organizational_units" => glob_names(old, new),
        "token_bound_cidrs" | "secret_id_bound_cidrs" | "bound_cidrs" => cidrs(old, new),
        // Leaving `default` out takes its rules away (listed as grants removed).
        "token_no_default_policy" => match (
            old.as_bool().unwrap_or(false),
            new.as_bool().unwrap_or(false),
        ) {
            (false, true) => Direction::Narrowed,
            (true, false) => Direction::Widened,
            _ => Direction::Changed,
        },
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
fn restriction_list(old: &Json, new: &Json, cidrs: bool) -> Direction {
    let (o, n) = (strings(old), strings(new));
    let open = |s: &BTreeSet<String>| {
        s.is_empty() || s.contains("*") || (cidrs && s.iter().any(|c| c.ends_with("/0")))
    };
    match (open(&o), open(&n)) {
        (true, true) => Direction::Changed,
        (false, true) => Direction::Widened,
        (true, false) => Direction::Narrowed,
        (false, false) => set_growth(&o, &n),
    }
}

/// Whether a bound claim's value holds a `*` (a glob's wildcard).
fn has_star(fields: &SortedMap<String, Json>) -> bool {
    fn any(v: &Json) -> bool {
        match v {
            Json::String(s) => s.contains('*'),
            Json::Array(items) => items.iter().any(any),
            Json::Object(m) => m.values().any(any),
            _ => false,
        }
    }
    fields.get("bound_claims").is_some_and(any)
}

/// CIDR lists by the addresses they admit (none: every address, as `0.0.0.0/0` and
/// `::/0`): widened when the new list admits an address the old did not, narrowed when
/// only the old admitted some, changed otherwise (the same addresses written another
/// way). A range is taken as covered when one range of the other list holds it (QA:
/// compared as text, `/16` to `/8` was no widening, and a range added inside one already
/// there was). A list with an entry that is no CIDR is compared as a set of texts.
fn cidrs(old: &Json, new: &Json) -> Direction {
    let parse =
        |v: &Json| -> Option<Vec<Cidr>> { strings(v).iter().map(|c| Cidr::parse(c)).collect() };
    let (Some(o), Some(n)) = (parse(old), parse(new)) else {
        return restriction_list(old, new, true);
    };
    // No range: no restriction.
    let covers = |list: &[Cidr], c: &Cidr| list.is_empty() || list.iter().any(|l| l.holds(c));
    let admits_more = !n.iter().all(|c| covers(&o, c)) || (n.is_empty() && !o.is_empty());
    let admits_less = !o.iter().all(|c| covers(&n, c)) || (o.is_empty() && !n.is_empty());
    match (admits_more, admits_less) {
        (true, _) => Direction::Widened,
        (false, true) => Direction::Narrowed,
        (false, false) => Direction::Changed,
    }
}

/// An address range: its first address as bits, how many bits are fixed, and whether it
/// is IPv6. `0.0.0.0/0` and `::/0` admit every address, as no CIDR does.
struct Cidr {
    bits: u128,
    prefix: u32,
    v6: bool,
    all: bool,
}

impl Cidr {
    fn parse(text: &str) -> Option<Cidr> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u32>().ok()?)),
            None => (text.trim(), None),
        };
        let (bits, width, v6) = match addr.parse::<std::net::IpAddr>().ok()? {
            std::net::IpAddr::V4(a) => (u128::from(u32::from(a)), 32, false),
            std::net::IpAddr::V6(a) => (u128::from(a), 128, true),
        };
        let prefix = prefix.unwrap_or(width);
        (prefix <= width).then_some(Cidr {
            bits,
            // Counted over 128 bits for both families.
            prefix: prefix + (128 - width),
            v6,
            all: prefix == 0,
        })
    }

    fn mask(prefix: u32) -> u128 {
        u128::MAX.checked_shl(128 - prefix).unwrap_or(0)
    }

    /// Whether every address of `other` is in this range.
    fn holds(&self, other: &Cidr) -> bool {
        let mask = Cidr::mask(self.prefix);
        self.all
            || (self.v6 == other.v6
                && self.prefix <= other.prefix
                && self.bits & mask == other.bits & mask)
    }
}

/// Each bound claim restricts: dropping one widens, adding one narrows, and a claim
/// whose values now accept more tokens widens. Mixed movements are a change.
///
/// Which values accept more is decided by covering: a value covers another when every
/// claim the other accepts, it accepts too. A literal value covers only itself. Under
/// `bound_claims_type = "glob"` a value is a glob (go-glob: `*` any run, anywhere) and
/// covers every value it matches as text, another glob included with its `*` read as a
/// plain character: a glob matching that text matches every string the other glob does
/// (its literals meet the other's literals, the other's `*`s fall in its own `*`s).
/// So `"acme/*"` (glob) covers `"acme/app"` and the glob `"acme/app-*"`, and `"*"` covers
/// everything; a literal never covers a glob that holds a `*`. A claim is widened when the
/// new values cover every old one and not the other way round, narrowed when the old
/// cover every new one and not the other way round, unchanged when each side covers the
/// other, and changed otherwise.
fn bound_claims(old: &Json, new: &Json, globs: (bool, bool)) -> Direction {
    let claims = |v: &Json| -> BTreeMap<String, BTreeSet<String>> {
        v.as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), strings_whole(v)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (o, n) = (claims(old), claims(new));
    let mut wider = false;
    let mut narrower = false;
    for (k, before) in &o {
        let Some(after) = n.get(k) else {
            wider = true;
            continue;
        };
        let widens = covers(after, globs.1, before, globs.0);
        let narrows = covers(before, globs.0, after, globs.1);
        match (widens, narrows) {
            (true, true) => {}
            (true, false) => wider = true,
            (false, true) => narrower = true,
            (false, false) => {
                wider = true;
                narrower = true;
            }
        }
    }
    narrower |= n.keys().any(|k| !o.contains_key(k));
    match (wider, narrower) {
        (true, false) => Direction::Widened,
        (false, true) => Direction::Narrowed,
        _ => Direction::Changed,
    }
}

/// Whether the values `by` (globs or not) cover each of `values` (globs or not): see
/// [`bound_claims`].
fn covers(by: &BTreeSet<String>, by_glob: bool, values: &BTreeSet<String>, glob: bool) -> bool {
    values.iter().all(|v| {
        by.iter().any(|b| {
            if by_glob {
                kp_check::ir::glob_match(b, v)
            } else {
                b == v && !(glob && v.contains('*'))
            }
        })
    })
}

/// A certificate role's names, each a glob the certificate's name must match (go-glob,
/// as `bound_claims` under `glob`): none (or `*`) admits every certificate of the CA, and
/// otherwise the side whose globs cover every glob of the other admits more, so
/// `"ci-runner-*.example.com"` becoming `"*.example.com"` widens.
fn glob_names(old: &Json, new: &Json) -> Direction {
    let (o, n) = (strings(old), strings(new));
    let open = |s: &BTreeSet<String>| s.is_empty() || s.contains("*");
    match (open(&o), open(&n)) {
        (true, true) => Direction::Changed,
        (false, true) => Direction::Widened,
        (true, false) => Direction::Narrowed,
        (false, false) => match (covers(&n, true, &o, true), covers(&o, true, &n, true)) {
            (true, false) => Direction::Widened,
            (false, true) => Direction::Narrowed,
            _ => Direction::Changed,
        },
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
