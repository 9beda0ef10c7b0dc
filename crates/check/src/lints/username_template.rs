//! A `username_template` (a database connection's, Vault's AWS root's) is a Go
//! `text/template` that the server parses, and runs once with sample data, when the
//! config is written: a template it cannot parse or run fails that write, after the mount
//! exists (measured on OpenBao 2.7.2, `database/config/NAME`: "unable to parse template:
//! template: template:1: unclosed action", `function "trim" not defined`, "can't evaluate
//! field Nope in type dbplugin.UsernameMetadata"). Only the template's shape is checked
//! here: its actions closed, `if`/`range`/`with` ended, every function one the server
//! defines, and, for a database connection, every field one its data has.

use kp_diag::{did_you_mean, Diagnostic};
use kp_syntax::ast::ExprKind;

use crate::body::Parts;
use crate::codes;

/// Go's `text/template` built-in functions.
const BUILTINS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
];

/// The functions of the server's template helper (each seen accepted by OpenBao 2.7.2;
/// `trim`, `join`, `default` and the other Sprig functions are refused).
const HELPERS: &[&str] = &[
    "random",
    "truncate",
    "truncate_sha256",
    "uppercase",
    "lowercase",
    "replace",
    "sha256",
    "base64",
    "unix_time",
    "unix_time_millis",
    "timestamp",
    "uuid",
];

fn functions() -> impl Iterator<Item = &'static str> {
    HELPERS.iter().chain(BUILTINS).copied()
}

const KEYWORDS: &[&str] = &[
    "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue",
    "nil", "true", "false",
];

/// The fields of a database plugin's username data (`dbplugin.UsernameMetadata`).
const DATABASE_FIELDS: &[&str] = &["DisplayName", "RoleName"];

