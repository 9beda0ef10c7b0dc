//! `token NAME { role = ROLE, ... }`: a token created from a token role.

use kp_diag::Diagnostic;
use kp_syntax::ast::{Attribute, Block, Expr, ExprKind, Text};

use super::fields::missing_field;
use super::resolve::{RefKind, Resolved};
use super::{add_dep, resource, BodyCtx, Lowerer, What};
use crate::body::{self, find_attr, Parts, StatementsGo};
use crate::catalog::BUILTIN_POLICIES;
use crate::codes;
use crate::ir::{ResourceId, ResourceKind, Value};
use crate::symbols::NamedSym;
use crate::typing;

impl<'s> Lowerer<'s> {
    pub(super) fn lower_token(&mut self, name: &Text, block: &Block) {
        let what = format!("token `{name}`");
        let parts = body::split(block.entries(), &mut self.diags);
        body::reject_statements(
            &parts.statements,
            &what,
            StatementsGo::InAWorkload,
            &mut self.diags,
        );
        for b in &parts.blocks {
            body::reject_block(b, &what, &[], &mut self.diags);
        }
        let mut deps = Vec::new();
        let mut role_name = None;
        let mut role_sym = None;
        match parts.get("role").map(|a| &a.value) {
            None => {
                self.diags.push(
                    missing_field(&what, block.head_span(), "role", kp_schema::FieldType::String)
                        .with_help(
                            "add `role = ROLE`, naming a token role written as `auth token { role ROLE { ... } }`",
                        ),
                );
            }
            Some(Expr {
                kind: ExprKind::Ident(n),
                span,
            }) => {
                if let Resolved::Found(dep) = self.resolve(&RefKind::TokenRole, n, *span) {
                    if let Some(dep) = dep {
                        add_dep(&mut deps, dep);
                    }
                    role_sym = self.syms.token_roles.get(n.as_str());
                }
                role_name = Some(n.clone());
            }
            Some(Expr {
                kind: ExprKind::Str { value, .. },
                span,
            }) => {
                let problem = crate::declare::invalid_name(value, *span, "token role");
                if problem.is_none() {
                    role_name = Some(value.clone());
                    if self.syms.token_roles.get(value.as_str()).is_none() {
                        let owned = &self.syms.owned_token_roles;
                        let d = crate::owns::used_inside_scope(owned, value, *span, "token role");
                        self.diags.extend(d);
                    }
                }
                self.diags.extend(problem);
            }
            Some(other) => self.diags.push(typing::mismatch_expected(
                other,
                "a token role name",
                "role",
                Some("write `role = ROLE_NAME`".to_string()),
            )),
        }
        let create_path =
            ResourceId::concat(&["auth/token/create/", role_name.as_deref().unwrap_or("")]);
        let cx = BodyCtx {
            endpoint: "token-create",
            // Named: the variable a secret's help suggests carries the token's name.
            what: What::Named("token", name.as_str()),
            api_path: &create_path,
            head: block.head_span(),
            mount: None,
            keyword: None,
            skip: &["role"],
            also_valid: vec!["role"],
        };
        let typed = self.type_body(&cx, &parts.attrs);
        let own_period = self.own_period_overrides_ttl(&parts, &typed.body);
        // A batch token: its own `type`, else its role's `token_type`.
        let batch = |a: &&Attribute| matches!(&a.value.kind, ExprKind::Str { value, .. } if value == "batch");
        let batch = match parts.get("type") {
            Some(own) => Some(own).filter(batch),
            None => role_sym
                .and_then(|r| find_attr(r.block.entries(), "token_type"))
                .filter(batch),
        };
        if let Some(b) = batch {
            crate::lints::batch_tokens::token(
                &typed.body,
                &parts,
                b.value.span,
                &cx.what,
                &mut self.diags,
            );
        }
        if let (Some(role), Some(role_name)) = (role_sym, &role_name) {
            self.no_parent(&parts, &typed.body, role, role_name);
            if !own_period {
                self.period_overrides_ttl(&parts, &typed.body, role, role_name);
                self.ttl_over_role_max(&parts, role, role_name, "ttl");
            }
            self.ttl_over_role_max(&parts, role, role_name, "explicit_max_ttl");
            self.policies_allowed(&parts, role, role_name);
        }
        // The token method's maximum is the system's unless the server tunes
        // `auth/token` (which no program declares): a longer `ttl` is capped (OpenBao
        // 2.7.2: "TTL of \"960h\" exceeded the effective max_ttl of \"768h\""), and the
        // token then reads back another TTL than the program's, so every plan replaces it.
        // A `period` is capped too ("period of \"960h\" exceeded the effective max_ttl"),
        // though it reads back as written.
        for (field, help) in [
            (
                "ttl",
                "lower `ttl`: the server caps the token at its maximum, and every later plan replaces the token",
            ),
            (
                "period",
                "lower `period`: the server caps the token's period at its maximum",
            ),
        ] {
            if let Some(a) = parts.get(field) {
                crate::lints::ttl::over_system_max(a, help, &mut self.diags);
            }
        }
        for d in typed.deps {
            add_dep(&mut deps, d);
        }
        let mut r = resource(
            ResourceId::concat(&["token/", name]),
            ResourceKind::Token,
            name.clone(),
            "token-create",
            block.span,
        );
        r.path = create_path;
        // Creating a token is not idempotent and its secret is never read back.
        r.read_path = None;
        r.body = typed.body;
        r.depends_on = deps;
        self.push(r);
    }

