//! `policy NAME { path "GLOB" { capabilities = [...] } }`.

use kp_diag::{Diagnostic, Span};
use kp_sort::SortedMap;
use kp_syntax::ast::{Block, Expr, ExprKind, Text};

use super::fields::{missing_field, unknown_field};
use super::{resource, Lowerer};
use crate::body::{self, StatementsGo};
use crate::codes;
use crate::ir::{PolicyDoc, ResourceKind, Value, CAPABILITIES};
use crate::lints;
use crate::rules::{self, RuleSet};
use crate::symbols::policy_id;

impl<'s> Lowerer<'s> {
    pub(super) fn lower_policy(&mut self, name: &Text, block: &Block) {
        let what = format!("policy `{name}`");
        let parts = body::split(block.entries(), &mut self.diags);
        body::reject_statements(
            &parts.statements,
            &what,
            StatementsGo::InAWorkload,
            &mut self.diags,
        );
        for attr in &parts.attrs {
            self.diags.push(unknown_field(
                &attr.name.name,
                attr.name.span,
                &what,
                &[],
                &policy_id(name),
                Some(
                    "a policy holds only `path \"GLOB\" { capabilities = [...] }` blocks"
                        .to_string(),
                ),
            ));
        }
        let mut set = RuleSet::default();
        let mut seen: SortedMap<&str, Span> = SortedMap::new();
        for &rule in &parts.blocks {
            if rule.keyword.name != "path" {
                body::reject_block(rule, &what, &["path"], &mut self.diags);
                continue;
            }
            let Some(label) = rule.labels.first() else {
                self.diags.push(
                    Diagnostic::error(
                        codes::MISSING_LABEL,
                        rule.head_span(),
                        "`path` needs a path glob",
                    )
                    .with_label("path missing")
                    .with_help("write `path \"secret/data/*\" { capabilities = [read] }`"),
                );
                continue;
            };
            if let Some(extra) = rule.labels.get(1) {
                self.diags.push(
                    Diagnostic::error(
                        codes::UNEXPECTED_LABEL,
                        extra.span(),
                        format!("unexpected label `{}`", extra.text()),
                    )
                    .with_label("one path per block")
                    .with_help("write one `path \"GLOB\" { ... }` block per path"),
                );
            }
            let path = label.text();
            // A rule left out for its path still has its body checked: a misspelt
            // capability is a mistake of its own, reported now rather than once the
            // path is fixed.
            if !rules::check_glob(path, label.span(), &mut self.diags) {
                self.rule_body(rule, path);
                continue;
            }
            if let Some(&first) = seen.get(path) {
                self.diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE,
                        label.span(),
                        format!("path `{path}` appears twice in {what}"),
                    )
                    .with_label("again here")
                    .with_related(first, "first here")
                    .with_help("merge the capabilities into one `path` block"),
                );
                self.rule_body(rule, path);
                continue;
            }
            seen.insert(path, label.span());
            let Some(caps) = self.rule_body(rule, path) else {
                continue;
            };
            lints::kv::check(
                &self.kv2_mounts,
                path,
                crate::ir::Capabilities::from_indices(caps.iter().copied()),
                label.span(),
                &mut self.diags,
                &mut self.kv2_pending,
            );
            set.add(label.value(), &caps);
        }
        lints::kv::finish(&mut self.kv2_pending, &set, &mut self.diags);
        // Statements or attributes written in place of rules have their own error; "no
        // rules" would repeat it.
        if set.is_empty()
            && parts.blocks.is_empty()
            && parts.statements.is_empty()
            && parts.attrs.is_empty()
        {
            self.diags.push(
                Diagnostic::error(
                    codes::EMPTY_POLICY,
                    block.head_span(),
                    format!("{what} has no rules"),
                )
                .with_label("empty policy")
                .with_help("the server rejects an empty policy: add `path \"GLOB\" { capabilities = [read] }`"),
            );
        }
        let doc = PolicyDoc {
            rules: set.into_rules(),
        };
        let id = policy_id(name);
        let mut r = resource(id, ResourceKind::Policy, name.clone(), "policy", block.span);
        r.body
            .insert("policy".to_string(), Value::Policy(doc.clone()));
        r.policy = Some(doc);
        self.push(r);
    }

    /// The capabilities of one `path` block.
    fn rule_body(&mut self, rule: &Block, path: &str) -> Option<Vec<usize>> {
        let what = format!("`path \"{path}\"`");
        let parts = body::split(rule.entries(), &mut self.diags);
        body::reject_statements(
            &parts.statements,
            &what,
            StatementsGo::InAWorkload,
            &mut self.diags,
        );
        for b in &parts.blocks {
            body::reject_block(b, &what, &[], &mut self.diags);
        }
        let mut caps = None;
        let mut misspelt = false;
        for attr in &parts.attrs {
            if attr.name.name == "capabilities" {
                caps = self.capabilities(&attr.value);
            } else {
                // `capabilites`: "did you mean", and no missing-field error besides.
                let typo = kp_diag::did_you_mean(&attr.name.name, ["capabilities"]).is_some();
                misspelt |= typo;
                self.diags.push(unknown_field(
                    &attr.name.name,
                    attr.name.span,
                    &what,
                    &["capabilities"],
                    path,
                    (!typo).then(|| "keyplan policies grant capabilities only".to_string()),
                ));
            }
        }
        if !parts.has("capabilities") && !misspelt {
            self.diags.push(missing_field(
                &what,
                rule.head_span(),
                "capabilities",
                kp_schema::FieldType::List,
            ));
        }
        caps
    }

    fn capabilities(&mut self, expr: &Expr) -> Option<Vec<usize>> {
        let ExprKind::List(items) = &expr.kind else {
            let help = match &expr.kind {
                ExprKind::Ident(n) => Some(format!("write a list: `[{n}]`")),
                ExprKind::Str { value, .. } => Some(format!("write a list: `[{value}]`")),
                _ => None,
            };
            self.diags.push(crate::typing::mismatch_expected(
                expr,
                "a list",
                "capabilities",
                help,
            ));
            return None;
        };
        if items.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    expr.span,
                    "a rule needs at least one capability",
                )
                .with_label("no capabilities")
                .with_help("to forbid the path, write `capabilities = [deny]`"),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut first_at = [None; CAPABILITIES.len()];
        let mut ok = true;
        for item in items {
            let word = match &item.kind {
                ExprKind::Ident(w) => w.as_str(),
                ExprKind::Str { value, .. } => value.as_str(),
                _ => {
                    self.diags.push(crate::typing::mismatch_expected(
                        item,
                        "a capability",
                        "capabilities",
                        Some("write capabilities as bare words: `[read, list]`".to_string()),
                    ));
                    ok = false;
                    continue;
                }
            };
            let Some(c) = rules::capability(word, item.span, &mut self.diags) else {
                ok = false;
                continue;
            };
            match first_at.get_mut(c) {
                // Harmless to the server, but most often a slip for another capability
                // (`[read, read]` for `[read, list]`).
                Some(Some(first)) => self.diags.push(
                    Diagnostic::warning(
                        codes::REPEATED_CAPABILITY,
                        item.span,
                        format!("capability `{word}` is listed twice"),
                    )
                    .with_label("listed again here")
                    .with_related(*first, "first listed here")
                    .with_help("remove it, or write the capability you meant"),
                ),
                Some(slot) => {
                    *slot = Some(item.span);
                    out.push(c);
                }
                None => {}
            }
        }
        ok.then_some(out)
    }
}
