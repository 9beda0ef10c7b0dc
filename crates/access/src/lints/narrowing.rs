//! `kp::narrowing-rule`: a workload statement on a narrower pattern than another rule of
//! the workload's token takes the broader rule's capabilities away from the paths it
//! matches. Vault applies only the most specific matching rule
//! (`CheckAllowedFromNonExactPaths`), so `read "secret/data/models/*"` with
//! `create "secret/data/models/out/*"` lets the workload create under `out/` but no
//! longer read there. A workload's statements read as grants that add up, so this is
//! reported; a `deny` on either side is a deliberate carve-out and is not.
//!
//! The broader rule may be the workload's own or one of a policy its login also carries
//! (`token_policies = [shared]`); rules of one pattern merge across those policies. The
//! statements of a policy written with `path` blocks are not checked: it states each
//! path's capabilities in full, where a narrower rule with fewer capabilities is the only
//! way to restrict a subtree.

use kp_check::ir::{Capabilities, PathRule, Program, Resource};
use kp_diag::{Diagnostic, SourceMap, Span};

use super::locate::quoted as locate;
use crate::identity::Identity;

pub const NARROWING_RULE: &str = "kp::narrowing-rule";

/// A rule of the workload's token: the policy it is in, and where that is written.
struct Held<'a> {
    rule: &'a PathRule,
    policy: &'a str,
    resource: &'a Resource,
}

pub(super) fn narrowing(
    program: &Program,
    ids: &[Identity],
    sources: &SourceMap,
    out: &mut Vec<Diagnostic>,
) {
    let defined = crate::matrix::defined_policies(program);
    let logins: kp_sort::SortedMap<&str, &Identity> = kp_sort::SortedMap::from_unsorted(
        ids.iter()
            .filter_map(|i| Some((i.workload.as_deref()?, i)))
            .collect(),
    );
    for res in &program.resources {
        let (Some(workload), Some(doc)) = (&res.workload, &res.policy) else {
            continue;
        };
        // The workload's own rules first, then those of the other policies its login
        // carries (`default` aside: its stock rules are not the workload's grants).
        let login = logins.get(workload.as_str()).copied();
        let others = login.into_iter().flat_map(|i| &i.policies).filter_map(|p| {
            let r = defined.get(p.as_str()).copied()?;
            (r.id != res.id).then_some((p.as_str(), r))
        });
        let mut held: Vec<Held<'_>> = Vec::new();
        for (policy, r) in std::iter::once((res.name.as_str(), res)).chain(others) {
            let rules = r.policy.iter().flat_map(|d| &d.rules);
            held.extend(rules.map(|rule| Held {
                rule,
                policy,
                resource: r,
            }));
        }
        let shapes: Vec<kp_acl::Pattern<'_>> = held
            .iter()
            .map(|h| kp_acl::Pattern::new(&h.rule.path))
            .collect();
        let index = kp_acl::ShadowIndex::new(&shapes);
        let mut asked = Vec::new();
        for (rule, shape) in doc.rules.iter().zip(&shapes) {
            let merged = merged_caps(&held, &rule.path);
            if merged.contains("deny") {
                continue;
            }
            index.may_contain(shape, &mut asked);
            // Without this rule, the broader rule that decides its paths: of those that
            // match every one of them, the first in the server's order.
            let mut broader = asked
                .iter()
                .filter(|&&i| kp_acl::narrows(shape, &shapes[i]));
            let Some(&first) = broader.next() else {
                continue;
            };
            let decider = broader.fold(first, |top, &i| {
                if kp_acl::outranks(&shapes[i], &shapes[top]) {
                    i
                } else {
                    top
                }
            });
            let wider = &held[decider];
            let wider_caps = merged_caps(&held, &wider.rule.path);
            if wider_caps.contains("deny") {
                continue;
            }
            // An exact path is one key, read or written, or a folder's own path
            // (`list "secret/metadata/models/"`), only ever listed.
            let exact = !rule.path.contains(['*', '+']);
            let folder = rule.path.ends_with('/');
            let lost: Vec<&str> = wider_caps
                .iter()
                .filter(|c| !merged.contains(c))
                .filter(|&c| !exact || (c == "list") == folder)
                .collect();
            if lost.is_empty() {
                continue;
            }
            let at = locate(sources, res.span, &rule.path).unwrap_or(res.span);
            out.push(finding(sources, at, workload, rule, merged, wider, &lost));
        }
    }
}

/// The capabilities of every held rule written with `path`: rules of one pattern merge.
fn merged_caps(held: &[Held<'_>], path: &str) -> Capabilities {
    held.iter()
        .filter(|h| h.rule.path == path)
        .fold(Capabilities::default(), |caps, h| {
            caps.union(h.rule.capabilities)
        })
}

fn finding(
    sources: &SourceMap,
    at: Span,
    workload: &str,
    rule: &PathRule,
    granted: Capabilities,
    wider: &Held<'_>,
    lost: &[&str],
) -> Diagnostic {
    let names = |caps: &mut dyn Iterator<Item = &str>| {
        caps.map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lost_names = names(&mut lost.iter().copied());
    let statements = lost
        .iter()
        .map(|c| format!("`{c} \"{}\"`", rule.path))
        .collect::<Vec<_>>()
        .join(" and ");
    let from = if wider.resource.workload.as_deref() == Some(workload) {
        format!("`{}`", wider.rule.path)
    } else {
        format!("`{}` (policy `{}`)", wider.rule.path, wider.policy)
    };
    let mut d = Diagnostic::warning(
        NARROWING_RULE,
        at,
        format!(
            "`{}` in workload `{workload}` takes {lost_names} away from the paths it matches: {from} does not apply there",
            rule.path
        ),
    )
    .with_label(format!(
        "only {} on these paths",
        names(&mut granted.iter())
    ))
    .with_help(format!(
        "Vault applies only the most specific matching rule and does not add the others; write {statements} too, to keep {lost_names} there"
    ));
    let block = wider.resource.span;
    let wider_at = locate(sources, block, &wider.rule.path).unwrap_or(block);
    if wider_at != at {
        d = d.with_related(wider_at, format!("{lost_names} granted here"));
    }
    d
}
