//! `kp::shadowed-rule`: a rule that can never decide a request, because Vault applies
//! only the most specific matching rule (the others are not added) and another rule of
//! the same token's ACL is more specific on every path this one matches
//! ([`kp_acl::shadows`]), or because a `deny` on the same pattern in a policy every
//! holder also carries wins the merge.
//!
//! Sound, not complete: a rule is reported when one rule of its own policy, or of a
//! policy every identity holding it carries, shadows it, or when each holder's ACL has
//! a rule that does (different winners for different holders); a rule shadowed only by
//! several rules together is not.

use kp_acl::Target;
use kp_check::ir::{Program, Resource};
use kp_diag::{Diagnostic, SourceMap, Span};
use kp_sort::SortedMap;

use super::locate::quoted as locate;
use crate::identity::Identity;

pub const SHADOWED_RULE: &str = "kp::shadowed-rule";

/// A rule another may shadow: where it is written, when the program writes it.
struct Candidate<'a> {
    policy: &'a str,
    pattern: &'a str,
    /// `pattern` analysed once: every rule of the policy is compared with it.
    shape: kp_acl::Pattern<'a>,
    deny: bool,
    resource: Option<&'a Resource>,
}

pub(super) fn shadowed(
    program: &Program,
    ids: &[Identity],
    sources: &SourceMap,
    target: Target,
    out: &mut Vec<Diagnostic>,
) {
    // Sorted maps, not `BTreeMap`s: each tree type compiled its own code (and collecting,
    // its own sort) into the playground's wasm.
    let defined = crate::matrix::defined_policies(program);
    let mut held: Vec<(&str, &Identity)> = ids
        .iter()
        .flat_map(|i| i.policies.iter().map(move |p| (p.as_str(), i)))
        .collect();
    kp_sort::by_key(&mut held, |&(p, _)| p);
    let holders: SortedMap<&str, Vec<&Identity>> = SortedMap::from_sorted(
        held.chunk_by(|a, b| a.0 == b.0)
            .map(|same| (same[0].0, same.iter().map(|&(_, i)| i).collect()))
            .collect(),
    );
    // Every policy's rules analysed once: a policy most identities hold (`default`, a
    // shared base) is a rival of every other policy.
    let analysed = analysed_rules(&defined, &holders, target);
    for (&name, &res) in &defined {
        let Some(doc) = &res.policy else { continue };
        // The policies that sit beside this one in every ACL that holds it.
        let beside: Vec<&str> = match holders.get(name) {
            None => vec![name],
            Some(hs) => hs
                .iter()
                .map(|i| {
                    let mut ps: Vec<&str> = i.policies.iter().map(String::as_str).collect();
                    kp_sort::sort(&mut ps);
                    ps.dedup();
                    ps
                })
                .reduce(|mut a, b| {
                    a.retain(|p| b.binary_search(p).is_ok());
                    a
                })
                .unwrap_or_default(),
        };
        // Its own policy first: the finding then holds whoever carries it.
        let rivals = candidates(
            &analysed,
            std::iter::once(name).chain(beside.iter().copied().filter(|q| *q != name)),
        );
        let what = match &res.workload {
            Some(w) => format!("workload `{w}`"),
            None => format!("policy `{name}`"),
        };
        let index = kp_acl::ShadowIndex::new(rivals.iter().map(|w| &w.shape));
        // The rivals with each pattern's exact text, which merge with a rule of that text.
        let mut by_text: Vec<(&str, usize)> = rivals
            .iter()
            .enumerate()
            .map(|(i, w)| (w.pattern, i))
            .collect();
        kp_sort::unstable(&mut by_text);
        let mut asked = Vec::new();
        // Each holder's whole ACL, built the first time a rule needs it.
        let mut acls: Option<Vec<HolderAcl<'_, '_>>> = None;
        let own = analysed.get(name).map_or(&[][..], Vec::as_slice);
        for (rule, analysed_rule) in doc.rules.iter().zip(own) {
            let deny = rule.capabilities.contains("deny");
            if deny {
                if let Some(d) = denied_beside(rule, &what) {
                    let at = locate(sources, res.span, &rule.path).unwrap_or(res.span);
                    out.push(d.at(at));
                }
            }
            let loser = &analysed_rule.shape;
            // Only the rivals that may win (in the rivals' order): the same text, and
            // the index's candidates.
            index.may_shadow(loser, &mut asked);
            let from = by_text.partition_point(|&(t, _)| t < rule.path.as_str());
            let same = by_text
                .iter()
                .skip(from)
                .take_while(|&&(t, _)| t == rule.path);
            // The index's answer is ascending: the few rules of the same text (the rule
            // itself among them) are put in place, not the whole list sorted again (a
            // sort per rule was a tenth of `keyplan check` on 2,000 workloads).
            for &(_, i) in same {
                kp_sort::insert_sorted(&mut asked, i);
            }
            let found = asked.iter().filter_map(|&i| rivals.get(i)).find_map(|w| {
                if w.pattern == rule.path {
                    // Merged with it: only a `deny` of another policy takes it over.
                    return (w.deny && !deny && w.policy != name).then_some(None);
                }
                kp_acl::shadows_pattern(&w.shape, loser).map(|c| Some((w, c)))
            });
            let Some(how) = found else {
                let Some(hs) = holders.get(name).filter(|hs| hs.len() > 1) else {
                    continue;
                };
                let acls = acls.get_or_insert_with(|| {
                    hs.iter()
                        .map(|h| {
                            let rules =
                                candidates(&analysed, h.policies.iter().map(String::as_str));
                            let index = kp_acl::ShadowIndex::new(rules.iter().map(|w| &w.shape));
                            (*h, rules, index)
                        })
                        .collect()
                });
                if let Some(d) = shadowed_per_holder(acls, rule, loser, &what, &mut asked) {
                    let at = locate(sources, res.span, &rule.path).unwrap_or(res.span);
                    out.push(d.at(at));
                }
                continue;
            };
            let at = locate(sources, res.span, &rule.path).unwrap_or(res.span);
            let d = match how {
                None => {
                    let w = rivals
                        .iter()
                        .find(|w| w.pattern == rule.path && w.deny && w.policy != name);
                    let by = w.map(|w| w.policy).unwrap_or_default();
                    Diagnostic::warning(
                        SHADOWED_RULE,
                        at,
                        format!(
                            "`{}` in {what} never takes effect: policy `{by}` denies the same pattern, and every identity holding {what} holds `{by}` too",
                            rule.path
                        ),
                    )
                    .with_label("overridden by a deny on the same path")
                    .with_help("rules on one pattern merge and `deny` wins the merge; remove the rule, or the deny")
                }
                Some((w, criterion)) => {
                    let mut d = Diagnostic::warning(
                        SHADOWED_RULE,
                        at,
                        format!(
                            "`{}` in {what} can never decide: `{}` (policy `{}`) matches every path it matches and wins, because {}",
                            rule.path,
                            w.pattern,
                            w.policy,
                            criterion.describe()
                        ),
                    )
                    .with_label(if deny {
                        "this deny never applies"
                    } else {
                        "never the deciding rule"
                    })
                    .with_help(format!(
                        "Vault applies only the most specific matching rule and does not add the others; {}",
                        if deny {
                            format!("the `deny` is bypassed wherever `{}` grants: deny a pattern that wins over it, e.g. an exact path or one whose first `+` comes after its `*`", w.pattern)
                        } else {
                            format!("grant these capabilities on `{}` too, or remove the rule", w.pattern)
                        }
                    ));
                    if let Some(r) = w.resource {
                        let span = locate(sources, r.span, w.pattern).unwrap_or(r.span);
                        if span != at {
                            d = d.with_related(span, "this rule wins instead");
                        }
                    }
                    d
                }
            };
            out.push(d);
        }
    }
}

