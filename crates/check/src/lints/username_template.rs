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

/// The functions a username template may call: the server's template helper's first
/// (each seen accepted by OpenBao 2.7.2; `trim`, `join`, `default` and the other Sprig
/// functions are refused), then Go's `text/template` built-ins.
const FUNCTIONS: &[&str] = &[
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
    // text/template
    "and",
    "call",
    "html",
    "index",
    "slice",
    "js",
    "len",
    "not",
    "or",
    "print",
    "printf",
    "println",
    "urlquery",
    "eq",
    "ge",
    "gt",
    "le",
    "lt",
    "ne",
];

const KEYWORDS: &[&str] = &[
    "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue",
    "nil", "true", "false",
];

/// The fields of a database plugin's username data (`dbplugin.UsernameMetadata`).
const DATABASE_FIELDS: &[&str] = &["DisplayName", "RoleName"];

const HELP: &str = "a username template is a Go template, e.g. `\"v-{{.RoleName | truncate 10}}-{{random 8}}\"`; besides Go's built-ins (`printf`, `slice`, ...) its functions are `random`, `truncate`, `truncate_sha256`, `uppercase`, `lowercase`, `replace`, `sha256`, `base64`, `unix_time`, `unix_time_millis`, `timestamp` and `uuid`";

pub fn check(endpoint: &str, parts: &Parts<'_>, diags: &mut Vec<Diagnostic>) {
    let Some(attr) = parts.get("username_template") else {
        return;
    };
    let ExprKind::Str { value, .. } = &attr.value.kind else {
        return;
    };
    let Some(problem) = problem(value, endpoint == "database-connection") else {
        return;
    };
    diags.push(
        Diagnostic::error(
            codes::INVALID_VALUE,
            attr.value.span,
            format!("`username_template` is not a template the server can use: {problem}"),
        )
        .with_label("the server refuses the config")
        .with_help(HELP),
    );
}

/// Why the server cannot parse or run `text` as a username template, if it cannot.
/// `database`: its data is a database plugin's, whose fields are known.
pub fn problem(text: &str, database: bool) -> Option<String> {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = text;
    // `with` and `range` rebind the dot: fields inside them are not the data's.
    let fields = database && !(text.contains("with") || text.contains("range"));
    while let Some(at) = rest.find("{{") {
        let inside = rest.get(at + 2..).unwrap_or("");
        let inside = inside.strip_prefix("- ").unwrap_or(inside);
        let Some(end) = action_end(inside) else {
            return Some("an action `{{` is never closed with `}}`".into());
        };
        let action = inside.get(..end).unwrap_or("");
        rest = inside.get(end + 2..).unwrap_or("");
        let action = action.strip_suffix(" -").unwrap_or(action).trim();
        let why = if action.starts_with("/*") {
            (!action.ends_with("*/")).then_some(Problem::Comment)
        } else if action.is_empty() {
            Some(Problem::Empty)
        } else {
            action_problem(action, &mut open, fields)
        };
        if let Some(why) = why {
            return Some(why.to_string());
        }
    }
    open.last().map(|block| Problem::NoEnd(block).to_string())
}

enum Problem<'a> {
    Comment,
    Empty,
    NoEnd(&'a str),
    StrayEnd,
    Parens,
    Function(&'a str),
    Field(&'a str),
}

impl std::fmt::Display for Problem<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Comment => f.write_str("a comment `{{/* ... */}}` must end right before `}}`"),
            Problem::Empty => f.write_str("an action `{{}}` is empty"),
            Problem::NoEnd(block) => {
                write!(f, "`{{{{{block}}}}}` is never closed with `{{{{end}}}}`")
            }
            Problem::StrayEnd => f.write_str("an `{{end}}` closes nothing"),
            Problem::Parens => f.write_str("its parentheses do not pair up"),
            Problem::Function(word) => {
                write!(f, "the function `{word}` is not defined")?;
                match did_you_mean(word, FUNCTIONS.iter().copied()) {
                    Some(near) => write!(f, " (did you mean `{near}`?)"),
                    None => Ok(()),
                }
            }
            Problem::Field(word) => write!(
                f,
                "its data has no field `.{word}` (only `.DisplayName` and `.RoleName`)"
            ),
        }
    }
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
    fields: bool,
) -> Option<Problem<'a>> {
    let mut depth = 0i32;
    let mut first = true;
    for (word, before) in words(action) {
        match before {
            Some('(') => depth += 1,
            Some(')') => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return Some(Problem::Parens);
        }
        if word.is_empty() {
            continue;
        }
        let is_first = std::mem::take(&mut first);
        match before {
            Some('.')
                if fields
                    && !word.starts_with(|c: char| c.is_ascii_digit())
                    && !DATABASE_FIELDS.contains(&word) =>
            {
                return Some(Problem::Field(word));
            }
            Some('.' | '$') => {}
            _ if word.starts_with(|c: char| c.is_ascii_digit()) => {}
            _ if KEYWORDS.contains(&word) => match word {
                "if" | "range" | "with" | "define" | "block" if is_first => open.push(word),
                "end" if is_first && open.pop().is_none() => return Some(Problem::StrayEnd),
                _ => {}
            },
            _ if !FUNCTIONS.contains(&word) => return Some(Problem::Function(word)),
            _ => {}
        }
    }
    (depth != 0).then_some(Problem::Parens)
}

/// The words of an action, each with the character before it (`.` for a field, `$` for
/// a variable); a quoted literal and a parenthesis are empty words (the parenthesis
/// with itself as the character before, so that nesting can be counted). A word after
/// a `-` is a negative number's.
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
                out.push(("", None));
            }
            '(' | ')' => out.push(("", Some(c))),
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut end = i + 1;
                while let Some(&(j, d)) = chars.peek() {
                    if !(d.is_ascii_alphanumeric() || d == '_') {
                        break;
                    }
                    end = j + 1;
                    chars.next();
                }
                let word = if prev == Some('-') {
                    "0"
                } else {
                    action.get(i..end).unwrap_or("")
                };
                out.push((word, prev.filter(|p| matches!(p, '.' | '$'))));
                prev = Some('a');
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
        problem(text, true)
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
            ("{{ truncate 3 (.RoleName }}", "parentheses"),
            ("{{ truncate 3 .RoleName) }}", "parentheses"),
            ("{{}}", "empty"),
            ("{{ .RoleName | upercase }}", "did you mean `uppercase`"),
        ] {
            let found = db(bad).unwrap_or_default();
            assert!(found.contains(why), "{bad}: {found}");
        }
    }

    proptest::proptest! {
        /// Any text of a template's pieces is judged without a panic, and a good template
        /// after a closed, good prefix stays good.
        #[test]
        fn pieces_of_templates_are_judged_without_panic(pieces in proptest::collection::vec(0usize..16, 0..40)) {
            const PIECES: [&str; 16] = [
                "{{", "}}", "{{-", "-}}", ".RoleName", "|", "truncate", "(", ")", "\"",
                "`", "'", "é", " ", "if", "end",
            ];
            let text: String = pieces.iter().filter_map(|&i| PIECES.get(i)).copied().collect();
            let _ = problem(&text, true);
            let _ = problem(&text, false);
            let escaped = text.replace(['{', '}'], "x");
            proptest::prop_assert_eq!(problem(&format!("{escaped}{{{{ .RoleName }}}}"), true), None);
        }
    }

    #[test]
    fn fields_are_not_checked_where_the_dot_is_rebound_or_unknown() {
        assert_eq!(db("{{ with .RoleName }}{{ .Other }}{{ end }}"), None);
        assert_eq!(problem("{{ .PolicyName }}", false), None);
    }
}
