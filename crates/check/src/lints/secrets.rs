//! Secrets written as literals: they end up in version control and in every plan.

use kp_diag::Diagnostic;
use kp_syntax::ast::{Attribute, ExprKind};

use crate::codes;
use crate::lower::BodyCtx;

pub fn literal(attr: &Attribute, cx: &BodyCtx<'_>, diags: &mut Vec<Diagnostic>) {
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
            env_name(cx.endpoint, &cx.api_path, field)
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
