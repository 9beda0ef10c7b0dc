//! Values that look like a template's placeholder left in (`YOUR_AUDIENCE`).

use kp_diag::Diagnostic;
use kp_syntax::ast::{Expr, ExprKind};

use crate::codes;

/// Warns about every placeholder-looking string in `expr` (heredocs excepted: SQL and
/// PEM text legitimately hold anything).
pub fn check(expr: &Expr, diags: &mut Vec<Diagnostic>) {
    match &expr.kind {
        ExprKind::Str {
            value,
            heredoc: false,
        } if looks_like_placeholder(value) => {
            diags.push(
                Diagnostic::warning(
                    codes::PLACEHOLDER_VALUE,
                    expr.span,
                    format!("`{value}` looks like a placeholder"),
                )
                .with_label("placeholder?")
                .with_help("replace it with the real value before applying"),
            );
        }
        ExprKind::List(items) => {
            for item in items {
                check(item, diags);
            }
        }
        ExprKind::Map(entries) => {
            for entry in entries {
                check(&entry.value, diags);
            }
        }
        _ => {}
    }
}

pub fn looks_like_placeholder(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    const MARKERS: [&str; 9] = [
        "changeme",
        "change_me",
        "change-me",
        "replace_me",
        "replace-me",
        "replaceme",
        "fixme",
        "placeholder",
        "your_",
    ];
    if MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    if lower.starts_with("your-") || s.contains("YOUR-") {
        return true;
    }
    let words = || {
        s.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
    };
    if words().any(|w| w == "TODO" || w == "TBD") || lower.trim() == "todo" {
        return true;
    }
    if words().any(|w| w.len() >= 3 && w.chars().all(|c| c == 'x' || c == 'X')) {
        return true;
    }
    angle_placeholder(s)
}

/// `<audience>`, `<your-token>`: a word in angle brackets.
fn angle_placeholder(s: &str) -> bool {
    let mut rest = s;
    while let Some(open) = rest.find('<') {
        let after = rest.get(open + 1..).unwrap_or("");
        if let Some(close) = after.find('>') {
            let inner = after.get(..close).unwrap_or("");
            let starts_alpha = inner
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic());
            if starts_alpha
                && inner
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' ' | '.'))
            {
                return true;
            }
        }
        rest = after;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::looks_like_placeholder as p;

    #[test]
    fn flags_placeholders() {
        for s in [
            "YOUR_AUDIENCE",
            "CHANGE_ME",
            "changeme",
            "TODO",
            "<audience>",
            "xxx",
            "sk-XXXXXXXX",
            "REPLACE_ME",
            "your-org",
            "https://<your-vault>/v1",
        ] {
            assert!(p(s), "{s}");
        }
    }

    #[test]
    fn leaves_real_values_alone() {
        for s in [
            "example.com",
            "https://vault.example.com",
            "example-audience",
            "sub",
            "{{username}}:{{password}}@tcp(127.0.0.1:3306)/",
            "vault-{{role_name}}-{{token_display_name}}",
            "a <> b",
            "x",
            "xylophone",
            "max",
            "todoist",
        ] {
            assert!(!p(s), "{s}");
        }
    }
}
