//! `kp::narrowing-rule`: a workload statement on a narrower pattern than another of the
//! same workload takes the broader one's capabilities away from the paths it matches.
//! Vault applies only the most specific matching rule (`CheckAllowedFromNonExactPaths`),
//! so `read "secret/data/models/*"` with `create "secret/data/models/out/*"` lets the
//! workload create under `out/` but no longer read there. A workload's statements read as
//! grants that add up, so this is reported; a `deny` on either side is a deliberate
//! carve-out and is not.
//!
//! Only the rules of one workload's derived policy are compared: a policy written with
//! `path` blocks states each path's capabilities in full, where a narrower rule with
//! fewer capabilities is the only way to restrict a subtree.

use kp_check::ir::{PathRule, Program};
use kp_diag::{Diagnostic, SourceMap};

use super::locate::quoted as locate;

pub const NARROWING_RULE: &str = "kp::narrowing-rule";

pub(super) fn narrowing(program: &Program, sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    for res in &program.resources {
        let (Some(workload), Some(doc)) = (&res.workload, &res.policy) else {
            continue;
        };
        let shapes: Vec<kp_acl::Pattern<'_>> = doc
            .rules
            .iter()
            .map(|r| kp_acl::Pattern::new(&r.path))
            .collect();
        let index = kp_acl::ShadowIndex::new(&shapes);
        let mut asked = Vec::new();
        for (rule, shape) in doc.rules.iter().zip(&shapes) {
            if rule.capabilities.contains("deny") {
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
            let wider: &PathRule = &doc.rules[decider];
            if wider.capabilities.contains("deny") {
                continue;
            }
            // An exact path is one key, read or written, or a folder's own path
            // (`list "secret/metadata/models/"`), only ever listed.
            let exact = !rule.path.contains(['*', '+']);
            let folder = rule.path.ends_with('/');
            let lost: Vec<&str> = wider
                .capabilities
                .iter()
                .filter(|c| !rule.capabilities.contains(c))
                .filter(|&c| !exact || (c == "list") == folder)
                .collect();
            if lost.is_empty() {
                continue;
            }
            out.push(finding(sources, res.span, workload, rule, wider, &lost));
        }
    }
}

fn finding(
    sources: &SourceMap,
    block: kp_diag::Span,
    workload: &str,
    rule: &PathRule,
    wider: &PathRule,
    lost: &[&str],
) -> Diagnostic {
    let at = locate(sources, block, &rule.path).unwrap_or(block);
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
    let mut d = Diagnostic::warning(
        NARROWING_RULE,
        at,
        format!(
            "`{}` in workload `{workload}` takes {lost_names} away from the paths it matches: `{}` does not apply there",
            rule.path, wider.path
        ),
    )
    .with_label(format!(
        "only {} on these paths",
        names(&mut rule.capabilities.iter())
    ))
    .with_help(format!(
        "Vault applies only the most specific matching rule and does not add the others; write {statements} too, to keep {lost_names} there"
    ));
    let wider_at = locate(sources, block, &wider.path).unwrap_or(block);
    if wider_at != at {
        d = d.with_related(wider_at, format!("{lost_names} granted here"));
    }
    d
}