/// The rules of every policy the program defines, and of the built-in `default` (the
/// stock one of `target`) when an identity holds it, each pattern analysed once.
fn analysed_rules<'a>(
    defined: &SortedMap<&'a str, &'a Resource>,
    holders: &SortedMap<&'a str, Vec<&Identity>>,
    target: Target,
) -> SortedMap<&'a str, Vec<Candidate<'a>>> {
    let mut out: SortedMap<&str, Vec<Candidate<'_>>> = defined
        .iter()
        .map(|(&q, &r)| {
            let rules = r.policy.iter().flat_map(|d| &d.rules);
            let rules = rules.map(|rule| Candidate {
                policy: q,
                pattern: rule.path.as_str(),
                shape: kp_acl::Pattern::new(&rule.path),
                deny: rule.capabilities.contains("deny"),
                resource: Some(r),
            });
            (q, rules.collect())
        })
        .collect();
    let default = kp_acl::DEFAULT_POLICY;
    if !defined.contains_key(default) && holders.contains_key(default) {
        let rules = kp_acl::default_policy_rules(target).map(|(pattern, caps)| Candidate {
            policy: default,
            pattern,
            shape: kp_acl::Pattern::new(pattern),
            deny: caps.contains(&"deny"),
            resource: None,
        });
        out.insert(default, rules.collect());
    }
    out
}