pub fn check(endpoint: &str, parts: &Parts<'_>, diags: &mut Vec<Diagnostic>) {
    let Some(attr) = parts.get("username_template") else {
        return;
    };
    let ExprKind::Str { value, .. } = &attr.value.kind else {
        return;
    };
    let fields = (endpoint == "database-connection").then_some(DATABASE_FIELDS);
    let Some(problem) = problem(value, fields) else {
        return;
    };
    let example = if fields.is_some() {
        "`\"v-{{.RoleName | truncate 10}}-{{random 8}}\"`"
    } else {
        "`\"vault-{{.DisplayName | truncate 20}}-{{random 8}}\"`"
    };
    diags.push(
        Diagnostic::error(
            codes::INVALID_VALUE,
            attr.value.span,
            format!("`username_template` is not a template the server can use: {problem}"),
        )
        .with_label("the server refuses the config")
        .with_help(format!(
            "a username template is a Go template, e.g. {example}; besides Go's built-ins (`printf`, `slice`, ...) its functions are {}",
            HELPERS
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    );
}

/// Why the server cannot parse or run `text` as a username template, if it cannot.
/// `fields`: the fields its data has, when known.
pub fn problem(text: &str, fields: Option<&[&str]>) -> Option<String> {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = text;
    // `with` and `range` rebind the dot: fields inside them are not the data's.
    let rebinds = text.contains("with") || text.contains("range");
    while let Some(at) = rest.find("{{") {
        let inside = rest.get(at + 2..).unwrap_or("");
        let inside = inside.strip_prefix("- ").unwrap_or(inside);
        let Some(end) = action_end(inside) else {
            return Some("an action `{{` is never closed with `}}`".into());
        };
        let action = inside.get(..end).unwrap_or("");
        rest = inside.get(end + 2..).unwrap_or("");
        let action = action.strip_suffix(" -").unwrap_or(action).trim();
        if action.starts_with("/*") {
            if !action.ends_with("*/") {
                return Some("a comment `{{/* ... */}}` must end right before `}}`".into());
            }
            continue;
        }
        if action.is_empty() {
            return Some("an action `{{}}` is empty".into());
        }
        if let Some(p) = action_problem(action, &mut open, fields.filter(|_| !rebinds)) {
            return Some(p);
        }
    }
    if let Some(block) = open.last() {
        return Some(format!(
            "`{{{{{block}}}}}` is never closed with `{{{{end}}}}`"
        ));
    }
    None
}

/// Where the action starting at `s` ends (the index of its `}}`), skipping quoted text.
fn action_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'}') if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            Some(&q @ (b'"' | b'\'' | b'`')) => {
                i += 1;
                while i < bytes.len() && bytes.get(i) != Some(&q) {
                    if q != b'`' && bytes.get(i) == Some(&b'\\') {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn action_problem<'a>(
    action: &'a str,
    open: &mut Vec<&'a str>,
    fields: Option<&[&str]>,
) -> Option<String> {
    let mut depth = 0i32;
    let mut first = true;
    for (word, before) in words(action) {
        match before {
            Some('"' | '\'' | '`') => continue,
            Some('(') => depth += 1,
            Some(')') => {
                depth -= 1;
                if depth < 0 {
                    return Some(format!("an unexpected `)` in `{{{{{action}}}}}`"));
                }
            }
            _ => {}
        }
        if word.is_empty() {
            continue;
        }
        let is_first = std::mem::take(&mut first);
        match before {
            Some('.') => {
                if let Some(fields) = fields.filter(|_| !word.starts_with(char::is_numeric)) {
                    if !fields.contains(&word) {
                        let names: Vec<String> = fields.iter().map(|f| format!("`.{f}`")).collect();
                        return Some(format!(
                            "its data has no field `.{word}` (only {})",
                            names.join(" and ")
                        ));
                    }
                }
            }
            Some('$') => {}
            _ if word.starts_with(|c: char| c.is_ascii_digit() || c == '-') => {}
            _ if KEYWORDS.contains(&word) => match word {
                "if" | "range" | "with" | "define" | "block" if is_first => open.push(word),
                "end" if is_first && open.pop().is_none() => {
                    return Some("an `{{end}}` closes nothing".into());
                }
                _ => {}
            },
            _ if !functions().any(|f| f == word) => {
                let hint = did_you_mean(word, functions())
                    .map(|f| format!(" (did you mean `{f}`?)"))
                    .unwrap_or_default();
                return Some(format!("the function `{word}` is not defined{hint}"));
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Some(format!("a `(` is never closed in `{{{{{action}}}}}`"));
    }
    None
}

/// The words of an action, each with the character before it (`.` for a field, `$` for
/// a variable, a quote for a literal, which is one word; a parenthesis is its own empty
/// word so that nesting can be counted).
fn words(action: &str) -> Vec<(&str, Option<char>)> {
    let mut out = Vec::new();
    let mut chars = action.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '\'' | '`' => {
                let mut escaped = false;
                for (_, d) in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if d == '\\' && c != '`' {
                        escaped = true;
                    } else if d == c {
                        break;
                    }
                }
                out.push(("", Some(c)));
            }
            '(' | ')' => out.push(("", Some(c))),
            c if c.is_alphanumeric() || c == '_' => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_alphanumeric() || d == '_' {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let before = prev.filter(|p| matches!(p, '.' | '$' | '-'));
                // `-3` is a number, `x-y` is not Go syntax: either way not a name.
                let word = action.get(i..end).unwrap_or("");
                let before = if before == Some('-') { None } else { before };
                if prev == Some('-') {
                    out.push(("0", None));
                } else {
                    out.push((word, before));
                }
                prev = action.get(..end).and_then(|s| s.chars().last());
                continue;
            }
            _ => {}
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(text: &str) -> Option<String> {
        problem(text, Some(DATABASE_FIELDS))
    }

    #[test]
    fn templates_the_server_takes_pass() {
        for ok in [
            "{{ .RoleName }}-{{ random 8 }}",
            "{{ printf \"v-%s\" (.DisplayName | truncate 10) }}",
            "v_{{.DisplayName | uppercase | truncate 8}}_{{unix_time}}",
            "{{ if false }}{{ uuid }}{{ end }}x",
            "{{- .RoleName -}}",
            "{{/* a comment */}}{{.RoleName}}",
            "{{ replace \"-\" \"_\" .RoleName }}",
            "{{ \"}}\" }}{{ .RoleName }}",
            "plain-name",
            "{{ $x := .RoleName }}{{ $x }}",
            "{{ truncate_sha256 -1 .RoleName }}",
        ] {
            assert_eq!(db(ok), None, "{ok}");
        }
    }

    #[test]
    fn templates_the_server_refuses_are_found() {
        for (bad, why) in [
            ("{{.Bad", "never closed"),
            ("{{ .RoleName | nosuchfn }}", "`nosuchfn` is not defined"),
            ("{{ .RoleName | trim }}", "`trim` is not defined"),
            ("{{.Nope}}", "no field `.Nope`"),
            ("{{ if .RoleName }}x", "never closed with `{{end}}`"),
            ("x{{ end }}", "closes nothing"),
            ("{{ truncate 3 (.RoleName }}", "never closed"),
            ("{{}}", "empty"),
            ("{{ .RoleName | upercase }}", "did you mean `uppercase`"),
        ] {
            let found = db(bad).unwrap_or_default();
            assert!(found.contains(why), "{bad}: {found}");
        }
    }

    #[test]
    fn fields_are_not_checked_where_the_dot_is_rebound_or_unknown() {
        assert_eq!(db("{{ with .RoleName }}{{ .Other }}{{ end }}"), None);
        assert_eq!(problem("{{ .PolicyName }}", None), None);
    }
}
