//! Bare identifiers in reference fields: which declaration they name, the dependency
//! edge that implies, and "did you mean" when they name nothing.

use crate::body::{one_of, unique};
use kp_diag::{did_you_mean, Diagnostic, Span};
use kp_schema::{Field, FieldType};
use kp_syntax::ast::{Expr, ExprKind};

use super::{add_dep, BodyCtx, Lowerer};
use crate::catalog::{BUILTIN_POLICIES, POLICY_REF_FIELDS};
use crate::codes;
use crate::index::SymbolKey;
use crate::ir::{ResourceId, Value};
use crate::symbols::{MountSym, PolicyOrigin};
use crate::typing;

/// What a reference field names.
pub enum RefKind<'s> {
    Policy,
    TokenRole,
    /// A role of this database mount (`allowed_roles`): no edge, it would be a cycle.
    DbRole(&'s MountSym<'s>),
    /// A connection of this database mount (`db_name`).
    DbConnection(&'s MountSym<'s>),
}

impl RefKind<'_> {
    fn noun(&self) -> &'static str {
        match self {
            RefKind::Policy => "policy",
            RefKind::TokenRole => "token role",
            RefKind::DbRole(_) => "database role",
            RefKind::DbConnection(_) => "database connection",
        }
    }
}

/// A resolved reference: the resource it depends on, if the program writes one.
pub enum Resolved {
    Found(Option<ResourceId>),
    Missing,
}

