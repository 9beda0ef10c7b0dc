//! Secrets written as literals: they end up in version control and in every plan.

use kp_diag::{Diagnostic, Span};
use kp_syntax::ast::{Attribute, Block, Entry, Expr, ExprKind};

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
    // Compared ignoring ASCII case without a lowercased copy: every attribute of every
    // program goes through here ([`scan`]).
    [
        "pass",
        "secret",
        "private",
        "token_reviewer_jwt",
        "credential",
        "api_key",
    ]
    .iter()
    .any(|w| {
        name.as_bytes()
            .windows(w.len())
            .any(|at| at.eq_ignore_ascii_case(w.as_bytes()))
    })
}

/// The fields some endpoint schema marks `x-keyplan-sensitive` (a test keeps the list
/// equal to the schemas'): a secret under any of these names is one wherever it stands.
const SENSITIVE_FIELDS: &[&str] = &[
    "id",
    "oidc_client_secret",
    "password",
    "password_hash",
    "private_key",
    "secret_key",
    "service_account_json",
    "tls_certificate_key",
    "token_reviewer_jwt",
];

/// The spans of every literal secret in the tree, whatever becomes of the attribute
/// holding it: a duplicate the checker drops, a block it cannot classify (`bogus { ...
/// }`, a misspelt engine) or a field typing skips still shows in snippets. Collected from
/// the syntax, not from typing, so that no path around typing leaks one.
pub fn scan(blocks: &[Block], out: &mut Vec<Span>) {
    blocks.iter().for_each(|b| scan_block(b, out));
}

fn scan_block(block: &Block, out: &mut Vec<Span>) {
    for entry in block.body.iter().flat_map(|b| &b.entries) {
        match entry {
            Entry::Attribute(attr) if holds_secret(attr) => collect(&attr.value, out),
            Entry::Block(inner) => scan_block(inner, out),
            Entry::Attribute(_) | Entry::Statement(_) => {}
        }
    }
}

fn holds_secret(attr: &Attribute) -> bool {
    let name = attr.name.name.as_str();
    SENSITIVE_FIELDS.contains(&name)
        // A URL with a password in it (`kp::credentials-in-url`) is as secret.
        || crate::lints::database::holds_password(&attr.value)
        // A misspelt secret (`pasword`); a field some schema knows (`credential_type`)
        // is what the schema says.
        || (looks_sensitive(name) && !kp_schema::endpoints().any(|e| e.field(name).is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_fields_are_those_the_schemas_mark() {
        let mut marked: Vec<&str> = kp_schema::endpoints()
            .flat_map(|e| e.fields.values())
            .filter(|f| f.sensitive)
            .map(|f| f.name.as_str())
            .collect();
        marked.sort_unstable();
        marked.dedup();
        assert_eq!(marked, SENSITIVE_FIELDS);
    }

    #[test]
    fn looks_sensitive_ignores_case() {
        assert!(looks_sensitive("DB_Password"));
        assert!(looks_sensitive("oidc_client_SECRET"));
        assert!(!looks_sensitive("username"));
    }
}
