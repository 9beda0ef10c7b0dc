//! Hover over a rule's path (a policy's `path "..."`, a workload's `read "..."`): who
//! holds the rule, and, for a path without wildcards, what each of them may do there as
//! the server decides it. The answers are `kp_access::explain`'s, the evaluator behind
//! `keyplan explain` and the playground's explain, so the three never disagree; the rule
//! under the cursor is not always the one that decides (a more specific rule of another
//! policy the identity carries wins, and a `deny` anywhere wins).

use kp_access::explain::{explain, ExplainOptions, IdentityAnswer};
use kp_check::catalog::CAPABILITY_VERBS;
use kp_diag::Span;
use kp_syntax::ast::{Entry, ExprKind, Label};

use crate::hover::Hover;
use crate::locate::{self, covers};
use crate::Analysis;

/// How many holders a hover lists before "and N more".
const SHOWN: usize = 12;

/// The rule under the cursor: the policy holding it (a workload's statements are its
/// derived policy, named after it), its path pattern, and where the pattern is written.
struct RulePath {
    policy: String,
    pattern: String,
    span: Span,
}

impl Analysis {
    pub(crate) fn hover_rule_path(&self, offset: usize) -> Option<Hover> {
        let rule = self.rule_path_at(offset)?;
        let holders: Vec<kp_access::Identity> = kp_access::identities(&self.program)
            .into_iter()
            .filter(|i| i.policies.contains(&rule.policy))
            .collect();
        let mut out = format!("**`{}`** · policy `{}`\n\n", rule.pattern, rule.policy);
        if holders.is_empty() {
            out.push_str(
                "No identity of the program carries this policy: the rule grants nothing here.",
            );
            return Some(Hover {
                span: rule.span,
                markdown: out,
            });
        }
        let wildcard = rule.pattern.contains(['*', '+']);
        let (named, more) = holders.split_at(holders.len().min(SHOWN));
        // Only the holders shown are evaluated: a policy every workload of a large
        // program carries would otherwise build thousands of ACLs for one hover.
        let answers: Vec<IdentityAnswer> = if wildcard {
            Vec::new()
        } else {
            named
                .iter()
                .filter_map(|holder| {
                    let opts = ExplainOptions {
                        as_name: Some(holder.id.clone()),
                        policies: None,
                    };
                    let path = std::slice::from_ref(&rule.pattern);
                    let e = explain(&self.program, path, &opts, self.target).ok()?;
                    e.paths.into_iter().next()?.identities.into_iter().next()
                })
                .collect()
        };
        out.push_str(&format!(
            "Held by {} identit{}",
            holders.len(),
            if holders.len() == 1 { "y" } else { "ies" }
        ));
        if wildcard {
            out.push_str(":\n");
        } else {
            out.push_str(&format!(
                "; what each may do on `{}`, as the server decides it:\n",
                rule.pattern
            ));
        }
        for holder in named {
            out.push_str(&format!("- `{}` ({})", holder.id, holder.kind.name()));
            if let Some(a) = answers.iter().find(|a| a.identity == holder.id) {
                out.push_str(&format!(": {}", a.capabilities.join(", ")));
                out.push_str(&decided(a, &rule));
                if let Some(why) = &a.refused {
                    out.push_str(&format!(" — but refused: {why}"));
                }
            }
            out.push('\n');
        }
        if !more.is_empty() {
            out.push_str(&format!("- and {} more\n", more.len()));
        }
        if wildcard {
            out.push_str("\nA pattern: `keyplan explain PATH` answers for a concrete path.");
        }
        Some(Hover {
            span: rule.span,
            markdown: out,
        })
    }

    fn rule_path_at(&self, offset: usize) -> Option<RulePath> {
        // `policy NAME { path "PATTERN" { ... } }`
        if let Some((parents, b)) = locate::block_at_head(&self.file, offset) {
            let parent = parents.last()?;
            return match (b.labels.first(), parent.labels.first()) {
                (Some(Label::Str(s)), Some(name))
                    if b.keyword.name.as_str() == "path"
                        && parent.keyword.name.as_str() == "policy"
                        && covers(s.span, offset) =>
                {
                    Some(RulePath {
                        policy: name.text().to_string(),
                        pattern: s.value.to_string(),
                        span: s.span,
                    })
                }
                _ => None,
            };
        }
        // `workload NAME { read "PATTERN" }`
        let chain = locate::enclosing_blocks(&self.file, offset);
        let w = chain
            .last()
            .filter(|w| w.keyword.name.as_str() == "workload")?;
        let name = w.labels.first()?.text();
        w.entries().iter().find_map(|e| match e {
            Entry::Statement(st) if CAPABILITY_VERBS.contains(&st.verb.name.as_str()) => {
                st.args.iter().find_map(|arg| match &arg.kind {
                    ExprKind::Str { value, .. } if covers(arg.span, offset) => Some(RulePath {
                        policy: name.to_string(),
                        pattern: value.to_string(),
                        span: arg.span,
                    }),
                    _ => None,
                })
            }
            _ => None,
        })
    }
}

/// Which rule decided an identity's answer, when not the one under the cursor.
fn decided(a: &IdentityAnswer, rule: &RulePath) -> String {
    match &a.decided_by {
        Some(by) if by.policy == rule.policy && by.pattern == rule.pattern => String::new(),
        Some(by) => format!(
            " — decided by policy `{}` path `{}` ({})",
            by.policy, by.pattern, by.why
        ),
        None if a.capabilities == ["root"] => " — the root policy".to_string(),
        None => " — no rule matches".to_string(),
    }
}