impl<'s> Lowerer<'s> {
    pub(super) fn ref_kind(&self, cx: &BodyCtx<'s, '_>, field: &str) -> Option<RefKind<'s>> {
        if POLICY_REF_FIELDS.contains(&field) {
            return Some(RefKind::Policy);
        }
        match (cx.endpoint, field) {
            ("database-connection", "allowed_roles") => cx.mount.map(RefKind::DbRole),
            ("database-role" | "database-static-role", "db_name") => {
                cx.mount.map(RefKind::DbConnection)
            }
            _ => None,
        }
    }

    /// Resolves `name`, reporting it when unresolved.
    pub(super) fn resolve(&mut self, kind: &RefKind<'s>, name: &str, span: Span) -> Resolved {
        let (found, candidates, scope): (Option<Option<ResourceId>>, Vec<&str>, String) = match kind
        {
            RefKind::Policy => {
                if BUILTIN_POLICIES.contains(&name) {
                    return Resolved::Found(None);
                }
                if let Some((declared, p)) = self.syms.policies.get_key_value(name) {
                    self.refer_policy(declared);
                    if p.origin == (PolicyOrigin::Workload { has_rules: false }) {
                        self.diags.push(
                            Diagnostic::error(
                                codes::UNRESOLVED_REFERENCE,
                                span,
                                format!("workload `{name}` derives no policy"),
                            )
                            .with_label("this workload has no statements")
                            .with_related(p.span, "workload defined here")
                            .with_help(format!(
                                "give workload `{name}` statements such as `read \"PATH\"`"
                            )),
                        );
                        return Resolved::Missing;
                    }
                    self.reference(span, || SymbolKey::Policy(name.to_string()));
                    return Resolved::Found(p.resource(name));
                }
                // A program may declare `policy default`: it is listed once.
                let candidates = unique(self.syms.policies.keys().chain(BUILTIN_POLICIES));
                (None, candidates, "this program".to_string())
            }
            RefKind::TokenRole => match self.syms.token_roles.get(name) {
                Some(r) => {
                    self.reference(span, || SymbolKey::TokenRole(name.to_string()));
                    (Some(Some(r.id.clone())), Vec::new(), String::new())
                }
                None => (
                    None,
                    self.syms.token_roles.keys().collect(),
                    "`auth token`".to_string(),
                ),
            },
            RefKind::DbRole(m) => match m.roles.get(name) {
                Some(_) => {
                    self.reference(span, || {
                        SymbolKey::Role(m.ty.class, m.path.to_string(), name.to_string())
                    });
                    (Some(None), Vec::new(), String::new())
                }
                None => (None, m.roles.keys().collect(), m.display()),
            },
            RefKind::DbConnection(m) => match m.connections.get(name) {
                Some(c) => {
                    self.reference(span, || {
                        SymbolKey::Connection(m.path.to_string(), name.to_string())
                    });
                    (Some(Some(c.id.clone())), Vec::new(), String::new())
                }
                None => (None, m.connections.keys().collect(), m.display()),
            },
        };
        if let Some(dep) = found {
            return Resolved::Found(dep);
        }
        let noun = kind.noun();
        let mut help = Vec::new();
        if let Some(s) = did_you_mean(name, candidates.iter().copied()) {
            help.push(format!("did you mean `{s}`?"));
        } else if !candidates.is_empty() && candidates.len() <= 8 {
            help.push(format!("known: {}", one_of(&candidates)));
        }
        if matches!(kind, RefKind::Policy) {
            help.push(format!(
                "a policy managed elsewhere is declared with `extern policy {name}`"
            ));
        } else {
            help.push(format!(
                "write `\"{name}\"` to take a name the server already has literally"
            ));
        }
        self.diags.push(
            Diagnostic::error(
                codes::UNRESOLVED_REFERENCE,
                span,
                format!("unknown {noun} `{name}`"),
            )
            .with_label(format!("no {noun} of this name in {scope}"))
            .with_help(crate::body::join_help(help)),
        );
        Resolved::Missing
    }

    /// One element of a reference field: a bare name (resolved) or a string (literal).
    fn ref_item(
        &mut self,
        expr: &Expr,
        field: &str,
        kind: &RefKind<'s>,
        deps: &mut Vec<ResourceId>,
    ) -> Option<String> {
        if matches!(kind, RefKind::Policy) {
            if let Some(d) = root_grant(expr, field) {
                // Kept in the value: the error stops the build, and analyses of the
                // program (identities, access) still see what it says.
                self.diags.push(d);
                return Some("root".to_string());
            }
        }
        match &expr.kind {
            ExprKind::Ident(name) => match self.resolve(kind, name, expr.span) {
                Resolved::Found(dep) => {
                    if let Some(dep) = dep {
                        add_dep(deps, dep);
                    }
                    Some(name.to_string())
                }
                Resolved::Missing => None,
            },
            ExprKind::Str { value, .. } => {
                // A quoted policy name is not resolved, so nothing else sees its case:
                // the server stores `"Ops"` as `ops` and every plan shows the change.
                if matches!(kind, RefKind::Policy) {
                    if let Some(d) = crate::declare::uppercase_name(value, expr.span, "policy") {
                        self.diags.push(d);
                    } else if !BUILTIN_POLICIES.contains(&value.as_str())
                        && self.syms.policies.get(value.as_str()).is_none()
                    {
                        let owned = &self.syms.owned_policies;
                        let d = crate::owns::used_inside_scope(owned, value, expr.span, "policy");
                        self.diags.extend(d);
                    }
                }
                Some(value.as_str().to_owned())
            }
            _ => {
                self.diags.push(typing::mismatch_expected(
                    expr,
                    &format!("a {} name", kind.noun()),
                    field,
                    None,
                ));
                None
            }
        }
    }

    pub(super) fn ref_value(
        &mut self,
        expr: &Expr,
        field: &Field,
        kind: &RefKind<'s>,
        deps: &mut Vec<ResourceId>,
    ) -> Option<Value> {
        match field.ty {
            FieldType::List | FieldType::CommaList => {
                let ExprKind::List(items) = &expr.kind else {
                    let help = match &expr.kind {
                        ExprKind::Ident(n) => Some(format!("write a list: `[{n}]`")),
                        ExprKind::Str { value, .. } => {
                            Some(format!("write a list: `[\"{value}\"]`"))
                        }
                        _ => None,
                    };
                    self.diags
                        .push(typing::mismatch_expected(expr, "a list", &field.name, help));
                    return None;
                };
                let mut names = Vec::new();
                let mut ok = true;
                for item in items {
                    if let ExprKind::Str { value, .. } = &item.kind {
                        if !typing::no_comma_in_item(item, value, field, &mut self.diags) {
                            ok = false;
                            continue;
                        }
                    }
                    match self.ref_item(item, &field.name, kind, deps) {
                        Some(n) => names.push(n),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Some(if field.ty == FieldType::List {
                    Value::List(names.into_iter().map(Value::Str).collect())
                } else {
                    Value::Str(names.join(","))
                })
            }
            FieldType::String => self.ref_item(expr, &field.name, kind, deps).map(Value::Str),
            _ => typing::value(expr, field, &mut self.diags),
        }
    }
}

/// `kp::root-policy` when `expr`, an item of the policy field `field`, grants the
/// built-in `root` policy (named or quoted). A root token is what keyplan exists to keep
/// out of pipelines, and the server refuses it beside any other policy ("other policies
/// present along with root"), `default` included. Refusing it (`disallowed_policies`)
/// is fine.
fn root_grant(expr: &Expr, field: &str) -> Option<Diagnostic> {
    let name = match &expr.kind {
        ExprKind::Ident(name) => name.as_str(),
        ExprKind::Str { value, .. } => value.as_str(),
        _ => return None,
    };
    if name != "root" || field == "disallowed_policies" {
        return None;
    }
    Some(
        Diagnostic::error(
            codes::ROOT_POLICY,
            expr.span,
            if field == "allowed_policies" {
                "`allowed_policies` lets tokens of this role carry the `root` policy, which can do anything".to_string()
            } else {
                format!("`{field}` grants the `root` policy: every token it yields can do anything")
            },
        )
        .with_label("root")
        .with_help(
            "write a policy granting what this identity needs and name it instead; the server also refuses `root` beside any other policy (`default` included)",
        ),
    )
}

/// `kp::unresolved-reference` for a role `role` that `mount` does not have: "did you
/// mean" when one is close, else its roles, or `add` (how to declare one) when it has none.
pub fn unknown_role(mount: &MountSym<'_>, role: &str, span: Span, add: &str) -> Diagnostic {
    let roles: Vec<&str> = mount.roles.keys().collect();
    let help = match did_you_mean(role, roles.iter().copied()) {
        // `creds db.pg` naming the connection: the statement takes one of its roles.
        _ if mount.connections.get(role).is_some() && roles.is_empty() => format!(
            "`{role}` is a connection, and {} has no roles: {add}",
            mount.display()
        ),
        _ if mount.connections.get(role).is_some() => format!(
            "`{role}` is a connection, not a role: name one of {}",
            one_of(&roles)
        ),
        Some(s) => format!("did you mean `{s}`?"),
        None if roles.is_empty() => format!("{} has no roles: {add}", mount.display()),
        None => format!("roles: {}", one_of(&roles)),
    };
    Diagnostic::error(
        codes::UNRESOLVED_REFERENCE,
        span,
        format!("unknown role `{role}` on {}", mount.display()),
    )
    .with_label("no role of this name")
    .with_help(help)
}