    fn no_parent(
        &mut self,
        parts: &Parts<'_>,
        body: &crate::ir::Body,
        role: &NamedSym<'_>,
        role_name: &str,
    ) {
        let (Some(attr), Some(Value::Bool(true))) = (parts.get("no_parent"), body.get("no_parent"))
        else {
            return;
        };
        let orphan = find_attr(role.block.entries(), "orphan")
            .is_some_and(|a| matches!(a.value.kind, ExprKind::Bool(true)));
        let help = if orphan {
            format!("token role `{role_name}` already sets `orphan = true`: remove `no_parent`")
        } else {
            format!("set `orphan = true` on token role `{role_name}`")
        };
        self.diags.push(
            Diagnostic::warning(
                codes::NO_PARENT_IGNORED,
                attr.span,
                format!("`no_parent` is ignored for a token created from token role `{role_name}`"),
            )
            .with_label("the server ignores this")
            .with_related(role.span, "the role's `orphan` decides")
            .with_help(help),
        );
    }

    /// A periodic token lives for its `period`, renewed: the server ignores the token's
    /// `ttl` beside it (`ttl = 1h`, `period = 30m` gave a lease of 1800 s on OpenBao
    /// 2.7.2). Whether it warned.
    fn own_period_overrides_ttl(&mut self, parts: &Parts<'_>, body: &crate::ir::Body) -> bool {
        let (Some(attr), Some(Value::Int(ttl))) = (parts.get("ttl"), body.get("ttl")) else {
            return false;
        };
        let (Some(period_attr), Some(Value::Int(period))) =
            (parts.get("period"), body.get("period"))
        else {
            return false;
        };
        if *period <= 0 || period == ttl {
            return false;
        }
        self.diags.push(
            Diagnostic::warning(
                codes::TTL_OVERRIDDEN_BY_PERIOD,
                attr.value.span,
                format!(
                    "`ttl` is ignored: a periodic token lives for its period ({})",
                    crate::durations::format(*period)
                ),
            )
            .with_label("the server ignores this")
            .with_related(period_attr.span, "the period decides")
            .with_help("remove `ttl` (the token is renewed every `period`), or remove `period`"),
        );
        true
    }

    /// A token created from a periodic role lives for the role's period: the server
    /// ignores the token's own `ttl` (seen on OpenBao 2.7.2).
    fn period_overrides_ttl(
        &mut self,
        parts: &Parts<'_>,
        body: &crate::ir::Body,
        role: &NamedSym<'_>,
        role_name: &str,
    ) {
        let (Some(attr), Some(Value::Int(ttl))) = (parts.get("ttl"), body.get("ttl")) else {
            return;
        };
        let entries = role.block.entries();
        let Some(period_attr) =
            find_attr(entries, "token_period").or_else(|| find_attr(entries, "period"))
        else {
            return;
        };
        let period = match period_attr.value.kind {
            ExprKind::Duration { seconds, .. } => i64::try_from(seconds).ok(),
            ExprKind::Int(n) => Some(n),
            _ => None,
        };
        let Some(period) = period.filter(|p| *p > 0 && p != ttl) else {
            return;
        };
        self.diags.push(
            Diagnostic::warning(
                codes::TTL_OVERRIDDEN_BY_PERIOD,
                attr.value.span,
                format!(
                    "`ttl` is ignored: tokens of periodic token role `{role_name}` live for its period ({})",
                    crate::durations::format(period)
                ),
            )
            .with_label("the server ignores this")
            .with_related(period_attr.span, "the role's period decides")
            .with_help(format!(
                "remove `ttl`, or change `{}` on token role `{role_name}`",
                period_attr.name.name
            )),
        );
    }