/// The rules of `policies` (the program's own, or the built-in `default`), in order.
fn candidates<'a, 'r>(
    analysed: &'r SortedMap<&'a str, Vec<Candidate<'a>>>,
    policies: impl Iterator<Item = &'a str>,
) -> Vec<&'r Candidate<'a>> {
    policies.filter_map(|q| analysed.get(q)).flatten().collect()
}

/// A holder of a policy, the rules of its whole ACL, and their index.
type HolderAcl<'i, 'r> = (
    &'i Identity,
    Vec<&'r Candidate<'r>>,
    kp_acl::ShadowIndex<'r>,
);

/// A rule no single rule shadows for every holder, but each holder's own ACL has one that
/// does (different winners for different identities): it still never decides.
fn shadowed_per_holder(
    acls: &[HolderAcl<'_, '_>],
    rule: &kp_check::ir::PathRule,
    loser: &kp_acl::Pattern<'_>,
    what: &str,
    asked: &mut Vec<usize>,
) -> Option<Pending> {
    let mut winners: SortedMap<(&str, &str), Vec<&str>> = SortedMap::new();
    for (holder, rivals, index) in acls {
        index.may_shadow(loser, asked);
        let w = asked.iter().filter_map(|&i| rivals.get(i)).find(|w| {
            w.pattern != rule.path && kp_acl::shadows_pattern(&w.shape, loser).is_some()
        })?;
        winners
            .get_or_default((w.pattern, w.policy))
            .push(holder.id.as_str());
    }
    let deny = rule.capabilities.contains("deny");
    let list = winners
        .iter()
        .map(|((pattern, policy), ids)| {
            format!("`{pattern}` (policy `{policy}`) for {}", ids.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    Some(Pending {
        message: format!(
            "`{}` in {what} can never decide: every identity holding it has a rule that matches every path it matches and wins: {list}",
            rule.path
        ),
        label: if deny {
            "this deny never applies"
        } else {
            "never the deciding rule"
        },
        help: "Vault applies only the most specific matching rule and does not add the others; grant or deny on the winning patterns too, or remove the rule",
    })
}

/// The capabilities a rule lists beside `deny`: the server keeps only the `deny`
/// (`parsePaths`), so they never take effect. A workload's `read "p"` and `deny "p"`
/// become such a rule too.
fn denied_beside(rule: &kp_check::ir::PathRule, what: &str) -> Option<Pending> {
    let granted: Vec<&str> = rule.capabilities.iter().filter(|c| *c != "deny").collect();
    if granted.is_empty() {
        return None;
    }
    let list = granted
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(Pending {
        message: format!(
            "{list} on `{}` in {what} never takes effect: the same rule denies `{}`, and `deny` takes over every capability beside it",
            rule.path, rule.path
        ),
        label: "overridden by a deny on the same path",
        help: "a rule with `deny` grants nothing: drop the other capabilities to keep the path denied, or drop `deny` to grant them",
    })
}

/// A finding whose location is settled by the caller.
struct Pending {
    message: String,
    label: &'static str,
    help: &'static str,
}

impl Pending {
    fn at(self, span: Span) -> Diagnostic {
        Diagnostic::warning(SHADOWED_RULE, span, self.message)
            .with_label(self.label)
            .with_help(self.help)
    }
}
