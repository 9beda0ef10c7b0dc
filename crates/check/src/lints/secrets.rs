//! Secrets written as literals: they end up in version control and in every plan.

use kp_diag::{Diagnostic, Span};
use kp_syntax::ast::{Attribute, Expr, ExprKind};

use crate::codes;
use crate::ir::{LiteralSecret, Value};
use crate::lower::BodyCtx;

pub fn literal(attr: &Attribute, cx: &BodyCtx<'_, '_>, diags: &mut Vec<Diagnostic>) {
    let ExprKind::Str { value, .. } = &attr.value.kind else {
        return;
    };
    if value.is_empty() {
        return;
    }
    let field = &attr.name.name;
    diags.push(
        Diagnostic::warning(
            codes::LITERAL_SECRET,
            attr.value.span,
            format!("`{field}` is a secret written as a literal"),
        )
        .with_label("literal secret")
        .with_help(format!(
            "read it from the environment when applying: `{field} = env(\"{}\")`; keyplan never prints it",
            env_name(cx.endpoint, cx.api_path, field)
        )),
    );
}

/// A plausible environment variable name for a secret field.
fn env_name(endpoint: &str, api_path: &str, field: &str) -> String {
    if endpoint == "database-connection" && field == "password" {
        return "DB_ROOT_PASSWORD".to_string();
    }
    let owner = api_path.rsplit('/').next().unwrap_or("");
    let raw = if owner.is_empty() {
        field.to_string()
    } else {
        format!("{owner}_{field}")
    };
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The value of a sensitive field with its literal text marked secret: outputs show a
/// placeholder, only the live applier sends the text.
pub fn hide(value: Value) -> Value {
    match value {
        Value::Str(s) => Value::Secret(LiteralSecret::new(s)),
        Value::List(items) => Value::List(items.into_iter().map(hide).collect()),
        Value::Map(mut m) => {
            // In place: a map collected anew would compile one more copy of the standard
            // sort into the playground's wasm (see kp-sort).
            for v in m.values_mut() {
                *v = hide(std::mem::replace(v, Value::Bool(false)));
            }
            Value::Map(m)
        }
        other => other,
    }
}

/// The spans of the literal text in a sensitive field's value: diagnostics never show
/// the source there.
pub fn literal_spans(expr: &Expr) -> Vec<Span> {
    let mut out = Vec::new();
    collect(expr, &mut out);
    out
}

fn collect(expr: &Expr, out: &mut Vec<Span>) {
    match &expr.kind {
        ExprKind::Str { value, .. } if !value.is_empty() => out.push(expr.span),
        ExprKind::Ident(_) | ExprKind::Int(_) => out.push(expr.span),
        ExprKind::List(items) => items.iter().for_each(|i| collect(i, out)),
        ExprKind::Map(entries) => entries.iter().for_each(|e| collect(&e.value, out)),
        _ => {}
    }
}

/// Names that hold a secret whatever the endpoint: used where no schema says (a
/// misspelt field), so that a typo does not print the secret it carries.
pub fn looks_sensitive(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "pass",
        "secret",
        "private",
        "token_reviewer_jwt",
        "credential",
        "api_key",
    ]
    .iter()
    .any(|w| name.contains(w))
}