    /// A token's `ttl` (or `explicit_max_ttl`: "Explicit max TTL specified both during
    /// creation call and in role; using the lesser value", OpenBao 2.7.2) over its role's
    /// explicit max TTL: the server caps it ("Requested TTL is higher than the explicit
    /// max TTL", `vault/token_store.go`). Not when something is already reported at the
    /// field (its own maximum, or a period).
    fn ttl_over_role_max(
        &mut self,
        parts: &Parts<'_>,
        role: &NamedSym<'_>,
        role_name: &str,
        own: &str,
    ) {
        let Some(attr) = parts.get(own) else {
            return;
        };
        let entries = role.block.entries();
        let Some(max_attr) = find_attr(entries, "token_explicit_max_ttl")
            .or_else(|| find_attr(entries, "explicit_max_ttl"))
        else {
            return;
        };
        let (Some(ttl), Some(max)) = (
            crate::durations::literal_seconds(&attr.value),
            crate::durations::literal_seconds(&max_attr.value),
        ) else {
            return;
        };
        if max <= 0 || ttl <= max || self.diags.iter().any(|d| d.span == attr.value.span) {
            return;
        }
        let field = &max_attr.name.name;
        let f = crate::durations::format;
        self.diags.push(
            Diagnostic::error(
                codes::TTL_EXCEEDS_MAX,
                attr.value.span,
                format!(
                    "`{own}` ({}) exceeds `{field}` ({}) of token role `{role_name}`",
                    f(ttl),
                    f(max)
                ),
            )
            .with_label("larger than the role's maximum")
            .with_related(max_attr.value.span, "the maximum")
            .with_help(format!(
                "lower `{own}`, or raise `{field}` on token role `{role_name}`: the server would cap it"
            )),
        );
    }

    fn policies_allowed(&mut self, parts: &Parts<'_>, role: &NamedSym<'_>, role_name: &str) {
        let Some(ExprKind::List(items)) = parts.get("policies").map(|a| &a.value.kind) else {
            return;
        };
        let entries = role.block.entries();
        let allowed_attr = find_attr(entries, "allowed_policies");
        let allowed = names(allowed_attr.map(|a| &a.value));
        let allowed_glob = names(find_attr(entries, "allowed_policies_glob").map(|a| &a.value));
        let disallowed_attr = find_attr(entries, "disallowed_policies");
        let disallowed = names(disallowed_attr.map(|a| &a.value));
        let disallowed_glob =
            names(find_attr(entries, "disallowed_policies_glob").map(|a| &a.value));
        // A misspelt name in the role is reported where it is written; comparing against
        // it here would only repeat that error at every token of the role.
        let misspelt = allowed_attr.is_some_and(|a| match &a.value.kind {
            ExprKind::List(names) => names.iter().any(|n| {
                matches!(&n.kind, ExprKind::Ident(name)
                    if !BUILTIN_POLICIES.contains(&name.as_str())
                        && !self.syms.policies.contains_key(name.as_str()))
            }),
            _ => false,
        });
        for item in items {
            let policy = match &item.kind {
                ExprKind::Ident(n) => n.as_str(),
                ExprKind::Str { value, .. } => value.as_str(),
                _ => continue,
            };
            // `root` has its error (kp::root-policy), which allowing it would not fix.
            if policy == "root" {
                continue;
            }
            let denied = disallowed.iter().any(|d| d == policy)
                || disallowed_glob
                    .iter()
                    .any(|g| crate::ir::glob_match(g, policy));
            if denied {
                let mut d = Diagnostic::error(
                    codes::POLICY_NOT_ALLOWED,
                    item.span,
                    format!("token role `{role_name}` disallows policy `{policy}`"),
                )
                .with_label("disallowed by the role")
                .with_help("the server refuses to create this token");
                if let Some(a) = disallowed_attr {
                    d = d.with_related(a.span, "disallowed here");
                }
                self.diags.push(d);
                continue;
            }
            // The server adds `default` to the allowed ones unless the role disallows it.
            if policy == "default" {
                continue;
            }
            let restricted = !allowed.is_empty() || !allowed_glob.is_empty();
            let ok = allowed.iter().any(|a| a == policy)
                || allowed_glob
                    .iter()
                    .any(|g| crate::ir::glob_match(g, policy));
            if restricted && !ok && !misspelt {
                let mut d = Diagnostic::error(
                    codes::POLICY_NOT_ALLOWED,
                    item.span,
                    format!("policy `{policy}` is not allowed by token role `{role_name}`"),
                )
                .with_label("not in the role's `allowed_policies`")
                .with_help(format!(
                    "add `{policy}` to `allowed_policies` of token role `{role_name}`, or remove it here: the server refuses to create this token"
                ));
                if let Some(a) = allowed_attr {
                    d = d.with_related(a.span, "the role allows only these");
                }
                self.diags.push(d);
            }
        }
    }
}

