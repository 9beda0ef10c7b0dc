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
    // Called on every string of every body: no lowercased copy, byte scans only.
    if has_marker(s) {
        return true;
    }
    if starts_with_ignore_case(s, "your-") || s.contains("YOUR-") {
        return true;
    }
    if s.trim().eq_ignore_ascii_case("todo") {
        return true;
    }
    // Words are runs of ASCII letters and digits (bytes of other characters split them).
    let placeholder_word = |w: &[u8]| {
        w == b"TODO" || w == b"TBD" || (w.len() >= 3 && w.iter().all(|&c| c == b'x' || c == b'X'))
    };
    if s.as_bytes()
        .split(|c| !c.is_ascii_alphanumeric())
        .any(placeholder_word)
    {
        return true;
    }
    angle_placeholder(s)
}

/// Markers of a template's placeholder, lowercase, by first letter; matched ignoring
/// ASCII case.
const C_MARKERS: &[&str] = &["changeme", "change_me", "change-me"];
const R_MARKERS: &[&str] = &["replace_me", "replace-me", "replaceme"];
const OTHER_MARKERS: &[&str] = &["fixme", "placeholder", "your_"];

/// Whether `s` contains a marker, ignoring ASCII case.
fn has_marker(s: &str) -> bool {
    let mut rest = s.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        // Most bytes start no marker and cost one match.
        let candidates = match first | 0x20 {
            b'c' => C_MARKERS,
            b'r' => R_MARKERS,
            b'f' | b'p' | b'y' => OTHER_MARKERS,
            _ => &[],
        };
        for m in candidates {
            if rest
                .get(..m.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(m.as_bytes()))
            {
                return true;
            }
        }
        rest = tail;
    }
    false
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
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
