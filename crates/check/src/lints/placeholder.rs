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
    // Called on every string of every body: one pass over the bytes, no lowercased
    // copy, finding markers, placeholder words and angle brackets together. A plain
    // letter costs one table lookup; words are looked at when they end.
    let bytes = s.as_bytes();
    let mut word_start = 0;
    let mut angle = false;
    for (i, &b) in bytes.iter().enumerate() {
        let class = CLASS[usize::from(b)];
        if class & ALNUM != 0 {
            if class & STARTS_MARKER != 0 && marker_at(b, bytes.get(i..).unwrap_or_default()) {
                return true;
            }
            continue;
        }
        angle |= b == b'<';
        // Words are runs of ASCII letters and digits (other characters' bytes split them).
        if placeholder_word(s, bytes.get(word_start..i).unwrap_or_default()) {
            return true;
        }
        word_start = i + 1;
    }
    if placeholder_word(s, bytes.get(word_start..).unwrap_or_default()) {
        return true;
    }
    angle && angle_placeholder(s)
}

const ALNUM: u8 = 1;
const STARTS_MARKER: u8 = 2;

/// Each byte's class: one table lookup per byte in the loop above.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] |= ALNUM;
        }
        if matches!(c.to_ascii_lowercase(), b'c' | b'r' | b'f' | b'p' | b'y') {
            t[b] |= STARTS_MARKER;
        }
        b += 1;
    }
    t
};

/// Whether word `w` of `s` is a placeholder: `TODO`, `TBD`, three or more `x`s, or,
/// in any case, `todo` as the whole of `s` but blanks (a `todo` word is where such a
/// string can be, so the trim is paid only there).
fn placeholder_word(s: &str, w: &[u8]) -> bool {
    if w.len() < 3 {
        return false;
    }
    if w == b"TODO" || w == b"TBD" {
        return true;
    }
    if w.eq_ignore_ascii_case(b"todo") {
        return s.trim().eq_ignore_ascii_case("todo");
    }
    // A word's bytes are ASCII letters and digits: only `x` and `X` give `x` here.
    w.iter().all(|&b| b | 0x20 == b'x')
}

/// Markers of a template's placeholder, lowercase, by first letter; matched ignoring
/// ASCII case.
const C_MARKERS: &[&str] = &["changeme", "change_me", "change-me"];
const R_MARKERS: &[&str] = &["replace_me", "replace-me", "replaceme"];

/// Whether a marker starts `rest`, whose first byte is `first`, ignoring ASCII case.
fn marker_at(first: u8, rest: &[u8]) -> bool {
    // Every marker of a first letter shares its second (`ch`, `re`, `fi`, `pl`, `yo`):
    // most letters that could start one are turned away on it.
    let second = match first | 0x20 {
        b'c' => b'h',
        b'r' => b'e',
        b'f' => b'i',
        b'p' => b'l',
        b'y' => b'o',
        _ => return false,
    };
    if rest.get(1).map(|b| b | 0x20) != Some(second) {
        return false;
    }
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

    /// The rules said plainly, with a lowercased copy and `str` searches.
    fn plainly(s: &str) -> bool {
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
        let lower = s.to_ascii_lowercase();
        lower.starts_with("your-")
            || s.contains("YOUR-")
            || s.trim().eq_ignore_ascii_case("todo")
            || MARKERS.iter().any(|m| lower.contains(m))
            || s.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
                w == "TODO"
                    || w == "TBD"
                    || (w.len() >= 3 && w.chars().all(|c| c == 'x' || c == 'X'))
            })
            || super::angle_placeholder(s)
    }

    /// Every string of up to four pieces (markers cut at every point, their neighbours
    /// in case and spelling, blanks, non-ASCII, brackets) is judged as the rules say.
    #[test]
    fn the_byte_loop_says_what_the_rules_say() {
        let pieces = [
            "",
            "x",
            "X",
            "xx",
            "TO",
            "DO",
            "to",
            "do",
            "TBD",
            "tbd",
            "ch",
            "ange",
            "me",
            "CHANGE",
            "_",
            "-",
            " ",
            "\t",
            "é",
            "☃",
            "re",
            "place",
            "REPLACE",
            "fi",
            "xme",
            "FIX",
            "pl",
            "aceholder",
            "yo",
            "ur",
            "YOUR",
            "Your",
            "<",
            ">",
            "a",
            "1",
            ".",
            "todo",
            "ToDo",
            "\u{a0}",
            "secret/data/*",
            "https://vault.example.com",
        ];
        let n = pieces.len();
        let mut checked = 0;
        for a in 0..n {
            for b in 0..n {
                for c in 0..n {
                    for d in [0, 4, 5, 13, 19, 33, 34] {
                        let s = [pieces[a], pieces[b], pieces[c], pieces[d]].concat();
                        assert_eq!(p(&s), plainly(&s), "{s:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 500_000);
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
