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
    // `YOUR-` anywhere is found in the byte loop below ([`marker_at`]).
    if starts_with_ignore_case(s, "your-") {
        return true;
    }
    if s.trim().eq_ignore_ascii_case("todo") {
        return true;
    }
    // Called on every string of every body: one pass over the bytes, no lowercased
    // copy, finding markers, placeholder words and angle brackets together.
    let bytes = s.as_bytes();
    let mut word_start = 0;
    let mut all_x = true;
    let mut angle = false;
    for (i, &b) in bytes.iter().enumerate() {
        let class = CLASS[usize::from(b)];
        if class & ALNUM != 0 {
            all_x &= class & X != 0;
            if class & STARTS_MARKER != 0 && marker_at(b, bytes.get(i..).unwrap_or_default()) {
                return true;
            }
            continue;
        }
        angle |= b == b'<';
        // Words are runs of ASCII letters and digits (other characters' bytes split them).
        if placeholder_word(bytes.get(word_start..i).unwrap_or_default(), all_x) {
            return true;
        }
        word_start = i + 1;
        all_x = true;
    }
    if placeholder_word(bytes.get(word_start..).unwrap_or_default(), all_x) {
        return true;
    }
    angle && angle_placeholder(s)
}

const ALNUM: u8 = 1;
const X: u8 = 2;
const STARTS_MARKER: u8 = 4;

/// Each byte's class: one table lookup per byte in the loop above.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] |= ALNUM;
        }
        let lower = c.to_ascii_lowercase();
        if lower == b'x' {
            t[b] |= X;
        }
        if matches!(lower, b'c' | b'r' | b'f' | b'p' | b'y') {
            t[b] |= STARTS_MARKER;
        }
        b += 1;
    }
    t
};

/// `TODO`, `TBD`, or three or more `x`s (`all_x`: the word holds only `x` or `X`).
fn placeholder_word(w: &[u8], all_x: bool) -> bool {
    (all_x && w.len() >= 3) || w == b"TODO" || w == b"TBD"
}

/// Markers of a template's placeholder, lowercase, by first letter; matched ignoring
/// ASCII case.
const C_MARKERS: &[&str] = &["changeme", "change_me", "change-me"];
const R_MARKERS: &[&str] = &["replace_me", "replace-me", "replaceme"];

/// Whether a marker starts `rest`, whose first byte is `first`, ignoring ASCII case.
fn marker_at(first: u8, rest: &[u8]) -> bool {
    let markers: &[&str] = match first | 0x20 {
        b'c' => C_MARKERS,
        b'r' => R_MARKERS,
        b'f' => &["fixme"],
        b'p' => &["placeholder"],
        // Uppercase `YOUR-` anywhere in the string (lowercase only at its start).
        b'y' if rest.starts_with(b"YOUR-") => return true,
        b'y' => &["your_"],
        _ => &[],
    };
    markers.iter().any(|m| {
        rest.get(..m.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(m.as_bytes()))
    })
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
            "org-YOUR-team",
            "x.YOUR-",
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
            "org-your-team",
            "YOUR",
            "org-Your-team",
        ] {
            assert!(!p(s), "{s}");
        }
    }
}