/// A policy a token role both allows and disallows: the server checks
/// `disallowed_policies` (and its globs) after `allowed_policies`, so no token of the
/// role carries it, and a token created without `policies`, which gets every allowed
/// one, is refused ("token policy %q is disallowed by this role", OpenBao 2.7.2's
/// `vault/token_store.go`).
pub(super) fn allowed_and_disallowed(
    parts: &Parts<'_>,
    what: &dyn std::fmt::Display,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(ExprKind::List(items)) = parts.get("allowed_policies").map(|a| &a.value.kind) else {
        return;
    };
    let disallowed = parts.get("disallowed_policies");
    let denied = names(disallowed.map(|a| &a.value));
    let globs = parts.get("disallowed_policies_glob");
    let denied_glob = names(globs.map(|a| &a.value));
    for item in items {
        let (ExprKind::Ident(p) | ExprKind::Str { value: p, .. }) = &item.kind else {
            continue;
        };
        // Allowing `root` is its own error (kp::root-policy); disallowing it is right.
        if p.as_str() == "root" {
            continue;
        }
        let by = if denied.iter().any(|d| d == p.as_str()) {
            disallowed
        } else if denied_glob.iter().any(|g| crate::ir::glob_match(g, p)) {
            globs
        } else {
            continue;
        };
        let mut d = Diagnostic::error(
            codes::POLICY_NOT_ALLOWED,
            item.span,
            format!("{what} both allows and disallows policy `{p}`"),
        )
        .with_label("never granted: the disallowed list wins")
        .with_help(format!(
            "remove `{p}` from one of the lists: the server refuses every token of the role that asks for it, and every token created without `policies` (given all the allowed ones)"
        ));
        if let Some(a) = by {
            d = d.with_related(a.span, "disallowed here");
        }
        diags.push(d);
    }
}

/// The names in a list of identifiers and strings.
fn names(expr: Option<&Expr>) -> Vec<String> {
    let Some(Expr {
        kind: ExprKind::List(items),
        ..
    }) = expr
    else {
        return match expr.map(|e| &e.kind) {
            Some(ExprKind::Str { value, .. }) => {
                value.split(',').map(|s| s.trim().to_string()).collect()
            }
            _ => Vec::new(),
        };
    };
    items
        .iter()
        .filter_map(|i| match &i.kind {
            ExprKind::Ident(n) => Some(n.as_str().to_owned()),
            ExprKind::Str { value, .. } => Some(value.as_str().to_owned()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::ir::glob_match;

    #[test]
    fn globs_match_like_vault() {
        assert!(glob_match("ml-*", "ml-pipeline"));
        assert!(glob_match("*", "x"));
        assert!(glob_match("a*b*c", "aXbYc"));
        assert!(!glob_match("ml-*", "ai-pipeline"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("a*a", "a"));
    }
}
